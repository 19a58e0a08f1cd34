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

#[cfg(test)]
mod tests {
    use super::super::Journal;
    use crate::provider::EntryKind;
    use crate::transfer::spec::{FolderAddr, ItemAddr, JobSpec};

    fn moving(shown: &str) -> JobSpec {
        JobSpec::Move {
            item: ItemAddr {
                account: "ys".into(),
                id: "1".into(),
                kind: EntryKind::File,
                name: "a".into(),
                size: Some(1),
                md5: None,
                shown: shown.into(),
            },
            to: FolderAddr {
                account: "ys".into(),
                id: Some("7".into()),
                shown: "ys:/d/".into(),
            },
            name: "a".into(),
        }
    }

    #[test]
    fn marks_outlive_a_reopening_and_go_with_their_job() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sqlite");
        let (id, _) = {
            let j = Journal::open(&path).unwrap();
            assert_eq!(j.mark(1).unwrap(), None);
            let (id, pos) = j.insert(&moving("ys:/a"), None, None).unwrap();
            j.set_mark(id, Some(r#"{"kind":"fetching","job":"9"}"#))
                .unwrap();
            (id, pos)
        };
        let j = Journal::open(&path).unwrap();
        assert_eq!(
            j.mark(id).unwrap().as_deref(),
            Some(r#"{"kind":"fetching","job":"9"}"#)
        );
        assert_eq!(j.drop_stray_marks().unwrap(), 0);
        j.set_mark(id + 1, Some("{}")).unwrap();
        assert_eq!(j.drop_stray_marks().unwrap(), 1, "no job of that id");
        j.set_mark(id, None).unwrap();
        assert_eq!(j.mark(id).unwrap(), None);
    }

    #[test]
    fn moves_are_found_by_their_source() {
        let j = Journal::in_memory().unwrap();
        j.insert(&moving("ys:/a"), None, None).unwrap();
        j.insert(&moving("ys:/b"), None, None).unwrap();
        assert_eq!(j.moves_of("ys:/a").unwrap(), [moving("ys:/a")]);
        assert!(j.moves_of("ys:/c").unwrap().is_empty());
    }
}
