//! File info in batches, paged listings, renames, copy/move, mojibake names and the root.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_info_asks_fifty_codes_at_a_time_and_lists_unknown_ones() {
    let e = env(false).await;
    let p = e.client("xfs");
    let files: Vec<(String, Vec<u8>)> = (0..70)
        .map(|n| (format!("info-{n:02}.bin"), vec![b'i'; n + 1]))
        .collect();
    let codes = e.raw_upload_many(&files).await;
    let unknown = ["zzzzzzzzzzz1", "zzzzzzzzzzz2", "zzzzzzzzzzz3"];
    let mut asked: Vec<&str> = codes.iter().map(String::as_str).collect();
    asked.extend(unknown);
    let before = e.calls("file/info");
    let infos = p.file_info(&asked).await.unwrap();
    assert_eq!(e.calls("file/info"), before + 2, "73 codes in two calls");
    assert_eq!(infos.len(), 73, "every code answered");
    for (n, code) in codes.iter().enumerate() {
        let info = infos.iter().find(|i| &i.code == code).unwrap();
        assert!(info.found);
        assert_eq!(info.name.as_deref(), Some(files[n].0.as_str()));
        assert_eq!(info.size, Some(n as u64 + 1));
    }
    for code in unknown {
        let info = infos.iter().find(|i| i.code == code).unwrap();
        assert!(!info.found, "{info:?}");
    }
    let err = p.stat(&EntryRef::file(unknown[0])).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_info(&["a,b"]).await.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidInput,
        "a comma is not one code: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_list_pages_through_1200_files() {
    let e = env(false).await;
    let p = e.client("xfs");
    let many = p.create_folder(&FolderId::Root, "many").await.unwrap();
    let mut codes = Vec::new();
    for batch in 0..12 {
        let files: Vec<(String, Vec<u8>)> = (0..100)
            .map(|n| {
                let n = batch * 100 + n;
                (format!("f{n:04}.txt"), n.to_string().into_bytes())
            })
            .collect();
        codes.extend(e.raw_upload_many(&files).await);
    }
    let moved: Vec<Value> = futures::stream::iter(codes.iter())
        .map(|code| async {
            e.raw(
                "file/set_folder",
                &[("file_code", code), ("fld_id", &many.id)],
            )
            .await
        })
        .buffer_unordered(8)
        .collect()
        .await;
    assert!(moved.iter().all(|m| m["status"] == 200));
    upload(&p, &FolderId::Root, "loose.txt", b"loose").await;

    let pages = e.calls("file/list");
    let listed = p.list(&many.folder_id()).await.unwrap();
    assert_eq!(
        e.calls("file/list") - pages,
        2,
        "1,200 files at 1,000 a page"
    );
    assert_eq!(listed.len(), 1200);
    let ids: HashSet<&str> = listed.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), 1200, "no file twice");
    assert!(listed.iter().all(|f| f.parent == many.folder_id()));
    let f0777 = listed.iter().find(|f| f.name == "f0777.txt").unwrap();
    assert_eq!(f0777.size, Some(3));

    // fld_id=0 in file/list is the whole account; the root listing is only the root.
    let page = p.file_list(None, 1).await.unwrap();
    assert_eq!(page.results_total, Some(1201));
    let root = p.list(&FolderId::Root).await.unwrap();
    assert_eq!(names(&root), ["loose.txt", "many"]);
    assert_eq!(
        p.file_list(Some(&many.id), 13).await.unwrap().files.len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_and_folders_answer_as_the_notes_say() {
    let e = env(false).await;
    let p = e.client("xfs");
    // folder/create gives a string id, folder/list numbers: both read as the same id.
    let raw = e
        .raw("folder/create", &[("parent_id", "0"), ("name", "Raw")])
        .await;
    assert!(raw["result"]["fld_id"].is_string(), "{raw}");
    let alpha = p.folder_create(&FolderId::Root, "Alpha").await.unwrap();
    let twin = p.folder_create(&FolderId::Root, "Alpha").await.unwrap();
    assert_ne!(alpha, twin, "not idempotent: duplicates are allowed");
    let inner = p
        .create_folder(&FolderId::Id(alpha.clone()), "Inner")
        .await
        .unwrap();
    let listing = p.folder_list(&FolderId::Root).await.unwrap();
    let mut folder_names: Vec<&str> = listing.folders.iter().map(|f| f.name.as_str()).collect();
    folder_names.sort_unstable();
    assert_eq!(folder_names, ["Alpha", "Alpha", "Raw"]);
    assert!(listing.folders.iter().any(|f| f.fld_id == alpha));
    let inside = p.folder_list(&FolderId::Id(alpha.clone())).await.unwrap();
    assert_eq!(inside.folders.len(), 1);
    assert_eq!(inside.folders[0].fld_id, inner.id);

    // Renames answer "true".
    p.folder_rename(&twin, "Beta").await.unwrap();
    p.rename(&EntryRef::folder(inner.id.clone()), "Renamed inner")
        .await
        .unwrap();
    let f = upload(&p, &FolderId::Id(alpha.clone()), "draft.txt", b"draft").await;
    p.file_rename(&f.id, "final.txt").await.unwrap();
    let stat = p.stat(&EntryRef::folder(inner.id.clone())).await.unwrap();
    assert_eq!(
        (stat.name.as_str(), stat.parent),
        ("Renamed inner", FolderId::Id(alpha.clone()))
    );
    assert_eq!(
        names(&p.list(&FolderId::Id(alpha.clone())).await.unwrap()),
        ["Renamed inner", "final.txt"]
    );
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        ["Alpha", "Beta", "Raw"]
    );

    // Error paths, each with the site's words and the right kind.
    let nowhere = FolderId::Id("999999".into());
    let err = p.list(&nowhere).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(
        err.message.contains("Folder not exist or not yours"),
        "{err}"
    );
    let err = p.create_folder(&nowhere, "x").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_set_folder(&f.id, &nowhere).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("don't have such folder"), "{err}");
    let err = p.folder_rename("999999", "y").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_rename("zzzzzzzzzzzz", "y").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.stat(&EntryRef::folder("999999")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    for bad in ["", "  ", "a/b", "line\nbreak"] {
        let err = p.create_folder(&FolderId::Root, bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
    // set_folder says OK to a code that is not the account's; the provider's move checks.
    p.file_set_folder("zzzzzzzzzzzz", &FolderId::Root)
        .await
        .expect("the site's silent OK");
    let err = p
        .move_entry(&EntryRef::file("zzzzzzzzzzzz"), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_is_clone_move_is_set_folder_and_the_rest_is_refused() {
    let e = env(false).await;
    let p = e.client("xfs");
    let d = p.create_folder(&FolderId::Root, "D").await.unwrap();
    let d2 = p.create_folder(&FolderId::Root, "D2").await.unwrap();
    let data = common::pattern(50_000, 8);
    let f = upload(&p, &FolderId::Root, "orig.bin", &data).await;

    let clones = e.calls("file/clone");
    let copy = p.copy_entry(&f.as_ref(), &d.folder_id()).await.unwrap();
    assert_eq!(e.calls("file/clone"), clones + 1, "copied by file/clone");
    assert_ne!(copy.id, f.id);
    assert_eq!(
        (copy.name.as_str(), copy.parent.clone(), copy.size),
        ("orig.bin", d.folder_id(), Some(50_000))
    );
    assert_eq!(names(&p.list(&d.folder_id()).await.unwrap()), ["orig.bin"]);
    assert_eq!(download(&p, &copy.as_ref()).await, data);
    let root_copy = p.copy_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(root_copy.parent, FolderId::Root);

    let moves = e.calls("file/set_folder");
    p.move_entry(&f.as_ref(), &d2.folder_id()).await.unwrap();
    assert_eq!(
        e.calls("file/set_folder"),
        moves + 1,
        "moved by file/set_folder"
    );
    assert_eq!(names(&p.list(&d2.folder_id()).await.unwrap()), ["orig.bin"]);
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        ["D", "D2", "orig.bin"],
        "only the root copy is left in the root"
    );
    p.move_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().parent, FolderId::Root);

    // What the API has no endpoint for: said in words, nothing changed.
    let caps = p.capabilities();
    assert!(caps.server_side_copy && caps.move_files);
    assert!(!caps.delete && !caps.move_folders);
    let err = p
        .move_entry(&d.as_ref(), &d2.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("cannot move folders"), "{err}");
    let err = p
        .copy_entry(&d.as_ref(), &d2.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("cannot copy folders"), "{err}");
    for entry in [f.as_ref(), d.as_ref()] {
        let err = p.delete(&entry).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
        assert!(err.message.contains("has no delete"), "{err}");
        one_line(&err);
    }
    assert_eq!(p.stat(&d.as_ref()).await.unwrap().parent, FolderId::Root);
    assert_eq!(download(&p, &f.as_ref()).await, data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mojibake_names_are_decoded() {
    let e = env(true).await;
    let p = e.client("xfs");
    // On the wire the seeded root file is Latin-1 mojibake ...
    let raw = e.raw("folder/list", &[("fld_id", "0")]).await;
    let raw_names: Vec<&str> = raw["result"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(raw_names.contains(&"cafÃ©.txt"), "{raw_names:?}");
    // ... and haul shows it as it was named.
    let root = p.list(&FolderId::Root).await.unwrap();
    let cafe = root.iter().find(|f| f.name == "café.txt").expect("decoded");
    assert!(
        root.iter().all(|f| !f.name.contains('Ã')),
        "{:?}",
        names(&root)
    );
    assert_eq!(p.stat(&cafe.as_ref()).await.unwrap().name, "café.txt");
    assert!(
        String::from_utf8(download(&p, &cafe.as_ref()).await)
            .unwrap()
            .contains("not ASCII")
    );

    // Names haul sends come back the same way, in every listing.
    let dir = p.create_folder(&FolderId::Root, "Über 相片").await.unwrap();
    let f = upload(&p, &dir.folder_id(), "naïve 相片 \"q\".txt", b"utf8").await;
    assert_eq!(f.name, "naïve 相片 \"q\".txt");
    let inside = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(names(&inside), ["naïve 相片 \"q\".txt"]);
    assert!(names(&p.list(&FolderId::Root).await.unwrap()).contains(&"Über 相片"));
    let info = p.file_info(&[&f.id]).await.unwrap();
    assert_eq!(info[0].name.as_deref(), Some("naïve 相片 \"q\".txt"));
    p.rename(&f.as_ref(), "ñ.txt").await.unwrap();
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().name, "ñ.txt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_root_listing_is_the_root_not_the_whole_account() {
    let e = env(true).await;
    let p = e.client("xfs");
    let root = p.list(&FolderId::Root).await.unwrap();
    let root_files: Vec<&Entry> = root.iter().filter(|x| x.kind == EntryKind::File).collect();
    let whole = p.file_list(None, 1).await.unwrap();
    let total = whole.results_total.unwrap();
    assert!(
        total > root_files.len() as u64,
        "fld_id=0 in file/list counts every file ({total}), the root has {}",
        root_files.len()
    );
    assert!(root.iter().all(|x| x.parent == FolderId::Root));
    assert!(
        root_files.iter().all(|f| f.size.is_some()),
        "sizes from file/info"
    );
    // Every file in file/list outside the root stays out of the root listing.
    let ids: HashSet<&str> = root.iter().map(|x| x.id.as_str()).collect();
    let mut outside = 0;
    for page in 1..=20 {
        let listed = p.file_list(None, page).await.unwrap();
        if listed.files.is_empty() {
            break;
        }
        for f in listed.files.iter().filter(|f| !f.folder().is_root()) {
            outside += 1;
            assert!(
                !ids.contains(f.code.as_str()),
                "{} listed in the root",
                f.name
            );
        }
    }
    assert!(outside > 0, "the demo tree has files in folders");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_files_are_listed() {
    let e = env(true).await;
    let p = e.client("xfs");
    let gone = p.files_deleted(None).await.unwrap();
    let draft = gone
        .iter()
        .find(|d| d.name.as_deref() == Some("old-draft.txt"))
        .expect("the seeded deletion");
    assert!(
        draft.code.as_ref().is_some_and(|c| c.len() == 12),
        "{draft:?}"
    );
    assert!(
        draft.deleted_ago_sec.is_some_and(|s| s >= 3600),
        "{draft:?}"
    );
    assert!(
        draft.deleted.as_ref().is_some_and(|d| d.len() == 19),
        "{draft:?}"
    );
    assert_eq!(p.files_deleted(Some(1)).await.unwrap().len(), 1);
    // Account-scoped: the free account sees its own deletion only.
    let free = e.client("xfs-free").files_deleted(None).await.unwrap();
    assert_eq!(free.len(), 1, "{free:?}");
    assert_ne!(free[0].code, draft.code);
}
