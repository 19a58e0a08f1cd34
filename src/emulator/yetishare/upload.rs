//! `file/upload`, and storing received bytes as a new file (shared with URL uploads and the
//! demo seed).

use std::io;

use serde_json::json;

use super::Site;
use super::accounts::{Account, by_id};
use super::db::{File, Status, extension_of, keywords_of, mime_type_of, short_url};
use super::render::{self, size_text};
use super::reply::{self, Outcome};
use super::request::{Incoming, Params, ReceivedBytes, exact_id, php_int};
use crate::emulator::blob::WrittenBlob;

/// The upload size limit of the account named by `account_id`, while the body still streams.
pub(super) fn limit_for(params: &Params) -> Option<u64> {
    let account = exact_id(params.text("account_id")).and_then(by_id)?;
    Some(account.package.max_upload_size).filter(|&limit| limit > 0)
}

/// The folder a new file goes to: blank or 0 is the root, and so is a folder that is not an
/// active folder of the account.
pub(super) fn target_folder(site: &Site, account: &Account, value: &str) -> Option<u64> {
    let id = u64::try_from(php_int(value)).ok().filter(|&id| id > 0)?;
    site.read(|db| db.active_folder(account.id, id).map(|folder| folder.id))
}

pub(super) async fn upload(site: &Site, account: &Account, incoming: Incoming) -> Outcome {
    let handler = site.urls.upload_handler();
    let received = incoming.upload.ok_or("Did not receive uploaded file.")?;
    if received.size == 0 {
        return Err("Filesize received was zero.".to_string());
    }
    let limit = account.package.max_upload_size;
    if limit > 0 && received.size > limit {
        return Err(format!(
            "Error on: {handler}. File too large. Maximum permitted file size is {}.",
            size_text(limit)
        ));
    }
    if !site.read(|db| db.has_room(account.id, received.size)) {
        return Err(super::limits::storage_full(&handler));
    }
    let no_response = || format!("Error uploading file. No response received from: {handler}");
    let blob = match received.bytes {
        ReceivedBytes::Stored(blob) => blob,
        ReceivedBytes::Failed(error) => {
            tracing::warn!(%error, "could not store an upload");
            return Err(no_response());
        }
        // Only dropped past the account's own limit, which was answered above.
        ReceivedBytes::OverLimit => return Err(no_response()),
    };
    let folder = target_folder(site, account, incoming.params.text("folder_id"));
    let file = store(site, account, folder, &received.name, blob, "api")
        .await
        .map_err(|error| {
            tracing::warn!(%error, "could not store an upload");
            no_response()
        })?;
    Ok(reply::keys(json!({
        "response": "File uploaded",
        "data": [render::uploaded_file(&site.urls, &file)],
    })))
}

/// Moves the received bytes into the blob store and records a new active file.
pub(super) async fn store(
    site: &Site,
    account: &Account,
    folder_id: Option<u64>,
    filename: &str,
    blob: WrittenBlob,
    source: &str,
) -> io::Result<File> {
    let id = site.change(|db| Ok::<_, io::Error>(db.allocate_file_id()))?;
    let name = id.to_string();
    blob.file.keep_as(&site.blob_path(&name)).await?;
    let extension = extension_of(filename);
    let file = File {
        id,
        account_id: account.id,
        folder_id,
        filename: filename.to_string(),
        short_url: short_url(id),
        file_type: mime_type_of(&extension).to_string(),
        keywords: keywords_of(filename),
        extension,
        size: blob.size,
        md5: blob.md5,
        status: Status::Active,
        downloads: 0,
        uploaded_date: reply::now(),
        last_accessed: None,
        upload_source: source.to_string(),
        delete_hash: hex::encode(rand::random::<[u8; 16]>()),
        unique_hash: hex::encode(rand::random::<[u8; 32]>()),
        blob: name,
    };
    site.change(|db| {
        db.files.insert(id, file.clone());
        Ok::<(), io::Error>(())
    })?;
    Ok(file)
}
