//! Issue 11, overwrites and copies: an overwrite whose delete fails never passes with two
//! files of one name; a copy interrupted between its steps is finished, not redone; and jobs
//! waiting on another job's turn never hold the slot it needs.

use haul::emulator::RouteFault;

use super::integrity_upload::{
    account_of, error_of, fault, faults, local_file, named, overwriting, requests, run_one, xfs,
};
use super::*;

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
                follow_links: false,
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
            follow_links: false,
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
        follow_links: false,
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
        follow_links: false,
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

/// A rename after a copy that fails for longer than the job's retries last: the last attempt
/// removes the copy it made, so nothing is left under the source's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_whose_rename_outlasts_the_retries_is_removed() {
    let e = env().await;
    let p = yetishare(&e.server, "ys");
    let t = p.create_folder(&FolderId::Root, "T").await.unwrap();
    let source = p
        .upload(
            &FolderId::Root,
            "s.txt",
            UploadBody::from_bytes(&b"source"[..]),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    e.server
        .set_faults(faults(vec![fault("yetishare/file/edit", None)]));
    let spec = JobSpec::Copy {
        from: remote_item("ys", &source),
        to: remote_folder("ys", Some(t.id.clone()), "T"),
        name: "c.txt".into(),
        remove_source: false,
        follow_links: false,
    };
    let state = run_one("ys", p.clone(), quick_config(), spec).await;
    e.server.set_faults(Faults::default());
    let error = error_of(&state);
    assert!(error.contains("removed #"), "{error}");
    assert_eq!(requests(&e.server, "yetishare/file/copy"), 1, "copied once");
    assert!(p.list(&t.folder_id()).await.unwrap().is_empty());
}
