//! Files and folders by id, paged listings, and a token expiring mid-listing.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_and_files_are_created_renamed_moved_and_deleted_by_id() {
    let e = env(false).await;
    let p = e.premium();
    let docs = p.create_folder(&FolderId::Root, "Docs").await.unwrap();
    assert_eq!(docs.kind, EntryKind::Folder);
    let old = p.create_folder(&docs.folder_id(), "Old").await.unwrap();
    let private = p
        .create_folder_with(&FolderId::Root, "Private", Access::Private, false)
        .await
        .unwrap();

    // getFoldersList: every folder from the root, only the children below.
    let all = p.get_folders_list(&FolderId::Root).await.unwrap();
    let mut shown: Vec<(String, FolderId)> = all
        .iter()
        .map(|f| (f.name.clone(), f.parent.clone()))
        .collect();
    shown.sort();
    assert_eq!(
        shown,
        [
            ("/Docs".to_string(), FolderId::Root),
            ("/Docs/Old".to_string(), docs.folder_id()),
            ("/Private".to_string(), FolderId::Root),
        ]
    );
    let below = p.get_folders_list(&docs.folder_id()).await.unwrap();
    assert_eq!(below.len(), 1);
    assert_eq!(below[0].id, old.id);

    // A private folder isn't public: stat finds it through getFoldersList.
    let stat = p.stat(&EntryRef::folder(private.clone())).await.unwrap();
    assert_eq!(stat.name, "Private");
    assert_eq!(stat.kind, EntryKind::Folder);
    let stat = p.stat(&old.as_ref()).await.unwrap();
    assert_eq!(
        (stat.name.as_str(), &stat.parent),
        ("Old", &docs.folder_id())
    );

    let a = upload(&p, &docs.folder_id(), "a.txt", b"alpha").await;
    let b = upload(&p, &FolderId::Root, "b.txt", b"beta").await;
    assert_eq!(a.parent, docs.folder_id());
    assert_eq!(a.md5.as_deref(), Some(md5_hex(b"alpha").as_str()));
    assert_eq!(a.extra.get("access").map(String::as_str), Some("public"));

    // updateFile: rename, move, access.
    p.rename(&a.as_ref(), "renamed.txt").await.unwrap();
    p.move_entry(&a.as_ref(), &old.folder_id()).await.unwrap();
    p.update_file(
        &a.id,
        &FileChanges {
            new_access: Some(Access::Premium),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let moved = p.stat(&a.as_ref()).await.unwrap();
    assert_eq!(moved.name, "renamed.txt");
    assert_eq!(moved.parent, old.folder_id());
    assert_eq!(
        moved.extra.get("access").map(String::as_str),
        Some("premium")
    );
    p.move_entry(&a.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(p.stat(&a.as_ref()).await.unwrap().parent, FolderId::Root);
    // Folders move too, but never into themselves.
    p.move_entry(&old.as_ref(), &FolderId::Root).await.unwrap();
    p.move_entry(&docs.as_ref(), &old.folder_id())
        .await
        .unwrap();
    let err = p
        .move_entry(&old.as_ref(), &docs.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Fatal, "{err}");
    assert!(err.message.contains("into itself"), "{err}");
    let err = p.rename(&b.as_ref(), "a/b").await.unwrap_err();
    assert!(err.message.contains("invalid characters"), "{err}");
    let err = p
        .rename(&EntryRef::file("0000000000000"), "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");

    // updateFiles: each file's outcome.
    let results = p
        .update_files(
            &[&a.id, &b.id, "0000000000000"],
            &FileChanges {
                new_parent: Some(docs.folder_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert!(results[0].errors.is_empty() && results[1].errors.is_empty());
    assert_eq!(results[2].id, "0000000000000");
    assert_eq!(results[2].errors, ["File not found"]);
    let mut in_docs: Vec<String> = p
        .list(&docs.folder_id())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    in_docs.sort();
    assert_eq!(in_docs, ["b.txt", "renamed.txt"]);

    // getFilesInfo: many ids at once, unknown ones simply absent; md5 for the owner only.
    let infos = p
        .get_files_info(&[&a.id, "0000000000000", &b.id])
        .await
        .unwrap();
    assert_eq!(infos.len(), 2);
    assert!(infos.iter().all(|i| i.md5.is_some()));
    let seen_by_other = e.free().get_files_info(&[&b.id]).await.unwrap();
    assert_eq!(seen_by_other.len(), 1);
    assert_eq!(seen_by_other[0].md5, None);
    assert_eq!(
        seen_by_other[0]
            .extra
            .get("free download")
            .map(String::as_str),
        Some("yes")
    );

    // deleteFiles: how many went; a folder takes what it holds.
    assert_eq!(p.delete_files(&[&b.id, "0000000000000"]).await.unwrap(), 1);
    p.delete(&old.as_ref()).await.unwrap();
    let err = p.delete(&old.as_ref()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(
        p.stat(&a.as_ref()).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    let root: Vec<String> = p
        .list(&FolderId::Root)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(root, ["Private"]);

    // Links are to files only.
    let f = upload(&p, &FolderId::Root, "linked.txt", b"l").await;
    let link = p.public_link(&f.as_ref()).await.unwrap();
    assert_eq!(link, format!("{}/file/{}", e.server.base_url(), f.id));
    assert_eq!(
        p.public_link(&EntryRef::folder(private))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Unsupported
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_by_limit_and_offset() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "paged").await.unwrap();
    e.fill("k2s", &dir.folder_id(), 23, "p-").await;
    let mut seen = Vec::new();
    for (offset, expected) in [(0, 10), (10, 10), (20, 3), (30, 0)] {
        let page = p
            .get_files_list(&dir.folder_id(), 10, offset)
            .await
            .unwrap();
        assert_eq!(page.len(), expected, "offset {offset}");
        assert!(page.iter().all(|e| e.parent == dir.folder_id()));
        seen.extend(page.into_iter().map(|e| e.name));
    }
    let expected: Vec<String> = (1..=23).map(|n| format!("p-{n:05}.txt")).collect();
    assert_eq!(seen, expected, "pages in order, no gaps or repeats");
    let all = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(all.len(), 23);
    assert!(
        all.iter()
            .all(|f| f.size == Some(0) && f.kind == EntryKind::File)
    );
    // A folder id the host doesn't know.
    let err = p
        .list(&FolderId::Id("0000000000000".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_five_thousand_items_list_completely_across_a_token_expiry() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "big").await.unwrap();
    e.fill("k2s", &dir.folder_id(), 25_000, "item-").await;
    let fresh = e.premium();
    let tokens = e.stat("tokens_issued");
    let pages = e.calls("getFilesList");
    // The session dies after four calls: in the middle of the pages (the small first one,
    // then the next four at once).
    e.server.set_faults(Faults {
        expire_tokens_after: Some(4),
        ..Default::default()
    });
    let all = fresh
        .list(&dir.folder_id())
        .await
        .expect("listing survives");
    e.server.set_faults(Faults::default());
    assert_eq!(all.len(), 25_000);
    let names: std::collections::BTreeSet<&str> = all.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 25_000, "no repeats");
    assert!(names.contains("item-00001.txt") && names.contains("item-25000.txt"));
    assert_eq!(
        e.stat("tokens_issued") - tokens,
        2,
        "one login, one re-login"
    );
    assert_eq!(
        e.calls("getFilesList") - pages,
        6,
        "the small first page, the next four at once (one past the end), one repeated"
    );

    // An idle session that ran out (token_lifetime_ms) is renewed the same way.
    e.settings(json!({"token_lifetime_ms": 200})).await;
    fresh.get_balance().await.unwrap();
    let tokens = e.stat("tokens_issued");
    tokio::time::sleep(Duration::from_millis(300)).await;
    fresh.get_balance().await.expect("renewed");
    assert_eq!(e.stat("tokens_issued") - tokens, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_success_codes_and_malformed_ids() {
    let e = env(false).await;
    // 201 for createFolder and createFileByHash, 202 for updateFile, as the documentation says.
    e.settings(json!({"documented_success_codes": true})).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "docs").await.unwrap();
    let f = upload(&p, &FolderId::Root, "a.bin", b"documented").await;
    let copy = p.copy_entry(&f.as_ref(), &dir.folder_id()).await.unwrap();
    assert_eq!(copy.parent, dir.folder_id());
    p.move_entry(&f.as_ref(), &dir.folder_id()).await.unwrap();
    let listed = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|x| x.name == "a.bin"), "{listed:?}");
    // An id the host cannot even parse is "not found", like an unknown one.
    for missing in ["0000000000000", "bad!"] {
        let err = p.stat(&EntryRef::file(missing)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound, "{missing}: {err}");
    }
}
