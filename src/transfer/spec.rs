//! What a job is asked to do, as data: stored in the journal, shown in the queue.
//!
//! Everything here is addresses and names: never a secret, never a URL that grants access
//! (direct links are fetched fresh when a job runs).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::provider::{EntryKind, EntryRef, FolderId};

/// The account name of the local filesystem in job addresses.
pub const LOCAL: &str = "local";

/// A folder on an account (or on the local disk, account [`LOCAL`], id = absolute path).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FolderAddr {
    pub account: String,
    /// `None` is the account's root.
    pub id: Option<String>,
    /// How a person knows this folder (`ys:/Documents`, `/home/me/dl`).
    pub shown: String,
}

impl FolderAddr {
    pub fn folder_id(&self) -> FolderId {
        match &self.id {
            None => FolderId::Root,
            Some(id) => FolderId::Id(id.clone()),
        }
    }
    pub fn is_local(&self) -> bool {
        self.account == LOCAL
    }
    pub fn local(path: &std::path::Path) -> FolderAddr {
        FolderAddr {
            account: LOCAL.to_string(),
            id: Some(path.display().to_string()),
            shown: path.display().to_string(),
        }
    }
    /// The shown path of a child.
    pub fn child_shown(&self, name: &str) -> String {
        if self.shown.ends_with('/') || self.shown.ends_with(':') {
            format!("{}{name}", self.shown)
        } else {
            format!("{}/{name}", self.shown)
        }
    }
}

/// A file or folder on an account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemAddr {
    pub account: String,
    pub id: String,
    pub kind: EntryKind,
    pub name: String,
    /// Size in bytes where known (files).
    pub size: Option<u64>,
    /// The content's md5 where the host gives one.
    pub md5: Option<String>,
    pub shown: String,
}

impl ItemAddr {
    pub fn entry_ref(&self) -> EntryRef {
        EntryRef {
            id: self.id.clone(),
            kind: self.kind,
        }
    }
    pub fn is_local(&self) -> bool {
        self.account == LOCAL
    }
    pub fn is_folder(&self) -> bool {
        self.kind == EntryKind::Folder
    }
    /// This folder as a folder id (an empty id is the account's root).
    pub fn as_folder_id(&self) -> FolderId {
        if self.id.is_empty() {
            FolderId::Root
        } else {
            FolderId::Id(self.id.clone())
        }
    }
}

/// One unit of queued work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JobSpec {
    /// Copy a file (or, lazily, a folder tree) into a folder: upload, download, server-side
    /// copy, cross-account copy or local copy, depending on where the two ends are.
    Copy {
        from: ItemAddr,
        to: FolderAddr,
        /// The name at the destination (defaults to the source's).
        name: String,
        /// Delete the source once the copy is verified (a move across accounts or disks).
        remove_source: bool,
        /// A local source folder: follow symbolic links in it (with loop detection) instead of
        /// skipping them.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        follow_links: bool,
    },
    /// Move (and/or rename) on one account, server-side.
    Move {
        item: ItemAddr,
        to: FolderAddr,
        name: String,
    },
    Delete {
        item: ItemAddr,
    },
    Mkdir {
        parent: FolderAddr,
        name: String,
    },
}

impl JobSpec {
    /// Short verb for the queue view.
    pub fn verb(&self) -> &'static str {
        match self {
            JobSpec::Copy {
                from,
                to,
                remove_source,
                ..
            } => match (from.is_local(), to.is_local(), remove_source) {
                (true, false, _) => "upload",
                (false, true, _) => "download",
                (_, _, true) => "move",
                _ => "copy",
            },
            JobSpec::Move { .. } => "move",
            JobSpec::Delete { .. } => "delete",
            JobSpec::Mkdir { .. } => "mkdir",
        }
    }

    /// The accounts whose limits this job counts against (the remote ends).
    pub fn accounts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = match self {
            JobSpec::Copy { from, to, .. } => vec![&from.account, &to.account],
            JobSpec::Move { item, .. } | JobSpec::Delete { item } => vec![&item.account],
            JobSpec::Mkdir { parent, .. } => vec![&parent.account],
        };
        out.retain(|a| *a != LOCAL);
        out.dedup();
        out
    }

    /// Whether the job moves file bytes (and so takes a transfer slot).
    pub fn is_transfer(&self) -> bool {
        matches!(self, JobSpec::Copy { from, .. } if !from.is_folder())
    }

    /// What makes a job the same job again: its kind, its source and its destination (not the
    /// sizes or the way a person typed the path). A re-run of a command adopts the journal's
    /// unfinished jobs with its key instead of adding new ones.
    pub fn key(&self) -> String {
        let folder = |f: &FolderAddr| serde_json::json!([f.account, f.id]);
        let item = |i: &ItemAddr| serde_json::json!([i.account, i.id]);
        let key = match self {
            JobSpec::Copy {
                from,
                to,
                name,
                remove_source,
                ..
            } => serde_json::json!(["copy", item(from), folder(to), name, remove_source]),
            JobSpec::Move { item: i, to, name } => {
                serde_json::json!(["move", item(i), folder(to), name])
            }
            JobSpec::Delete { item: i } => serde_json::json!(["delete", item(i)]),
            JobSpec::Mkdir { parent, name } => serde_json::json!(["mkdir", folder(parent), name]),
        };
        key.to_string()
    }

    /// Bytes to move, where known.
    pub fn size(&self) -> Option<u64> {
        match self {
            JobSpec::Copy { from, .. } if !from.is_folder() => from.size,
            _ => None,
        }
    }
}

impl fmt::Display for JobSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobSpec::Copy { from, to, name, .. } => {
                write!(
                    f,
                    "{} {} -> {}",
                    self.verb(),
                    from.shown,
                    to.child_shown(name)
                )
            }
            JobSpec::Move { item, to, name } => {
                write!(f, "move {} -> {}", item.shown, to.child_shown(name))
            }
            JobSpec::Delete { item } => write!(f, "delete {}", item.shown),
            JobSpec::Mkdir { parent, name } => write!(f, "mkdir {}", parent.child_shown(name)),
        }
    }
}
