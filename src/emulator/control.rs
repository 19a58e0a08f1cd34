//! What every emulated route shares: request counters, concurrency tracking, injected faults,
//! and the test API under `/__emulator/` (never faulted nor counted).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::{Value, json};

use super::Faults;
use super::file_body::Delivery;
use super::hostile;
use super::route_faults::{Progress as RouteProgress, Verdict};
use super::shaping::{FileGate, paced, paced_request, too_many_connections};

/// Fault knobs and counters, shared by the middleware, the handlers and the handle.
pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`
    origin: String,
    faults: RwLock<Faults>,
    /// Requests counted since the faults were last set: drives `fail_every`.
    fault_tick: AtomicU64,
    requests: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    tokens_issued: AtomicU64,
    /// Response body bytes handed to the connection (downloads and replies alike).
    bytes_sent: AtomicU64,
    /// TCP connections accepted: with requests, shows whether clients keep them alive.
    connections: AtomicU64,
    by_route: Mutex<BTreeMap<String, u64>>,
    /// Downloads in flight per file, for `max_conns_per_file`.
    files: FileGate,
    /// Replies rewritten while hostile cases are on: whose turn it is among the reply cases.
    hostile_turn: AtomicU64,
    /// Visits to the hostile "other host" page.
    elsewhere_visits: AtomicU64,
    /// How far each route fault has gone.
    route_faults: RouteProgress,
}

impl Shared {
    pub(crate) fn new(faults: Faults, origin: String) -> Self {
        Self {
            origin,
            faults: RwLock::new(faults),
            fault_tick: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
            bytes_sent: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            by_route: Mutex::new(BTreeMap::new()),
            files: FileGate::default(),
            hostile_turn: AtomicU64::new(0),
            elsewhere_visits: AtomicU64::new(0),
            route_faults: RouteProgress::default(),
        }
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn next_hostile_turn(&self) -> u64 {
        self.hostile_turn.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn count_elsewhere(&self) {
        self.elsewhere_visits.fetch_add(1, Ordering::SeqCst);
    }

    /// How a download of `file` (a key unique across the sites) is sent, or the answer it gets
    /// instead: a hostile redirect, or a refusal over the file's connection cap.
    pub(crate) fn delivery(&self, file: &str, method: &Method) -> Result<Delivery, Box<Response>> {
        let faults = self.faults();
        if let Some(redirect) = hostile::redirect(&faults.hostile, file, &self.origin) {
            return Err(Box::new(redirect));
        }
        let slot = if method == Method::GET {
            let slot = self
                .files
                .enter(&file.to_string(), faults.max_conns_per_file);
            if slot.is_none() {
                return Err(Box::new(too_many_connections(faults.max_conns_status)));
            }
            slot
        } else {
            None
        };
        Ok(Delivery {
            cut_after: faults.cut_body_after,
            hostile: hostile::download_case(&faults.hostile, file),
            slot,
        })
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        *self
            .faults
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = faults;
        self.fault_tick.store(0, Ordering::SeqCst);
        self.route_faults.reset();
    }

    pub(crate) fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count_token_issued(&self) {
        self.tokens_issued.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn stats(&self) -> Value {
        let by_route = self
            .by_route
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        json!({
            "requests": self.requests.load(Ordering::SeqCst),
            "in_flight": self.in_flight.load(Ordering::SeqCst),
            "max_in_flight": self.max_in_flight.load(Ordering::SeqCst),
            "by_route": by_route,
            "tokens_issued": self.tokens_issued.load(Ordering::SeqCst),
            "bytes_sent": self.bytes_sent.load(Ordering::SeqCst),
            "connections": self.connections.load(Ordering::SeqCst),
            "max_conns_per_file_seen": self.files.peak(),
            "refused_conns_per_file": self.files.refused(),
            "hostile_elsewhere": self.elsewhere_visits.load(Ordering::SeqCst),
        })
    }

    fn reset_stats(&self) {
        let mut by_route = self
            .by_route
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        by_route.clear();
        self.requests.store(0, Ordering::SeqCst);
        self.tokens_issued.store(0, Ordering::SeqCst);
        self.bytes_sent.store(0, Ordering::SeqCst);
        self.connections.store(0, Ordering::SeqCst);
        self.elsewhere_visits.store(0, Ordering::SeqCst);
        self.files.reset();
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Counts a request that starts now; it stays in flight until the guard drops.
    fn begin(self: &Arc<Self>, route: String) -> InFlight {
        self.requests.fetch_add(1, Ordering::SeqCst);
        *self
            .by_route
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(route)
            .or_insert(0) += 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight {
            shared: self.clone(),
        }
    }

    /// The injected failure this request gets under `fail_every`, if it is the Nth.
    fn injected_failure(&self, faults: &Faults) -> Option<Response> {
        let every = faults.fail_every.filter(|&n| n > 0)?;
        let tick = self.fault_tick.fetch_add(1, Ordering::SeqCst) + 1;
        if !tick.is_multiple_of(every) {
            return None;
        }
        Some(failure(faults.fail_status, faults))
    }
}

/// An injected error page with `status` (503 when zero or not a status), with the faults'
/// `Retry-After`.
fn failure(status: u16, faults: &Faults) -> Response {
    let status = match status {
        0 => StatusCode::SERVICE_UNAVAILABLE,
        code => StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
    };
    let page = format!(
        "{} {}\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let mut response = (status, page).into_response();
    if let Some(seconds) = faults.retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Keeps a request counted as in flight; travels inside the response body so that a streamed
/// download counts until its last byte is sent (or the client goes away).
struct InFlight {
    shared: Arc<Shared>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl InFlight {
    /// The response with the guard inside its body, counted as it goes out at no more than
    /// `rate` bytes per second.
    fn ride_along(self, response: Response, rate: Option<u64>) -> Response {
        let (mut parts, body) = response.into_parts();
        // Re-wrapping the body as a stream loses its exact size, so state it as a header.
        if !parts.headers.contains_key(header::CONTENT_LENGTH)
            && let Some(len) = body.size_hint().exact()
        {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        }
        let stream = paced(body.into_data_stream(), rate).map(move |chunk| {
            let still_in_flight = &self;
            if let Ok(bytes) = &chunk {
                still_in_flight
                    .shared
                    .bytes_sent
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            chunk
        });
        Response::from_parts(parts, Body::from_stream(stream))
    }
}

/// Middleware for every emulated route: counts, waits out the latency, injects failures, and
/// paces both bodies to the rate per connection.
pub(crate) async fn track(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let route = super::route_key(request.uri().path());
    let in_flight = shared.begin(route.clone());
    let faults = shared.faults();
    let aimed = shared.route_faults.judge(&faults.route_faults, &route);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let rate = faults.rate_per_conn.filter(|&rate| rate > 0);
    let request = match rate {
        Some(rate) => paced_request(request, rate),
        None => request,
    };
    let response = match (aimed, shared.injected_failure(&faults)) {
        (Verdict::Fail(status), _) => failure(status, &faults),
        (_, Some(failure)) => failure,
        (Verdict::LoseReply(status), None) => {
            // The host acts; the client never hears how it went.
            drop(next.run(request).await);
            failure(status, &faults)
        }
        (Verdict::Pass, None) => next.run(request).await,
    };
    in_flight.ride_along(response, rate)
}

/// A test API request the emulator cannot follow: 400 with `{"error": message}`.
pub(crate) fn refuse(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `/__emulator/faults`, `/__emulator/stats`, `/__emulator/stats/reset`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__emulator/faults", post(set_faults).get(get_faults))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/stats/reset", post(reset_stats))
        .with_state(shared)
}

async fn set_faults(State(shared): State<Arc<Shared>>, Json(faults): Json<Faults>) -> Json<Faults> {
    shared.set_faults(faults.clone());
    Json(faults)
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Faults> {
    Json(shared.faults())
}

async fn stats(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(shared.stats())
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.reset_stats();
    Json(shared.stats())
}
