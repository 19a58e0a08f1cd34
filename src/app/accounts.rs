//! The accounts the panes can show, and how signing in to each went: what the account picker
//! lists and what a pane says when signing in stops it.

use crate::config::secrets::SecretKept;
use crate::config::{AccountConfig, ProviderFamily};
use crate::provider::Challenge;
use crate::sanitize::for_terminal;
use crate::transfer::LOCAL;

/// Where signing in to an account stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    NotTried,
    SigningIn,
    SignedIn,
    /// No secret in the keyring, the environment or memory: set `env_var` (or type one in).
    NoSecret {
        env_var: String,
    },
    /// The host refused, or could not be reached: one line.
    Failed(String),
    /// A login captcha waits for the person.
    CaptchaWaiting,
    /// A login captcha's answer is on its way to the host.
    CheckingAnswer,
    /// The person closed the login captcha without answering.
    Cancelled,
}

impl LoginState {
    /// Whether the next listing should sign in first (again).
    pub fn needs_sign_in(&self) -> bool {
        !matches!(
            self,
            LoginState::SignedIn | LoginState::CaptchaWaiting | LoginState::CheckingAnswer
        )
    }

    /// How the account picker shows it.
    pub fn label(&self) -> String {
        match self {
            LoginState::NotTried => "not tried".into(),
            LoginState::SigningIn => "signing in…".into(),
            LoginState::SignedIn => "signed in".into(),
            LoginState::NoSecret { env_var } => format!("no secret: set {env_var}"),
            LoginState::Failed(why) => format!("failed: {why}"),
            LoginState::CaptchaWaiting => "captcha waiting".into(),
            LoginState::CheckingAnswer => "checking the captcha answer…".into(),
            LoginState::Cancelled => "sign-in cancelled".into(),
        }
    }
}

/// Why signing in did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginProblem {
    /// No secret anywhere; `env_var` is the variable to set.
    NoSecret { env_var: String },
    /// Refused or failed, in one line.
    Failed(String),
    /// The host wants a person to answer this login challenge first.
    Captcha {
        challenge: Challenge,
        message: String,
    },
}

/// One line of the account picker: `local` or a configured account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEntry {
    pub name: String,
    /// `None` for the local disk.
    pub provider: Option<ProviderFamily>,
    /// The API's host (and port), as shown.
    pub host: String,
    /// Signs in with a username and password (so the secret is the password).
    pub has_username: bool,
    pub login: LoginState,
}

impl AccountEntry {
    pub fn local() -> AccountEntry {
        AccountEntry {
            name: LOCAL.to_string(),
            provider: None,
            host: String::new(),
            has_username: false,
            login: LoginState::SignedIn,
        }
    }

    pub fn remote(name: &str, account: &AccountConfig) -> AccountEntry {
        AccountEntry {
            name: name.to_string(),
            provider: Some(account.provider),
            host: host_of(&account.base_url),
            has_username: account.username.is_some(),
            login: LoginState::NotTried,
        }
    }

    pub fn is_local(&self) -> bool {
        self.provider.is_none()
    }
}

/// `host[:port]` of a URL (the whole text, made safe, if it is not one).
pub fn host_of(url: &str) -> String {
    let shown = url::Url::parse(url).ok().and_then(|u| {
        let host = u.host_str()?.to_string();
        Some(match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host,
        })
    });
    for_terminal(&shown.unwrap_or_else(|| url.to_string())).into_owned()
}

/// One line of a server's text, safe for the terminal.
pub fn one_line(text: &str) -> String {
    for_terminal(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// What the person is told about where a new secret went.
pub fn secret_kept_note(account: &str, kept: &Option<SecretKept>) -> String {
    let env_var = crate::config::secrets::env_var_name(account);
    match kept {
        Some(SecretKept::Keyring) => format!("{account}: the secret is in the OS keyring"),
        Some(SecretKept::Session { why, .. }) => format!(
            "{account}: {}, so the secret is kept for this session only; set {env_var} to keep it",
            one_line(why)
        ),
        Some(SecretKept::Demo) => {
            format!("{account}: kept in memory for this demo session only")
        }
        None => format!("{account}: no secret given; set {env_var} (or press e here to enter it)"),
    }
}
