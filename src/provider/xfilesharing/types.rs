//! The JSON XFS sites send, read leniently (ints or strings, `null`/`[]` for empty, `filecode` or
//! `file_code`), and haul's view of it: names decoded, `"undef"` codes dropped.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::site::Site;
use crate::provider::json::{lenient_vec, opt_string, opt_u64, string_of};
use crate::provider::{Entry, EntryKind, FolderId, ProviderError, Result};

/// A name as the site stores it (bytes sent back as Latin-1 code points, `"` as `&quote;`) made
/// readable again: `"Ã©"` becomes `"é"` when the code points are bytes of valid UTF-8.
pub(super) fn decode_name(raw: &str) -> String {
    let name = undo_mojibake(raw).unwrap_or_else(|| raw.to_owned());
    name.replace("&quote;", "\"")
}

/// Bytes of a name the site keeps; it cuts longer names there, even inside a character.
const STORED_NAME_BYTES: usize = 128;

/// The UTF-8 text whose bytes `raw`'s chars are, when every char is a byte and the bytes are
/// valid UTF-8 (so a genuine `"é"` stays as it is). A name the site cut at its limit may end in
/// part of a character: that part is dropped.
fn undo_mojibake(raw: &str) -> Option<String> {
    if raw.is_ascii() {
        return None;
    }
    let bytes = raw
        .chars()
        .map(|c| u8::try_from(c).ok())
        .collect::<Option<Vec<u8>>>()?;
    match String::from_utf8(bytes) {
        Ok(name) => Some(name),
        Err(e) => {
            let cut_in_a_char =
                e.utf8_error().error_len().is_none() && e.as_bytes().len() >= STORED_NAME_BYTES;
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            cut_in_a_char
                .then(|| String::from_utf8(bytes).ok())
                .flatten()
        }
    }
}

/// A file code the site really issued: not empty, not `"undef"`.
pub(super) fn real_code(code: Option<String>) -> Option<String> {
    code.map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("undef"))
}

/// The file code in a reply: `filecode`, `file_code` or `fileCode`, in an object or in the first
/// element of an array. `None` for `"undef"`.
pub(super) fn code_in(value: &Value) -> Option<String> {
    let object = match value {
        Value::Array(items) => items.first()?,
        other => other,
    };
    ["filecode", "file_code", "fileCode"]
        .iter()
        .find_map(|key| real_code(object.get(key).and_then(string_of)))
}

/// A folder id as the site spells it, `"0"` (or nothing) being the root.
fn folder_of(fld_id: Option<&str>) -> FolderId {
    match fld_id {
        Some(id) if id != "0" => FolderId::Id(id.to_owned()),
        _ => FolderId::Root,
    }
}

fn put(extra: &mut BTreeMap<String, String>, key: &str, value: Option<&String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        extra.insert(key.to_owned(), v.clone());
    }
}

fn missing(what: &str, host: &str) -> ProviderError {
    ProviderError::fatal(format!(
        "unexpected reply from {host}: {what} without an id"
    ))
}

/// Serde adapter: a list that may be missing (`None`) or sent as `null`/`false`/`[]` (empty).
fn present_vec<'de, D, T>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    lenient_vec(d).map(Some)
}

/// Where to send an upload (`upload/server`): a fresh session each time.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadServer {
    /// The `upload.cgi` URL; its host changes between calls.
    pub url: String,
    pub sess_id: String,
}

impl fmt::Debug for UploadServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// One element of `upload.cgi`'s reply array.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UploadedFileDto {
    #[serde(default, deserialize_with = "opt_string")]
    pub file_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub file_status: Option<String>,
}

/// A remote-URL upload job as `upload/url` describes it (the shape varies by site).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlUploadStatus {
    /// The job's file code, when the site gives one.
    pub code: Option<String>,
    /// The site's word for the job's state (`WORKING`, `OK`, ...), when it gives one.
    pub state: Option<String>,
}

impl UrlUploadStatus {
    /// Read a reply's `result` (object, array or nothing) and its envelope message.
    pub(super) fn from_reply(result: Option<&Value>, message: Option<&str>) -> Self {
        let object = match result {
            Some(Value::Array(items)) => items.first(),
            other => other,
        };
        let state = object
            .and_then(|o| {
                ["status", "state", "file_status"]
                    .iter()
                    .find_map(|key| o.get(key).and_then(Value::as_str))
            })
            .or(message)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        UrlUploadStatus {
            code: result.and_then(code_in),
            state,
        }
    }
}

/// A link that serves a file's bytes (`file/direct_link`). It grants access: Debug hides it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct DirectLink {
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub size: Option<u64>,
}

impl fmt::Debug for DirectLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectLink")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// One element of `file/info`'s result.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FileInfoDto {
    #[serde(default, deserialize_with = "opt_string")]
    filecode: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    file_code: Option<String>,
    #[serde(rename = "fileCode", default, deserialize_with = "opt_string")]
    file_code_camel: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    status: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    size: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    file_size: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    uploaded: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    downloads: Option<String>,
}

/// What `file/info` says about one code. It describes any file, not only the account's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileInfo {
    pub code: String,
    /// The site knows the file (per-item status 200).
    pub found: bool,
    /// The item's own status (200 found, 404 unknown, others as the site sends them).
    pub status: Option<u64>,
    pub name: Option<String>,
    pub size: Option<u64>,
    pub uploaded: Option<String>,
    pub downloads: Option<String>,
}

impl FileInfoDto {
    /// `None` for an element without a usable code.
    pub fn into_info(self) -> Option<FileInfo> {
        let code = real_code(self.filecode.or(self.file_code).or(self.file_code_camel))?;
        let found = match self.status {
            Some(status) => status == 200,
            None => self.name.is_some(),
        };
        Some(FileInfo {
            code,
            found,
            status: self.status,
            name: self.name.as_deref().map(decode_name),
            size: self.size.or(self.file_size),
            uploaded: self.uploaded,
            downloads: self.downloads,
        })
    }
}

impl FileInfo {
    pub(super) fn into_entry(self, parent: FolderId, site: &Site) -> Entry {
        let mut extra = BTreeMap::new();
        extra.insert("link".to_owned(), site.file_link(&self.code));
        put(&mut extra, "downloads", self.downloads.as_ref());
        Entry {
            name: self.name.unwrap_or_else(|| self.code.clone()),
            id: self.code,
            kind: EntryKind::File,
            size: self.size,
            modified: self.uploaded,
            parent,
            md5: None,
            extra,
        }
    }
}

/// A file in `file/list` or `folder/list`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListedFileDto {
    #[serde(default, deserialize_with = "opt_string")]
    file_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    filecode: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    size: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    fld_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    link: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    uploaded: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    downloads: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    public: Option<String>,
}

/// A file of the account, as a listing shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedFile {
    pub code: String,
    pub name: String,
    /// `folder/list` may leave it out.
    pub size: Option<u64>,
    /// The folder it is in, `"0"` for the root.
    pub fld_id: Option<String>,
    pub link: Option<String>,
    pub uploaded: Option<String>,
    pub downloads: Option<String>,
    pub public: Option<String>,
}

impl ListedFileDto {
    pub fn into_file(self, host: &str) -> Result<ListedFile> {
        let code =
            real_code(self.file_code.or(self.filecode)).ok_or_else(|| missing("a file", host))?;
        Ok(ListedFile {
            name: self
                .name
                .as_deref()
                .map_or_else(|| code.clone(), decode_name),
            code,
            size: self.size,
            fld_id: self.fld_id,
            link: self.link,
            uploaded: self.uploaded,
            downloads: self.downloads,
            public: self.public,
        })
    }
}

impl ListedFile {
    /// The folder the listing puts it in.
    pub fn folder(&self) -> FolderId {
        folder_of(self.fld_id.as_deref())
    }

    pub(super) fn into_entry(self, parent: FolderId, site: &Site) -> Entry {
        let mut extra = BTreeMap::new();
        let link = self.link.unwrap_or_else(|| site.file_link(&self.code));
        extra.insert("link".to_owned(), link);
        put(&mut extra, "downloads", self.downloads.as_ref());
        put(&mut extra, "public", self.public.as_ref());
        Entry {
            id: self.code,
            name: self.name,
            kind: EntryKind::File,
            size: self.size,
            modified: self.uploaded,
            parent,
            md5: None,
            extra,
        }
    }
}

/// `file/list`'s result.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FileListDto {
    #[serde(default, deserialize_with = "lenient_vec")]
    pub files: Vec<ListedFileDto>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub results_total: Option<u64>,
}

/// One page of `file/list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePage {
    pub files: Vec<ListedFile>,
    /// How many files match in all pages, when the site says.
    pub results_total: Option<u64>,
}

/// A folder in `folder/list`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListedFolderDto {
    #[serde(default, deserialize_with = "opt_string")]
    fld_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    code: Option<String>,
}

/// A subfolder, as `folder/list` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedFolder {
    pub fld_id: String,
    pub name: String,
    /// The folder's share code, when it has one.
    pub code: Option<String>,
}

impl ListedFolderDto {
    pub fn into_folder(self, host: &str) -> Result<ListedFolder> {
        let fld_id = self
            .fld_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| missing("a folder", host))?;
        Ok(ListedFolder {
            name: self
                .name
                .as_deref()
                .map_or_else(|| fld_id.clone(), decode_name),
            fld_id,
            code: self.code,
        })
    }
}

impl ListedFolder {
    pub(super) fn into_entry(self, parent: FolderId) -> Entry {
        let mut extra = BTreeMap::new();
        put(&mut extra, "share_code", self.code.as_ref());
        Entry {
            id: self.fld_id,
            name: self.name,
            kind: EntryKind::Folder,
            size: None,
            modified: None,
            parent,
            md5: None,
            extra,
        }
    }
}

/// `folder/list`'s result.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FolderListDto {
    #[serde(default, deserialize_with = "lenient_vec")]
    pub folders: Vec<ListedFolderDto>,
    #[serde(default, deserialize_with = "present_vec")]
    pub files: Option<Vec<ListedFileDto>>,
}

/// What `folder/list` shows of one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderListing {
    pub folders: Vec<ListedFolder>,
    /// The files directly inside; `None` when the site leaves files out of this call.
    pub files: Option<Vec<ListedFile>>,
}

/// `folder/create`'s result: `fld_id` as a string (listings give ints).
#[derive(Debug, Default, Deserialize)]
pub(super) struct CreatedFolderDto {
    #[serde(default, deserialize_with = "opt_string")]
    pub fld_id: Option<String>,
}

/// The copy `file/clone` made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClonedFile {
    pub code: String,
    pub url: Option<String>,
}

/// A file in `files/deleted`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DeletedFileDto {
    #[serde(default, deserialize_with = "opt_string")]
    file_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    deleted: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    deleted_ago_sec: Option<u64>,
}

/// A file the account lost recently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedFile {
    pub code: Option<String>,
    pub name: Option<String>,
    /// When, as `YYYY-MM-DD HH:MM:SS`.
    pub deleted: Option<String>,
    pub deleted_ago_sec: Option<u64>,
}

impl From<DeletedFileDto> for DeletedFile {
    fn from(dto: DeletedFileDto) -> Self {
        DeletedFile {
            code: real_code(dto.file_code),
            name: dto.name.as_deref().map(decode_name),
            deleted: dto.deleted,
            deleted_ago_sec: dto.deleted_ago_sec,
        }
    }
}
