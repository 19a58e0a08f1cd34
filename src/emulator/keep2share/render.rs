//! Files and folders as the API prints them, and the host's two date formats.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::db::{Db, Node};
use super::life::Life;

/// The public page of a file, on the real host's domain as in every reply.
pub(super) fn file_link(id: &str) -> String {
    format!("https://k2s.cc/file/{id}")
}

pub(super) fn now_secs() -> i64 {
    Utc::now().timestamp()
}

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// `2019-01-01 00:00:01`
pub(super) fn date_time(secs: i64) -> String {
    utc(secs).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2019-03-26T08:09:32.000Z`
pub(super) fn iso(secs: i64) -> String {
    utc(secs).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn extended_info(node: &Node, life: Life) -> Value {
    let content = node.content.as_ref();
    json!({
        "abuses": life.abuses(),
        "storage_object": life.storage_object(),
        "size": node.size(),
        "date_download_last": content.and_then(|c| c.last_download).map(date_time),
        "downloads": content.map_or(0, |c| c.downloads),
        "access": node.access.as_str(),
        "content_type": content.map(|c| c.content_type.clone()),
    })
}

/// An item of `getFilesList` (folders too, with size 0 and no md5).
pub(super) fn listed(node: &Node, life: Life, with_extended_info: bool) -> Value {
    let mut item = Map::new();
    item.insert("id".into(), json!(node.id));
    item.insert("name".into(), json!(node.name));
    item.insert("is_available".into(), json!(life.is_available()));
    item.insert("is_folder".into(), json!(node.is_folder()));
    item.insert("date_created".into(), json!(date_time(node.created)));
    item.insert("size".into(), json!(node.size()));
    item.insert(
        "md5".into(),
        json!(node.content.as_ref().map(|c| c.md5.clone())),
    );
    if with_extended_info {
        item.insert("extended_info".into(), extended_info(node, life));
    }
    Value::Object(item)
}

/// An item of `getFilesInfo`; `md5` only for the owner.
pub(super) fn info(
    node: &Node,
    life: Life,
    is_owner: bool,
    free_size_limit: u64,
    requested_id: &str,
    with_extended_info: bool,
) -> Value {
    let mut item = Map::new();
    item.insert("id".into(), json!(node.id));
    if requested_id != node.id {
        item.insert("requested_id".into(), json!(requested_id));
    }
    item.insert("name".into(), json!(node.name));
    item.insert("size".into(), json!(node.size()));
    item.insert("is_available".into(), json!(life.is_available()));
    item.insert("access".into(), json!(node.access.as_str()));
    item.insert("is_folder".into(), json!(node.is_folder()));
    if is_owner && let Some(content) = &node.content {
        item.insert("md5".into(), json!(content.md5));
    }
    let free = !node.is_folder()
        && life.is_available()
        && node.access == super::db::Access::Public
        && node.size() <= free_size_limit;
    item.insert("isAvailableForFree".into(), json!(free));
    item.insert("parent_id".into(), json!(node.parent));
    item.insert("created_at".into(), json!(iso(node.created)));
    if with_extended_info {
        item.insert("extended_info".into(), extended_info(node, life));
    }
    Value::Object(item)
}

/// `getFoldersList`'s four parallel lists for the given folders.
pub(super) fn folder_lists(db: &Db, folders: &[&Node]) -> Value {
    let parent_id = |node: &Node| node.parent.clone().unwrap_or_else(|| "/".to_string());
    json!({
        "foldersList": folders.iter().map(|f| db.path_of(Some(&f.id))).collect::<Vec<_>>(),
        "foldersIds": folders.iter().map(|f| f.id.clone()).collect::<Vec<_>>(),
        "parentFoldersList": folders.iter().map(|f| db.path_of(f.parent.as_deref())).collect::<Vec<_>>(),
        "parentFoldersIds": folders.iter().map(|f| parent_id(f)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_host() {
        assert_eq!(date_time(1_553_587_772), "2019-03-26 08:09:32");
        assert_eq!(iso(1_553_587_772), "2019-03-26T08:09:32.000Z");
    }
}
