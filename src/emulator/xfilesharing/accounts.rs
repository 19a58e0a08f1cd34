//! The XFileSharing accounts the emulator serves. Fixed, so a config written once keeps
//! working across restarts. These are demo keys of a local emulator, not secrets.

/// API key of the premium demo account (config name "xfs").
pub const PREMIUM_KEY: &str = "x7fk2m9qwe4r8tzn3hs6vpc1";
/// API key of the free demo account (config name "xfs-free").
pub const FREE_KEY: &str = "f3nq8wz5k1rt7hmx2yv9bd4e";

/// How a host writes the envelope's `status`: most as a number, katfile at times as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StatusStyle {
    Number,
    Text,
}

pub(super) struct Account {
    /// The account's `usr_id`, owner of its files and folders.
    pub(super) id: u64,
    /// Suggested name in haul's config.
    pub(super) config_name: &'static str,
    pub(super) description: &'static str,
    pub(super) key: &'static str,
    pub(super) email: &'static str,
    pub(super) balance: &'static str,
    /// For a free account, when it was created.
    pub(super) premium_expire: &'static str,
    /// Storage quota in bytes; `None` is unlimited (`storage_left: "inf"`).
    pub(super) storage_quota: Option<u64>,
    /// Whether `file/direct_link` works (premium or bought direct-link traffic).
    pub(super) direct_links: bool,
    pub(super) status_style: StatusStyle,
}

pub(super) static ACCOUNTS: [Account; 2] = [
    Account {
        id: 7101,
        config_name: "xfs",
        description: "premium",
        key: PREMIUM_KEY,
        email: "demo@example.com",
        balance: "0.04900",
        premium_expire: "2099-12-31 23:59:59",
        storage_quota: None,
        direct_links: true,
        status_style: StatusStyle::Number,
    },
    Account {
        id: 7102,
        config_name: "xfs-free",
        description: "free: no direct links, statuses as strings",
        key: FREE_KEY,
        email: "free@example.com",
        balance: "0.00000",
        premium_expire: "2024-01-15 09:30:00",
        storage_quota: Some(10 * 1024 * 1024 * 1024),
        direct_links: false,
        status_style: StatusStyle::Text,
    },
];

/// The account whose API key this is; keys compare exactly (case-sensitive).
pub(super) fn by_key(key: &str) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|account| account.key == key)
}

pub(super) fn by_id(id: u64) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|account| account.id == id)
}
