//! The engine: a journaled queue, a scheduler that starts jobs within the global and
//! per-account limits, and the commands a UI sends it.
//!
//! One task (the scheduler) owns the queue; workers report back through its command channel,
//! and the UI hears about everything through one event channel, progress throttled at the source.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::journal::{Journal, JournalError};
use super::meter::{Counter, RateWindow, eta};
use super::retry::RetryPolicy;
use super::spec::JobSpec;
use super::state::{ConflictPolicy, Event, JobId, JobState, JobView};
use super::throttle::Throttle;
use super::worker;
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
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_transfers: 4,
            per_account: 4,
            retry: RetryPolicy::default(),
            bwlimit: None,
            stall_timeout: Duration::from_secs(60),
            on_conflict: ConflictPolicy::Fail,
            resume_unfinished: false,
            dedupe: true,
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
    /// A person's "apply to all" conflict choice.
    pub conflict_override: Mutex<Option<ConflictPolicy>>,
    /// Per-account transfer limits learnt from the plan.
    pub plan_limits: Mutex<HashMap<String, usize>>,
}

impl Shared {
    pub fn conflict_policy(&self) -> ConflictPolicy {
        self.conflict_override
            .lock()
            .ok()
            .and_then(|o| *o)
            .unwrap_or(self.config.on_conflict)
    }
    pub fn send(&self, event: Event) {
        let _ = self.events.send(event);
    }
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
    Snapshot(oneshot::Sender<Vec<JobView>>),
    /// Answered once nothing is queued, running or waiting.
    WhenIdle(oneshot::Sender<()>),
    ClearFinished(oneshot::Sender<usize>),
}

/// A handle to the engine; clones share it.
#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    active: watch::Receiver<usize>,
}

impl Engine {
    /// Start the scheduler. Unfinished jobs in the journal come back (queued or paused, per
    /// `config.resume_unfinished`).
    pub fn start(
        config: EngineConfig,
        journal: Journal,
        accounts: Arc<dyn Accounts>,
    ) -> Result<(Engine, mpsc::UnboundedReceiver<Event>), JournalError> {
        let (events, event_rx) = mpsc::unbounded_channel();
        let (commands, command_rx) = mpsc::unbounded_channel();
        let stored = journal.load()?;
        let shared = Arc::new(Shared {
            journal,
            throttle: Throttle::new(config.bwlimit),
            accounts,
            config,
            events,
            conflict_override: Mutex::new(None),
            plan_limits: Mutex::new(HashMap::new()),
        });
        let (active_tx, active) = watch::channel(0usize);
        let engine = Engine {
            shared: shared.clone(),
            commands,
            active,
        };
        let mut scheduler = Scheduler {
            engine: engine.clone(),
            jobs: BTreeMap::new(),
            running_total: 0,
            running_per_account: HashMap::new(),
            light_running: 0,
            waiting_for_slot: Vec::new(),
            idle_waiters: Vec::new(),
            active: active_tx,
        };
        for job in stored {
            let state = match job.state {
                s if s.is_finished() => s,
                JobState::Paused => JobState::Paused,
                _ if shared.config.resume_unfinished => JobState::Queued,
                _ => JobState::Paused,
            };
            let _ = shared.journal.set_state(job.id, &state);
            scheduler.jobs.insert(
                job.id,
                Job {
                    parent: job.parent,
                    position: job.position,
                    counter: Arc::new(Counter::new(job.total.or(job.spec.size()))),
                    spec: job.spec,
                    state,
                    running: None,
                    holds_slot: false,
                    window: RateWindow::default(),
                    last_sent: None,
                },
            );
            if let Some(j) = scheduler.jobs.get(&job.id) {
                j.counter.set_done(job.done);
            }
        }
        tokio::spawn(scheduler.run(command_rx));
        Ok((engine, event_rx))
    }

    /// Queue a job at the end.
    pub fn enqueue(&self, spec: JobSpec) -> Result<JobId, JournalError> {
        self.enqueue_child(spec, None)
    }

    pub(crate) fn enqueue_child(
        &self,
        spec: JobSpec,
        parent: Option<JobId>,
    ) -> Result<JobId, JournalError> {
        let (id, position) = self.shared.journal.insert(&spec, parent, None)?;
        let _ = self.commands.send(Command::Added {
            id,
            parent,
            position,
            spec: Box::new(spec),
        });
        Ok(id)
    }

    /// Queue a job, or resume the unfinished one with the same spec left by an interrupted
    /// run. Returns the id and whether it was resumed.
    pub fn enqueue_or_resume(&self, spec: JobSpec) -> Result<(JobId, bool), JournalError> {
        match self.shared.journal.find_unfinished(&spec)? {
            Some(id) => {
                self.resume(id);
                Ok((id, true))
            }
            None => Ok((self.enqueue(spec)?, false)),
        }
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

    /// How many jobs are queued, running or waiting.
    pub fn active(&self) -> usize {
        *self.active.borrow()
    }
}

struct Job {
    parent: Option<JobId>,
    position: f64,
    spec: JobSpec,
    state: JobState,
    counter: Arc<Counter>,
    running: Option<Arc<RunningJob>>,
    holds_slot: bool,
    window: RateWindow,
    last_sent: Option<u64>,
}

/// Jobs that move no file bytes (listing folders, mkdir, delete, move) run beside transfers,
/// up to this many at once.
const MAX_LIGHT_JOBS: usize = 4;

/// Progress events per second per job, at most.
const TICK: Duration = Duration::from_millis(200);

struct Scheduler {
    engine: Engine,
    jobs: BTreeMap<JobId, Job>,
    running_total: usize,
    running_per_account: HashMap<String, usize>,
    light_running: usize,
    /// Parked workers ready to go on, in the order they asked.
    waiting_for_slot: Vec<(JobId, oneshot::Sender<()>)>,
    idle_waiters: Vec<oneshot::Sender<()>>,
    active: watch::Sender<usize>,
}

impl Scheduler {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut ticks = 0u64;
        self.schedule();
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(c) => self.handle(c),
                    None => return,
                },
                _ = tick.tick() => {
                    ticks += 1;
                    self.report_progress(ticks.is_multiple_of(5));
                }
            }
            self.schedule();
        }
    }

    fn shared(&self) -> &Shared {
        &self.engine.shared
    }

    fn view(&self, id: JobId) -> Option<JobView> {
        let j = self.jobs.get(&id)?;
        Some(JobView {
            id,
            parent: j.parent,
            spec: j.spec.clone(),
            state: j.state.clone(),
            done: j.counter.done(),
            total: j.counter.total(),
            speed: 0.0,
            eta: None,
        })
    }

    fn set_state(&mut self, id: JobId, state: JobState) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if job.state == state {
            return;
        }
        job.state = state.clone();
        if let Err(e) = self.engine.shared.journal.set_state(id, &state) {
            tracing::warn!("{e}");
        }
        if state.is_finished() {
            let _ = self.engine.shared.journal.set_progress(
                id,
                job.counter.done(),
                job.counter.total(),
            );
        }
        if let Some(v) = self.view(id) {
            self.shared().send(Event::Changed(v));
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Added {
                id,
                parent,
                position,
                spec,
            } => self.add(id, parent, position, *spec),
            Command::Pause(id) => self.pause(id),
            Command::Resume(id) => self.resume(id),
            Command::Cancel(id) => self.cancel(id),
            Command::Retry(id) => {
                if self.jobs.get(&id).is_some_and(|j| {
                    matches!(j.state, JobState::Failed { .. } | JobState::Cancelled)
                }) {
                    self.set_state(id, JobState::Queued);
                }
            }
            Command::Shift(id, by) => self.shift(id, by),
            Command::PauseAll => {
                let ids: Vec<JobId> = self.jobs.keys().copied().collect();
                ids.into_iter().for_each(|id| self.pause(id));
            }
            Command::ResumeAll => {
                let ids: Vec<JobId> = self
                    .jobs
                    .iter()
                    .filter(|(_, j)| j.state == JobState::Paused)
                    .map(|(id, _)| *id)
                    .collect();
                ids.into_iter()
                    .for_each(|id| self.set_state(id, JobState::Queued));
            }
            Command::Park(id, state) => {
                self.release_slot(id);
                self.set_state(id, state);
            }
            Command::Unpark(id, grant) => self.waiting_for_slot.push((id, grant)),
            Command::Finished(id, state) => {
                self.release_slot(id);
                let light = self.jobs.get(&id).is_some_and(|j| !j.spec.is_transfer());
                if light {
                    self.light_running = self.light_running.saturating_sub(1);
                }
                if let Some(job) = self.jobs.get_mut(&id) {
                    job.running = None;
                }
                self.report_job_progress(id, true);
                self.set_state(id, state);
            }
            Command::WhenIdle(reply) => self.idle_waiters.push(reply),
            Command::Snapshot(reply) => {
                let views = self
                    .ordered()
                    .into_iter()
                    .filter_map(|id| self.view(id))
                    .collect();
                let _ = reply.send(views);
            }
            Command::ClearFinished(reply) => {
                let n = self.engine.shared.journal.clear_finished().unwrap_or(0);
                self.jobs.retain(|_, j| !j.state.is_finished());
                let _ = reply.send(n);
            }
        }
    }

    fn add(&mut self, id: JobId, parent: Option<JobId>, position: f64, spec: JobSpec) {
        let counter = Arc::new(Counter::new(spec.size()));
        self.jobs.insert(
            id,
            Job {
                parent,
                position,
                spec,
                state: JobState::Queued,
                counter,
                running: None,
                holds_slot: false,
                window: RateWindow::default(),
                last_sent: None,
            },
        );
        if let Some(v) = self.view(id) {
            self.shared().send(Event::Added(v));
        }
    }

    fn pause(&mut self, id: JobId) {
        let Some(job) = self.jobs.get(&id) else {
            return;
        };
        match (&job.state, &job.running) {
            (JobState::Queued, _) => self.set_state(id, JobState::Paused),
            (s, Some(running)) if !s.is_finished() => {
                running
                    .reason
                    .store(StopReason::Pause as u8, Ordering::Relaxed);
                running.cancel.cancel();
            }
            _ => {}
        }
    }

    /// A paused job and its paused children go back in the queue.
    fn resume(&mut self, id: JobId) {
        if self
            .jobs
            .get(&id)
            .is_some_and(|j| j.state == JobState::Paused)
        {
            self.set_state(id, JobState::Queued);
        }
        let children: Vec<JobId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.parent == Some(id))
            .map(|(c, _)| *c)
            .collect();
        children.into_iter().for_each(|c| self.resume(c));
    }

    fn cancel(&mut self, id: JobId) {
        let Some(job) = self.jobs.get(&id) else {
            return;
        };
        match &job.running {
            Some(running) => {
                running
                    .reason
                    .store(StopReason::Cancel as u8, Ordering::Relaxed);
                running.cancel.cancel();
            }
            None if !job.state.is_finished() => self.set_state(id, JobState::Cancelled),
            None => {}
        }
        // A folder job's children go with it.
        let children: Vec<JobId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.parent == Some(id) && !j.state.is_finished())
            .map(|(c, _)| *c)
            .collect();
        children.into_iter().for_each(|c| self.cancel(c));
    }

    fn ordered(&self) -> Vec<JobId> {
        let mut ids: Vec<(f64, JobId)> =
            self.jobs.iter().map(|(id, j)| (j.position, *id)).collect();
        ids.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ids.into_iter().map(|(_, id)| id).collect()
    }

    fn shift(&mut self, id: JobId, by: i32) {
        let order = self.ordered();
        let Some(at) = order.iter().position(|x| *x == id) else {
            return;
        };
        let target = (at as i64 + i64::from(by)).clamp(0, order.len() as i64 - 1) as usize;
        if target == at {
            return;
        }
        let pos = |i: usize| self.jobs.get(&order[i]).map(|j| j.position).unwrap_or(0.0);
        // Between the neighbours on the far side of the target.
        let new_position = if target < at {
            let before = if target == 0 {
                pos(0) - 1.0
            } else {
                pos(target - 1)
            };
            (before + pos(target)) / 2.0
        } else {
            let after = if target + 1 >= order.len() {
                pos(target) + 1.0
            } else {
                pos(target + 1)
            };
            (pos(target) + after) / 2.0
        };
        if let Some(job) = self.jobs.get_mut(&id) {
            job.position = new_position;
        }
        let _ = self.engine.shared.journal.set_position(id, new_position);
        if let Some(v) = self.view(id) {
            self.shared().send(Event::Changed(v));
        }
    }

    fn limit_for(&self, account: &str) -> usize {
        let plan = self
            .engine
            .shared
            .plan_limits
            .lock()
            .ok()
            .and_then(|l| l.get(account).copied());
        let configured = self.engine.shared.config.per_account.max(1);
        plan.map_or(configured, |p| p.clamp(1, configured))
    }

    fn has_slot(&self, spec: &JobSpec) -> bool {
        if !spec.is_transfer() {
            return self.light_running < MAX_LIGHT_JOBS;
        }
        self.running_total < self.engine.shared.config.max_transfers.max(1)
            && spec
                .accounts()
                .iter()
                .all(|a| self.running_per_account.get(*a).copied().unwrap_or(0) < self.limit_for(a))
    }

    fn take_slot(&mut self, id: JobId) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if job.holds_slot || !job.spec.is_transfer() {
            return;
        }
        job.holds_slot = true;
        self.running_total += 1;
        for a in job.spec.accounts() {
            *self.running_per_account.entry(a.to_string()).or_default() += 1;
        }
    }

    fn release_slot(&mut self, id: JobId) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if !job.holds_slot {
            return;
        }
        job.holds_slot = false;
        self.running_total = self.running_total.saturating_sub(1);
        for a in job.spec.accounts() {
            if let Some(n) = self.running_per_account.get_mut(a) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Start what fits: first parked workers that are ready, then queued jobs in order.
    fn schedule(&mut self) {
        let mut still_waiting = Vec::new();
        for (id, grant) in std::mem::take(&mut self.waiting_for_slot) {
            // Light jobs never gave up a slot; transfers need one back.
            let fits = self
                .jobs
                .get(&id)
                .is_some_and(|j| !j.spec.is_transfer() || self.has_slot(&j.spec));
            if fits && !grant.is_closed() {
                self.take_slot(id);
                self.set_state(id, JobState::Running);
                let _ = grant.send(());
            } else if !grant.is_closed() {
                still_waiting.push((id, grant));
            }
        }
        self.waiting_for_slot = still_waiting;
        for id in self.ordered() {
            let Some(job) = self.jobs.get(&id) else {
                continue;
            };
            if job.state != JobState::Queued || !self.has_slot(&job.spec) {
                continue;
            }
            self.start(id);
        }
        let active = self.jobs.values().filter(|j| j.is_active()).count();
        let was = *self.active.borrow();
        if active != was {
            let _ = self.active.send(active);
            if active == 0 {
                self.shared().send(Event::Idle);
            }
        }
        if active == 0 {
            for waiter in self.idle_waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
    }

    fn start(&mut self, id: JobId) {
        self.take_slot(id);
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if !job.spec.is_transfer() {
            self.light_running += 1;
        }
        let running = Arc::new(RunningJob {
            cancel: CancellationToken::new(),
            reason: AtomicU8::new(StopReason::None as u8),
        });
        job.running = Some(running.clone());
        let spec = job.spec.clone();
        let counter = job.counter.clone();
        self.set_state(id, JobState::Running);
        let engine = self.engine.clone();
        tokio::spawn(async move {
            let outcome = worker::run(&engine, id, spec, counter, running).await;
            let _ = engine.commands.send(Command::Finished(id, outcome));
        });
    }

    fn report_progress(&mut self, persist: bool) {
        let ids: Vec<JobId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.running.is_some())
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.report_job_progress(id, persist);
        }
    }

    fn report_job_progress(&mut self, id: JobId, persist: bool) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        let done = job.counter.done();
        let total = job.counter.total();
        let speed = job.window.sample(done);
        if job.last_sent == Some(done) && speed == 0.0 {
            return;
        }
        job.last_sent = Some(done);
        if persist {
            let _ = self.engine.shared.journal.set_progress(id, done, total);
        }
        self.engine.shared.send(Event::Progress {
            id,
            done,
            total,
            speed,
            eta: eta(done, total, speed),
        });
    }
}

impl Job {
    fn is_active(&self) -> bool {
        !self.state.is_finished() && self.state != JobState::Paused
    }
}
