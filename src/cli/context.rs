//! What every command needs: the config, the accounts' secrets, and open providers.
//!
//! The accounts can change while the terminal UI runs (a new account, a secret typed again),
//! so they sit behind locks; every other setting is fixed once loaded.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use tokio::sync::Mutex;

use super::account_setup;
use super::open_account::{NetworkSettings, open_account};
use super::{AccountsCommand, Cli, CliError, CliResult, Command};
use crate::config::new_account::{AccountError, AccountField};
use crate::config::secrets::{self, Secret, SecretKept, SecretSource};
use crate::config::{AccountConfig, Config, ProviderFamily, TransfersConfig, config_location};
use crate::emulator::DemoAccount;
use crate::provider::Provider;

/// The config path of a `--demo` run: nothing is ever written there.
const DEMO_CONFIG: &str = "(demo)";

pub struct Context {
    pub config_path: PathBuf,
    /// The file's settings; its `accounts` table is moved into `accounts`.
    settings: Config,
    accounts: RwLock<BTreeMap<String, AccountConfig>>,
    /// Secrets held in memory, by account name: the demo's, and those typed into the terminal
    /// UI that no keyring could keep. They win over the keyring and the environment.
    held_secrets: RwLock<BTreeMap<String, (Secret, SecretSource)>>,
    /// Whether we may ask the person at the terminal.
    pub interactive: bool,
    /// How every provider retries and paces its calls.
    network: NetworkSettings,
    providers: Mutex<HashMap<String, Arc<dyn Provider>>>,
}

/// Why an account's provider could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// No secret anywhere: `env_var` is the variable to set.
    NoSecret {
        env_var: String,
        message: String,
    },
    Other(CliError),
}

impl From<OpenError> for CliError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::NoSecret { message, .. } => CliError::new(message),
            OpenError::Other(e) => e,
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl Context {
    pub fn load(cli: &Cli) -> CliResult<Context> {
        let mut location = config_location(cli.config.as_deref());
        // `accounts add` may make the file it was pointed at; every other command needs a file
        // that --config or $HAUL_CONFIG names to exist.
        if matches!(
            cli.command,
            Some(Command::Accounts(AccountsCommand::Add { .. }))
        ) {
            location.named_by = None;
        }
        let config = Config::load_from(&location)?;
        Ok(Context::new(cli, location.path, config, BTreeMap::new()))
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
                    connections_per_file: None,
                },
            );
            inline.insert(a.name, (Secret::new(a.secret), SecretSource::Inline));
        }
        Context::new(cli, PathBuf::from(DEMO_CONFIG), config, inline)
    }

    fn new(
        cli: &Cli,
        config_path: PathBuf,
        mut settings: Config,
        held_secrets: BTreeMap<String, (Secret, SecretSource)>,
    ) -> Context {
        let accounts = std::mem::take(&mut settings.accounts);
        let network = NetworkSettings::new(&settings.network, cli.low_level_retries);
        Context {
            network,
            config_path,
            settings,
            accounts: RwLock::new(accounts),
            held_secrets: RwLock::new(held_secrets),
            interactive: !cli.no_input && std::io::stdin().is_terminal(),
            providers: Mutex::new(HashMap::new()),
        }
    }

    /// A `--demo` run: accounts live in memory only.
    pub fn is_demo(&self) -> bool {
        self.config_path == Path::new(DEMO_CONFIG)
    }

    /// How providers opened here retry and pace their calls.
    pub fn network(&self) -> &NetworkSettings {
        &self.network
    }

    /// Accounts that set their own `connections_per_file`.
    pub fn connections_per_account(&self) -> std::collections::HashMap<String, usize> {
        self.accounts
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter_map(|(name, a)| a.connections_per_file.map(|n| (name.clone(), n)))
            .collect()
    }

    /// `[transfers]` from the config.
    pub fn transfers(&self) -> &TransfersConfig {
        &self.settings.transfers
    }

    /// `[keys]` from the config.
    pub fn keys(&self) -> &BTreeMap<String, BTreeMap<String, Vec<String>>> {
        &self.settings.keys
    }

    /// `[links]` from the config.
    pub fn links(&self) -> &crate::config::LinksConfig {
        &self.settings.links
    }

    /// `[theme]` from the config.
    pub fn theme(&self) -> &crate::config::ThemeOverrides {
        &self.settings.theme
    }

    /// The configured accounts, by name.
    pub fn accounts(&self) -> Vec<(String, AccountConfig)> {
        read(&self.accounts)
            .iter()
            .map(|(n, a)| (n.clone(), a.clone()))
            .collect()
    }

    pub fn account_names(&self) -> Vec<String> {
        read(&self.accounts).keys().cloned().collect()
    }

    pub fn account(&self, name: &str) -> CliResult<AccountConfig> {
        let accounts = read(&self.accounts);
        if let Some(a) = accounts.get(name) {
            return Ok(a.clone());
        }
        let known: Vec<&str> = accounts.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "none configured".to_string()
        } else {
            format!("configured: {}", known.join(", "))
        };
        Err(CliError::new(format!(
            "no account named {name:?} in {} ({known})",
            self.config_path.display()
        )))
    }

    /// The secret of an account and where it came from.
    pub async fn secret(&self, name: &str) -> CliResult<(Secret, SecretSource)> {
        self.find_secret(name)
            .await
            .map_err(|(_, message)| CliError::new(message))
    }

    /// The secret, or the variable to set and the reason in words.
    async fn find_secret(&self, name: &str) -> Result<(Secret, SecretSource), (String, String)> {
        if let Some(held) = read(&self.held_secrets).get(name) {
            return Ok(held.clone());
        }
        secrets::lookup(name)
            .await
            .map_err(|message| (secrets::env_var_name(name), message))
    }

    /// The provider for an account, opened once and shared (one session per account).
    pub async fn provider(&self, name: &str) -> CliResult<Arc<dyn Provider>> {
        Ok(self.open_provider(name).await?)
    }

    /// [`Context::provider`], telling a missing secret apart.
    pub async fn open_provider(&self, name: &str) -> Result<Arc<dyn Provider>, OpenError> {
        let mut cache = self.providers.lock().await;
        if let Some(p) = cache.get(name) {
            return Ok(p.clone());
        }
        let account = self.account(name).map_err(OpenError::Other)?;
        let (secret, _) = self
            .find_secret(name)
            .await
            .map_err(|(env_var, message)| OpenError::NoSecret { env_var, message })?;
        let provider = open_account(&account, &secret, &self.network)
            .map_err(|e| OpenError::Other(CliError::from(e.context(name))))?;
        cache.insert(name.to_string(), provider.clone());
        Ok(provider)
    }

    /// Drop the open provider of an account: the next use opens it again (with a new secret).
    pub async fn forget_provider(&self, name: &str) {
        self.providers.lock().await.remove(name);
    }

    /// Add (or replace) an account for the terminal UI: checked as `haul accounts add` checks
    /// it, written to the config file (in memory only in `--demo`), its secret kept in the
    /// keyring or, where none runs, in memory for this session.
    pub async fn add_account(
        &self,
        name: &str,
        account: AccountConfig,
        secret: Option<Secret>,
    ) -> Result<Option<SecretKept>, AccountError> {
        let account = crate::config::new_account::validate_account(
            name,
            account.provider.as_str(),
            &account.base_url,
            account.username.as_deref(),
        )?;
        if let Some(s) = &secret {
            account_setup::check_secret(&account, s)
                .map_err(|m| AccountError::at(AccountField::Secret, m))?;
        }
        if !self.is_demo() {
            let path = self.config_path.clone();
            let (file_name, written) = (name.to_string(), account.clone());
            tokio::task::spawn_blocking(move || {
                crate::config::write_account(&path, &file_name, &written)
            })
            .await
            .map_err(|e| AccountError::general(e.to_string()))?
            .map_err(|e| AccountError::general(e.to_string()))?;
        }
        write(&self.accounts).insert(name.to_string(), account);
        write(&self.held_secrets).remove(name);
        self.forget_provider(name).await;
        match secret {
            Some(s) => Ok(Some(self.keep_secret(name, s).await)),
            None => Ok(None),
        }
    }

    /// A new secret for an existing account (checked for its shape first); the open provider
    /// is dropped, so the next use signs in with it.
    pub async fn replace_secret(&self, name: &str, secret: Secret) -> Result<SecretKept, String> {
        let account = self.account(name).map_err(|e| e.message)?;
        account_setup::check_secret(&account, &secret)?;
        let kept = self.keep_secret(name, secret).await;
        self.forget_provider(name).await;
        Ok(kept)
    }

    async fn keep_secret(&self, name: &str, secret: Secret) -> SecretKept {
        let kept = if self.is_demo() {
            SecretKept::Demo
        } else {
            secrets::keep(name, &secret).await
        };
        let mut held = write(&self.held_secrets);
        match kept {
            SecretKept::Keyring => {
                held.remove(name);
            }
            SecretKept::Demo => {
                held.insert(name.to_string(), (secret, SecretSource::Inline));
            }
            SecretKept::Session { .. } => {
                held.insert(name.to_string(), (secret, SecretSource::Session));
            }
        }
        kept
    }
}
