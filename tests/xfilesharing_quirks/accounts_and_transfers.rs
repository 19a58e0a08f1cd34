//! Account info, uploads via file_0 and set_folder, URL uploads and direct links.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_info_and_stats_read_both_accounts() {
    let e = env(true).await;
    let premium = e.client("xfs");
    let details = premium.account_info_raw().await.unwrap();
    assert_eq!(details.email.as_deref(), Some("demo@example.com"));
    assert_eq!(details.storage_left, Some(StorageLeft::Unlimited));
    assert!(details.storage_used.is_some_and(|u| u > 0), "{details:?}");
    assert!(details.server_time.is_some());
    assert_eq!(details.is_premium(), Some(true));
    let days = premium.account_stats().await.unwrap();
    assert_eq!(days.len(), 7, "the site's default week");
    assert!(
        days.iter()
            .all(|d| d.day.is_some() && d.downloads.is_some())
    );

    // A download from the start is counted in today's stats.
    let root = premium.list(&FolderId::Root).await.unwrap();
    let file = root.iter().find(|f| f.kind == EntryKind::File).unwrap();
    download(&premium, &file.as_ref()).await;
    let info = premium.account_info().await.unwrap();
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(info.premium_until.as_deref(), Some("2099-12-31 23:59:59"));
    assert_eq!(info.email.as_deref(), Some("demo@example.com"));
    assert_eq!(info.storage_limit, None, "unlimited storage has no limit");
    assert_eq!(info.extra["storage left"], "unlimited");
    assert_eq!(info.extra["balance"], "0.04900");
    assert_eq!(info.extra["downloads (7 days)"], "1");

    // The free account writes its statuses as strings; premium_expire is its creation date.
    let free = e.client("xfs-free").account_info().await.unwrap();
    assert_eq!(free.plan.as_deref(), Some("free"));
    assert_eq!(free.premium_until, None, "a creation date is not an expiry");
    assert_eq!(free.storage_limit, Some(10 * 1024 * 1024 * 1024));
    assert!(e.calls("account/stats") >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_to_a_fresh_session_as_file_0_then_set_folder() {
    let e = env(false).await;
    let p = e.client("xfs");
    let a = p.upload_server().await.unwrap();
    let b = p.upload_server().await.unwrap();
    assert_ne!(a.sess_id, b.sess_id, "a new session per call");
    assert!(a.url.ends_with("/cgi-bin/upload.cgi"), "{a:?}");
    assert_ne!(a.url, b.url, "the upload host changes between calls");

    let inbox = p.create_folder(&FolderId::Root, "Inbox").await.unwrap();
    assert!(inbox.id.bytes().all(|b| b.is_ascii_digit()), "{inbox:?}");
    let (servers, cgi, moves) = (
        e.calls("upload/server"),
        e.calls("upload.cgi"),
        e.calls("file/set_folder"),
    );
    let one = upload(&p, &inbox.folder_id(), "one.bin", b"x").await;
    assert_eq!(one.parent, inbox.folder_id());
    assert_eq!(one.size, Some(1));
    assert_eq!(e.calls("upload/server"), servers + 1);
    assert_eq!(e.calls("upload.cgi"), cgi + 1, "one POST to upload.cgi");
    assert_eq!(e.calls("file/set_folder"), moves + 1, "then moved");

    // The wire agrees: the file sits in the folder, not in the root.
    let listed = e.raw("folder/list", &[("fld_id", &inbox.id)]).await;
    assert_eq!(listed["result"]["files"][0]["file_code"], one.id.as_str());
    assert_eq!(
        names(&p.list(&inbox.folder_id()).await.unwrap()),
        ["one.bin"]
    );
    assert!(
        p.list(&FolderId::Root)
            .await
            .unwrap()
            .iter()
            .all(|x| x.id != one.id)
    );
    let stat = p.stat(&one.as_ref()).await.unwrap();
    assert_eq!((stat.parent, stat.size), (inbox.folder_id(), Some(1)));
    assert_eq!(download(&p, &one.as_ref()).await, b"x");

    // Into a folder that does not exist: refused before anything is sent.
    let cgi = e.calls("upload.cgi");
    let err = p
        .upload(
            &FolderId::Id("999999".into()),
            "lost.bin",
            UploadBody::from_bytes(&b"lost"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(e.calls("upload.cgi"), cgi);

    // An empty file: the site's own words.
    let err = p
        .upload(
            &FolderId::Root,
            "empty.txt",
            UploadBody::from_bytes(Vec::new()),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("null filesize"), "{err}");
    one_line(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_survive_the_round_trip() {
    let e = env(false).await;
    let p = e.client("xfs");
    let big = common::pattern(3 * 1024 * 1024 + 17, 21);
    let tiny = upload(&p, &FolderId::Root, "tiny.bin", b"\0").await;
    let large = upload(&p, &FolderId::Root, "large.bin", &big).await;
    assert_eq!(large.size, Some(big.len() as u64));
    assert_eq!(download(&p, &tiny.as_ref()).await, b"\0");
    assert_eq!(download(&p, &large.as_ref()).await, big);
    let listed = p.list(&FolderId::Root).await.unwrap();
    let sizes: Vec<_> = listed.iter().map(|f| (f.name.as_str(), f.size)).collect();
    assert!(
        sizes.contains(&("large.bin", Some(big.len() as u64))),
        "{sizes:?}"
    );
    assert!(sizes.contains(&("tiny.bin", Some(1))), "{sizes:?}");
}

async fn wait_for(p: &XFileSharing, job: &str) -> RemoteJobState {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = p.remote_upload_status(job).await.unwrap();
        match state {
            RemoteJobState::Done { .. } | RemoteJobState::Failed(_) => return state,
            _ if Instant::now() > deadline => panic!("remote upload stuck: {state:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_uploads_are_fetched_into_a_folder_and_followed() {
    let payload = common::pattern(300_000, 9);
    let source = format!(
        "http://{}",
        common::file_server("/files/remote.bin", payload.clone()).await
    );
    let e = env(false).await;
    let p = e.client("xfs");
    assert!(p.capabilities().remote_url_upload);
    let dir = p.create_folder(&FolderId::Root, "Fetched").await.unwrap();
    let job = p
        .remote_upload(&format!("{source}/files/remote.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert_eq!(job.len(), 12, "the job is the file's code: {job}");
    match wait_for(&p, &job).await {
        RemoteJobState::Done { file_id } => assert_eq!(file_id.as_deref(), Some(job.as_str())),
        other => panic!("remote upload failed: {other:?}"),
    }
    let listed = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(names(&listed), ["remote.bin"]);
    assert_eq!(listed[0].size, Some(payload.len() as u64));
    assert_eq!(download(&p, &EntryRef::file(&job)).await, payload);
    let raw = p.upload_url_status(&job).await.unwrap();
    assert_eq!(raw.state.as_deref(), Some("OK"));

    // A source that answers 404: the job fails, and says so.
    let job = p
        .remote_upload(&format!("{source}/missing.bin"), &FolderId::Root)
        .await
        .unwrap();
    assert!(matches!(
        wait_for(&p, &job).await,
        RemoteJobState::Failed(_)
    ));

    // Not a URL, an unknown job, a folder that is not there.
    let err = p
        .remote_upload("not a url", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    let err = p.remote_upload_status("zzzzzzzzzzzz").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p
        .remote_upload(
            &format!("{source}/files/remote.bin"),
            &FolderId::Id("999999".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    one_line(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_links_resume_with_ranges_and_free_accounts_are_told_why() {
    let e = env(false).await;
    let p = e.client("xfs");
    let data = common::pattern(1024 * 1024 + 3, 4);
    let f = upload(&p, &FolderId::Root, "ranged.bin", &data).await;
    let link = p.direct_link(&f.id).await.unwrap();
    assert_eq!(link.size, Some(data.len() as u64));
    assert!(
        link.url
            .as_deref()
            .is_some_and(|u| u.contains("/cgi-bin/dl.cgi/"))
    );
    let url = p.direct_url(&f.as_ref()).await.unwrap();
    assert!(url.is_some(), "a premium account has direct links");

    let (offset, tail) = download_from(&p, &f.as_ref(), 700_001).await;
    assert_eq!(offset, 700_001);
    assert_eq!(tail, &data[700_001..]);
    let at_end = p
        .open_download(&f.as_ref(), data.len() as u64)
        .await
        .unwrap();
    assert_eq!(at_end.offset, data.len() as u64);
    let err = failure(p.open_download(&f.as_ref(), data.len() as u64 + 10).await);
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");

    let err = p.direct_link("zzzzzzzzzzzz").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("no file"), "{err}");

    // The free account has no direct-link traffic: "Not enabled", explained.
    let free = e.client("xfs-free");
    let mine = upload(&free, &FolderId::Root, "free.txt", b"free bytes").await;
    let err = failure(free.open_download(&mine.as_ref(), 0).await);
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("Not enabled"), "{err}");
    assert!(err.message.contains("premium"), "{err}");
    one_line(&err);
    assert_eq!(free.direct_url(&mine.as_ref()).await.unwrap(), None);
}

/// Turns the emulator's opt-in site quirks on (or all off with `{}`).
async fn quirks(e: &Env, set: serde_json::Value) {
    let url = format!("{}/__emulator/xfilesharing/quirks", e.server.base_url());
    let status = reqwest::Client::new()
        .post(url)
        .json(&set)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_the_site_stores_outside_the_account_is_caught_and_sent_again() {
    let e = env(false).await;
    let p = e.client("xfs");
    // The file server lost our session and keeps the file anyway, as nobody's (katfile).
    quirks(
        &e,
        serde_json::json!({"lost_upload_sessions": true, "anonymous_uploads": true}),
    )
    .await;
    let cgi = e.calls("upload.cgi");
    let err = p
        .upload(
            &FolderId::Root,
            "stray.bin",
            UploadBody::from_bytes(&b"stray"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    assert!(
        err.message.contains("outside this account") && err.message.contains("restarted"),
        "{err}"
    );
    assert!(
        err.landed.is_none(),
        "not ours: to be sent again, not finished"
    );
    assert_eq!(
        e.calls("upload.cgi"),
        cgi + 1,
        "the spent body is not resent"
    );
    // Without the anonymous store, the site says so in its own word.
    quirks(&e, serde_json::json!({"lost_upload_sessions": true})).await;
    let err = p
        .upload(
            &FolderId::Root,
            "refused.bin",
            UploadBody::from_bytes(&b"refused"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("Unauthorized"), "{err}");
    quirks(&e, serde_json::json!({})).await;
    let f = upload(&p, &FolderId::Root, "fine.bin", b"fine").await;
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        [f.name.as_str()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_upload_is_never_replayed_and_says_so_in_one_line() {
    let e = env(false).await;
    let p = e.client("xfs");
    p.authenticate().await.unwrap();
    e.server.set_faults(Faults {
        route_faults: vec![haul::emulator::RouteFault {
            route: "xfilesharing/upload.cgi".into(),
            status: 502,
            ..Default::default()
        }],
        ..Default::default()
    });
    let cgi = e.calls("upload.cgi");
    let err = p
        .upload(
            &FolderId::Root,
            "a.txt",
            UploadBody::from_bytes(&b"hello"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    e.server.set_faults(Faults::default());
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    assert!(
        err.message
            .starts_with("the upload failed; it must be restarted from its source"),
        "{err}"
    );
    assert!(
        err.message.contains("502") && !err.message.contains('\n'),
        "{err}"
    );
    assert_eq!(e.calls("upload.cgi"), cgi + 1, "sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_uploads_take_only_web_addresses() {
    let e = env(false).await;
    let p = e.client("xfs");
    let before = e.calls("upload/url");
    for bad in ["file:///etc/passwd", "gopher://example.com/x", "not a url"] {
        let err = p.remote_upload(bad, &FolderId::Root).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}: {err}");
    }
    assert_eq!(
        e.calls("upload/url"),
        before,
        "refused before asking the site"
    );
}
