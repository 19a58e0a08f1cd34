//! Exported links: one item per file (link, name, size, account, host) and how a format writes
//! them. Names and links come from hosts and are untrusted: a link must be http(s), every field
//! is escaped for the format's markup, and no control character is ever written.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use super::queue::human_bytes;
use crate::config::links::{Escape, Field, LinkFormat, Part};
use crate::sanitize::{for_terminal, json_for_terminal};

/// What a link may not hold raw inside BBCode's `[url=...]`.
const IN_BBCODE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'[').add(b']');
/// What a link may not hold raw inside markdown's `(...)`.
const IN_MARKDOWN: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'(')
    .add(b')')
    .add(b'[')
    .add(b']')
    .add(b'<')
    .add(b'>');

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    /// Where it is: `ys:/Documents/report.pdf`.
    pub target: String,
    /// An http(s) URL, as the `url` crate writes it.
    pub link: String,
    pub name: String,
    pub size: Option<u64>,
    pub account: String,
    /// The link's host.
    pub host: String,
}

impl LinkItem {
    /// An item for a link a host gave; anything but an http(s) URL is refused.
    pub fn new(
        target: &str,
        link: &str,
        name: &str,
        size: Option<u64>,
        account: &str,
    ) -> Result<LinkItem, String> {
        let url = url::Url::parse(link.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                format!(
                    "the host gave a link that is not http(s): {:?}",
                    for_terminal(&crate::provider::redact_url(link))
                )
            })?;
        Ok(LinkItem {
            target: target.to_string(),
            host: url.host_str().unwrap_or_default().to_string(),
            link: url.to_string(),
            name: name.to_string(),
            size,
            account: account.to_string(),
        })
    }

    fn json(&self) -> Value {
        json!({
            "target": self.target,
            "link": self.link,
            "name": self.name,
            "size": self.size,
            "account": self.account,
            "host": self.host,
        })
    }
}

/// A name (or other text) for the markup: markup characters escaped, nothing a terminal acts on.
fn text(escape: Escape, raw: &str) -> String {
    let safe = for_terminal(raw);
    match escape {
        Escape::Plain => safe.into_owned(),
        Escape::Html => html_escape::encode_quoted_attribute(&safe).into_owned(),
        // BBCode has no escape: brackets that could open or close a tag become look-alikes.
        Escape::Bbcode => safe.replace('[', "\u{ff3b}").replace(']', "\u{ff3d}"),
        Escape::Markdown => {
            let mut out = String::with_capacity(safe.len());
            for c in safe.chars() {
                if "\\`*_{}[]<>()#!|~".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
    }
}

/// A link (already an http(s) URL) for the markup.
fn link(escape: Escape, url: &str) -> String {
    match escape {
        Escape::Plain => url.to_string(),
        Escape::Html => html_escape::encode_quoted_attribute(url).into_owned(),
        Escape::Bbcode => utf8_percent_encode(url, IN_BBCODE).to_string(),
        Escape::Markdown => utf8_percent_encode(url, IN_MARKDOWN).to_string(),
    }
}

fn field(escape: Escape, item: &LinkItem, f: Field) -> Cow<'static, str> {
    Cow::Owned(match f {
        Field::Link => link(escape, &item.link),
        Field::Name => text(escape, &item.name),
        Field::Size => item.size.map(human_bytes).unwrap_or_else(|| "?".into()),
        Field::Bytes => item
            .size
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into()),
        Field::Account => text(escape, &item.account),
        Field::Host => text(escape, &item.host),
    })
}

/// The items in a format: one line each (without a last newline), or one JSON array.
pub fn render(format: &LinkFormat, items: &[LinkItem]) -> String {
    match format {
        LinkFormat::Json => {
            json_for_terminal(&Value::Array(items.iter().map(LinkItem::json).collect()))
        }
        LinkFormat::Lines { template, escape } => items
            .iter()
            .map(|item| {
                let mut line = String::new();
                for part in &template.parts {
                    match part {
                        // The template is the user's own; only its control characters go.
                        Part::Text(t) => line.push_str(&for_terminal(t)),
                        Part::Field(f) => line.push_str(&field(*escape, item, *f)),
                    }
                }
                // A template's text may hold a newline: the line stays one line.
                line.replace(['\n', '\r'], " ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LinksConfig;

    fn item(name: &str, link: &str) -> LinkItem {
        LinkItem::new("k2s:/x", link, name, Some(1536), "k2s").unwrap()
    }

    fn format(name: &str) -> LinkFormat {
        LinksConfig::default().format(name).unwrap()
    }

    #[test]
    fn builtin_formats_write_link_name_and_size() {
        let items = [item("a.zip", "https://k2s.cc/file/abc")];
        assert_eq!(
            render(&format("bbcode"), &items),
            "[url=https://k2s.cc/file/abc]a.zip[/url] (1.5 KiB)"
        );
        assert_eq!(
            render(&format("plain"), &items),
            "https://k2s.cc/file/abc a.zip (1.5 KiB)"
        );
        assert_eq!(
            render(&format("html"), &items),
            "<a href=\"https://k2s.cc/file/abc\">a.zip</a> (1.5 KiB)<br>"
        );
        assert_eq!(
            render(&format("markdown"), &items),
            "- [a.zip](https://k2s.cc/file/abc) (1.5 KiB)"
        );
        let json: Value = serde_json::from_str(&render(&format("json"), &items)).unwrap();
        assert_eq!(json[0]["size"], 1536);
        assert_eq!(json[0]["host"], "k2s.cc");
    }

    #[test]
    fn hostile_names_and_links_cannot_break_out_of_the_markup() {
        let evil = item(
            "x[/url][url=https://evil.test]\u{1b}[31m<b>\u{202e}",
            "https://h.test/a b/[x](y)\"'<z>",
        );
        let bb = render(&format("bbcode"), std::slice::from_ref(&evil));
        assert_eq!(bb.matches("[url=").count(), 1, "{bb}");
        assert_eq!(bb.matches("[/url]").count(), 1, "{bb}");
        assert!(!bb.chars().any(char::is_control), "{bb:?}");
        assert!(!bb.contains('\u{202e}'), "{bb:?}");
        let html = render(&format("html"), std::slice::from_ref(&evil));
        assert!(
            !html.contains("<b>") && html.matches('"').count() == 2,
            "{html}"
        );
        let md = render(&format("markdown"), std::slice::from_ref(&evil));
        assert!(md.contains("x\\[/url\\]"), "{md}");
        assert!(md.contains("%5Bx%5D%28y%29"), "{md}");
        let json = render(&format("json"), std::slice::from_ref(&evil));
        assert!(
            !json.contains('\u{1b}') && !json.contains('\u{202e}'),
            "{json:?}"
        );
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0]["name"], evil.name);
    }

    #[test]
    fn only_web_links_are_exported() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://h/x",
            "nope",
        ] {
            let e = LinkItem::new("t", bad, "n", None, "a").unwrap_err();
            assert!(e.contains("not http(s)"), "{e}");
        }
    }

    #[test]
    fn config_templates_take_every_field() {
        let config = crate::config::Config::parse(
            "[links.formats]\nall = \"{link}|{name}|{size}|{bytes}|{account}|{host}|{{}}\"\n",
            "c.toml",
        )
        .unwrap();
        let out = render(
            &config.links.format("all").unwrap(),
            &[item("n", "https://k2s.cc/file/abc")],
        );
        assert_eq!(out, "https://k2s.cc/file/abc|n|1.5 KiB|1536|k2s|k2s.cc|{}");
    }
}
