//! Building a provider from an account's config and secret.

use std::sync::Arc;

use super::{Provider, Result};
use crate::config::{AccountConfig, ProviderFamily, secrets::Secret};

/// A ready provider for one configured account.
pub fn open_account(account: &AccountConfig, secret: &Secret) -> Result<Arc<dyn Provider>> {
    match account.provider {
        ProviderFamily::Yetishare => {
            let creds = super::yetishare::Credentials::from_secret(
                account.username.as_deref(),
                secret.expose(),
            )?;
            Ok(Arc::new(super::yetishare::YetiShare::new(
                &account.base_url,
                creds,
            )?))
        }
        ProviderFamily::Keep2share => {
            let creds = super::keep2share::Credentials::from_secret(
                account.username.as_deref(),
                secret.expose(),
            )?;
            Ok(Arc::new(super::keep2share::Keep2Share::new(
                &account.base_url,
                creds,
            )?))
        }
        ProviderFamily::Xfilesharing => Ok(Arc::new(super::xfilesharing::XFileSharing::new(
            &account.base_url,
            secret.expose(),
        )?)),
    }
}
