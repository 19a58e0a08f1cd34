//! Checking a new account's fields: one set of rules for `haul accounts add` and the terminal
//! UI's new-account form.

use super::{AccountConfig, ProviderFamily, check_account_name, check_base_url};

/// A field of a new account, so an error can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountField {
    Name,
    /// A known host (`assets/sites.toml`) that fills the provider and the base URL.
    Site,
    Provider,
    BaseUrl,
    Username,
    Secret,
}

impl AccountField {
    pub fn label(self) -> &'static str {
        match self {
            AccountField::Name => "name",
            AccountField::Site => "site",
            AccountField::Provider => "provider",
            AccountField::BaseUrl => "base URL",
            AccountField::Username => "username",
            AccountField::Secret => "secret",
        }
    }
}

/// Why an account could not be added: the field at fault (none for a file or keyring
/// problem) and one line in words. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountError {
    pub field: Option<AccountField>,
    pub message: String,
}

impl AccountError {
    pub fn at(field: AccountField, message: impl Into<String>) -> Self {
        AccountError {
            field: Some(field),
            message: message.into(),
        }
    }
    pub fn general(message: impl Into<String>) -> Self {
        AccountError {
            field: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for AccountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The account `name` as typed: checked, with the base URL's trailing `/` dropped and an empty
/// username as none.
pub fn validate_account(
    name: &str,
    provider: &str,
    base_url: &str,
    username: Option<&str>,
) -> Result<AccountConfig, AccountError> {
    check_account_name(name).map_err(|e| AccountError::at(AccountField::Name, e.to_string()))?;
    let provider = ProviderFamily::parse(provider).ok_or_else(|| {
        AccountError::at(
            AccountField::Provider,
            format!("unknown provider {provider:?}"),
        )
    })?;
    check_base_url(base_url).map_err(|m| AccountError::at(AccountField::BaseUrl, m))?;
    Ok(AccountConfig {
        provider,
        base_url: base_url.trim_end_matches('/').to_string(),
        username: username
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        connections_per_file: None,
    })
}

/// What the secret of such an account is, for prompts.
pub fn secret_kind(provider: ProviderFamily, has_username: bool) -> &'static str {
    match provider {
        ProviderFamily::Yetishare if !has_username => "API keys as KEY1:KEY2",
        ProviderFamily::Xfilesharing => "API key",
        ProviderFamily::Yetishare => "password",
        ProviderFamily::Keep2share if has_username => "password",
        ProviderFamily::Keep2share => "access token",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_in_order_and_errors_name_the_field() {
        let e = validate_account("lo cal", "keep2share", "https://x.test", None).unwrap_err();
        assert_eq!(e.field, Some(AccountField::Name));
        assert!(e.message.contains("must be 1-64"), "{e}");
        let e = validate_account("local", "keep2share", "https://x.test", None).unwrap_err();
        assert!(e.message.contains("reserved"), "{e}");
        let e = validate_account("k", "ftp", "https://x.test", None).unwrap_err();
        assert_eq!(e.field, Some(AccountField::Provider));
        let e = validate_account("k", "keep2share", "ftp://x.test", None).unwrap_err();
        assert_eq!(e.field, Some(AccountField::BaseUrl));
        assert!(e.message.contains("http or https"), "{e}");
        let ok = validate_account("k", "Keep2Share", "https://x.test/api/v2/", Some(" ")).unwrap();
        assert_eq!(ok.provider, ProviderFamily::Keep2share);
        assert_eq!(ok.base_url, "https://x.test/api/v2");
        assert_eq!(ok.username, None);
    }
}
