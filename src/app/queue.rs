//! The queue as the UI shows it: jobs in engine order, kept current from the engine's events.

use std::collections::HashMap;
use std::time::Duration;

use crate::transfer::{ConflictPolicy, Event, JobId, JobSpec, JobState, JobView};

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: JobId,
    pub parent: Option<JobId>,
    /// The jobs enqueued together share a batch ("apply to all" lasts for it).
    pub batch: JobId,
    pub spec: JobSpec,
    pub state: JobState,
    pub done: u64,
    pub total: Option<u64>,
    pub speed: f64,
    pub eta: Option<Duration>,
    /// The last failure or note worth showing.
    pub last_error: Option<String>,
}

impl JobRow {
    fn from_view(v: JobView) -> JobRow {
        let last_error = match &v.state {
            JobState::Failed { error } => Some(error.clone()),
            _ => None,
        };
        JobRow {
            id: v.id,
            parent: v.parent,
            batch: v.batch,
            spec: v.spec,
            state: v.state,
            done: v.done,
            total: v.total,
            speed: v.speed,
            eta: v.eta,
            last_error,
        }
    }

    /// What the row is about, short: the name moved, or the verb and path.
    pub fn title(&self) -> String {
        let s = match &self.spec {
            JobSpec::Copy { name, .. } => format!("{} {name}", self.spec.verb()),
            other => other.to_string(),
        };
        crate::sanitize::for_terminal(&s).into_owned()
    }

    pub fn ratio(&self) -> f64 {
        match (self.total, &self.state) {
            (_, JobState::Done { .. }) => 1.0,
            (Some(t), _) if t > 0 => (self.done as f64 / t as f64).clamp(0.0, 1.0),
            _ => 0.0,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct QueueView {
    pub rows: Vec<JobRow>,
    pub cursor: usize,
    /// The last note the engine sent (shown in the status bar).
    pub note: Option<String>,
    /// Where each job's row is (a folder of 100,000 files sends as many events).
    index: HashMap<JobId, usize>,
    /// "Apply to all" answers: (batch, policy), in force while the batch has unfinished jobs.
    rules: Vec<(JobId, ConflictPolicy)>,
    /// Named groups ("mirror #12"), by batch.
    groups: HashMap<JobId, String>,
}

/// Sums for the status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub active: usize,
    pub done: usize,
    pub failed: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub speed: f64,
    /// Bytes the unfinished transfers still have to move (where their size is known).
    pub bytes_left: u64,
}

impl Totals {
    /// When the unfinished transfers end at the current speed.
    pub fn eta(&self) -> Option<Duration> {
        (self.speed >= 1.0 && self.bytes_left > 0)
            .then(|| Duration::from_secs_f64(self.bytes_left as f64 / self.speed))
    }
}

impl QueueView {
    /// Name the batch `batch` (a mirror's jobs).
    pub fn set_group(&mut self, batch: JobId, name: String) {
        self.groups.insert(batch, name);
    }

    /// The row's title, with its group and destination when it belongs to one:
    /// `[mirror #12] copy a.txt -> xfs:/`.
    pub fn row_title(&self, row: &JobRow) -> String {
        match (self.groups.get(&row.batch), &row.spec) {
            (Some(group), JobSpec::Copy { to, .. }) => {
                crate::sanitize::for_terminal(&format!("[{group}] {} -> {}", row.title(), to.shown))
                    .into_owned()
            }
            _ => row.title(),
        }
    }

    /// Apply one engine event (questions are handled by the caller).
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Added(v) | Event::Changed(v) => {
                let row = JobRow::from_view(v.clone());
                match self.row_mut(v.id) {
                    Some(r) => {
                        let last = r.last_error.take();
                        *r = row;
                        if r.last_error.is_none() && !r.state.is_finished() {
                            r.last_error = last;
                        }
                        if !matches!(r.state, JobState::Running) {
                            r.speed = 0.0;
                        }
                    }
                    None => {
                        self.index.insert(row.id, self.rows.len());
                        self.rows.push(row);
                    }
                }
            }
            Event::Progress {
                id,
                done,
                total,
                speed,
                eta,
            } => {
                if let Some(r) = self.row_mut(*id) {
                    r.done = *done;
                    r.total = total.or(r.total);
                    r.speed = *speed;
                    r.eta = *eta;
                }
            }
            Event::Note { id, message } => {
                let message = crate::sanitize::for_terminal(message).into_owned();
                if let Some(r) = self.row_mut(*id) {
                    r.last_error = Some(message.clone());
                }
                self.note = Some(message);
            }
            Event::ConflictRule { batch, policy } => {
                self.rules.retain(|(b, _)| b != batch);
                self.rules.push((*batch, *policy));
            }
            Event::Ask(_) | Event::Idle => {}
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// The row of job `id`, by the index (rebuilt when rows were set directly).
    fn row_mut(&mut self, id: JobId) -> Option<&mut JobRow> {
        let stale = self.index.len() != self.rows.len()
            || self
                .index
                .get(&id)
                .is_some_and(|&i| self.rows.get(i).is_none_or(|r| r.id != id));
        if stale {
            self.reindex();
        }
        let at = *self.index.get(&id)?;
        self.rows.get_mut(at)
    }

    /// Rows worth a line: folder jobs' children are shown, finished parents too.
    pub fn selected(&self) -> Option<&JobRow> {
        self.rows.get(self.cursor)
    }

    /// The "apply to all" answer in force: the newest whose batch still has unfinished jobs.
    pub fn conflict_rule(&self) -> Option<ConflictPolicy> {
        self.rules
            .iter()
            .rev()
            .find(|(batch, _)| {
                self.rows
                    .iter()
                    .any(|r| r.batch == *batch && !r.state.is_finished())
            })
            .map(|(_, policy)| *policy)
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for r in &self.rows {
            match r.state {
                JobState::Done { .. } => t.done += 1,
                JobState::Failed { .. } => t.failed += 1,
                JobState::Cancelled => {}
                _ => t.active += 1,
            }
            if r.spec.is_transfer() {
                t.bytes_done += r.done;
                t.bytes_total += r.total.unwrap_or(r.done);
                t.speed += r.speed;
                if !r.state.is_finished() {
                    t.bytes_left += r.total.unwrap_or(r.done).saturating_sub(r.done);
                }
            }
        }
        t
    }

    /// Jobs not finished yet (the quit question counts them).
    pub fn unfinished(&self) -> usize {
        self.rows.iter().filter(|r| !r.state.is_finished()).count()
    }

    pub fn clear_finished(&mut self) {
        self.rows.retain(|r| !r.state.is_finished());
        self.reindex();
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// Move the selected row `by` places (clamped), as the engine moves the job in its order;
    /// the cursor stays on it.
    pub fn shift_selected(&mut self, by: i32) {
        if self.rows.is_empty() {
            return;
        }
        let at = self.cursor.min(self.rows.len() - 1);
        let to = (at as i64 + i64::from(by)).clamp(0, self.rows.len() as i64 - 1) as usize;
        let row = self.rows.remove(at);
        self.rows.insert(to, row);
        self.reindex();
        self.cursor = to;
    }

    /// Move the cursor `by` rows (clamped).
    pub fn move_cursor(&mut self, by: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(by).min(last);
    }

    fn reindex(&mut self) {
        self.index = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
    }
}

/// `12.3 MiB` (one formatting for the engine's messages and the screen).
pub use crate::transfer::human_bytes;

/// `1:05` or `1:02:03`
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::FolderAddr;

    fn view(id: JobId, state: JobState) -> JobView {
        JobView {
            id,
            parent: None,
            batch: id,
            spec: JobSpec::Mkdir {
                parent: FolderAddr::local(std::path::Path::new("/tmp")),
                name: format!("d{id}"),
            },
            state,
            done: 0,
            total: None,
            speed: 0.0,
            eta: None,
        }
    }

    #[test]
    fn an_apply_to_all_rule_shows_while_its_batch_has_work() {
        let mut q = QueueView::default();
        let in_batch = |id, state| JobView {
            batch: 1,
            ..view(id, state)
        };
        q.apply(&Event::Added(in_batch(1, JobState::Running)));
        q.apply(&Event::Added(in_batch(2, JobState::Queued)));
        q.apply(&Event::Added(view(3, JobState::Queued)));
        assert_eq!(q.conflict_rule(), None);
        q.apply(&Event::ConflictRule {
            batch: 1,
            policy: ConflictPolicy::Overwrite,
        });
        assert_eq!(q.conflict_rule(), Some(ConflictPolicy::Overwrite));
        q.apply(&Event::Changed(in_batch(1, JobState::Done { note: None })));
        assert_eq!(q.conflict_rule(), Some(ConflictPolicy::Overwrite));
        q.apply(&Event::Changed(in_batch(2, JobState::Done { note: None })));
        // The batch is done; job 3 (another batch) is still queued, and nothing is in force.
        assert_eq!(q.conflict_rule(), None);
    }

    #[test]
    fn events_land_on_their_rows_across_clearing_and_direct_edits() {
        let mut q = QueueView::default();
        for id in 1..=5 {
            q.apply(&Event::Added(view(id, JobState::Queued)));
        }
        q.apply(&Event::Changed(view(2, JobState::Done { note: None })));
        q.apply(&Event::Changed(view(4, JobState::Cancelled)));
        q.clear_finished();
        let ids: Vec<JobId> = q.rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 3, 5]);
        q.apply(&Event::Changed(view(5, JobState::Running)));
        q.apply(&Event::Note {
            id: 3,
            message: "slow host".into(),
        });
        assert_eq!(q.rows[2].state, JobState::Running);
        assert_eq!(q.rows[1].last_error.as_deref(), Some("slow host"));
        // Rows set directly (as tests and restores do) are still found.
        q.rows
            .insert(0, JobRow::from_view(view(9, JobState::Queued)));
        q.apply(&Event::Changed(view(5, JobState::Paused)));
        assert_eq!(q.rows[3].state, JobState::Paused);
        assert_eq!(q.rows.len(), 4, "no duplicate rows");
    }
}
