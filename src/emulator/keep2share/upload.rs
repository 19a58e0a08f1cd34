//! `getUploadFormData`, the upload node it points at (multipart, streamed to disk with the
//! md5 computed on the way), and storing received bytes as a new file (shared with remote
//! uploads and the demo seed).

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use axum::Json;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Site;
use super::accounts::{Account, by_id};
use super::auth::account;
use super::db::{Access, Content, Db, Node, content_type_of};
use super::render::{file_link, now_secs};
use super::reply::{self, Outcome, folder_full, invalid_params};
use super::request::Params;
use super::signing::{sign, verify};
use crate::emulator::blob::{BlobWriter, WrittenBlob};

/// The upload node, relative to the site's origin.
pub(super) const NODE_PATH: &str = "/keep2share/upload";
const FILE_FIELD: &str = "file";
/// How long a form from `getUploadFormData` can be used.
const FORM_LIFETIME_SECS: i64 = 24 * 60 * 60;
/// Largest text field the node reads.
const TEXT_FIELD_LIMIT: usize = 64 * 1024;

/// What the opaque `params` of a form say (base64url JSON, signed by `signature`).
#[derive(Serialize, Deserialize)]
struct FormParams {
    user_id: u64,
    /// `'/'` or a folder id.
    parent_id: String,
    expires: i64,
}

/// Why a new file could not be recorded.
#[derive(Debug)]
pub(super) enum StoreRefusal {
    NoDestination,
    FolderFull,
    QuotaExceeded,
    Disk(io::Error),
}

pub(super) fn form_data(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let parent_id = params
        .string("parent_id")?
        .unwrap_or_else(|| "/".to_string());
    site.read(|db| {
        let parent = db
            .parent_of(account.id, &parent_id)
            .ok_or_else(invalid_params)?;
        if db.has_room(account.id, parent.as_deref(), 1) {
            Ok(())
        } else {
            Err(folder_full())
        }
    })?;
    let form = FormParams {
        user_id: account.id,
        parent_id,
        expires: now_secs() + FORM_LIFETIME_SECS,
    };
    let encoded = serde_json::to_vec(&form)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .map_err(|_| invalid_params())?;
    let signature = sign(&site.secret, &[&encoded]).ok_or_else(invalid_params)?;
    reply::ok(json!({
        "form_action": format!("{}{NODE_PATH}", site.origin),
        "file_field": FILE_FIELD,
        "form_data": { "ajax": true, "params": encoded, "signature": signature },
    }))
}

/// The node's answers: `status_code` instead of `code`, and the HTTP status to match.
fn node_reply(code: StatusCode, message: &str) -> Response {
    let body = json!({
        "status": "error",
        "success": false,
        "status_code": code.as_u16(),
        "message": message,
    });
    (code, Json(body)).into_response()
}

/// Why the node refuses a form: its HTTP status and message.
type FormRefusal = (StatusCode, &'static str);

const INVALID_FORM: FormRefusal = (StatusCode::BAD_REQUEST, "Invalid request params");

/// The form's account and folder, if `params` and `signature` check out.
fn verified_form(site: &Site, fields: &HashMap<String, String>) -> Result<FormParams, FormRefusal> {
    let (Some(params), Some(signature)) = (fields.get("params"), fields.get("signature")) else {
        return Err(INVALID_FORM);
    };
    if !verify(&site.secret, &[params], signature) {
        return Err((StatusCode::FORBIDDEN, "Invalid signature"));
    }
    let form = URL_SAFE_NO_PAD
        .decode(params)
        .ok()
        .and_then(|json| serde_json::from_slice::<FormParams>(&json).ok())
        .ok_or(INVALID_FORM)?;
    if now_secs() >= form.expires {
        return Err((StatusCode::FORBIDDEN, "Upload form has expired"));
    }
    Ok(form)
}

/// `POST /keep2share/upload`: the form's fields plus the file part named `file`.
pub(super) async fn node(State(site): State<Arc<Site>>, request: Request) -> Response {
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return node_reply(INVALID_FORM.0, INVALID_FORM.1);
    };
    let mut fields = HashMap::new();
    let mut received: Option<(String, io::Result<WrittenBlob>)> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return node_reply(StatusCode::BAD_REQUEST, "Upload was interrupted"),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(base_name);
        let outcome = match file_name {
            Some(file_name) if name == FILE_FIELD && received.is_none() => {
                // A form already known to be bad gets its bytes skipped, not stored.
                let known_bad = fields.contains_key("params")
                    && fields.contains_key("signature")
                    && verified_form(&site, &fields).is_err();
                if known_bad {
                    skip(&mut field).await
                } else {
                    receive(&site, &mut field)
                        .await
                        .map(|blob| received = Some((file_name, blob)))
                }
            }
            Some(_) => skip(&mut field).await,
            None => read_text(&mut field).await.map(|text| {
                fields.insert(name, text);
            }),
        };
        if outcome.is_none() {
            return node_reply(StatusCode::BAD_REQUEST, "Upload was interrupted");
        }
    }
    let form = match verified_form(&site, &fields) {
        Ok(form) => form,
        Err((code, message)) => return node_reply(code, message),
    };
    let Some((file_name, blob)) = received else {
        return node_reply(StatusCode::BAD_REQUEST, "File was not uploaded");
    };
    let Some(account) = by_id(form.user_id) else {
        return node_reply(StatusCode::FORBIDDEN, "Invalid signature");
    };
    let stored = match blob {
        Ok(blob) => {
            let parent = Some(form.parent_id).filter(|parent| parent != "/");
            store(&site, account, parent, &file_name, blob).await
        }
        Err(error) => Err(StoreRefusal::Disk(error)),
    };
    match stored {
        Ok(id) => {
            let body = json!({
                "status": "success",
                "success": true,
                "status_code": 200,
                "user_file_id": id,
                "link": file_link(&id),
            });
            Json(body).into_response()
        }
        Err(StoreRefusal::QuotaExceeded) => {
            node_reply(StatusCode::NOT_ACCEPTABLE, "Disk quota exceeded")
        }
        Err(StoreRefusal::FolderFull) => node_reply(
            StatusCode::NOT_ACCEPTABLE,
            "Limit files in specified folder reached",
        ),
        Err(StoreRefusal::NoDestination) => node_reply(
            StatusCode::NOT_ACCEPTABLE,
            "Destination directory was not found",
        ),
        Err(StoreRefusal::Disk(error)) => {
            tracing::warn!(%error, "could not store an upload");
            node_reply(StatusCode::INTERNAL_SERVER_ERROR, "Error create file")
        }
    }
}

/// The last path component of the part's filename; "file" when that is empty.
fn base_name(raw: &str) -> String {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() { "file" } else { name }.to_string()
}

async fn read_text(field: &mut Field<'_>) -> Option<String> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        let room = TEXT_FIELD_LIMIT.saturating_sub(text.len());
        text.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Some(String::from_utf8_lossy(&text).into_owned())
}

async fn skip(field: &mut Field<'_>) -> Option<()> {
    while field.chunk().await.ok()?.is_some() {}
    Some(())
}

/// Streams the part to a temp file. `None` when the body broke off.
async fn receive(site: &Site, field: &mut Field<'_>) -> Option<io::Result<WrittenBlob>> {
    let writer = match BlobWriter::create(&site.temp_dir).await {
        Ok(writer) => writer,
        Err(error) => {
            skip(field).await?;
            return Some(Err(error));
        }
    };
    let mut writing = true;
    while let Some(chunk) = field.chunk().await.ok()? {
        // After a disk error keep reading, so the reply can say so.
        writing = writing && writer.write(chunk).await;
    }
    Some(writer.finish().await)
}

/// The storage an account may fill.
pub(super) fn quota(site: &Site, account: &Account) -> u64 {
    let own = site.read(|db| db.disk_quota.get(&account.id).copied());
    site.settings()
        .disk_quota
        .or(own)
        .unwrap_or(account.disk_quota)
}

/// A file about to be recorded.
pub(super) struct NewFile {
    pub(super) id: String,
    /// `None` at the root.
    pub(super) parent: Option<String>,
    pub(super) name: String,
    pub(super) access: Access,
    pub(super) content: Content,
}

/// Records a new file after checking its folder and the account's quota.
pub(super) fn insert_file(
    db: &mut Db,
    account: &Account,
    quota: u64,
    file: NewFile,
) -> Result<String, StoreRefusal> {
    let NewFile {
        id,
        parent,
        name,
        access,
        content,
    } = file;
    if let Some(parent) = &parent
        && db.parent_of(account.id, parent).is_none()
    {
        return Err(StoreRefusal::NoDestination);
    }
    if !db.has_room(account.id, parent.as_deref(), 1) {
        return Err(StoreRefusal::FolderFull);
    }
    if db.used_bytes(account.id).saturating_add(content.size) > quota {
        return Err(StoreRefusal::QuotaExceeded);
    }
    let seq = db.next_seq();
    db.nodes.insert(
        id.clone(),
        Node {
            id: id.clone(),
            account_id: account.id,
            parent,
            name,
            access,
            is_public: false,
            created: now_secs(),
            seq,
            content: Some(content),
        },
    );
    Ok(id)
}

/// Moves received bytes into the blob store and records them as a new public file.
pub(super) async fn store(
    site: &Site,
    account: &Account,
    parent: Option<String>,
    name: &str,
    blob: WrittenBlob,
) -> Result<String, StoreRefusal> {
    store_as(site, account, None, parent, name, blob).await
}

/// [`store`] with a chosen id (the demo seed's fixed ids).
pub(super) async fn store_as(
    site: &Site,
    account: &Account,
    id: Option<String>,
    parent: Option<String>,
    name: &str,
    blob: WrittenBlob,
) -> Result<String, StoreRefusal> {
    let blob_name = hex::encode(rand::random::<[u8; 16]>());
    let path = site.blob_path(&blob_name);
    blob.file.keep_as(&path).await.map_err(StoreRefusal::Disk)?;
    let content = Content {
        size: blob.size,
        md5: blob.md5,
        head_sha1: blob.head_sha1,
        blob: blob_name,
        content_type: content_type_of(name).to_string(),
        downloads: 0,
        last_download: None,
    };
    let quota = quota(site, account);
    let stored = site.change(|db| {
        let file = NewFile {
            id: id.unwrap_or_else(|| db.new_id()),
            parent,
            name: name.to_string(),
            access: Access::Public,
            content,
        };
        insert_file(db, account, quota, file)
    });
    if stored.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    stored
}
