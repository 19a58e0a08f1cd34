//! The engine: a journaled queue, a scheduler that starts jobs within the global and
//! per-account limits, and the commands a UI sends it.
//!
//! One task (the scheduler) owns the queue; workers report back through its command channel,
//! and the UI hears about everything through one event channel, progress throttled at the source.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::journal::{Journal, JournalError, RECENT_FINISHED, Retention, StoredJob};
use super::scheduler::Scheduler;
use super::spec::JobSpec;
use super::state::{ConflictPolicy, Event, JobId, JobState, JobView};
use super::throttle::Throttle;
use crate::http::RetryPolicy;
use crate::provider::{Provider, ProviderError};

/// Where the engine gets a provider for an account name (and `local` for the disk).
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>, ProviderError>;
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Transfers running at once, over all accounts.
    pub max_transfers: usize,
    /// Transfers at once per account, unless the account's plan allows fewer.
    pub per_account: usize,
    /// Retries of a job step (a whole transfer attempt); attempts that moved bytes don't count.
    pub retry: RetryPolicy,
    /// Bytes per second for all transfers together.
    pub bwlimit: Option<u64>,
    /// A transfer that moves no byte for this long is aborted and retried.
    pub stall_timeout: Duration,
    pub on_conflict: ConflictPolicy,
    /// On start, run unfinished jobs from the journal again (else they come back paused).
    pub resume_unfinished: bool,
    /// Try the host's upload-by-hash before sending bytes.
    pub dedupe: bool,
    /// Range connections per downloaded file (1: one connection), unless the account says.
    pub connections_per_file: usize,
    /// Accounts with their own `connections_per_file`.
    pub connections_per_account: std::collections::HashMap<String, usize>,
    /// How long finished jobs stay in the journal.
    pub retention: Retention,
}

impl EngineConfig {
    /// Range connections for one file of `account`.
    pub fn connections_for(&self, account: &str) -> usize {
        self.connections_per_account
            .get(account)
            .copied()
            .unwrap_or(self.connections_per_file)
            .max(1)
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_transfers: 4,
            per_account: 4,
            retry: RetryPolicy {
                retries: 5,
                ..RetryPolicy::default()
            },
            bwlimit: None,
            stall_timeout: Duration::from_secs(60),
            on_conflict: ConflictPolicy::Fail,
            resume_unfinished: false,
            dedupe: true,
            connections_per_file: 4,
            connections_per_account: std::collections::HashMap::new(),
            retention: Retention::default(),
        }
    }
}

/// Why a running job was told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StopReason {
    None = 0,
    Pause = 1,
    Cancel = 2,
}

/// What a running job shares with the scheduler.
pub struct RunningJob {
    pub cancel: CancellationToken,
    pub reason: AtomicU8,
}

impl RunningJob {
    pub fn reason(&self) -> StopReason {
        match self.reason.load(Ordering::Relaxed) {
            1 => StopReason::Pause,
            2 => StopReason::Cancel,
            _ => StopReason::None,
        }
    }
}

/// What every worker needs, shared.
pub struct Shared {
    pub journal: Journal,
    pub throttle: Throttle,
    pub accounts: Arc<dyn Accounts>,
    pub config: EngineConfig,
    pub events: mpsc::UnboundedSender<Event>,
    /// Batches of jobs enqueued together, and their "apply to all" conflict answers.
    pub batches: super::conflict::Batches,
    /// Per-account transfer limits learnt from the plan.
    pub plan_limits: Mutex<HashMap<String, PlanLimit>>,
    /// Recent listings of upload destinations.
    pub folders: super::folder_cache::FolderCache,
}

impl Shared {
    pub fn send(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

/// What an account's plan says about parallel transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanLimit {
    /// Being asked; one transfer at a time meanwhile.
    Pending,
    /// `None`: the plan sets no limit.
    Known(Option<usize>),
}

/// Messages to the scheduler.
pub enum Command {
    Added {
        id: JobId,
        parent: Option<JobId>,
        position: f64,
        spec: Box<JobSpec>,
    },
    Pause(JobId),
    Resume(JobId),
    Cancel(JobId),
    Retry(JobId),
    /// Move up (negative) or down in the queue.
    Shift(JobId, i32),
    PauseAll,
    ResumeAll,
    /// A worker waits (for a person, or a backoff): free its slot.
    Park(JobId, JobState),
    /// A worker is ready to go on: grant a slot when there is one.
    Unpark(JobId, oneshot::Sender<()>),
    Finished(JobId, JobState),
    /// An account's plan limit, learnt in the background.
    PlanLimit(String, Option<usize>),
    Snapshot(oneshot::Sender<Vec<JobView>>),
    /// Answered once nothing is queued, running or waiting.
    WhenIdle(oneshot::Sender<()>),
    ClearFinished(oneshot::Sender<usize>),
    /// Jobs of an interrupted run, read back from the journal: queue them again (those not
    /// loaded at start join the queue).
    Adopt(Vec<StoredJob>),
}

/// What queueing a command's job did.
#[derive(Debug)]
pub enum Queued {
    /// A new job.
    New(JobId),
    /// The journal held this job from an earlier run (and what it expanded into): these jobs
    /// are queued again instead of adding new ones.
    Adopted {
        jobs: Vec<(JobId, JobSpec)>,
        /// The earlier run was interrupted: these are what it left undone.
        interrupted: bool,
    },
}

/// A handle to the engine; clones share it.
#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
}

impl Engine {
    /// Start the scheduler. Unfinished jobs in the journal come back (queued or paused, per
    /// `config.resume_unfinished`), with the most recent finished ones; finished jobs beyond
    /// `config.retention` are forgotten first, so a start reads a bounded part of the journal
    /// however long its history.
    pub fn start(
        config: EngineConfig,
        journal: Journal,
        accounts: Arc<dyn Accounts>,
    ) -> Result<(Engine, mpsc::UnboundedReceiver<Event>), JournalError> {
        let (events, event_rx) = mpsc::unbounded_channel();
        let (commands, command_rx) = mpsc::unbounded_channel();
        if let Err(e) = journal
            .prune(config.retention)
            .and_then(|_| journal.drop_stray_marks())
        {
            tracing::warn!("{e}");
        }
        let stored = journal.load_recent(RECENT_FINISHED.min(config.retention.keep))?;
        let shared = Arc::new(Shared {
            journal,
            throttle: Throttle::new(config.bwlimit),
            accounts,
            config,
            events,
            batches: Default::default(),
            plan_limits: Mutex::new(HashMap::new()),
            folders: Default::default(),
        });
        let engine = Engine {
            shared: shared.clone(),
            commands,
        };
        let scheduler = Scheduler::new(engine.clone(), stored);
        tokio::spawn(scheduler.run(command_rx));
        Ok((engine, event_rx))
    }

    /// Queue a job at the end, a batch of its own.
    pub fn enqueue(&self, spec: JobSpec) -> Result<JobId, JournalError> {
        self.enqueue_child(spec, None)
    }

    /// Queue jobs as one batch (what a person asks for in the TUI): an "apply to all" answer
    /// given for one of them settles the others' conflicts too. Like a CLI command, each is
    /// first looked for in the journal ([`Engine::adopt_or_enqueue`]): asking again for what
    /// an interrupted (or finished) run holds takes that job up instead of adding one.
    /// Returns the jobs queued: new and adopted, with what the adopted ones expanded into.
    pub fn enqueue_batch(&self, specs: Vec<JobSpec>) -> Result<Vec<JobId>, JournalError> {
        let mut ids = Vec::with_capacity(specs.len());
        for spec in specs {
            match self.adopt_or_enqueue(spec)? {
                Queued::New(id) => ids.push(id),
                Queued::Adopted { jobs, .. } => ids.extend(jobs.into_iter().map(|(id, _)| id)),
            }
        }
        if let Some(first) = ids.first() {
            self.shared.batches.join(*first, ids.iter().copied());
        }
        Ok(ids)
    }

    /// Make `jobs` (queued or resumed) one batch with `with`.
    pub fn join_batch(&self, with: JobId, jobs: &[JobId]) {
        self.shared.batches.join(with, jobs.iter().copied());
    }

    pub(crate) fn enqueue_child(
        &self,
        spec: JobSpec,
        parent: Option<JobId>,
    ) -> Result<JobId, JournalError> {
        let (id, position) = self.shared.journal.insert(&spec, parent, None)?;
        if let Some(parent) = parent {
            self.shared.batches.inherit(parent, [id]);
        }
        let _ = self.commands.send(Command::Added {
            id,
            parent,
            position,
            spec: Box::new(spec),
        });
        Ok(id)
    }

    /// Queue a folder job's children at the end, in one journal transaction.
    pub(crate) fn enqueue_children(
        &self,
        specs: Vec<JobSpec>,
        parent: JobId,
    ) -> Result<(), JournalError> {
        let placed = self.shared.journal.insert_all(&specs, Some(parent))?;
        self.shared
            .batches
            .inherit(parent, placed.iter().map(|(id, _)| *id));
        for (spec, (id, position)) in specs.into_iter().zip(placed) {
            let _ = self.commands.send(Command::Added {
                id,
                parent: Some(parent),
                position,
                spec: Box::new(spec),
            });
        }
        Ok(())
    }

    /// Queue a job, unless the journal holds the same job (same kind, source and destination)
    /// from an earlier run: then that job, and whatever it expanded into, is queued again (after
    /// an interruption only what is not done; see [`Journal::adoptable`]), and nothing is
    /// added. Running a command again so never doubles its work nor its journal.
    pub fn adopt_or_enqueue(&self, spec: JobSpec) -> Result<Queued, JournalError> {
        let mut found = self.shared.journal.adoptable(&spec)?;
        if found.is_empty() {
            return Ok(Queued::New(self.enqueue(spec)?));
        }
        // The command's own job takes what the command says now (a file's new size, a fresh
        // md5): what was stored is as old as the first run.
        let key = spec.key();
        // And what it expanded into follows symbolic links as the command now says.
        let follow = match &spec {
            JobSpec::Copy { follow_links, .. } => Some(*follow_links),
            _ => None,
        };
        for job in found.iter_mut() {
            let mut now = if job.spec.key() == key {
                spec.clone()
            } else {
                job.spec.clone()
            };
            if let (Some(f), JobSpec::Copy { follow_links, .. }) = (follow, &mut now) {
                *follow_links = f;
            }
            if now != job.spec {
                self.shared.journal.set_spec(job.id, &now)?;
                job.spec = now;
            }
        }
        let jobs = found.iter().map(|j| (j.id, j.spec.clone())).collect();
        let interrupted = found
            .iter()
            .any(|j| !matches!(j.state, JobState::Done { .. }));
        let _ = self.commands.send(Command::Adopt(found));
        Ok(Queued::Adopted { jobs, interrupted })
    }

    pub fn pause(&self, id: JobId) {
        let _ = self.commands.send(Command::Pause(id));
    }
    pub fn resume(&self, id: JobId) {
        let _ = self.commands.send(Command::Resume(id));
    }
    pub fn cancel(&self, id: JobId) {
        let _ = self.commands.send(Command::Cancel(id));
    }
    pub fn retry(&self, id: JobId) {
        let _ = self.commands.send(Command::Retry(id));
    }
    pub fn shift(&self, id: JobId, by: i32) {
        let _ = self.commands.send(Command::Shift(id, by));
    }
    pub fn pause_all(&self) {
        let _ = self.commands.send(Command::PauseAll);
    }
    pub fn resume_all(&self) {
        let _ = self.commands.send(Command::ResumeAll);
    }
    pub fn set_bwlimit(&self, rate: Option<u64>) {
        self.shared.throttle.set_rate(rate);
    }

    /// Every job, in queue order.
    pub async fn jobs(&self) -> Vec<JobView> {
        let (tx, rx) = oneshot::channel();
        let _ = self.commands.send(Command::Snapshot(tx));
        rx.await.unwrap_or_default()
    }

    /// Forget finished jobs; returns how many.
    pub async fn clear_finished(&self) -> usize {
        let (tx, rx) = oneshot::channel();
        let _ = self.commands.send(Command::ClearFinished(tx));
        rx.await.unwrap_or(0)
    }

    /// Wait until nothing is queued, running or waiting (paused and finished jobs stay).
    /// Commands sent before this call are taken into account.
    pub async fn wait_idle(&self) {
        let (tx, rx) = oneshot::channel();
        let _ = self.commands.send(Command::WhenIdle(tx));
        let _ = rx.await;
    }

    /// The journal behind this engine.
    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }
}
