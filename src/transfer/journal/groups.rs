//! Named groups of jobs (a mirror's row per host), kept beside the jobs in the journal.
//! A folder job's children belong to their parent's group.

use std::collections::HashMap;

use rusqlite::params;

use super::{Journal, JournalError};
use crate::transfer::state::JobId;

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS job_groups (job INTEGER PRIMARY KEY, name TEXT NOT NULL);";

impl Journal {
    /// Put `jobs` in the group `name`.
    pub fn set_group(&self, jobs: &[JobId], name: &str) -> Result<(), JournalError> {
        self.with(|c| {
            c.execute_batch(SCHEMA)?;
            let mut stmt =
                c.prepare("INSERT OR REPLACE INTO job_groups (job, name) VALUES (?1, ?2)")?;
            for id in jobs {
                stmt.execute(params![id, name])?;
            }
            Ok(())
        })
    }

    /// The group of every job that has one, its own or its nearest grouped ancestor's.
    pub fn groups(&self) -> Result<HashMap<JobId, String>, JournalError> {
        let own: HashMap<JobId, String> = self.with(|c| {
            c.execute_batch(SCHEMA)?;
            let mut stmt = c.prepare("SELECT job, name FROM job_groups")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        if own.is_empty() {
            return Ok(own);
        }
        let parents: HashMap<JobId, Option<JobId>> =
            self.load()?.into_iter().map(|j| (j.id, j.parent)).collect();
        let mut out = HashMap::new();
        for &id in parents.keys() {
            let mut at = Some(id);
            for _ in 0..64 {
                let Some(here) = at else { break };
                if let Some(name) = own.get(&here) {
                    out.insert(id, name.clone());
                    break;
                }
                at = parents.get(&here).copied().flatten();
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::EntryKind;
    use crate::transfer::spec::{FolderAddr, ItemAddr, JobSpec};

    fn spec(name: &str) -> JobSpec {
        JobSpec::Copy {
            from: ItemAddr {
                account: "ys".into(),
                id: name.into(),
                kind: EntryKind::Folder,
                name: name.into(),
                size: None,
                md5: None,
                shown: format!("ys:/{name}"),
            },
            to: FolderAddr {
                account: "k2s".into(),
                id: None,
                shown: "k2s:/".into(),
            },
            name: name.into(),
            remove_source: false,
            follow_links: false,
        }
    }

    #[test]
    fn children_belong_to_their_parents_group() {
        let j = Journal::in_memory().unwrap();
        let (a, _) = j.insert(&spec("a"), None, None).unwrap();
        let (child, _) = j.insert(&spec("a/x"), Some(a), None).unwrap();
        let (other, _) = j.insert(&spec("b"), None, None).unwrap();
        j.set_group(&[a], "mirror #1").unwrap();
        let groups = j.groups().unwrap();
        assert_eq!(groups.get(&a).map(String::as_str), Some("mirror #1"));
        assert_eq!(groups.get(&child).map(String::as_str), Some("mirror #1"));
        assert_eq!(groups.get(&other), None);
    }
}
