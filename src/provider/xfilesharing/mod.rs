//! XFileSharing Pro API (kenfiles.com, katfile, FileQ and the many sites running the same
//! script).
//!
//! Every call is a GET to `<api root>/<group>/<action>?key=<API key>`; answers are a JSON
//! envelope with HTTP 200 even for errors. See `docs/protocols/xfilesharing.md` for the quirks
//! handled here: `file_0` uploads that always land in the root, `fld_id=0` meaning two different
//! things, mojibake names, and no delete.

mod account;
mod endpoints;
mod errors;
mod health;
mod listing;
mod paged;
mod site;
mod transport;
mod types;

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use async_trait::async_trait;

use self::transport::Transport;
use super::ranged::{self, Ranged};
use super::{
    Access, AccountInfo, Availability, Capabilities, DownloadStream, Entry, EntryKind, EntryRef,
    FolderId, ProgressFn, Provider, ProviderError, RemoteJobState, Result, UploadBody,
};
use crate::provider::json::string_of;

pub use self::account::{AccountDetails, DayStats, StorageLeft};
pub use self::types::{
    ClonedFile, DeletedFile, DirectLink, FileInfo, FilePage, FolderListing, ListedFile,
    ListedFolder, UploadServer, UrlUploadStatus,
};

/// The job id `remote_upload` returns when the site took the URL without a code to follow.
const UNTRACKED_JOB: &str = "untracked";

/// An account on an XFS site. Clones share one connection pool.
#[derive(Clone)]
pub struct XFileSharing {
    api: Arc<Transport>,
    /// `utype` for uploads, `prem` or `reg`, learned once from `account/info` (by the first
    /// upload; the others wait for its answer instead of asking too).
    upload_type: Arc<OnceCell<&'static str>>,
    /// Folders seen to exist, by id, each checked once (uploads land in the root and are moved
    /// after, so the target folder is checked before the first byte goes).
    known_folders: Arc<Mutex<HashMap<String, Arc<OnceCell<()>>>>>,
}

impl fmt::Debug for XFileSharing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XFileSharing")
            .field("api", &self.api.site.api_root)
            .field("key", &"***")
            .finish()
    }
}

/// A name the site will store as given: not blank, one line, no `/` (haul's path separator).
fn checked_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) || name.contains('/') {
        return Err(ProviderError::invalid(format!(
            "not a valid name: {:?}",
            crate::sanitize::for_terminal(name)
        )));
    }
    Ok(name)
}

/// A remote-URL job's state from the site's word for it.
fn job_state(word: &str) -> Option<RemoteJobState> {
    let word = word.trim().to_ascii_lowercase();
    let is = |words: &[&str]| words.contains(&word.as_str());
    if is(&["pending", "queued", "new", "waiting", "wait"]) {
        Some(RemoteJobState::Pending)
    } else if is(&[
        "working",
        "downloading",
        "processing",
        "running",
        "uploading",
        "started",
    ]) {
        Some(RemoteJobState::Running {
            done: None,
            total: None,
        })
    } else if is(&[
        "ok",
        "done",
        "complete",
        "completed",
        "finished",
        "success",
        "uploaded",
    ]) {
        Some(RemoteJobState::Done { file_id: None })
    } else if is(&[
        "error",
        "failed",
        "fail",
        "broken",
        "cancelled",
        "canceled",
        "timeout",
    ]) {
        Some(RemoteJobState::Failed(format!("the site says {word}")))
    } else {
        None
    }
}

/// The sum of one figure over the days of `account/stats`, in the site's decimals.
fn stats_total(days: &[DayStats], figure: impl Fn(&DayStats) -> Option<&String>) -> Option<String> {
    let values: Vec<&String> = days.iter().filter_map(&figure).collect();
    let decimals = values
        .iter()
        .map(|v| v.split_once('.').map_or(0, |(_, f)| f.len()))
        .max()?;
    let sum: f64 = values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok())
        .sum::<Option<f64>>()?;
    Some(format!("{sum:.decimals$}"))
}

impl XFileSharing {
    /// An account on the site whose API root is `base_url` (`https://kenfiles.com/api`), with
    /// its API key. Nothing is sent until the first call.
    pub fn new(base_url: &str, api_key: &str) -> Result<XFileSharing> {
        Ok(XFileSharing {
            api: Arc::new(Transport::new(base_url, api_key)?),
            upload_type: Arc::new(OnceCell::new()),
            known_folders: Arc::default(),
        })
    }

    fn host(&self) -> &str {
        &self.api.site.host
    }

    /// A file the site holds as `code` in `parent`, as far as we know it.
    fn landed(&self, code: &str, name: &str, parent: FolderId) -> Entry {
        Entry {
            id: code.to_owned(),
            name: name.to_owned(),
            kind: EntryKind::File,
            size: None,
            modified: None,
            parent,
            md5: None,
            extra: BTreeMap::new(),
        }
    }

    /// `prem`, unless `account/info` shows a free account (`reg`, as free uploaders send).
    /// Asked once: concurrent uploads wait for the first answer; a failure is not kept.
    async fn upload_type(&self) -> &'static str {
        let learned = self
            .upload_type
            .get_or_try_init(|| async {
                match self.account_info_raw().await.map(|d| d.is_premium()) {
                    Ok(Some(true)) | Ok(None) => Ok("prem"),
                    Ok(Some(false)) => Ok("reg"),
                    Err(e) => Err(e),
                }
            })
            .await;
        match learned {
            Ok(utype) => *utype,
            Err(e) => {
                tracing::debug!("no account type from {}: {e}", self.host());
                "prem"
            }
        }
    }
}

#[async_trait]
impl Provider for XFileSharing {
    fn family(&self) -> &'static str {
        "xfilesharing"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            server_side_copy: true,
            delete: false,
            rename: true,
            move_files: true,
            move_folders: false,
            remote_url_upload: true,
            upload_by_hash: false,
            resume_download: true,
            duplicate_names: true,
        }
    }

    async fn authenticate(&self) -> Result<()> {
        self.account_info_raw().await.map(drop)
    }

    async fn list_pages(
        &self,
        folder: &FolderId,
        page: &crate::provider::PageSink<'_>,
    ) -> Result<Vec<Entry>> {
        self.children_pages(folder, page).await
    }

    async fn stat(&self, entry: &EntryRef) -> Result<Entry> {
        match entry.kind {
            EntryKind::File => self.file_entry(&entry.id).await,
            EntryKind::Folder => self.folder_entry(&entry.id).await,
        }
    }

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry> {
        let name = checked_name(name)?;
        let id = self.folder_create(parent, name).await?;
        Ok(Entry {
            id,
            name: name.to_owned(),
            kind: EntryKind::Folder,
            size: None,
            modified: None,
            parent: parent.clone(),
            md5: None,
            extra: BTreeMap::new(),
        })
    }

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()> {
        let name = checked_name(new_name)?;
        match entry.kind {
            EntryKind::File => self.file_rename(&entry.id, name).await,
            EntryKind::Folder => self.folder_rename(&entry.id, name).await,
        }
    }

    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()> {
        let code = self.file_only(entry, "move")?;
        let info = self.known_file(code).await?;
        self.file_set_folder(code, dest).await?;
        // set_folder says OK whatever the code: the account's own listing tells what happened.
        let name = info.name.unwrap_or_default();
        let moved = self.owned_file(&info.code, &name).await?.ok_or_else(|| {
            ProviderError::not_found(format!(
                "file {code} on {} is not in this account",
                self.host()
            ))
        })?;
        if moved.fld_id.is_some() && moved.folder() != *dest {
            return Err(ProviderError::fatal(format!(
                "{} answered OK but did not move {code} into folder {dest}",
                self.host()
            )));
        }
        Ok(())
    }

    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry> {
        let code = self.file_only(entry, "copy")?;
        let clone = self.file_clone(code, dest).await?;
        // The clone exists from here on (sites put it in the root or in `dest`): a failure
        // after this point carries it, so it is finished, never cloned again.
        let infos = self
            .file_info(&[&clone.code, code])
            .await
            .map_err(|e| e.landed_as(self.landed(&clone.code, code, FolderId::Root)))?;
        let about = |c: &str| infos.iter().find(|i| i.code == c && i.found).cloned();
        let mut info = about(&clone.code)
            .or_else(|| about(code))
            .unwrap_or_default();
        info.code.clone_from(&clone.code);
        let name = info.name.clone().unwrap_or_else(|| clone.code.clone());
        let landed = self.landed(&clone.code, &name, FolderId::Root);
        if !dest.is_root() {
            self.file_set_folder(&clone.code, dest).await.map_err(|e| {
                e.context(format!("copied {code} as {} into the root", clone.code))
                    .landed_as(landed.clone())
            })?;
        }
        let mut copy = info.into_entry(dest.clone(), &self.api.site);
        if let Some(url) = clone.url {
            copy.extra.insert("link".to_owned(), url);
        }
        Ok(copy)
    }

    async fn delete(&self, _entry: &EntryRef) -> Result<()> {
        Err(ProviderError::unsupported(format!(
            "{} API has no delete",
            self.api.site.possessive()
        )))
    }

    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry> {
        let name = checked_name(name)?;
        // Nothing here sends the file, so it all goes at once: the target folder must exist
        // (uploads land in the root and are moved after), the session, the upload type, and
        // what was there before, to know the file an upload whose reply is lost leaves
        // (without it the upload goes ahead: only a lost reply is then not recognised).
        let (folder, utype, server, before) = tokio::join!(
            self.check_folder(parent),
            self.upload_type(),
            self.upload_server(),
            self.codes_like(name),
        );
        folder?;
        let server = server?;
        let len = body.len;
        let before = before.unwrap_or_else(|e| {
            tracing::debug!("no listing of {name:?} before the upload: {e}");
            None
        });
        if let Some(before) = &before {
            super::landing::announce_sending(name, len, before);
        }
        let sent = self
            .api
            .upload(&server, utype, name, body.counting(progress))
            .await;
        let code = match (sent, before) {
            (Ok(code), _) => code,
            (Err(e), Some(before)) if e.is_retryable() && !e.never_sent => {
                match self.appeared(name, len, &before).await {
                    Ok(Some(file)) => {
                        tracing::info!(
                            "the upload's reply was lost, but it landed as {}",
                            file.code
                        );
                        file.code
                    }
                    // Looked for and not there: sending it again is safe.
                    Ok(None) => {
                        let mut e = e;
                        e.never_sent = true;
                        return Err(e);
                    }
                    Err(_) => return Err(e),
                }
            }
            (Err(e), _) => return Err(e),
        };
        // The bytes are on the site from here on: what follows is finished, never re-sent.
        let landed = self.landed(&code, name, FolderId::Root);
        super::landing::announce(&landed);
        self.finish_landed(&landed, parent, name, Some(len)).await
    }

    async fn find_landed(
        &self,
        name: &str,
        size: u64,
        before: &std::collections::HashSet<String>,
    ) -> Result<Option<Entry>> {
        let name = checked_name(name)?;
        Ok(self
            .appeared(name, size, before)
            .await?
            .map(|file| self.landed(&file.code, name, FolderId::Root)))
    }

    async fn finish_landed(
        &self,
        landed: &Entry,
        parent: &FolderId,
        name: &str,
        size: Option<u64>,
    ) -> Result<Entry> {
        let code = landed.id.as_str();
        let keep = |e: ProviderError| e.landed_as(landed.clone());
        let listed = self
            .owned_file(code, &landed.name)
            .await
            .map_err(|e| keep(e.context(format!("sent {code}, but could not check it"))))?;
        let file = listed.ok_or_else(|| {
            ProviderError::transient(format!(
                "{} stored {code} outside this account (the upload session was not \
                 accepted); the upload must be restarted",
                self.host()
            ))
        })?;
        if let Some(size) = size
            && let Some(stored) = file.size.filter(|s| *s != size)
        {
            return Err(keep(ProviderError::fatal(format!(
                "{} stored {stored} of the {size} bytes sent as {code}",
                self.host()
            ))));
        }
        // Where the listing leaves the folder out, a file in the root is where uploads land.
        let placed = match &file.fld_id {
            Some(_) => file.folder() == *parent,
            None => parent.is_root(),
        };
        if !placed {
            self.file_set_folder(code, parent).await.map_err(|e| {
                keep(e.context(format!("sent {code}, but moving it into place failed")))
            })?;
        }
        // Renamed when it landed under another name than the one wanted (a clone keeps its
        // source's), not when the site only spelled the name its own way.
        let renamed = landed.name != name;
        if renamed {
            let wanted = checked_name(name)?;
            self.file_rename(code, wanted)
                .await
                .map_err(|e| keep(e.context(format!("sent {code}, but renaming it failed"))))?;
        }
        let mut entry = file.into_entry(parent.clone(), &self.api.site);
        if renamed {
            entry.name = name.to_owned();
        }
        if size.is_some() {
            entry.size = size;
        }
        Ok(entry)
    }

    async fn direct_url(&self, file: &EntryRef) -> Result<Option<String>> {
        if file.kind == EntryKind::Folder {
            return Ok(None);
        }
        match self.direct_link(&file.id).await {
            Ok(link) => Ok(link.url),
            Err(e) if e.kind == crate::provider::ErrorKind::Unsupported => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream> {
        if file.kind == EntryKind::Folder {
            return Err(ProviderError::invalid(
                "a folder cannot be downloaded as a file",
            ));
        }
        let link = self.direct_link(&file.id).await?;
        let url = link.url.ok_or_else(|| {
            ProviderError::fatal(format!(
                "{} gave no direct link for {}",
                self.host(),
                file.id
            ))
        })?;
        match self.api.get_from(&url, offset).await? {
            Ranged::Body(mut stream) => {
                if stream.offset == 0 {
                    stream.total = stream.total.or(link.size);
                }
                Ok(stream)
            }
            Ranged::PastEnd { total } => ranged::past_end(offset, total.or(link.size)),
        }
    }

    async fn public_link(&self, entry: &EntryRef) -> Result<String> {
        let code = self.file_only(entry, "give links to")?;
        let file = self.file_entry(code).await?;
        Ok(file
            .extra
            .get("link")
            .cloned()
            .unwrap_or_else(|| self.api.site.file_link(code)))
    }

    async fn account_info(&self) -> Result<AccountInfo> {
        let (details, stats) = futures::join!(self.account_info_raw(), self.account_stats());
        let details = details?;
        let premium = details.is_premium();
        let mut extra: BTreeMap<String, String> = details
            .other
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "premim_expire" | "traffic_left"))
            .filter_map(|(k, v)| Some((k.clone(), string_of(v).filter(|s| !s.is_empty())?)))
            .collect();
        if let Some(balance) = &details.balance {
            extra.insert("balance".into(), balance.clone());
        }
        if details.storage_left == Some(StorageLeft::Unlimited) {
            extra.insert("storage left".into(), "unlimited".into());
        }
        match stats {
            Ok(days) => {
                let figures: [(&str, fn(&DayStats) -> Option<&String>); 4] = [
                    ("downloads", |d| d.downloads.as_ref()),
                    ("views", |d| d.views.as_ref()),
                    ("sales", |d| d.sales.as_ref()),
                    ("profit", |d| d.profit_total.as_ref()),
                ];
                for (label, figure) in figures {
                    if let Some(total) = stats_total(&days, figure) {
                        extra.insert(format!("{label} ({} days)", days.len()), total);
                    }
                }
            }
            Err(e) => tracing::debug!("no account stats from {}: {e}", self.host()),
        }
        let storage_limit = match details.storage_left {
            Some(StorageLeft::Bytes(left)) => {
                Some(details.storage_used.unwrap_or(0).saturating_add(left))
            }
            _ => None,
        };
        // A free account's premium_expire is its creation time: only show a real expiry.
        let premium_until = details.premium_until().filter(|_| premium != Some(false));
        Ok(AccountInfo {
            traffic_left: details.traffic_left(),
            email: details.email,
            plan: premium.map(|p| if p { "premium" } else { "free" }.to_owned()),
            premium_until,
            storage_used: details.storage_used,
            storage_limit,
            extra,
            ..AccountInfo::default()
        })
    }

    /// `file/info`, 50 codes a call; `files/dmca` tells a taken-down file from a deleted one.
    async fn check(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        self.availability_of(files).await
    }

    async fn set_access(&self, _entries: &[EntryRef], _access: Access) -> Result<Vec<Result<()>>> {
        Err(ProviderError::unsupported(format!(
            "{}'s API can't change access",
            self.host()
        )))
    }

    async fn public_links(&self, entries: &[Entry]) -> Result<Vec<Result<String>>> {
        Ok(entries
            .iter()
            .map(|e| match (e.kind, e.extra.get("link")) {
                (EntryKind::File, Some(link)) => Ok(link.clone()),
                (EntryKind::File, None) => Ok(self.api.site.file_link(&e.id)),
                (EntryKind::Folder, _) => Err(ProviderError::unsupported(format!(
                    "{} API gives links to files only, not to folders",
                    self.api.site.possessive()
                ))),
            })
            .collect())
    }

    async fn remote_upload(&self, url: &str, parent: &FolderId) -> Result<String> {
        let code = self.upload_url(url, parent).await?;
        Ok(code.unwrap_or_else(|| UNTRACKED_JOB.to_owned()))
    }

    async fn remote_upload_status(&self, job: &str) -> Result<RemoteJobState> {
        if job == UNTRACKED_JOB {
            return Err(ProviderError::unsupported(format!(
                "{} took the URL without a job code to follow; the file appears in the \
                 account once the site has fetched it",
                self.host()
            )));
        }
        let status = self.upload_url_status(job).await?;
        let code = status.code.clone().unwrap_or_else(|| job.to_owned());
        match status.state.as_deref().and_then(job_state) {
            Some(RemoteJobState::Done { .. }) => Ok(RemoteJobState::Done {
                file_id: Some(code),
            }),
            Some(state) => Ok(state),
            // No word for it: the job is done once its file exists.
            None => match self.known_file(&code).await {
                Ok(info) if info.size.is_some_and(|s| s > 0) => Ok(RemoteJobState::Done {
                    file_id: Some(code),
                }),
                Ok(_) => Ok(RemoteJobState::Running {
                    done: None,
                    total: None,
                }),
                Err(e) if e.kind == super::ErrorKind::NotFound => Ok(RemoteJobState::Pending),
                Err(e) => Err(e),
            },
        }
    }
}
