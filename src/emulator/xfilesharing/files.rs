//! `file/info`, `file/list`, `file/rename`, `file/clone`, `file/set_folder`, `files/deleted` and
//! `files/check`.

use serde_json::{Value, json};

use super::Site;
use super::accounts::Account;
use super::db::{Db, File, ROOT};
use super::names;
use super::params::Params;
use super::reply::{self, Answer, FOLDER_NOT_YOURS, NO_FILE, NO_NAME, NO_SUCH_FOLDER, Outcome};

/// Codes `file/info` answers per call; the rest are dropped (JDownloader's XFS default).
const INFO_LIMIT: usize = 50;
/// `file/list` page size when `per_page` is missing or not positive.
const DEFAULT_PER_PAGE: u64 = 20;
/// `files/deleted` items when `last` is missing or not positive.
const DEFAULT_DELETED: u64 = 20;
/// `files/check` URLs read per call (`url_0` ... `url_99`).
const CHECK_LIMIT: usize = 100;

/// One element per code, in the order asked, unknown ones as `{"filecode":..,"status":404}`.
/// Not account-scoped: any file is described.
pub(super) fn info(site: &Site, params: &Params) -> Outcome {
    let codes: Vec<&str> = params
        .text("file_code")
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .take(INFO_LIMIT)
        .collect();
    let items = site.db.read(|db| {
        codes
            .iter()
            .map(|&code| match db.files.get(code) {
                Some(file) => json!({
                    "filecode": file.code,
                    "name": file.name,
                    "status": 200,
                    "size": file.size,
                    "uploaded": file.uploaded,
                    "downloads": file.downloads,
                }),
                None => json!({ "filecode": code, "status": 404 }),
            })
            .collect()
    });
    Ok(Answer::Result(Value::Array(items)))
}

/// The account's files, newest first, a page at a time. `fld_id` 0 (or none) is the whole
/// account, not the root; `public`, `created` (lower bound) and `name` (substring) filter.
pub(super) fn list(site: &Site, account: &Account, params: &Params) -> Outcome {
    let page = u64::try_from(params.int("page"))
        .ok()
        .filter(|&p| p > 0)
        .unwrap_or(1);
    let per_page = u64::try_from(params.int("per_page"))
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_PER_PAGE);
    let folder = params.int("fld_id");
    let public = params.provided("public").map(|value| value != "0");
    let created = params.provided("created");
    let name = params.provided("name");
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let plain = public.is_none() && created.is_none() && name.is_none();
    let (files, total) = site.db.read_versioned(|db, generation| {
        if plain {
            // A folder's pages one after another (or at once): its files are found once.
            let mut listed = site
                .listed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let key = (generation, account.id, folder);
            if listed.as_ref().is_none_or(|l| l.key != key) {
                let codes = matching(db, account.id, folder, |_| true)
                    .iter()
                    .map(|f| f.code.clone())
                    .collect();
                *listed = Some(ListedFolder { key, codes });
            }
            let codes = listed.as_ref().map_or(&[][..], |l| &l.codes[..]);
            let files: Vec<Value> = codes
                .iter()
                .skip(skip)
                .take(take)
                .filter_map(|code| db.files.get(code))
                .map(|file| listed_file(site, file))
                .collect();
            return (files, codes.len());
        }
        let matching = matching(db, account.id, folder, |f| {
            public.is_none_or(|public| f.public == public)
                && created.is_none_or(|since| f.uploaded.as_str() >= since)
                && name.is_none_or(|name| names::contains(&f.name, name))
        });
        let files: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(take)
            .map(|file| listed_file(site, file))
            .collect();
        (files, matching.len())
    });
    Ok(Answer::Result(json!({
        "files": files,
        "results_total": total,
        "results": files.len(),
    })))
}

/// The files `file/list` walked last: (data generation, account, `fld_id`) and their codes
/// in the listing's order.
pub(super) struct ListedFolder {
    key: (u64, u64, i64),
    codes: Vec<String>,
}

/// The account's files in `folder` (0: all of them), newest first, that pass `keep`.
fn matching(db: &Db, owner: u64, folder: i64, keep: impl Fn(&File) -> bool) -> Vec<&File> {
    db.files_of(owner)
        .into_iter()
        .filter(|f| folder == 0 || i64::try_from(f.folder).is_ok_and(|id| id == folder))
        .filter(|f| keep(f))
        .collect()
}

fn listed_file(site: &Site, file: &File) -> Value {
    json!({
        "name": file.name,
        "file_code": file.code,
        "downloads": file.downloads,
        "thumbnail": "",
        "public": u8::from(file.public),
        "size": file.size,
        "link": site.file_url(&file.code),
        "fld_id": file.folder,
        "uploaded": file.uploaded,
    })
}

/// Answers the string `"true"`.
pub(super) fn rename(site: &Site, account: &Account, params: &Params) -> Outcome {
    let code = params.text("file_code");
    let name = params.provided("name").ok_or(NO_NAME)?;
    site.db.change(|db| {
        let file = db
            .files
            .get_mut(code)
            .filter(|file| file.owner == account.id)
            .ok_or(NO_FILE)?;
        file.name = names::stored(name);
        Ok(Answer::Result(json!("true")))
    })
}

/// Copies any file (another account's too) into the caller's account, sharing its bytes.
pub(super) fn clone(site: &Site, account: &Account, params: &Params) -> Outcome {
    let code = params.text("file_code");
    let folder = params.int("fld_id");
    site.db.change(|db| {
        let original = db.files.get(code).cloned().ok_or(NO_FILE)?;
        if !db.is_own_place(account.id, folder) {
            return Err(FOLDER_NOT_YOURS);
        }
        let (id, new_code) = db.allocate_file();
        let copy = File {
            id,
            code: new_code.clone(),
            owner: account.id,
            folder: u64::try_from(folder).unwrap_or(ROOT),
            uploaded: reply::now(),
            downloads: 0,
            ..original
        };
        db.files.insert(new_code.clone(), copy);
        Ok(Answer::Result(json!({
            "url": site.file_url(&new_code),
            "filecode": new_code,
        })))
    })
}

/// Idempotent; an unknown or foreign file is silently left alone.
pub(super) fn set_folder(site: &Site, account: &Account, params: &Params) -> Outcome {
    let code = params.text("file_code");
    let folder = params.int("fld_id");
    site.db.change(|db| {
        if !db.is_own_place(account.id, folder) {
            return Err(NO_SUCH_FOLDER);
        }
        if let Some(file) = db
            .files
            .get_mut(code)
            .filter(|file| file.owner == account.id)
        {
            file.folder = u64::try_from(folder).unwrap_or(ROOT);
        }
        Ok(Answer::Done)
    })
}

/// The account's last `last` deleted files, most recent first.
pub(super) fn deleted(site: &Site, account: &Account, params: &Params) -> Outcome {
    removed(site, account, params, |db| &db.deleted)
}

/// The account's last `last` files taken down, most recent first (the shape of
/// `files/deleted`).
pub(super) fn dmca(site: &Site, account: &Account, params: &Params) -> Outcome {
    removed(site, account, params, |db| &db.dmca)
}

fn removed(
    site: &Site,
    account: &Account,
    params: &Params,
    list: impl FnOnce(&super::db::Db) -> &Vec<super::db::DeletedFile>,
) -> Outcome {
    let last = u64::try_from(params.int("last"))
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_DELETED);
    let now = chrono::Local::now().timestamp();
    let items = site.db.read(|db| {
        let mut gone: Vec<_> = list(db).iter().filter(|d| d.owner == account.id).collect();
        gone.sort_by_key(|file| std::cmp::Reverse(file.deleted_at));
        gone.iter()
            .take(usize::try_from(last).unwrap_or(usize::MAX))
            .map(|d| {
                json!({
                    "deleted_ago_sec": now.saturating_sub(d.deleted_at).max(0),
                    "deleted": d.deleted,
                    "file_code": d.code,
                    "name": d.name,
                })
            })
            .collect()
    });
    Ok(Answer::Result(Value::Array(items)))
}

/// Maps each `url_N` to `{"file_size":int,"found":bool}`; a URL names a file by a path segment
/// that is a file code.
pub(super) fn check(site: &Site, params: &Params) -> Outcome {
    let urls: Vec<&str> = (0..CHECK_LIMIT)
        .map_while(|n| params.provided(&format!("url_{n}")))
        .collect();
    let map = site.db.read(|db| {
        urls.iter()
            .map(|&url| {
                let file = url
                    .split(['/', '?', '#'])
                    .find_map(|part| db.files.get(part));
                let found = json!({
                    "file_size": file.map_or(0, |file| file.size),
                    "found": file.is_some(),
                });
                (url.to_string(), found)
            })
            .collect::<serde_json::Map<String, Value>>()
    });
    Ok(Answer::Result(Value::Object(map)))
}
