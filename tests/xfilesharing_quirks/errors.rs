//! HTML 404s, wrong keys, cut names, other accounts, and server trouble, as one-line errors.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_404s_are_clear_one_line_errors() {
    let e = env(false).await;
    // A root that is not an XFS API: account/info itself is a 404 page.
    let wrong = XFileSharing::new(
        &format!("{}/xfilesharing/nowhere/api", e.server.base_url()),
        PREMIUM_KEY,
    )
    .unwrap();
    let err = wrong.authenticate().await.unwrap_err();
    one_line(&err);
    assert!(err.message.contains("no XFileSharing API at"), "{err}");
    assert!(!err.message.contains('<'), "no HTML: {err}");

    // A site without one endpoint: the emulator's HTML 404 for `.../api/file/files/deleted`.
    let odd = XFileSharing::new(&format!("{}/file", e.api()), PREMIUM_KEY).unwrap();
    let err = odd.files_deleted(None).await.unwrap_err();
    one_line(&err);
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("has no files/deleted"), "{err}");
    assert!(err.message.contains("HTTP 404"), "{err}");
    assert!(!err.message.contains('<') && !err.message.contains(PREMIUM_KEY));
    let raw = reqwest::get(format!("{}/file/deleted?key={PREMIUM_KEY}", e.api()))
        .await
        .unwrap();
    assert_eq!(
        raw.status(),
        404,
        "the emulator's page for an unknown endpoint"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_an_auth_error_without_the_key() {
    let e = env(false).await;
    let key = "wrongkey0123456789abcd";
    let p = XFileSharing::new(&e.api(), key).unwrap();
    for err in [
        p.authenticate().await.unwrap_err(),
        p.list(&FolderId::Root).await.unwrap_err(),
        p.upload(
            &FolderId::Root,
            "x.txt",
            UploadBody::from_bytes(&b"x"[..]),
            no_progress(),
        )
        .await
        .unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(err.message.contains("Invalid key"), "{err}");
        assert!(!err.message.contains(key), "the key never shows: {err}");
        one_line(&err);
    }
    assert!(!format!("{p:?}").contains(key));
    assert!(XFileSharing::new(&e.api(), "two words").is_err());
    assert!(XFileSharing::new(&e.api(), " ").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_names_cut_by_the_site_still_decode() {
    let e = env(false).await;
    let p = e.client("xfs");
    // 201 bytes: the site keeps 128, which splits an "é" in two.
    let long = format!("x{}", "é".repeat(100));
    let kept = format!("x{}", "é".repeat(63));
    let f = upload(&p, &FolderId::Root, &long, b"long").await;
    assert_eq!(
        f.name, kept,
        "the half character is dropped, not shown as mojibake"
    );
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        [kept.as_str()]
    );
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().name, kept);
    assert_eq!(download(&p, &f.as_ref()).await, b"long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_files_and_folders_are_not_ours() {
    let e = env(false).await;
    let p = e.client("xfs");
    let free = e.client("xfs-free");
    let dir = p.create_folder(&FolderId::Root, "Private").await.unwrap();
    let f = upload(&p, &dir.folder_id(), "private.txt", b"mine").await;
    // file/info describes anyone's file: not proof of ownership.
    let info = free.file_info(&[&f.id]).await.unwrap();
    assert!(info[0].found);
    let err = free.stat(&f.as_ref()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("not in this account"), "{err}");
    // set_folder says OK to a foreign code and does nothing: the move is not claimed.
    let err = free
        .move_entry(&f.as_ref(), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().parent, dir.folder_id());
    for err in [
        free.list(&dir.folder_id()).await.unwrap_err(),
        free.create_folder(&dir.folder_id(), "in")
            .await
            .unwrap_err(),
        free.rename(&dir.as_ref(), "taken").await.unwrap_err(),
        free.rename(&f.as_ref(), "taken.txt").await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    }
    assert_eq!(
        names(&p.list(&dir.folder_id()).await.unwrap()),
        ["private.txt"]
    );
    // A clone of someone's file is the caller's own (what Katfile scripts rely on).
    let mine = free.file_clone(&f.id, &FolderId::Root).await.unwrap();
    assert_eq!(
        names(&free.list(&FolderId::Root).await.unwrap()),
        ["private.txt"]
    );
    assert_eq!(
        free.stat(&EntryRef::file(&mine.code)).await.unwrap().parent,
        FolderId::Root
    );
    let err = free
        .file_clone("zzzzzzzzzzzz", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_trouble_is_transient_or_rate_limited() {
    let e = env(false).await;
    let p = e.client("xfs");
    p.authenticate().await.unwrap();
    e.server.set_faults(haul::emulator::Faults {
        fail_every: Some(1),
        fail_status: 503,
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    one_line(&err);
    e.server.set_faults(haul::emulator::Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(7),
        ..Default::default()
    });
    let err = p.account_info().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
    e.server.set_faults(haul::emulator::Faults::default());
    p.list(&FolderId::Root).await.expect("fine again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_says_auth_for_a_wrong_key() {
    let e = env(false).await;
    let key = "wrongkey0123456789abcd";
    let p = XFileSharing::new(&e.api(), key).unwrap();
    let root = FolderId::Root;
    let results: Vec<(&str, Result<(), ProviderError>)> = vec![
        ("account/info", p.account_info_raw().await.map(drop)),
        ("account/stats", p.account_stats().await.map(drop)),
        ("upload/server", p.upload_server().await.map(drop)),
        (
            "upload/url",
            p.upload_url("http://127.0.0.1:1/x", &root).await.map(drop),
        ),
        (
            "upload/url status",
            p.upload_url_status("zzzzzzzzzzzz").await.map(drop),
        ),
        (
            "file/direct_link",
            p.direct_link("zzzzzzzzzzzz").await.map(drop),
        ),
        ("file/info", p.file_info(&["zzzzzzzzzzzz"]).await.map(drop)),
        ("file/list", p.file_list(None, 1).await.map(drop)),
        ("file/rename", p.file_rename("zzzzzzzzzzzz", "n").await),
        (
            "file/clone",
            p.file_clone("zzzzzzzzzzzz", &root).await.map(drop),
        ),
        (
            "file/set_folder",
            p.file_set_folder("zzzzzzzzzzzz", &root).await,
        ),
        ("folder/list", p.folder_list(&root).await.map(drop)),
        ("folder/create", p.folder_create(&root, "n").await.map(drop)),
        ("folder/rename", p.folder_rename("211601", "n").await),
        ("files/deleted", p.files_deleted(None).await.map(drop)),
    ];
    for (endpoint, result) in results {
        let err = result.expect_err(endpoint);
        assert_eq!(err.kind, ErrorKind::Auth, "{endpoint}: {err}");
        assert!(!err.message.contains(key), "{endpoint}: {err}");
        one_line(&err);
    }
}
