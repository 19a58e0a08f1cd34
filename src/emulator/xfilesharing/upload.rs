//! `upload/server` and the upload server's `cgi-bin/upload.cgi`: a multipart POST with
//! `sess_id`, `utype` and file parts (`file_0` in practice, `file` on the KenFiles page, any
//! file part accepted), streamed to disk with the MD5 computed on the way. Files always land in
//! the root; a `fld_id` or `to_folder` field is ignored.

use std::io;
use std::time::Instant;

use axum::Json;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Site;
use super::accounts::{Account, by_id};
use super::db::{File, ROOT};
use super::names;
use super::params::Params;
use super::reply::{self, Answer, Outcome};
use crate::emulator::blob::{BlobWriter, WrittenBlob};

const EMPTY_FILE: &str = "null filesize or wrong file path";
const UNAUTHORIZED: &str = "Unauthorized";
const NOT_STORED: &str = "Server error: could not save the file";

/// A fresh session on the next upload host (the host changes between calls).
pub(super) fn server(site: &Site, account: &Account) -> Outcome {
    let sess_id = site.sessions().issue(account.id, Instant::now());
    Ok(Answer::UploadServer {
        sess_id,
        url: format!("{}/cgi-bin/upload.cgi", site.next_server()),
    })
}

/// A file part as received: its name and bytes (an error when they could not be kept).
struct ReceivedPart {
    name: String,
    blob: io::Result<WrittenBlob>,
}

/// Answers a bare JSON array with one `{file_code, file_status}` per file part.
pub(super) async fn receive(site: &Site, request: Request) -> Response {
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return entries(vec![undef(EMPTY_FILE)]);
    };
    let mut fields = Params::default();
    let mut parts = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // The body broke off: nothing received is an upload.
            Err(_) => return entries(vec![undef(EMPTY_FILE)]),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let complete = match file_name {
            // A browser sends an empty file input with an empty filename: not a file.
            Some(file_name) if file_name.is_empty() => skip(&mut field).await,
            Some(file_name) => match receive_part(site, &mut field).await {
                Some(blob) => {
                    parts.push(ReceivedPart {
                        name: file_name,
                        blob,
                    });
                    true
                }
                None => false,
            },
            None => match read_text(&mut field).await {
                Some(text) => {
                    fields.insert(name, text);
                    true
                }
                None => false,
            },
        };
        if !complete {
            return entries(vec![undef(EMPTY_FILE)]);
        }
    }
    if parts.is_empty() {
        return entries(vec![undef(EMPTY_FILE)]);
    }
    let account = if site.quirks.lost_upload_sessions() {
        None
    } else {
        site.sessions()
            .get(fields.text("sess_id"), Instant::now())
            .and_then(by_id)
    };
    let Some(account) = account else {
        if site.quirks.anonymous_uploads() {
            return store_for_nobody(site, parts).await;
        }
        return entries(parts.iter().map(|_| undef(UNAUTHORIZED)).collect());
    };
    let public = fields.get("file_public").is_none_or(|value| value != "0");
    let mut answers = Vec::with_capacity(parts.len());
    for part in parts {
        answers.push(match part.blob {
            Ok(blob) if blob.size > 0 && !site.db.read(|db| db.has_room(account, blob.size)) => {
                undef(super::life::NO_DISK_SPACE)
            }
            Ok(blob) if blob.size > 0 => {
                let new = NewFile {
                    owner: account.id,
                    folder: ROOT,
                    name: names::stored(&part.name),
                    public,
                };
                match store(site, new, blob).await {
                    Ok(file) => json!({ "file_code": file.code, "file_status": "OK" }),
                    Err(error) => {
                        tracing::warn!(%error, "could not store an upload");
                        undef(NOT_STORED)
                    }
                }
            }
            Ok(_) => undef(EMPTY_FILE),
            Err(error) => {
                tracing::warn!(%error, "could not receive an upload");
                undef(NOT_STORED)
            }
        });
    }
    entries(answers)
}

/// The `anonymous_uploads` quirk: each part stored as nobody's file, in no account.
async fn store_for_nobody(site: &Site, parts: Vec<ReceivedPart>) -> Response {
    let mut answers = Vec::with_capacity(parts.len());
    for part in parts {
        answers.push(match part.blob {
            Ok(blob) if blob.size > 0 => {
                let new = NewFile {
                    owner: super::quirks::NOBODY,
                    folder: ROOT,
                    name: names::stored(&part.name),
                    public: true,
                };
                match store(site, new, blob).await {
                    Ok(file) => json!({ "file_code": file.code, "file_status": "OK" }),
                    Err(_) => undef(NOT_STORED),
                }
            }
            Ok(_) => undef(EMPTY_FILE),
            Err(_) => undef(NOT_STORED),
        });
    }
    entries(answers)
}

fn undef(status: &str) -> Value {
    json!({ "file_code": "undef", "file_status": status })
}

fn entries(answers: Vec<Value>) -> Response {
    Json(Value::Array(answers)).into_response()
}

/// Streams a file part to a temp blob. `None` when the body broke off; an error when the disk
/// failed (the rest of the part is then read and dropped).
async fn receive_part(site: &Site, field: &mut Field<'_>) -> Option<io::Result<WrittenBlob>> {
    let mut writer = BlobWriter::create(&site.temp_dir).await;
    while let Some(chunk) = field.chunk().await.ok()? {
        if let Ok(open) = &writer
            && !open.write(chunk).await
        {
            // The disk side stopped; finishing it says why.
            let failed = std::mem::replace(&mut writer, Err(io::Error::other("no writer")));
            writer = match failed {
                Ok(failed) => Err(failed
                    .finish()
                    .await
                    .err()
                    .unwrap_or_else(|| io::Error::other("upload writer stopped early"))),
                Err(error) => Err(error),
            };
        }
    }
    Some(match writer {
        Ok(writer) => writer.finish().await,
        Err(error) => Err(error),
    })
}

async fn read_text(field: &mut Field<'_>) -> Option<String> {
    const TEXT_LIMIT: usize = 64 << 10;
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        let room = TEXT_LIMIT.saturating_sub(text.len());
        text.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Some(String::from_utf8_lossy(&text).into_owned())
}

async fn skip(field: &mut Field<'_>) -> bool {
    loop {
        match field.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

/// Where a new file goes and how it is named (in its stored form).
pub(super) struct NewFile {
    pub(super) owner: u64,
    pub(super) folder: u64,
    pub(super) name: String,
    pub(super) public: bool,
}

/// Gives the file a new code, moves its bytes into the blob store and records it.
pub(super) async fn store(site: &Site, new: NewFile, blob: WrittenBlob) -> io::Result<File> {
    let (id, code) = site
        .db
        .change(|db| Ok::<_, io::Error>(db.allocate_file()))?;
    store_as(site, id, code, new, blob).await
}

/// Like [`store`], under an id and code allocated before (a URL upload's).
pub(super) async fn store_as(
    site: &Site,
    id: u64,
    code: String,
    new: NewFile,
    blob: WrittenBlob,
) -> io::Result<File> {
    let blob_name = id.to_string();
    blob.file.keep_as(&site.blob_path(&blob_name)).await?;
    let file = File {
        id,
        code,
        owner: new.owner,
        folder: new.folder,
        name: new.name,
        size: blob.size,
        md5: blob.md5,
        uploaded: reply::now(),
        downloads: 0,
        public: new.public,
        blob: blob_name,
    };
    site.db.change(|db| {
        db.files.insert(file.code.clone(), file.clone());
        Ok::<(), io::Error>(())
    })?;
    Ok(file)
}
