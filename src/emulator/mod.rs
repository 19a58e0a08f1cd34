//! The built-in emulator of the hosts' APIs (axum), for `haul emulator`, `haul --demo` and tests.
//!
//! Follows the protocols described in `docs/protocols/`; it shares no request or response types
//! with `crate::provider`, so a misreading on either side shows up as a test failure.
//!
//! PUBLIC API CONTRACT (used by the CLI and the tests; keep these names and signatures):
//! - [`EmulatorConfig`], [`Faults`], [`start`], [`EmulatorHandle`], [`DemoAccount`].
//! - Routes: YetiShare API under `/yetishare/api/v2/`; Keep2Share API under
//!   `/keep2share/api/v2/`; XFileSharing API under `/xfilesharing/api/`; test API under
//!   `/__emulator/`.

mod blob;
mod control;
mod demo_tree;
mod file_body;
mod hostile;
pub mod keep2share;
mod persist;
mod route_faults;
mod shaping;
pub mod xfilesharing;
pub mod yetishare;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use control::Shared;
pub use hostile::HostileCase;
pub use route_faults::RouteFault;

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
    /// Network latency: every request (API and download alike) waits this many milliseconds
    /// before its answer starts. Also read as `delay_ms`, its former name.
    #[serde(alias = "delay_ms")]
    pub latency_ms: u64,
    /// Each response body (and each upload received) moves at no more than this many bytes
    /// per second per connection, as hosts cap each connection.
    pub rate_per_conn: Option<u64>,
    /// At most this many downloads of one file at once (across connections and accounts);
    /// more are refused with `max_conns_status` and `Retry-After: 1`.
    pub max_conns_per_file: Option<u64>,
    /// 429 or 503 (default 503 when zero or anything else).
    pub max_conns_status: u16,
    /// Downloads stop (connection closed) after this many body bytes.
    pub cut_body_after: Option<u64>,
    /// Downloads ignore `Range` and send the whole file with 200, as some servers do.
    pub ignore_range: bool,
    /// The hostile host's misbehaviours that are on (none: an honest host).
    pub hostile: Vec<HostileCase>,
    /// Failures aimed at one route (a check after an upload, the second step of a copy).
    pub route_faults: Vec<RouteFault>,
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

/// How long [`EmulatorHandle::shutdown`] waits for open connections (a long download, say)
/// before it stops the server outright.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Starts the emulator: binds `config.listen`, loads (or seeds) the accounts' data from
/// `config.data_dir`, and serves in a spawned task. Returns as soon as the socket is bound.
pub async fn start(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let origin = origin_of(addr);
    let shared = Arc::new(Shared::new(config.faults, origin.clone()));
    let stop = CancellationToken::new();
    let site = yetishare::Site::open(
        &config.data_dir,
        &origin,
        shared.clone(),
        stop.child_token(),
        config.seed_demo,
    )
    .await?;
    let k2s = keep2share::Site::open(
        &config.data_dir,
        &origin,
        shared.clone(),
        stop.child_token(),
        config.seed_demo,
    )
    .await?;
    let xfs_site = xfilesharing::Site::open(
        &config.data_dir,
        &origin,
        shared.clone(),
        stop.child_token(),
        config.seed_demo,
    )
    .await?;

    let app = Router::new()
        .merge(yetishare::router(site.clone()))
        .merge(keep2share::router(k2s.clone()))
        .merge(xfilesharing::router(xfs_site.clone()))
        .layer(from_fn_with_state(shared.clone(), hostile::layer))
        .layer(from_fn_with_state(shared.clone(), control::track))
        .merge(control::router(shared.clone()))
        .merge(hostile::elsewhere_router(shared.clone()))
        .merge(keep2share::test_router(k2s.clone()))
        .merge(xfilesharing::test_router(xfs_site.clone()))
        .merge(yetishare::test_router(site.clone()))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 Not Found\n") });
    let counted = shared.clone();
    let listener = listener.tap_io(move |tcp| {
        counted.count_connection();
        // Small JSON replies must not wait on Nagle's algorithm.
        let _ = tcp.set_nodelay(true);
    });
    let stopped = stop.clone();
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, app).with_graceful_shutdown(stopped.cancelled_owned());
        if let Err(error) = serving.await {
            tracing::warn!(%error, "emulator server stopped with an error");
        }
    });
    tracing::info!(%addr, "emulator listening");
    Ok(EmulatorHandle {
        addr,
        origin,
        shared,
        site,
        k2s,
        xfs_site,
        stop,
        server,
    })
}

/// A running emulator. Dropping it leaves the server running until the runtime ends.
pub struct EmulatorHandle {
    pub addr: SocketAddr,
    origin: String,
    shared: Arc<Shared>,
    site: Arc<yetishare::Site>,
    k2s: Arc<keep2share::Site>,
    xfs_site: Arc<xfilesharing::Site>,
    stop: CancellationToken,
    server: JoinHandle<()>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.origin.clone()
    }

    /// Every account the emulator serves, with its full API root.
    pub fn accounts(&self) -> Vec<DemoAccount> {
        let mut accounts = self.site.demo_accounts();
        accounts.extend(self.k2s.demo_accounts());
        accounts.extend(self.xfs_site.demo_accounts());
        accounts
    }

    /// Replaces the fault knobs (same as `POST /__emulator/faults`).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// The counters served by `GET /__emulator/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.shared.stats()
    }

    /// Stops accepting connections, lets open ones finish (for a few seconds at most), stops
    /// background work such as URL uploads, and writes the metadata.
    pub async fn shutdown(self) {
        self.stop.cancel();
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        self.site.flush().await;
        self.k2s.flush().await;
        self.xfs_site.flush().await;
    }
}

/// The origin clients use: a wildcard bind is reached through the loopback address.
fn origin_of(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// The name under which a request is counted in the stats' `by_route`.
fn route_key(path: &str) -> String {
    yetishare::route_key(path)
        .or_else(|| keep2share::route_key(path))
        .or_else(|| xfilesharing::route_key(path))
        .unwrap_or_else(|| "other".to_string())
}
