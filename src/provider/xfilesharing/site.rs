//! Where an XFS site's API lives, and how the site is named in messages and links.

use std::net::IpAddr;

use crate::provider::{ProviderError, Result};

/// Second-level labels that are part of a country's suffix (`kenfiles.co.uk`).
const SECOND_LEVEL_SUFFIXES: &[&str] = &["ac", "co", "com", "edu", "gov", "net", "org"];

/// One XFS site, from the API root an account is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Site {
    /// The API root without a trailing slash: `https://kenfiles.com/api`.
    pub api_root: String,
    /// The web site that serves public file pages: `https://kenfiles.com`.
    pub web_root: String,
    /// The host (and port) for messages: `kenfiles.com`.
    pub host: String,
    /// The site's short name for sentences: `kenfiles`.
    pub name: String,
}

impl Site {
    /// Read an API root such as `https://kenfiles.com/api` (http or https only).
    pub fn parse(base_url: &str) -> Result<Site> {
        let invalid = |why: &str| ProviderError::invalid(format!("XFileSharing API URL: {why}"));
        let mut url = url::Url::parse(base_url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("must start with https:// or http://"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "must not contain a login; the API key goes in the secret",
            ));
        }
        let Some(host_name) = url.host_str().map(str::to_owned) else {
            return Err(invalid("has no host"));
        };
        let host = match url.port() {
            Some(port) => format!("{host_name}:{port}"),
            None => host_name.clone(),
        };
        url.set_query(None);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        let api_root = url.as_str().trim_end_matches('/').to_owned();
        let web_path = path.strip_suffix("/api").unwrap_or("");
        url.set_path(web_path);
        let web_root = url.as_str().trim_end_matches('/').to_owned();
        Ok(Site {
            api_root,
            web_root,
            name: short_name(&host_name).unwrap_or_else(|| host.clone()),
            host,
        })
    }

    /// The URL of an endpoint such as `account/info`.
    pub fn endpoint_url(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.api_root)
    }

    /// The site's name as an owner: `kenfiles'`, `katfile's`.
    pub fn possessive(&self) -> String {
        if self.name.ends_with(['s', 'S']) {
            format!("{}'", self.name)
        } else {
            format!("{}'s", self.name)
        }
    }

    /// The public page of a file: `https://<site>/<file_code>`.
    pub fn file_link(&self, code: &str) -> String {
        format!("{}/{code}", self.web_root)
    }
}

/// `kenfiles` for `www.kenfiles.com`; `None` for addresses and single-label hosts.
fn short_name(host: &str) -> Option<String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return None;
    }
    let labels: Vec<&str> = bare.split('.').filter(|l| !l.is_empty()).collect();
    let name = match labels.as_slice() {
        [.., name, second, _] if SECOND_LEVEL_SUFFIXES.contains(second) => name,
        [.., name, _] => name,
        _ => return None,
    };
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_roots_and_names() {
        let site = Site::parse("https://kenfiles.com/api").unwrap();
        assert_eq!(site.api_root, "https://kenfiles.com/api");
        assert_eq!(site.web_root, "https://kenfiles.com");
        assert_eq!(
            (site.host.as_str(), site.name.as_str()),
            ("kenfiles.com", "kenfiles")
        );
        assert_eq!(site.possessive(), "kenfiles'");
        assert_eq!(
            site.endpoint_url("file/list"),
            "https://kenfiles.com/api/file/list"
        );
        assert_eq!(
            site.file_link("b578rni0e1ka"),
            "https://kenfiles.com/b578rni0e1ka"
        );

        let site = Site::parse(" https://www.katfile.biz/api/?key=x#top ").unwrap();
        assert_eq!(site.api_root, "https://www.katfile.biz/api");
        assert_eq!(site.possessive(), "katfile's");

        let site = Site::parse("http://127.0.0.1:8080/xfs/api").unwrap();
        assert_eq!(site.web_root, "http://127.0.0.1:8080/xfs");
        assert_eq!(site.host, "127.0.0.1:8080");
        assert_eq!(site.name, "127.0.0.1:8080");

        let site = Site::parse("https://files.example.co.uk/v1").unwrap();
        assert_eq!(site.web_root, "https://files.example.co.uk");
        assert_eq!(site.name, "example");
        assert_eq!(
            Site::parse("http://localhost:3000/api").unwrap().name,
            "localhost:3000"
        );
    }

    #[test]
    fn bad_roots_are_refused() {
        for bad in [
            "ftp://kenfiles.com/api",
            "kenfiles.com/api",
            "https://u:p@h/api",
            "",
        ] {
            let e = Site::parse(bad).unwrap_err();
            assert_eq!(e.kind, crate::provider::ErrorKind::InvalidInput, "{bad}");
        }
    }
}
