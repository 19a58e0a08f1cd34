//! A site's base URL as an account gives it: http(s) only, no login in it, and the host (with
//! its port) for messages and for the host's pacer.

use url::Url;

/// A checked base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Without query, fragment or login.
    pub url: Url,
    /// `example.com` or `127.0.0.1:8800`.
    pub host: String,
}

impl BaseUrl {
    /// Check `base_url`; the error is a reason in words ("must start with https:// or http://").
    pub fn parse(base_url: &str) -> Result<BaseUrl, String> {
        let mut url = Url::parse(base_url.trim()).map_err(|e| e.to_string())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must start with https:// or http://".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain a login; put it in the secret".into());
        }
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err("has no host".into()),
        };
        url.set_query(None);
        url.set_fragment(None);
        Ok(BaseUrl { url, host })
    }

    /// The path without its trailing slashes ("/api/v2", "" for the root).
    pub fn trimmed_path(&self) -> String {
        self.url.path().trim_end_matches('/').to_owned()
    }

    /// The same URL with `path` as its path.
    pub fn with_path(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        url.set_path(path);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        let b = BaseUrl::parse(" http://127.0.0.1:8080/api/v2?x=1#f ").unwrap();
        assert_eq!(b.host, "127.0.0.1:8080");
        assert_eq!(b.url.as_str(), "http://127.0.0.1:8080/api/v2");
        assert_eq!(b.trimmed_path(), "/api/v2");
        assert_eq!(BaseUrl::parse("https://h/").unwrap().trimmed_path(), "");
        assert!(BaseUrl::parse("ftp://h").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
        assert!(BaseUrl::parse("https://u:p@h/").is_err());
    }
}
