//! YetiShare File Upload API v2 (zippyshare.cloud, cyberfile.me, potansiyelperisi.com, ...).
//!
//! Every call is a form POST to `<site>/api/v2/<endpoint>` carrying the account's one access
//! token; see `docs/protocols/yetishare.md` for the quirks handled here.

mod credentials;
mod errors;
mod health;
mod transport;
mod types;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;

use self::transport::Transport;
use self::types::{
    CopyReplyDto, DownloadDto, FileDto, FolderDto, ListingDto, UploadReplyDto, UrlUploadAddedDto,
    display_fields,
};
use super::ranged::{self, Ranged};
use super::{
    Access, AccountInfo, Availability, Capabilities, DownloadStream, Entry, EntryKind, EntryRef,
    FolderId, ProgressFn, Provider, ProviderError, RemoteJobState, Result, UploadBody,
};
use crate::http;

pub use self::credentials::Credentials;
pub use self::types::{AccountDetails, Package, UrlUploadJob, UrlUploadedFile};

/// A YetiShare account. Clones share one connection pool and one access token.
#[derive(Clone)]
pub struct YetiShare {
    api: Arc<Transport>,
}

impl fmt::Debug for YetiShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YetiShare")
            .field("api", &self.api.base())
            .field("credentials", self.api.credentials())
            .finish_non_exhaustive()
    }
}

/// Changes for `file/edit`; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileEdit {
    pub filename: Option<String>,
}

/// Who may see a folder (`is_public`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderAccess {
    Private,
    /// Reachable by its link, not listed.
    Unlisted,
    /// Listed in the site's search.
    Public,
}

impl FolderAccess {
    fn param(self) -> &'static str {
        match self {
            FolderAccess::Private => "0",
            FolderAccess::Unlisted => "1",
            FolderAccess::Public => "2",
        }
    }
}

/// Changes for `folder/edit`; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderEdit {
    pub folder_name: Option<String>,
    pub access: Option<FolderAccess>,
}

/// A destination folder where the host wants the literal `null` for the root (`0` fails).
fn destination(folder: &FolderId) -> &str {
    folder.id().unwrap_or("null")
}

/// A name the host will store as given: not blank (blank means "keep" in edits), one line.
fn checked_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(ProviderError::invalid(format!(
            "not a valid name: {:?}",
            crate::sanitize::for_terminal(name)
        )));
    }
    Ok(name)
}

impl YetiShare {
    /// An account on the site at `base_url` (`https://site`, or the API base `.../api/v2/`).
    /// Nothing is sent until the first call.
    pub fn new(base_url: &str, credentials: Credentials) -> Result<YetiShare> {
        Ok(YetiShare {
            api: Arc::new(Transport::new(base_url, credentials)?),
        })
    }

    fn host(&self) -> &str {
        self.api.host()
    }

    /// `account/info`: the account's own details.
    pub async fn account_details(&self) -> Result<AccountDetails> {
        self.api.call("account/info", &[]).await?.data(self.host())
    }

    /// `account/package`: the plan and its limits.
    pub async fn account_package(&self) -> Result<Package> {
        let package: Package = self
            .api
            .call("account/package", &[])
            .await?
            .data(self.host())?;
        // Already set means another task fetched the same value: nothing to do.
        let _ = self.api.upload_limit.set(package.max_upload_size);
        Ok(package)
    }

    /// `folder/info`.
    pub async fn folder_info(&self, id: &str) -> Result<Entry> {
        let reply = self.api.call("folder/info", &[("folder_id", id)]).await?;
        reply
            .data::<FolderDto>(self.host())?
            .into_entry(self.host())
    }

    /// `file/info`. Trashed files are still found here; their `status` extra says `trash`.
    pub async fn file_info(&self, id: &str) -> Result<Entry> {
        let reply = self.api.call("file/info", &[("file_id", id)]).await?;
        reply.data::<FileDto>(self.host())?.into_entry(self.host())
    }

    /// Revoke the access token on the host (the next call logs in again).
    pub async fn disable_access_token(&self) -> Result<()> {
        self.api.disable_token().await
    }

    /// `file/edit`.
    pub async fn file_edit(&self, id: &str, edit: &FileEdit) -> Result<()> {
        let mut params = vec![("file_id", id)];
        if let Some(name) = &edit.filename {
            params.push(("filename", checked_name(name)?));
        }
        self.api.call("file/edit", &params).await.map(drop)
    }

    /// `folder/edit`.
    pub async fn folder_edit(&self, id: &str, edit: &FolderEdit) -> Result<()> {
        let mut params = vec![("folder_id", id)];
        if let Some(name) = &edit.folder_name {
            params.push(("folder_name", checked_name(name)?));
        }
        if let Some(access) = edit.access {
            params.push(("is_public", access.param()));
        }
        self.api.call("folder/edit", &params).await.map(drop)
    }

    /// `file/url_upload_add`: have the host fetch `url` into `folder`; returns the job id.
    pub async fn url_upload_add(&self, url: &str, folder: &FolderId) -> Result<String> {
        let fetchable = url::Url::parse(url.trim())
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "ftp"));
        if !fetchable {
            return Err(ProviderError::invalid(format!(
                "not an http(s) or ftp URL: {}",
                http::redact_url(url.trim())
            )));
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(url.trim());
        let mut params = vec![("file_url_base64", encoded.as_str())];
        if let Some(id) = folder.id() {
            params.push(("folder_id", id));
        }
        let reply = self.api.call("file/url_upload_add", &params).await?;
        let added: UrlUploadAddedDto = reply.data(self.host())?;
        added.scheduled_item_id.ok_or_else(|| {
            ProviderError::fatal(format!(
                "{} scheduled the URL but sent no job id",
                self.host()
            ))
        })
    }

    /// `file/url_upload_status`.
    pub async fn url_upload_status(&self, id: &str) -> Result<UrlUploadJob> {
        let reply = self
            .api
            .call("file/url_upload_status", &[("scheduled_item_id", id)])
            .await?;
        reply.data(self.host())
    }

    /// The plan's upload size limit, if there is one (asked once; unknown if the host won't say).
    async fn upload_limit(&self) -> Option<u64> {
        *self
            .api
            .upload_limit
            .get_or_init(|| async {
                match self.account_package().await {
                    Ok(package) => package.max_upload_size,
                    Err(e) => {
                        tracing::debug!("no upload size limit from {}: {e}", self.host());
                        None
                    }
                }
            })
            .await
    }

    /// `file/download`: a link that serves the file for a day. It grants access: never log it.
    async fn download_url(&self, file_id: &str) -> Result<String> {
        let reply = self
            .api
            .call("file/download", &[("file_id", file_id)])
            .await?;
        let data: DownloadDto = reply.data(self.host())?;
        data.download_url
            .ok_or_else(|| ProviderError::fatal(format!("{} sent no download link", self.host())))
    }
}

#[async_trait]
impl Provider for YetiShare {
    fn family(&self) -> &'static str {
        "yetishare"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            server_side_copy: true,
            delete: true,
            rename: true,
            move_files: true,
            move_folders: true,
            remote_url_upload: true,
            upload_by_hash: false,
            resume_download: true,
            duplicate_names: true,
        }
    }

    async fn authenticate(&self) -> Result<()> {
        self.api.session().await.map(drop)
    }

    async fn list(&self, folder: &FolderId) -> Result<Vec<Entry>> {
        // The root is listed by leaving the parent out.
        let params: Vec<(&str, &str)> = folder
            .id()
            .map(|id| ("parent_folder_id", id))
            .into_iter()
            .collect();
        let reply = self.api.call("folder/listing", &params).await?;
        let listing: ListingDto = reply.data_or_default(self.host())?;
        let folders = listing
            .folders
            .into_iter()
            .map(|f| f.into_entry(self.host()));
        let files = listing.files.into_iter().map(|f| f.into_entry(self.host()));
        let mut entries = folders.chain(files).collect::<Result<Vec<_>>>()?;
        // What we listed is where they are, whatever each entry says (or leaves out).
        entries.iter_mut().for_each(|e| e.parent = folder.clone());
        Ok(entries)
    }

    async fn stat(&self, entry: &EntryRef) -> Result<Entry> {
        match entry.kind {
            EntryKind::Folder => self.folder_info(&entry.id).await,
            EntryKind::File => {
                let file = self.file_info(&entry.id).await?;
                // file/info still finds trashed files; for haul they are gone.
                match file.extra.get("status").map(String::as_str) {
                    Some("trash" | "deleted") => Err(ProviderError::not_found(format!(
                        "file {} is in the host's trash",
                        entry.id
                    ))),
                    _ => Ok(file),
                }
            }
        }
    }

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry> {
        let mut params = vec![("folder_name", checked_name(name)?)];
        if let Some(id) = parent.id() {
            params.push(("parent_id", id));
        }
        let reply = self.api.call("folder/create", &params).await?;
        reply
            .data::<FolderDto>(self.host())?
            .into_entry(self.host())
    }

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()> {
        match entry.kind {
            EntryKind::File => {
                let edit = FileEdit {
                    filename: Some(new_name.to_owned()),
                };
                self.file_edit(&entry.id, &edit).await
            }
            EntryKind::Folder => {
                let edit = FolderEdit {
                    folder_name: Some(new_name.to_owned()),
                    access: None,
                };
                self.folder_edit(&entry.id, &edit).await
            }
        }
    }

    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()> {
        let (endpoint, id_param) = match entry.kind {
            EntryKind::File => ("file/move", "file_id"),
            EntryKind::Folder => ("folder/move", "folder_id"),
        };
        let params = [
            (id_param, entry.id.as_str()),
            ("new_parent_folder_id", destination(dest)),
        ];
        self.api.call(endpoint, &params).await.map(drop)
    }

    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry> {
        if entry.kind == EntryKind::Folder {
            return Err(ProviderError::unsupported(
                "YetiShare copies single files only; copy the folder's files one by one",
            ));
        }
        let params = [
            ("file_id", entry.id.as_str()),
            ("copy_to_folder_id", destination(dest)),
        ];
        let reply = self.api.call("file/copy", &params).await?;
        let copy: CopyReplyDto = reply.whole(self.host())?;
        let new_file = copy
            .new_file
            .and_then(|wrapped| wrapped.data)
            .ok_or_else(|| {
                ProviderError::fatal(format!(
                    "{} copied the file but sent no new file",
                    self.host()
                ))
            })?;
        let mut entry = new_file.into_entry(self.host())?;
        entry.parent = dest.clone();
        Ok(entry)
    }

    async fn delete(&self, entry: &EntryRef) -> Result<()> {
        let (endpoint, id_param) = match entry.kind {
            EntryKind::File => ("file/delete", "file_id"),
            EntryKind::Folder => ("folder/delete", "folder_id"),
        };
        self.api
            .call(endpoint, &[(id_param, entry.id.as_str())])
            .await
            .map(drop)
    }

    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry> {
        let name = checked_name(name)?;
        // The host keeps only what follows the last slash or backslash of an uploaded name.
        if name.contains(['/', '\\']) {
            return Err(ProviderError::invalid(format!(
                "YetiShare file names cannot contain / or \\: {:?}",
                crate::sanitize::for_terminal(name)
            )));
        }
        let len = body.len;
        if let Some(limit) = self.upload_limit().await
            && len > limit
        {
            return Err(ProviderError::quota(format!(
                "{} is {len} bytes; the plan allows uploads up to {limit} bytes",
                crate::sanitize::for_terminal(name)
            )));
        }
        let reply = self
            .api
            .upload(parent, name, body.counting(progress))
            .await?;
        let uploaded: UploadReplyDto = reply.whole(self.host())?;
        let file = uploaded.data.into_iter().next().ok_or_else(|| {
            ProviderError::fatal(format!(
                "{} accepted the upload but listed no file",
                self.host()
            ))
        })?;
        if let Some(refusal) = &file.error {
            return Err(errors::from_message(refusal).into());
        }
        file.into_entry(parent, len, self.host())
    }

    async fn direct_url(&self, file: &EntryRef) -> Result<Option<String>> {
        if file.kind == EntryKind::Folder {
            return Ok(None);
        }
        self.download_url(&file.id).await.map(Some)
    }

    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream> {
        if file.kind == EntryKind::Folder {
            return Err(ProviderError::invalid(
                "a folder cannot be downloaded as a file",
            ));
        }
        let url = self.download_url(&file.id).await?;
        match self.api.get_from(&url, offset).await? {
            Ranged::Body(stream) => Ok(stream),
            Ranged::PastEnd { total } => {
                let size = match total {
                    Some(total) => Some(total),
                    None => self.file_info(&file.id).await?.size,
                };
                ranged::past_end(offset, size)
            }
        }
    }

    async fn public_link(&self, entry: &EntryRef) -> Result<String> {
        let (found, key) = match entry.kind {
            EntryKind::File => (self.file_info(&entry.id).await?, "url_file"),
            EntryKind::Folder => (self.folder_info(&entry.id).await?, "url_folder"),
        };
        found.extra.get(key).cloned().ok_or_else(|| {
            ProviderError::not_found(format!(
                "{} gave no public link for {}",
                self.host(),
                entry.id
            ))
        })
    }

    async fn account_info(&self) -> Result<AccountInfo> {
        let (details, package) =
            futures::try_join!(self.account_details(), self.account_package())?;
        let mut extra = std::collections::BTreeMap::new();
        if let Some(id) = details
            .other
            .get("id")
            .and_then(crate::provider::json::string_of)
        {
            extra.insert("account id".to_string(), id);
        }
        // The package limits worth showing, in words; "0" means unlimited and is left out.
        let package_fields = display_fields(&package.other);
        for (key, label) in [
            ("level_type", "account type"),
            ("wait_between_downloads", "seconds between downloads"),
            ("download_speed", "download speed limit (bytes/s)"),
            ("downloads_per_24_hours", "downloads per 24 h"),
            ("download_size_per_24_hours", "download bytes per 24 h"),
            (
                "max_download_filesize_allowed",
                "largest downloadable file (bytes)",
            ),
            ("max_remote_download_urls", "remote uploads at once"),
            (
                "days_to_keep_inactive_files",
                "days inactive files are kept",
            ),
        ] {
            if let Some(value) = package_fields.get(key).filter(|v| v.as_str() != "0") {
                extra.insert(label.to_string(), value.clone());
            }
        }
        let count = |n: Option<u64>| n.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        Ok(AccountInfo {
            premium_until: details.premium_until(),
            username: details.username,
            email: details.email,
            plan: package.label,
            storage_used: None,
            storage_limit: details.storage_limit_override.or(package.max_storage_bytes),
            traffic_left: None,
            max_upload_size: package.max_upload_size,
            concurrent_uploads: count(package.concurrent_uploads),
            concurrent_downloads: count(package.concurrent_downloads),
            extra,
        })
    }

    async fn remote_upload(&self, url: &str, parent: &FolderId) -> Result<String> {
        self.url_upload_add(url, parent).await
    }

    /// `file/info` for each file (the API takes one at a time).
    async fn check(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        self.availability_of(files).await
    }

    fn access_levels(&self, kind: EntryKind) -> &'static [Access] {
        match kind {
            EntryKind::Folder => &[Access::Public, Access::Private],
            EntryKind::File => &[],
        }
    }

    async fn set_access(&self, entries: &[EntryRef], access: Access) -> Result<Vec<Result<()>>> {
        self.change_access(entries, access).await
    }

    /// The links the listing gave (`url_file`, `url_folder`), else `file/info`/`folder/info`.
    async fn public_links(&self, entries: &[Entry]) -> Result<Vec<Result<String>>> {
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = match entry.kind {
                EntryKind::File => "url_file",
                EntryKind::Folder => "url_folder",
            };
            out.push(match entry.extra.get(key) {
                Some(link) => Ok(link.clone()),
                None => self.public_link(&entry.as_ref()).await,
            });
        }
        Ok(out)
    }

    async fn remote_upload_status(&self, job: &str) -> Result<RemoteJobState> {
        self.url_upload_status(job).await.map(RemoteJobState::from)
    }
}
