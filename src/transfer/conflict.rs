//! One conflict path for every job kind: an upload, a download, a copy or a move whose
//! destination already holds the name asks the same question, with the same policies, whether
//! it runs from the CLI or the TUI, on one account, across accounts or on the local disk.
//!
//! "Apply to all" answers last for the batch they were given in (the jobs enqueued together,
//! and what they expand into), never for later, unrelated work.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use super::state::{ConflictAnswer, ConflictPolicy, Event, JobId, Question};
use super::worker::{JobCtx, Step, Stop};
use crate::provider::ProviderError;

/// What the destination holds under the wanted name.
#[derive(Debug, Clone)]
pub struct Clash {
    /// The destination as a person knows it (`ys:/Docs/a.txt`, `/home/me/a.txt`).
    pub shown: String,
    pub existing_size: Option<u64>,
    pub existing_is_folder: bool,
    pub new_size: Option<u64>,
}

/// Whether the entry at the destination holds the same content as the incoming one (their
/// sizes being equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sameness {
    /// Both sides have an md5, and they are equal.
    Proven,
    /// Nothing tells them apart (no md5 to compare).
    Likely,
    Differs,
}

/// `true`: nothing tells them apart (an md5 may or may not have been compared).
impl From<bool> for Sameness {
    fn from(same: bool) -> Self {
        if same {
            Sameness::Likely
        } else {
            Sameness::Differs
        }
    }
}

/// What the destination can do about a clash.
pub struct Options<'a> {
    /// The existing entry can be removed (the host can delete; always on the local disk).
    pub can_replace: bool,
    /// The existing entry is a shorter copy that can be continued (downloads).
    pub can_resume: bool,
    /// Whether a name is taken in the destination (for `rename`).
    pub taken: &'a (dyn Fn(&str) -> bool + Send + Sync),
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Write under `name`; with `replace`, the existing entry goes once the new one is in place.
    Write { name: String, replace: bool },
    /// Leave the destination as it is; the note says why.
    Skip(String),
    /// Continue the existing (partial) file.
    Resume,
}

/// Batches of jobs and the conflict rules answered in them.
#[derive(Default)]
pub struct Batches {
    inner: Mutex<BatchState>,
    /// One question at a time per batch: jobs of a batch running side by side ask in turn,
    /// so an "apply to all" answer settles the others instead of racing them.
    asking: Mutex<HashMap<JobId, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct BatchState {
    /// Each job's batch (jobs missing here are a batch of their own).
    of: HashMap<JobId, JobId>,
    /// "Apply to all" answers, per batch.
    rules: HashMap<JobId, ConflictPolicy>,
}

impl Batches {
    fn state(&self) -> std::sync::MutexGuard<'_, BatchState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The batch a job belongs to.
    pub fn of(&self, job: JobId) -> JobId {
        self.state().of.get(&job).copied().unwrap_or(job)
    }

    /// `jobs` belong to `batch`.
    pub fn join(&self, batch: JobId, jobs: impl IntoIterator<Item = JobId>) {
        let mut state = self.state();
        for job in jobs {
            state.of.insert(job, batch);
        }
    }

    /// `child` belongs to its parent's batch.
    pub fn inherit(&self, parent: JobId, children: impl IntoIterator<Item = JobId>) {
        let batch = self.of(parent);
        self.join(batch, children);
    }

    /// The rule answered for `job`'s batch, if any.
    pub fn rule(&self, job: JobId) -> Option<ConflictPolicy> {
        let state = self.state();
        let batch = state.of.get(&job).copied().unwrap_or(job);
        state.rules.get(&batch).copied()
    }

    /// The lock a job of `job`'s batch holds while it asks a person.
    fn question_lock(&self, job: JobId) -> Arc<tokio::sync::Mutex<()>> {
        let batch = self.of(job);
        self.asking
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(batch)
            .or_default()
            .clone()
    }

    fn set_rule(&self, job: JobId, policy: ConflictPolicy) -> JobId {
        let mut state = self.state();
        let batch = *state.of.entry(job).or_insert(job);
        state.rules.insert(batch, policy);
        batch
    }
}

/// `name (1).ext`, `name (2).ext`, ... the first that `taken` says is free.
pub fn free_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (1u32..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| name.to_string())
}

/// The error for a clash the policy does not settle.
pub fn exists_error(clash: &Clash, options: &Options<'_>) -> ProviderError {
    let mut choices = vec!["skip"];
    if options.can_replace && !clash.existing_is_folder {
        choices.push("overwrite");
    }
    choices.push("rename");
    if options.can_resume {
        choices.push("resume");
    }
    ProviderError::invalid(format!(
        "{} already exists (on-conflict policies that settle it: {})",
        clash.shown,
        choices.join(", ")
    ))
}

impl JobCtx<'_> {
    /// The policy for this job: its batch's "apply to all" answer, else the engine's.
    fn conflict_policy(&self) -> ConflictPolicy {
        let shared = &self.engine.shared;
        shared
            .batches
            .rule(self.id)
            .unwrap_or(shared.config.on_conflict)
    }

    /// What to do about `clash`, asking a person when the policy says so. `identical` tells
    /// whether the existing entry has the same content (asked only when the policy needs it).
    pub async fn resolve_clash<F, Fut, S>(
        &self,
        name: &str,
        clash: Clash,
        options: Options<'_>,
        identical: F,
    ) -> Step<Resolution>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Step<S>>,
        S: Into<Sameness>,
    {
        let chosen = self.conflict_policy();
        let same_size = clash.existing_size.is_some() && clash.existing_size == clash.new_size;
        let comparable = !clash.existing_is_folder && same_size;
        // The same file already there is done, not a conflict. Proven by md5, that holds for
        // any job whose policy would fail or ask; by name and size alone (the host shows no
        // md5) only for a job the journal brought back, for whom the file is most likely its
        // own earlier work. An explicit overwrite or rename goes on as asked.
        let settles = match chosen {
            ConflictPolicy::Fail => true,
            ConflictPolicy::Ask | ConflictPolicy::Skip => self.resumed,
            _ => false,
        };
        let mut sameness = None;
        let mut identical = Some(identical);
        if settles
            && comparable
            && let Some(check) = identical.take()
        {
            let same: Sameness = check().await?.into();
            let done = match same {
                Sameness::Proven => true,
                Sameness::Likely => self.resumed,
                Sameness::Differs => false,
            };
            if done {
                return Ok(Resolution::Skip(format!(
                    "already there: {} holds the same file",
                    clash.shown
                )));
            }
            sameness = Some(same);
        }
        let policy = match chosen {
            ConflictPolicy::Ask => self.ask_about(&clash).await?,
            policy => policy,
        };
        let identical = matches!(
            policy,
            ConflictPolicy::Resume | ConflictPolicy::SkipIdentical
        ) && comparable
            && match (sameness, identical.take()) {
                (Some(same), _) => same != Sameness::Differs,
                (None, Some(check)) => check().await?.into() != Sameness::Differs,
                (None, None) => false,
            };
        match policy {
            ConflictPolicy::Skip => {
                self.kept_existing
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(Resolution::Skip(format!("skipped: {} exists", clash.shown)))
            }
            ConflictPolicy::Overwrite if clash.existing_is_folder => {
                Err(Stop::Error(ProviderError::invalid(format!(
                    "{} is a folder: it is not overwritten by a file (choose skip or rename)",
                    clash.shown
                ))))
            }
            ConflictPolicy::Overwrite if !options.can_replace => {
                Err(Stop::Error(ProviderError::unsupported(format!(
                    "{} already exists, and its host's API cannot delete, so it cannot be \
                     overwritten (choose skip or rename)",
                    clash.shown
                ))))
            }
            ConflictPolicy::Overwrite => Ok(Resolution::Write {
                name: name.to_string(),
                replace: true,
            }),
            ConflictPolicy::Rename => Ok(Resolution::Write {
                name: free_name(name, options.taken),
                replace: false,
            }),
            ConflictPolicy::Resume | ConflictPolicy::SkipIdentical if identical => Ok(
                Resolution::Skip(format!("skipped: {} is identical", clash.shown)),
            ),
            ConflictPolicy::Resume if options.can_resume => Ok(Resolution::Resume),
            _ => Err(Stop::Error(exists_error(&clash, &options))),
        }
    }

    /// Ask a person about `clash`; an "apply to all" answer becomes the batch's rule.
    async fn ask_about(&self, clash: &Clash) -> Step<ConflictPolicy> {
        let lock = self.engine.shared.batches.question_lock(self.id);
        let _turn = match lock.clone().try_lock_owned() {
            Ok(turn) => turn,
            // Another job of the batch is asking: its turn comes first, and it needs a slot
            // back once answered, so this one waits without holding one.
            Err(_) => {
                self.wait_without_slot(
                    "waiting for the answer about another file",
                    lock.lock_owned(),
                )
                .await?
            }
        };
        // Answered for the whole batch while this job waited its turn.
        if let Some(policy) = self.engine.shared.batches.rule(self.id) {
            return Ok(policy);
        }
        let job = self.id;
        let destination = clash.shown.clone();
        let (existing_size, new_size) = (clash.existing_size, clash.new_size);
        let answer: ConflictAnswer = self
            .ask(|reply| Question::Conflict {
                job,
                destination,
                existing_size,
                new_size,
                reply,
            })
            .await?;
        if answer.apply_to_all {
            let shared = &self.engine.shared;
            let batch = shared.batches.set_rule(self.id, answer.choice);
            shared.send(Event::ConflictRule {
                batch,
                policy: answer.choice,
            });
        }
        Ok(answer.choice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_keep_the_extension() {
        let taken = ["a (1).txt", "a (2).txt"];
        assert_eq!(free_name("a.txt", |n| taken.contains(&n)), "a (3).txt");
        assert_eq!(free_name(".bashrc", |_| false), ".bashrc (1)");
        assert_eq!(free_name("noext", |_| false), "noext (1)");
    }

    #[test]
    fn rules_last_for_their_batch_only() {
        let b = Batches::default();
        b.join(10, [10, 11, 12]);
        b.inherit(11, [20, 21]);
        b.set_rule(21, ConflictPolicy::Overwrite);
        for job in [10, 11, 12, 20, 21] {
            assert_eq!(b.rule(job), Some(ConflictPolicy::Overwrite), "job {job}");
        }
        // A later, unrelated job is its own batch: no rule.
        assert_eq!(b.rule(30), None);
        b.join(30, [30, 31]);
        assert_eq!(b.rule(31), None);
        // A job of a batch of its own (restored from the journal) sets a rule for itself only.
        b.inherit(40, [41]);
        b.set_rule(40, ConflictPolicy::Skip);
        assert_eq!(b.rule(41), Some(ConflictPolicy::Skip));
        assert_eq!(b.rule(30), None);
    }
}
