//! The built-in emulator of the hosts' APIs (axum), for `haul emulator`, `haul --demo` and tests.
//!
//! Written from the protocol notes in `shared/docs/protocols/`; it shares no request or response
//! types with `crate::provider`, so a misreading on either side shows up as a test failure.
//!
//! PUBLIC API CONTRACT (used by the CLI and the tests; keep these names and signatures):
//! - [`EmulatorConfig`], [`Faults`], [`start`], [`EmulatorHandle`], [`DemoAccount`].
//! - Routes: YetiShare API under `/yetishare/api/v2/`; test API under `/__emulator/`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Fault knobs, settable by flags at start and at run time through `POST /__emulator/faults`
/// (JSON body with these field names; missing fields reset to their defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Faults {
    /// A token stops validating after this many authenticated requests made with it.
    pub expire_tokens_after: Option<u64>,
    /// Every Nth request (counted over all API and download requests) fails with `fail_status`.
    pub fail_every: Option<u64>,
    /// 429 or 503 (default 503 when zero).
    pub fail_status: u16,
    /// Sent as `Retry-After` (seconds) with injected failures.
    pub retry_after_secs: Option<u64>,
    /// Delay before answering every request, in milliseconds.
    pub delay_ms: u64,
    /// Downloads stop (connection closed) after this many body bytes.
    pub cut_body_after: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Where file bytes (and the emulator's metadata) live.
    pub data_dir: PathBuf,
    /// `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// Fill empty accounts with the sample tree from `assets/demo/`.
    pub seed_demo: bool,
    pub faults: Faults,
}

/// An account the emulator serves, with what a client needs to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Suggested config name, e.g. "ys".
    pub name: String,
    /// Provider family as in the config: "yetishare".
    pub provider: String,
    /// The API root, e.g. `http://127.0.0.1:PORT/yetishare/api/v2`.
    pub base_url: String,
    /// Non-secret login name, if the provider's config wants one.
    pub username: Option<String>,
    /// The secret as haul stores it (YetiShare key mode: `KEY1:KEY2`).
    pub secret: String,
    /// One line about the account ("premium", "free", ...).
    pub description: String,
}
mod pending_start;
pub use pending_start::{EmulatorHandle, start};
