//! Keep2Share API v2 (keep2share.cc, k2s.cc, tezfiles.com, fboom.me, publish2.me: the same
//! API under another base URL such as `https://k2s.cc/api/v2`).

mod credentials;
mod download;
mod endpoints;
mod errors;
mod health;
mod remote;
mod transport;
mod types;
mod upload;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

pub use credentials::Credentials;
pub use types::{Access, CaptchaChallenge, CreatedFile, FileChanges, FileUpdate, FolderSummary};

use super::{
    AccountInfo, Availability, Capabilities, Challenge, ChallengePurpose, DownloadStream, Entry,
    EntryKind, EntryRef, ErrorKind, FolderId, ProgressFn, Provider, ProviderError, RemoteJobState,
    Result, UploadBody,
};
use download::FreeKeys;
use transport::Transport;
use types::{AccountReply, Expiry, expiry_of, read};

/// One Keep2Share account. Tasks share it (behind an `Arc`), and with it one session.
pub struct Keep2Share {
    api: Transport,
    /// Free-download keys earned by answered captchas, by file id.
    free_keys: FreeKeys,
    /// The folders remote-upload jobs' files go to once fetched.
    remote_destinations: remote::Destinations,
}

impl Keep2Share {
    /// A client for the API at `base_url` (http or https). Nothing is sent until first use.
    pub fn new(base_url: &str, credentials: Credentials) -> Result<Keep2Share> {
        Ok(Keep2Share {
            api: Transport::new(base_url, credentials)?,
            free_keys: FreeKeys::default(),
            remote_destinations: remote::Destinations::default(),
        })
    }

    /// What `getFilesInfo` says about one id; a folder the host doesn't describe there (only
    /// "public folders" are) is looked up in `getFoldersList`.
    /// The file just placed as `id`; a failure to read it carries it as landed (it is there).
    async fn placed(
        &self,
        id: String,
        name: &str,
        parent: &FolderId,
        size: Option<u64>,
    ) -> Result<Entry> {
        self.stat_entry(&EntryRef::file(id.clone()))
            .await
            .map_err(|e| {
                e.landed_as(Entry {
                    id,
                    name: name.to_owned(),
                    kind: EntryKind::File,
                    size,
                    modified: None,
                    parent: parent.clone(),
                    md5: None,
                    extra: Default::default(),
                })
            })
    }

    async fn stat_entry(&self, entry: &EntryRef) -> Result<Entry> {
        let not_found =
            || ProviderError::not_found(format!("no file or folder with id {}", entry.id));
        let items = match self.files_info_items(&[&entry.id]).await {
            Ok(items) => items,
            // The host answers a malformed id with "invalid request params".
            Err(e) if e.kind == ErrorKind::InvalidInput => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let wanted = |id: &Option<String>| id.as_deref() == Some(entry.id.as_str());
        if let Some(item) = items
            .into_iter()
            .find(|item| wanted(&item.id) || wanted(&item.requested_id))
        {
            return item.into_entry(None);
        }
        if entry.kind == EntryKind::Folder {
            let folders = self.get_folders_list(&FolderId::Root).await?;
            if let Some(folder) = folders.into_iter().find(|f| f.id == entry.id) {
                let name = folder.name.rsplit('/').next().unwrap_or_default();
                return Ok(folder_entry(folder.id.clone(), name, folder.parent));
            }
        }
        Err(not_found())
    }
}

fn folder_entry(id: String, name: &str, parent: FolderId) -> Entry {
    Entry {
        id,
        name: name.to_string(),
        kind: EntryKind::Folder,
        size: None,
        modified: None,
        parent,
        md5: None,
        extra: Default::default(),
    }
}

impl fmt::Debug for Keep2Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keep2Share")
            .field("host", &self.api.host())
            .field("credentials", self.api.credentials())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Provider for Keep2Share {
    fn family(&self) -> &'static str {
        "keep2share"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            server_side_copy: true,
            delete: true,
            rename: true,
            move_files: true,
            move_folders: true,
            remote_url_upload: true,
            upload_by_hash: true,
            resume_download: true,
            duplicate_names: true,
        }
    }

    async fn authenticate(&self) -> Result<()> {
        self.api.authenticate().await
    }

    async fn list_pages(
        &self,
        folder: &FolderId,
        page: &crate::provider::PageSink<'_>,
    ) -> Result<Vec<Entry>> {
        self.list_all(folder, page).await
    }

    async fn stat(&self, entry: &EntryRef) -> Result<Entry> {
        self.stat_entry(entry).await
    }

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry> {
        let id = self
            .create_folder_with(parent, name, Access::Public, false)
            .await?;
        Ok(folder_entry(id, name, parent.clone()))
    }

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()> {
        let changes = FileChanges {
            new_name: Some(new_name.to_string()),
            ..Default::default()
        };
        self.update_file(&entry.id, &changes).await
    }

    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()> {
        let changes = FileChanges {
            new_parent: Some(dest.clone()),
            ..Default::default()
        };
        self.update_file(&entry.id, &changes).await
    }

    /// A new file from the source's md5 (which the host shows its owner).
    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry> {
        if entry.kind == EntryKind::Folder {
            return Err(ProviderError::unsupported(
                "Keep2Share copies single files on the server: copy a folder's files one by one",
            ));
        }
        let source = self.stat_entry(entry).await?;
        let md5 = source.md5.as_deref().ok_or_else(|| {
            ProviderError::unsupported(
                "the host shows no md5 for this file (only to its owner), and copying needs it",
            )
        })?;
        let access = source
            .extra
            .get("access")
            .and_then(|a| Access::parse(a))
            .unwrap_or(Access::Public);
        let id = self.place_by_hash(md5, &source.name, dest, access).await?;
        // The copy exists from here on: a failure carries it, so it is never made twice.
        self.placed(id, &source.name, dest, source.size).await
    }

    async fn delete(&self, entry: &EntryRef) -> Result<()> {
        match self.delete_files(&[&entry.id]).await? {
            0 => Err(ProviderError::not_found(format!(
                "nothing deleted: no file or folder with id {}",
                entry.id
            ))),
            _ => Ok(()),
        }
    }

    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry> {
        let len = body.len;
        let id = upload::upload(&self.api, parent, name, body, progress).await?;
        super::landing::announce(&Entry {
            id: id.clone(),
            name: name.to_owned(),
            kind: EntryKind::File,
            size: Some(len),
            modified: None,
            parent: parent.clone(),
            md5: None,
            extra: Default::default(),
        });
        self.placed(id, name, parent, Some(len)).await
    }

    async fn direct_url(&self, file: &EntryRef) -> Result<Option<String>> {
        if file.kind == EntryKind::Folder {
            return Ok(None);
        }
        match download::direct_url(&self.api, &self.free_keys, &file.id).await {
            Ok(url) => Ok(Some(url)),
            // A free account needs a person for every link: relay the bytes instead.
            Err(e) if e.kind == crate::provider::ErrorKind::CaptchaRequired => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream> {
        if file.kind == EntryKind::Folder {
            return Err(ProviderError::invalid(
                "this is a folder: only files can be downloaded",
            ));
        }
        let link = download::direct_url(&self.api, &self.free_keys, &file.id).await?;
        download::fetch(&self.api, &link, offset).await
    }

    async fn public_link(&self, entry: &EntryRef) -> Result<String> {
        match entry.kind {
            EntryKind::File => Ok(format!("{}/file/{}", self.api.site(), entry.id)),
            EntryKind::Folder => Err(ProviderError::unsupported(
                "the Keep2Share API gives links to files only",
            )),
        }
    }

    async fn account_info(&self) -> Result<AccountInfo> {
        let reply = self.api.call("accountInfo", serde_json::json!({})).await?;
        let account: AccountReply = read(reply, "accountInfo")?;
        let balance = self.get_balance().await?;
        let mut info = AccountInfo {
            username: self.api.credentials().username().map(str::to_string),
            traffic_left: account.available_traffic,
            ..Default::default()
        };
        info.extra.insert("balance".into(), format!("{balance:.2}"));
        let shown =
            |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        match expiry_of(&account.account_expires) {
            Expiry::Never => {
                info.plan = Some("free".into());
                info.concurrent_downloads = Some(1);
            }
            Expiry::Unknown => info.plan = Some("premium".into()),
            Expiry::At(t) if t > chrono::Utc::now() => {
                info.plan = Some("premium".into());
                info.premium_until = Some(shown(t));
            }
            Expiry::At(t) => {
                info.plan = Some("free".into());
                info.concurrent_downloads = Some(1);
                info.extra.insert("premium ended".into(), shown(t));
            }
            Expiry::Unreadable(text) => {
                info.extra
                    .insert("account expires".into(), errors::safe_text(&text, &[]));
            }
        }
        Ok(info)
    }

    /// `findFile`, then `createFileByHash` when the host has the content.
    async fn upload_by_hash(
        &self,
        parent: &FolderId,
        name: &str,
        md5: &str,
        size: u64,
    ) -> Result<Option<Entry>> {
        if !self.find_file(md5).await? {
            return Ok(None);
        }
        let id = self
            .place_by_hash(md5, name, parent, Access::Public)
            .await?;
        self.placed(id, name, parent, Some(size)).await.map(Some)
    }

    async fn answer_challenge(
        &self,
        challenge: &Challenge,
        answer: &str,
    ) -> Result<Option<Duration>> {
        match &challenge.purpose {
            ChallengePurpose::Login => self
                .api
                .answer_login(challenge, answer)
                .await
                .map(|()| None),
            ChallengePurpose::Download { file_id } => {
                download::answer_captcha(&self.api, &self.free_keys, challenge, file_id, answer)
                    .await
            }
        }
    }

    /// `getFilesInfo`, 100 ids a call.
    async fn check(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        self.availability_of(files).await
    }

    fn access_levels(&self, _kind: EntryKind) -> &'static [Access] {
        &Access::ALL
    }

    /// `updateFiles` with `new_access`, 100 ids a call.
    async fn set_access(&self, entries: &[EntryRef], access: Access) -> Result<Vec<Result<()>>> {
        self.change_access(entries, access).await
    }

    async fn remote_upload(&self, url: &str, parent: &FolderId) -> Result<String> {
        let job = remote::add(&self.api, url).await?;
        self.remote_destinations.remember(&job, parent);
        Ok(job)
    }

    /// A finished job's file is moved into the folder asked for (the host fetches to the root).
    async fn remote_upload_status(&self, job: &str) -> Result<RemoteJobState> {
        let state = remote::status(&self.api, job).await?;
        if let RemoteJobState::Done { file_id: Some(id) } = &state
            && let Some(folder) = self.remote_destinations.of(job)
        {
            let changes = FileChanges {
                new_parent: Some(folder.clone()),
                ..Default::default()
            };
            self.update_file(id, &changes).await.map_err(|e| {
                e.context(format!(
                    "fetched as #{id}, but moving it into folder {folder}"
                ))
            })?;
            self.remote_destinations.forget(job);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests;
