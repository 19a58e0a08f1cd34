//! Uploads through the node, free downloads through captcha and countdown, dedupe, quota.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_through_the_node_and_download_byte_exact() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "up").await.unwrap();
    let data = common::pattern(700_001, 3);
    let f = upload(&p, &dir.folder_id(), "data.bin", &data).await;
    assert_eq!(f.size, Some(data.len() as u64));
    assert_eq!(f.md5.as_deref(), Some(md5_hex(&data).as_str()));
    assert_eq!(f.parent, dir.folder_id());
    assert_eq!(read_all(&p, &f.as_ref(), 0).await, data);
    assert_eq!(read_all(&p, &f.as_ref(), 654_321).await, &data[654_321..]);
    let url = p.direct_url(&f.as_ref()).await.unwrap().expect("a link");
    assert!(url.contains("rate_limit=0"), "premium is unlimited");
    assert_eq!(p.direct_url(&dir.as_ref()).await.unwrap(), None);
    let err = p.open_download(&dir.as_ref(), 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    let err = p
        .open_download(&EntryRef::file("0000000000000"), 0)
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    // A premium account gets others' public files without a captcha.
    let theirs = upload(&e.free(), &FolderId::Root, "theirs.bin", b"free user's").await;
    assert_eq!(read_all(&p, &theirs.as_ref(), 0).await, b"free user's");
    // Empty files are fine too.
    let empty = upload(&p, &FolderId::Root, "empty.txt", b"").await;
    assert_eq!(empty.size, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_download_through_captcha_and_countdown_is_byte_exact() {
    let e = env(true).await;
    e.settings(json!({"free_wait_ms": 1000})).await;
    let owner = e.premium();
    let shared = EntryRef::file(SHARED_FILE_ID);
    let original = read_all(&owner, &shared, 0).await;
    assert!(original.len() > 100_000);

    let free = e.free();
    let info = free.stat(&shared).await.unwrap();
    assert_eq!(info.name, SHARED_FILE_NAME);
    assert_eq!(info.parent, FolderId::Id(SHARED_FOLDER_ID.into()));
    assert_eq!(info.md5, None, "md5 is for the owner");
    // No link without a person: relay, don't hand a URL to another host.
    assert_eq!(free.direct_url(&shared).await.unwrap(), None);

    let challenge = challenge_of(free.open_download(&shared, 0).await.err().unwrap());
    assert_eq!(challenge.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(
        challenge.purpose,
        ChallengePurpose::Download {
            file_id: SHARED_FILE_ID.into()
        }
    );
    assert!(challenge.image.as_deref().unwrap().starts_with(b"\x89PNG"));
    let url = challenge.url.clone().unwrap();
    assert!(url.ends_with(&format!("?id={}", challenge.id)), "{url}");
    let answer = e.answer(&challenge).await;
    let wait = free
        .answer_challenge(&challenge, &answer)
        .await
        .unwrap()
        .expect("a countdown");
    assert_eq!(wait, Duration::from_secs(1));
    let started = Instant::now();
    // Too early: the rest of the countdown, without asking the host.
    let early = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(early.kind, ErrorKind::RateLimited, "{early}");
    assert!(early.retry_after.unwrap() <= wait);
    tokio::time::sleep(wait.saturating_sub(started.elapsed())).await;
    let got = read_all(&free, &shared, 0).await;
    assert_eq!(md5_hex(&got), md5_hex(&original));
    assert_eq!(got, original);
    // The key is spent: the next download asks again (once the host has seen the first one
    // end: free users get one at a time).
    let mut again = free.open_download(&shared, 0).await.err().unwrap();
    for _ in 0..50 {
        if again.kind != ErrorKind::RateLimited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        again = free.open_download(&shared, 0).await.err().unwrap();
    }
    assert_eq!(again.kind, ErrorKind::CaptchaRequired, "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_download_captcha_answer_brings_a_new_challenge() {
    let e = env(true).await;
    e.settings(json!({"free_wait_ms": 0})).await;
    let free = e.free();
    let shared = EntryRef::file(SHARED_FILE_ID);
    let first = challenge_of(free.open_download(&shared, 0).await.err().unwrap());
    let second = challenge_of(free.answer_challenge(&first, "wrong1").await.unwrap_err());
    assert_ne!(second.id, first.id);
    assert_eq!(second.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(second.purpose, first.purpose);
    assert!(second.image.is_some());
    let answer = e.answer(&second).await;
    let wait = free.answer_challenge(&second, &answer).await.unwrap();
    assert_eq!(wait, Some(Duration::ZERO));
    let got = read_all(&free, &shared, 1000).await;
    assert!(got.len() > 100_000);

    // An anonymous-looking refusal: files too big for free users, and private files.
    e.settings(json!({"free_max_file_size": 10})).await;
    let err = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("free accounts"), "{err}");
    e.settings(json!({"free_max_file_size": 1u64 << 30})).await;
    e.premium()
        .update_file(
            SHARED_FILE_ID,
            &FileChanges {
                new_access: Some(Access::Private),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("private"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_hits_and_misses() {
    let e = env(false).await;
    let premium = e.premium();
    let data = common::pattern(123_457, 11);
    let md5 = md5_hex(&data);
    upload(&premium, &FolderId::Root, "original.bin", &data).await;

    let free = e.free();
    assert!(free.find_file(&md5).await.unwrap());
    assert!(!free.find_file(&md5_hex(b"nobody has this")).await.unwrap());
    let dir = free.create_folder(&FolderId::Root, "mine").await.unwrap();
    let nodes = e.calls("upload");
    let placed = free
        .upload_by_hash(&dir.folder_id(), "copy.bin", &md5, data.len() as u64)
        .await
        .unwrap()
        .expect("a hit");
    assert_eq!(e.calls("upload"), nodes, "no bytes sent");
    assert_eq!(placed.name, "copy.bin");
    assert_eq!(placed.parent, dir.folder_id());
    assert_eq!(placed.size, Some(data.len() as u64));
    assert_eq!(read_all(&free, &placed.as_ref(), 0).await, data);
    // A miss: upload normally.
    assert!(
        free.upload_by_hash(&dir.folder_id(), "new.bin", &md5_hex(b"new"), 3)
            .await
            .unwrap()
            .is_none()
    );
    // createFileByHash wants names of three characters or more: shorter ones are placed too.
    let short = free
        .upload_by_hash(&dir.folder_id(), "ab", &md5, data.len() as u64)
        .await
        .unwrap()
        .expect("a hit with a short name");
    assert_eq!(short.name, "ab");
    assert_eq!(e.calls("upload"), nodes, "no bytes sent");
    let mut names: Vec<String> = free
        .list(&dir.folder_id())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    names.sort();
    assert_eq!(names, ["ab", "copy.bin"], "no interim name left behind");
    // createFileByHash itself: unknown content, bad names.
    let err = free
        .create_file_by_hash(&md5_hex(b"nope"), "x.bin", &FolderId::Root, Access::Public)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = free
        .create_file_by_hash(&md5, "ab", &FolderId::Root, Access::Public)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("minimum is 3 characters"), "{err}");
    let made = free
        .create_file_by_hash(&md5, "direct.bin", &FolderId::Root, Access::Private)
        .await
        .unwrap();
    assert!(made.link.unwrap().ends_with(&made.id));

    // Server-side copies are made by hash too, short names included.
    let short = upload(&premium, &FolderId::Root, "s", b"short name").await;
    let copy = premium
        .copy_entry(&short.as_ref(), &FolderId::Root)
        .await
        .expect("copy of a one-letter name");
    assert_ne!(copy.id, short.id);
    assert_eq!(copy.name, "s");
    assert_eq!(read_all(&premium, &copy.as_ref(), 0).await, b"short name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_quota_and_full_folders_are_quota_errors() {
    let e = env(false).await;
    let p = e.premium();
    let kept = upload(&p, &FolderId::Root, "kept.bin", &common::pattern(60_000, 1)).await;
    e.settings(json!({"disk_quota": 100_000})).await;
    let err = p
        .upload(
            &FolderId::Root,
            "too-big.bin",
            UploadBody::from_bytes(common::pattern(50_000, 2)),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("disk quota exceeded"), "{err}");
    let err = p
        .copy_entry(&kept.as_ref(), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("disk quota exceeded"), "{err}");
    e.settings(json!({"disk_quota": null})).await;

    // 61: a folder holds at most 50,000 items.
    let full = p.create_folder(&FolderId::Root, "full").await.unwrap();
    e.fill("k2s", &full.folder_id(), 50_000, "f-").await;
    let folder_full = |err: ProviderError| {
        assert_eq!(err.kind, ErrorKind::Quota, "{err}");
        assert!(err.message.contains("50,000"), "{err}");
    };
    folder_full(
        p.create_folder(&full.folder_id(), "one more")
            .await
            .unwrap_err(),
    );
    folder_full(
        p.upload(
            &full.folder_id(),
            "x.bin",
            UploadBody::from_bytes(&b"x"[..]),
            no_progress(),
        )
        .await
        .unwrap_err(),
    );
    folder_full(
        p.move_entry(&kept.as_ref(), &full.folder_id())
            .await
            .unwrap_err(),
    );
    folder_full(
        p.copy_entry(&kept.as_ref(), &full.folder_id())
            .await
            .unwrap_err(),
    );
    let results = p
        .update_files(
            &[&kept.id],
            &FileChanges {
                new_parent: Some(full.folder_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        results[0].errors,
        ["Limit files in specified folder reached"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_node_upload_is_never_replayed() {
    let e = env(false).await;
    let p = e.premium();
    p.authenticate().await.unwrap();
    // 302: the node must not be followed; 503: the node is down. Either way the body is spent.
    for status in [302, 503] {
        e.server.set_faults(Faults {
            route_faults: vec![haul::emulator::RouteFault {
                route: "keep2share/upload".into(),
                status,
                ..Default::default()
            }],
            ..Default::default()
        });
        let before = e.calls("upload");
        let err = p
            .upload(
                &FolderId::Root,
                "a.txt",
                UploadBody::from_bytes(&b"hello"[..]),
                no_progress(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transient, "{status}: {err}");
        assert!(err.message.contains("must restart"), "{status}: {err}");
        assert_eq!(e.calls("upload"), before + 1, "{status}: sent once");
    }
    e.server.set_faults(Faults::default());
    let listed = p.list(&FolderId::Root).await.unwrap();
    assert!(listed.iter().all(|f| f.name != "a.txt"), "{listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_free_download_at_once_gets_a_web_page_in_words() {
    let e = env(true).await;
    e.settings(json!({"free_wait_ms": 0})).await;
    let shared = EntryRef::file(SHARED_FILE_ID);
    // Two sessions of the free user, each with its own ready key.
    let (one, two) = (e.free(), e.free());
    for p in [&one, &two] {
        let challenge = challenge_of(p.open_download(&shared, 0).await.err().unwrap());
        let answer = e.answer(&challenge).await;
        p.answer_challenge(&challenge, &answer).await.unwrap();
    }
    // Both ask for their link at the same moment (the host is slow), so both get one; the
    // second to start reading meets the page a free user gets for a second file at once (the
    // first still streams: each connection is capped).
    e.server.set_faults(Faults {
        latency_ms: 300,
        rate_per_conn: Some(20_000),
        ..Default::default()
    });
    let (a, b) = tokio::join!(one.open_download(&shared, 0), two.open_download(&shared, 0));
    e.server.set_faults(Faults::default());
    let (started, refused) = match (a, b) {
        (Ok(started), Err(refused)) | (Err(refused), Ok(started)) => (started, refused),
        (a, b) => panic!(
            "one download at a time: {:?} / {:?}",
            a.map(|d| d.offset),
            b.map(|d| d.offset)
        ),
    };
    assert_eq!(refused.kind, ErrorKind::RateLimited, "{refused}");
    assert!(refused.message.contains("one file at a time"), "{refused}");
    assert!(!refused.message.contains("temp_url_sig"), "{refused}");
    drop(started);
}
