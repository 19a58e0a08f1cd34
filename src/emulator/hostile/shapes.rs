//! Where each site's replies carry names and download links, by the stats name of the route
//! (`yetishare/folder/listing`, `keep2share/getFilesList`, ...), from the protocol notes.

use serde_json::Value;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryKind {
    File,
    Folder,
    /// A folder when this boolean field is true.
    FolderIf(&'static str),
}

/// Entries at `at` (`/`-separated keys, `*` for every element of an array), each an object
/// with its name and id under these keys.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entries {
    pub(super) at: &'static str,
    pub(super) name: &'static str,
    pub(super) id: &'static str,
    pub(super) kind: EntryKind,
}

/// A list of folder paths (`/a/b`) at `names`, their ids at the same index of `ids`.
#[derive(Debug, Clone, Copy)]
pub(super) struct FolderPaths {
    pub(super) names: &'static str,
    pub(super) ids: &'static str,
}

/// What one route's reply holds.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Shape {
    pub(super) entries: &'static [Entries],
    pub(super) folder_paths: Option<FolderPaths>,
    /// Where download links are.
    pub(super) links: &'static [&'static str],
    /// Names are sent as Latin-1 code points of their UTF-8 bytes (XFileSharing).
    pub(super) latin1: bool,
}

const fn file(at: &'static str, name: &'static str, id: &'static str) -> Entries {
    Entries {
        at,
        name,
        id,
        kind: EntryKind::File,
    }
}

const fn folder(at: &'static str, name: &'static str, id: &'static str) -> Entries {
    Entries {
        at,
        name,
        id,
        kind: EntryKind::Folder,
    }
}

const YS_LISTING: &[Entries] = &[
    file("data/files/*", "filename", "id"),
    folder("data/folders/*", "folderName", "id"),
];
const YS_FILE: &[Entries] = &[file("data", "filename", "id")];
const YS_COPY: &[Entries] = &[
    file("original_file/data", "filename", "id"),
    file("new_file/data", "filename", "id"),
];
const YS_DOWNLOAD: &[Entries] = &[file("data", "filename", "file_id")];
const YS_FOLDER: &[Entries] = &[folder("data", "folderName", "id")];
const K2S_FILES: &[Entries] = &[Entries {
    at: "files/*",
    name: "name",
    id: "id",
    kind: EntryKind::FolderIf("is_folder"),
}];
const XFS_FOLDER_LIST: &[Entries] = &[
    folder("result/folders/*", "name", "fld_id"),
    file("result/files/*", "name", "file_code"),
];
const XFS_FILE_LIST: &[Entries] = &[file("result/files/*", "name", "file_code")];
const XFS_FILE_INFO: &[Entries] = &[file("result/*", "name", "filecode")];

/// The shape of a route's reply; routes that name nothing get the empty shape.
pub(super) fn of(route: &str) -> Shape {
    let entries = |entries| Shape {
        entries,
        ..Shape::default()
    };
    match route {
        "yetishare/folder/listing" => entries(YS_LISTING),
        "yetishare/file/info"
        | "yetishare/file/edit"
        | "yetishare/file/move"
        | "yetishare/file/delete" => entries(YS_FILE),
        "yetishare/file/copy" => entries(YS_COPY),
        "yetishare/file/download" => Shape {
            entries: YS_DOWNLOAD,
            links: &["data/download_url"],
            ..Shape::default()
        },
        "yetishare/folder/info"
        | "yetishare/folder/create"
        | "yetishare/folder/edit"
        | "yetishare/folder/move" => entries(YS_FOLDER),
        "keep2share/getFilesList" | "keep2share/getFilesInfo" => entries(K2S_FILES),
        "keep2share/getFoldersList" => Shape {
            folder_paths: Some(FolderPaths {
                names: "foldersList",
                ids: "foldersIds",
            }),
            ..Shape::default()
        },
        "keep2share/getUrl" => Shape {
            links: &["url"],
            ..Shape::default()
        },
        "xfilesharing/folder/list" => Shape {
            entries: XFS_FOLDER_LIST,
            latin1: true,
            ..Shape::default()
        },
        "xfilesharing/file/list" => Shape {
            entries: XFS_FILE_LIST,
            latin1: true,
            ..Shape::default()
        },
        "xfilesharing/file/info" => Shape {
            entries: XFS_FILE_INFO,
            latin1: true,
            ..Shape::default()
        },
        "xfilesharing/file/direct_link" => Shape {
            links: &["result/url"],
            ..Shape::default()
        },
        _ => Shape::default(),
    }
}

/// Calls `f` on every value at `path` (`*` walks into each element of an array).
pub(super) fn each_at(value: &mut Value, path: &str, f: &mut impl FnMut(&mut Value)) {
    let mut segments = path.splitn(2, '/');
    let Some(first) = segments.next().filter(|segment| !segment.is_empty()) else {
        f(value);
        return;
    };
    let rest = segments.next().unwrap_or_default();
    match (first, value) {
        ("*", Value::Array(items)) => {
            for item in items {
                each_at(item, rest, f);
            }
        }
        (key, Value::Object(map)) => {
            if let Some(inner) = map.get_mut(key) {
                each_at(inner, rest, f);
            }
        }
        _ => {}
    }
}

/// The text of an id, whether the site sends it as a string or a number.
pub(super) fn id_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_nested_arrays() {
        let mut reply = json!({"data": {"files": [{"n": 1}, {"n": 2}], "other": [{"n": 9}]}});
        let mut seen = Vec::new();
        each_at(&mut reply, "data/files/*/n", &mut |value| {
            seen.push(value.clone())
        });
        assert_eq!(seen, vec![json!(1), json!(2)]);
        each_at(&mut reply, "data/missing/*", &mut |_| {
            panic!("nothing there")
        });
    }

    #[test]
    fn routes_without_names_have_the_empty_shape() {
        let shape = of("yetishare/authorize");
        assert!(shape.entries.is_empty() && shape.links.is_empty());
        assert!(of("xfilesharing/folder/list").latin1);
    }
}
