//! Whether files still live (`getFilesInfo`) and who may download them (`updateFiles`), for
//! many files at once.

use super::Keep2Share;
use super::types::{Access, FileChanges};
use crate::provider::{Availability, EntryRef, ErrorKind, ProviderError, Result};

/// Ids per `getFilesInfo` and `updateFiles` call.
const BATCH: usize = 100;

impl Keep2Share {
    /// What `getFilesInfo` says of each file, in order; an id the host leaves out of its answer
    /// is one it does not know.
    pub(super) async fn availability_of(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        let mut out = Vec::with_capacity(files.len());
        for batch in files.chunks(BATCH) {
            let ids: Vec<&str> = batch.iter().map(|f| f.id.as_str()).collect();
            let items = match self.files_info_items(&ids).await {
                Ok(items) => items,
                // Every id malformed: none of them can be there.
                Err(e) if e.kind == ErrorKind::InvalidInput => Vec::new(),
                Err(e) => return Err(e),
            };
            for id in ids {
                let same = |other: &Option<String>| {
                    other.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(id))
                };
                let found = items
                    .iter()
                    .find(|item| same(&item.id) || same(&item.requested_id));
                out.push(match found {
                    Some(item) => item.availability(&item.extended()),
                    None => Availability::Deleted,
                });
            }
        }
        Ok(out)
    }

    /// `updateFiles` with `new_access`: each entry's outcome, in order.
    pub(super) async fn change_access(
        &self,
        entries: &[EntryRef],
        access: Access,
    ) -> Result<Vec<Result<()>>> {
        let changes = FileChanges {
            new_access: Some(access),
            ..Default::default()
        };
        let mut out = Vec::with_capacity(entries.len());
        for batch in entries.chunks(BATCH) {
            let ids: Vec<&str> = batch.iter().map(|e| e.id.as_str()).collect();
            let updates = self.update_files(&ids, &changes).await?;
            for id in ids {
                let outcome = match updates.iter().find(|u| u.id == id) {
                    None => Err(ProviderError::fatal(format!(
                        "the host did not say whether it changed {id}"
                    ))),
                    Some(u) if u.errors.is_empty() => Ok(()),
                    Some(u) => {
                        let why = u.errors.join("; ");
                        let kind = if why.to_ascii_lowercase().contains("not found") {
                            ErrorKind::NotFound
                        } else {
                            ErrorKind::InvalidInput
                        };
                        Err(ProviderError::new(kind, why))
                    }
                };
                out.push(outcome);
            }
        }
        Ok(out)
    }
}
