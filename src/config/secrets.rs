//! Account secrets: the OS keyring first, `HAUL_SECRET_<NAME>` second, never the config file.

use std::fmt;
use std::time::Duration;

/// Keyring service name.
pub const KEYRING_SERVICE: &str = "haul";

/// A secret string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    Keyring,
    Env,
    /// Given directly (the `--demo` emulator accounts).
    Inline,
    /// Typed into the terminal UI where no keyring could keep it: held in memory until haul quits.
    Session,
}

impl SecretSource {
    pub fn label(self) -> &'static str {
        match self {
            SecretSource::Keyring => "keyring",
            SecretSource::Env => "environment",
            SecretSource::Inline => "built-in",
            SecretSource::Session => "this session only",
        }
    }
}

/// `HAUL_SECRET_<NAME>`: NAME upper-cased, anything but letters and digits as `_`.
pub fn env_var_name(account: &str) -> String {
    let name: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("HAUL_SECRET_{name}")
}

/// Why the keyring could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("no keyring service is running ({0})")]
    Unavailable(String),
    #[error("keyring error: {0}")]
    Other(String),
}

/// Where a newly given secret was put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretKept {
    /// In the OS keyring: it stays.
    Keyring,
    /// In memory until haul quits, because the keyring could not take it (`why`); `env_var`
    /// is what to set to keep it.
    Session { why: String, env_var: String },
    /// In memory: `--demo` accounts never outlive the run.
    Demo,
}

/// Store `secret` in the keyring; where it could not go, say why (the caller keeps it in
/// memory or tells the person which variable to set).
pub async fn keep(account: &str, secret: &Secret) -> SecretKept {
    match keyring_set(account, secret).await {
        Ok(()) => SecretKept::Keyring,
        Err(e) => SecretKept::Session {
            why: e.to_string(),
            env_var: env_var_name(account),
        },
    }
}

/// How long we wait for a keyring daemon before giving up on it.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

fn classify(e: keyring::Error) -> KeyringError {
    match e {
        keyring::Error::PlatformFailure(err) => {
            KeyringError::Unavailable(one_line(&err.to_string()))
        }
        keyring::Error::NoStorageAccess(err) => {
            KeyringError::Unavailable(one_line(&err.to_string()))
        }
        other => KeyringError::Other(one_line(&other.to_string())),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Run a blocking keyring call off the async runtime, with a timeout.
async fn with_keyring<T: Send + 'static>(
    account: &str,
    op: impl FnOnce(keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, KeyringError> {
    let account = account.to_string();
    let task = tokio::task::spawn_blocking(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account)?;
        op(entry)
    });
    match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
        Ok(Ok(result)) => result.map_err(classify),
        Ok(Err(join)) => Err(KeyringError::Other(join.to_string())),
        Err(_) => Err(KeyringError::Unavailable("it did not answer".into())),
    }
}

/// The keyring's secret for `account`: `Ok(None)` if there is none stored.
pub async fn keyring_get(account: &str) -> Result<Option<Secret>, KeyringError> {
    let r = with_keyring(account, |e| match e.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(other) => Err(other),
    })
    .await?;
    Ok(r.map(Secret))
}

pub async fn keyring_set(account: &str, secret: &Secret) -> Result<(), KeyringError> {
    let value = secret.0.clone();
    with_keyring(account, move |e| e.set_password(&value)).await
}

/// Delete the stored secret; `Ok(false)` if there was none.
pub async fn keyring_delete(account: &str) -> Result<bool, KeyringError> {
    with_keyring(account, |e| match e.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(other) => Err(other),
    })
    .await
}

/// Find the secret for `account`: keyring, then `HAUL_SECRET_<NAME>`.
pub async fn lookup(account: &str) -> Result<(Secret, SecretSource), String> {
    let keyring_problem = match keyring_get(account).await {
        Ok(Some(s)) => return Ok((s, SecretSource::Keyring)),
        Ok(None) => None,
        Err(e) => Some(e),
    };
    let var = env_var_name(account);
    if let Some(v) = std::env::var_os(&var) {
        return match v.into_string() {
            Ok(s) if !s.trim().is_empty() => Ok((Secret(s.trim().to_string()), SecretSource::Env)),
            _ => Err(format!("{var} is set but empty or not UTF-8")),
        };
    }
    Err(match keyring_problem {
        Some(e) => format!(
            "no secret for account {account:?}: {e}; set {var} or run `haul accounts add {account}` where a keyring runs"
        ),
        None => format!(
            "no secret for account {account:?}: run `haul accounts add {account}` or set {var}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(env_var_name("ys"), "HAUL_SECRET_YS");
        assert_eq!(env_var_name("my-k2s.2"), "HAUL_SECRET_MY_K2S_2");
    }

    #[test]
    fn debug_hides_secret() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }
}
