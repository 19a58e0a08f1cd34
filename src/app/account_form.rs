//! The account picker's modals: the picker itself, the new-account form and the secret prompt.
//! Secrets typed here are only ever shown masked, and none of these types has a `Debug` that
//! could print one.

use tui_input::Input;

use crate::config::ProviderFamily;
use crate::config::new_account::{AccountError, AccountField, validate_account};
use crate::config::sites::{Site, sites};
use crate::config::{AccountConfig, secrets::Secret};

/// The account list (`a`): which line the cursor is on, and the last word about a change.
pub struct AccountPicker {
    pub cursor: usize,
    pub note: Option<String>,
}

/// The providers the form cycles through, in order.
pub const PROVIDERS: [ProviderFamily; 3] = [
    ProviderFamily::Keep2share,
    ProviderFamily::Yetishare,
    ProviderFamily::Xfilesharing,
];

/// The form's fields, top to bottom.
pub const FORM_FIELDS: [AccountField; 6] = [
    AccountField::Name,
    AccountField::Site,
    AccountField::Provider,
    AccountField::BaseUrl,
    AccountField::Username,
    AccountField::Secret,
];

/// The new-account form (`n` in the picker).
#[derive(Default)]
pub struct AccountForm {
    pub name: Input,
    /// 0: another site (provider and base URL typed in); else 1 + an index into
    /// [`crate::config::sites::sites`].
    pub site: usize,
    /// Index into [`PROVIDERS`].
    pub provider: usize,
    pub base_url: Input,
    pub username: Input,
    pub secret: Input,
    /// Index into [`FORM_FIELDS`].
    pub focus: usize,
    pub error: Option<AccountError>,
    /// Sent to be saved; the answer is awaited.
    pub saving: bool,
}

impl AccountForm {
    pub fn field(&self) -> AccountField {
        FORM_FIELDS[self.focus.min(FORM_FIELDS.len() - 1)]
    }

    pub fn provider(&self) -> ProviderFamily {
        PROVIDERS[self.provider % PROVIDERS.len()]
    }

    /// Move the focus by `step` fields (wrapping).
    pub fn move_focus(&mut self, step: isize) {
        let n = FORM_FIELDS.len() as isize;
        self.focus = (self.focus as isize + step).rem_euclid(n) as usize;
    }

    pub fn focus_on(&mut self, field: AccountField) {
        if let Some(i) = FORM_FIELDS.iter().position(|f| *f == field) {
            self.focus = i;
        }
    }

    /// The known site chosen, if one is.
    pub fn site(&self) -> Option<&'static Site> {
        self.site.checked_sub(1).and_then(|i| sites().get(i))
    }

    /// Choose the next (or previous) known site: its provider and base URL fill those fields.
    pub fn cycle_site(&mut self, step: isize) {
        let n = sites().len() as isize + 1;
        self.site = (self.site as isize + step).rem_euclid(n) as usize;
        if let Some(site) = self.site() {
            if let Some(i) = PROVIDERS.iter().position(|p| *p == site.provider) {
                self.provider = i;
            }
            self.base_url = Input::new(site.base_url.clone());
        }
    }

    pub fn cycle_provider(&mut self, step: isize) {
        let n = PROVIDERS.len() as isize;
        self.provider = (self.provider as isize + step).rem_euclid(n) as usize;
    }

    /// The text input of a field (the provider has none).
    pub fn input(&self, field: AccountField) -> Option<&Input> {
        match field {
            AccountField::Name => Some(&self.name),
            AccountField::Site | AccountField::Provider => None,
            AccountField::BaseUrl => Some(&self.base_url),
            AccountField::Username => Some(&self.username),
            AccountField::Secret => Some(&self.secret),
        }
    }

    pub fn input_mut(&mut self, field: AccountField) -> Option<&mut Input> {
        match field {
            AccountField::Name => Some(&mut self.name),
            AccountField::Site | AccountField::Provider => None,
            AccountField::BaseUrl => Some(&mut self.base_url),
            AccountField::Username => Some(&mut self.username),
            AccountField::Secret => Some(&mut self.secret),
        }
    }

    /// The fields checked as `haul accounts add` checks them: the name, the account and the
    /// secret (none when left empty).
    pub fn checked(&self) -> Result<(String, AccountConfig, Option<Secret>), AccountError> {
        let name = self.name.value().trim().to_string();
        let username = self.username.value();
        let account = validate_account(
            &name,
            self.provider().as_str(),
            self.base_url.value().trim(),
            Some(username),
        )?;
        let secret = Some(self.secret.value().trim())
            .filter(|s| !s.is_empty())
            .map(Secret::new);
        Ok((name, account, secret))
    }
}

/// Typing an account's secret again (`e` in the picker), then signing in with it.
pub struct SecretPrompt {
    pub account: String,
    /// What the secret is for this account ("password", "API key", ...).
    pub kind: &'static str,
    pub input: Input,
    pub error: Option<String>,
    pub saving: bool,
}

/// A secret as the screen shows it: one dot per character.
pub fn masked(input: &Input) -> String {
    "•".repeat(input.value().chars().count())
}
