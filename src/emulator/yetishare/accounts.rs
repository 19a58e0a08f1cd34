//! The YetiShare accounts the emulator serves. Fixed, so a config written once keeps working
//! across restarts. These are demo credentials of a local emulator, not secrets.

use serde_json::{Value, json};

use super::limits::Limits;

/// Login name of the premium demo account (config name "ys").
pub const PREMIUM_USERNAME: &str = "demo";
/// Password of the premium demo account.
pub const PREMIUM_PASSWORD: &str = "demo-password";
/// API key 1 of the premium demo account.
pub const PREMIUM_KEY1: &str = "AfJ9rrXcPgPAw7RA10sVFxqIIYb7m8W9aIPUZdPy7Frhq58U9ohtsY2ZUZz0I7Ks";
/// API key 2 of the premium demo account.
pub const PREMIUM_KEY2: &str = "dPpmsOyeOtBPR9k37ZZv2uTtUR6nTXUMdCVQOt2YGfRnhhrJybgXiBeTQbT3uAQ3";
/// Login name of the free demo account (config name "ys-free").
pub const FREE_USERNAME: &str = "free";
/// Password of the free demo account.
pub const FREE_PASSWORD: &str = "free-password";
/// API key 1 of the free demo account.
pub const FREE_KEY1: &str = "CjC9u2ez2S7toxb56hNJQ9eXvEG7t77SMU7DqiEbl2wLgHXBloalp6OKdLp5Jzpp";
/// API key 2 of the free demo account.
pub const FREE_KEY2: &str = "sm29iiTW30uWVzIBFUnRBnpEfYjWlh99s9ABme7yjEN1bBWtkLcXPUShxRgWdsqS";

/// A package (account level) as `account/package` shows it; every value is a DB string.
pub(super) struct Package {
    pub(super) id: &'static str,
    pub(super) label: &'static str,
    pub(super) max_upload_size: u64,
    pub(super) wait_between_downloads: &'static str,
    pub(super) show_site_adverts: &'static str,
    pub(super) days_to_keep_inactive_files: &'static str,
    pub(super) concurrent_uploads: &'static str,
    pub(super) concurrent_downloads: &'static str,
    pub(super) max_remote_download_urls: &'static str,
    pub(super) level_type: &'static str,
}

pub(super) struct Account {
    pub(super) id: u64,
    /// Suggested name in haul's config.
    pub(super) config_name: &'static str,
    pub(super) description: &'static str,
    pub(super) username: &'static str,
    pub(super) password: &'static str,
    pub(super) key1: &'static str,
    pub(super) key2: &'static str,
    pub(super) email: &'static str,
    pub(super) firstname: &'static str,
    pub(super) last_payment: Option<&'static str>,
    pub(super) paid_expiry: Option<&'static str>,
    pub(super) package: Package,
}

pub(super) static ACCOUNTS: [Account; 2] = [
    Account {
        id: 158642,
        config_name: "ys",
        description: "premium",
        username: PREMIUM_USERNAME,
        password: PREMIUM_PASSWORD,
        key1: PREMIUM_KEY1,
        key2: PREMIUM_KEY2,
        email: "demo@example.com",
        firstname: "Demo",
        last_payment: Some("2024-01-15 10:00:00"),
        paid_expiry: Some("2099-12-31 23:59:59"),
        package: Package {
            id: "2",
            label: "Premium Account",
            max_upload_size: 10_737_418_240,
            wait_between_downloads: "0",
            show_site_adverts: "0",
            days_to_keep_inactive_files: "0",
            concurrent_uploads: "100",
            concurrent_downloads: "0",
            max_remote_download_urls: "50",
            level_type: "paid user",
        },
    },
    Account {
        id: 158643,
        config_name: "ys-free",
        description: "free",
        username: FREE_USERNAME,
        password: FREE_PASSWORD,
        key1: FREE_KEY1,
        key2: FREE_KEY2,
        email: "free@example.com",
        firstname: "Free",
        last_payment: None,
        paid_expiry: None,
        package: Package {
            id: "1",
            label: "Free Account",
            max_upload_size: 10_485_760,
            wait_between_downloads: "0",
            show_site_adverts: "1",
            days_to_keep_inactive_files: "60",
            concurrent_uploads: "2",
            concurrent_downloads: "1",
            max_remote_download_urls: "5",
            level_type: "free user",
        },
    },
];

/// When the demo accounts were "registered".
const CREATED: &str = "2024-01-15 09:30:00";

pub(super) fn by_id(id: u64) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|account| account.id == id)
}

impl Account {
    /// `account/info`'s `data`. `last_login` is when the account last authorized.
    pub(super) fn info(&self, last_login: Option<&str>, limits: &Limits) -> Value {
        let storage = (limits.storage_limit > 0).then(|| limits.storage_limit.to_string());
        json!({
            "id": self.id.to_string(),
            "username": self.username,
            "level_id": self.package.id,
            "email": self.email,
            "lastlogindate": last_login.unwrap_or(CREATED),
            "lastloginip": "127.0.0.1",
            "status": "active",
            "title": "Mx",
            "firstname": self.firstname,
            "lastname": "User",
            "languageId": "1",
            "datecreated": CREATED,
            "lastPayment": self.last_payment,
            "paidExpiryDate": self.paid_expiry,
            "storageLimitOverride": storage,
        })
    }

    /// `account/package`'s `data`: every value a string, "0" meaning unlimited.
    pub(super) fn package_info(&self, limits: &Limits) -> Value {
        let package = &self.package;
        json!({
            "id": package.id,
            "label": package.label,
            "max_upload_size": package.max_upload_size.to_string(),
            "can_upload": "1",
            "wait_between_downloads": package.wait_between_downloads,
            "download_speed": "0",
            "max_storage_bytes": "0",
            "show_site_adverts": package.show_site_adverts,
            "show_upgrade_screen": "1",
            "days_to_keep_inactive_files": package.days_to_keep_inactive_files,
            "concurrent_uploads": package.concurrent_uploads,
            "concurrent_downloads": package.concurrent_downloads,
            "downloads_per_24_hours": "0",
            "download_size_per_24_hours": limits.download_size_per_24_hours.to_string(),
            "max_download_filesize_allowed": "0",
            "max_remote_download_urls": package.max_remote_download_urls,
            "level_type": package.level_type,
            "on_upgrade_page": "0",
        })
    }
}
