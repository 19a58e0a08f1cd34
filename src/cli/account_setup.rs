//! Steps of adding an account that `haul accounts add` and the terminal UI share.

use super::open_account::open_bare;
use crate::config::AccountConfig;
use crate::config::secrets::Secret;

/// Whether `secret` has the shape this account's provider needs (nothing is sent); the reason
/// in words, never the secret, if not.
pub fn check_secret(account: &AccountConfig, secret: &Secret) -> Result<(), String> {
    open_bare(account, secret).map(drop).map_err(|e| e.message)
}
