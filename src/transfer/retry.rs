//! When to try again: exponential backoff with jitter, honouring the host's own waits.

use std::time::Duration;

use crate::provider::{ErrorKind, ProviderError};

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub retries: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1`, or `None` to give up now.
    pub fn wait_after(&self, error: &ProviderError, attempt: u32) -> Option<Duration> {
        if attempt >= self.retries || !error.is_retryable() {
            return None;
        }
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max);
        // Full jitter on the upper half: spread retries of many jobs apart.
        let jitter = rand::random_range(0.5..=1.0);
        let backoff = exp.mul_f64(jitter);
        Some(match (error.kind, error.retry_after) {
            // The host said how long: that, at least.
            (_, Some(wait)) => wait.max(backoff.min(Duration::from_secs(1))),
            (ErrorKind::RateLimited, None) => backoff.max(Duration::from_secs(5)),
            _ => backoff,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_errors_retry() {
        let p = RetryPolicy::default();
        assert!(p.wait_after(&ProviderError::transient("x"), 0).is_some());
        assert!(p.wait_after(&ProviderError::auth("locked"), 0).is_none());
        assert!(p.wait_after(&ProviderError::not_found("x"), 0).is_none());
        assert!(p.wait_after(&ProviderError::quota("x"), 0).is_none());
        assert!(p.wait_after(&ProviderError::transient("x"), 5).is_none());
        let w = p
            .wait_after(
                &ProviderError::rate_limited("slow down", Some(Duration::from_secs(30))),
                0,
            )
            .unwrap();
        assert!(w >= Duration::from_secs(30));
        let w = p.wait_after(&ProviderError::transient("x"), 3).unwrap();
        assert!(
            w >= Duration::from_secs(2) && w <= Duration::from_secs(4),
            "{w:?}"
        );
    }
}
