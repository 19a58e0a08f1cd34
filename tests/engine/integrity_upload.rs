//! Issue 11, the upload side: bytes a host kept are finished, never sent again; overwrites and
//! copies reconcile under faults; a source that changes while it is read fails its job. Each
//! case injects faults at one route of the emulator and counts what reached it.

use haul::emulator::RouteFault;
use haul::provider::keep2share::{Credentials as K2sCredentials, Keep2Share};
use haul::provider::retrying::Retrying;
use haul::provider::xfilesharing::XFileSharing;

use super::*;

fn xfs(server: &EmulatorHandle) -> Arc<dyn Provider> {
    let acc = common::account(server, "xfs");
    Arc::new(XFileSharing::new(&acc.base_url, &acc.secret).unwrap())
}

fn k2s(server: &EmulatorHandle) -> Arc<dyn Provider> {
    let acc = common::account(server, "k2s");
    let creds = K2sCredentials::from_secret(acc.username.as_deref(), &acc.secret).unwrap();
    Arc::new(Keep2Share::new(&acc.base_url, creds).unwrap())
}

/// `inner` behind the retry layer the CLI and the TUI use, with quick backoff.
fn retrying(inner: Arc<dyn Provider>) -> Arc<dyn Provider> {
    let policy = RetryPolicy {
        retries: 6,
        base: Duration::from_millis(5),
        max: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    Arc::new(Retrying::new(inner, "127.0.0.1", policy))
}

fn fault(route: &str, times: Option<u64>) -> RouteFault {
    RouteFault {
        route: route.into(),
        times,
        ..Default::default()
    }
}

fn faults(route_faults: Vec<RouteFault>) -> Faults {
    Faults {
        route_faults,
        ..Default::default()
    }
}

fn requests(server: &EmulatorHandle, route: &str) -> u64 {
    server.stats()["by_route"][route].as_u64().unwrap_or(0)
}

/// Runs `spec` alone on `account` to its end; its end state.
async fn run_one(
    account: &str,
    p: Arc<dyn Provider>,
    config: EngineConfig,
    spec: JobSpec,
) -> JobState {
    let (engine, mut events) = start(vec![(account, p)], config);
    engine.enqueue(spec).unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    let jobs = engine.jobs().await;
    assert_eq!(jobs.len(), 1);
    jobs[0].state.clone()
}

fn overwriting() -> EngineConfig {
    EngineConfig {
        on_conflict: ConflictPolicy::Overwrite,
        ..quick_config()
    }
}

fn error_of(state: &JobState) -> &str {
    match state {
        JobState::Failed { error } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn local_file(e: &Env, name: &str, data: &[u8]) -> ItemAddr {
    let path = e.dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    local_item(&path)
}

fn named<'a>(entries: &'a [haul::provider::Entry], name: &str) -> Vec<&'a haul::provider::Entry> {
    entries.iter().filter(|x| x.name == name).collect()
}

fn bare(p: Arc<dyn Provider>) -> Arc<dyn Provider> {
    p
}

/// XFS uploads land in the root and are checked (`file/list`) and moved (`file/set_folder`)
/// after: 503s on both are retried there, the bytes go once, and the file ends in its folder.
async fn xfs_check_and_move_fail_after_the_upload(
    wrap: fn(Arc<dyn Provider>) -> Arc<dyn Provider>,
) {
    let e = env().await;
    let p = wrap(xfs(&e.server));
    let folder = p.create_folder(&FolderId::Root, "Dst").await.unwrap();
    let src = local_file(&e, "a.bin", &common::pattern(200_000, 3));
    e.server.set_faults(faults(vec![
        RouteFault {
            after: Some("xfilesharing/upload.cgi".into()),
            ..fault("xfilesharing/file/list", Some(3))
        },
        fault("xfilesharing/file/set_folder", Some(2)),
    ]));
    let to = remote_folder("xfs", Some(folder.id.clone()), "xfs:/Dst");
    let state = run_one("xfs", p.clone(), quick_config(), copy(src, to)).await;
    assert!(matches!(state, JobState::Done { .. }), "{state:?}");
    e.server.set_faults(Faults::default());
    assert_eq!(
        requests(&e.server, "xfilesharing/upload.cgi"),
        1,
        "sent once"
    );
    assert!(requests(&e.server, "xfilesharing/file/set_folder") >= 3);
    let inside = p.list(&folder.folder_id()).await.unwrap();
    assert_eq!(named(&inside, "a.bin").len(), 1, "{inside:?}");
    assert_eq!(inside[0].size, Some(200_000));
    let root = p.list(&FolderId::Root).await.unwrap();
    assert!(
        named(&root, "a.bin").is_empty(),
        "no orphan in the root: {root:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xfs_upload_is_finished_not_resent_by_the_engine() {
    xfs_check_and_move_fail_after_the_upload(bare).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xfs_upload_is_finished_not_resent_behind_the_retry_layer() {
    xfs_check_and_move_fail_after_the_upload(retrying).await;
}

/// The reply to an XFS upload is lost after the site stored it: the file it left (new, of the
/// right name and size) is found and finished, not sent again; an upload refused before the
/// site stored anything is sent again, and either way one file ends in the folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xfs_upload_whose_reply_is_lost_is_found_not_resent() {
    let e = env().await;
    let p = xfs(&e.server);
    let folder = p.create_folder(&FolderId::Root, "Dst").await.unwrap();
    let to = remote_folder("xfs", Some(folder.id.clone()), "xfs:/Dst");
    for (i, reply_lost, sent) in [(0, true, 1), (1, false, 3)] {
        let name = format!("r{i}.bin");
        let src = local_file(&e, &name, &common::pattern(70_000, 10 + i));
        e.server.set_faults(faults(vec![RouteFault {
            reply_lost,
            ..fault("xfilesharing/upload.cgi", Some(1))
        }]));
        let state = run_one("xfs", p.clone(), quick_config(), copy(src, to.clone())).await;
        e.server.set_faults(Faults::default());
        assert!(matches!(state, JobState::Done { .. }), "{state:?}");
        assert_eq!(
            requests(&e.server, "xfilesharing/upload.cgi"),
            sent,
            "{name}"
        );
        let inside = p.list(&folder.folder_id()).await.unwrap();
        assert_eq!(named(&inside, &name).len(), 1, "{inside:?}");
        let root = p.list(&FolderId::Root).await.unwrap();
        assert!(named(&root, &name).is_empty(), "no orphan: {root:?}");
    }
}

/// The siblings: a lost reply to a YetiShare or Keep2Share upload, and Keep2Share's read-back
/// of a file it just stored failing for a while: one upload, one file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yetishare_and_keep2share_uploads_are_found_not_resent() {
    for (account, route) in [
        ("ys", "yetishare/file/upload"),
        ("k2s", "keep2share/upload"),
    ] {
        let e = env().await;
        let p = account_of(&e, account);
        let folder = p.create_folder(&FolderId::Root, "Up").await.unwrap();
        let to = remote_folder(account, Some(folder.id.clone()), "Up");
        let mut cases = vec![RouteFault {
            reply_lost: true,
            ..fault(route, Some(1))
        }];
        if account == "k2s" {
            cases.push(RouteFault {
                after: Some(route.into()),
                ..fault("keep2share/getFilesInfo", Some(2))
            });
        }
        for (i, f) in cases.into_iter().enumerate() {
            let name = format!("u{i}.bin");
            let src = local_file(&e, &name, &common::pattern(40_000, 20 + i as u64));
            let before = requests(&e.server, route);
            e.server.set_faults(faults(vec![f]));
            let state = run_one(account, p.clone(), quick_config(), copy(src, to.clone())).await;
            e.server.set_faults(Faults::default());
            assert!(
                matches!(state, JobState::Done { .. }),
                "{account} {name}: {state:?}"
            );
            assert_eq!(requests(&e.server, route), before + 1, "{account} {name}");
            let inside = p.list(&folder.folder_id()).await.unwrap();
            assert_eq!(named(&inside, &name).len(), 1, "{account}: {inside:?}");
        }
    }
}

/// A move that keeps failing: the job fails, names the orphan's code (XFS cannot delete it),
/// and the bytes still went once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xfs_upload_that_cannot_be_moved_names_its_orphan() {
    let e = env().await;
    let p = retrying(xfs(&e.server));
    let folder = p.create_folder(&FolderId::Root, "Dst").await.unwrap();
    let src = local_file(&e, "a.bin", &common::pattern(50_000, 4));
    e.server.set_faults(faults(vec![RouteFault {
        status: 400,
        ..fault("xfilesharing/file/set_folder", None)
    }]));
    let to = remote_folder("xfs", Some(folder.id.clone()), "xfs:/Dst");
    let state = run_one("xfs", p.clone(), quick_config(), copy(src, to)).await;
    e.server.set_faults(Faults::default());
    let error = error_of(&state);
    assert_eq!(
        requests(&e.server, "xfilesharing/upload.cgi"),
        1,
        "sent once"
    );
    let root = p.list(&FolderId::Root).await.unwrap();
    let orphans = named(&root, "a.bin");
    assert_eq!(orphans.len(), 1, "{root:?}");
    assert!(error.contains(&format!("#{}", orphans[0].id)), "{error}");
    assert!(error.contains("cannot delete"), "{error}");
    assert!(p.list(&folder.folder_id()).await.unwrap().is_empty());
}

fn account_of(e: &Env, account: &str) -> Arc<dyn Provider> {
    match account {
        "ys" => yetishare(&e.server, "ys"),
        "k2s" => k2s(&e.server),
        _ => xfs(&e.server),
    }
}

/// `--on-conflict overwrite`: the new file goes up first, then the old one is deleted; a
/// delete that fails for a while is retried (the upload is not), one that never works fails
/// the job naming both ids, so two files of one name never pass as done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwrite_whose_delete_fails_never_passes_with_two_files() {
    for (account, upload, delete) in [
        ("ys", "yetishare/file/upload", "yetishare/file/delete"),
        ("k2s", "keep2share/upload", "keep2share/deleteFiles"),
    ] {
        let e = env().await;
        let p = account_of(&e, account);
        let folder = p.create_folder(&FolderId::Root, "D").await.unwrap();
        let old = p
            .upload(
                &folder.folder_id(),
                "same.txt",
                UploadBody::from_bytes(&b"old"[..]),
                haul::provider::no_progress(),
            )
            .await
            .unwrap();
        let to = remote_folder(account, Some(folder.id.clone()), "D");

        // A delete that fails twice: retried, the new bytes sent once, one file left.
        let uploads = requests(&e.server, upload);
        e.server.set_faults(faults(vec![fault(delete, Some(2))]));
        let src = local_file(&e, "same.txt", b"the new one");
        let state = run_one(account, p.clone(), overwriting(), copy(src, to.clone())).await;
        e.server.set_faults(Faults::default());
        assert!(
            matches!(state, JobState::Done { .. }),
            "{account}: {state:?}"
        );
        assert_eq!(
            requests(&e.server, upload),
            uploads + 1,
            "{account}: sent once"
        );
        let now = p.list(&folder.folder_id()).await.unwrap();
        let same = named(&now, "same.txt");
        assert_eq!(same.len(), 1, "{account}: {now:?}");
        assert_eq!(same[0].size, Some(11));
        assert_ne!(same[0].id, old.id);

        // A delete that never works: the job fails and names both.
        let current = same[0].id.clone();
        e.server.set_faults(faults(vec![RouteFault {
            status: 400,
            ..fault(delete, None)
        }]));
        let src = local_file(&e, "same.txt", b"the newest one");
        let state = run_one(account, p.clone(), overwriting(), copy(src, to)).await;
        e.server.set_faults(Faults::default());
        let error = error_of(&state);
        let now = p.list(&folder.folder_id()).await.unwrap();
        let same = named(&now, "same.txt");
        assert_eq!(same.len(), 2, "{account}: {now:?}");
        let newest = same.iter().find(|x| x.id != current).unwrap();
        assert!(error.contains(&format!("#{current}")), "{account}: {error}");
        assert!(
            error.contains(&format!("#{}", newest.id)),
            "{account}: {error}"
        );
        assert!(error.contains("both are there"), "{account}: {error}");
    }
}

/// A server-side copy, then a rename to the wanted name: a lost reply to the copy, or a rename
/// that fails for a while, is finished on retry (never copied again, nothing left under the
/// source's name); a rename that never works removes the copy it made and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_interrupted_between_its_steps_is_finished_not_redone() {
    for (account, copy_route, rename_route) in [
        ("ys", "yetishare/file/copy", "yetishare/file/edit"),
        (
            "k2s",
            "keep2share/createFileByHash",
            "keep2share/updateFile",
        ),
    ] {
        let e = env().await;
        let p = account_of(&e, account);
        let s = p.create_folder(&FolderId::Root, "S").await.unwrap();
        let t = p.create_folder(&FolderId::Root, "T").await.unwrap();
        let source = p
            .upload(
                &s.folder_id(),
                "s.txt",
                UploadBody::from_bytes(&b"source bytes"[..]),
                haul::provider::no_progress(),
            )
            .await
            .unwrap();
        let from = remote_item(account, &source);
        let to = remote_folder(account, Some(t.id.clone()), "T");
        let cases = [
            (
                "lost",
                RouteFault {
                    reply_lost: true,
                    ..fault(copy_route, Some(1))
                },
            ),
            ("renamed late", fault(rename_route, Some(2))),
        ];
        for (i, (case, f)) in cases.into_iter().enumerate() {
            let copies = requests(&e.server, copy_route);
            e.server.set_faults(faults(vec![f]));
            let spec = JobSpec::Copy {
                from: from.clone(),
                to: to.clone(),
                name: format!("c{i}.txt"),
                remove_source: false,
            };
            let state = run_one(account, p.clone(), quick_config(), spec).await;
            e.server.set_faults(Faults::default());
            assert!(
                matches!(state, JobState::Done { .. }),
                "{account} {case}: {state:?}"
            );
            assert_eq!(
                requests(&e.server, copy_route),
                copies + 1,
                "{account} {case}"
            );
            let now = p.list(&t.folder_id()).await.unwrap();
            assert!(named(&now, "s.txt").is_empty(), "{account} {case}: {now:?}");
            assert_eq!(
                named(&now, &format!("c{i}.txt")).len(),
                1,
                "{account} {case}"
            );
        }
        // A rename that never works: the copy goes again, and the error says so.
        e.server.set_faults(faults(vec![RouteFault {
            status: 400,
            ..fault(rename_route, None)
        }]));
        let spec = JobSpec::Copy {
            from: from.clone(),
            to: to.clone(),
            name: "never.txt".into(),
            remove_source: false,
        };
        let state = run_one(account, p.clone(), quick_config(), spec).await;
        e.server.set_faults(Faults::default());
        let error = error_of(&state);
        assert!(error.contains("removed #"), "{account}: {error}");
        let now = p.list(&t.folder_id()).await.unwrap();
        let names: Vec<_> = now.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{account}: {names:?}");
        assert!(
            names.contains(&"c0.txt") && names.contains(&"c1.txt"),
            "{account}: {names:?}"
        );
    }
}

/// XFS clones, then moves the clone into place: a move that fails for a while is retried on
/// the clone it made; one that never works names the clone (the API cannot delete it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xfs_copy_whose_move_fails_is_finished_or_named() {
    let e = env().await;
    let p = xfs(&e.server);
    let s = p.create_folder(&FolderId::Root, "S").await.unwrap();
    let t = p.create_folder(&FolderId::Root, "T").await.unwrap();
    let source = p
        .upload(
            &s.folder_id(),
            "s.bin",
            UploadBody::from_bytes(common::pattern(10_000, 5)),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    let from = remote_item("xfs", &source);
    let to = remote_folder("xfs", Some(t.id.clone()), "T");
    e.server
        .set_faults(faults(vec![fault("xfilesharing/file/set_folder", Some(2))]));
    let spec = JobSpec::Copy {
        from: from.clone(),
        to: to.clone(),
        name: "c.bin".into(),
        remove_source: false,
    };
    let state = run_one("xfs", p.clone(), quick_config(), spec).await;
    e.server.set_faults(Faults::default());
    assert!(matches!(state, JobState::Done { .. }), "{state:?}");
    assert_eq!(
        requests(&e.server, "xfilesharing/file/clone"),
        1,
        "cloned once"
    );
    let names: Vec<_> = p
        .list(&t.folder_id())
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.name)
        .collect();
    assert_eq!(names, ["c.bin"]);

    e.server.set_faults(faults(vec![RouteFault {
        status: 400,
        ..fault("xfilesharing/file/set_folder", None)
    }]));
    let spec = JobSpec::Copy {
        from,
        to,
        name: "d.bin".into(),
        remove_source: false,
    };
    let state = run_one("xfs", p.clone(), quick_config(), spec).await;
    e.server.set_faults(Faults::default());
    let error = error_of(&state);
    assert_eq!(
        requests(&e.server, "xfilesharing/file/clone"),
        2,
        "cloned once more"
    );
    assert!(error.contains("cannot delete"), "{error}");
    let mut everywhere = p.list(&FolderId::Root).await.unwrap();
    everywhere.extend(p.list(&t.folder_id()).await.unwrap());
    let clones: Vec<_> = everywhere.iter().filter(|x| x.name == "s.bin").collect();
    assert_eq!(clones.len(), 1, "{everywhere:?}");
    assert!(error.contains(&format!("#{}", clones[0].id)), "{error}");
    assert!(named(&everywhere, "d.bin").is_empty());
}

/// A local file appended to while its (throttled) upload runs: the job fails with "changed
/// while being uploaded", and no mix of old and new bytes is left under its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_changes_during_upload_fails_its_job() {
    for account in ["ys", "k2s", "xfs"] {
        let e = env().await;
        let p = account_of(&e, account);
        let folder = p.create_folder(&FolderId::Root, "Up").await.unwrap();
        let path = e.dir.path().join("grow.bin");
        std::fs::write(&path, common::pattern(1_000_000, 6)).unwrap();
        let config = EngineConfig {
            bwlimit: Some(400_000),
            ..quick_config()
        };
        let (engine, mut events) = start(vec![(account, p.clone())], config);
        let to = remote_folder(account, Some(folder.id.clone()), "Up");
        engine.enqueue(copy(local_item(&path), to)).unwrap();
        wait_for_progress(&engine, &mut events).await;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut f, b"appended while it was read").unwrap();
        drop(f);
        run_to_idle(&engine, &mut events, |_| {}).await;
        let jobs = engine.jobs().await;
        let error = error_of(&jobs[0].state);
        assert!(
            error.contains("changed while being uploaded; run again"),
            "{account}: {error}"
        );
        let inside = p.list(&folder.folder_id()).await.unwrap();
        assert!(inside.is_empty(), "{account}: {inside:?}");
        let root = p.list(&FolderId::Root).await.unwrap();
        assert!(named(&root, "grow.bin").is_empty(), "{account}: {root:?}");
    }
}

/// A folder of 40 files up to XFS behind the retry layer while every 8th request fails (the
/// upload, its check, its move, the listings): every file ends once in its folder, none in the
/// root. (This also hung before: a job sitting out a listing's retry gave up its slot while
/// holding the folder's listing lock, and the jobs waiting for the lock held every slot.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xfs_folder_upload_under_faults_leaves_no_orphan() {
    let e = env().await;
    let p = retrying(xfs(&e.server));
    let tree = make_tree(e.dir.path(), 40, 11);
    e.server.set_faults(Faults {
        fail_every: Some(8),
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("xfs", p.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("xfs", None, "xfs:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    e.server.set_faults(Faults::default());
    let root = p.list(&FolderId::Root).await.unwrap();
    let stray: Vec<_> = root.iter().filter(|x| !x.is_folder()).collect();
    assert!(stray.is_empty(), "orphans in the root: {stray:?}");
    let files = remote_files(p.as_ref(), "batch").await;
    let mut names: Vec<_> = files.iter().map(|f| f.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!((files.len(), names.len()), (40, 40), "each once");
}

/// A folder upload onto names that exist, asking about each, with fewer slots than jobs: the
/// jobs waiting for their turn to ask give their slots up, so the one asking gets its slot back
/// once answered (it hung: the waiters held every slot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_asked_one_at_a_time_never_starve_the_asker_of_a_slot() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 8, 12);
    let to = remote_folder("ys", None, "ys:/");
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine.enqueue(copy(local_item(&tree), to.clone())).unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    let config = EngineConfig {
        max_transfers: 2,
        per_account: 2,
        on_conflict: ConflictPolicy::Ask,
        ..quick_config()
    };
    let (engine, mut events) = start(vec![("ys", ys.clone())], config);
    engine.enqueue(copy(local_item(&tree), to)).unwrap();
    run_to_idle(&engine, &mut events, |q| {
        if let Question::Conflict { reply, .. } = q {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                let _ = reply.send(ConflictAnswer {
                    choice: ConflictPolicy::Rename,
                    apply_to_all: false,
                });
            });
        }
    })
    .await;
    all_jobs_done(&engine).await;
    assert_eq!(remote_files(ys.as_ref(), "batch").await.len(), 16);
}
