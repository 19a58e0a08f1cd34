//! What a job got onto a host and had not finished, kept in the journal (see
//! `journal/marks.rs`) as well as in the job's memory: bytes an upload or a relay sent (the
//! host's file code known, the move or rename into place not done), or the job of a
//! destination host asked to fetch a direct link. A re-run after a `kill -9` finishes that
//! instead of sending the bytes again or asking for a second fetch.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::worker::JobCtx;
use crate::provider::landing::{LandedHook, Landing};
use crate::provider::{Entry, EntryKind, FolderId, Provider};

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
    /// An upload of `name` (`size` bytes) started; the account held `before` of that name.
    Sending {
        name: String,
        size: u64,
        before: Vec<String>,
    },
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

    /// For an upload: what it is about to send, and the file it lands on the host, are marked
    /// in the journal at once.
    pub fn landed_hook(&self) -> LandedHook {
        let (shared, id) = (self.engine.shared.clone(), self.id);
        Arc::new(move |landing: Landing<'_>| {
            let mark = match landing {
                Landing::Landed(entry) => Mark::sent(entry),
                Landing::Sending { name, size, before } => Mark::Sending {
                    name: name.to_owned(),
                    size,
                    before: before.iter().cloned().collect(),
                },
            };
            let mark = serde_json::to_string(&mark).ok();
            if let Err(e) = shared.journal.set_mark(id, mark.as_deref()) {
                tracing::warn!("{e}");
            }
        })
    }

    /// An upload an interrupted run had started (its reply never read): the file it left, if
    /// the host can tell, becomes the bytes to finish.
    pub async fn find_interrupted_upload(&self, provider: &dyn Provider) {
        if self.sent().is_some() {
            return;
        }
        let Some(Mark::Sending { name, size, before }) = self.mark() else {
            return;
        };
        let before = before.into_iter().collect();
        match provider.find_landed(&name, size, &before).await {
            Ok(Some(entry)) => self.set_sent(Some(entry)),
            Ok(None) => {}
            Err(e) => tracing::info!("looking for an interrupted upload of {name}: {e}"),
        }
    }
}
