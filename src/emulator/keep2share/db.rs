//! The site's "database": every account's files and folders in one id space (13 hex
//! characters), remote-upload jobs, and the secret that signs upload forms and download links.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Files and folders one folder may hold (errorCode 61 past it).
pub(super) const FOLDER_ITEM_LIMIT: usize = 50_000;
/// Remote-upload job ids are numbers like the doc's `"46564421"`.
const FIRST_JOB_ID: u64 = 46_564_421;
const ID_LEN: usize = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Access {
    Public,
    Private,
    Premium,
}

impl Access {
    pub(super) fn parse(text: &str) -> Option<Self> {
        match text {
            "public" => Some(Access::Public),
            "private" => Some(Access::Private),
            "premium" => Some(Access::Premium),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Private => "private",
            Access::Premium => "premium",
        }
    }
}

/// What only files have.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Content {
    pub(super) size: u64,
    pub(super) md5: String,
    /// SHA-1 of the first 5 MiB, for `findByFirst5MbSha1Hash`.
    pub(super) head_sha1: String,
    /// Name of the stored bytes under the blob dir; copies made by hash share it.
    pub(super) blob: String,
    pub(super) content_type: String,
    pub(super) downloads: u64,
    /// Unix seconds.
    pub(super) last_download: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Node {
    pub(super) id: String,
    pub(super) account_id: u64,
    /// `None` at the root.
    pub(super) parent: Option<String>,
    pub(super) name: String,
    pub(super) access: Access,
    /// A folder's "Public Folder" flag (its listing and info are visible to others).
    pub(super) is_public: bool,
    /// Unix seconds.
    pub(super) created: i64,
    /// Creation order: the default listing order and the tie-breaker of the others.
    pub(super) seq: u64,
    /// `None` for a folder.
    pub(super) content: Option<Content>,
}

impl Node {
    pub(super) fn is_folder(&self) -> bool {
        self.content.is_none()
    }

    pub(super) fn size(&self) -> u64 {
        self.content.as_ref().map_or(0, |content| content.size)
    }
}

/// Remote-upload job states, with their numbers on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum JobStatus {
    New,
    Processing,
    Completed,
    Error,
    Accepted,
}

impl JobStatus {
    pub(super) fn code(self) -> u8 {
        match self {
            JobStatus::New => 1,
            JobStatus::Processing => 2,
            JobStatus::Completed => 3,
            JobStatus::Error => 4,
            JobStatus::Accepted => 5,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Job {
    pub(super) id: u64,
    pub(super) account_id: u64,
    pub(super) url: String,
    pub(super) status: JobStatus,
    /// Percent.
    pub(super) progress: u8,
    pub(super) file_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Db {
    /// Hex key that signs upload forms and download links; kept so they survive a restart.
    pub(super) secret: String,
    next_seq: u64,
    next_job_id: u64,
    pub(super) nodes: BTreeMap<String, Node>,
    pub(super) jobs: BTreeMap<u64, Job>,
    /// Files that are not available, by id (the test API sets them).
    pub(super) lives: BTreeMap<String, super::life::Life>,
    /// Download traffic left per account id, once set or spent (else the account's own).
    pub(super) traffic_left: BTreeMap<u64, u64>,
    /// Storage quota per account id set through the test API.
    pub(super) disk_quota: BTreeMap<u64, u64>,
}

impl Db {
    /// A fresh random id.
    pub(super) fn new_id(&self) -> String {
        loop {
            let id = hex::encode(rand::random::<[u8; 7]>())[..ID_LEN].to_string();
            if !self.nodes.contains_key(&id) {
                return id;
            }
        }
    }

    /// The same id for the same seeded path of the same account, run after run.
    pub(super) fn seeded_id(&self, account_id: u64, path: &str) -> String {
        let digest = Sha256::digest(format!("keep2share seed {account_id} {path}"));
        let id = hex::encode(digest)[..ID_LEN].to_string();
        if self.nodes.contains_key(&id) {
            self.new_id()
        } else {
            id
        }
    }

    pub(super) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub(super) fn allocate_job_id(&mut self) -> u64 {
        let id = self.next_job_id.max(FIRST_JOB_ID);
        self.next_job_id = id + 1;
        id
    }

    /// The account's file or folder.
    pub(super) fn owned(&self, account_id: u64, id: &str) -> Option<&Node> {
        self.nodes
            .get(id)
            .filter(|node| node.account_id == account_id)
    }

    /// `'/'` is the root; otherwise one of the account's folders. `None` when it names none.
    pub(super) fn parent_of(&self, account_id: u64, value: &str) -> Option<Option<String>> {
        if value == "/" {
            return Some(None);
        }
        self.owned(account_id, value)
            .filter(|node| node.is_folder())
            .map(|node| Some(node.id.clone()))
    }

    pub(super) fn children<'a>(
        &'a self,
        account_id: u64,
        parent: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes
            .values()
            .filter(move |node| node.account_id == account_id && node.parent.as_deref() == parent)
    }

    /// Whether `extra` more items fit in the folder.
    pub(super) fn has_room(&self, account_id: u64, parent: Option<&str>, extra: usize) -> bool {
        self.children(account_id, parent)
            .count()
            .saturating_add(extra)
            <= FOLDER_ITEM_LIMIT
    }

    pub(super) fn used_bytes(&self, account_id: u64) -> u64 {
        self.nodes
            .values()
            .filter(|node| node.account_id == account_id)
            .map(Node::size)
            .sum()
    }

    /// Any stored file with this content, whoever owns it.
    pub(super) fn by_md5(&self, md5: &str) -> Option<&Node> {
        self.nodes.values().find(|node| {
            node.content
                .as_ref()
                .is_some_and(|content| content.md5.eq_ignore_ascii_case(md5))
        })
    }

    pub(super) fn by_head_sha1(&self, sha1: &str) -> Option<&Node> {
        self.nodes.values().find(|node| {
            node.content
                .as_ref()
                .is_some_and(|content| content.head_sha1.eq_ignore_ascii_case(sha1))
        })
    }

    pub(super) fn blob_in_use(&self, blob: &str) -> bool {
        self.nodes.values().any(|node| {
            node.content
                .as_ref()
                .is_some_and(|content| content.blob == blob)
        })
    }

    /// Whether `folder` is `ancestor` or lies somewhere below it.
    pub(super) fn is_within(&self, folder: &str, ancestor: &str) -> bool {
        let mut current = Some(folder.to_string());
        // A bounded walk, in case stored data holds a cycle.
        for _ in 0..=self.nodes.len() {
            match current {
                Some(id) if id == ancestor => return true,
                Some(id) => current = self.nodes.get(&id).and_then(|node| node.parent.clone()),
                None => return false,
            }
        }
        false
    }

    /// `/A/B` for a folder B in A; `/` for the root.
    pub(super) fn path_of(&self, id: Option<&str>) -> String {
        let mut names = Vec::new();
        let mut current = id.map(str::to_string);
        for _ in 0..=self.nodes.len() {
            let Some(node) = current.as_ref().and_then(|id| self.nodes.get(id)) else {
                break;
            };
            names.push(node.name.clone());
            current = node.parent.clone();
        }
        names.reverse();
        format!("/{}", names.join("/"))
    }

    /// Removes the node and everything below it; returns the blobs no file uses any more.
    pub(super) fn remove_tree(&mut self, id: &str) -> Vec<String> {
        let doomed: Vec<String> = self
            .nodes
            .keys()
            .filter(|candidate| self.is_within(candidate, id))
            .cloned()
            .collect();
        let mut blobs = Vec::new();
        for id in doomed {
            if let Some(content) = self.nodes.remove(&id).and_then(|node| node.content) {
                blobs.push(content.blob);
            }
        }
        blobs.sort();
        blobs.dedup();
        blobs.retain(|blob| !self.blob_in_use(blob));
        blobs
    }

    pub(super) fn has_nodes(&self, account_id: u64) -> bool {
        self.nodes
            .values()
            .any(|node| node.account_id == account_id)
    }
}

/// The MIME type the host records for common extensions.
pub(super) fn content_type_of(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" | "md" | "csv" | "m3u" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(db: &mut Db, id: &str, parent: Option<&str>, name: &str) {
        let seq = db.next_seq();
        db.nodes.insert(
            id.to_string(),
            Node {
                id: id.to_string(),
                account_id: 1,
                parent: parent.map(str::to_string),
                name: name.to_string(),
                access: Access::Public,
                is_public: false,
                created: 0,
                seq,
                content: None,
            },
        );
    }

    #[test]
    fn paths_and_subtrees() {
        let mut db = Db::default();
        folder(&mut db, "a", None, "Docs");
        folder(&mut db, "b", Some("a"), "Old");
        folder(&mut db, "c", None, "Music");
        assert_eq!(db.path_of(Some("b")), "/Docs/Old");
        assert_eq!(db.path_of(None), "/");
        assert!(db.is_within("b", "a"));
        assert!(!db.is_within("c", "a"));
        assert_eq!(db.parent_of(1, "/"), Some(None));
        assert_eq!(db.parent_of(1, "a"), Some(Some("a".to_string())));
        assert_eq!(db.parent_of(2, "a"), None);
        db.remove_tree("a");
        assert_eq!(db.nodes.len(), 1);
    }

    #[test]
    fn ids_are_thirteen_hex_and_seeded_ones_repeat() {
        let db = Db::default();
        let id = db.new_id();
        assert_eq!(id.len(), 13);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(db.seeded_id(1, "/a"), db.seeded_id(1, "/a"));
        assert_ne!(db.seeded_id(1, "/a"), db.seeded_id(2, "/a"));
    }
}
