//! When to try again: exponential backoff with full jitter (delays from `backon`), honouring the
//! host's own waits, within a count and a time budget; and who hears about each retry.
//!
//! Every call to a host goes through one [`Attempts`] (the provider layer's retrying wrapper,
//! and the transfer engine's steps, which also reset it when an attempt moved bytes).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use backon::BackoffBuilder;
use tokio::time::Instant;

/// How persistent to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts after the first (`[network] retries`, `--low-level-retries`).
    pub retries: u32,
    /// Give up once the next wait would end later than this after the first attempt.
    pub budget: Duration,
    /// The first backoff step (the wait is drawn between 0 and the step: full jitter).
    pub base: Duration,
    /// The largest backoff step.
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 10,
            budget: Duration::from_secs(300),
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
        }
    }
}

/// Below this, a drawn wait is raised to it: a retry never hammers the host back to back.
const MIN_WAIT: Duration = Duration::from_millis(50);

impl RetryPolicy {
    /// A fresh count of attempts under this policy, starting now.
    pub fn attempts(&self) -> Attempts {
        Attempts {
            policy: *self,
            backoff: self.backoff(),
            started: Instant::now(),
            retried: 0,
        }
    }

    fn backoff(&self) -> backon::ExponentialBackoff {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.base)
            .with_max_delay(self.max.max(self.base))
            .with_factor(2.0)
            .without_max_times()
            .build()
    }
}

/// Why the retry layer stopped trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// Every retry the policy allows was spent.
    Count(u32),
    /// The time budget would be exceeded by the next wait.
    Budget(Duration),
}

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GiveUp::Count(n) => write!(f, "gave up after {} attempts", n + 1),
            GiveUp::Budget(b) => write!(f, "gave up after {} s of retries", b.as_secs()),
        }
    }
}

/// The attempts at one operation.
#[derive(Debug)]
pub struct Attempts {
    policy: RetryPolicy,
    backoff: backon::ExponentialBackoff,
    started: Instant,
    retried: u32,
}

impl Attempts {
    /// Retries made so far.
    pub fn retried(&self) -> u32 {
        self.retried
    }

    /// After a failure worth retrying: how long to wait before the next attempt (at least
    /// `host_wait`, the host's own wait), or why not to try again.
    pub fn next_wait(&mut self, host_wait: Option<Duration>) -> Result<Duration, GiveUp> {
        if self.retried >= self.policy.retries {
            return Err(GiveUp::Count(self.retried));
        }
        let step = self.backoff.next().unwrap_or(self.policy.max);
        let drawn = step.mul_f64(rand::random_range(0.0..=1.0)).max(MIN_WAIT);
        let wait = host_wait.map_or(drawn, |w| w.max(drawn.min(Duration::from_secs(1))));
        if self.started.elapsed() + wait > self.policy.budget {
            return Err(GiveUp::Budget(self.policy.budget));
        }
        self.retried += 1;
        Ok(wait)
    }

    /// The last attempt moved the work forward (bytes arrived): the next failure starts a
    /// fresh count, so a long transfer over a link that breaks now and then is not given up.
    pub fn made_progress(&mut self) {
        self.retried = 0;
        self.backoff = self.policy.backoff();
        self.started = Instant::now();
    }
}

/// A retry about to happen, for whoever shows it to a person.
#[derive(Debug, Clone)]
pub struct RetryNotice {
    /// The host (and port) that failed.
    pub host: String,
    /// What was being done ("listing /Docs").
    pub what: String,
    /// Why it failed, in one line.
    pub reason: String,
    pub wait: Duration,
    /// This retry's number (1 for the first retry) and how many the policy allows.
    pub attempt: u32,
    pub of: u32,
}

impl RetryNotice {
    /// "host busy, retrying in 4 s (2/10): <reason>"
    pub fn line(&self) -> String {
        format!(
            "{} busy, retrying in {} s ({}/{}): {}",
            self.host,
            self.wait.as_secs_f64().ceil() as u64,
            self.attempt,
            self.of,
            self.reason
        )
    }
}

/// Who hears about a retry, and how its wait is sat out: a TUI pane shows "retrying in N s",
/// the transfer engine gives the job's slot to others meanwhile.
pub trait RetryScope: Send + Sync {
    fn heard(&self, notice: &RetryNotice);

    /// Sit out `notice.wait`; `false` stops the retries (the job was cancelled).
    fn sit_out(&self, notice: &RetryNotice) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let wait = notice.wait;
        Box::pin(async move {
            tokio::time::sleep(wait).await;
            true
        })
    }
}

impl<F: Fn(&RetryNotice) + Send + Sync> RetryScope for F {
    fn heard(&self, notice: &RetryNotice) {
        self(notice)
    }
}

tokio::task_local! {
    static SCOPE: Arc<dyn RetryScope>;
}

fn default_scope() -> &'static RwLock<Option<Arc<dyn RetryScope>>> {
    static DEFAULT: OnceLock<RwLock<Option<Arc<dyn RetryScope>>>> = OnceLock::new();
    DEFAULT.get_or_init(RwLock::default)
}

/// Who hears about retries made outside any [`scoped`] future (the CLI's status line).
pub fn set_default_scope(scope: Option<Arc<dyn RetryScope>>) {
    *default_scope()
        .write()
        .unwrap_or_else(PoisonError::into_inner) = scope;
}

/// Run `fut` with its retries heard and sat out by `scope`.
pub async fn scoped<F: Future>(scope: Arc<dyn RetryScope>, fut: F) -> F::Output {
    SCOPE.scope(scope, fut).await
}

/// Log a retry (`-v`), tell the scope in force (else the default one), and sit out its wait;
/// `false`: stop retrying.
pub async fn wait_out(notice: &RetryNotice) -> bool {
    tracing::info!(
        host = %notice.host,
        attempt = notice.attempt,
        wait_ms = notice.wait.as_millis() as u64,
        "retrying {}: {}",
        notice.what,
        notice.reason
    );
    let scope = SCOPE.try_with(Arc::clone).ok().or_else(|| {
        default_scope()
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    });
    match scope {
        Some(scope) => {
            scope.heard(notice);
            scope.sit_out(notice).await
        }
        None => {
            tokio::time::sleep(notice.wait).await;
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(retries: u32, budget_secs: u64) -> RetryPolicy {
        RetryPolicy {
            retries,
            budget: Duration::from_secs(budget_secs),
            ..RetryPolicy::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_grow_with_full_jitter_and_stop_at_the_count() {
        let mut a = policy(6, 10_000).attempts();
        let mut steps = Vec::new();
        for _ in 0..6 {
            steps.push(a.next_wait(None).unwrap());
        }
        assert_eq!(a.next_wait(None), Err(GiveUp::Count(6)));
        // Step k is drawn from [0, 0.5 s * 2^k]: never above it.
        for (k, w) in steps.iter().enumerate() {
            let cap = Duration::from_millis(500) * (1 << k);
            assert!(*w <= cap && *w >= MIN_WAIT, "step {k}: {w:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_hosts_wait_is_a_floor() {
        let mut a = policy(5, 10_000).attempts();
        let w = a.next_wait(Some(Duration::from_secs(30))).unwrap();
        assert!(w >= Duration::from_secs(30) && w <= Duration::from_secs(31));
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_stops_retries_that_would_end_too_late() {
        let mut a = policy(100, 20).attempts();
        assert_eq!(
            a.next_wait(Some(Duration::from_secs(25))),
            Err(GiveUp::Budget(Duration::from_secs(20)))
        );
        let w = a.next_wait(Some(Duration::from_secs(15))).unwrap();
        tokio::time::advance(w).await;
        assert!(a.next_wait(Some(Duration::from_secs(6))).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn progress_starts_a_fresh_count() {
        let mut a = policy(2, 10_000).attempts();
        a.next_wait(None).unwrap();
        a.next_wait(None).unwrap();
        assert!(a.next_wait(None).is_err());
        a.made_progress();
        assert!(a.next_wait(None).is_ok());
        assert_eq!(a.retried(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn notices_reach_the_scope_in_force() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let scope: Arc<dyn RetryScope> = Arc::new(move |n: &RetryNotice| {
            sink.lock().unwrap().push(n.line());
        });
        let notice = RetryNotice {
            host: "h".into(),
            what: "listing /".into(),
            reason: "h answered HTTP 503".into(),
            wait: Duration::from_millis(3200),
            attempt: 2,
            of: 10,
        };
        let start = Instant::now();
        assert!(scoped(scope, wait_out(&notice)).await);
        assert!(start.elapsed() >= notice.wait);
        assert_eq!(
            seen.lock().unwrap().as_slice(),
            ["h busy, retrying in 4 s (2/10): h answered HTTP 503"]
        );
    }
}
