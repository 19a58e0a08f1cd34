//! `folder/create`, `folder/listing`, `folder/info`, `folder/edit`, `folder/delete` and
//! `folder/move`, with the checks in the order the server runs them.

use serde_json::{Value, json};

use super::Site;
use super::accounts::Account;
use super::db::{Db, Destination, Folder, Status};
use super::render;
use super::reply::{self, Outcome};
use super::request::{Params, lookup_id, php_int};

const NO_FOLDER_ID: &str = "Please provide the folder_id param.";
const FOLDER_NOT_FOUND: &str = "Could not find folder based on folder_id.";

/// `is_public` is 0 (private), 1 (unlisted) or 2 (public); anything else becomes 0.
fn visibility(value: &str) -> i64 {
    match php_int(value) {
        level @ 0..=2 => level,
        _ => 0,
    }
}

/// The folder object with its password, under `data` (and `response` when given).
fn described(
    site: &Site,
    db: &Db,
    account: &Account,
    id: Option<u64>,
    response: Option<&str>,
) -> Outcome {
    let folder = db.folder(account.id, id).ok_or(FOLDER_NOT_FOUND)?;
    let mut keys = serde_json::Map::new();
    if let Some(response) = response {
        keys.insert("response".into(), json!(response));
    }
    keys.insert("data".into(), render::folder(&site.urls, db, folder, true));
    Ok(keys)
}

pub(super) fn create(site: &Site, account: &Account, params: &Params) -> Outcome {
    let name = params
        .provided("folder_name")
        .ok_or("Please provide the folder_name param.")?;
    site.change(|db| {
        let id = db.allocate_folder_id();
        // Blank or 0 is the root; other ids are stored unchecked, as the server does.
        let parent_id = u64::try_from(php_int(params.text("parent_id")))
            .ok()
            .filter(|&id| id > 0);
        let password = params.text("access_password");
        db.folders.insert(
            id,
            Folder {
                id,
                account_id: account.id,
                parent_id,
                name: name.to_string(),
                is_public: visibility(params.text("is_public")),
                access_password: (password.len() == 32).then(|| password.to_string()),
                date_added: reply::now(),
                date_updated: None,
                status: Status::Active,
            },
        );
        described(
            site,
            db,
            account,
            Some(id),
            Some("Folder successfully created."),
        )
    })
}

/// Active subfolders by name, active files by filename. A negative id lists nothing; a
/// positive one must be the account's.
pub(super) fn listing(site: &Site, account: &Account, params: &Params) -> Outcome {
    let parent = php_int(params.text("parent_folder_id"));
    site.read(|db| {
        let (folders, files): (Vec<Value>, Vec<Value>) = if parent < 0 {
            (Vec::new(), Vec::new())
        } else {
            let parent = u64::try_from(parent).ok().filter(|&id| id > 0);
            if parent.is_some() && db.folder(account.id, parent).is_none() {
                return Err(FOLDER_NOT_FOUND.to_string());
            }
            (
                db.child_folders(account.id, parent)
                    .into_iter()
                    .map(|folder| render::folder(&site.urls, db, folder, false))
                    .collect(),
                db.child_files(account.id, parent)
                    .into_iter()
                    .map(|file| render::listed_file(&site.urls, file))
                    .collect(),
            )
        };
        Ok(reply::keys(
            json!({ "data": { "folders": folders, "files": files } }),
        ))
    })
}

/// Reads `folder_id`, falling back to the vendor page's `parent_folder_id`.
pub(super) fn info(site: &Site, account: &Account, params: &Params) -> Outcome {
    let id = params
        .provided("folder_id")
        .or_else(|| params.provided("parent_folder_id"))
        .ok_or(NO_FOLDER_ID)?;
    site.read(|db| described(site, db, account, lookup_id(id), None))
}

pub(super) fn edit(site: &Site, account: &Account, params: &Params) -> Outcome {
    let id = lookup_id(params.provided("folder_id").ok_or(NO_FOLDER_ID)?);
    site.change(|db| {
        let parent = params.provided("parent_id").and_then(|value| {
            // Unknown folders are ignored; so is a move into the folder's own subtree.
            db.destination(account.id, value)
                .filter(|destination| match (destination, id) {
                    (Destination::Folder(target), Some(id)) => !db.is_within(*target, id),
                    _ => true,
                })
        });
        if let Some(folder) = id.and_then(|id| db.folder_mut(account.id, id)) {
            let mut touched = false;
            if let Some(name) = params.provided("folder_name") {
                folder.name = name.to_string();
                touched = true;
            }
            if let Some(destination) = parent {
                folder.parent_id = destination.folder_id();
                touched = true;
            }
            if let Some(level) = params.provided("is_public") {
                folder.is_public = visibility(level);
                touched = true;
            }
            if let Some(password) = params.provided("access_password") {
                folder.access_password =
                    (!password.eq_ignore_ascii_case("null")).then(|| password.to_string());
                touched = true;
            }
            if touched {
                folder.date_updated = Some(reply::now());
            }
        }
        described(site, db, account, id, Some("Folder successfully updated."))
    })
}

/// Trashes the folder and everything in it; the reply has no `data`.
pub(super) fn delete(site: &Site, account: &Account, params: &Params) -> Outcome {
    let id = lookup_id(params.provided("folder_id").ok_or(NO_FOLDER_ID)?);
    site.change(|db| {
        let id = db
            .folder(account.id, id)
            .map(|folder| folder.id)
            .ok_or("Failed deleting the folder.")?;
        db.trash_folder_tree(account.id, id);
        Ok(reply::keys(
            json!({ "response": "Folder successfully set as deleted." }),
        ))
    })
}

pub(super) fn move_folder(site: &Site, account: &Account, params: &Params) -> Outcome {
    let folder_id = params.provided("folder_id").ok_or(NO_FOLDER_ID)?;
    let target = params
        .provided("new_parent_folder_id")
        .ok_or("Please provide the new_parent_folder_id param.")?;
    if folder_id == target {
        return Err("Param folder_id can not match new_parent_folder_id.".to_string());
    }
    site.change(|db| {
        let destination = db
            .destination(account.id, target)
            .ok_or("Could not find the destination folder id defined by new_parent_folder_id.")?;
        let id = db
            .folder(account.id, lookup_id(folder_id))
            .map(|folder| folder.id)
            .ok_or("Failed moving the folder.")?;
        if let Destination::Folder(target) = destination
            && db.is_within(target, id)
        {
            return Err("Failed moving the folder.".to_string());
        }
        if let Some(folder) = db.folder_mut(account.id, id) {
            folder.parent_id = destination.folder_id();
            folder.date_updated = Some(reply::now());
        }
        described(
            site,
            db,
            account,
            Some(id),
            Some("Folder successfully moved."),
        )
    })
}
