//! The queued jobs in queue order, grouped so that finding the next job that fits costs a few
//! lookups however long the queue is: light jobs in one line, transfers in one line per set of
//! accounts they use (each account has its own limit, so the head of each line is all that
//! ever needs looking at).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::spec::JobSpec;
use super::state::JobId;

/// A place in the queue: position first, then age.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    pub position: f64,
    pub id: JobId,
}

impl PartialEq for Place {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Place {}
impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Place {
    fn cmp(&self, other: &Self) -> Ordering {
        self.position
            .total_cmp(&other.position)
            .then(self.id.cmp(&other.id))
    }
}

#[derive(Debug, Default)]
pub(super) struct QueueIndex {
    light: BTreeSet<Place>,
    /// Transfers by the (remote) accounts they use.
    transfers: BTreeMap<Vec<String>, BTreeSet<Place>>,
}

fn line_of(spec: &JobSpec) -> Option<Vec<String>> {
    spec.is_transfer()
        .then(|| spec.accounts().into_iter().map(str::to_owned).collect())
}

impl QueueIndex {
    pub fn insert(&mut self, place: Place, spec: &JobSpec) {
        match line_of(spec) {
            None => {
                self.light.insert(place);
            }
            Some(accounts) => {
                self.transfers.entry(accounts).or_default().insert(place);
            }
        }
    }

    pub fn remove(&mut self, place: Place, spec: &JobSpec) {
        match line_of(spec) {
            None => {
                self.light.remove(&place);
            }
            Some(accounts) => {
                if let Some(line) = self.transfers.get_mut(&accounts) {
                    line.remove(&place);
                    if line.is_empty() {
                        self.transfers.remove(&accounts);
                    }
                }
            }
        }
    }

    /// Take `id` out wherever it is (for a job that is gone; slow, never on a normal path).
    pub fn forget(&mut self, id: JobId) {
        self.light.retain(|p| p.id != id);
        for line in self.transfers.values_mut() {
            line.retain(|p| p.id != id);
        }
        self.transfers.retain(|_, line| !line.is_empty());
    }

    /// The first queued light job.
    pub fn next_light(&self) -> Option<JobId> {
        self.light.first().map(|p| p.id)
    }

    /// The first queued transfer among the lines whose accounts all have room.
    pub fn next_transfer(&self, has_room: impl Fn(&str) -> bool) -> Option<JobId> {
        self.transfers
            .iter()
            .filter(|(accounts, _)| accounts.iter().all(|a| has_room(a)))
            .filter_map(|(_, line)| line.first())
            .min()
            .map(|p| p.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::EntryKind;
    use crate::transfer::spec::{FolderAddr, ItemAddr};

    fn download(account: &str) -> JobSpec {
        JobSpec::Copy {
            from: ItemAddr {
                account: account.into(),
                id: "1".into(),
                kind: EntryKind::File,
                name: "f".into(),
                size: None,
                md5: None,
                shown: "f".into(),
            },
            to: FolderAddr::local(std::path::Path::new("/tmp")),
            name: "f".into(),
            remove_source: false,
            follow_links: false,
        }
    }

    #[test]
    fn the_earliest_transfer_whose_accounts_have_room_comes_next() {
        let mut index = QueueIndex::default();
        let (a, b) = (download("a"), download("b"));
        index.insert(
            Place {
                position: 1.0,
                id: 1,
            },
            &a,
        );
        index.insert(
            Place {
                position: 2.0,
                id: 2,
            },
            &b,
        );
        index.insert(
            Place {
                position: 0.5,
                id: 3,
            },
            &a,
        );
        assert_eq!(index.next_transfer(|_| true), Some(3));
        assert_eq!(index.next_transfer(|acc| acc != "a"), Some(2));
        index.remove(
            Place {
                position: 0.5,
                id: 3,
            },
            &a,
        );
        index.remove(
            Place {
                position: 1.0,
                id: 1,
            },
            &a,
        );
        assert_eq!(index.next_transfer(|_| true), Some(2));
        // A job that is gone comes out by id alone.
        index.forget(2);
        assert_eq!(index.next_transfer(|_| true), None);
        assert_eq!(index.next_light(), None);
    }
}
