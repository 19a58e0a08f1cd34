//! The hosts haul knows by name (`assets/sites.toml`): each one's provider and API root, for
//! `haul accounts add NAME --site HOST`, `haul accounts sites` and the TUI's new-account form.

use std::sync::OnceLock;

use serde::Deserialize;

use super::ProviderFamily;

/// The table, part of the binary (a test checks that it parses).
pub const SITES_TOML: &str = include_str!("../../assets/sites.toml");

/// One known host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Its name, as users know it: `keep2share.cc`.
    pub host: String,
    pub provider: ProviderFamily,
    /// The API root an account on it is configured with.
    pub base_url: String,
    /// Other names of the same site.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A few words about it.
    #[serde(default)]
    pub about: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SitesFile {
    site: Vec<Site>,
}

fn parse(text: &str) -> Result<Vec<Site>, String> {
    toml::from_str::<SitesFile>(text)
        .map(|f| f.site)
        .map_err(|e| format!("assets/sites.toml: {}", e.message()))
}

/// Every known site, in the table's order.
pub fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(|| {
        parse(SITES_TOML).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            Vec::new()
        })
    })
}

/// `Keep2Share.cc`, `https://www.keep2share.cc/`, `k2s.cc/file/x` -> `keep2share.cc`, `k2s.cc`.
fn host_of(text: &str) -> String {
    let text = text.trim().to_ascii_lowercase();
    let text = text
        .split_once("://")
        .map_or(text.as_str(), |(_, rest)| rest);
    let host = text.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.trim_end_matches('.')
        .strip_prefix("www.")
        .unwrap_or(host)
        .to_string()
}

/// The known site a host name (or a URL on it) names.
pub fn find(name: &str) -> Option<&'static Site> {
    let wanted = host_of(name);
    if wanted.is_empty() {
        return None;
    }
    sites().iter().find(|site| {
        std::iter::once(&site.host)
            .chain(&site.aliases)
            .any(|h| host_of(h) == wanted)
    })
}

/// The known hosts' names, for messages.
pub fn names() -> String {
    sites()
        .iter()
        .map(|s| s.host.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_covers_the_hosts_haul_was_built_for() {
        let sites = parse(SITES_TOML).unwrap();
        for host in [
            "zippyshare.cloud",
            "cyberfile.me",
            "potansiyelperisi.com",
            "kenfiles.com",
            "keep2share.cc",
            "k2s.cc",
            "tezfiles.com",
            "fboom.me",
            "publish2.me",
        ] {
            let site = sites.iter().find(|s| s.host == host).unwrap();
            crate::config::check_base_url(&site.base_url).unwrap();
        }
        for site in &sites {
            assert!(site.base_url.starts_with("https://"), "{}", site.host);
        }
    }

    #[test]
    fn names_and_urls_find_their_site() {
        assert_eq!(
            find("Keep2Share.cc").unwrap().provider,
            ProviderFamily::Keep2share
        );
        assert_eq!(
            find("https://www.zippyshare.cloud/").unwrap().base_url,
            "https://www.zippyshare.cloud/api/v2"
        );
        assert_eq!(find("api.cyberfile.me").unwrap().host, "cyberfile.me");
        assert_eq!(find("katfile.com").unwrap().host, "katfile.biz");
        assert_eq!(
            find("kenfiles.com/api").unwrap().provider,
            ProviderFamily::Xfilesharing
        );
        assert_eq!(find("example.com"), None);
        assert_eq!(find(""), None);
    }
}
