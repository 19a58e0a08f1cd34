//! The site's "database": folders, files, deleted files, URL-upload jobs and daily counters,
//! saved as one JSON document. Names are kept in their stored (Latin-1) form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Folder ids start at a realistic size.
const FIRST_FOLDER_ID: u64 = 211_601;
const FIRST_FILE_ID: u64 = 1;
/// The root, as `fld_id`.
pub(super) const ROOT: u64 = 0;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Folder {
    pub(super) id: u64,
    pub(super) owner: u64,
    /// [`ROOT`] for a top-level folder.
    pub(super) parent: u64,
    pub(super) name: String,
    pub(super) created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct File {
    pub(super) id: u64,
    pub(super) code: String,
    pub(super) owner: u64,
    pub(super) folder: u64,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) md5: String,
    pub(super) uploaded: String,
    pub(super) downloads: u64,
    pub(super) public: bool,
    /// Name of the stored bytes under the blob dir; clones share their original's.
    pub(super) blob: String,
}

/// A file gone from the account, as `files/deleted` lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct DeletedFile {
    pub(super) owner: u64,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) deleted: String,
    /// Unix time of `deleted`, for `deleted_ago_sec`.
    pub(super) deleted_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum JobState {
    Pending,
    Working,
    Done,
    Failed,
}

impl JobState {
    /// The upper-case word the status check reports (FileQ's `WORKING` hints at this style).
    pub(super) fn word(self) -> &'static str {
        match self {
            JobState::Pending => "PENDING",
            JobState::Working => "WORKING",
            JobState::Done => "OK",
            JobState::Failed => "ERROR",
        }
    }
}

/// A remote URL upload; its file gets `code` when done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct UrlUpload {
    pub(super) id: u64,
    pub(super) code: String,
    pub(super) owner: u64,
    pub(super) url: String,
    pub(super) folder: u64,
    pub(super) state: JobState,
    pub(super) created: String,
    /// Bytes received so far.
    pub(super) received: u64,
    /// The size the source announced, if it did.
    pub(super) size: Option<u64>,
}

/// One account's counters for one day (`account/stats`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(super) struct DayCount {
    pub(super) downloads: u64,
    pub(super) views: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Db {
    next_folder_id: u64,
    next_file_id: u64,
    pub(super) folders: BTreeMap<u64, Folder>,
    /// By file code.
    pub(super) files: BTreeMap<String, File>,
    pub(super) deleted: Vec<DeletedFile>,
    /// Files the site took down, as `files/dmca` lists them.
    pub(super) dmca: Vec<DeletedFile>,
    /// Download traffic left per account id, once set through the test API (else unlimited
    /// and not reported).
    pub(super) traffic_left: BTreeMap<u64, u64>,
    /// Storage quota per account id set through the test API (else the account's own).
    pub(super) storage_quota: BTreeMap<u64, u64>,
    /// By the code the job's file will get.
    pub(super) url_uploads: BTreeMap<String, UrlUpload>,
    /// Account id -> `YYYY-MM-DD` -> counts.
    pub(super) days: BTreeMap<u64, BTreeMap<String, DayCount>>,
}

impl Db {
    pub(super) fn allocate_folder_id(&mut self) -> u64 {
        let id = self.next_folder_id.max(FIRST_FOLDER_ID);
        self.next_folder_id = id + 1;
        id
    }

    /// A new file id and the code that goes with it.
    pub(super) fn allocate_file(&mut self) -> (u64, String) {
        let id = self.next_file_id.max(FIRST_FILE_ID);
        self.next_file_id = id + 1;
        (id, file_code(id))
    }

    /// The account's folder; [`ROOT`] is not a row.
    pub(super) fn folder(&self, owner: u64, id: u64) -> Option<&Folder> {
        self.folders.get(&id).filter(|folder| folder.owner == owner)
    }

    /// Whether `fld_id` names the root or one of the account's folders.
    pub(super) fn is_own_place(&self, owner: u64, id: i64) -> bool {
        id == 0 || u64::try_from(id).is_ok_and(|id| self.folder(owner, id).is_some())
    }

    pub(super) fn own_file(&self, owner: u64, code: &str) -> Option<&File> {
        self.files.get(code).filter(|file| file.owner == owner)
    }

    /// The account's files, newest first.
    pub(super) fn files_of(&self, owner: u64) -> Vec<&File> {
        let mut files: Vec<&File> = self.files.values().filter(|f| f.owner == owner).collect();
        files.sort_by_key(|file| std::cmp::Reverse(file.id));
        files
    }

    /// Subfolders of a folder, by name.
    pub(super) fn child_folders(&self, owner: u64, parent: u64) -> Vec<&Folder> {
        let mut folders: Vec<&Folder> = self
            .folders
            .values()
            .filter(|f| f.owner == owner && f.parent == parent)
            .collect();
        folders.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        folders
    }

    /// Files directly in a folder, by name.
    pub(super) fn child_files(&self, owner: u64, folder: u64) -> Vec<&File> {
        let mut files: Vec<&File> = self
            .files
            .values()
            .filter(|f| f.owner == owner && f.folder == folder)
            .collect();
        files.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        files
    }

    /// The account's storage quota in bytes (`None`: unlimited).
    pub(super) fn storage_quota_of(&self, account: &super::accounts::Account) -> Option<u64> {
        self.storage_quota
            .get(&account.id)
            .copied()
            .or(account.storage_quota)
    }

    /// Whether `bytes` more fit in the account's storage.
    pub(super) fn has_room(&self, account: &super::accounts::Account, bytes: u64) -> bool {
        self.storage_quota_of(account)
            .is_none_or(|quota| self.storage_used(account.id).saturating_add(bytes) <= quota)
    }

    pub(super) fn storage_used(&self, owner: u64) -> u64 {
        self.files
            .values()
            .filter(|f| f.owner == owner)
            .map(|f| f.size)
            .sum()
    }

    pub(super) fn has_files(&self, owner: u64) -> bool {
        self.files.values().any(|f| f.owner == owner)
    }

    pub(super) fn count_day(&mut self, owner: u64, day: String, count: impl FnOnce(&mut DayCount)) {
        count(self.days.entry(owner).or_default().entry(day).or_default());
    }
}

/// Codes are `[a-z0-9]{12}`: the id scrambled by a bijection modulo 36^12, so they look random
/// yet never collide.
const CODE_SPACE: u128 = 36u128.pow(12);
/// Coprime with 36^12 (odd, not a multiple of 3), near 36^12 divided by the golden ratio.
const CODE_MULTIPLIER: u128 = 2_928_480_718_831_278_593;
const CODE_OFFSET: u128 = 1_234_567_890_123_456_789;
const CODE_DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

pub(super) fn file_code(id: u64) -> String {
    let mut rest = (u128::from(id) * CODE_MULTIPLIER + CODE_OFFSET) % CODE_SPACE;
    let mut code = [b'0'; 12];
    for digit in code.iter_mut().rev() {
        *digit = CODE_DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    code.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_codes_are_twelve_lowercase_alphanumerics_and_distinct() {
        let codes: std::collections::BTreeSet<String> = (1..5000).map(file_code).collect();
        assert_eq!(codes.len(), 4999);
        for code in &codes {
            assert_eq!(code.len(), 12);
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            );
        }
        assert_eq!(file_code(7), file_code(7));
    }
}
