//! The Keep2Share part of the test API (never faulted nor counted):
//! - `GET /__emulator/keep2share/captcha/<challenge>`: `{"challenge","answer"}` for an image
//!   captcha (its text) or a reCaptcha (the token its page shows);
//! - `GET|POST /__emulator/keep2share/settings`: read or replace the [`Settings`];
//! - `POST /__emulator/keep2share/fill` `{"account":"k2s","parent":"/","count":N,"prefix":"item-"}`:
//!   N empty files named `<prefix><number>.txt` in one step, for tests of big folders.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;
use sha1::Sha1;

use super::accounts::by_config_name;
use super::db::{Access, Content, Node};
use super::render::now_secs;
use super::settings::Settings;
use super::{Site, captcha};
use crate::emulator::control::refuse;

/// The stored bytes every filled file shares: none.
const EMPTY_BLOB: &str = "empty";

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/keep2share/captcha/{challenge}", get(answer))
        .route(
            "/__emulator/keep2share/settings",
            get(settings).post(set_settings),
        )
        .route("/__emulator/keep2share/fill", post(fill))
        .with_state(site)
}

async fn answer(State(site): State<Arc<Site>>, Path(challenge): Path<String>) -> Response {
    captcha::answer(&site, &challenge)
}

async fn settings(State(site): State<Arc<Site>>) -> Json<Settings> {
    Json(site.settings())
}

async fn set_settings(
    State(site): State<Arc<Site>>,
    Json(settings): Json<Settings>,
) -> Json<Settings> {
    site.set_settings(settings.clone());
    Json(settings)
}

#[derive(Deserialize)]
struct Fill {
    /// Config name ("k2s") or login.
    account: String,
    #[serde(default = "root")]
    parent: String,
    count: usize,
    #[serde(default = "default_prefix")]
    prefix: String,
}

fn root() -> String {
    "/".to_string()
}

fn default_prefix() -> String {
    "item-".to_string()
}

async fn fill(State(site): State<Arc<Site>>, Json(fill): Json<Fill>) -> Response {
    let Some(account) = by_config_name(&fill.account) else {
        return refuse("no such account");
    };
    let empty = site.blob_path(EMPTY_BLOB);
    if let Err(error) = tokio::fs::write(&empty, b"").await {
        return refuse(&format!("cannot write the empty blob: {error}"));
    }
    let content = Content {
        size: 0,
        md5: hex::encode(Md5::digest(b"")),
        head_sha1: hex::encode(Sha1::digest(b"")),
        blob: EMPTY_BLOB.to_string(),
        content_type: "text/plain".to_string(),
        downloads: 0,
        last_download: None,
    };
    let created = site.change(|db| {
        let parent = db
            .parent_of(account.id, &fill.parent)
            .ok_or("no such folder")?;
        if !db.has_room(account.id, parent.as_deref(), fill.count) {
            return Err("the folder has no room for that many");
        }
        let now = now_secs();
        for number in 1..=fill.count {
            let id = db.new_id();
            let seq = db.next_seq();
            db.nodes.insert(
                id.clone(),
                Node {
                    id,
                    account_id: account.id,
                    parent: parent.clone(),
                    name: format!("{}{number:05}.txt", fill.prefix),
                    access: Access::Public,
                    is_public: false,
                    created: now,
                    seq,
                    content: Some(content.clone()),
                },
            );
        }
        Ok(fill.count)
    });
    match created {
        Ok(count) => Json(json!({ "created": count })).into_response(),
        Err(message) => refuse(message),
    }
}
