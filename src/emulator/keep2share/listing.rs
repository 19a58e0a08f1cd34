//! `getFilesList` (one folder's files and folders, paged, sorted, filtered; no total),
//! `getFoldersList` (four parallel lists) and `getFilesInfo` (public metadata by id).

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::Site;
use super::auth::{account, caller};
use super::db::Node;
use super::render;
use super::reply::{self, Failure, Outcome, invalid_params};
use super::request::{Params, require, well_formed_id};

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 10_000;
/// Ids per `getFilesInfo` call.
const MAX_INFO_IDS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    /// Creation order: the order without `sort`.
    Created,
    Id,
    Name,
    DateCreated,
}

/// `{"name":1}`, `{"date_created":-1}`, ...: one key, 1 or -1.
fn sort_of(sort: Option<&Map<String, Value>>) -> Result<(SortKey, bool), Failure> {
    let Some(sort) = sort else {
        return Ok((SortKey::Created, false));
    };
    let mut keys = sort.iter();
    let (Some((field, direction)), None) = (keys.next(), keys.next()) else {
        return Err(invalid_params());
    };
    let key = match field.as_str() {
        "id" => SortKey::Id,
        "name" => SortKey::Name,
        "date_created" => SortKey::DateCreated,
        _ => return Err(invalid_params()),
    };
    let direction = match direction {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match direction {
        Some(1) => Ok((key, false)),
        Some(-1) => Ok((key, true)),
        _ => Err(invalid_params()),
    }
}

fn compare(key: SortKey, a: &Node, b: &Node) -> Ordering {
    let by_key = match key {
        SortKey::Created => Ordering::Equal,
        SortKey::Id => a.id.cmp(&b.id),
        SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        SortKey::DateCreated => a.created.cmp(&b.created),
    };
    by_key.then(a.seq.cmp(&b.seq))
}

pub(super) fn files_list(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let parent = params.string("parent")?.unwrap_or_else(|| "/".to_string());
    let limit = params.int("limit")?.unwrap_or(DEFAULT_LIMIT);
    let offset = params.int("offset")?.unwrap_or(0);
    require((0..=MAX_LIMIT).contains(&limit) && offset >= 0)?;
    let (key, descending) = sort_of(params.object("sort")?)?;
    let kind = params.string("type")?.unwrap_or_else(|| "any".to_string());
    let (want_files, want_folders) = match kind.as_str() {
        "any" => (true, true),
        "file" => (true, false),
        "folder" => (false, true),
        _ => return Err(invalid_params()),
    };
    let only_available = params.bool("only_available")?.unwrap_or(false);
    let extended = params.bool("extended_info")?.unwrap_or(false);
    let files = site.read(|db| {
        let parent = db
            .parent_of(account.id, &parent)
            .ok_or_else(invalid_params)?;
        let mut items: Vec<&Node> = db
            .children(account.id, parent.as_deref())
            .filter(|node| {
                if node.is_folder() {
                    want_folders
                } else {
                    want_files
                }
            })
            .filter(|node| !only_available || db.life_of(&node.id).is_available())
            .collect();
        items.sort_by(|a, b| {
            let order = compare(key, a, b);
            if descending { order.reverse() } else { order }
        });
        let page: Vec<Value> = items
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|node| render::listed(node, db.life_of(&node.id), extended))
            .collect();
        Ok::<_, Failure>(page)
    })?;
    reply::ok(json!({ "files": files }))
}

/// Without `parent_id`, every folder of the account (in path order); with it, the folder's
/// direct subfolders (`'/'`: those at the root).
pub(super) fn folders_list(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let parent = params.string("parent_id")?;
    site.read(|db| {
        let mut folders: Vec<&Node> = match &parent {
            None => db
                .nodes
                .values()
                .filter(|node| node.account_id == account.id && node.is_folder())
                .collect(),
            Some(parent) => {
                let parent = db
                    .parent_of(account.id, parent)
                    .ok_or_else(invalid_params)?;
                db.nodes
                    .values()
                    .filter(|node| node.account_id == account.id && node.parent == parent)
                    .filter(|node| node.is_folder())
                    .collect()
            }
        };
        let mut keyed: Vec<(String, &Node)> = folders
            .drain(..)
            .map(|node| (db.path_of(Some(&node.id)).to_lowercase(), node))
            .collect();
        keyed.sort_by(|(a, x), (b, y)| a.cmp(b).then(x.seq.cmp(&y.seq)));
        let folders: Vec<&Node> = keyed.into_iter().map(|(_, node)| node).collect();
        reply::ok(render::folder_lists(db, &folders))
    })
}

/// Public metadata: ids that don't exist are simply absent; folders appear only when they
/// are public folders; `md5` only for the owner. 400/2 when no id is well formed.
pub(super) fn files_info(site: &Site, params: &Params) -> Outcome {
    let viewer = caller(site, params)?;
    let ids = params.required_list("ids")?;
    require(ids.len() <= MAX_INFO_IDS && ids.iter().any(|id| well_formed_id(id)))?;
    let extended = params.bool("extended_info")?.unwrap_or(false);
    let free_limit = site.settings().free_max_file_size;
    let files = site.read(|db| {
        ids.iter()
            .filter(|id| well_formed_id(id))
            .filter_map(|id| {
                db.nodes
                    .get(id.to_ascii_lowercase().as_str())
                    .map(|node| (id, node))
            })
            .filter(|(_, node)| !node.is_folder() || node.is_public)
            .map(|(id, node)| {
                let is_owner = viewer.is_some_and(|viewer| viewer.id == node.account_id);
                render::info(
                    node,
                    db.life_of(&node.id),
                    is_owner,
                    free_limit,
                    id,
                    extended,
                )
            })
            .collect::<Vec<_>>()
    });
    reply::ok(json!({ "files": files }))
}
