//! `POST /__emulator/xfilesharing/fill` `{"account":"xfs","parent":"/","count":N,"prefix":"item-"}`:
//! N empty files named `<prefix><number>.txt` put in one folder (`parent`: `/` or `0` for the
//! root, else a folder id) in one step, for tests and benchmarks of big folders. The shape is
//! the Keep2Share and YetiShare hooks' too.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::Site;
use super::accounts::ACCOUNTS;
use super::db::{File, ROOT};
use super::reply;
use crate::emulator::control::refuse;

/// The stored bytes every filled file shares: none.
const EMPTY_BLOB: &str = "empty";
/// The md5 of no bytes.
const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/xfilesharing/fill", post(fill))
        .with_state(site)
}

#[derive(Deserialize)]
struct Fill {
    /// Config name ("xfs").
    account: String,
    #[serde(default = "root")]
    parent: String,
    count: u64,
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
    let Some(account) = ACCOUNTS.iter().find(|a| a.config_name == fill.account) else {
        return refuse("no such account");
    };
    let folder = match fill.parent.as_str() {
        "/" | "0" | "" => ROOT,
        id => match id.parse::<u64>() {
            Ok(id) => id,
            Err(_) => return refuse("parent: \"/\" or a folder id"),
        },
    };
    if let Err(error) = tokio::fs::write(site.blob_path(EMPTY_BLOB), b"").await {
        return refuse(&format!("cannot write the empty blob: {error}"));
    }
    let now = reply::now();
    let created = site.db.change(|db| {
        if folder != ROOT && db.folder(account.id, folder).is_none() {
            return Err("no such folder");
        }
        for number in 1..=fill.count {
            let (id, code) = db.allocate_file();
            db.files.insert(
                code.clone(),
                File {
                    id,
                    code,
                    owner: account.id,
                    folder,
                    name: format!("{}{number:05}.txt", fill.prefix),
                    size: 0,
                    md5: EMPTY_MD5.to_string(),
                    uploaded: now.clone(),
                    downloads: 0,
                    public: false,
                    blob: EMPTY_BLOB.to_string(),
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
