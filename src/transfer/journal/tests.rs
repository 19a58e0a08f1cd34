use super::*;
use crate::provider::EntryKind;
use crate::transfer::spec::{FolderAddr, ItemAddr};

fn item(id: &str, kind: EntryKind) -> ItemAddr {
    ItemAddr {
        account: "local".into(),
        id: format!("/src/{id}"),
        kind,
        name: id.into(),
        size: (kind == EntryKind::File).then_some(3),
        md5: None,
        shown: id.into(),
    }
}

fn upload(id: &str, kind: EntryKind) -> JobSpec {
    JobSpec::Copy {
        from: item(id, kind),
        to: FolderAddr {
            account: "ys".into(),
            id: Some("7".into()),
            shown: "ys:/dest".into(),
        },
        name: id.into(),
        remove_source: false,
        follow_links: false,
    }
}

fn done() -> JobState {
    JobState::Done { note: None }
}

#[test]
fn jobs_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.sqlite");
    let (id, _) = {
        let j = Journal::open(&path).unwrap();
        let r = j.insert(&upload("a", EntryKind::File), None, None).unwrap();
        j.set_state(r.0, &JobState::Running).unwrap();
        j.set_progress(r.0, 2, Some(3)).unwrap();
        r
    };
    let j = Journal::open(&path).unwrap();
    let jobs = j.load().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].id, id);
    assert_eq!(jobs[0].state, JobState::Running);
    assert_eq!((jobs[0].done, jobs[0].total), (2, Some(3)));
    j.set_state(id, &done()).unwrap();
    assert_eq!(j.clear_finished().unwrap(), 1);
    assert!(j.load().unwrap().is_empty());
}

/// A folder job that finished queueing, two children done, one interrupted.
fn interrupted_tree(j: &Journal) -> (JobId, Vec<JobId>) {
    let (root, _) = j
        .insert(&upload("dir", EntryKind::Folder), None, None)
        .unwrap();
    j.set_state(root, &done()).unwrap();
    let kids: Vec<JobId> = j
        .insert_all(
            &[
                upload("dir/a", EntryKind::File),
                upload("dir/b", EntryKind::File),
                upload("dir/c", EntryKind::File),
            ],
            Some(root),
        )
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    j.set_state(kids[0], &done()).unwrap();
    j.set_state(kids[1], &done()).unwrap();
    j.set_state(kids[2], &JobState::Running).unwrap();
    (root, kids)
}

#[test]
fn a_rerun_finds_what_is_not_done_of_the_same_job() {
    let j = Journal::in_memory().unwrap();
    let (_, kids) = interrupted_tree(&j);
    // The same source and destination, however the path was typed.
    let mut again = upload("dir", EntryKind::Folder);
    if let JobSpec::Copy { from, .. } = &mut again {
        from.shown = "./dir/".into();
    }
    let found = j.adoptable(&again).unwrap();
    assert_eq!(found.iter().map(|s| s.id).collect::<Vec<_>>(), [kids[2]]);
    // A child named on its own is adopted too.
    assert_eq!(
        j.adoptable(&upload("dir/c", EntryKind::File))
            .unwrap()
            .len(),
        1
    );
    // Another destination is another job.
    let mut elsewhere = upload("dir", EntryKind::Folder);
    if let JobSpec::Copy { to, .. } = &mut elsewhere {
        to.id = Some("8".into());
    }
    assert!(j.adoptable(&elsewhere).unwrap().is_empty());
    // Failed jobs are taken up again; a tree all done runs again whole (each of its jobs
    // finds its file there), so a second run adds no job either.
    j.set_state(kids[2], &JobState::Failed { error: "x".into() })
        .unwrap();
    assert_eq!(j.adoptable(&again).unwrap().len(), 1);
    j.set_state(kids[2], &done()).unwrap();
    assert_eq!(j.adoptable(&again).unwrap().len(), 4);
}

#[test]
fn pruning_keeps_the_recent_and_what_unfinished_jobs_need() {
    let j = Journal::in_memory().unwrap();
    let (root, kids) = interrupted_tree(&j);
    let specs: Vec<JobSpec> = (0..50)
        .map(|i| upload(&format!("f{i}"), EntryKind::File))
        .collect();
    for (id, _) in j.insert_all(&specs, None).unwrap() {
        j.set_state(id, &done()).unwrap();
    }
    let gone = j.prune(Retention { keep: 10, days: 30 }).unwrap();
    let left: Vec<JobId> = j.load().unwrap().iter().map(|s| s.id).collect();
    // The last 10 finished stay, the running child, and the folder job it was expanded from
    // (a re-run finds the child through it); its done siblings may go.
    assert!(left.contains(&root), "{left:?}");
    assert!(left.contains(&kids[2]));
    assert_eq!(left.len(), 12, "{left:?}");
    assert_eq!(gone, 54 - 12);
    // Nothing more to do: a second prune is a no-op.
    assert_eq!(j.prune(Retention { keep: 10, days: 30 }).unwrap(), 0);
    // keep = 0: every finished job goes but the one the running child hangs from.
    j.prune(Retention { keep: 0, days: 30 }).unwrap();
    let left: Vec<JobId> = j.load().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(left, [root, kids[2]]);
}

#[test]
fn a_start_reads_the_unfinished_their_folders_and_a_few_recent_finished() {
    let j = Journal::in_memory().unwrap();
    let specs: Vec<JobSpec> = (0..100)
        .map(|i| upload(&format!("f{i}"), EntryKind::File))
        .collect();
    for (id, _) in j.insert_all(&specs, None).unwrap() {
        j.set_state(id, &done()).unwrap();
    }
    let (root, kids) = interrupted_tree(&j);
    let loaded = j.load_recent(5).unwrap();
    let ids: Vec<JobId> = loaded.iter().map(|s| s.id).collect();
    assert!(ids.contains(&root) && ids.contains(&kids[2]), "{ids:?}");
    assert_eq!(loaded.len(), 6, "{ids:?}");
    assert_eq!(j.counts().unwrap(), (104, 103));
    assert!(j.finished_beyond(102).unwrap());
    assert!(!j.finished_beyond(103).unwrap());
}

#[test]
fn an_older_journal_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.sqlite");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, parent INTEGER,
             position REAL NOT NULL, spec TEXT NOT NULL, state TEXT NOT NULL,
             done INTEGER NOT NULL DEFAULT 0, total INTEGER, updated INTEGER NOT NULL);",
        )
        .unwrap();
        let spec = serde_json::to_string(&upload("old", EntryKind::File)).unwrap();
        let state = serde_json::to_string(&done()).unwrap();
        c.execute(
            "INSERT INTO jobs (position, spec, state, updated) VALUES (1, ?1, ?2, 0)",
            params![spec, state],
        )
        .unwrap();
        let state = serde_json::to_string(&JobState::Paused).unwrap();
        c.execute(
            "INSERT INTO jobs (position, spec, state, updated) VALUES (2, ?1, ?2, 0)",
            params![spec.replace("old", "new"), state],
        )
        .unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.counts().unwrap(), (2, 1));
    assert_eq!(
        j.adoptable(&upload("new", EntryKind::File)).unwrap().len(),
        1
    );
    // Finished long ago (updated = 0): older than any number of days.
    assert_eq!(j.prune(Retention::default()).unwrap(), 1);
}
