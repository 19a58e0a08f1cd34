//! Issue 11, the upload side: bytes a host kept are finished, never sent again (and named when
//! they cannot be); a source that changes while it is read fails its job. Each case injects
//! faults at one route of the emulator and counts what reached it.

use haul::emulator::RouteFault;
use haul::provider::keep2share::{Credentials as K2sCredentials, Keep2Share};
use haul::provider::retrying::Retrying;
use haul::provider::xfilesharing::XFileSharing;

use super::*;

pub(super) fn xfs(server: &EmulatorHandle) -> Arc<dyn Provider> {
    let acc = common::account(server, "xfs");
    Arc::new(XFileSharing::new(&acc.base_url, &acc.secret).unwrap())
}

pub(super) fn k2s(server: &EmulatorHandle) -> Arc<dyn Provider> {
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

pub(super) fn fault(route: &str, times: Option<u64>) -> RouteFault {
    RouteFault {
        route: route.into(),
        times,
        ..Default::default()
    }
}

pub(super) fn faults(route_faults: Vec<RouteFault>) -> Faults {
    Faults {
        route_faults,
        ..Default::default()
    }
}

pub(super) fn requests(server: &EmulatorHandle, route: &str) -> u64 {
    server.stats()["by_route"][route].as_u64().unwrap_or(0)
}

/// Runs `spec` alone on `account` to its end; its end state.
pub(super) async fn run_one(
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

pub(super) fn overwriting() -> EngineConfig {
    EngineConfig {
        on_conflict: ConflictPolicy::Overwrite,
        ..quick_config()
    }
}

pub(super) fn error_of(state: &JobState) -> &str {
    match state {
        JobState::Failed { error } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

pub(super) fn local_file(e: &Env, name: &str, data: &[u8]) -> ItemAddr {
    let path = e.dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    local_item(&path)
}

pub(super) fn named<'a>(
    entries: &'a [haul::provider::Entry],
    name: &str,
) -> Vec<&'a haul::provider::Entry> {
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

pub(super) fn account_of(e: &Env, account: &str) -> Arc<dyn Provider> {
    match account {
        "ys" => yetishare(&e.server, "ys"),
        "k2s" => k2s(&e.server),
        _ => xfs(&e.server),
    }
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
