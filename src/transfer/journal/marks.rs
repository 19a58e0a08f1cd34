//! What a job left on a host and had not finished when it stopped (bytes sent but not moved
//! into place, a fetch the destination host was asked for), kept beside the job so a re-run
//! after a `kill -9` finishes it instead of doing it again. Cleared once the job is done.

use rusqlite::{OptionalExtension, params};

use super::{Journal, JournalError};
use crate::transfer::state::JobId;

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS job_marks (job INTEGER PRIMARY KEY, mark TEXT NOT NULL);";

impl Journal {
    /// The job's mark (JSON), if it has one.
    pub fn mark(&self, job: JobId) -> Result<Option<String>, JournalError> {
        self.with(|c| {
            c.execute_batch(SCHEMA)?;
            c.query_row(
                "SELECT mark FROM job_marks WHERE job = ?1",
                params![job],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Set (or with `None` clear) the job's mark.
    pub fn set_mark(&self, job: JobId, mark: Option<&str>) -> Result<(), JournalError> {
        self.with(|c| {
            c.execute_batch(SCHEMA)?;
            match mark {
                Some(mark) => c.execute(
                    "INSERT OR REPLACE INTO job_marks (job, mark) VALUES (?1, ?2)",
                    params![job, mark],
                ),
                None => c.execute("DELETE FROM job_marks WHERE job = ?1", params![job]),
            }
            .map(|_| ())
        })
    }

    /// Forget the marks of jobs the journal no longer holds (pruned, cleared).
    pub fn drop_stray_marks(&self) -> Result<usize, JournalError> {
        self.with(|c| {
            c.execute_batch(SCHEMA)?;
            c.execute(
                "DELETE FROM job_marks WHERE job NOT IN (SELECT id FROM jobs)",
                [],
            )
        })
    }
}
