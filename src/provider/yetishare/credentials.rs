//! How a YetiShare account logs in, read from the config's secret. Never printed.

use std::fmt;

use crate::provider::{ProviderError, Result};

/// Length of each API key.
const KEY_LEN: usize = 64;

/// How the account logs in: the two API keys from the account settings page, or (on hosts set to
/// "Account Access Details") the username and password.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Keys { key1: String, key2: String },
    Password { username: String, password: String },
}

impl Credentials {
    /// Config secret: "KEY1:KEY2" (each 64 chars) for key mode; with a `username` in the config
    /// and a secret that is not a key pair, password mode. Clear one-line error otherwise.
    pub fn from_secret(username: Option<&str>, secret: &str) -> Result<Credentials> {
        let secret = secret.trim();
        let key_pair = secret
            .split_once(':')
            .map(|(key1, key2)| (key1.trim(), key2.trim()));
        if let Some((key1, key2)) = key_pair
            && key1.chars().count() == KEY_LEN
            && key2.chars().count() == KEY_LEN
        {
            return Ok(Credentials::Keys {
                key1: key1.to_owned(),
                key2: key2.to_owned(),
            });
        }
        let username = username.map(str::trim).filter(|u| !u.is_empty());
        match (username, key_pair) {
            (Some(_), _) if secret.is_empty() => Err(ProviderError::invalid(
                "the YetiShare password (the account's secret) is empty",
            )),
            (Some(username), _) => Ok(Credentials::Password {
                username: username.to_owned(),
                password: secret.to_owned(),
            }),
            (None, Some((key1, key2))) => Err(ProviderError::invalid(format!(
                "YetiShare API keys must be {KEY_LEN} characters each, got {} and {}",
                key1.chars().count(),
                key2.chars().count()
            ))),
            (None, None) => Err(ProviderError::invalid(format!(
                "a YetiShare secret must be KEY1:KEY2 (the two {KEY_LEN}-character API keys from the \
                 account settings); for a username/password login, set `username` in the account"
            ))),
        }
    }

    /// The `authorize` form fields.
    pub(super) fn form(&self) -> [(&'static str, &str); 2] {
        match self {
            Credentials::Keys { key1, key2 } => [("key1", key1), ("key2", key2)],
            Credentials::Password { username, password } => {
                [("username", username), ("password", password)]
            }
        }
    }

    pub(super) fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Keys { key1, key2 } => vec![key1, key2],
            Credentials::Password { password, .. } => vec![password],
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Keys { .. } => f
                .debug_struct("Keys")
                .field("key1", &"***")
                .field("key2", &"***")
                .finish(),
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"***")
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ErrorKind;

    fn key(c: char) -> String {
        c.to_string().repeat(KEY_LEN)
    }

    #[test]
    fn credentials_from_secret() {
        let pair = format!("{}:{}", key('a'), key('b'));
        assert_eq!(
            Credentials::from_secret(None, &format!(" {pair}\n")).unwrap(),
            Credentials::Keys {
                key1: key('a'),
                key2: key('b')
            }
        );
        // A key pair wins even with a username configured.
        assert!(matches!(
            Credentials::from_secret(Some("bob"), &pair).unwrap(),
            Credentials::Keys { .. }
        ));
        assert_eq!(
            Credentials::from_secret(Some("bob"), "pa:ss").unwrap(),
            Credentials::Password {
                username: "bob".into(),
                password: "pa:ss".into()
            }
        );
        let e = Credentials::from_secret(None, "short:keys").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("got 5 and 4"), "{}", e.message);
        assert!(!e.message.contains("short"));
        let e = Credentials::from_secret(None, "hunter2").unwrap_err();
        assert!(e.message.contains("KEY1:KEY2") && !e.message.contains('\n'));
        assert!(!e.message.contains("hunter2"));
        assert!(Credentials::from_secret(Some("bob"), "  ").is_err());
        assert!(Credentials::from_secret(Some(" "), "hunter2").is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let keys = Credentials::Keys {
            key1: key('a'),
            key2: key('b'),
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains(&key('a')) && !shown.contains(&key('b')));
        let password = Credentials::Password {
            username: "bob".into(),
            password: "hunter22".into(),
        };
        let shown = format!("{password:?}");
        assert!(shown.contains("bob") && !shown.contains("hunter22"));
    }
}
