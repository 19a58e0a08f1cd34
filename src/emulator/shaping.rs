//! A realistic network in front of the emulated hosts: bodies paced to a rate per connection
//! (both ways), and a cap on parallel downloads of one file, counted across all connections and
//! accounts, as real hosts cap them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::time::Instant;

/// Paced bodies go out in slices of at most this many bytes, so the rate holds within a chunk.
const PACE_SLICE: usize = 64 * 1024;
/// What a refused download is told to wait, in seconds.
const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// `stream` at no more than `rate` bytes per second (unchanged without a rate): each slice
/// leaves when the bytes before it and itself are due, counted from the first slice.
pub(crate) fn paced<S, E>(stream: S, rate: Option<u64>) -> impl Stream<Item = Result<Bytes, E>>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let Some(rate) = rate.filter(|&rate| rate > 0) else {
        return stream.left_stream();
    };
    let mut started: Option<Instant> = None;
    let mut due_bytes = 0u64;
    stream
        .flat_map(|item| futures::stream::iter(slices(item)))
        .then(move |item| {
            let start = *started.get_or_insert_with(Instant::now);
            if let Ok(slice) = &item {
                due_bytes += slice.len() as u64;
            }
            let due = start + Duration::from_secs_f64(due_bytes as f64 / rate as f64);
            async move {
                tokio::time::sleep_until(due).await;
                item
            }
        })
        .right_stream()
}

/// A chunk cut into [`PACE_SLICE`] pieces (no copy).
fn slices<E>(item: Result<Bytes, E>) -> Vec<Result<Bytes, E>> {
    match item {
        Ok(mut chunk) if chunk.len() > PACE_SLICE => {
            let mut pieces = Vec::with_capacity(chunk.len().div_ceil(PACE_SLICE));
            while !chunk.is_empty() {
                pieces.push(Ok(chunk.split_to(chunk.len().min(PACE_SLICE))));
            }
            pieces
        }
        other => vec![other],
    }
}

/// A request whose body is read at no more than `rate` bytes per second: the sender is held
/// back as a host's capped upload connection holds it.
pub(crate) fn paced_request(request: axum::extract::Request, rate: u64) -> axum::extract::Request {
    request.map(|body| Body::from_stream(paced(body.into_data_stream(), Some(rate))))
}

/// A response whose body carries `guard` along until its last byte is sent (or the client
/// goes away), so whatever the guard counts stays counted that long.
pub(crate) fn hold_while_sending<T: Send + Sync + 'static>(
    response: Response,
    guard: T,
) -> Response {
    let (parts, body) = response.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        let _held = &guard;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Things in flight per key (downloads per file, per user), the busiest key's peak, and the
/// refusals over a limit.
pub(crate) struct Occupancy<K> {
    inner: Arc<OccupancyInner<K>>,
}

/// Downloads in flight per file (a key unique across the sites).
pub(crate) type FileGate = Occupancy<String>;
/// One download of a file in flight.
pub(crate) type FileSlot = Occupant<String>;

struct OccupancyInner<K> {
    open: Mutex<HashMap<K, u64>>,
    peak: AtomicU64,
    refused: AtomicU64,
}

impl<K> Clone for Occupancy<K> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K> Default for Occupancy<K> {
    fn default() -> Self {
        Self {
            inner: Arc::new(OccupancyInner {
                open: Mutex::new(HashMap::new()),
                peak: AtomicU64::new(0),
                refused: AtomicU64::new(0),
            }),
        }
    }
}

impl<K: Eq + Hash + Clone> Occupancy<K> {
    fn open(&self) -> MutexGuard<'_, HashMap<K, u64>> {
        self.inner
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether anything of `key` is in flight.
    pub(crate) fn busy(&self, key: &K) -> bool {
        self.open().get(key).is_some_and(|&count| count > 0)
    }

    /// Lets one more in for `key` unless `limit` of them are already in; it counts until the
    /// occupant drops.
    pub(crate) fn enter(&self, key: &K, limit: Option<u64>) -> Option<Occupant<K>> {
        let mut open = self.open();
        let count = open.entry(key.clone()).or_insert(0);
        if limit.is_some_and(|limit| *count >= limit) {
            self.inner.refused.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        *count += 1;
        self.inner.peak.fetch_max(*count, Ordering::SeqCst);
        Some(Occupant {
            occupancy: self.clone(),
            key: key.clone(),
        })
    }

    /// The most in flight for any one key at once.
    pub(crate) fn peak(&self) -> u64 {
        self.inner.peak.load(Ordering::SeqCst)
    }

    /// Refusals over the limit.
    pub(crate) fn refused(&self) -> u64 {
        self.inner.refused.load(Ordering::SeqCst)
    }

    /// Starts counting afresh from what is in flight now.
    pub(crate) fn reset(&self) {
        let busiest = self.open().values().copied().max().unwrap_or(0);
        self.inner.peak.store(busiest, Ordering::SeqCst);
        self.inner.refused.store(0, Ordering::SeqCst);
    }
}

/// One thing in flight for a key; travels with the response body.
pub(crate) struct Occupant<K: Eq + Hash + Clone> {
    occupancy: Occupancy<K>,
    key: K,
}

impl<K: Eq + Hash + Clone> Drop for Occupant<K> {
    fn drop(&mut self) {
        let mut open = self.occupancy.open();
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// What a download over the per-file cap gets: 429 or 503 (any other status reads as 503),
/// with `Retry-After: 1`.
pub(crate) fn too_many_connections(status: u16) -> Response {
    let status = match status {
        429 => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut response = (
        status,
        format!(
            "{} {}: too many connections to this file\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error")
        ),
    )
        .into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(BUSY_RETRY_AFTER_SECS),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cut_big_chunks_only() {
        let big = Bytes::from(vec![7u8; PACE_SLICE * 2 + 1]);
        let pieces: Vec<usize> = slices::<()>(Ok(big))
            .into_iter()
            .map(|piece| piece.map(|bytes| bytes.len()).unwrap_or(0))
            .collect();
        assert_eq!(pieces, vec![PACE_SLICE, PACE_SLICE, 1]);
        assert_eq!(slices::<()>(Ok(Bytes::from_static(b"abc"))).len(), 1);
    }

    #[test]
    fn occupancy_counts_per_key_and_frees_on_drop() {
        let gate = FileGate::default();
        let (a, b) = ("a".to_string(), "b".to_string());
        let first = gate.enter(&a, Some(2));
        let second = gate.enter(&a, Some(2));
        assert!(first.is_some() && second.is_some());
        assert!(gate.enter(&a, Some(2)).is_none());
        assert!(gate.enter(&b, None).is_some());
        assert_eq!((gate.peak(), gate.refused()), (2, 1));
        drop(first);
        assert!(gate.enter(&a, Some(2)).is_some());
        drop(second);
        assert!(!gate.busy(&a));
        gate.reset();
        assert_eq!((gate.peak(), gate.refused()), (0, 0));
    }

    #[tokio::test]
    async fn pacing_holds_the_rate() {
        let chunks = vec![Ok::<_, ()>(Bytes::from(vec![0u8; 128 * 1024])); 2];
        let start = Instant::now();
        let sent: Vec<_> = paced(futures::stream::iter(chunks), Some(1024 * 1024))
            .collect()
            .await;
        let took = start.elapsed();
        assert_eq!(sent.len(), 4);
        assert!(took >= Duration::from_millis(250), "{took:?}");
        assert!(took < Duration::from_millis(750), "{took:?}");
    }
}
