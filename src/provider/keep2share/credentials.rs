//! How haul signs in to Keep2Share: a username and password (a session from `login`), or a
//! permanent access token from the site's API token page.

use std::fmt;

use crate::provider::{ProviderError, Result};

#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Password { username: String, password: String },
    AccessToken(String),
}

impl Credentials {
    /// With a `username` in the config the secret is the password; without, it is a permanent
    /// access_token.
    pub fn from_secret(username: Option<&str>, secret: &str) -> Result<Credentials> {
        match username.map(str::trim).filter(|u| !u.is_empty()) {
            Some(username) => {
                if secret.is_empty() {
                    return Err(ProviderError::invalid(format!(
                        "the Keep2Share password for {username} is empty"
                    )));
                }
                Ok(Credentials::Password {
                    username: username.to_string(),
                    password: secret.to_string(),
                })
            }
            None => {
                let token = secret.trim();
                if token.is_empty() || token.contains(char::is_whitespace) {
                    return Err(ProviderError::invalid(
                        "without a username the Keep2Share secret must be an access token (one word); \
                         set `username` in the config to log in with a password",
                    ));
                }
                Ok(Credentials::AccessToken(token.to_string()))
            }
        }
    }

    pub(super) fn username(&self) -> Option<&str> {
        match self {
            Credentials::Password { username, .. } => Some(username),
            Credentials::AccessToken(_) => None,
        }
    }

    /// The secret itself, to keep it out of messages.
    pub(super) fn secret(&self) -> &str {
        match self {
            Credentials::Password { password, .. } => password,
            Credentials::AccessToken(token) => token,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"***")
                .finish(),
            Credentials::AccessToken(_) => f.debug_tuple("AccessToken").field(&"***").finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ErrorKind;

    #[test]
    fn a_username_means_password_login() {
        let c = Credentials::from_secret(Some("me@example.com"), " pass word ").unwrap();
        assert_eq!(
            c,
            Credentials::Password {
                username: "me@example.com".into(),
                password: " pass word ".into()
            }
        );
        assert_eq!(c.username(), Some("me@example.com"));
    }

    #[test]
    fn no_username_means_access_token() {
        let c = Credentials::from_secret(None, " abc123\n").unwrap();
        assert_eq!(c, Credentials::AccessToken("abc123".into()));
        assert_eq!(c.username(), None);
        let blank_user = Credentials::from_secret(Some("  "), "tok").unwrap();
        assert_eq!(blank_user, Credentials::AccessToken("tok".into()));
    }

    #[test]
    fn empty_or_odd_secrets_are_refused() {
        for (user, secret) in [(Some("me"), ""), (None, ""), (None, "two words")] {
            let e = Credentials::from_secret(user, secret).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let p = Credentials::from_secret(Some("me"), "hunter22").unwrap();
        let t = Credentials::from_secret(None, "tok3n-secret").unwrap();
        let shown = format!("{p:?} {t:?}");
        assert!(
            !shown.contains("hunter22") && !shown.contains("tok3n-secret"),
            "{shown}"
        );
        assert!(shown.contains("me"));
    }
}
