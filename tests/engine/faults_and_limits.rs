//! Faults, token expiry and concurrency limits.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_file_folder_upload_with_faults_lands_once_each_byte_exact() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 500, 1);
    e.server.set_faults(Faults {
        fail_every: Some(5),
        fail_status: 503,
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    e.server.set_faults(Faults::default());
    let files = remote_files(ys.as_ref(), "batch").await;
    assert_eq!(files.len(), 500, "every file once, none twice");
    // Byte-exact: bring the folder back and compare.
    let back = e.dir.path().join("back");
    std::fs::create_dir_all(&back).unwrap();
    let root = ys.list(&FolderId::Root).await.unwrap();
    let folder = root.iter().find(|x| x.name == "batch").unwrap();
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(remote_item("ys", folder), FolderAddr::local(&back)))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    for i in 0..500 {
        let name = format!("f{i:04}.bin");
        assert_eq!(
            std::fs::read(back.join("batch").join(&name)).unwrap(),
            std::fs::read(tree.join(&name)).unwrap(),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_survive_503s_and_cut_bodies_byte_exact() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let folder = ys.create_folder(&FolderId::Root, "cut").await.unwrap();
    let mut originals = HashMap::new();
    for i in 0..6 {
        let data = common::pattern(300_000 + i * 1000, 40 + i as u64);
        let name = format!("c{i}.bin");
        ys.upload(
            &folder.folder_id(),
            &name,
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
        originals.insert(name, data);
    }
    e.server.set_faults(Faults {
        fail_every: Some(5),
        fail_status: 503,
        cut_body_after: Some(64 * 1024),
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    let out = e.dir.path().join("out");
    engine
        .enqueue(copy(remote_item("ys", &folder), FolderAddr::local(&out)))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    for (name, data) in originals {
        assert_eq!(
            std::fs::read(out.join("cut").join(&name)).unwrap(),
            data,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_during_a_200_file_batch() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 200, 7);
    e.server.set_faults(Faults {
        expire_tokens_after: Some(7),
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    e.server.set_faults(Faults::default());
    let files = remote_files(ys.as_ref(), "batch").await;
    assert_eq!(files.len(), 200);
    let mut names: Vec<_> = files.iter().map(|f| f.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 200, "no duplicates");
    assert!(
        e.server.stats()["tokens_issued"].as_u64().unwrap() > 10,
        "tokens were renewed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limits_are_respected() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let folder = ys.create_folder(&FolderId::Root, "par").await.unwrap();
    for i in 0..8 {
        ys.upload(
            &folder.folder_id(),
            &format!("p{i}"),
            UploadBody::from_bytes(vec![i as u8; 50_000]),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    }
    for (max_transfers, per_account, expected) in [(2, 8, 2), (4, 1, 1)] {
        e.server.set_faults(Faults::default());
        let out = e
            .dir
            .path()
            .join(format!("par-{max_transfers}-{per_account}"));
        let (engine, mut events) = start(
            vec![("ys", ys.clone())],
            EngineConfig {
                max_transfers,
                per_account,
                ..quick_config()
            },
        );
        let files = ys.list(&folder.folder_id()).await.unwrap();
        // A first transfer makes the engine learn the account's plan limits.
        engine
            .enqueue(copy(
                remote_item("ys", &files[0]),
                FolderAddr::local(&out.join("warm-up")),
            ))
            .unwrap();
        run_to_idle(&engine, &mut events, |_| {}).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        e.server.set_faults(Faults {
            latency_ms: 60,
            ..Default::default()
        });
        reqwest::Client::new()
            .post(format!("{}/__emulator/stats/reset", e.server.base_url()))
            .send()
            .await
            .unwrap();
        for f in &files {
            engine
                .enqueue(copy(remote_item("ys", f), FolderAddr::local(&out)))
                .unwrap();
        }
        run_to_idle(&engine, &mut events, |_| {}).await;
        all_jobs_done(&engine).await;
        let max = e.server.stats()["max_in_flight"].as_u64().unwrap();
        assert_eq!(
            max, expected,
            "at most {expected} at once (and the limit was used)"
        );
    }
}

/// The transfer slots go to the jobs whose account has room: with 2 per account and 4 in all,
/// the second account's downloads start beside the first's even though they were queued after
/// all of them (not once the first account's queue has drained).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_spread_over_accounts_within_the_limits() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    // The same emulator account under a second name: a second account to the engine.
    let other = yetishare(&e.server, "ys");
    let folder = ys.create_folder(&FolderId::Root, "spread").await.unwrap();
    for i in 0..6 {
        ys.upload(
            &folder.folder_id(),
            &format!("s{i}"),
            UploadBody::from_bytes(vec![i as u8; 50_000]),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    }
    let files = ys.list(&folder.folder_id()).await.unwrap();
    let (engine, mut events) = start(
        vec![("ys", ys.clone()), ("ys2", other.clone())],
        EngineConfig {
            max_transfers: 4,
            per_account: 2,
            ..quick_config()
        },
    );
    // Each account's plan is learnt first, so the limits are the configured ones.
    for (account, f) in [("ys", &files[0]), ("ys2", &files[1])] {
        engine
            .enqueue(copy(
                remote_item(account, f),
                FolderAddr::local(&e.dir.path().join(format!("warm-{account}"))),
            ))
            .unwrap();
    }
    run_to_idle(&engine, &mut events, |_| {}).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    e.server.set_faults(Faults {
        latency_ms: 100,
        ..Default::default()
    });
    reqwest::Client::new()
        .post(format!("{}/__emulator/stats/reset", e.server.base_url()))
        .send()
        .await
        .unwrap();
    let out = e.dir.path().join("spread");
    for account in ["ys", "ys2"] {
        for f in &files {
            engine
                .enqueue(copy(
                    remote_item(account, f),
                    FolderAddr::local(&out.join(account)),
                ))
                .unwrap();
        }
    }
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    let max = e.server.stats()["max_in_flight"].as_u64().unwrap();
    assert_eq!(max, 4, "2 transfers of each account at once");
}

/// Each upload checks its destination for a file of its name; a folder upload lists the
/// destination a few times, not once per file, and a second run still sees every file there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_upload_lists_its_destination_a_few_times_not_once_per_file() {
    const FILES: usize = 300;
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), FILES, 3);
    let listings = || {
        e.server.stats()["by_route"]["yetishare/folder/listing"]
            .as_u64()
            .unwrap_or(0)
    };
    let before = listings();
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    let first_run = listings() - before;
    assert_eq!(remote_files(ys.as_ref(), "batch").await.len(), FILES);
    assert!(
        first_run <= 3,
        "{first_run} listings for {FILES} uploads into one folder"
    );

    // Again, skipping what exists: the kept listing knows every file just uploaded.
    let before = listings();
    let config = EngineConfig {
        on_conflict: ConflictPolicy::Skip,
        ..quick_config()
    };
    let (engine, mut events) = start(vec![("ys", ys.clone())], config);
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    let skipped = engine
        .jobs()
        .await
        .into_iter()
        .filter(
            |j| matches!(&j.state, JobState::Done { note: Some(n) } if n.starts_with("skipped")),
        )
        .count();
    let second_run = listings() - before;
    assert_eq!(skipped, FILES, "every file was seen as already there");
    assert!(
        second_run <= 3,
        "the second run listed the folder {second_run} times"
    );
    assert_eq!(remote_files(ys.as_ref(), "batch").await.len(), FILES);
}
