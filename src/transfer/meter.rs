//! Per-job byte counters (atomics on the hot path) and a rolling-window speed and ETA.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counted by the transfer loop; read by the engine's ticker.
#[derive(Debug, Default)]
pub struct Counter {
    done: AtomicU64,
    /// u64::MAX = unknown.
    total: AtomicU64,
}

impl Counter {
    pub fn new(total: Option<u64>) -> Counter {
        let c = Counter::default();
        c.set_total(total);
        c
    }
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    pub fn set_done(&self, n: u64) {
        self.done.store(n, Ordering::Relaxed);
    }
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    pub fn set_total(&self, total: Option<u64>) {
        self.total
            .store(total.unwrap_or(u64::MAX), Ordering::Relaxed);
    }
    pub fn total(&self) -> Option<u64> {
        Some(self.total.load(Ordering::Relaxed)).filter(|t| *t != u64::MAX)
    }
}

/// Speed over the last [`WINDOW`], not the whole-transfer average (which lies near the end).
const WINDOW: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct RateWindow {
    samples: VecDeque<(Instant, u64)>,
}

impl RateWindow {
    /// Record the counter's value now; returns bytes per second over the window.
    pub fn sample(&mut self, done: u64) -> f64 {
        let now = Instant::now();
        self.samples.push_back((now, done));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > WINDOW)
        {
            self.samples.pop_front();
        }
        match (self.samples.front(), self.samples.back()) {
            (Some((t0, d0)), Some((t1, d1))) if t1 > t0 => {
                d1.saturating_sub(*d0) as f64 / t1.duration_since(*t0).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

pub fn eta(done: u64, total: Option<u64>, speed: f64) -> Option<Duration> {
    let left = total?.checked_sub(done)?;
    (speed > 1.0).then(|| Duration::from_secs_f64(left as f64 / speed))
}
