//! Configuration: where the file lives, what it holds, and how it is loaded and edited.
//!
//! Secrets never live here: see [`secrets`].

pub mod links;
pub mod new_account;
pub mod secrets;
pub mod sites;
pub mod theme;

pub use links::LinksConfig;
pub use theme::{StyleOverride, ThemeOverrides};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The provider families haul speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderFamily {
    Yetishare,
    Keep2share,
    Xfilesharing,
}

impl ProviderFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderFamily::Yetishare => "yetishare",
            ProviderFamily::Keep2share => "keep2share",
            ProviderFamily::Xfilesharing => "xfilesharing",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "yetishare" => Some(ProviderFamily::Yetishare),
            "keep2share" => Some(ProviderFamily::Keep2share),
            "xfilesharing" => Some(ProviderFamily::Xfilesharing),
            _ => None,
        }
    }
}

impl fmt::Display for ProviderFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `[accounts.NAME]` table. Non-secret fields only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub provider: ProviderFamily,
    /// The API root, e.g. `https://www.zippyshare.cloud/api/v2`.
    pub base_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Range connections per downloaded file on this account (overrides `[transfers]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections_per_file: Option<usize>,
}

/// `[transfers]`: the queue's defaults (flags override them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransfersConfig {
    /// Transfers at once over all accounts.
    pub concurrency: Option<usize>,
    /// Transfers at once per account (the account's plan may allow fewer).
    pub per_account: Option<usize>,
    /// Bandwidth limit for all transfers, e.g. "10M" (bytes per second).
    pub bwlimit: Option<String>,
    /// Retries of a transient failure.
    pub retries: Option<u32>,
    /// ask, fail, skip, overwrite, rename, resume or skip-identical.
    pub on_conflict: Option<String>,
    /// Run unfinished jobs again when haul starts (else they wait, paused).
    pub resume_on_start: Option<bool>,
    /// Abort and retry a transfer that moved no byte for this many seconds.
    pub stall_timeout_secs: Option<u64>,
    /// Range connections per downloaded file, where the host allows it (default 4; 1: one).
    pub connections_per_file: Option<usize>,
    /// Finished jobs the journal keeps (the most recent ones; default 1000).
    pub keep_finished: Option<usize>,
    /// Days the journal keeps a finished job at most (default 30).
    pub keep_finished_days: Option<u32>,
}

/// `[network]`: how persistent and how polite haul is with every host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Retries of a failed call to a host (`--low-level-retries`; default 10).
    pub retries: Option<u32>,
    /// Give up a call once its retries would take longer than this (default 300).
    pub retry_budget_secs: Option<u64>,
    /// Requests a second to one host (default: 5 for Keep2Share, no limit for the others;
    /// 0: no limit).
    pub requests_per_second: Option<u32>,
}

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountConfig>,
    #[serde(default)]
    pub transfers: TransfersConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    /// `[keys.LAYER]` overrides of the TUI's bindings: action name -> keys
    /// (`[keys.panes] copy = ["F5", "c"]`); layers and actions as in `assets/keymap.toml`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// `[theme.STYLE]` overrides of the TUI's named styles
    /// (`[theme.cursor] fg = "black"`, `bg = "#ffaf00"`, `modifiers = ["bold"]`); names as in
    /// `assets/theme.toml`.
    #[serde(default, skip_serializing_if = "ThemeOverrides::is_empty")]
    pub theme: ThemeOverrides,
    /// `[links.formats]`: named templates for `haul link --format NAME` and the TUI's export.
    #[serde(default, skip_serializing_if = "LinksConfig::is_empty")]
    pub links: LinksConfig,
}

/// A config problem, naming the file, line and field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path} line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: no such config file (named by {named_by})")]
    Missing {
        path: String,
        named_by: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Where the config lives, and who said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    pub path: PathBuf,
    /// `--config` or `$HAUL_CONFIG`, which must then exist; `None` for the default path, which
    /// may be missing (no accounts yet).
    pub named_by: Option<&'static str>,
}

/// Where the config lives: `--config`, else `HAUL_CONFIG`, else `~/.config/haul/config.toml`.
pub fn config_location(flag: Option<&Path>) -> ConfigLocation {
    if let Some(p) = flag {
        return ConfigLocation {
            path: p.to_path_buf(),
            named_by: Some("--config"),
        };
    }
    if let Some(p) = std::env::var_os("HAUL_CONFIG").filter(|p| !p.is_empty()) {
        return ConfigLocation {
            path: PathBuf::from(p),
            named_by: Some("$HAUL_CONFIG"),
        };
    }
    let path = directories::ProjectDirs::from("", "", "haul")
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("haul.toml"));
    ConfigLocation {
        path,
        named_by: None,
    }
}

/// A valid account name: used in `NAME:PATH` and in `HAUL_SECRET_<NAME>`.
pub fn check_account_name(name: &str) -> Result<(), ConfigError> {
    if name == crate::transfer::LOCAL {
        return Err(ConfigError::Invalid(format!(
            "account name {name:?} is reserved for the local disk"
        )));
    }
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid(format!(
            "account name {name:?} must be 1-64 letters, digits, '-', '_' or '.'"
        )))
    }
}

impl Config {
    /// Load the file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_from(&ConfigLocation {
            path: path.to_path_buf(),
            named_by: None,
        })
    }

    /// Load the file; a missing file is an empty config at the default path, and an error where
    /// `--config` or `$HAUL_CONFIG` named it.
    pub fn load_from(location: &ConfigLocation) -> Result<Config, ConfigError> {
        let path = location.path.as_path();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return match location.named_by {
                    None => Ok(Config::default()),
                    Some(named_by) => Err(ConfigError::Missing {
                        path: path.display().to_string(),
                        named_by,
                    }),
                };
            }
            Err(e) => {
                return Err(ConfigError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        Config::parse(&text, &path.display().to_string())
    }

    /// Parse config text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    text.as_bytes()[..s.start.min(text.len())]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1
                })
                .unwrap_or(1);
            // toml reports the table for field errors; name the key path too when we can.
            let message = e.message().replace('\n', " ");
            ConfigError::Parse {
                path: origin.to_string(),
                line,
                message,
            }
        })?;
        if let Some(p) = &config.transfers.on_conflict
            && crate::transfer::ConflictPolicy::parse(p).is_none()
        {
            return Err(ConfigError::Invalid(format!(
                "{origin}: [transfers] on_conflict: {p:?} is not one of ask, fail, skip, overwrite, rename, resume, skip-identical"
            )));
        }
        if let Some(r) = &config.transfers.bwlimit
            && crate::transfer::throttle::parse_rate(r).is_none()
        {
            return Err(ConfigError::Invalid(format!(
                "{origin}: [transfers] bwlimit: {r:?} is not a rate like 500K or 10M"
            )));
        }
        config.links.check(origin).map_err(ConfigError::Invalid)?;
        for (name, account) in &config.accounts {
            check_account_name(name)
                .map_err(|e| ConfigError::Invalid(format!("{origin}: [accounts.{name}]: {e}")))?;
            check_base_url(&account.base_url).map_err(|m| {
                ConfigError::Invalid(format!("{origin}: [accounts.{name}] base_url: {m}"))
            })?;
        }
        Ok(config)
    }

    pub fn account(&self, name: &str) -> Option<&AccountConfig> {
        self.accounts.get(name)
    }
}

/// `base_url` must be an http(s) URL.
pub fn check_base_url(url: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!("must be an http or https URL, not {}:", u.scheme())),
        Err(e) => Err(format!("not a URL ({e})")),
    }
}

/// Add or replace `[accounts.NAME]` in the file, keeping the rest of the file (comments too).
pub fn write_account(path: &Path, name: &str, account: &AccountConfig) -> Result<(), ConfigError> {
    edit_file(path, |doc| {
        let accounts = doc
            .entry("accounts")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let Some(accounts) = accounts.as_table_mut() else {
            return Err("`accounts` is not a table".to_string());
        };
        accounts.set_implicit(true);
        let mut table = toml_edit::Table::new();
        table["provider"] = toml_edit::value(account.provider.as_str());
        table["base_url"] = toml_edit::value(account.base_url.as_str());
        if let Some(u) = &account.username {
            table["username"] = toml_edit::value(u.as_str());
        }
        accounts.insert(name, toml_edit::Item::Table(table));
        Ok(())
    })
}

/// Remove `[accounts.NAME]`; true if it was there.
pub fn remove_account(path: &Path, name: &str) -> Result<bool, ConfigError> {
    let mut removed = false;
    edit_file(path, |doc| {
        if let Some(accounts) = doc.get_mut("accounts").and_then(|a| a.as_table_mut()) {
            removed = accounts.remove(name).is_some();
        }
        Ok(())
    })?;
    Ok(removed)
}

fn edit_file(
    path: &Path,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), String>,
) -> Result<(), ConfigError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| ConfigError::Io {
        path: shown.clone(),
        message: e.to_string(),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    // Validate with the real loader first so we never rewrite a file we misunderstand.
    Config::parse(&text, &shown)?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        ConfigError::Invalid(format!("{shown}: {}", e.message()))
    })?;
    change(&mut doc).map_err(|m| ConfigError::Invalid(format!("{shown}: {m}")))?;
    let out = doc.to_string();
    Config::parse(&out, &shown)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, out.as_bytes()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_accounts() {
        let c = Config::parse(
            "[accounts.ys]\nprovider = \"yetishare\"\nbase_url = \"https://x.test/api/v2\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.accounts["ys"].provider, ProviderFamily::Yetishare);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let text =
            "[accounts.ys]\nprovider = \"yetishare\"\nbase_url = \"https://x/\"\npasword = \"x\"\n";
        let e = Config::parse(text, "c.toml").unwrap_err().to_string();
        assert!(e.starts_with("c.toml line 4:"), "{e}");
        assert!(e.contains("pasword"), "{e}");
        let e = Config::parse(
            "[accounts.ys]\nprovider = \"ftp\"\nbase_url=\"https://x\"\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2") && e.contains("ftp"), "{e}");
    }

    #[test]
    fn a_misspelt_theme_style_is_an_error_naming_it() {
        let text = "[theme.cursor]\nfg = \"red\"\n\n[theme.cursr]\nfg = \"red\"\n";
        let e = Config::parse(text, "c.toml").unwrap_err().to_string();
        assert!(e.starts_with("c.toml line 4:"), "{e}");
        assert!(e.contains("cursr") && e.contains("cursor"), "{e}");
        let e = Config::parse("[theme.cursor]\nfgg = \"red\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("fgg"), "{e}");
        let c = Config::parse(text.split("\n\n").next().unwrap(), "c.toml").unwrap();
        assert_eq!(c.theme.cursor.unwrap().fg.as_deref(), Some("red"));
        assert_eq!(c.theme.folder, None);
    }

    #[test]
    fn edits_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "# my accounts\n").unwrap();
        let acc = AccountConfig {
            provider: ProviderFamily::Yetishare,
            base_url: "https://x.test/api/v2".into(),
            username: Some("me".into()),
            connections_per_file: None,
        };
        write_account(&p, "ys", &acc).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("# my accounts"));
        assert_eq!(Config::load(&p).unwrap().accounts["ys"], acc);
        assert!(remove_account(&p, "ys").unwrap());
        assert!(Config::load(&p).unwrap().accounts.is_empty());
    }
}
