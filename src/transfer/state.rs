//! Job states, the view of a job the UI shows, and the events the engine sends.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::spec::JobSpec;
use crate::provider::Challenge;

/// A job's id: stable across restarts (the journal's row id).
pub type JobId = i64;

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    /// Stopped by a person; keeps its partial data; resumes where it stopped.
    Paused,
    /// Waiting for an answer (captcha, conflict); holds no transfer slot.
    NeedsPerson,
    /// Sitting out a wait (backoff or the host's own) before trying again.
    Waiting {
        why: String,
    },
    Done {
        note: Option<String>,
    },
    Failed {
        error: String,
    },
    Cancelled,
}

impl JobState {
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            JobState::Done { .. } | JobState::Failed { .. } | JobState::Cancelled
        )
    }
    pub fn label(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::NeedsPerson => "needs you",
            JobState::Waiting { .. } => "waiting",
            JobState::Done { .. } => "done",
            JobState::Failed { .. } => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// A snapshot of one job for display.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: JobId,
    /// The folder job this one was expanded from.
    pub parent: Option<JobId>,
    /// The jobs enqueued together with this one (and what they expanded into) share a batch:
    /// an "apply to all" answer lasts for it.
    pub batch: JobId,
    pub spec: JobSpec,
    pub state: JobState,
    pub done: u64,
    pub total: Option<u64>,
    /// Bytes per second over the last few seconds.
    pub speed: f64,
    pub eta: Option<Duration>,
}

/// What to do when the destination already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    /// Ask a person (the CLI asks on the terminal; without one it fails).
    Ask,
    /// Stop this job with an error.
    #[default]
    Fail,
    Skip,
    Overwrite,
    /// Keep both: `name (1).ext`.
    Rename,
    /// Continue a partial download (or skip a complete one).
    Resume,
    /// Skip when size (and hash, where known) match; otherwise fail.
    SkipIdentical,
}

impl ConflictPolicy {
    /// The policy's name, as `--on-conflict` and the config spell it.
    pub fn name(self) -> &'static str {
        match self {
            ConflictPolicy::Ask => "ask",
            ConflictPolicy::Fail => "fail",
            ConflictPolicy::Skip => "skip",
            ConflictPolicy::Overwrite => "overwrite",
            ConflictPolicy::Rename => "rename",
            ConflictPolicy::Resume => "resume",
            ConflictPolicy::SkipIdentical => "skip-identical",
        }
    }

    pub fn parse(s: &str) -> Option<ConflictPolicy> {
        Some(match s {
            "ask" => ConflictPolicy::Ask,
            "fail" => ConflictPolicy::Fail,
            "skip" => ConflictPolicy::Skip,
            "overwrite" => ConflictPolicy::Overwrite,
            "rename" => ConflictPolicy::Rename,
            "resume" => ConflictPolicy::Resume,
            "skip-identical" | "skip_identical" => ConflictPolicy::SkipIdentical,
            _ => return None,
        })
    }
}

/// A question for a person; answering sends on `reply`. Dropping it cancels the job.
pub enum Question {
    /// The destination exists.
    Conflict {
        job: JobId,
        destination: String,
        existing_size: Option<u64>,
        new_size: Option<u64>,
        reply: oneshot::Sender<ConflictAnswer>,
    },
    /// The host wants a captcha answered.
    Captcha {
        job: JobId,
        what: String,
        challenge: Challenge,
        message: String,
        reply: oneshot::Sender<String>,
    },
}

impl std::fmt::Debug for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Question::Conflict {
                job, destination, ..
            } => {
                write!(f, "Conflict(job {job}, {destination})")
            }
            Question::Captcha { job, what, .. } => write!(f, "Captcha(job {job}, {what})"),
        }
    }
}

/// A person's answer to a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConflictAnswer {
    pub choice: ConflictPolicy,
    /// Use this choice for every later conflict of the same batch.
    pub apply_to_all: bool,
}

/// What the engine tells its UI.
#[derive(Debug)]
pub enum Event {
    Added(JobView),
    Changed(JobView),
    /// Bytes moved (sent at most a few times per second per job).
    Progress {
        id: JobId,
        done: u64,
        total: Option<u64>,
        speed: f64,
        eta: Option<Duration>,
    },
    /// A note for the person ("instant upload", "server ignored Range, starting over").
    Note {
        id: JobId,
        message: String,
    },
    Ask(Question),
    /// A person's "apply to all" answer: `policy` settles every conflict of `batch` from now on.
    ConflictRule {
        batch: JobId,
        policy: ConflictPolicy,
    },
    /// Nothing queued or running any more.
    Idle,
}
