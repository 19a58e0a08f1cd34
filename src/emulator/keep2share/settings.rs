//! The site's run-time knobs: `GET|POST /__emulator/keep2share/settings` reads and replaces them
//! (a JSON body with these field names; missing fields reset to their defaults).

use serde::{Deserialize, Serialize};

/// What the Keep2Share site does where the real host's numbers are unknown or too slow for tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The countdown between an accepted download captcha and a usable `free_download_key`, in
    /// milliseconds (at most a day). `time_wait` on the wire is this rounded up to whole
    /// seconds.
    pub free_wait_ms: u64,
    /// An `auth_token` unused for this long stops working (403/10), in milliseconds.
    pub token_lifetime_ms: u64,
    /// How long a direct download link works, in seconds (links carry unix seconds).
    pub download_url_lifetime_secs: u64,
    /// Larger files are refused to free users (errorCode 21, sub-code 3).
    pub free_max_file_size: u64,
    /// Replaces every account's storage quota, in bytes (errorCode 64 past it).
    pub disk_quota: Option<u64>,
    /// Wrong passwords for one login before it answers 71; from then on it wants a reCaptcha
    /// (33) until a login succeeds.
    pub login_attempts: u32,
    /// Answer createFolder and createFileByHash with 201 and updateFile with 202, as the
    /// doc's headers say, instead of 200 (what its example bodies and real clients show).
    pub documented_success_codes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            free_wait_ms: 5_000,
            token_lifetime_ms: 30 * 60 * 1000,
            download_url_lifetime_secs: 4 * 60 * 60,
            free_max_file_size: 1024 * 1024 * 1024,
            disk_quota: None,
            login_attempts: 3,
            documented_success_codes: false,
        }
    }
}
