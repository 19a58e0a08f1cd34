//! `POST /__emulator/yetishare/fill` `{"account":"ys","parent":"/","count":N,"prefix":"item-"}`:
//! N empty files named `<prefix><number>.txt` put in one folder (`parent`: `/` or `0` for the
//! root, else a folder id) in one step, for tests and benchmarks of big folders. The shape is
//! the Keep2Share and XFileSharing hooks' too.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::Site;
use super::accounts::ACCOUNTS;
use super::db::{File, Status, extension_of, keywords_of, mime_type_of, short_url};
use super::reply;
use crate::emulator::control::refuse;

/// The stored bytes every filled file shares: none.
const EMPTY_BLOB: &str = "empty";
/// The md5 of no bytes.
const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/yetishare/fill", post(fill))
        .with_state(site)
}

#[derive(Deserialize)]
struct Fill {
    /// Config name ("ys").
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
        "/" | "0" | "" => None,
        id => match id.parse::<u64>() {
            Ok(id) => Some(id),
            Err(_) => return refuse("parent: \"/\" or a folder id"),
        },
    };
    if let Err(error) = tokio::fs::write(site.blob_path(EMPTY_BLOB), b"").await {
        return refuse(&format!("cannot write the empty blob: {error}"));
    }
    let now = reply::now();
    let created = site.change(|db| {
        if let Some(id) = folder
            && db.active_folder(account.id, id).is_none()
        {
            return Err("no such folder");
        }
        for number in 1..=fill.count {
            let id = db.allocate_file_id();
            let filename = format!("{}{number:05}.txt", fill.prefix);
            let extension = extension_of(&filename);
            db.files.insert(
                id,
                File {
                    id,
                    account_id: account.id,
                    folder_id: folder,
                    short_url: short_url(id),
                    file_type: mime_type_of(&extension).to_string(),
                    keywords: keywords_of(&filename),
                    extension,
                    filename,
                    size: 0,
                    md5: EMPTY_MD5.to_string(),
                    status: Status::Active,
                    downloads: 0,
                    uploaded_date: now.clone(),
                    last_accessed: None,
                    upload_source: "api".to_string(),
                    delete_hash: hex::encode(rand::random::<[u8; 16]>()),
                    unique_hash: hex::encode(rand::random::<[u8; 32]>()),
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
