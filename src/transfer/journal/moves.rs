//! A move run again after it went through finds its source gone: the journal's move of that
//! source tells the run what it had done, so it checks the result instead of failing.

use rusqlite::params;

use super::{COLUMNS, Journal, JournalError, StoredJob, query_jobs};
use crate::transfer::spec::JobSpec;

impl Journal {
    /// The journal's moves (on one account, or across: a copy that removes its source) of the
    /// entry a person knows as `shown`, newest first.
    pub fn moves_of(&self, shown: &str) -> Result<Vec<JobSpec>, JournalError> {
        let jobs: Vec<StoredJob> = self.with(|c| {
            query_jobs(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM jobs
                     WHERE (json_extract(spec, '$.op') = 'move'
                            AND json_extract(spec, '$.item.shown') = ?1)
                        OR (json_extract(spec, '$.op') = 'copy'
                            AND json_extract(spec, '$.remove_source')
                            AND json_extract(spec, '$.from.shown') = ?1)
                     ORDER BY id DESC"
                ),
                params![shown],
            )
        })?;
        Ok(jobs.into_iter().map(|j| j.spec).collect())
    }
}
