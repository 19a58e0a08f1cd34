//! Recent listings of upload destinations. Every upload checks its destination for a file of
//! the same name; a folder of 10,000 files going into one remote folder would otherwise list
//! that folder 10,000 times while it grows (tens of millions of entries over the wire). A
//! listing is reused for [`FRESH_FOR`], kept current with what this engine uploads and
//! deletes there, and forgotten for an account whenever another kind of job touches it. A
//! retry always lists afresh (it must see whether the interrupted upload completed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::provider::{Entry, FolderId};

/// How long a listing stands in for the host's.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// Account name and folder.
type Key = (String, String);

#[derive(Default)]
pub struct FolderCache {
    folders: Mutex<HashMap<Key, Listing>>,
    /// One listing at a time per folder: uploads starting together wait for the first.
    listing: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

struct Listing {
    by_name: HashMap<String, Vec<Entry>>,
    listed: Instant,
}

fn key(account: &str, folder: &FolderId) -> Key {
    let folder = match folder {
        FolderId::Root => String::new(),
        FolderId::Id(id) => format!("#{id}"),
    };
    (account.to_string(), folder)
}

impl FolderCache {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Key, Listing>) -> T) -> T {
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut folders)
    }

    /// Held while listing `folder`, so that workers starting together list it once.
    pub async fn listing_lock(
        &self,
        account: &str,
        folder: &FolderId,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self
            .listing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(key(account, folder))
            .or_default()
            .clone();
        lock.lock_owned().await
    }

    /// Whether a listing of `folder` younger than [`FRESH_FOR`] is at hand.
    pub fn is_fresh(&self, account: &str, folder: &FolderId) -> bool {
        self.with(|f| {
            f.get(&key(account, folder))
                .is_some_and(|l| l.listed.elapsed() < FRESH_FOR)
        })
    }

    /// Keep `entries`, just listed from the host.
    pub fn put(&self, account: &str, folder: &FolderId, entries: Vec<Entry>) {
        let mut by_name: HashMap<String, Vec<Entry>> = HashMap::new();
        for e in entries {
            by_name.entry(e.name.clone()).or_default().push(e);
        }
        self.with(|f| {
            f.insert(
                key(account, folder),
                Listing {
                    by_name,
                    listed: Instant::now(),
                },
            )
        });
    }

    /// The entries named `name` in the kept listing (none if there is none).
    pub fn named(&self, account: &str, folder: &FolderId, name: &str) -> Vec<Entry> {
        self.with(|f| {
            f.get(&key(account, folder))
                .and_then(|l| l.by_name.get(name).cloned())
                .unwrap_or_default()
        })
    }

    /// Whether the kept listing has something named `name`.
    pub fn is_taken(&self, account: &str, folder: &FolderId, name: &str) -> bool {
        self.with(|f| {
            f.get(&key(account, folder))
                .is_some_and(|l| l.by_name.contains_key(name))
        })
    }

    /// `entry` was just uploaded into `folder`.
    pub fn added(&self, account: &str, folder: &FolderId, entry: Entry) {
        self.with(|f| {
            if let Some(l) = f.get_mut(&key(account, folder)) {
                l.by_name.entry(entry.name.clone()).or_default().push(entry);
            }
        });
    }

    /// The entry `id` named `name` was just deleted from `folder`.
    pub fn removed(&self, account: &str, folder: &FolderId, name: &str, id: &str) {
        self.with(|f| {
            if let Some(l) = f.get_mut(&key(account, folder))
                && let Some(same) = l.by_name.get_mut(name)
            {
                same.retain(|e| e.id != id);
                if same.is_empty() {
                    l.by_name.remove(name);
                }
            }
        });
    }

    /// Something may have changed `folder`: list it afresh next time.
    pub fn forget_folder(&self, account: &str, folder: &FolderId) {
        self.with(|f| f.remove(&key(account, folder)));
    }

    /// Something else changed `account`: list its folders afresh next time.
    pub fn forget_account(&self, account: &str) {
        self.with(|f| f.retain(|(a, _), _| a != account));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::EntryKind;

    fn file(id: &str, name: &str) -> Entry {
        Entry {
            id: id.into(),
            name: name.into(),
            kind: EntryKind::File,
            size: Some(1),
            modified: None,
            parent: FolderId::Root,
            md5: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn a_listing_follows_uploads_and_deletes_until_the_account_changes() {
        let cache = FolderCache::default();
        let dir = FolderId::Id("7".into());
        assert!(!cache.is_fresh("ys", &dir));
        cache.put("ys", &dir, vec![file("1", "a.txt")]);
        assert!(cache.is_fresh("ys", &dir));
        assert!(!cache.is_fresh("ys", &FolderId::Root), "folders are apart");
        assert!(!cache.is_fresh("k2s", &dir), "accounts are apart");
        cache.added("ys", &dir, file("2", "a.txt"));
        cache.added("ys", &dir, file("3", "b.txt"));
        assert_eq!(cache.named("ys", &dir, "a.txt").len(), 2);
        cache.removed("ys", &dir, "a.txt", "1");
        let left: Vec<String> = cache
            .named("ys", &dir, "a.txt")
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(left, ["2"]);
        assert!(cache.is_taken("ys", &dir, "b.txt"));
        assert!(!cache.is_taken("ys", &dir, "c.txt"));
        cache.forget_account("ys");
        assert!(!cache.is_fresh("ys", &dir));
        assert!(cache.named("ys", &dir, "b.txt").is_empty());
    }
}
