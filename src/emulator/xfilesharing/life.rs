//! Files the site loses and limits an account runs into, set through the test API:
//! - `POST /__emulator/xfilesharing/availability` `{"code":"<file code>","state":"deleted"}`:
//!   `deleted` takes the file away as its owner's delete would (it leaves the listings,
//!   `file/info` answers 404 for it, `files/deleted` lists it); `dmca` takes it down (the same,
//!   but `files/dmca` lists it).
//! - `POST /__emulator/xfilesharing/quota` `{"account":"xfs","storage_quota":N,"traffic_left":N}`
//!   (either may be left out): the bytes the account may store (an upload past it is answered
//!   `file_code: "undef"` with [`NO_DISK_SPACE`]) and the download traffic left, which
//!   `account/info` then reports as `traffic_left` and direct links spend (a link to a file
//!   larger than what is left is refused with [`NOT_ENOUGH_TRAFFIC`]).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::Site;
use super::accounts::ACCOUNTS;
use super::db::DeletedFile;
use super::reply::{self, Failure};
use crate::emulator::control::refuse;

/// The upload answer's `file_status` when the account's storage is full (the site's words are
/// not documented; these follow its other messages).
pub(super) const NO_DISK_SPACE: &str = "Not enough disk space on your account";

/// `file/direct_link` for a file larger than the traffic left (undocumented; a 403 like
/// "Not enabled").
pub(super) const NOT_ENOUGH_TRAFFIC: Failure = Failure {
    status: 403,
    msg: "Not enough traffic to download this file",
};

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/xfilesharing/availability", post(set_life))
        .route("/__emulator/xfilesharing/quota", post(set_quota))
        .with_state(site)
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Gone {
    Deleted,
    Dmca,
}

#[derive(Deserialize)]
struct SetLife {
    code: String,
    state: Gone,
}

async fn set_life(State(site): State<Arc<Site>>, Json(set): Json<SetLife>) -> Response {
    let removed = site.db.change(|db| {
        let file = db.files.remove(&set.code).ok_or("no such file")?;
        let now = chrono::Local::now();
        let gone = DeletedFile {
            owner: file.owner,
            code: file.code,
            name: file.name,
            deleted: reply::now(),
            deleted_at: now.timestamp(),
        };
        match set.state {
            Gone::Deleted => db.deleted.push(gone),
            Gone::Dmca => db.dmca.push(gone),
        }
        Ok(())
    });
    match removed {
        Ok(()) => Json(json!({ "code": set.code })).into_response(),
        Err(message) => refuse(message),
    }
}

#[derive(Deserialize)]
struct SetQuota {
    /// Config name ("xfs").
    account: String,
    storage_quota: Option<u64>,
    traffic_left: Option<u64>,
}

async fn set_quota(State(site): State<Arc<Site>>, Json(set): Json<SetQuota>) -> Response {
    let Some(account) = ACCOUNTS.iter().find(|a| a.config_name == set.account) else {
        return refuse("no such account");
    };
    let (quota, traffic) = site
        .db
        .change(|db| {
            if let Some(quota) = set.storage_quota {
                db.storage_quota.insert(account.id, quota);
            }
            if let Some(traffic) = set.traffic_left {
                db.traffic_left.insert(account.id, traffic);
            }
            Ok::<_, ()>((
                db.storage_quota_of(account),
                db.traffic_left.get(&account.id).copied(),
            ))
        })
        .unwrap_or_default();
    Json(json!({
        "account": set.account,
        "storage_quota": quota,
        "traffic_left": traffic,
    }))
    .into_response()
}
