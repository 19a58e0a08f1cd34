//! `file/info`, `file/edit`, `file/delete`, `file/move`, `file/copy` and `file/download`, with the
//! checks in the order the server runs them.

use std::time::Instant;

use serde_json::json;

use super::Site;
use super::accounts::Account;
use super::db::{Db, File, Status, extension_of, keywords_of, short_url};
use super::render;
use super::reply::{self, Outcome};
use super::request::{Params, lookup_id};

const NO_FILE_ID: &str = "Please provide the file_id param.";
const FILE_NOT_FOUND: &str = "Could not find file based on file_id.";

/// The account's file named by `file_id` (any status, as the server's ownership check).
fn owned_file<'a>(db: &'a Db, account: &Account, params: &Params) -> Result<&'a File, String> {
    let id = params.provided("file_id").ok_or(NO_FILE_ID)?;
    db.file(account.id, lookup_id(id))
        .ok_or_else(|| FILE_NOT_FOUND.to_string())
}

pub(super) fn info(site: &Site, account: &Account, params: &Params) -> Outcome {
    site.read(|db| {
        let file = owned_file(db, account, params)?;
        Ok(reply::keys(
            json!({ "data": render::file_info(&site.urls, file) }),
        ))
    })
}

/// The file's `file/info` object after a change, under `response`.
fn changed(site: &Site, db: &Db, account: &Account, id: u64, response: &str) -> Outcome {
    let file = db.file(account.id, Some(id)).ok_or(FILE_NOT_FOUND)?;
    Ok(reply::keys(json!({
        "response": response,
        "data": render::file_info(&site.urls, file),
    })))
}

pub(super) fn edit(site: &Site, account: &Account, params: &Params) -> Outcome {
    site.change(|db| {
        let id = owned_file(db, account, params)?.id;
        let folder = params.provided("folder_id").and_then(|value| {
            // An unknown or foreign folder is silently ignored.
            db.destination(account.id, value)
        });
        if let Some(file) = db.file_mut(account.id, id) {
            if let Some(name) = params.provided("filename") {
                file.filename = name.to_string();
                file.extension = extension_of(name);
                file.keywords = keywords_of(name);
            }
            if let Some(destination) = folder {
                file.folder_id = destination.folder_id();
            }
            if let Some(file_type) = params.provided("fileType") {
                file.file_type = file_type.to_string();
            }
        }
        changed(site, db, account, id, "File successfully updated.")
    })
}

pub(super) fn delete(site: &Site, account: &Account, params: &Params) -> Outcome {
    site.change(|db| {
        let id = owned_file(db, account, params)?.id;
        let file = db
            .file_mut(account.id, id)
            .ok_or("Failed deleting the file.")?;
        file.status = Status::Trash;
        changed(site, db, account, id, "File successfully set as deleted.")
    })
}

pub(super) fn move_file(site: &Site, account: &Account, params: &Params) -> Outcome {
    site.change(|db| {
        let id = owned_file(db, account, params)?.id;
        let target = params
            .provided("new_parent_folder_id")
            .ok_or("Please provide the new_parent_folder_id param.")?;
        let destination = db
            .destination(account.id, target)
            .ok_or("Could not find the destination folder id defined by new_parent_folder_id.")?;
        let file = db
            .file_mut(account.id, id)
            .ok_or("Failed moving the file.")?;
        file.folder_id = destination.folder_id();
        changed(site, db, account, id, "File successfully moved.")
    })
}

/// The reply nests each file under its own `data` and has no top-level `data`; the typo in
/// "copyied" is the server's.
pub(super) fn copy(site: &Site, account: &Account, params: &Params) -> Outcome {
    site.change(|db| {
        let original = owned_file(db, account, params)?.clone();
        let target = params
            .provided("copy_to_folder_id")
            .ok_or("Please provide the copy_to_folder_id param.")?;
        let destination = db
            .destination(account.id, target)
            .ok_or("Could not find the destination folder id defined by copy_to_folder_id.")?;
        let id = db.allocate_file_id();
        let copy = File {
            id,
            folder_id: destination.folder_id(),
            short_url: short_url(id),
            status: Status::Active,
            downloads: 0,
            uploaded_date: reply::now(),
            last_accessed: None,
            delete_hash: hex::encode(rand::random::<[u8; 16]>()),
            unique_hash: hex::encode(rand::random::<[u8; 32]>()),
            ..original.clone()
        };
        let new_file = render::file_info(&site.urls, &copy);
        db.files.insert(id, copy);
        Ok(reply::keys(json!({
            "response": "File successfully copyied.",
            "original_file": { "data": render::file_info(&site.urls, &original) },
            "new_file": { "data": new_file },
        })))
    })
}

/// A 24-hour direct link; `data.file_id` echoes the request's text as sent.
pub(super) fn download(site: &Site, account: &Account, params: &Params) -> Outcome {
    let now = chrono::Utc::now().timestamp();
    let (file_id, filename, short) = site.read(|db| {
        let file = owned_file(db, account, params)?;
        if !db.may_download(account.id, file.size, now) {
            return Err(super::limits::DOWNLOAD_LIMIT.to_string());
        }
        Ok((file.id, file.filename.clone(), file.short_url.clone()))
    })?;
    let token = site.sessions().grant_download(file_id, Instant::now());
    Ok(reply::keys(json!({
        "data": {
            "file_id": params.text("file_id"),
            "filename": filename,
            "download_url": format!("{}/{short}?download_token={token}", site.urls.site),
        }
    })))
}
