//! Hostile names: each entry a reply names (see [`super::shapes`]) gets the name its case
//! makes of the real one, and `reply-wrong-types` turns those names into numbers and the lists
//! holding them into objects.

use serde_json::{Map, Value, json};

use super::shapes::{EntryKind, Shape, each_at, id_text};
use super::{HostileCase, Kind, pick};

/// How long `name-long` names are, in characters.
const LONG_NAME_CHARS: usize = 10_000;
/// The one name `name-duplicate` gives every file.
pub(super) const TWIN_NAME: &str = "twin.txt";

/// The name `case` makes of `real`, or `None` when the case leaves this entry alone.
pub(super) fn hostile_name(case: HostileCase, real: &str, is_folder: bool) -> Option<String> {
    use HostileCase::*;
    Some(match case {
        NameDotdot => format!("../{real}"),
        NameSlash => format!("/tmp/haul-hostile-{real}"),
        NameBackslash => format!("..\\..\\{real}"),
        NameNul => format!("{real}\0.exe"),
        NameControl => format!("ctl\r\n\x07\x08\t\x7f{real}"),
        NameAnsi => format!(
            "\x1b[2J\x1b[31m{real}\x1b[0m\x1b]0;pwned\x07\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\"
        ),
        NameBidi => format!("{real}\u{202E}gpj.exe"),
        NameZeroWidth => format!("\u{200B}{real}\u{200D}\u{FEFF}"),
        NameLong => {
            let pad = LONG_NAME_CHARS.saturating_sub(real.chars().count());
            format!("{}{real}", "A".repeat(pad))
        }
        NameDotdotEntry => "..".to_string(),
        NameDuplicate if !is_folder => TWIN_NAME.to_string(),
        _ => return None,
    })
}

/// Renames every entry of the reply that a name case applies to.
pub(super) fn rename_entries(reply: &mut Value, shape: &Shape, cases: &[HostileCase]) {
    for entries in shape.entries {
        each_at(reply, entries.at, &mut |entry| {
            let Value::Object(fields) = entry else {
                return;
            };
            let is_folder = match entries.kind {
                EntryKind::File => false,
                EntryKind::Folder => true,
                EntryKind::FolderIf(flag) => fields.get(flag) == Some(&Value::Bool(true)),
            };
            let id = id_text(fields.get(entries.id));
            rename_field(fields, entries.name, &id, is_folder, shape.latin1, cases);
        });
    }
    if let Some(paths) = shape.folder_paths {
        let mut ids = Vec::new();
        each_at(reply, &format!("{}/*", paths.ids), &mut |id| {
            ids.push(id_text(Some(id)))
        });
        let mut index = 0;
        each_at(reply, &format!("{}/*", paths.names), &mut |path| {
            let id = ids.get(index).cloned().unwrap_or_default();
            index += 1;
            let Some(text) = path.as_str() else {
                return;
            };
            let (parent, last) = text.rsplit_once('/').unwrap_or(("", text));
            let Some(case) = pick(cases, Kind::Name, ("folder", &id)) else {
                return;
            };
            if let Some(name) = hostile_name(case, last, true) {
                *path = json!(format!("{parent}/{name}"));
            }
        });
    }
}

fn rename_field(
    fields: &mut Map<String, Value>,
    key: &str,
    id: &str,
    is_folder: bool,
    latin1: bool,
    cases: &[HostileCase],
) {
    let kind = if is_folder { "folder" } else { "file" };
    let Some(case) = pick(cases, Kind::Name, (kind, id)) else {
        return;
    };
    let Some(sent) = fields.get(key).and_then(Value::as_str) else {
        return;
    };
    let real = if latin1 {
        from_latin1(sent)
    } else {
        sent.to_string()
    };
    if let Some(name) = hostile_name(case, &real, is_folder) {
        let name = if latin1 { to_latin1(&name) } else { name };
        fields.insert(key.to_string(), Value::String(name));
    }
}

/// `reply-wrong-types`: names and links become numbers, the lists holding entries objects.
pub(super) fn wrong_types(reply: &mut Value, shape: &Shape) {
    let mut numbers = |value: &mut Value| {
        if let Some(text) = value.as_str() {
            *value = json!(text.len());
        }
    };
    for entries in shape.entries {
        each_at(
            reply,
            &format!("{}/{}", entries.at, entries.name),
            &mut numbers,
        );
    }
    for link in shape.links {
        each_at(reply, link, &mut numbers);
    }
    let lists = shape
        .entries
        .iter()
        .filter_map(|entries| entries.at.strip_suffix("/*"))
        .chain(shape.folder_paths.map(|paths| paths.names));
    for list in lists {
        each_at(reply, list, &mut |value| {
            if let Value::Array(items) = value {
                let object: Map<String, Value> = items
                    .drain(..)
                    .enumerate()
                    .map(|(index, item)| (index.to_string(), item))
                    .collect();
                *value = Value::Object(object);
            }
        });
    }
}

/// One char per UTF-8 byte, as XFileSharing sends names.
fn to_latin1(name: &str) -> String {
    name.bytes().map(char::from).collect()
}

fn from_latin1(sent: &str) -> String {
    let bytes: Vec<u8> = sent
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::shapes;
    use super::*;

    #[test]
    fn listings_get_the_case_name_on_files_and_folders() {
        let mut reply = json!({"data": {
            "files": [{"id": "1", "filename": "a.txt"}, {"id": "2", "filename": "b.txt"}],
            "folders": [{"id": "1", "folderName": "Docs"}],
        }});
        let shape = shapes::of("yetishare/folder/listing");
        rename_entries(&mut reply, &shape, &[HostileCase::NameDuplicate]);
        assert_eq!(reply["data"]["files"][0]["filename"], TWIN_NAME);
        assert_eq!(reply["data"]["files"][1]["filename"], TWIN_NAME);
        assert_eq!(reply["data"]["folders"][0]["folderName"], "Docs");
        rename_entries(&mut reply, &shape, &[HostileCase::NameDotdotEntry]);
        assert_eq!(reply["data"]["folders"][0]["folderName"], "..");
    }

    #[test]
    fn xfilesharing_names_stay_latin1_encoded() {
        let mut reply = json!({"result": [{"filecode": "abc", "name": to_latin1("été")}]});
        rename_entries(
            &mut reply,
            &shapes::of("xfilesharing/file/info"),
            &[HostileCase::NameBidi],
        );
        let sent = reply["result"][0]["name"].as_str().unwrap();
        assert_eq!(from_latin1(sent), "été\u{202E}gpj.exe");
    }

    #[test]
    fn wrong_types_turn_names_to_numbers_and_lists_to_objects() {
        let mut reply = json!({"files": [{"id": "x", "name": "abc", "is_folder": false}]});
        wrong_types(&mut reply, &shapes::of("keep2share/getFilesList"));
        assert_eq!(
            reply,
            json!({"files": {"0": {"id": "x", "name": 3, "is_folder": false}}})
        );
    }

    #[test]
    fn long_names_are_ten_thousand_chars() {
        let name = hostile_name(HostileCase::NameLong, "a.txt", false).unwrap();
        assert_eq!(name.chars().count(), LONG_NAME_CHARS);
        assert!(name.ends_with("a.txt"));
    }
}
