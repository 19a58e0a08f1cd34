//! One method per Keep2Share call a file manager uses, beyond the `Provider` interface.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::Keep2Share;
use super::errors::safe_text;
use super::types::{
    Access, CaptchaChallenge, CreatedFile, FileChanges, FileItem, FileUpdate, FolderSummary,
    FoldersListReply, bool_of, file_items, folder_param, read,
};
use crate::provider::json::{string_of, u64_of};
use crate::provider::{Entry, ErrorKind, FolderId, ProviderError, Result};

/// Most entries `getFilesList` returns at once.
pub(super) const LIST_PAGE: usize = 10_000;
/// Pages of `getFilesList` asked for at once after a full first page.
const PAGES_AT_ONCE: usize = 4;
/// The first page of a listing: a screenful and more, soon on screen.
const FIRST_PAGE: usize = 500;
/// Most ids `getFilesInfo` takes at once.
const INFO_BATCH: usize = 100;
/// The shortest name `createFileByHash` accepts.
const HASH_NAME_MIN_CHARS: usize = 3;
/// Appended to a too-short name for `createFileByHash`, until `updateFile` renames the file.
const INTERIM_SUFFIX: &str = ".haul-copy";

fn object(params: Map<String, Value>) -> Value {
    Value::Object(params)
}

impl Keep2Share {
    /// `test`: whether the API answers (and, with a session, whether it is still good).
    pub async fn test(&self) -> Result<()> {
        self.api.call("test", json!({})).await.map(drop)
    }

    /// `getBalance`: the user, partner or reseller balance.
    pub async fn get_balance(&self) -> Result<f64> {
        let reply = self.api.call("getBalance", json!({})).await?;
        let balance = reply.get("balance");
        balance
            .and_then(Value::as_f64)
            .or_else(|| balance.and_then(Value::as_str)?.trim().parse().ok())
            .ok_or_else(|| ProviderError::fatal("the host sent no balance"))
    }

    /// `getDomainsList`: the site names links can be built on.
    pub async fn get_domains_list(&self) -> Result<Vec<String>> {
        let reply = self.api.call("getDomainsList", json!({})).await?;
        Ok(reply
            .get("domains")
            .and_then(Value::as_array)
            .map(|domains| domains.iter().filter_map(string_of).collect())
            .unwrap_or_default())
    }

    /// `getFoldersList`: the sub-folders of `parent`; for the root, the host's default list
    /// (the account's folders, each with its parent).
    pub async fn get_folders_list(&self, parent: &FolderId) -> Result<Vec<FolderSummary>> {
        let params = match parent.id() {
            Some(id) => json!({"parent_id": id}),
            None => json!({}),
        };
        let reply = self.api.call("getFoldersList", params).await?;
        Ok(read::<FoldersListReply>(reply, "getFoldersList")?.folders())
    }

    /// `getFilesList`: one page of the entries directly in `parent`.
    pub async fn get_files_list(
        &self,
        parent: &FolderId,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Entry>> {
        let params = json!({
            "parent": folder_param(parent),
            "limit": limit.min(LIST_PAGE),
            "offset": offset,
            "extended_info": true,
        });
        // The host answers a folder id it doesn't know with "invalid request params".
        let reply = match self.api.call("getFilesList", params).await {
            Err(e) if e.kind == ErrorKind::InvalidInput && !parent.is_root() => {
                return Err(ProviderError::not_found(format!(
                    "no folder with id {parent}"
                )));
            }
            reply => reply?,
        };
        file_items(&reply, "getFilesList")?
            .into_iter()
            .map(|item| item.into_entry(Some(parent)))
            .collect()
    }

    /// Every entry directly in `folder`, handed to `sink` page by page. The host gives no
    /// total (a short page is the last): a small first page shows a folder at once, and after
    /// it is full the next [`PAGES_AT_ONCE`] pages are asked for at once, and so on until one
    /// comes back short.
    pub(super) async fn list_all(
        &self,
        folder: &FolderId,
        sink: &crate::provider::PageSink<'_>,
    ) -> Result<Vec<Entry>> {
        let mut seen = HashSet::new();
        let mut offset = 0;
        let mut wave = vec![FIRST_PAGE];
        loop {
            let asked = wave.iter().scan(offset, |at, &limit| {
                let page = self.get_files_list(folder, limit, *at);
                *at += limit;
                Some(page)
            });
            let pages = futures::future::try_join_all(asked).await?;
            for (page, limit) in pages.into_iter().zip(&wave) {
                offset += limit;
                let full = page.len() >= *limit;
                let new: Vec<Entry> = page
                    .into_iter()
                    .filter(|e| seen.insert(e.id.clone()))
                    .collect();
                let stuck = new.is_empty() && full;
                sink(new, false);
                if !full {
                    return Ok(Vec::new());
                }
                if stuck {
                    return Err(ProviderError::fatal(format!(
                        "the host sends the same page of folder {folder} again and again"
                    )));
                }
            }
            wave = vec![LIST_PAGE; PAGES_AT_ONCE];
        }
    }

    /// `getFilesInfo` for any number of ids (asked 100 at a time). Ids the host doesn't know
    /// are simply absent.
    pub async fn get_files_info(&self, ids: &[&str]) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for batch in ids.chunks(INFO_BATCH) {
            for item in self.files_info_items(batch).await? {
                entries.push(item.into_entry(None)?);
            }
        }
        Ok(entries)
    }

    pub(super) async fn files_info_items(&self, ids: &[&str]) -> Result<Vec<FileItem>> {
        let params = json!({"ids": ids, "extended_info": true});
        let reply = self.api.call("getFilesInfo", params).await?;
        file_items(&reply, "getFilesInfo")
    }

    /// `findFile`: whether the host already stores content with this md5.
    pub async fn find_file(&self, md5: &str) -> Result<bool> {
        let reply = self.api.call("findFile", json!({"md5": md5})).await?;
        Ok(reply.get("found").and_then(bool_of).unwrap_or(false))
    }

    /// `createFileByHash`: a new file `name` in `parent` from content the host already has.
    pub async fn create_file_by_hash(
        &self,
        md5: &str,
        name: &str,
        parent: &FolderId,
        access: Access,
    ) -> Result<CreatedFile> {
        let params = json!({
            "hash": md5,
            "name": name,
            "parent": folder_param(parent),
            "access": access.as_str(),
        });
        let reply = self.api.call("createFileByHash", params).await?;
        read(reply, "createFileByHash")
    }

    /// A file `name` in `parent` from content the host already has, by `createFileByHash`.
    /// That call wants names of at least three characters: a shorter name is given by
    /// `updateFile` right after, which takes any name.
    pub(super) async fn place_by_hash(
        &self,
        md5: &str,
        name: &str,
        parent: &FolderId,
        access: Access,
    ) -> Result<String> {
        if name.chars().count() >= HASH_NAME_MIN_CHARS {
            return Ok(self
                .create_file_by_hash(md5, name, parent, access)
                .await?
                .id);
        }
        let interim = format!("{name}{INTERIM_SUFFIX}");
        let created = self
            .create_file_by_hash(md5, &interim, parent, access)
            .await?;
        let renamed = FileChanges {
            new_name: Some(name.to_string()),
            ..Default::default()
        };
        if let Err(e) = self.update_file(&created.id, &renamed).await {
            // Don't leave the interim name behind.
            let _ = self.delete_files(&[&created.id]).await;
            return Err(e.context(format!("naming the new file {name}")));
        }
        Ok(created.id)
    }

    /// `createFolder`; returns the new folder's id.
    pub async fn create_folder_with(
        &self,
        parent: &FolderId,
        name: &str,
        access: Access,
        is_public: bool,
    ) -> Result<String> {
        let params = json!({
            "name": name,
            "parent": folder_param(parent),
            "access": access.as_str(),
            "is_public": is_public,
        });
        let reply = self.api.call("createFolder", params).await?;
        reply
            .get("id")
            .and_then(string_of)
            .ok_or_else(|| ProviderError::fatal("the host made the folder but sent no id"))
    }

    /// `updateFile`: rename, move (`'/'` for the root), change access of a file or folder.
    pub async fn update_file(&self, id: &str, changes: &FileChanges) -> Result<()> {
        let mut params = changes.params();
        params.insert("id".into(), json!(id));
        self.api.call("updateFile", object(params)).await.map(drop)
    }

    /// `updateFiles`: the same changes for many ids; each id's outcome.
    pub async fn update_files(
        &self,
        ids: &[&str],
        changes: &FileChanges,
    ) -> Result<Vec<FileUpdate>> {
        let mut params = changes.params();
        params.insert("ids".into(), json!(ids));
        let reply = self.api.call("updateFiles", object(params)).await?;
        let files = reply.get("files").and_then(Value::as_array);
        Ok(files
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let mut errors: Vec<String> = f
                    .get("errors")
                    .and_then(Value::as_array)
                    .map(|errs| {
                        errs.iter()
                            .filter_map(string_of)
                            .map(|e| safe_text(&e, &[]))
                            .collect()
                    })
                    .unwrap_or_default();
                if errors.is_empty() && f.get("status").and_then(Value::as_str) == Some("error") {
                    errors.push("the host could not change this file".to_string());
                }
                Some(FileUpdate {
                    id: f.get("id").and_then(string_of)?,
                    errors,
                })
            })
            .collect())
    }

    /// `deleteFiles`; returns how many the host deleted.
    pub async fn delete_files(&self, ids: &[&str]) -> Result<u64> {
        let reply = self.api.call("deleteFiles", json!({"ids": ids})).await?;
        Ok(reply.get("deleted").and_then(u64_of).unwrap_or(0))
    }

    /// `requestCaptcha`: a new image-captcha challenge.
    pub async fn request_captcha(&self) -> Result<CaptchaChallenge> {
        self.api.request_captcha().await
    }

    /// `requestReCaptcha`: a new reCaptcha challenge (a page a person solves in a browser).
    pub async fn request_re_captcha(&self) -> Result<CaptchaChallenge> {
        self.api.request_re_captcha().await
    }

    /// The image of an image-captcha challenge.
    pub async fn captcha_image(&self, challenge: &str) -> Result<Vec<u8>> {
        self.api.captcha_image(challenge).await
    }
}
