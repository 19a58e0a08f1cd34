//! The scheduler: one task that owns the queue, starts what fits within the limits, and turns
//! workers' reports into state changes, journal writes and events.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::engine::{Command, Engine, PlanLimit, RunningJob, Shared, StopReason};
use super::journal::StoredJob;
use super::meter::{Counter, RateWindow, eta};
use super::queue_index::{Place, QueueIndex};
use super::spec::JobSpec;
use super::state::{Event, JobId, JobState, JobView};
use super::worker;

mod slots;

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
    /// Read back from the journal, interrupted or done: an earlier run may have done its work.
    resumed: bool,
}

/// Jobs that move no file bytes (listing folders, mkdir, delete, move) run beside transfers,
/// up to this many at once.
const MAX_LIGHT_JOBS: usize = 4;

/// Progress events per second per job, at most.
const TICK: Duration = Duration::from_millis(200);

/// Commands taken in one go before the next scheduling pass.
const COMMAND_BATCH: usize = 1024;

pub(super) struct Scheduler {
    engine: Engine,
    jobs: BTreeMap<JobId, Job>,
    /// The queued jobs, in order (every job in state Queued, and only those).
    queue: QueueIndex,
    /// Folder jobs' children.
    children: HashMap<JobId, Vec<JobId>>,
    /// Jobs with a live worker.
    running: BTreeSet<JobId>,
    /// Jobs queued, running or waiting now.
    active_now: usize,
    running_total: usize,
    running_per_account: HashMap<String, usize>,
    light_running: usize,
    /// Parked workers ready to go on, in the order they asked.
    waiting_for_slot: Vec<(JobId, oneshot::Sender<()>)>,
    idle_waiters: Vec<oneshot::Sender<()>>,
    /// Jobs queued, running or waiting after the last scheduling pass.
    active: usize,
}

impl Scheduler {
    /// A scheduler holding the journal's jobs: finished ones as they were, paused ones paused,
    /// the rest queued again or paused (per `resume_unfinished`).
    pub(super) fn new(engine: Engine, stored: Vec<StoredJob>) -> Scheduler {
        let resume = engine.shared.config.resume_unfinished;
        let mut jobs = BTreeMap::new();
        let mut queue = QueueIndex::default();
        let mut children: HashMap<JobId, Vec<JobId>> = HashMap::new();
        let mut active_now = 0;
        let mut changed = Vec::new();
        for job in stored {
            let state = match &job.state {
                s if s.is_finished() => s.clone(),
                JobState::Paused => JobState::Paused,
                _ if resume => JobState::Queued,
                _ => JobState::Paused,
            };
            if state != job.state {
                changed.push((job.id, state.clone()));
            }
            let mut restored = Job::new(job.parent, job.position, job.spec, state);
            restored.resumed = may_have_done_its_work(&restored.state, job.done);
            if let Some(total) = job.total {
                restored.counter.set_total(Some(total));
            }
            restored.counter.set_done(job.done);
            if restored.state == JobState::Queued {
                queue.insert(restored.place(job.id), &restored.spec);
            }
            if restored.is_active() {
                active_now += 1;
            }
            if let Some(parent) = job.parent {
                children.entry(parent).or_default().push(job.id);
            }
            jobs.insert(job.id, restored);
        }
        if let Err(e) = engine.shared.journal.set_states(&changed) {
            tracing::warn!("{e}");
        }
        Scheduler {
            engine,
            jobs,
            queue,
            children,
            running: BTreeSet::new(),
            active_now,
            running_total: 0,
            running_per_account: HashMap::new(),
            light_running: 0,
            waiting_for_slot: Vec::new(),
            idle_waiters: Vec::new(),
            active: 0,
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut ticks = 0u64;
        self.schedule();
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(c) => {
                        self.handle(c);
                        // Whatever else is waiting, before scheduling once for all of it.
                        for _ in 1..COMMAND_BATCH {
                            match commands.try_recv() {
                                Ok(c) => self.handle(c),
                                Err(_) => break,
                            }
                        }
                    }
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
            batch: self.engine.shared.batches.of(id),
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
        let place = job.place(id);
        let was_queued = job.state == JobState::Queued;
        let was_active = job.is_active();
        job.state = state.clone();
        let is_active = job.is_active();
        if was_queued != (state == JobState::Queued) {
            if was_queued {
                self.queue.remove(place, &job.spec);
            } else {
                self.queue.insert(place, &job.spec);
            }
        }
        match (was_active, is_active) {
            (false, true) => self.active_now += 1,
            (true, false) => self.active_now = self.active_now.saturating_sub(1),
            _ => {}
        }
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
                self.running.remove(&id);
                self.report_job_progress(id, true);
                self.set_state(id, state);
            }
            Command::WhenIdle(reply) => self.idle_waiters.push(reply),
            Command::PlanLimit(account, limit) => {
                if let Ok(mut limits) = self.engine.shared.plan_limits.lock() {
                    limits.insert(account, PlanLimit::Known(limit));
                }
            }
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
                let jobs = &self.jobs;
                self.children.retain(|_, kids| {
                    kids.retain(|k| jobs.contains_key(k));
                    !kids.is_empty()
                });
                let _ = reply.send(n);
            }
            Command::Adopt(found) => self.adopt(found),
        }
    }

    /// Jobs of an earlier run of a command go back in the queue (paused or finished ones; the
    /// journal picked which): those not loaded at start are added from the journal first.
    fn adopt(&mut self, found: Vec<StoredJob>) {
        for stored in found {
            let id = stored.id;
            if !self.jobs.contains_key(&id) {
                // Every unfinished job was loaded at start: these are finished ones.
                let state = match stored.state {
                    s if s.is_finished() => s,
                    _ => JobState::Paused,
                };
                let mut job = Job::new(stored.parent, stored.position, stored.spec.clone(), state);
                job.resumed = may_have_done_its_work(&job.state, stored.done);
                if let Some(total) = stored.total {
                    job.counter.set_total(Some(total));
                }
                job.counter.set_done(stored.done);
                if let Some(parent) = stored.parent {
                    self.children.entry(parent).or_default().push(id);
                }
                self.jobs.insert(id, job);
            }
            let requeue = self.jobs.get(&id).is_some_and(|j| {
                j.running.is_none() && (j.state.is_finished() || j.state == JobState::Paused)
            });
            // Out of the queue (paused or finished), so its place in the index is not at stake.
            if requeue && let Some(job) = self.jobs.get_mut(&id) {
                if job.spec != stored.spec {
                    job.counter.set_total(stored.spec.size());
                }
                job.spec = stored.spec.clone();
            }
            if requeue {
                self.set_state(id, JobState::Queued);
            }
        }
    }

    fn add(&mut self, id: JobId, parent: Option<JobId>, position: f64, spec: JobSpec) {
        let job = Job::new(parent, position, spec, JobState::Queued);
        self.queue.insert(job.place(id), &job.spec);
        self.active_now += 1;
        if let Some(parent) = parent {
            self.children.entry(parent).or_default().push(id);
        }
        self.jobs.insert(id, job);
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
        let children = self.children.get(&id).cloned().unwrap_or_default();
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
        let children = self.children.get(&id).cloned().unwrap_or_default();
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
            if job.state == JobState::Queued {
                self.queue.remove(job.place(id), &job.spec);
                job.position = new_position;
                self.queue.insert(job.place(id), &job.spec);
            }
            job.position = new_position;
        }
        let _ = self.engine.shared.journal.set_position(id, new_position);
        if let Some(v) = self.view(id) {
            self.shared().send(Event::Changed(v));
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
        // Each start takes its job out of the queue, so these loops end.
        while self.light_running < MAX_LIGHT_JOBS {
            let Some(id) = self.queue.next_light() else {
                break;
            };
            self.start(id);
        }
        while self.running_total < self.engine.shared.config.max_transfers.max(1) {
            let room =
                |a: &str| self.running_per_account.get(a).copied().unwrap_or(0) < self.limit_for(a);
            let Some(id) = self.queue.next_transfer(room) else {
                break;
            };
            self.start(id);
        }
        let active = self.active_now;
        if active != self.active {
            self.active = active;
            if active == 0 {
                // A good moment to forget old finished jobs: nothing is waiting for the journal.
                if let Err(e) = self.shared().journal.prune(self.shared().config.retention) {
                    tracing::warn!("{e}");
                }
                self.shared().send(Event::Idle);
            }
        }
        if active == 0 {
            for waiter in self.idle_waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
    }

    /// Start a queued job (it leaves the queue, whatever happens).
    fn start(&mut self, id: JobId) {
        // Out of the queue whatever happens below, so the scheduling loops always end (by the
        // index's invariant only queued jobs are in it).
        let Some(job) = self.jobs.get(&id) else {
            self.queue.forget(id);
            return;
        };
        if job.state != JobState::Queued {
            self.queue.remove(job.place(id), &job.spec);
            return;
        }
        if job.spec.is_transfer() {
            self.learn_plan_limits(&job.spec);
        }
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
        self.running.insert(id);
        let spec = job.spec.clone();
        let counter = job.counter.clone();
        let resumed = job.resumed;
        self.set_state(id, JobState::Running);
        let engine = self.engine.clone();
        tokio::spawn(async move {
            let outcome = worker::run(&engine, id, spec, counter, running, resumed).await;
            let _ = engine.commands.send(Command::Finished(id, outcome));
        });
    }

    fn report_progress(&mut self, persist: bool) {
        let ids: Vec<JobId> = self.running.iter().copied().collect();
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

/// A job back from the journal that was interrupted or done, or that failed (or was
/// cancelled) after it had moved bytes: its file at the destination may be its own work. Not
/// one that failed before sending anything: that may have been over the very file now there.
fn may_have_done_its_work(state: &JobState, done: u64) -> bool {
    match state {
        JobState::Failed { .. } | JobState::Cancelled => done > 0,
        _ => true,
    }
}

impl Job {
    fn new(parent: Option<JobId>, position: f64, spec: JobSpec, state: JobState) -> Job {
        Job {
            parent,
            position,
            counter: Arc::new(Counter::new(spec.size())),
            spec,
            state,
            running: None,
            holds_slot: false,
            window: RateWindow::default(),
            last_sent: None,
            resumed: false,
        }
    }

    fn place(&self, id: JobId) -> Place {
        Place {
            position: self.position,
            id,
        }
    }

    fn is_active(&self) -> bool {
        !self.state.is_finished() && self.state != JobState::Paused
    }
}
