//! Opening a provider from an account's config and secret, behind the retry layer and its
//! host's pacer.

use std::sync::Arc;

use crate::config::{AccountConfig, NetworkConfig, ProviderFamily, secrets::Secret};
use crate::http::{BaseUrl, RetryPolicy};
use crate::provider::retrying::Retrying;
use crate::provider::{Provider, Result};

/// Keep2Share's own uploader stays under this many requests a second.
const KEEP2SHARE_REQUESTS_PER_SECOND: u32 = 5;

/// How every provider opened here retries and paces its calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkSettings {
    pub policy: RetryPolicy,
    /// Requests a second per host; `None`: each provider's default; `Some(0)`: no limit.
    pub requests_per_second: Option<u32>,
}

impl NetworkSettings {
    /// `[network]` from the config, with `--low-level-retries` over it.
    pub fn new(config: &NetworkConfig, low_level_retries: Option<u32>) -> NetworkSettings {
        let defaults = RetryPolicy::default();
        NetworkSettings {
            policy: RetryPolicy {
                retries: low_level_retries
                    .or(config.retries)
                    .unwrap_or(defaults.retries),
                budget: config
                    .retry_budget_secs
                    .map_or(defaults.budget, std::time::Duration::from_secs),
                ..defaults
            },
            requests_per_second: config.requests_per_second,
        }
    }

    fn rate_for(&self, family: ProviderFamily) -> Option<u32> {
        self.requests_per_second.or(match family {
            ProviderFamily::Keep2share => Some(KEEP2SHARE_REQUESTS_PER_SECOND),
            ProviderFamily::Yetishare | ProviderFamily::Xfilesharing => None,
        })
    }
}

impl Default for NetworkSettings {
    fn default() -> Self {
        NetworkSettings::new(&NetworkConfig::default(), None)
    }
}

/// The provider itself, without the retry layer: checks the secret's shape (nothing is sent).
pub fn open_bare(account: &AccountConfig, secret: &Secret) -> Result<Arc<dyn Provider>> {
    match account.provider {
        ProviderFamily::Yetishare => {
            let creds = crate::provider::yetishare::Credentials::from_secret(
                account.username.as_deref(),
                secret.expose(),
            )?;
            Ok(Arc::new(crate::provider::yetishare::YetiShare::new(
                &account.base_url,
                creds,
            )?))
        }
        ProviderFamily::Keep2share => {
            let creds = crate::provider::keep2share::Credentials::from_secret(
                account.username.as_deref(),
                secret.expose(),
            )?;
            Ok(Arc::new(crate::provider::keep2share::Keep2Share::new(
                &account.base_url,
                creds,
            )?))
        }
        ProviderFamily::Xfilesharing => Ok(Arc::new(
            crate::provider::xfilesharing::XFileSharing::new(&account.base_url, secret.expose())?,
        )),
    }
}

/// A ready provider for one configured account: every call through the retry layer, every
/// request through its host's pacer.
pub fn open_account(
    account: &AccountConfig,
    secret: &Secret,
    network: &NetworkSettings,
) -> Result<Arc<dyn Provider>> {
    let inner = open_bare(account, secret)?;
    let host = BaseUrl::parse(&account.base_url)
        .map(|b| b.host)
        .unwrap_or_else(|_| account.base_url.clone());
    let retrying = Retrying::new(inner, &host, network.policy);
    retrying
        .pacer()
        .limit_rate(network.rate_for(account.provider).map(f64::from));
    Ok(Arc::new(retrying))
}
