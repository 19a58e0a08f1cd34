//! A global bandwidth limit, changeable while transfers run (a token bucket shared by all jobs).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Throttle {
    /// Bytes per second; 0 = unlimited.
    rate: AtomicU64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// Bytes that may go now (negative: owed).
    tokens: f64,
    refilled: Instant,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            tokens: 0.0,
            refilled: Instant::now(),
        }
    }
}

impl Throttle {
    pub fn new(rate: Option<u64>) -> Throttle {
        let t = Throttle::default();
        t.set_rate(rate);
        t
    }

    pub fn set_rate(&self, rate: Option<u64>) {
        self.rate.store(rate.unwrap_or(0), Ordering::Relaxed);
    }

    pub fn rate(&self) -> Option<u64> {
        Some(self.rate.load(Ordering::Relaxed)).filter(|r| *r > 0)
    }

    /// Account for `bytes` just moved; sleeps as long as the limit requires.
    pub async fn take(&self, bytes: usize) {
        let Some(rate) = self.rate() else {
            return;
        };
        let wait = {
            let Ok(mut b) = self.bucket.lock() else {
                return;
            };
            let now = Instant::now();
            let elapsed = now.duration_since(b.refilled).as_secs_f64();
            b.refilled = now;
            // At most a quarter second of burst.
            b.tokens = (b.tokens + elapsed * rate as f64).min(rate as f64 / 4.0);
            b.tokens -= bytes as f64;
            if b.tokens < 0.0 {
                Duration::from_secs_f64(-b.tokens / rate as f64)
            } else {
                Duration::ZERO
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Parse `500K`, `10M`, `1.5G`, `2000` (bytes per second).
pub fn parse_rate(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = s[i..].to_ascii_lowercase();
            let unit = unit
                .trim_end_matches("/s")
                .trim_end_matches('b')
                .trim_end_matches("i");
            let mult: f64 = match unit {
                "" => 1.0,
                "k" => 1024.0,
                "m" => 1024.0 * 1024.0,
                "g" => 1024.0 * 1024.0 * 1024.0,
                _ => return None,
            };
            (&s[..i], mult)
        }
        None => (s, 1.0),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n > 0.0).then_some((n * mult) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("2000"), Some(2000));
        assert_eq!(parse_rate("500K"), Some(512_000));
        assert_eq!(parse_rate("10M"), Some(10 * 1024 * 1024));
        assert_eq!(parse_rate("1.5GiB"), Some(1_610_612_736));
        assert_eq!(parse_rate("fast"), None);
        assert_eq!(parse_rate("0"), None);
    }
}
