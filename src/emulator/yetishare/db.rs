//! The site's "database": folders, files and URL-upload jobs, saved as one JSON document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::request::exact_id;

const FIRST_FOLDER_ID: u64 = 101;
const FIRST_FILE_ID: u64 = 1001;
const FIRST_URL_UPLOAD_ID: u64 = 51;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    Active,
    Trash,
    Deleted,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Trash => "trash",
            Status::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Folder {
    pub(super) id: u64,
    pub(super) account_id: u64,
    /// `None` at the root. Not checked on create, as on the real server.
    pub(super) parent_id: Option<u64>,
    pub(super) name: String,
    pub(super) is_public: i64,
    pub(super) access_password: Option<String>,
    pub(super) date_added: String,
    pub(super) date_updated: Option<String>,
    pub(super) status: Status,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct File {
    pub(super) id: u64,
    pub(super) account_id: u64,
    pub(super) folder_id: Option<u64>,
    pub(super) filename: String,
    pub(super) short_url: String,
    pub(super) file_type: String,
    pub(super) extension: String,
    pub(super) size: u64,
    pub(super) md5: String,
    pub(super) status: Status,
    pub(super) downloads: u64,
    pub(super) uploaded_date: String,
    pub(super) last_accessed: Option<String>,
    pub(super) keywords: String,
    pub(super) upload_source: String,
    pub(super) delete_hash: String,
    pub(super) unique_hash: String,
    /// Name of the stored bytes under the blob dir; copies share their original's.
    pub(super) blob: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum JobStatus {
    Pending,
    Downloading,
    Complete,
    Failed,
}

impl JobStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Downloading => "downloading",
            JobStatus::Complete => "complete",
            JobStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct UrlUpload {
    pub(super) id: u64,
    pub(super) account_id: u64,
    pub(super) url: String,
    pub(super) folder_id: Option<u64>,
    pub(super) status: JobStatus,
    pub(super) created: String,
    pub(super) started: Option<String>,
    pub(super) finished: Option<String>,
    pub(super) total_size: u64,
    pub(super) file_id: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Db {
    next_folder_id: u64,
    next_file_id: u64,
    next_url_upload_id: u64,
    pub(super) folders: BTreeMap<u64, Folder>,
    pub(super) files: BTreeMap<u64, File>,
    pub(super) url_uploads: BTreeMap<u64, UrlUpload>,
    /// When each account last authorized.
    pub(super) last_logins: BTreeMap<u64, String>,
    /// Limits set through the test API, and what the accounts used of them.
    pub(super) limits: BTreeMap<u64, super::limits::Limits>,
}

/// Where a move, copy or edit puts something: the literal `null` (any case) is the root;
/// otherwise an active folder of the account, named by its exact id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Destination {
    Root,
    Folder(u64),
}

impl Destination {
    pub(super) fn folder_id(self) -> Option<u64> {
        match self {
            Destination::Root => None,
            Destination::Folder(id) => Some(id),
        }
    }
}

impl Db {
    pub(super) fn allocate_folder_id(&mut self) -> u64 {
        allocate(&mut self.next_folder_id, FIRST_FOLDER_ID)
    }

    pub(super) fn allocate_file_id(&mut self) -> u64 {
        allocate(&mut self.next_file_id, FIRST_FILE_ID)
    }

    pub(super) fn allocate_url_upload_id(&mut self) -> u64 {
        allocate(&mut self.next_url_upload_id, FIRST_URL_UPLOAD_ID)
    }

    /// The account's file, whatever its status.
    pub(super) fn file(&self, account_id: u64, id: Option<u64>) -> Option<&File> {
        self.files
            .get(&id?)
            .filter(|file| file.account_id == account_id)
    }

    pub(super) fn file_mut(&mut self, account_id: u64, id: u64) -> Option<&mut File> {
        self.files
            .get_mut(&id)
            .filter(|file| file.account_id == account_id)
    }

    /// The account's folder, whatever its status.
    pub(super) fn folder(&self, account_id: u64, id: Option<u64>) -> Option<&Folder> {
        self.folders
            .get(&id?)
            .filter(|folder| folder.account_id == account_id)
    }

    pub(super) fn folder_mut(&mut self, account_id: u64, id: u64) -> Option<&mut Folder> {
        self.folders
            .get_mut(&id)
            .filter(|folder| folder.account_id == account_id)
    }

    pub(super) fn active_folder(&self, account_id: u64, id: u64) -> Option<&Folder> {
        self.folder(account_id, Some(id))
            .filter(|folder| folder.status == Status::Active)
    }

    /// Reads a move/copy/edit target; `None` when it names no usable folder.
    pub(super) fn destination(&self, account_id: u64, value: &str) -> Option<Destination> {
        if value.eq_ignore_ascii_case("null") {
            return Some(Destination::Root);
        }
        let id = exact_id(value)?;
        self.active_folder(account_id, id)
            .map(|_| Destination::Folder(id))
    }

    /// Whether `folder` is `ancestor` or lies somewhere below it.
    pub(super) fn is_within(&self, folder: u64, ancestor: u64) -> bool {
        let mut current = Some(folder);
        // A bounded walk, in case stored data holds a cycle.
        for _ in 0..=self.folders.len() {
            match current {
                Some(id) if id == ancestor => return true,
                Some(id) => current = self.folders.get(&id).and_then(|f| f.parent_id),
                None => return false,
            }
        }
        false
    }

    /// Active subfolders, by name.
    pub(super) fn child_folders(&self, account_id: u64, parent: Option<u64>) -> Vec<&Folder> {
        let mut folders: Vec<&Folder> = self
            .folders
            .values()
            .filter(|f| f.account_id == account_id && f.parent_id == parent)
            .filter(|f| f.status == Status::Active)
            .collect();
        folders.sort_by_cached_key(|f| (f.name.to_lowercase(), f.id));
        folders
    }

    /// Active files in a folder, by filename.
    pub(super) fn child_files(&self, account_id: u64, folder: Option<u64>) -> Vec<&File> {
        let mut files: Vec<&File> = self
            .files
            .values()
            .filter(|f| f.account_id == account_id && f.folder_id == folder)
            .filter(|f| f.status == Status::Active)
            .collect();
        files.sort_by_cached_key(|f| (f.filename.to_lowercase(), f.id));
        files
    }

    /// Trashes a folder with everything below it.
    pub(super) fn trash_folder_tree(&mut self, account_id: u64, root: u64) {
        let doomed: Vec<u64> = self
            .folders
            .values()
            .filter(|f| f.account_id == account_id)
            .map(|f| f.id)
            .filter(|&id| self.is_within(id, root))
            .collect();
        for id in &doomed {
            if let Some(folder) = self.folders.get_mut(id) {
                folder.status = Status::Trash;
            }
        }
        for file in self.files.values_mut() {
            if file.account_id == account_id
                && file
                    .folder_id
                    .is_some_and(|folder| doomed.contains(&folder))
            {
                file.status = Status::Trash;
            }
        }
    }

    pub(super) fn has_files(&self, account_id: u64) -> bool {
        self.files.values().any(|f| f.account_id == account_id)
    }
}

fn allocate(next: &mut u64, first: u64) -> u64 {
    let id = (*next).max(first);
    *next = id + 1;
    id
}

const SHORT_URL_DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The short URL of a file id (base 62), like the real site's compact codes.
pub(super) fn short_url(id: u64) -> String {
    let mut code = Vec::new();
    let mut rest = id;
    loop {
        code.push(SHORT_URL_DIGITS[(rest % 62) as usize]);
        rest /= 62;
        if rest == 0 {
            break;
        }
    }
    code.reverse();
    String::from_utf8_lossy(&code).into_owned()
}

/// The file id a short URL stands for.
pub(super) fn id_of_short_url(code: &str) -> Option<u64> {
    code.bytes().try_fold(0u64, |id, digit| {
        let value = SHORT_URL_DIGITS.iter().position(|&d| d == digit)?;
        id.checked_mul(62)?.checked_add(value as u64)
    })
}

/// The extension as the server records it: the text after the last dot, lowercased (the
/// whole name when there is no dot).
pub(super) fn extension_of(filename: &str) -> String {
    filename
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

/// Search keywords from a filename: its words, comma-separated (`button,back,gif`).
pub(super) fn keywords_of(filename: &str) -> String {
    filename
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(",")
}

/// The MIME type the site detects for common extensions.
pub(super) fn mime_type_of(extension: &str) -> &'static str {
    match extension {
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "m3u" => "audio/x-mpegurl",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_urls_are_compact_and_distinct() {
        assert_eq!(short_url(0), "0");
        assert_eq!(short_url(61), "Z");
        assert_eq!(short_url(62), "10");
        assert_ne!(short_url(1001), short_url(1002));
        assert_eq!(id_of_short_url(&short_url(123_456)), Some(123_456));
        assert_eq!(id_of_short_url("no-such"), None);
    }

    #[test]
    fn extensions_and_keywords_follow_the_site() {
        assert_eq!(extension_of("Photo.JPG"), "jpg");
        assert_eq!(extension_of("README"), "readme");
        assert_eq!(keywords_of("button_back.gif"), "button,back,gif");
    }
}
