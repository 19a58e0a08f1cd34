//! What every command needs: the config, the accounts' secrets, and open providers.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::{Cli, CliError, CliResult};
use crate::config::secrets::{self, Secret, SecretSource};
use crate::config::{AccountConfig, Config, ProviderFamily, config_path};
use crate::emulator::DemoAccount;
use crate::provider::Provider;
use crate::provider::open::open_account;

pub struct Context {
    pub config_path: PathBuf,
    pub config: Config,
    /// Secrets given directly (the demo accounts), by account name.
    inline_secrets: BTreeMap<String, Secret>,
    /// Whether we may ask the person at the terminal.
    pub interactive: bool,
    providers: Mutex<HashMap<String, Arc<dyn Provider>>>,
}

impl Context {
    pub fn load(cli: &Cli) -> CliResult<Context> {
        let path = config_path(cli.config.as_deref());
        let config = Config::load(&path)?;
        Ok(Context::new(cli, path, config, BTreeMap::new()))
    }

    /// A context whose accounts are the demo emulator's.
    pub fn for_demo(cli: &Cli, accounts: Vec<DemoAccount>) -> Context {
        let mut config = Config::default();
        let mut inline = BTreeMap::new();
        for a in accounts {
            let Some(provider) = ProviderFamily::parse(&a.provider) else {
                continue;
            };
            config.accounts.insert(
                a.name.clone(),
                AccountConfig {
                    provider,
                    base_url: a.base_url,
                    username: a.username,
                },
            );
            inline.insert(a.name, Secret::new(a.secret));
        }
        Context::new(cli, PathBuf::from("(demo)"), config, inline)
    }

    fn new(
        cli: &Cli,
        config_path: PathBuf,
        config: Config,
        inline_secrets: BTreeMap<String, Secret>,
    ) -> Context {
        Context {
            config_path,
            config,
            inline_secrets,
            interactive: !cli.no_input && std::io::stdin().is_terminal(),
            providers: Mutex::new(HashMap::new()),
        }
    }

    pub fn account(&self, name: &str) -> CliResult<&AccountConfig> {
        self.config.account(name).ok_or_else(|| {
            let known: Vec<&str> = self.config.accounts.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none configured".to_string()
            } else {
                format!("configured: {}", known.join(", "))
            };
            CliError::new(format!(
                "no account named {name:?} in {} ({known})",
                self.config_path.display()
            ))
        })
    }

    /// The secret of an account and where it came from.
    pub async fn secret(&self, name: &str) -> CliResult<(Secret, SecretSource)> {
        if let Some(s) = self.inline_secrets.get(name) {
            return Ok((s.clone(), SecretSource::Inline));
        }
        secrets::lookup(name).await.map_err(CliError::new)
    }

    /// The provider for an account, opened once and shared (one session per account).
    pub async fn provider(&self, name: &str) -> CliResult<Arc<dyn Provider>> {
        let mut cache = self.providers.lock().await;
        if let Some(p) = cache.get(name) {
            return Ok(p.clone());
        }
        let account = self.account(name)?;
        let (secret, _) = self.secret(name).await?;
        let provider = open_account(account, &secret).map_err(|e| e.context(name))?;
        cache.insert(name.to_string(), provider.clone());
        Ok(provider)
    }
}
