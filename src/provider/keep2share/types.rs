//! The JSON shapes of Keep2Share requests and replies, read leniently: booleans may be strings,
//! sizes may be strings, `null` counts as absent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use super::errors::safe_text;
use crate::provider::json::{opt_string, opt_u64, string_of};
use crate::provider::{Availability, Entry, EntryKind, FolderId, ProviderError, Result};

pub use crate::provider::Access;

/// Changes for `updateFile`/`updateFiles`; what is `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileChanges {
    pub new_name: Option<String>,
    pub new_parent: Option<FolderId>,
    pub new_access: Option<Access>,
    /// Make a folder a "Public Folder" whose listing others can see.
    pub new_is_public: Option<bool>,
}

impl FileChanges {
    /// The request fields, leaving out what does not change (never defaults that move files).
    pub(super) fn params(&self) -> Map<String, Value> {
        let mut p = Map::new();
        if let Some(name) = &self.new_name {
            p.insert("new_name".into(), json!(name));
        }
        if let Some(parent) = &self.new_parent {
            p.insert("new_parent".into(), json!(folder_param(parent)));
        }
        if let Some(access) = self.new_access {
            p.insert("new_access".into(), json!(access.as_str()));
        }
        if let Some(public) = self.new_is_public {
            p.insert("new_is_public".into(), json!(public));
        }
        p
    }
}

/// How the API names a folder: `'/'` for the root.
pub(super) fn folder_param(folder: &FolderId) -> &str {
    folder.id().unwrap_or("/")
}

/// A folder id the API sent: `null`, `""` and `'/'` mean the root.
pub(super) fn folder_of(id: Option<String>) -> FolderId {
    match id {
        Some(id) if !id.is_empty() && id != "/" => FolderId::Id(id),
        _ => FolderId::Root,
    }
}

/// One file's outcome in an `updateFiles` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUpdate {
    pub id: String,
    /// Why the change failed for this file; empty when it worked.
    pub errors: Vec<String>,
}

/// A captcha challenge: its id, and where a person sees it (an image, or a reCaptcha page).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CaptchaChallenge {
    #[serde(deserialize_with = "required_string")]
    pub challenge: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub captcha_url: Option<String>,
}

/// A folder from `getFoldersList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSummary {
    pub id: String,
    /// As the host sends it: a name, or a path like `/test`.
    pub name: String,
    pub parent: FolderId,
}

/// A file made by `createFileByHash`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedFile {
    #[serde(deserialize_with = "required_string")]
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub link: Option<String>,
}

/// A boolean from `true`, `"true"`, `1`, `"1"` (and their opposites).
pub(super) fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_u64().map(|n| n != 0),
        Value::String(s) => match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Serde adapter: `Option<bool>` from a lenient boolean; `null` is `None`.
pub(super) fn opt_bool<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
    Ok(bool_of(&Value::deserialize(d)?))
}

/// Serde adapter: a string field that must be there (a number is fine too).
fn required_string<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    opt_string(d)?.ok_or_else(|| serde::de::Error::custom("missing value"))
}

/// Serde adapter: a nested object, or `None` for `null`, `false`, `[]` and other non-objects.
fn opt_object<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v)
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// A reply's fields as `T`, or a one-line error naming the call.
pub(super) fn read<T: serde::de::DeserializeOwned>(reply: Value, method: &str) -> Result<T> {
    serde_json::from_value(reply).map_err(|e| {
        ProviderError::fatal(format!(
            "the host's reply to {method} is not what haul expects: {e}"
        ))
    })
}

/// A time as `YYYY-MM-DD HH:MM:SS`: ISO times (`2019-03-26T08:09:32.000Z`) are shown in UTC.
pub(super) fn display_time(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text.trim()) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => text.trim().to_string(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ExtendedInfo {
    /// Takedowns: `[{"type":"hash","projects":["k2s"],"blocked_to":"..."}]`.
    #[serde(default, deserialize_with = "crate::provider::json::lenient_vec")]
    abuses: Vec<Value>,
    #[serde(default, deserialize_with = "opt_u64")]
    downloads: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    access: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    storage_object: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    content_type: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    date_download_last: Option<String>,
}

/// A file or folder as `getFilesList` and `getFilesInfo` describe it.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FileItem {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// The id asked for, when the host answered with a canonical one.
    #[serde(default, deserialize_with = "opt_string")]
    pub requested_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    is_folder: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    is_available: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool", rename = "isAvailableForFree")]
    available_for_free: Option<bool>,
    #[serde(default, deserialize_with = "opt_u64")]
    size: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub md5: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    date_created: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    parent_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub access: Option<String>,
    #[serde(default, deserialize_with = "opt_object")]
    extended_info: Option<ExtendedInfo>,
}

impl FileItem {
    /// The item's `extended_info`, empty when it has none.
    pub(super) fn extended(&self) -> ExtendedInfo {
        self.extended_info.clone().unwrap_or_default()
    }
}

/// The `files` of a reply: a list, one bare file object, or an object keyed by id.
pub(super) fn file_items(reply: &Value, method: &str) -> Result<Vec<FileItem>> {
    let items: Vec<&Value> = match reply.get("files") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(map)) if map.contains_key("id") => vec![one],
        Some(Value::Object(map)) => map.values().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|item| read::<FileItem>(item.clone(), method))
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

impl FileItem {
    /// What the item says of the file's life: `is_available` false is a dead file (blocked
    /// when it has abuses, deleted when its storage object is), true a live one whose `access`
    /// says who may download it.
    pub(super) fn availability(&self, ext: &ExtendedInfo) -> Availability {
        let access = self.access.as_deref().or(ext.access.as_deref());
        if self.is_available == Some(false) {
            if !ext.abuses.is_empty() {
                return Availability::Blocked;
            }
            return match ext.storage_object.as_deref() {
                Some("deleted") => Availability::Deleted,
                Some(other) if other != "available" => {
                    Availability::Undefined(format!("the host's copy is {}", safe_text(other, &[])))
                }
                _ => Availability::Undefined("the host says it is not available".to_string()),
            };
        }
        match access.and_then(Access::parse) {
            Some(Access::Private) => Availability::Private,
            Some(Access::Premium) => Availability::PremiumOnly,
            _ => Availability::Alive,
        }
    }

    /// The entry this item describes. `listed_in` is the folder that was listed (list items
    /// don't name their parent); otherwise the item's `parent_id` says.
    pub fn into_entry(self, listed_in: Option<&FolderId>) -> Result<Entry> {
        let availability =
            (self.is_folder != Some(true)).then(|| self.availability(&self.extended()));
        let id = self
            .id
            .ok_or_else(|| ProviderError::fatal("the host sent a file entry without an id"))?;
        let kind = if self.is_folder == Some(true) {
            EntryKind::Folder
        } else {
            EntryKind::File
        };
        let parent = match listed_in {
            Some(folder) => folder.clone(),
            None => folder_of(self.parent_id),
        };
        let ext = self.extended_info.unwrap_or_default();
        let mut extra = BTreeMap::new();
        let mut put = |label: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                extra.insert(label.to_string(), v);
            }
        };
        put("access", self.access.or(ext.access));
        put("available", self.is_available.map(yes_no));
        put("free download", self.available_for_free.map(yes_no));
        put("downloads", ext.downloads.map(|n| n.to_string()));
        put(
            "last download",
            ext.date_download_last.as_deref().map(display_time),
        );
        put("content type", ext.content_type);
        put("storage", ext.storage_object);
        if let Some(a) = availability {
            extra.insert(crate::provider::AVAILABILITY_KEY.to_string(), a.to_extra());
        }
        Ok(Entry {
            name: self.name.unwrap_or_else(|| id.clone()),
            id,
            kind,
            size: if kind == EntryKind::File {
                self.size
            } else {
                None
            },
            modified: self
                .date_created
                .or(self.created_at)
                .as_deref()
                .map(display_time),
            parent,
            md5: self.md5.filter(|m| !m.is_empty()),
            extra,
        })
    }
}

/// `getFoldersList`: four parallel lists.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FoldersListReply {
    #[serde(default)]
    folders_list: Vec<Value>,
    #[serde(default)]
    folders_ids: Vec<Value>,
    #[serde(default)]
    parent_folders_ids: Vec<Value>,
}

impl FoldersListReply {
    pub fn folders(self) -> Vec<FolderSummary> {
        let mut parents = self.parent_folders_ids.into_iter();
        self.folders_ids
            .into_iter()
            .zip(self.folders_list)
            .filter_map(|(id, name)| {
                let parent = folder_of(parents.next().as_ref().and_then(string_of));
                Some(FolderSummary {
                    id: string_of(&id)?,
                    name: string_of(&name).unwrap_or_default(),
                    parent,
                })
            })
            .collect()
    }
}

/// `getUrl`: a direct link, or a free-download key and its countdown.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UrlReply {
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub free_download_key: Option<String>,
    #[serde(default)]
    pub time_wait: Value,
}

/// `getUploadFormData`: where to post the file and the fields to send along.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UploadForm {
    #[serde(default, deserialize_with = "opt_string")]
    pub form_action: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub file_field: Option<String>,
    #[serde(default)]
    pub form_data: Map<String, Value>,
}

/// A `form_data` value as multipart text: `true` -> "true", strings as they are.
pub(super) fn form_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The upload node's reply (it says `status_code`, not `code`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct UploadReply {
    #[serde(default, deserialize_with = "opt_u64")]
    pub status_code: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub code: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_file_id: Option<String>,
}

/// `accountInfo`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AccountReply {
    #[serde(default, deserialize_with = "opt_u64")]
    pub available_traffic: Option<u64>,
    #[serde(default)]
    pub account_expires: Value,
}

/// When premium ends, from `account_expires` in any of its shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expiry {
    /// `false`, `null`, `0`: never had premium.
    Never,
    /// `true`: premium, end not given.
    Unknown,
    At(DateTime<Utc>),
    /// Something we can't read, kept to show.
    Unreadable(String),
}

pub(super) fn expiry_of(v: &Value) -> Expiry {
    let from_secs = |s: i64| match DateTime::from_timestamp(s, 0) {
        Some(t) => Expiry::At(t),
        None => Expiry::Unreadable(s.to_string()),
    };
    match v {
        Value::Bool(true) => Expiry::Unknown,
        Value::Number(n) => match n.as_i64() {
            Some(0) => Expiry::Never,
            Some(s) => from_secs(s),
            None => Expiry::Unreadable(n.to_string()),
        },
        Value::String(s) => match s.trim() {
            "" | "false" | "0" => Expiry::Never,
            "true" => Expiry::Unknown,
            text => match (text.parse::<i64>(), DateTime::parse_from_rfc3339(text)) {
                (Ok(secs), _) => from_secs(secs),
                (_, Ok(t)) => Expiry::At(t.with_timezone(&Utc)),
                _ => Expiry::Unreadable(text.to_string()),
            },
        },
        _ => Expiry::Never,
    }
}

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
