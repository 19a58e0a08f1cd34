//! What the host says of a file's life and what an account may still use, both settable
//! through the test API:
//! - `POST /__emulator/keep2share/availability` `{"id":"<file id>","state":"blocked"}`: the
//!   state is `available`, `deleted` (its storage object is gone), `blocked` (an abuse takedown)
//!   or `corrupted`. A dead file stays in its owner's listing with `is_available: false` and the
//!   reason in `extended_info`; `getUrl` refuses it.
//! - `POST /__emulator/keep2share/quota` `{"account":"k2s","available_traffic":N,"disk_quota":N}`
//!   (either field may be left out): the download traffic left (what `accountInfo` reports as
//!   `available_traffic`; a download that needs more is refused with errorCode 42, sub-code 2;
//!   every byte of a premium or owner link spends it) and the bytes the account may store
//!   (errorCode 64 past it).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Site;
use super::accounts::{Account, by_config_name};
use super::db::Db;
use super::reply::Failure;
use crate::emulator::control::refuse;

/// A file's life as the host sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Life {
    #[default]
    Available,
    Deleted,
    Blocked,
    Corrupted,
}

impl Life {
    pub(super) fn is_available(self) -> bool {
        self == Life::Available
    }

    /// `extended_info.storage_object`.
    pub(super) fn storage_object(self) -> &'static str {
        match self {
            Life::Available | Life::Blocked => "available",
            Life::Deleted => "deleted",
            Life::Corrupted => "corrupted",
        }
    }

    /// `extended_info.abuses`: one takedown for a blocked file.
    pub(super) fn abuses(self) -> Value {
        match self {
            Life::Blocked => json!([{
                "type": "hash",
                "projects": ["k2s"],
                "blocked_to": "2099-12-31 23:59:59",
            }]),
            _ => json!([]),
        }
    }

    /// What `getUrl` answers for a file in this state, if it refuses it.
    pub(super) fn refusal(self) -> Option<Failure> {
        match self {
            Life::Available => None,
            Life::Deleted => Some(Failure::new(406, 20, "File not found")),
            Life::Blocked => Some(Failure::new(406, 22, "File is blocked")),
            Life::Corrupted => Some(Failure::unavailable(21, "File is not available", 4)),
        }
    }
}

impl Db {
    pub(super) fn life_of(&self, id: &str) -> Life {
        self.lives.get(id).copied().unwrap_or_default()
    }

    /// Download traffic the account has left.
    pub(super) fn traffic_left(&self, account: &Account) -> u64 {
        self.traffic_left
            .get(&account.id)
            .copied()
            .unwrap_or(account.available_traffic)
    }

    /// Spend `bytes` of the account's traffic (never below zero).
    pub(super) fn spend_traffic(&mut self, account: &Account, bytes: u64) {
        let left = self.traffic_left(account).saturating_sub(bytes);
        self.traffic_left.insert(account.id, left);
    }
}

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route(
            "/__emulator/keep2share/availability",
            axum::routing::post(set_life),
        )
        .route(
            "/__emulator/keep2share/quota",
            axum::routing::post(set_quota),
        )
        .with_state(site)
}

#[derive(Deserialize)]
struct SetLife {
    id: String,
    state: Life,
}

async fn set_life(State(site): State<Arc<Site>>, Json(set): Json<SetLife>) -> Response {
    let changed = site.change(|db| {
        let node = db.nodes.get(&set.id).ok_or("no such file")?;
        if node.is_folder() {
            return Err("folders have no availability of their own");
        }
        match set.state {
            Life::Available => db.lives.remove(&set.id),
            state => db.lives.insert(set.id.clone(), state),
        };
        Ok(())
    });
    match changed {
        Ok(()) => Json(json!({ "id": set.id, "state": set.state })).into_response(),
        Err(message) => refuse(message),
    }
}

#[derive(Deserialize)]
struct SetQuota {
    /// Config name ("k2s") or login.
    account: String,
    available_traffic: Option<u64>,
    disk_quota: Option<u64>,
}

async fn set_quota(State(site): State<Arc<Site>>, Json(set): Json<SetQuota>) -> Response {
    let Some(account) = by_config_name(&set.account) else {
        return refuse("no such account");
    };
    let (traffic, disk) = site
        .change(|db| {
            if let Some(traffic) = set.available_traffic {
                db.traffic_left.insert(account.id, traffic);
            }
            if let Some(quota) = set.disk_quota {
                db.disk_quota.insert(account.id, quota);
            }
            Ok::<_, ()>((
                db.traffic_left(account),
                db.disk_quota.get(&account.id).copied(),
            ))
        })
        .unwrap_or_default();
    Json(json!({
        "account": set.account,
        "available_traffic": traffic,
        "disk_quota": disk.unwrap_or(account.disk_quota),
    }))
    .into_response()
}
