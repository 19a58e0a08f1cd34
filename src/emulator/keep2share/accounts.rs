//! The Keep2Share accounts the emulator serves. Fixed, so a config written once keeps working
//! across restarts. These are demo credentials of a local emulator, not secrets.

/// Login (e-mail) of the premium demo account (config name "k2s").
pub const PREMIUM_USERNAME: &str = "premium@k2s.test";
/// Password of the premium demo account.
pub const PREMIUM_PASSWORD: &str = "k2s-premium";
/// The premium account's permanent API token, accepted as `access_token` by every method.
pub const PREMIUM_ACCESS_TOKEN: &str = "k2sdemo7c1e55ac6e4b1d2a9f0e8c3b5d7a1f4";
/// Login (e-mail) of the free demo account (config name "k2s-free").
pub const FREE_USERNAME: &str = "free@k2s.test";
/// Password of the free demo account.
pub const FREE_PASSWORD: &str = "k2s-free";
/// Login of a free account whose every login first asks for an image captcha (errorCode 30).
/// Not in the demo account list, since signing in to it needs a person.
pub const CAPTCHA_USERNAME: &str = "captcha@k2s.test";
/// Password of the captcha account.
pub const CAPTCHA_PASSWORD: &str = "k2s-captcha";

/// What `accountInfo` reports as premium expiry (2100-01-01T00:00:00Z, in unix seconds).
const PREMIUM_EXPIRES: i64 = 4_102_444_800;
const GIB: u64 = 1024 * 1024 * 1024;

pub(super) struct Account {
    pub(super) id: u64,
    /// Suggested name in haul's config; `None` keeps the account out of the demo list.
    pub(super) config_name: Option<&'static str>,
    pub(super) description: &'static str,
    pub(super) username: &'static str,
    pub(super) password: &'static str,
    pub(super) access_token: Option<&'static str>,
    pub(super) premium: bool,
    /// Every login needs an answered image captcha first.
    pub(super) login_needs_captcha: bool,
    pub(super) available_traffic: u64,
    pub(super) balance: f64,
    /// Bytes the account may store (the `disk_quota` setting overrides it).
    pub(super) disk_quota: u64,
}

pub(super) static ACCOUNTS: [Account; 3] = [
    Account {
        id: 7_100_001,
        config_name: Some("k2s"),
        description: "premium",
        username: PREMIUM_USERNAME,
        password: PREMIUM_PASSWORD,
        access_token: Some(PREMIUM_ACCESS_TOKEN),
        premium: true,
        login_needs_captcha: false,
        available_traffic: 50 * GIB,
        balance: 12.5,
        disk_quota: 1024 * GIB,
    },
    Account {
        id: 7_100_002,
        config_name: Some("k2s-free"),
        description: "free",
        username: FREE_USERNAME,
        password: FREE_PASSWORD,
        access_token: None,
        premium: false,
        login_needs_captcha: false,
        available_traffic: 10 * GIB,
        balance: 0.0,
        disk_quota: 10 * GIB,
    },
    Account {
        id: 7_100_003,
        config_name: None,
        description: "free; every login asks for an image captcha",
        username: CAPTCHA_USERNAME,
        password: CAPTCHA_PASSWORD,
        access_token: None,
        premium: false,
        login_needs_captcha: true,
        available_traffic: 10 * GIB,
        balance: 0.0,
        disk_quota: 10 * GIB,
    },
];

pub(super) fn by_id(id: u64) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|account| account.id == id)
}

/// Logins are e-mails: compared without regard to case.
pub(super) fn by_username(username: &str) -> Option<&'static Account> {
    ACCOUNTS
        .iter()
        .find(|account| account.username.eq_ignore_ascii_case(username.trim()))
}

pub(super) fn by_access_token(token: &str) -> Option<&'static Account> {
    ACCOUNTS
        .iter()
        .find(|account| account.access_token == Some(token))
}

pub(super) fn by_config_name(name: &str) -> Option<&'static Account> {
    ACCOUNTS
        .iter()
        .find(|account| account.config_name == Some(name) || account.username == name)
}

impl Account {
    /// `account_expires`: unix seconds for premium, `false` for an account that never had it.
    pub(super) fn expires(&self) -> serde_json::Value {
        if self.premium {
            serde_json::json!(PREMIUM_EXPIRES)
        } else {
            serde_json::json!(false)
        }
    }
}
