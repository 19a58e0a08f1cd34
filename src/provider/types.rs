//! Types shared by every provider: entries, folders, account info, capabilities, challenges.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Where a folder is: the account root, or a folder id as the host spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FolderId {
    Root,
    Id(String),
}

impl FolderId {
    pub fn id(&self) -> Option<&str> {
        match self {
            FolderId::Root => None,
            FolderId::Id(s) => Some(s),
        }
    }
    pub fn is_root(&self) -> bool {
        matches!(self, FolderId::Root)
    }
}

impl fmt::Display for FolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FolderId::Root => f.write_str("root"),
            FolderId::Id(s) => f.write_str(s),
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Folder,
    File,
}

/// A file or folder on a host (or on the local disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The host's id (for the local provider: the absolute path).
    pub id: String,
    pub name: String,
    pub kind: EntryKind,
    /// Size in bytes, where the host says.
    pub size: Option<u64>,
    /// Last change or upload time as `YYYY-MM-DD HH:MM:SS`, where the host says.
    pub modified: Option<String>,
    /// The folder this entry lives in.
    pub parent: FolderId,
    /// The content's md5 (hex), where the host gives one.
    pub md5: Option<String>,
    /// Whatever else the host knows (downloads, access, public link, status), as display strings.
    pub extra: BTreeMap<String, String>,
}

impl Entry {
    pub fn is_folder(&self) -> bool {
        self.kind == EntryKind::Folder
    }
    /// A reference to this entry, for operations.
    pub fn as_ref(&self) -> EntryRef {
        EntryRef {
            id: self.id.clone(),
            kind: self.kind,
        }
    }
    /// This entry as a folder id (only meaningful for folders).
    pub fn folder_id(&self) -> FolderId {
        FolderId::Id(self.id.clone())
    }
}

/// Enough to address an entry in an operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryRef {
    pub id: String,
    pub kind: EntryKind,
}

impl EntryRef {
    pub fn file(id: impl Into<String>) -> Self {
        EntryRef {
            id: id.into(),
            kind: EntryKind::File,
        }
    }
    pub fn folder(id: impl Into<String>) -> Self {
        EntryRef {
            id: id.into(),
            kind: EntryKind::Folder,
        }
    }
}

/// What a provider (and its API) can do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub server_side_copy: bool,
    pub delete: bool,
    pub rename: bool,
    pub move_files: bool,
    pub move_folders: bool,
    pub remote_url_upload: bool,
    pub upload_by_hash: bool,
    pub resume_download: bool,
    /// Folders may hold two entries with the same name.
    pub duplicate_names: bool,
}

/// Account facts for `haul about` and the plan-derived defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInfo {
    pub username: Option<String>,
    pub email: Option<String>,
    pub plan: Option<String>,
    pub premium_until: Option<String>,
    pub storage_used: Option<u64>,
    pub storage_limit: Option<u64>,
    pub traffic_left: Option<u64>,
    pub max_upload_size: Option<u64>,
    pub concurrent_uploads: Option<u32>,
    pub concurrent_downloads: Option<u32>,
    /// Other facts worth showing, label -> value.
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    /// An image with text a person types back.
    ImageCaptcha,
    /// A reCaptcha page whose token a person pastes back.
    ReCaptcha,
}

/// What a challenge unlocks, so the answer goes back to the right operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengePurpose {
    Login,
    Download { file_id: String },
}

/// A challenge a person must answer (Keep2Share captchas).
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    pub kind: ChallengeKind,
    pub purpose: ChallengePurpose,
    /// The host's id for this challenge.
    pub id: String,
    /// Where a person can see it (image or page URL).
    pub url: Option<String>,
    /// The image bytes, when already fetched.
    pub image: Option<Vec<u8>>,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("kind", &self.kind)
            .field("purpose", &self.purpose)
            .field("id", &self.id)
            .field("url", &self.url)
            .field("image_bytes", &self.image.as_ref().map(Vec::len))
            .finish()
    }
}

/// State of a remote-URL upload job on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteJobState {
    Pending,
    Running {
        done: Option<u64>,
        total: Option<u64>,
    },
    Done {
        file_id: Option<String>,
    },
    Failed(String),
}

/// Called with the number of bytes just moved.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// A progress callback that does nothing.
pub fn no_progress() -> ProgressFn {
    Arc::new(|_| {})
}
