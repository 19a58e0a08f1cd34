//! Cancel, pause and resume, and every conflict policy.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_leaves_no_file_and_pause_resumes_where_it_stopped() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 4 * 1024 * 1024).await;
    let out = e.dir.path().join("dl");
    let config = EngineConfig {
        bwlimit: Some(1024 * 1024),
        ..quick_config()
    };

    let (engine, mut events) = start(vec![("ys", ys.clone())], config.clone());
    let id = engine
        .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
        .unwrap();
    wait_for_progress(&engine, &mut events).await;
    engine.cancel(id);
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(engine.jobs().await[0].state, JobState::Cancelled);
    assert!(!out.join("big.bin").exists(), "no final file");
    assert!(!out.join("big.bin.haul-part").exists(), "no part file");

    let (engine, mut events) = start(vec![("ys", ys.clone())], config);
    let id = engine
        .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
        .unwrap();
    wait_for_progress(&engine, &mut events).await;
    engine.pause(id);
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(engine.jobs().await[0].state, JobState::Paused);
    let kept = std::fs::metadata(out.join("big.bin.haul-part"))
        .unwrap()
        .len();
    assert!(kept > 0 && kept < data.len() as u64);
    engine.set_bwlimit(None);
    engine.resume(id);
    let mut resumed_at = None;
    loop {
        match tokio::time::timeout(Duration::from_secs(60), events.recv()).await {
            Ok(Some(Event::Note { message, .. })) if message.contains("resuming at byte") => {
                resumed_at = Some(message);
            }
            Ok(Some(Event::Changed(v))) if v.state.is_finished() => break,
            Ok(Some(_)) => {}
            _ => panic!("resume did not finish"),
        }
    }
    assert_eq!(engine.jobs().await[0].state, JobState::Done { note: None });
    assert!(resumed_at.unwrap().ends_with(&format!("byte {kept}")));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_follow_each_policy() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let data = common::pattern(200_000, 3);
    let entry = ys
        .upload(
            &FolderId::Root,
            "c.bin",
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    let item = remote_item("ys", &entry);
    let case = |policy: ConflictPolicy, existing: Vec<u8>| {
        let dir = e.dir.path().join(format!("{policy:?}-{}", existing.len()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("c.bin"), &existing).unwrap();
        (dir, policy)
    };
    let run = async |dir: &Path, policy: ConflictPolicy| {
        let (engine, mut events) = start(
            vec![("ys", ys.clone())],
            EngineConfig {
                on_conflict: policy,
                ..quick_config()
            },
        );
        engine
            .enqueue(copy(item.clone(), FolderAddr::local(dir)))
            .unwrap();
        run_to_idle(&engine, &mut events, |q| {
            if let Question::Conflict { reply, .. } = q {
                let _ = reply.send(ConflictAnswer {
                    choice: ConflictPolicy::Overwrite,
                    apply_to_all: true,
                });
            }
        })
        .await;
        engine.jobs().await.remove(0).state
    };
    let other = b"someone else's file".to_vec();

    let (d, p) = case(ConflictPolicy::Fail, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Failed { .. }));
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);

    let (d, p) = case(ConflictPolicy::Skip, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Done { .. }));
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);

    let (d, p) = case(ConflictPolicy::Overwrite, other.clone());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::Rename, other.clone());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);
    assert_eq!(std::fs::read(d.join("c (1).bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::Resume, data[..77_777].to_vec());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::SkipIdentical, data.clone());
    assert!(
        matches!(run(&d, p).await, JobState::Done { note: Some(n) } if n.contains("identical"))
    );
    let (d, p) = case(ConflictPolicy::SkipIdentical, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Failed { .. }));

    let (d, p) = case(ConflictPolicy::Ask, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Done { .. }));
    assert_eq!(
        std::fs::read(d.join("c.bin")).unwrap(),
        data,
        "answered: overwrite"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_to_all_lasts_for_its_batch_only() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let out = e.dir.path().join("batch");
    std::fs::create_dir_all(&out).unwrap();
    let mut items = Vec::new();
    for name in ["a.bin", "b.bin", "c.bin"] {
        let entry = ys
            .upload(
                &FolderId::Root,
                name,
                UploadBody::from_bytes(name.as_bytes().to_vec()),
                haul::provider::no_progress(),
            )
            .await
            .unwrap();
        std::fs::write(out.join(name), b"old").unwrap();
        items.push(remote_item("ys", &entry));
    }
    let (engine, mut events) = start(
        vec![("ys", ys.clone())],
        EngineConfig {
            on_conflict: ConflictPolicy::Ask,
            ..quick_config()
        },
    );
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let answer = |asked: std::sync::Arc<std::sync::atomic::AtomicUsize>| {
        move |q| {
            if let Question::Conflict { reply, .. } = q {
                asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = reply.send(ConflictAnswer {
                    choice: ConflictPolicy::Overwrite,
                    apply_to_all: true,
                });
            }
        }
    };
    // a and b enqueued together: one question settles both.
    engine
        .enqueue_batch(vec![
            copy(items[0].clone(), FolderAddr::local(&out)),
            copy(items[1].clone(), FolderAddr::local(&out)),
        ])
        .unwrap();
    run_to_idle(&engine, &mut events, answer(asked.clone())).await;
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(std::fs::read(out.join("a.bin")).unwrap(), b"a.bin");
    assert_eq!(std::fs::read(out.join("b.bin")).unwrap(), b"b.bin");
    // c, queued later on its own, is asked about again: the answer was for the batch.
    engine
        .enqueue(copy(items[2].clone(), FolderAddr::local(&out)))
        .unwrap();
    run_to_idle(&engine, &mut events, answer(asked.clone())).await;
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(std::fs::read(out.join("c.bin")).unwrap(), b"c.bin");
}
