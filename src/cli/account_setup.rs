//! Steps of adding an account that `haul accounts add` and the terminal UI share.

use super::open_account::open_bare;
use super::open_account::{NetworkSettings, open_account};
use crate::config::AccountConfig;
use crate::config::secrets::Secret;
use crate::provider::ErrorKind;

/// Whether `secret` has the shape this account's provider needs (nothing is sent); the reason
/// in words, never the secret, if not.
pub fn check_secret(account: &AccountConfig, secret: &Secret) -> Result<(), String> {
    open_bare(account, secret).map(drop).map_err(|e| e.message)
}

/// Sign in once with `secret`, keeping nothing: the host's reason in words if it refuses.
pub async fn sign_in(
    account: &AccountConfig,
    secret: &Secret,
    network: &NetworkSettings,
) -> Result<(), String> {
    let provider = open_account(account, secret, network).map_err(|e| e.message)?;
    provider.authenticate().await.map_err(|e| match e.kind {
        ErrorKind::CaptchaRequired => format!(
            "{}; the host wants a captcha to sign in: add the account with --no-check, then sign in from the terminal UI",
            e.message
        ),
        _ => e.message,
    })
}
