//! Whether files still live: `file/info` (50 codes a call, each with its own status), and
//! `files/dmca` to tell a file the site took down from one that was deleted.

use std::collections::HashSet;

use super::XFileSharing;
use super::endpoints::FILE_INFO_BATCH;
use crate::provider::{Availability, EntryRef, Result};

/// Entries of `files/dmca` read to find taken-down files.
const DMCA_LAST: u32 = 500;

/// A code the site can be asked about in a comma-separated list.
fn askable(code: &str) -> bool {
    let code = code.trim();
    !code.is_empty() && !code.contains(',') && !code.chars().any(char::is_control)
}

impl XFileSharing {
    /// What `file/info` says of each file, in order: status 200 lives, 404 is gone (blocked
    /// when `files/dmca` lists it), any other status or no answer at all is `undef`.
    pub(super) async fn availability_of(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        let codes: Vec<&str> = files
            .iter()
            .map(|f| f.id.trim())
            .filter(|c| askable(c))
            .collect();
        let mut infos = Vec::new();
        for batch in codes.chunks(FILE_INFO_BATCH) {
            infos.extend(self.file_info(batch).await?);
        }
        let gone = infos.iter().any(|i| i.status == Some(404));
        let taken_down: HashSet<String> = if gone {
            match self.files_dmca(Some(DMCA_LAST)).await {
                Ok(files) => files.into_iter().filter_map(|f| f.code).collect(),
                Err(e) => {
                    tracing::debug!("no files/dmca on {}: {e}", self.host());
                    HashSet::new()
                }
            }
        } else {
            HashSet::new()
        };
        Ok(files
            .iter()
            .map(|file| {
                let code = file.id.trim();
                if !askable(code) {
                    return Availability::Undefined(format!("{code:?} is not a file code"));
                }
                match infos.iter().find(|i| i.code == code) {
                    Some(info) if info.found => Availability::Alive,
                    Some(_) if taken_down.contains(code) => Availability::Blocked,
                    Some(info) if matches!(info.status, Some(404) | None) => Availability::Deleted,
                    Some(info) => Availability::Undefined(format!(
                        "{} answered status {}",
                        self.host(),
                        info.status.unwrap_or_default()
                    )),
                    None => {
                        Availability::Undefined(format!("{} gave no answer for it", self.host()))
                    }
                }
            })
            .collect())
    }
}
