//! The queue journal: every job and its state in SQLite, so a `kill -9` loses nothing.
//!
//! WAL mode: each state change is its own small transaction, durable once written. It holds
//! addresses and names only; no secrets and no URLs that grant access.

mod groups;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use super::spec::JobSpec;
use super::state::{JobId, JobState};

#[derive(Debug, thiserror::Error)]
#[error("queue journal {path}: {message}")]
pub struct JournalError {
    path: String,
    message: String,
}

/// A job as the journal keeps it.
#[derive(Debug, Clone)]
pub struct StoredJob {
    pub id: JobId,
    pub parent: Option<JobId>,
    pub position: f64,
    pub spec: JobSpec,
    pub state: JobState,
    pub done: u64,
    pub total: Option<u64>,
}

pub struct Journal {
    path: String,
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent INTEGER,
    position REAL NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_position ON jobs(position);
";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let shown = path.display().to_string();
        let err = |message: String| JournalError {
            path: shown.clone(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| err(e.to_string()))?;
        Journal::setup(conn, shown.clone())
    }

    /// A journal that lives only as long as the process (tests, one-off runs).
    pub fn in_memory() -> Result<Journal, JournalError> {
        let conn = Connection::open_in_memory().map_err(|e| JournalError {
            path: ":memory:".into(),
            message: e.to_string(),
        })?;
        Journal::setup(conn, ":memory:".into())
    }

    fn setup(conn: Connection, path: String) -> Result<Journal, JournalError> {
        let err = |e: rusqlite::Error| JournalError {
            path: path.clone(),
            message: e.to_string(),
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Journal {
            path,
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, JournalError> {
        let conn = self.conn.lock().map_err(|_| JournalError {
            path: self.path.clone(),
            message: "journal lock poisoned".into(),
        })?;
        f(&conn).map_err(|e| JournalError {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }

    fn encode<T: serde::Serialize>(&self, value: &T) -> Result<String, JournalError> {
        serde_json::to_string(value).map_err(|e| JournalError {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }

    /// Add a job at the end (or at `position`); returns its id.
    pub fn insert(
        &self,
        spec: &JobSpec,
        parent: Option<JobId>,
        position: Option<f64>,
    ) -> Result<(JobId, f64), JournalError> {
        let spec = self.encode(spec)?;
        let state = self.encode(&JobState::Queued)?;
        self.with(|c| {
            let position = match position {
                Some(p) => p,
                None => {
                    let last: Option<f64> = c
                        .query_row("SELECT MAX(position) FROM jobs", [], |r| r.get(0))
                        .optional()?
                        .flatten();
                    last.unwrap_or(0.0) + 1.0
                }
            };
            c.execute(
                "INSERT INTO jobs (parent, position, spec, state, updated) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![parent, position, spec, state, now()],
            )?;
            Ok((c.last_insert_rowid(), position))
        })
    }

    /// Add jobs at the end in one transaction (a folder's children); returns their ids and
    /// positions in the same order.
    pub fn insert_all(
        &self,
        specs: &[JobSpec],
        parent: Option<JobId>,
    ) -> Result<Vec<(JobId, f64)>, JournalError> {
        let encoded = specs
            .iter()
            .map(|s| self.encode(s))
            .collect::<Result<Vec<_>, _>>()?;
        let state = self.encode(&JobState::Queued)?;
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            let last: Option<f64> = tx
                .query_row("SELECT MAX(position) FROM jobs", [], |r| r.get(0))
                .optional()?
                .flatten();
            let mut position = last.unwrap_or(0.0);
            let mut out = Vec::with_capacity(encoded.len());
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO jobs (parent, position, spec, state, updated) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                let now = now();
                for spec in &encoded {
                    position += 1.0;
                    insert.execute(params![parent, position, spec, state, now])?;
                    out.push((tx.last_insert_rowid(), position));
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    pub fn set_state(&self, id: JobId, state: &JobState) -> Result<(), JournalError> {
        let state = self.encode(state)?;
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET state = ?1, updated = ?2 WHERE id = ?3",
                params![state, now(), id],
            )
            .map(|_| ())
        })
    }

    pub fn set_progress(
        &self,
        id: JobId,
        done: u64,
        total: Option<u64>,
    ) -> Result<(), JournalError> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET done = ?1, total = ?2, updated = ?3 WHERE id = ?4",
                params![done as i64, total.map(|t| t as i64), now(), id],
            )
            .map(|_| ())
        })
    }

    pub fn set_position(&self, id: JobId, position: f64) -> Result<(), JournalError> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET position = ?1 WHERE id = ?2",
                params![position, id],
            )
            .map(|_| ())
        })
    }

    /// Every job, in queue order. Rows this version cannot read are skipped.
    pub fn load(&self) -> Result<Vec<StoredJob>, JournalError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, parent, position, spec, state, done, total FROM jobs ORDER BY position, id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, parent, position, spec, state, done, total) = row?;
                let (Ok(spec), Ok(state)) = (
                    serde_json::from_str::<JobSpec>(&spec),
                    serde_json::from_str::<JobState>(&state),
                ) else {
                    tracing::warn!(id, "skipping a journal row this version cannot read");
                    continue;
                };
                out.push(StoredJob {
                    id,
                    parent,
                    position,
                    spec,
                    state,
                    done: done.max(0) as u64,
                    total: total.map(|t| t.max(0) as u64),
                });
            }
            Ok(out)
        })
    }

    /// An unfinished job with exactly this spec (a re-run of an interrupted command).
    pub fn find_unfinished(&self, spec: &JobSpec) -> Result<Option<JobId>, JournalError> {
        Ok(self
            .load()?
            .into_iter()
            .find(|j| j.parent.is_none() && !j.state.is_finished() && j.spec == *spec)
            .map(|j| j.id))
    }

    /// Forget finished jobs (done, failed, cancelled); returns how many.
    pub fn clear_finished(&self) -> Result<usize, JournalError> {
        let finished: Vec<JobId> = self
            .load()?
            .into_iter()
            .filter(|j| j.state.is_finished())
            .map(|j| j.id)
            .collect();
        self.with(|c| {
            let mut stmt = c.prepare("DELETE FROM jobs WHERE id = ?1")?;
            for id in &finished {
                stmt.execute(params![id])?;
            }
            Ok(finished.len())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::EntryKind;
    use crate::transfer::spec::{FolderAddr, ItemAddr};

    fn spec() -> JobSpec {
        JobSpec::Delete {
            item: ItemAddr {
                account: "ys".into(),
                id: "1".into(),
                kind: EntryKind::File,
                name: "a".into(),
                size: Some(3),
                md5: None,
                shown: "ys:/a".into(),
            },
        }
    }

    #[test]
    fn jobs_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sqlite");
        let (id, _) = {
            let j = Journal::open(&path).unwrap();
            let r = j.insert(&spec(), None, None).unwrap();
            j.set_state(r.0, &JobState::Running).unwrap();
            j.set_progress(r.0, 2, Some(3)).unwrap();
            r
        };
        let j = Journal::open(&path).unwrap();
        let jobs = j.load().unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].id, id);
        assert_eq!(jobs[0].state, JobState::Running);
        assert_eq!((jobs[0].done, jobs[0].total), (2, Some(3)));
        j.set_state(id, &JobState::Done { note: None }).unwrap();
        assert_eq!(j.clear_finished().unwrap(), 1);
        assert!(j.load().unwrap().is_empty());
        let _ = FolderAddr::local(dir.path());
    }
}
