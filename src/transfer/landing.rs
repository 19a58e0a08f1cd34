//! What a job got onto a host and had not finished, kept in the journal (see
//! `journal/marks.rs`) as well as in the job's memory: bytes an upload or a relay sent (the
//! host's file code known, the move or rename into place not done), or the job of a
//! destination host asked to fetch a direct link. A re-run after a `kill -9` finishes that
//! instead of sending the bytes again or asking for a second fetch.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::worker::JobCtx;
use crate::provider::landing::LandedHook;
use crate::provider::{Entry, EntryKind, FolderId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mark {
    /// Bytes on the destination host as file `id`, in `folder` (`None`: the root) under
    /// `name`, not yet finished into place.
    Sent {
        id: String,
        name: String,
        folder: Option<String>,
        size: Option<u64>,
    },
    /// The destination host was asked to fetch the source: the host's job.
    Fetching { job: String },
}

impl Mark {
    pub fn sent(entry: &Entry) -> Mark {
        Mark::Sent {
            id: entry.id.clone(),
            name: entry.name.clone(),
            folder: entry.parent.id().map(str::to_owned),
            size: entry.size,
        }
    }

    /// The file a `Sent` mark names.
    pub fn entry(&self) -> Option<Entry> {
        let Mark::Sent {
            id,
            name,
            folder,
            size,
        } = self
        else {
            return None;
        };
        Some(Entry {
            id: id.clone(),
            name: name.clone(),
            kind: EntryKind::File,
            size: *size,
            modified: None,
            parent: folder.clone().map_or(FolderId::Root, FolderId::Id),
            md5: None,
            extra: Default::default(),
        })
    }
}

impl JobCtx<'_> {
    /// The job's mark in the journal, if any (one this version cannot read is none).
    pub fn mark(&self) -> Option<Mark> {
        match self.engine.shared.journal.mark(self.id) {
            Ok(mark) => mark.and_then(|m| serde_json::from_str(&m).ok()),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    }

    /// Keep (or with `None` forget) the job's mark in the journal.
    pub fn set_mark(&self, mark: Option<&Mark>) {
        let json = mark.and_then(|m| serde_json::to_string(m).ok());
        if let Err(e) = self
            .engine
            .shared
            .journal
            .set_mark(self.id, json.as_deref())
        {
            tracing::warn!("{e}");
        }
    }

    /// Bytes an earlier attempt (of this run, or of one a `kill -9` ended) got onto the host
    /// and did not finish.
    pub fn sent(&self) -> Option<Entry> {
        self.destination_memory(|m| m.sent.clone())
    }

    /// Remember (or forget) bytes on the host that are not finished, in memory and journal.
    pub fn set_sent(&self, entry: Option<Entry>) {
        match &entry {
            Some(e) => self.set_mark(Some(&Mark::sent(e))),
            None if matches!(self.mark(), Some(Mark::Sent { .. })) => self.set_mark(None),
            None => {}
        }
        self.destination_memory(|m| m.sent = entry);
    }

    /// Take up what the journal says an interrupted run of this job left unfinished.
    pub fn restore_marks(&self) {
        if let Some(entry) = self.mark().and_then(|m| m.entry()) {
            self.destination_memory(|m| m.sent = Some(entry));
        }
    }

    /// For an upload: files it lands on the host are marked in the journal at once.
    pub fn landed_hook(&self) -> LandedHook {
        let (shared, id) = (self.engine.shared.clone(), self.id);
        Arc::new(move |entry: &Entry| {
            let mark = serde_json::to_string(&Mark::sent(entry)).ok();
            if let Err(e) = shared.journal.set_mark(id, mark.as_deref()) {
                tracing::warn!("{e}");
            }
        })
    }
}
