//! Whether files still live (`file/info`, one file a call, a few at once), what a listing's
//! `status` says of them, and who may see a folder (`folder/edit is_public`; the API has no way
//! to change a file's).

use futures::StreamExt;

use super::{FolderAccess, FolderEdit, YetiShare};
use crate::provider::{
    Access, Availability, EntryKind, EntryRef, ErrorKind, ProviderError, Result,
};

/// `file/info` calls in flight at once while checking many files.
const CHECKS_AT_ONCE: usize = 4;

/// What a file's `status` says of it: `active` lives; `trash`, `deleted` and the removal words
/// of older versions are gone; takedown words are blocked; anything else is `undef`.
pub(super) fn availability_of_status(status: Option<&str>) -> Availability {
    let Some(status) = status.map(|s| s.trim().to_ascii_lowercase()) else {
        return Availability::Alive;
    };
    let has = |words: &[&str]| words.iter().any(|w| status.contains(w));
    if status.is_empty() || status == "active" {
        Availability::Alive
    } else if has(&["abuse", "copyright", "dmca", "admin", "block", "ban"]) {
        Availability::Blocked
    } else if has(&["trash", "delete", "removed", "expired"]) {
        Availability::Deleted
    } else {
        Availability::Undefined(format!(
            "the host says its status is {:?}",
            crate::sanitize::for_terminal(&status)
        ))
    }
}

impl YetiShare {
    /// What `file/info` says of each file, in order (a file it can't find is gone).
    pub(super) async fn availability_of(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        let answers: Vec<Result<Availability>> = futures::stream::iter(files.iter().cloned())
            .map(|file| self.availability_one(file))
            .buffered(CHECKS_AT_ONCE)
            .collect()
            .await;
        answers.into_iter().collect()
    }

    async fn availability_one(&self, file: EntryRef) -> Result<Availability> {
        let found = match file.kind {
            EntryKind::Folder => self.folder_info(&file.id).await,
            EntryKind::File => self.file_info(&file.id).await,
        };
        match found {
            Ok(entry) => Ok(availability_of_status(
                entry.extra.get("status").map(String::as_str),
            )),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(Availability::Deleted),
            Err(e) => Err(e),
        }
    }

    /// `folder/edit is_public` for folders (public: listed in the site's search, private: the
    /// owner's only); files have no such setting in the API.
    pub(super) async fn change_access(
        &self,
        entries: &[EntryRef],
        access: Access,
    ) -> Result<Vec<Result<()>>> {
        let folder_access = match access {
            Access::Public => FolderAccess::Public,
            Access::Private => FolderAccess::Private,
            Access::Premium => {
                return Err(ProviderError::unsupported(format!(
                    "{}'s API has no premium-only access",
                    self.host()
                )));
            }
        };
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            out.push(match entry.kind {
                EntryKind::File => Err(ProviderError::unsupported(format!(
                    "{}'s API can't change a file's access, only a folder's",
                    self.host()
                ))),
                EntryKind::Folder => {
                    let edit = FolderEdit {
                        folder_name: None,
                        access: Some(folder_access),
                    };
                    self.folder_edit(&entry.id, &edit).await
                }
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_availability() {
        assert_eq!(availability_of_status(None), Availability::Alive);
        assert_eq!(availability_of_status(Some("active")), Availability::Alive);
        assert_eq!(availability_of_status(Some("trash")), Availability::Deleted);
        assert_eq!(
            availability_of_status(Some("user removed")),
            Availability::Deleted
        );
        assert_eq!(
            availability_of_status(Some("copyright removed")),
            Availability::Blocked
        );
        assert!(matches!(
            availability_of_status(Some("pending")),
            Availability::Undefined(_)
        ));
    }
}
