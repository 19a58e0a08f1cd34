//! Uploads without bytes: `findFile`, `findByFirst5MbSha1Hash`, `findByFullMd5Hash` (over every
//! account's files, as the host checks its whole storage) and `createFileByHash`, which places
//! a copy of stored content under a new name.

use serde_json::json;

use super::Site;
use super::auth::account;
use super::db::{Access, Content};
use super::manage::{ACCESS_NOT_IN_LIST, NO_DESTINATION, name_errors, success_code};
use super::render::file_link;
use super::reply::{self, Failure, Outcome, disk_quota_exceeded, file_not_found, folder_full};
use super::request::{Params, require};
use super::upload::{NewFile, StoreRefusal, insert_file, quota};

/// `createFileByHash` names have at least this many characters.
const MIN_NAME_CHARS: usize = 3;

fn is_hex(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) fn find_file(site: &Site, params: &Params) -> Outcome {
    account(site, params)?;
    let md5 = params.required("md5")?;
    require(is_hex(&md5, 32))?;
    let found = site.read(|db| db.by_md5(&md5).is_some());
    reply::ok(json!({ "found": found }))
}

pub(super) fn find_by_full_md5(site: &Site, params: &Params) -> Outcome {
    account(site, params)?;
    let md5 = params.required("md5")?;
    require(is_hex(&md5, 32))?;
    let exists = site.read(|db| db.by_md5(&md5).is_some());
    reply::ok(json!({ "exists": exists, "md5": md5 }))
}

pub(super) fn find_by_head_sha1(site: &Site, params: &Params) -> Outcome {
    account(site, params)?;
    let sha1 = params.required("sha1")?;
    require(is_hex(&sha1, 40))?;
    let exists = site.read(|db| db.by_head_sha1(&sha1).is_some());
    reply::ok(json!({ "exists": exists }))
}

pub(super) fn create_file_by_hash(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let hash = params.required("hash")?;
    require(is_hex(&hash, 32))?;
    let name = params.required("name")?.trim().to_string();
    let parent = params.string("parent")?.unwrap_or_else(|| "/".to_string());
    let access = params
        .string("access")?
        .unwrap_or_else(|| "public".to_string());
    let quota = quota(site, account);
    let id = site.change(|db| {
        let source = db.by_md5(&hash).ok_or_else(file_not_found)?;
        let content = Content {
            downloads: 0,
            last_download: None,
            ..source.content.clone().ok_or_else(file_not_found)?
        };
        let parent = db.parent_of(account.id, &parent);
        let mut errors = Vec::new();
        if parent.is_none() {
            errors.push(NO_DESTINATION.to_string());
        }
        errors.extend(name_errors(&name, MIN_NAME_CHARS));
        let access = Access::parse(&access);
        if access.is_none() {
            errors.push(ACCESS_NOT_IN_LIST.to_string());
        }
        let (Some(parent), Some(access), true) = (parent, access, errors.is_empty()) else {
            return Err(Failure::new(406, 62, "Error copy file").with_errors(json!(errors)));
        };
        let file = NewFile {
            id: db.new_id(),
            parent,
            name,
            access,
            content,
        };
        insert_file(db, account, quota, file).map_err(|refusal| match refusal {
            StoreRefusal::FolderFull => folder_full(),
            StoreRefusal::QuotaExceeded => disk_quota_exceeded(),
            StoreRefusal::NoDestination | StoreRefusal::Disk(_) => {
                Failure::new(406, 62, "Error copy file").with_errors(json!([NO_DESTINATION]))
            }
        })
    })?;
    reply::ok_with(
        success_code(site, 201),
        json!({ "id": id, "link": file_link(&id) }),
    )
}
