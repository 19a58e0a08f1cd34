//! `name-*`: listings and file info carry dangerous names, on all three sites.

use serde_json::Value;

use super::clients::{Client, Entry, SITES, Site};
use super::{emulator, only};

/// What a case must make of a real name (`None`: the entry keeps it).
/// The check gets the name sent and the real one.
fn expected(case: &str, is_folder: bool) -> Option<fn(&str, &str) -> bool> {
    let check: fn(&str, &str) -> bool = match case {
        "name-dotdot" => |name, real| name.starts_with("../") && name.ends_with(real),
        "name-slash" => |name, real| name.starts_with('/') && name.ends_with(real),
        "name-backslash" => |name, real| name.starts_with("..\\..\\") && name.ends_with(real),
        "name-nul" => |name, real| name.contains('\0') && name.starts_with(real),
        "name-control" => |name, real| {
            ['\r', '\n', '\u{7}', '\u{8}', '\u{7f}']
                .iter()
                .all(|c| name.contains(*c))
                && name.ends_with(real)
        },
        "name-ansi" => |name, real| {
            name.contains("\u{1b}[2J") && name.contains("\u{1b}]0;") && name.contains(real)
        },
        "name-bidi" => |name, real| name.contains('\u{202E}') && name.starts_with(real),
        "name-zero-width" => |name, real| {
            name != real && name.replace(['\u{200B}', '\u{200D}', '\u{FEFF}'], "") == real
        },
        "name-long" => |name, real| name.chars().count() == 10_000 && name.ends_with(real),
        "name-dotdot-entry" => |name, _| name == "..",
        "name-duplicate" if !is_folder => |name, _| name == "twin.txt",
        "name-duplicate" => return None,
        other => panic!("not a name case: {other}"),
    };
    Some(check)
}

const NAME_CASES: [&str; 11] = [
    "name-dotdot",
    "name-slash",
    "name-backslash",
    "name-nul",
    "name-control",
    "name-ansi",
    "name-bidi",
    "name-zero-width",
    "name-long",
    "name-dotdot-entry",
    "name-duplicate",
];

/// Checks one listing against the honest one: same entries by id, renamed as the case says.
fn check_listing(site: Site, case: &str, honest: &[Entry], hostile: &[Entry]) {
    assert_eq!(honest.len(), hostile.len(), "{site:?} {case}");
    for (real, got) in honest.iter().zip(hostile) {
        assert_eq!(
            (&real.id, real.is_folder),
            (&got.id, got.is_folder),
            "{site:?} {case}"
        );
        match expected(case, real.is_folder) {
            Some(check) => assert!(
                check(&got.name, &real.name),
                "{site:?} {case}: {:?} became {:?}",
                real.name,
                got.name
            ),
            None => assert_eq!(got.name, real.name, "{site:?} {case}"),
        }
    }
}

#[tokio::test]
async fn every_name_case_renames_listings_on_every_site() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let documents = client.root_folder("Documents").await;
        let honest_root = client.entries(None).await;
        let honest_documents = client.entries(Some(&documents.id)).await;
        for case in NAME_CASES {
            only(&handle, Some(case)).await;
            check_listing(site, case, &honest_root, &client.entries(None).await);
            let hostile_documents = client.entries(Some(&documents.id)).await;
            check_listing(site, case, &honest_documents, &hostile_documents);
        }
        // Two files with one name in one folder.
        only(&handle, Some("name-duplicate")).await;
        let twins = client
            .entries(Some(&documents.id))
            .await
            .into_iter()
            .filter(|entry| !entry.is_folder && entry.name == "twin.txt")
            .count();
        assert!(twins >= 2, "{site:?}: {twins} files named twin.txt");
    }
}

#[tokio::test]
async fn file_info_carries_the_hostile_name_on_every_site() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let file = client.root_file().await;
        for case in ["name-dotdot", "name-ansi", "name-long"] {
            only(&handle, Some(case)).await;
            let reply = client.file_info(&file.id).await;
            let name = client.info_name(&reply);
            let check = expected(case, false).expect("files are renamed");
            assert!(check(&name, &file.name), "{site:?} {case}: {name:?}");
        }
    }
}

#[tokio::test]
async fn keep2share_folder_paths_end_in_the_hostile_name() {
    let (handle, _data) = emulator().await;
    let client = Client::new(&handle, Site::Keep2Share).await;
    only(&handle, Some("name-dotdot-entry")).await;
    let reply: Value = client
        .call("getFoldersList", &[("parent_id", "/")])
        .await
        .json()
        .await
        .expect("JSON");
    let paths = reply["foldersList"].as_array().expect("foldersList");
    assert!(!paths.is_empty(), "{reply}");
    for path in paths {
        let path = path.as_str().expect("a path");
        assert!(path.ends_with("/.."), "{path}");
    }
}
