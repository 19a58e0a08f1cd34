//! Cross-account copies, the journal across restarts, and huge folders.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_account_copies_by_remote_url_and_by_relay() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let free = yetishare(&e.server, "ys-free");
    let data = common::pattern(500_000, 8);
    let entry = ys
        .upload(
            &FolderId::Root,
            "x.bin",
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();

    // ys -> ys-free: the destination host fetches a direct link.
    let (engine, mut events) = start(
        vec![("ys", ys.clone()), ("ys-free", free.clone())],
        quick_config(),
    );
    engine
        .enqueue(copy(
            remote_item("ys", &entry),
            remote_folder("ys-free", None, "ys-free:/"),
        ))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(
        engine.jobs().await[0].state,
        JobState::Done {
            note: Some("fetched by the destination host".into())
        }
    );
    let copied = free.list(&FolderId::Root).await.unwrap();
    let copied = copied
        .iter()
        .find(|f| f.name == "x.bin")
        .expect("named like the source");
    let back = common_read(free.as_ref(), copied).await;
    assert_eq!(back, data);

    // ys-free -> ys, with the destination unable to fetch URLs: streamed relay.
    let relay_ys: Arc<dyn Provider> = Arc::new(WithoutRemoteUpload(ys.clone()));
    let dest = ys.create_folder(&FolderId::Root, "relayed").await.unwrap();
    let (engine, mut events) = start(
        vec![("ys", relay_ys), ("ys-free", free.clone())],
        quick_config(),
    );
    engine
        .enqueue(copy(
            remote_item("ys-free", copied),
            remote_folder("ys", Some(dest.id.clone()), "ys:/relayed"),
        ))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(
        engine.jobs().await[0].state,
        JobState::Done {
            note: Some("relayed".into())
        }
    );
    let relayed = ys.list(&dest.folder_id()).await.unwrap();
    assert_eq!(relayed.len(), 1);
    assert_eq!(common_read(ys.as_ref(), &relayed[0]).await, data);
}

async fn common_read(p: &dyn Provider, e: &haul::provider::Entry) -> Vec<u8> {
    use futures::StreamExt;
    let mut dl = p.open_download(&e.as_ref(), 0).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = dl.body.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_brings_unfinished_jobs_back() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 8 * 1024 * 1024).await;
    let path = e.dir.path().join("queue.sqlite");
    let out = e.dir.path().join("j");
    let accounts = || {
        Arc::new(TestAccounts(
            [("ys".to_string(), ys.clone())].into_iter().collect(),
        ))
    };
    {
        let (engine, mut events) = Engine::start(
            EngineConfig {
                bwlimit: Some(512 * 1024),
                ..quick_config()
            },
            Journal::open(&path).unwrap(),
            accounts(),
        )
        .unwrap();
        engine
            .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
            .unwrap();
        wait_for_progress(&engine, &mut events).await;
        engine.pause_all();
        run_to_idle(&engine, &mut events, |_| {}).await;
    }
    let (engine, mut events) = Engine::start(
        EngineConfig {
            resume_unfinished: true,
            ..quick_config()
        },
        Journal::open(&path).unwrap(),
        accounts(),
    )
    .unwrap();
    // Paused by a person stays paused; resume_all brings it back.
    assert_eq!(engine.jobs().await[0].state, JobState::Paused);
    engine.resume_all();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
    assert_eq!(engine.clear_finished().await, 1);
    assert!(Journal::open(&path).unwrap().load().unwrap().is_empty());
}

/// A folder of 100,000 files starts at once: its first file lands while the folder job is
/// still queueing the rest, not after all of them are journaled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_file_folder_starts_copying_before_it_is_fully_queued() {
    const FILES: usize = 100_000;
    let e = env().await;
    let src = e.dir.path().join("huge");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..FILES {
        std::fs::write(src.join(format!("f{i:06}")), b"x").unwrap();
    }
    let out = e.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (engine, mut events) = start(vec![], quick_config());
    let started = std::time::Instant::now();
    let parent = engine
        .enqueue(copy(local_item(&src), FolderAddr::local(&out)))
        .unwrap();
    let deadline = tokio::time::sleep(Duration::from_secs(120));
    tokio::pin!(deadline);
    let first_child = loop {
        tokio::select! {
            _ = &mut deadline => panic!("no file was copied in time"),
            ev = events.recv() => match ev.expect("engine running") {
                Event::Changed(v) if v.parent == Some(parent)
                    && matches!(v.state, JobState::Done { .. }) => break started.elapsed(),
                Event::Changed(v) if v.id == parent => assert!(
                    !matches!(v.state, JobState::Done { .. }),
                    "the folder job finished queueing before any file was copied"
                ),
                _ => {}
            },
        }
    };
    let jobs = engine.jobs().await;
    let queued = jobs.iter().filter(|j| j.parent == Some(parent)).count();
    let parent_state = jobs
        .iter()
        .find(|j| j.id == parent)
        .map(|j| j.state.clone());
    assert!(
        queued < FILES,
        "all {queued} children were queued before the first file landed ({first_child:?}); \
         the folder job is {parent_state:?}"
    );
    let landed: Vec<_> = std::fs::read_dir(out.join("huge"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none())
        .collect();
    assert!(!landed.is_empty(), "a finished child left no file");
    for file in &landed {
        assert_eq!(std::fs::read(file).unwrap(), b"x");
    }
    eprintln!("first file after {first_child:?}, {queued} of {FILES} queued by then");
    engine.cancel(parent);
}

/// The TUI queues through `enqueue_batch` (F5, F6, drag and drop, mirror): after a restart,
/// asking again for what the journal holds unfinished takes those jobs up, as a CLI re-run
/// does; nothing is added, every file goes once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_queued_again_after_a_restart_adopts_the_journal_jobs() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 12, 5);
    let path = e.dir.path().join("queue.sqlite");
    let accounts = || -> Arc<dyn Accounts> {
        Arc::new(TestAccounts(
            [("ys".to_string(), ys.clone())].into_iter().collect(),
        ))
    };
    let spec = copy(local_item(&tree), remote_folder("ys", None, "ys:/"));
    {
        let (engine, mut events) = Engine::start(
            EngineConfig {
                bwlimit: Some(8 * 1024),
                max_transfers: 1,
                ..quick_config()
            },
            Journal::open(&path).unwrap(),
            accounts(),
        )
        .unwrap();
        engine.enqueue_batch(vec![spec.clone()]).unwrap();
        // Until a few files are up, then stopped as by a quit.
        loop {
            let done = engine
                .jobs()
                .await
                .iter()
                .filter(|j| j.parent.is_some() && matches!(j.state, JobState::Done { .. }))
                .count();
            if done >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        engine.pause_all();
        run_to_idle(&engine, &mut events, |_| {}).await;
    }
    let rows_before = Journal::open(&path).unwrap().load().unwrap().len();
    assert_eq!(rows_before, 13, "the folder job and its 12 files");
    let (engine, mut events) =
        Engine::start(quick_config(), Journal::open(&path).unwrap(), accounts()).unwrap();
    let ids = engine.enqueue_batch(vec![spec]).unwrap();
    assert!(ids.len() > 1, "the unfinished jobs, adopted: {ids:?}");
    run_to_idle(&engine, &mut events, |_| {}).await;
    let jobs = engine.jobs().await;
    for job in &jobs {
        assert!(
            matches!(job.state, JobState::Done { .. }),
            "{} ended {:?}",
            job.spec,
            job.state
        );
    }
    assert_eq!(Journal::open(&path).unwrap().load().unwrap().len(), 13);
    let mut on_host: Vec<String> = remote_files(ys.as_ref(), "batch")
        .await
        .into_iter()
        .map(|e| e.name)
        .collect();
    on_host.sort();
    let want: Vec<String> = (0..12).map(|i| format!("f{i:04}.bin")).collect();
    assert_eq!(on_host, want, "each file once");
}
