//! One inherent method per XFS endpoint. Parameter names are the site's; `fld_id=0` is the root
//! everywhere except in `file/list`, where it means the whole account.

use serde_json::Value;

use super::XFileSharing;
use super::account::{AccountDetails, DayStats};
use super::errors::{Reply, refusal};
use super::types::{
    ClonedFile, CreatedFolderDto, DeletedFile, DeletedFileDto, DirectLink, FileInfo, FileInfoDto,
    FileListDto, FilePage, FolderListDto, FolderListing, UploadServer, UrlUploadStatus, code_in,
};
use crate::http;
use crate::provider::json::{lenient_vec, string_of};
use crate::provider::{FolderId, ProviderError, Result};

/// Codes per `file/info` call: XFS answers at most 50 and drops the rest.
pub(super) const FILE_INFO_BATCH: usize = 50;
/// Files asked for per `file/list` page (a site may send fewer; paging copes).
pub(super) const FILES_PER_PAGE: u32 = 1_000;

/// The `fld_id` of a folder, `0` for the root.
fn fld_id(folder: &FolderId) -> &str {
    folder.id().unwrap_or("0")
}

/// A code or id the site can take as one parameter value.
fn checked_code<'a>(what: &str, code: &'a str) -> Result<&'a str> {
    let code = code.trim();
    if code.is_empty() || code.contains(',') || code.chars().any(char::is_control) {
        return Err(ProviderError::invalid(format!(
            "not a valid {what}: {:?}",
            crate::sanitize::for_terminal(code)
        )));
    }
    Ok(code)
}

impl XFileSharing {
    /// `account/info`, with the envelope's `server_time` (the site's clock).
    pub async fn account_info_raw(&self) -> Result<AccountDetails> {
        let reply = self.api.call("account/info", &[]).await?;
        let mut details: AccountDetails = reply.result_as()?;
        details.server_time = reply.top("server_time").and_then(string_of);
        Ok(details)
    }

    /// `account/stats`: one element per day (the site's default period).
    pub async fn account_stats(&self) -> Result<Vec<DayStats>> {
        let reply = self.api.call("account/stats", &[]).await?;
        match reply.result() {
            Some(stats @ Value::Array(_)) => {
                lenient_vec(stats).map_err(|e| self.unexpected("account/stats", e))
            }
            Some(Value::Object(day)) => serde_json::from_value(Value::Object(day.clone()))
                .map(|day| vec![day])
                .map_err(|e| self.unexpected("account/stats", e)),
            _ => Ok(Vec::new()),
        }
    }

    /// `upload/server`: a fresh upload session and the `upload.cgi` to send to.
    pub async fn upload_server(&self) -> Result<UploadServer> {
        let reply = self.api.call("upload/server", &[]).await?;
        let url = reply.result().and_then(string_of);
        let sess_id = reply
            .top("sess_id")
            .or_else(|| reply.result().and_then(|r| r.get("sess_id")))
            .and_then(string_of);
        match (url, sess_id) {
            (Some(url), Some(sess_id)) if !url.is_empty() && !sess_id.is_empty() => {
                Ok(UploadServer { url, sess_id })
            }
            _ => Err(ProviderError::fatal(format!(
                "unexpected reply from {}: upload/server gave no upload URL and session",
                self.host()
            ))),
        }
    }

    /// `upload/url`: have the site fetch `url` itself. Returns the job's file code when the site
    /// gives one (some sites answer "WORKING" and nothing else).
    pub async fn upload_url(&self, url: &str, folder: &FolderId) -> Result<Option<String>> {
        let url = url.trim();
        let fetchable =
            url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "ftp"));
        if !fetchable {
            return Err(ProviderError::invalid(format!(
                "not an http(s) or ftp URL: {}",
                http::redact_url(url)
            )));
        }
        let mut params = vec![("url", url)];
        if let Some(id) = folder.id() {
            // KenFiles documents `fld_id`, FileQ `folder`.
            params.extend([("fld_id", id), ("folder", id)]);
        }
        let reply = self.api.call("upload/url", &params).await?;
        self.refused_in_result(&reply, "upload/url")?;
        Ok(reply.result().and_then(code_in))
    }

    /// `upload/url?file_code=`: the state of a remote-URL upload.
    pub async fn upload_url_status(&self, code: &str) -> Result<UrlUploadStatus> {
        let code = checked_code("file code", code)?;
        let reply = self.api.call("upload/url", &[("file_code", code)]).await?;
        self.refused_in_result(&reply, "upload/url")?;
        Ok(UrlUploadStatus::from_reply(reply.result(), reply.message()))
    }

    /// `file/direct_link`: a link serving one of the account's files. Premium or direct-link
    /// traffic only; otherwise the site answers "Not enabled".
    pub async fn direct_link(&self, code: &str) -> Result<DirectLink> {
        let code = checked_code("file code", code)?;
        let reply = self
            .api
            .call("file/direct_link", &[("file_code", code)])
            .await?;
        reply.result_as()
    }

    /// `file/info` for any number of codes, asked [`FILE_INFO_BATCH`] at a time. Unknown codes
    /// come back with `found: false`. Not proof of ownership: it describes anyone's files.
    pub async fn file_info(&self, codes: &[&str]) -> Result<Vec<FileInfo>> {
        let codes = codes
            .iter()
            .map(|c| checked_code("file code", c))
            .collect::<Result<Vec<_>>>()?;
        let mut infos = Vec::with_capacity(codes.len());
        for batch in codes.chunks(FILE_INFO_BATCH) {
            let joined = batch.join(",");
            let reply = self
                .api
                .call("file/info", &[("file_code", joined.as_str())])
                .await?;
            let items: Vec<FileInfoDto> = reply.result_or_default()?;
            infos.extend(items.into_iter().filter_map(FileInfoDto::into_info));
        }
        Ok(infos)
    }

    /// One page (from 1) of `file/list`. `folder` `None` lists the whole account: the site's
    /// `fld_id=0` here means "no folder filter", not "the root".
    pub async fn file_list(&self, folder: Option<&str>, page: u32) -> Result<FilePage> {
        self.file_list_matching(folder, page, None).await
    }

    /// A page of `file/list`, limited to names containing `name` when given.
    pub(super) async fn file_list_matching(
        &self,
        folder: Option<&str>,
        page: u32,
        name: Option<&str>,
    ) -> Result<FilePage> {
        let page = page.max(1).to_string();
        let per_page = FILES_PER_PAGE.to_string();
        let mut params = vec![
            ("fld_id", folder.unwrap_or("0")),
            ("page", page.as_str()),
            ("per_page", per_page.as_str()),
        ];
        if let Some(name) = name {
            params.push(("name", name));
        }
        let reply = self.api.call("file/list", &params).await?;
        let list: FileListDto = reply.result_or_default()?;
        Ok(FilePage {
            files: list
                .files
                .into_iter()
                .map(|f| f.into_file(self.host()))
                .collect::<Result<_>>()?,
            results_total: list.results_total,
        })
    }

    /// `file/rename`.
    pub async fn file_rename(&self, code: &str, name: &str) -> Result<()> {
        let code = checked_code("file code", code)?;
        let reply = self
            .api
            .call("file/rename", &[("file_code", code), ("name", name)])
            .await?;
        self.expect_true(&reply, "file/rename")
    }

    /// `file/clone`: a copy owned by this account (also of other users' public files).
    pub async fn file_clone(&self, code: &str, folder: &FolderId) -> Result<ClonedFile> {
        let code = checked_code("file code", code)?;
        let mut params = vec![("file_code", code)];
        if let Some(id) = folder.id() {
            params.push(("fld_id", id));
        }
        let reply = self.api.call("file/clone", &params).await?;
        let result = reply.result();
        let new_code = result.and_then(code_in).ok_or_else(|| {
            ProviderError::fatal(format!(
                "{} cloned {code} but gave no new file code",
                self.host()
            ))
        })?;
        Ok(ClonedFile {
            code: new_code,
            url: result.and_then(|r| r.get("url")).and_then(string_of),
        })
    }

    /// `file/set_folder`. The site answers OK even for codes that are not the account's.
    pub async fn file_set_folder(&self, code: &str, folder: &FolderId) -> Result<()> {
        let code = checked_code("file code", code)?;
        let params = [("file_code", code), ("fld_id", fld_id(folder))];
        self.api.call("file/set_folder", &params).await.map(drop)
    }

    /// `folder/list` with `files=1`: subfolders and, where the site includes them, files.
    pub async fn folder_list(&self, folder: &FolderId) -> Result<FolderListing> {
        self.folder_list_with(folder, true).await
    }

    pub(super) async fn folder_list_with(
        &self,
        folder: &FolderId,
        with_files: bool,
    ) -> Result<FolderListing> {
        let mut params = vec![("fld_id", fld_id(folder))];
        // Only the subfolders wanted: a site that honours `files=0` leaves a big folder's
        // files out (they come from the pages of `file/list`); one that does not sends them.
        params.push(("files", if with_files { "1" } else { "0" }));
        let reply = self.api.call("folder/list", &params).await?;
        let list: FolderListDto = reply.result_or_default()?;
        let host = self.host();
        Ok(FolderListing {
            folders: list
                .folders
                .into_iter()
                .map(|f| f.into_folder(host))
                .collect::<Result<_>>()?,
            files: list
                .files
                .map(|files| files.into_iter().map(|f| f.into_file(host)).collect())
                .transpose()?,
        })
    }

    /// `folder/create`; returns the new `fld_id`. Duplicate names are allowed.
    pub async fn folder_create(&self, parent: &FolderId, name: &str) -> Result<String> {
        let params = [("parent_id", fld_id(parent)), ("name", name)];
        let reply = self.api.call("folder/create", &params).await?;
        let created: CreatedFolderDto = reply.result_or_default()?;
        created.fld_id.filter(|id| !id.is_empty()).ok_or_else(|| {
            ProviderError::fatal(format!("{} created the folder but gave no id", self.host()))
        })
    }

    /// `folder/rename`.
    pub async fn folder_rename(&self, fld_id: &str, name: &str) -> Result<()> {
        let fld_id = checked_code("folder id", fld_id)?;
        let reply = self
            .api
            .call("folder/rename", &[("fld_id", fld_id), ("name", name)])
            .await?;
        self.expect_true(&reply, "folder/rename")
    }

    /// `files/deleted`: recently deleted files, the last `last` of them when given.
    pub async fn files_deleted(&self, last: Option<u32>) -> Result<Vec<DeletedFile>> {
        self.removed_files("files/deleted", last).await
    }

    async fn removed_files(&self, endpoint: &str, last: Option<u32>) -> Result<Vec<DeletedFile>> {
        let last = last.map(|n| n.to_string());
        let params: Vec<(&str, &str)> = last.iter().map(|n| ("last", n.as_str())).collect();
        let reply = self.api.call(endpoint, &params).await?;
        let items: Vec<DeletedFileDto> = match reply.result() {
            Some(items) => lenient_vec(items).map_err(|e| self.unexpected(endpoint, e))?,
            None => Vec::new(),
        };
        Ok(items.into_iter().map(DeletedFile::from).collect())
    }

    /// `files/dmca`: files the site took down, the last `last` of them when given (the same
    /// shape as `files/deleted`; not every site has it).
    pub async fn files_dmca(&self, last: Option<u32>) -> Result<Vec<DeletedFile>> {
        self.removed_files("files/dmca", last).await
    }

    /// The rename endpoints answer the string `"true"`; anything but a yes is a failure.
    fn expect_true(&self, reply: &Reply, endpoint: &str) -> Result<()> {
        match reply.result() {
            None | Some(Value::Bool(true)) => Ok(()),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(()),
            Some(other) => Err(ProviderError::fatal(format!(
                "{} did not confirm {endpoint}: it answered {}",
                self.host(),
                super::errors::one_line(&other.to_string())
            ))),
        }
    }

    /// A `result` naming an `"undef"` file with a reason (`upload/url`'s array form) is a refusal.
    fn refused_in_result(&self, reply: &Reply, endpoint: &str) -> Result<()> {
        let first = match reply.result() {
            Some(Value::Array(items)) => items.first(),
            other => other,
        };
        let Some(first) = first else { return Ok(()) };
        let undef = first
            .get("file_code")
            .or_else(|| first.get("filecode"))
            .and_then(Value::as_str)
            .is_some_and(|c| c.eq_ignore_ascii_case("undef"));
        if !undef {
            return Ok(());
        }
        let reason = first
            .get("file_status")
            .and_then(Value::as_str)
            .filter(|s| !s.eq_ignore_ascii_case("ok"))
            .unwrap_or("the site gave the file code \"undef\"");
        Err(refusal(&self.api.site, endpoint, None, Some(reason)))
    }

    fn unexpected(&self, endpoint: &str, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::fatal(format!(
            "unexpected reply from {} to {endpoint}: {e}",
            self.host()
        ))
    }
}
