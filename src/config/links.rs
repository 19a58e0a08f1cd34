//! `[links.formats]`: named templates for exported links, checked when the config loads.
//!
//! ```toml
//! [links.formats]
//! forum = "[url={link}]{name}[/url] ({size})"
//! wiki = { template = "* {name}: {link}", escape = "plain" }
//! ```
//!
//! A template's fields are `{link} {name} {size} {bytes} {account} {host}`; `{{` and `}}` are
//! literal braces. What names and links are escaped for is guessed from the template's markup
//! (`[url` or `[/`: BBCode, `<a` or `</`: HTML, `](`: markdown, else plain), or given as
//! `escape`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The formats haul knows without a config, in the order they are offered.
pub const BUILTIN_FORMATS: [&str; 6] = ["plain", "url", "bbcode", "html", "markdown", "json"];

/// `[links]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksConfig {
    /// Named templates, `name = "template"` or `name = { template = "...", escape = "..." }`.
    #[serde(default)]
    pub formats: BTreeMap<String, FormatConfig>,
}

impl LinksConfig {
    pub fn is_empty(&self) -> bool {
        self.formats.is_empty()
    }
}

/// One `[links.formats]` entry as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FormatConfig {
    Template(String),
    Table(FormatTable),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatTable {
    pub template: String,
    /// `plain`, `html`, `bbcode` or `markdown`; guessed from the template when left out.
    #[serde(default)]
    pub escape: Option<String>,
}

/// A field a template can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The public link.
    Link,
    Name,
    /// The size in words (`12.3 MiB`).
    Size,
    /// The size in bytes.
    Bytes,
    /// The account's name in the config.
    Account,
    /// The link's host (`k2s.cc`).
    Host,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Link,
        Field::Name,
        Field::Size,
        Field::Bytes,
        Field::Account,
        Field::Host,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Link => "link",
            Field::Name => "name",
            Field::Size => "size",
            Field::Bytes => "bytes",
            Field::Account => "account",
            Field::Host => "host",
        }
    }

    fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `{link} {name} {size} {bytes} {account} {host}`, for messages.
    pub fn list() -> String {
        Field::ALL
            .iter()
            .map(|f| format!("{{{}}}", f.name()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What names and links are escaped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    Plain,
    Html,
    Bbcode,
    Markdown,
}

impl Escape {
    pub const ALL: [Escape; 4] = [
        Escape::Plain,
        Escape::Html,
        Escape::Bbcode,
        Escape::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Escape::Plain => "plain",
            Escape::Html => "html",
            Escape::Bbcode => "bbcode",
            Escape::Markdown => "markdown",
        }
    }

    pub fn parse(name: &str) -> Option<Escape> {
        Escape::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The markup a template is written in, from its tags.
    pub fn guess(template: &str) -> Escape {
        let t = template.to_ascii_lowercase();
        if t.contains("[url") || t.contains("[/") {
            Escape::Bbcode
        } else if t.contains("<a") || t.contains("</") {
            Escape::Html
        } else if t.contains("](") {
            Escape::Markdown
        } else {
            Escape::Plain
        }
    }
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Field(Field),
}

/// A parsed template: text and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    /// Read `{field}`s and `{{`/`}}` escapes; an unknown field is named in the error.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(format!(
                                    "{{{name} is not closed (write {{{{ for a brace)"
                                ));
                            }
                        }
                    }
                    let field = Field::parse(name.trim()).ok_or_else(|| {
                        format!("unknown field {{{name}}} (fields: {})", Field::list())
                    })?;
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(field));
                }
                '}' => return Err("a } without its { (write }} for a brace)".to_string()),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(format!("has no field (fields: {})", Field::list()));
        }
        Ok(Template { parts })
    }
}

/// A format ready to use: a template and its escaping, or one JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkFormat {
    Json,
    Lines { template: Template, escape: Escape },
}

impl LinkFormat {
    /// A built-in format by name.
    pub fn builtin(name: &str) -> Option<LinkFormat> {
        let (text, escape) = match name {
            "json" => return Some(LinkFormat::Json),
            "plain" => ("{link} {name} ({size})", Escape::Plain),
            "url" => ("{link}", Escape::Plain),
            "bbcode" => ("[url={link}]{name}[/url] ({size})", Escape::Bbcode),
            "html" => ("<a href=\"{link}\">{name}</a> ({size})<br>", Escape::Html),
            "markdown" => ("- [{name}]({link}) ({size})", Escape::Markdown),
            _ => return None,
        };
        let template = Template::parse(text).ok()?;
        Some(LinkFormat::Lines { template, escape })
    }

    /// A config entry as a format.
    fn from_config(config: &FormatConfig) -> Result<LinkFormat, String> {
        let (text, escape) = match config {
            FormatConfig::Template(text) => (text, None),
            FormatConfig::Table(t) => (&t.template, t.escape.as_deref()),
        };
        let template = Template::parse(text)?;
        let escape = match escape {
            None => Escape::guess(text),
            Some(name) => Escape::parse(name).ok_or_else(|| {
                format!("escape {name:?} is not one of plain, html, bbcode, markdown")
            })?,
        };
        Ok(LinkFormat::Lines { template, escape })
    }
}

impl LinksConfig {
    /// Check every format (run when the config loads); `origin` names the file.
    pub fn check(&self, origin: &str) -> Result<(), String> {
        for (name, format) in &self.formats {
            let at = format!("{origin}: [links.formats] {name}");
            if BUILTIN_FORMATS.contains(&name.as_str()) {
                return Err(format!(
                    "{at}: {name} is a built-in format ({}); give yours another name",
                    BUILTIN_FORMATS.join(", ")
                ));
            }
            LinkFormat::from_config(format).map_err(|e| format!("{at}: {e}"))?;
        }
        Ok(())
    }

    /// The names a format can be asked for by: the built-in ones, then the config's.
    pub fn names(&self) -> Vec<String> {
        BUILTIN_FORMATS
            .iter()
            .map(|s| s.to_string())
            .chain(self.formats.keys().cloned())
            .collect()
    }

    /// The format called `name`, or an error listing what there is.
    pub fn format(&self, name: &str) -> Result<LinkFormat, UnknownFormat> {
        if let Some(builtin) = LinkFormat::builtin(name) {
            return Ok(builtin);
        }
        match self.formats.get(name) {
            // Checked when the config loaded; a broken one can only come from a test.
            Some(config) => LinkFormat::from_config(config).map_err(|why| UnknownFormat {
                name: name.to_string(),
                known: self.names(),
                why: Some(why),
            }),
            None => Err(UnknownFormat {
                name: name.to_string(),
                known: self.names(),
                why: None,
            }),
        }
    }
}

/// A format name that names nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat {
    pub name: String,
    pub known: Vec<String>,
    why: Option<String>,
}

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.why {
            Some(why) => write!(f, "link format {}: {why}", self.name),
            None => write!(
                f,
                "no link format named {:?} (formats: {}; add your own under [links.formats])",
                self.name,
                self.known.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn templates_parse_fields_and_braces() {
        let t = Template::parse("{{x}} [url={link}]{ name }[/url]").unwrap();
        assert_eq!(
            t.parts,
            [
                Part::Text("{x} [url=".into()),
                Part::Field(Field::Link),
                Part::Text("]".into()),
                Part::Field(Field::Name),
                Part::Text("[/url]".into()),
            ]
        );
        let e = Template::parse("{link} {nmae}").unwrap_err();
        assert!(
            e.starts_with("unknown field {nmae} (fields: {link} {name}"),
            "{e}"
        );
        assert!(Template::parse("{link").unwrap_err().contains("not closed"));
        assert!(Template::parse("{link} }").unwrap_err().contains("without"));
        assert!(
            Template::parse("no fields")
                .unwrap_err()
                .contains("no field")
        );
    }

    #[test]
    fn the_config_names_the_file_and_the_field() {
        let text = "[links.formats]\nforum = \"[url={link}]{name}[/url] ({sise})\"\n";
        let e = Config::parse(text, "/home/me/haul.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "/home/me/haul.toml: [links.formats] forum: unknown field {sise} (fields: {link} {name} {size} {bytes} {account} {host})"
        );
        let e = Config::parse("[links.formats]\nbbcode = \"{link}\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("built-in"), "{e}");
        let e = Config::parse(
            "[links.formats]\nx = { template = \"{link}\", escape = \"rtf\" }\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("escape \"rtf\""), "{e}");
        let c = Config::parse(
            "[links.formats]\nforum = \"[url={link}]{name}[/url]\"\nwiki = { template = \"* {name}: {link}\", escape = \"markdown\" }\n",
            "c.toml",
        )
        .unwrap();
        let Ok(LinkFormat::Lines { escape, .. }) = c.links.format("forum") else {
            panic!("forum is a template");
        };
        assert_eq!(escape, Escape::Bbcode);
        let Ok(LinkFormat::Lines { escape, .. }) = c.links.format("wiki") else {
            panic!("wiki is a template");
        };
        assert_eq!(escape, Escape::Markdown);
        let e = c.links.format("rss").unwrap_err().to_string();
        assert!(
            e.contains("\"rss\"")
                && e.contains("plain, url, bbcode, html, markdown, json, forum, wiki"),
            "{e}"
        );
    }
}
