//! What the test API can change on the YetiShare site:
//! - `POST /__emulator/yetishare/availability` `{"id":1001,"status":"trash"}`: a file's status,
//!   `active`, `trash` (as its owner's delete leaves it) or `deleted`; only active files are
//!   listed and downloadable, while `file/info` still describes the others with their status.
//! - `POST /__emulator/yetishare/quota`
//!   `{"account":"ys","storage_limit":N,"download_size_per_24_hours":N}` (either may be left
//!   out; 0 is unlimited): the account's storage limit, which `account/info` reports as
//!   `storageLimitOverride` (an upload past it is refused, [`storage_full`]), and the bytes it may
//!   download in 24 hours, which `account/package` reports as `download_size_per_24_hours` (a
//!   `file/download` past it is refused, [`DOWNLOAD_LIMIT`]; bytes sent count against it).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Site;
use super::accounts::{ACCOUNTS, Account};
use super::db::{Db, Status};
use crate::emulator::control::refuse;

/// How long a download allowance lasts.
const DAY_SECS: i64 = 24 * 60 * 60;

/// `file/download` past the allowance (the site's uploader words it; undocumented, inferred).
pub(super) const DOWNLOAD_LIMIT: &str =
    "You have reached the download limit for the last 24 hours (download_size_per_24_hours).";

/// An upload past the storage limit, wrapped as the API wraps the uploader's errors.
pub(super) fn storage_full(handler: &str) -> String {
    format!("Error on: {handler}. You have reached the maximum permitted storage for your account.")
}

/// One account's limits and what it used of them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(super) struct Limits {
    /// Bytes the account may store (0: the package's, unlimited).
    pub(super) storage_limit: u64,
    /// Bytes the account may download in 24 hours (0: unlimited).
    pub(super) download_size_per_24_hours: u64,
    /// Start of the current 24 hours (unix seconds) and the bytes sent in it.
    pub(super) window_start: i64,
    pub(super) downloaded: u64,
}

impl Db {
    pub(super) fn limits(&self, account_id: u64) -> Limits {
        self.limits.get(&account_id).copied().unwrap_or_default()
    }

    /// Bytes of the account's active files.
    pub(super) fn stored_bytes(&self, account_id: u64) -> u64 {
        self.files
            .values()
            .filter(|f| f.account_id == account_id && f.status == Status::Active)
            .map(|f| f.size)
            .sum()
    }

    /// Whether `bytes` more fit in the account's storage.
    pub(super) fn has_room(&self, account_id: u64, bytes: u64) -> bool {
        let limit = self.limits(account_id).storage_limit;
        limit == 0 || self.stored_bytes(account_id).saturating_add(bytes) <= limit
    }

    /// Whether the account may still download `bytes` in the current 24 hours.
    pub(super) fn may_download(&self, account_id: u64, bytes: u64, now: i64) -> bool {
        let limits = self.limits(account_id);
        let used = if now - limits.window_start >= DAY_SECS {
            0
        } else {
            limits.downloaded
        };
        limits.download_size_per_24_hours == 0
            || used.saturating_add(bytes) <= limits.download_size_per_24_hours
    }

    /// Count `bytes` sent to the account (only while it has an allowance).
    pub(super) fn count_download(&mut self, account_id: u64, bytes: u64, now: i64) {
        let Some(limits) = self.limits.get_mut(&account_id) else {
            return;
        };
        if now - limits.window_start >= DAY_SECS {
            limits.window_start = now;
            limits.downloaded = 0;
        }
        limits.downloaded = limits.downloaded.saturating_add(bytes);
    }
}

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/yetishare/availability", post(set_status))
        .route("/__emulator/yetishare/quota", post(set_quota))
        .with_state(site)
}

#[derive(Deserialize)]
struct SetStatus {
    id: u64,
    status: Status,
}

async fn set_status(State(site): State<Arc<Site>>, Json(set): Json<SetStatus>) -> Response {
    let changed = site.change(|db| {
        let file = db.files.get_mut(&set.id).ok_or("no such file")?;
        file.status = set.status;
        Ok(())
    });
    match changed {
        Ok(()) => Json(json!({ "id": set.id, "status": set.status.as_str() })).into_response(),
        Err(message) => refuse(message),
    }
}

#[derive(Deserialize)]
struct SetQuota {
    /// Config name ("ys").
    account: String,
    storage_limit: Option<u64>,
    download_size_per_24_hours: Option<u64>,
}

fn account_named(name: &str) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|a| a.config_name == name)
}

async fn set_quota(State(site): State<Arc<Site>>, Json(set): Json<SetQuota>) -> Response {
    let Some(account) = account_named(&set.account) else {
        return refuse("no such account");
    };
    let limits = site
        .change(|db| {
            let limits = db.limits.entry(account.id).or_default();
            if let Some(bytes) = set.storage_limit {
                limits.storage_limit = bytes;
            }
            if let Some(bytes) = set.download_size_per_24_hours {
                limits.download_size_per_24_hours = bytes;
            }
            Ok::<_, ()>(*limits)
        })
        .unwrap_or_default();
    Json(json!({
        "account": set.account,
        "storage_limit": limits.storage_limit,
        "download_size_per_24_hours": limits.download_size_per_24_hours,
    }))
    .into_response()
}
