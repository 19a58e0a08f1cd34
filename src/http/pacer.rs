//! One pacer per host: a polite request rate, and a pause every task of the host sits out when
//! the host says "too many requests" (or names its own wait), not only the task that was told.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The longest pause a host can impose on everything at once; longer waits are the retry
/// layer's business (they usually mean a per-account limit, not a busy host).
const MAX_PAUSE: Duration = Duration::from_secs(120);

#[derive(Default)]
struct PacerState {
    /// When the next request may start (rate limiting).
    next_slot: Option<Instant>,
    /// Until when every request waits (a 429 or a host's wait).
    paused_until: Option<Instant>,
    /// Smallest gap between two request starts; `None`: no rate limit.
    interval: Option<Duration>,
}

/// The pacing of one host, shared by every account and task that talks to it.
pub struct Pacer {
    host: String,
    state: Mutex<PacerState>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pacer({})", self.host)
    }
}

impl Pacer {
    fn new(host: &str) -> Pacer {
        Pacer {
            host: host.to_string(),
            state: Mutex::default(),
        }
    }

    /// The pacer of `host` ("example.com" or "127.0.0.1:8800") as `service` (a provider family)
    /// talks to it, made on first use. The service is part of the key only so that emulated
    /// hosts sharing one address (`haul --demo`) are paced apart, as the real ones are.
    pub fn for_host(service: &str, host: &str) -> Arc<Pacer> {
        static PACERS: OnceLock<Mutex<HashMap<String, Arc<Pacer>>>> = OnceLock::new();
        let mut pacers = PACERS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        pacers
            .entry(format!("{service} {}", host.to_ascii_lowercase()))
            .or_insert_with(|| Arc::new(Pacer::new(host)))
            .clone()
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PacerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// At most `per_second` request starts per second to this host (`None` or 0: no limit).
    /// Several accounts on one host asking for different rates get the slowest.
    pub fn limit_rate(&self, per_second: Option<f64>) {
        let Some(rate) = per_second.filter(|r| r.is_finite() && *r > 0.0) else {
            return;
        };
        let interval = Duration::from_secs_f64(1.0 / rate);
        let mut state = self.state();
        state.interval = Some(state.interval.map_or(interval, |i| i.max(interval)));
    }

    /// Every request to this host waits until `wait` has passed (longer pauses win).
    pub fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_PAUSE);
        let mut state = self.state();
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
            tracing::debug!(host = %self.host, ?wait, "pausing every request to the host");
        }
    }

    /// How long the host is still paused for, if it is.
    pub fn paused_for(&self) -> Option<Duration> {
        let now = Instant::now();
        self.state()
            .paused_until
            .filter(|p| *p > now)
            .map(|p| p - now)
    }

    /// Wait until a request may start: after any pause, and in its turn under the rate limit.
    pub async fn ready(&self) {
        loop {
            match self.next_turn() {
                Turn::Go => return,
                Turn::Paused(wait) => tokio::time::sleep(wait).await,
                Turn::Reserved(wait) => {
                    // Our turn is reserved: go when it comes (a pause set meanwhile is
                    // honoured by the next request).
                    tokio::time::sleep(wait).await;
                    return;
                }
            }
        }
    }

    fn next_turn(&self) -> Turn {
        let mut state = self.state();
        let now = Instant::now();
        if let Some(until) = state.paused_until.filter(|u| *u > now) {
            return Turn::Paused(until - now);
        }
        state.paused_until = None;
        let Some(interval) = state.interval else {
            return Turn::Go;
        };
        let slot = state.next_slot.filter(|s| *s > now).unwrap_or(now);
        state.next_slot = Some(slot + interval);
        if slot <= now {
            Turn::Go
        } else {
            Turn::Reserved(slot - now)
        }
    }
}

enum Turn {
    Go,
    Paused(Duration),
    Reserved(Duration),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_of_the_host() {
        let pacer = Pacer::new("h");
        let start = Instant::now();
        pacer.pause(Duration::from_secs(3));
        pacer.ready().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
        // A shorter pause does not cut a longer one short.
        pacer.pause(Duration::from_secs(5));
        pacer.pause(Duration::from_secs(1));
        let before = Instant::now();
        pacer.ready().await;
        assert!(before.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_spaces_request_starts() {
        let pacer = Arc::new(Pacer::new("h"));
        pacer.limit_rate(Some(5.0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let p = pacer.clone();
            tasks.push(tokio::spawn(async move {
                p.ready().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort();
        // Ten starts at 5 per second: the last one 1.8 s after the first.
        let span = *times.last().unwrap() - start;
        assert!(span >= Duration::from_millis(1790), "{span:?}");
        assert!(span <= Duration::from_millis(1900), "{span:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn no_rate_means_no_wait() {
        let pacer = Pacer::new("h");
        let start = Instant::now();
        for _ in 0..100 {
            pacer.ready().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[test]
    fn the_slowest_rate_wins_and_hosts_are_shared() {
        let a = Pacer::for_host("svc", "Shared.example:1");
        let b = Pacer::for_host("svc", "shared.example:1");
        assert!(!Arc::ptr_eq(
            &a,
            &Pacer::for_host("other", "shared.example:1")
        ));
        assert!(Arc::ptr_eq(&a, &b));
        a.limit_rate(Some(10.0));
        b.limit_rate(Some(2.0));
        a.limit_rate(None);
        assert_eq!(a.state().interval, Some(Duration::from_millis(500)));
    }
}
