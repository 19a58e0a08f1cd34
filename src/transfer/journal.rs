//! The queue journal: every job and its state in SQLite, so a `kill -9` loses nothing.
//!
//! WAL mode: each state change is its own small transaction, durable once written. It holds
//! addresses and names only; no secrets and no URLs that grant access.

mod groups;
mod marks;
mod moves;

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

/// How long finished jobs (done, failed, cancelled) stay in the journal: a finished job goes
/// once it is no longer among the last `keep` finished ones, or older than `days`. Jobs that
/// unfinished ones hang from (their folder jobs) and an unfinished folder's children stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: usize,
    pub days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            keep: 1000,
            days: 30,
        }
    }
}

/// Finished jobs read at start at most (the rest stay in the journal until pruned).
pub const RECENT_FINISHED: usize = 1000;

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
    updated INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    key TEXT
);
CREATE INDEX IF NOT EXISTS jobs_position ON jobs(position);
";

/// Indexes of schema version 2 (after its columns exist).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS jobs_open ON jobs(id) WHERE status = 0;
CREATE INDEX IF NOT EXISTS jobs_closed ON jobs(id) WHERE status > 0;
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent) WHERE parent IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key);
";

const SCHEMA_VERSION: i64 = 2;

/// `status`: 0 unfinished, 1 done, 2 failed or cancelled.
fn status(state: &JobState) -> i64 {
    match state {
        JobState::Done { .. } => 1,
        JobState::Failed { .. } | JobState::Cancelled => 2,
        _ => 0,
    }
}

/// The columns every read of whole jobs takes.
const COLUMNS: &str = "id, parent, position, spec, state, done, total";

/// Jobs that unfinished jobs hang from (the folder jobs they were expanded from, up to the
/// one a person asked for).
const ANCESTORS_OF_OPEN: &str = "
    up(id) AS (
        SELECT parent FROM jobs WHERE status = 0 AND parent IS NOT NULL
        UNION
        SELECT j.parent FROM jobs j JOIN up ON j.id = up.id WHERE j.parent IS NOT NULL
    )";

/// Finished jobs that must stay: those unfinished jobs hang from, and the children of
/// unfinished folder jobs (a folder job that runs again skips the children it queued).
const KEPT_FINISHED: &str = "
    SELECT id FROM up
    UNION
    SELECT j.id FROM jobs j JOIN jobs p ON j.parent = p.id WHERE p.status = 0";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

type Row = (i64, Option<i64>, f64, String, String, i64, Option<i64>);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// A row as a job; rows this version cannot read are skipped.
fn decode((id, parent, position, spec, state, done, total): Row) -> Option<StoredJob> {
    let (Ok(spec), Ok(state)) = (
        serde_json::from_str::<JobSpec>(&spec),
        serde_json::from_str::<JobState>(&state),
    ) else {
        tracing::warn!(id, "skipping a journal row this version cannot read");
        return None;
    };
    Some(StoredJob {
        id,
        parent,
        position,
        spec,
        state,
        done: done.max(0) as u64,
        total: total.map(|t| t.max(0) as u64),
    })
}

fn query_jobs(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<StoredJob>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map(params, row)?;
    let mut out = Vec::new();
    for r in rows {
        out.extend(decode(r?));
    }
    Ok(out)
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
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if version < SCHEMA_VERSION {
            upgrade(&conn).map_err(err)?;
        }
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
        let key = spec.key();
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
                "INSERT INTO jobs (parent, position, spec, state, updated, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![parent, position, spec, state, now(), key],
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
            .map(|s| Ok((self.encode(s)?, s.key())))
            .collect::<Result<Vec<_>, JournalError>>()?;
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
                    "INSERT INTO jobs (parent, position, spec, state, updated, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                let now = now();
                for (spec, key) in &encoded {
                    position += 1.0;
                    insert.execute(params![parent, position, spec, state, now, key])?;
                    out.push((tx.last_insert_rowid(), position));
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    pub fn set_state(&self, id: JobId, state: &JobState) -> Result<(), JournalError> {
        let code = status(state);
        let state = self.encode(state)?;
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET state = ?1, status = ?2, updated = ?3 WHERE id = ?4",
                params![state, code, now(), id],
            )
            .map(|_| ())
        })
    }

    /// Several jobs' states in one transaction (a start pausing what a crash left running).
    pub fn set_states(&self, states: &[(JobId, JobState)]) -> Result<(), JournalError> {
        let encoded = states
            .iter()
            .map(|(id, s)| Ok((*id, self.encode(s)?, status(s))))
            .collect::<Result<Vec<_>, JournalError>>()?;
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            {
                let mut update = tx.prepare_cached(
                    "UPDATE jobs SET state = ?1, status = ?2, updated = ?3 WHERE id = ?4",
                )?;
                let now = now();
                for (id, state, code) in &encoded {
                    update.execute(params![state, code, now, id])?;
                }
            }
            tx.commit()
        })
    }

    /// The job's spec as a re-run of its command gives it (a source's new size, say).
    pub fn set_spec(&self, id: JobId, spec: &JobSpec) -> Result<(), JournalError> {
        let key = spec.key();
        let spec = self.encode(spec)?;
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET spec = ?1, key = ?2 WHERE id = ?3",
                params![spec, key, id],
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

    /// Every job, in queue order (`haul queue ls --all`). Rows this version cannot read are
    /// skipped.
    pub fn load(&self) -> Result<Vec<StoredJob>, JournalError> {
        self.with(|c| {
            query_jobs(
                c,
                &format!("SELECT {COLUMNS} FROM jobs ORDER BY position, id"),
                [],
            )
        })
    }

    /// What a start needs, in queue order: every unfinished job, the jobs they hang from, and
    /// the last `recent` finished ones. However long the history, this reads a bounded part.
    pub fn load_recent(&self, recent: usize) -> Result<Vec<StoredJob>, JournalError> {
        let recent = i64::try_from(recent).unwrap_or(i64::MAX);
        self.with(|c| {
            query_jobs(
                c,
                &format!(
                    "WITH RECURSIVE {ANCESTORS_OF_OPEN},
                     wanted(id) AS (
                        SELECT id FROM jobs WHERE status = 0
                        UNION SELECT id FROM up
                        UNION SELECT id FROM (SELECT id FROM jobs WHERE status > 0 ORDER BY id DESC LIMIT ?1)
                     )
                     SELECT {COLUMNS} FROM jobs WHERE id IN wanted ORDER BY position, id"
                ),
                params![recent],
            )
        })
    }

    /// Whether the journal holds more than `n` finished jobs (cheap however many it holds).
    pub fn finished_beyond(&self, n: usize) -> Result<bool, JournalError> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT id FROM jobs WHERE status > 0 ORDER BY id DESC LIMIT 1 OFFSET ?1)",
                params![n],
                |r| r.get(0),
            )
        })
    }

    /// How many jobs the journal holds, and how many of them are finished (reads them all).
    pub fn counts(&self) -> Result<(u64, u64), JournalError> {
        self.with(|c| {
            let all: i64 = c.query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get(0))?;
            let finished: i64 =
                c.query_row("SELECT COUNT(*) FROM jobs WHERE status > 0", [], |r| {
                    r.get(0)
                })?;
            Ok((all.max(0) as u64, finished.max(0) as u64))
        })
    }

    /// The specs of the jobs a folder job queued.
    pub fn children(&self, parent: JobId) -> Result<Vec<JobSpec>, JournalError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT spec FROM jobs WHERE parent = ?1")?;
            let rows = stmt.query_map(params![parent], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for spec in rows {
                out.extend(serde_json::from_str::<JobSpec>(&spec?).ok());
            }
            Ok(out)
        })
    }

    /// A re-run of `spec`: the journal's jobs with the same kind, source and destination, and
    /// everything expanded from them, in queue order. When some of it is not done (an
    /// interrupted run; failed or cancelled jobs too) only those; when all of it is done, all
    /// of it (the command runs again on the same jobs: each finds its file already there, a
    /// folder picks up what is new). Empty when the journal holds no such job.
    pub fn adoptable(&self, spec: &JobSpec) -> Result<Vec<StoredJob>, JournalError> {
        let key = spec.key();
        let tree = self.with(|c| {
            query_jobs(
                c,
                &format!(
                    "WITH RECURSIVE tree(id) AS (
                        SELECT id FROM jobs WHERE key = ?1
                        UNION
                        SELECT j.id FROM jobs j JOIN tree t ON j.parent = t.id
                     )
                     SELECT {COLUMNS} FROM jobs WHERE id IN tree ORDER BY position, id"
                ),
                params![key],
            )
        })?;
        let is_done = |j: &StoredJob| matches!(j.state, JobState::Done { .. });
        if tree.iter().all(is_done) {
            return Ok(tree);
        }
        Ok(tree.into_iter().filter(|j| !is_done(j)).collect())
    }

    /// Forget finished jobs (done, failed, cancelled) but those unfinished ones still need;
    /// returns how many went.
    pub fn clear_finished(&self) -> Result<usize, JournalError> {
        self.with(|c| {
            c.execute(
                &format!(
                    "WITH RECURSIVE {ANCESTORS_OF_OPEN}
                     DELETE FROM jobs WHERE status > 0 AND id NOT IN ({KEPT_FINISHED})"
                ),
                [],
            )
        })
    }

    /// Forget finished jobs beyond `retention` (see [`Retention`]); returns how many went.
    /// Cheap when there is nothing to forget.
    pub fn prune(&self, retention: Retention) -> Result<usize, JournalError> {
        let keep = i64::try_from(retention.keep).unwrap_or(i64::MAX);
        let cutoff = now().saturating_sub(i64::from(retention.days) * 86_400);
        self.with(|c| {
            // The newest finished job that goes for being one too many (none if few enough).
            let beyond: Option<i64> = c
                .query_row(
                    "SELECT id FROM jobs WHERE status > 0 ORDER BY id DESC LIMIT 1 OFFSET ?1",
                    params![keep],
                    |r| r.get(0),
                )
                .optional()?;
            let stale: Option<i64> = c
                .query_row(
                    "SELECT id FROM jobs WHERE status > 0 AND updated < ?1 LIMIT 1",
                    params![cutoff],
                    |r| r.get(0),
                )
                .optional()?;
            if beyond.is_none() && stale.is_none() {
                return Ok(0);
            }
            c.execute(
                &format!(
                    "WITH RECURSIVE {ANCESTORS_OF_OPEN}
                     DELETE FROM jobs WHERE status > 0
                       AND (id <= ?1 OR updated < ?2)
                       AND id NOT IN ({KEPT_FINISHED})"
                ),
                params![beyond.unwrap_or(0), cutoff],
            )
        })
    }
}

/// Bring a journal to [`SCHEMA_VERSION`]: the status and key columns, filled from each row's
/// state and spec, and their indexes. Runs once per journal, in one transaction.
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    let columns: Vec<String> = {
        let mut stmt = tx.prepare("SELECT name FROM pragma_table_info('jobs')")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if !columns.iter().any(|c| c == "status") {
        tx.execute_batch("ALTER TABLE jobs ADD COLUMN status INTEGER NOT NULL DEFAULT 0")?;
    }
    if !columns.iter().any(|c| c == "key") {
        tx.execute_batch("ALTER TABLE jobs ADD COLUMN key TEXT")?;
    }
    {
        let mut read = tx.prepare("SELECT id, spec, state FROM jobs WHERE key IS NULL")?;
        let rows = read
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut write = tx.prepare("UPDATE jobs SET key = ?1, status = ?2 WHERE id = ?3")?;
        for (id, spec, state) in rows {
            let key = serde_json::from_str::<JobSpec>(&spec).map(|s| s.key()).ok();
            let code = serde_json::from_str::<JobState>(&state)
                .map(|s| status(&s))
                .unwrap_or(0);
            write.execute(params![key, code, id])?;
        }
    }
    tx.execute_batch(INDEXES)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

#[cfg(test)]
mod tests;
