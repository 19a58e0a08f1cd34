//! Running one job: retries with backoff, waits that free the slot, questions for a person.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::engine::{Command, Engine, RunningJob, StopReason};
use super::meter::Counter;
use super::spec::{JobSpec, LOCAL};
use super::state::{Event, JobId, JobState, Question};
use super::{copy, expand};
use crate::http::RetryNotice;
use crate::http::retry::{self, RetryScope};
use crate::provider::local::LocalFs;
use crate::provider::{ErrorKind, Provider, ProviderError};

/// Why a step did not finish.
#[derive(Debug)]
pub enum Stop {
    /// Paused or cancelled by a person.
    Stopped,
    Error(ProviderError),
}

impl From<ProviderError> for Stop {
    fn from(e: ProviderError) -> Self {
        Stop::Error(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Error(e.into())
    }
}

pub type Step<T> = Result<T, Stop>;

/// Captcha rounds one job may go through before it gives up.
const MAX_CAPTCHA_ROUNDS: u32 = 8;

/// Everything a running job can reach.
pub struct JobCtx<'a> {
    pub engine: &'a Engine,
    pub id: JobId,
    pub counter: Arc<Counter>,
    pub running: Arc<RunningJob>,
    /// What the job's remote destination held before its first attempt, and its conflict plan.
    pub destination: Mutex<super::destination::Memory>,
    /// The destination was left as it was (a conflict settled by "skip"): a move keeps its
    /// source then.
    pub kept_existing: std::sync::atomic::AtomicBool,
    /// The part file this download owns, locked until the job ends (see `part_lock`).
    pub part_lock: Mutex<Option<super::part_lock::PartLock>>,
    /// The job (a copy, not a move) comes back from the journal interrupted or done (a
    /// restart, a re-run): a file of its name and size at its destination may be taken for its
    /// own earlier work.
    pub resumed: bool,
}

impl JobCtx<'_> {
    pub async fn provider(&self, account: &str) -> Step<Arc<dyn Provider>> {
        if account == LOCAL {
            return Ok(Arc::new(LocalFs));
        }
        Ok(self.engine.shared.accounts.provider(account).await?)
    }

    /// Read or change the job's destination memory.
    pub fn destination_memory<T>(&self, f: impl FnOnce(&mut super::destination::Memory) -> T) -> T {
        let mut memory = self
            .destination
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut memory)
    }

    /// Read or change the part file this job holds.
    pub fn part_lock<T>(&self, f: impl FnOnce(&mut Option<super::part_lock::PartLock>) -> T) -> T {
        let mut held = self
            .part_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut held)
    }

    pub fn stopped(&self) -> bool {
        self.running.cancel.is_cancelled()
    }

    pub fn note(&self, message: impl Into<String>) {
        self.engine.shared.send(Event::Note {
            id: self.id,
            message: message.into(),
        });
    }

    /// Give up the slot while waiting `wait`, then queue for a slot again.
    /// The state shows a countdown, updated every second.
    pub async fn sit_out(&self, wait: Duration, why: String) -> Step<()> {
        park_for(self.engine, self.id, &self.running, wait, why).await
    }

    async fn take_slot_again(&self) -> Step<()> {
        take_slot_again(self.engine, self.id, &self.running).await
    }

    /// Wait for `fut` (another job's turn) without holding a slot, then queue for one again:
    /// jobs that hold slots while they wait on a job without one would starve it.
    pub(super) async fn wait_without_slot<T>(
        &self,
        why: &str,
        fut: impl Future<Output = T>,
    ) -> Step<T> {
        let _ = self.engine.commands.send(Command::Park(
            self.id,
            JobState::Waiting {
                why: why.to_string(),
            },
        ));
        let out = tokio::select! {
            _ = self.running.cancel.cancelled() => return Err(Stop::Stopped),
            out = fut => out,
        };
        self.take_slot_again().await?;
        Ok(out)
    }

    /// Ask a person (no slot held meanwhile); `None` if the question was dropped.
    pub(super) async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Question,
    ) -> Step<T> {
        let _ = self
            .engine
            .commands
            .send(Command::Park(self.id, JobState::NeedsPerson));
        let (tx, rx) = oneshot::channel();
        self.engine.shared.send(Event::Ask(make(tx)));
        let answer = tokio::select! {
            _ = self.running.cancel.cancelled() => return Err(Stop::Stopped),
            answer = rx => answer,
        };
        self.take_slot_again().await?;
        // A dropped question (Esc, no terminal) cancels the job, it does not fail it.
        answer.map_err(|_| Stop::Stopped)
    }

    /// Have a person answer the challenge in `error`, then sit out the host's wait.
    async fn solve_captcha(
        &self,
        provider: &dyn Provider,
        error: ProviderError,
        what: &str,
    ) -> Step<()> {
        let mut error = error;
        loop {
            let Some(challenge) = error.challenge.take() else {
                return Err(Stop::Error(error));
            };
            let job = self.id;
            let message = error.message.clone();
            let shown = (*challenge).clone();
            let what = what.to_string();
            let answer: String = self
                .ask(|reply| Question::Captcha {
                    job,
                    what,
                    challenge: shown,
                    message,
                    reply,
                })
                .await?;
            match provider.answer_challenge(&challenge, &answer).await {
                Ok(Some(wait)) if !wait.is_zero() => {
                    return self
                        .sit_out(wait, "the host's wait before a free download".into())
                        .await;
                }
                Ok(_) => return Ok(()),
                Err(e) if e.kind == ErrorKind::CaptchaRequired && e.challenge.is_some() => {
                    self.note("the captcha answer was not accepted; here is a new one");
                    error = e;
                }
                Err(e) => return Err(Stop::Error(e)),
            }
        }
    }

    /// Run `step` until it succeeds, retrying what is worth retrying. Errors the retry layer
    /// already retried are not retried again; an attempt that moved bytes starts a fresh count.
    pub async fn with_retries<T, F>(
        &self,
        account_for_captcha: &str,
        what: &str,
        mut step: impl FnMut(u32) -> F,
    ) -> Step<T>
    where
        F: std::future::Future<Output = Step<T>>,
    {
        let policy = self.engine.shared.config.retry;
        let mut attempts = policy.attempts();
        let mut attempt = 0u32;
        let mut captcha_rounds = 0u32;
        loop {
            if self.stopped() {
                return Err(Stop::Stopped);
            }
            let moved_before = self.counter.done();
            let error = match step(attempt).await {
                Ok(v) => return Ok(v),
                Err(Stop::Stopped) => return Err(Stop::Stopped),
                Err(Stop::Error(_)) if self.stopped() => return Err(Stop::Stopped),
                Err(Stop::Error(e)) => e,
            };
            if error.kind == ErrorKind::CaptchaRequired && captcha_rounds < MAX_CAPTCHA_ROUNDS {
                captcha_rounds += 1;
                let provider = self.provider(account_for_captcha).await?;
                self.solve_captcha(provider.as_ref(), error, what).await?;
                continue;
            }
            if !error.is_retryable() || error.retried > 0 {
                return Err(Stop::Error(error));
            }
            if self.counter.done() > moved_before {
                attempts.made_progress();
            }
            match attempts.next_wait(error.retry_after) {
                Ok(wait) => {
                    attempt += 1;
                    tracing::info!(job = self.id, attempt, ?wait, "retrying: {}", error.message);
                    let why = format!(
                        "retry {}/{} in {} s: {}",
                        attempts.retried(),
                        policy.retries,
                        wait.as_secs_f64().ceil() as u64,
                        error.message
                    );
                    self.sit_out(wait, why).await?;
                }
                Err(give_up) => {
                    let mut error = error;
                    if attempt > 0 {
                        error.message = format!("{} ({give_up})", error.message);
                    }
                    return Err(Stop::Error(error));
                }
            }
        }
    }
}

/// Give up the job's slot while waiting `wait` (its state counting down, with `why`), then
/// queue for a slot again.
async fn park_for(
    engine: &Engine,
    id: JobId,
    running: &RunningJob,
    wait: Duration,
    why: String,
) -> Step<()> {
    let until = tokio::time::Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let why = format!("{why} ({secs}s)");
        let _ = engine
            .commands
            .send(Command::Park(id, JobState::Waiting { why }));
        tokio::select! {
            _ = running.cancel.cancelled() => return Err(Stop::Stopped),
            _ = tokio::time::sleep(left.min(Duration::from_secs(1))) => {}
        }
    }
    take_slot_again(engine, id, running).await
}

async fn take_slot_again(engine: &Engine, id: JobId, running: &RunningJob) -> Step<()> {
    let (tx, rx) = oneshot::channel();
    let _ = engine.commands.send(Command::Unpark(id, tx));
    tokio::select! {
        _ = running.cancel.cancelled() => Err(Stop::Stopped),
        granted = rx => granted.map_err(|_| Stop::Stopped),
    }
}

/// A job's calls retried by the retry layer wait like the job's own retries: the row says why
/// and counts down, and the slot goes to other jobs meanwhile.
struct JobRetries {
    engine: Engine,
    id: JobId,
    running: Arc<RunningJob>,
}

impl RetryScope for JobRetries {
    fn heard(&self, _notice: &RetryNotice) {}

    fn sit_out(&self, notice: &RetryNotice) -> Pin<Box<dyn Future<Output = bool> + Send>> {
        let (engine, id, running) = (self.engine.clone(), self.id, self.running.clone());
        let why = format!(
            "{} busy, retry {}/{}: {}",
            notice.host, notice.attempt, notice.of, notice.reason
        );
        let wait = notice.wait;
        Box::pin(async move { park_for(&engine, id, &running, wait, why).await.is_ok() })
    }
}

/// Run a job to its end state.
pub async fn run(
    engine: &Engine,
    id: JobId,
    spec: JobSpec,
    counter: Arc<Counter>,
    running: Arc<RunningJob>,
    resumed: bool,
) -> JobState {
    let ctx = JobCtx {
        engine,
        id,
        counter,
        running,
        destination: Mutex::default(),
        kept_existing: Default::default(),
        part_lock: Mutex::default(),
        // A move never takes a file for its own by name and size alone: it removes its source.
        resumed: resumed
            && matches!(
                &spec,
                JobSpec::Copy {
                    remove_source: false,
                    ..
                }
            ),
    };
    ctx.restore_marks();
    let retries = Arc::new(JobRetries {
        engine: engine.clone(),
        id,
        running: ctx.running.clone(),
    });
    let result = retry::scoped(retries, execute(&ctx, &spec)).await;
    // Uploads keep the destination listings current themselves and plain downloads change
    // nothing remote; anything else may have changed its accounts' folders.
    let keeps_listings = matches!(&spec, JobSpec::Copy { from, to, remove_source, .. }
        if (from.is_local() && !from.is_folder() && !to.is_local())
            || (!from.is_local() && to.is_local() && !remove_source));
    let folder_upload = matches!(&spec, JobSpec::Copy { from, to, .. }
        if from.is_local() && from.is_folder() && !to.is_local());
    if folder_upload && let JobSpec::Copy { to, .. } = &spec {
        // It made (or found) one folder in its destination.
        engine
            .shared
            .folders
            .forget_folder(&to.account, &to.folder_id());
    } else if !keeps_listings {
        for account in spec.accounts() {
            engine.shared.folders.forget_account(account);
        }
    }
    if result.is_ok() && ctx.mark().is_some() {
        // Whatever it had left unfinished, it finished.
        ctx.set_mark(None);
    }
    match result {
        Ok(note) => JobState::Done { note },
        Err(Stop::Stopped) => match ctx.running.reason() {
            StopReason::Pause => JobState::Paused,
            _ => JobState::Cancelled,
        },
        Err(Stop::Error(e)) => JobState::Failed {
            error: crate::sanitize::for_terminal(&e.message).into_owned(),
        },
    }
}

async fn execute(ctx: &JobCtx<'_>, spec: &JobSpec) -> Step<Option<String>> {
    match spec {
        JobSpec::Copy {
            from,
            to,
            name,
            remove_source,
            follow_links,
        } => {
            if from.is_folder() {
                return expand::folder(ctx, from, to, name, *remove_source, *follow_links).await;
            }
            let account = if from.is_local() {
                &to.account
            } else {
                &from.account
            };
            let note = ctx
                .with_retries(account, &from.name, |attempt| {
                    copy::file(ctx, from, to, name, attempt)
                })
                .await?;
            if *remove_source && ctx.kept_existing.load(std::sync::atomic::Ordering::SeqCst) {
                return Ok(Some(format!(
                    "{note}; {} was not moved, so it stays",
                    from.shown,
                    note = note.unwrap_or_else(|| "skipped".into())
                )));
            }
            if *remove_source {
                let source = ctx.provider(&from.account).await?;
                match source.delete(&from.entry_ref()).await {
                    // Gone already (an earlier run removed it): what a move wants.
                    Err(e) if e.kind == ErrorKind::NotFound => {}
                    other => other
                        .map_err(|e| e.context(format!("copied, but removing {}", from.shown)))?,
                }
            }
            Ok(note)
        }
        JobSpec::Move { item, to, name } => {
            super::moving::within_account(ctx, item, to, name).await
        }
        JobSpec::Delete { item } => {
            let p = &ctx.provider(&item.account).await?;
            ctx.with_retries(&item.account, &item.name, |attempt| async move {
                match p.delete(&item.entry_ref()).await {
                    // Gone after a retry: the first attempt did it.
                    Err(e) if attempt > 0 && e.kind == ErrorKind::NotFound => Ok(None),
                    other => other.map(|_| None).map_err(Stop::from),
                }
            })
            .await
        }
        JobSpec::Mkdir { parent, name } => {
            let p = &ctx.provider(&parent.account).await?;
            ctx.with_retries(&parent.account, name, |_| async move {
                let existing = p.list(&parent.folder_id()).await?;
                if existing.iter().any(|e| e.is_folder() && e.name == *name) {
                    return Ok(Some("already there".to_string()));
                }
                p.create_folder(&parent.folder_id(), name).await?;
                Ok(None)
            })
            .await
        }
    }
}
