//! `folder/list`, `folder/create` and `folder/rename`.

use serde_json::{Value, json};

use super::Site;
use super::accounts::Account;
use super::db::{Db, Folder, ROOT};
use super::names;
use super::params::Params;
use super::reply::{self, Answer, FOLDER_NOT_YOURS, NO_NAME, Outcome};

/// The folder named by `fld_id`-style text: the root for 0, or one of the account's.
fn own_folder(db: &Db, account: &Account, id: i64) -> Result<u64, reply::Failure> {
    if db.is_own_place(account.id, id) {
        Ok(u64::try_from(id).unwrap_or(ROOT))
    } else {
        Err(FOLDER_NOT_YOURS)
    }
}

/// Subfolders and files of one folder (`fld_id` 0 or none: the root), all at once: paging
/// parameters are ignored. Ids are numbers here; file entries carry no size. `files=0` leaves
/// the files out (an empty list), as sites that list files only with `files=1` do.
pub(super) fn list(site: &Site, account: &Account, params: &Params) -> Outcome {
    let with_files = params.provided("files") != Some("0");
    site.db.read(|db| {
        let folder = own_folder(db, account, params.int("fld_id"))?;
        let folders: Vec<Value> = db
            .child_folders(account.id, folder)
            .into_iter()
            .map(|f| json!({ "fld_id": f.id, "code": null, "name": f.name }))
            .collect();
        let files: Vec<Value> = if with_files {
            db.child_files(account.id, folder)
        } else {
            Vec::new()
        }
        .into_iter()
        .map(|f| {
            json!({
                "fld_id": f.folder,
                "link": site.file_url(&f.code),
                "file_code": f.code,
                "uploaded": f.uploaded,
                "name": f.name,
            })
        })
        .collect();
        Ok(Answer::Result(
            json!({ "folders": folders, "files": files }),
        ))
    })
}

/// Not idempotent (duplicate names are fine). The new id comes back as a string.
pub(super) fn create(site: &Site, account: &Account, params: &Params) -> Outcome {
    let name = params.provided("name").ok_or(NO_NAME)?;
    site.db.change(|db| {
        let parent = own_folder(db, account, params.int("parent_id"))?;
        let id = db.allocate_folder_id();
        db.folders.insert(
            id,
            Folder {
                id,
                owner: account.id,
                parent,
                name: names::stored(name),
                created: reply::now(),
            },
        );
        Ok(Answer::Result(json!({ "fld_id": id.to_string() })))
    })
}

/// Answers the string `"true"`. The root cannot be renamed.
pub(super) fn rename(site: &Site, account: &Account, params: &Params) -> Outcome {
    let name = params.provided("name").ok_or(NO_NAME)?;
    let id = u64::try_from(params.int("fld_id")).unwrap_or(ROOT);
    site.db.change(|db| {
        let folder = db
            .folders
            .get_mut(&id)
            .filter(|folder| folder.owner == account.id)
            .ok_or(FOLDER_NOT_YOURS)?;
        folder.name = names::stored(name);
        Ok(Answer::Result(json!("true")))
    })
}
