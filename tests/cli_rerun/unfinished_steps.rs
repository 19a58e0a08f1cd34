//! Re-runs of commands killed (or failed) between the steps of one file: a destination host's
//! fetch, bytes landed but not moved into place, a move that went through, a download whose
//! local namesake has other bytes.

use std::time::Duration;

use super::common::{Cli, Server, names, pattern};
use super::{journal_rows, kill_when, make_tree};
use haul::emulator::Faults;
use predicates::prelude::*;

/// What the journal keeps for unfinished steps (`job_marks`), as JSON texts.
fn journal_marks(cli: &Cli) -> Vec<String> {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        cli.path("state").join("queue.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare("SELECT mark FROM job_marks") else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get::<_, String>(0))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

/// `kill -9` while the destination host fetches the source's direct link (slowly: every
/// connection paced), then the same `cp` again, or `queue resume`: the run follows the fetch
/// the journal kept instead of asking for another, and gives the fetched file its name and
/// folder. Nothing named after the link stays, nothing is there twice. Each host as the
/// source; XFileSharing is never the fetching destination (its API cannot delete a fetch that
/// came out wrong: the bytes are relayed).
#[test]
fn a_copy_killed_while_the_destination_host_fetches_is_finished_not_fetched_again() {
    for (k, (src, dst)) in [("ys", "k2s"), ("xfs", "ys"), ("k2s", "ys")]
        .into_iter()
        .enumerate()
    {
        let server = Server::start(false);
        let cli = Cli::new(&[server.account(src), server.account(dst)]);
        let data = pattern(400 * 1024, 7 + k as u64);
        let file = cli.path("file.bin");
        std::fs::write(&file, &data).unwrap();
        cli.ok(&["put", file.to_str().unwrap(), &format!("{src}:/from/")]);
        cli.ok(&["mkdir", &format!("{dst}:/into")]);
        server.set_faults(Faults {
            rate_per_conn: Some(60_000),
            ..Faults::default()
        });
        let cp = [
            "cp".to_string(),
            format!("{src}:/from/file.bin"),
            format!("{dst}:/into/"),
        ];
        let cp: Vec<&str> = cp.iter().map(String::as_str).collect();
        kill_when(&cli, &cp, Duration::from_secs(60), || {
            journal_marks(&cli).iter().any(|m| m.contains("fetching"))
        });
        let marks = journal_marks(&cli);
        assert!(
            marks.iter().any(|m| m.contains("fetching")),
            "{src} -> {dst}: killed while fetching: {marks:?}; {}",
            std::fs::read_to_string(cli.path("killed.log")).unwrap_or_default()
        );
        server.set_faults(Faults::default());
        let again: &[&str] = if k == 1 { &["queue", "resume"] } else { &cp };
        cli.cmd()
            .args(again)
            .assert()
            .success()
            .stderr(predicate::str::contains("following the fetch"));
        assert_eq!(
            names(&cli.ls_json(&format!("{dst}:/into"))),
            ["file.bin"],
            "{src} -> {dst}"
        );
        let mut root = names(&cli.ls_json(&format!("{dst}:/")));
        root.sort();
        assert_eq!(root, ["into"], "{src} -> {dst}: nothing left in the root");
        let back = cli.path("back");
        cli.ok(&[
            "get",
            &format!("{dst}:/into/file.bin"),
            back.to_str().unwrap(),
        ]);
        assert!(std::fs::read(back.join("file.bin")).unwrap() == data);
        assert!(journal_marks(&cli).is_empty(), "{:?}", journal_marks(&cli));
        let copies = journal_rows(&cli)
            .into_iter()
            .filter(|r| r["op"] == "copy")
            .count();
        assert_eq!(copies, 1, "{src} -> {dst}: one journal job");
    }
}

/// `kill -9` after an upload's bytes are on the host but before it is moved into place
/// (XFileSharing: into its folder from the root; Keep2Share: read back), the step made to
/// fail until then; a re-run, or `queue resume`, finishes the landed file from the code the
/// journal kept and never sends the bytes again.
#[test]
fn an_upload_killed_after_its_bytes_landed_is_finished_not_sent_again() {
    use haul::emulator::RouteFault;
    let cases = [
        (
            "xfs",
            "xfilesharing/upload.cgi",
            "xfilesharing/file/set_folder",
        ),
        ("k2s", "keep2share/upload", "keep2share/getFilesInfo"),
    ];
    for (k, (account, upload, after)) in cases.into_iter().enumerate() {
        for resume in [false, true] {
            let server = Server::start(false);
            let cli = Cli::new(&[server.account(account)]);
            cli.ok(&["mkdir", &format!("{account}:/Dst")]);
            let data = pattern(200_000, 3 + k as u64);
            let file = cli.path("a.bin");
            std::fs::write(&file, &data).unwrap();
            server.set_faults(Faults {
                route_faults: vec![RouteFault {
                    route: after.into(),
                    after: Some(upload.into()),
                    ..RouteFault::default()
                }],
                ..Faults::default()
            });
            let dest = format!("{account}:/Dst/");
            let put = ["put", file.to_str().unwrap(), &dest];
            kill_when(&cli, &put, Duration::from_secs(60), || {
                journal_marks(&cli).iter().any(|m| m.contains("\"sent\""))
            });
            let marks = journal_marks(&cli);
            assert!(
                marks.iter().any(|m| m.contains("\"sent\"")),
                "{account}: killed after the bytes landed: {marks:?}; {}",
                std::fs::read_to_string(cli.path("killed.log")).unwrap_or_default()
            );
            server.set_faults(Faults::default());
            let again: &[&str] = if resume { &["queue", "resume"] } else { &put };
            cli.ok(again);
            let sent = server.handle.stats()["by_route"][upload]
                .as_u64()
                .unwrap_or(0);
            assert_eq!(sent, 1, "{account} (resume: {resume}): the bytes went once");
            assert_eq!(names(&cli.ls_json(&format!("{account}:/Dst"))), ["a.bin"]);
            assert_eq!(
                names(&cli.ls_json(&format!("{account}:/"))),
                ["Dst"],
                "{account}: no orphan in the root"
            );
            let back = cli.path("back");
            cli.ok(&[
                "get",
                &format!("{account}:/Dst/a.bin"),
                back.to_str().unwrap(),
            ]);
            assert!(std::fs::read(back.join("a.bin")).unwrap() == data);
            assert!(journal_marks(&cli).is_empty());
        }
    }
}

/// A download run again finds a local file of the remote one's name and size: "already
/// there" only when the md5 the host gives matches the local bytes. Same name, same size,
/// other bytes is a conflict, settled as asked.
#[test]
fn a_download_is_already_there_only_when_the_md5_matches() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("k2s")]);
    let file = cli.path("a.bin");
    std::fs::write(&file, pattern(50_000, 1)).unwrap();
    let f = file.to_str().unwrap();
    cli.ok(&["put", f, "k2s:/"]);
    let out = cli.path("out");
    let out_s = out.to_str().unwrap();
    cli.ok(&["get", "k2s:/a.bin", out_s]);
    cli.ok(&["get", "k2s:/a.bin", out_s])
        .stderr(predicate::str::contains("already there"));
    // The same size, other bytes, on the host.
    let other = pattern(50_000, 2);
    std::fs::write(&file, &other).unwrap();
    cli.ok(&["put", "--on-conflict", "overwrite", f, "k2s:/"]);
    cli.cmd()
        .args(["get", "k2s:/a.bin", out_s])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert!(std::fs::read(out.join("a.bin")).unwrap() == pattern(50_000, 1));
    cli.ok(&["get", "--on-conflict", "overwrite", "k2s:/a.bin", out_s]);
    assert!(std::fs::read(out.join("a.bin")).unwrap() == other);
    // And a local file changed in place, same size: not the host's either.
    std::fs::write(out.join("a.bin"), pattern(50_000, 3)).unwrap();
    cli.cmd()
        .args(["get", "k2s:/a.bin", out_s])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
}

/// A `mv` into a new folder on a host failing every 7th request, then the same `mv` again
/// (as after a `kill -9` once the move went through): the second run finds the move done.
#[test]
fn a_move_run_again_after_it_went_through_is_done() {
    for account in ["k2s", "ys", "xfs"] {
        let server = Server::start(false);
        let cli = Cli::new(&[server.account(account)]);
        let (tree, _) = make_tree(&cli, 3);
        cli.ok(&[
            "put",
            "-r",
            tree.to_str().unwrap(),
            &format!("{account}:/soak/"),
        ]);
        server.set_faults(Faults {
            fail_every: Some(7),
            fail_status: 503,
            ..Faults::default()
        });
        let src = format!("{account}:/soak/tree/f000.bin");
        let dst = format!("{account}:/soak/m4/");
        cli.ok(&["mv", &src, &dst]);
        cli.ok(&["mv", &src, &dst]);
        server.set_faults(Faults::default());
        assert_eq!(
            names(&cli.ls_json(&format!("{account}:/soak/m4"))),
            ["f000.bin"]
        );
        let mut left = names(&cli.ls_json(&format!("{account}:/soak/tree")));
        left.sort();
        assert_eq!(left, ["f001.bin", "f002.bin"]);
        let moves = journal_rows(&cli)
            .into_iter()
            .filter(|r| r["op"] == "move")
            .count();
        assert_eq!(moves, 1, "{account}: one journal job");
    }
}

/// A copy into XFileSharing, whose API cannot delete, from a host sending bodies short: never
/// fetched by the destination host (a wrong fetch could not be removed), relayed, so a short
/// body never lands; the same `cp` once the source is well again leaves exactly the file.
#[test]
fn a_copy_into_a_host_that_cannot_delete_never_leaves_a_wrong_copy() {
    use haul::emulator::HostileCase;
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys"), server.account("xfs")]);
    let data = pattern(100_000, 9);
    let file = cli.path("file.bin");
    std::fs::write(&file, &data).unwrap();
    cli.ok(&["put", file.to_str().unwrap(), "ys:/from/"]);
    cli.ok(&["mkdir", "xfs:/into"]);
    server.set_faults(Faults {
        hostile: vec![HostileCase::BodyShort],
        ..Faults::default()
    });
    let cp = ["cp", "ys:/from/file.bin", "xfs:/into/"];
    let _ = cli.cmd().args(cp).output().unwrap();
    server.set_faults(Faults::default());
    cli.ok(&cp);
    assert_eq!(names(&cli.ls_json("xfs:/into")), ["file.bin"]);
    assert_eq!(
        names(&cli.ls_json("xfs:/")),
        ["into"],
        "nothing in the root"
    );
    let back = cli.path("back");
    cli.ok(&["get", "xfs:/into/file.bin", back.to_str().unwrap()]);
    assert!(std::fs::read(back.join("file.bin")).unwrap() == data);
}

/// `kill -9` after XFileSharing stored an upload whose reply never reached haul (and whose
/// account listing fails meanwhile, so haul cannot see it either): the re-run finds the file
/// the upload left (one of its name and size the account did not hold when it started, as the
/// journal kept) and finishes it instead of sending the bytes again.
#[test]
fn an_upload_killed_before_its_reply_came_is_found_not_sent_again() {
    use haul::emulator::RouteFault;
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("xfs")]);
    cli.ok(&["mkdir", "xfs:/Dst"]);
    let data = pattern(150_000, 4);
    let file = cli.path("a.bin");
    std::fs::write(&file, &data).unwrap();
    server.set_faults(Faults {
        route_faults: vec![
            RouteFault {
                route: "xfilesharing/upload.cgi".into(),
                times: Some(1),
                reply_lost: true,
                ..RouteFault::default()
            },
            RouteFault {
                route: "xfilesharing/file/list".into(),
                after: Some("xfilesharing/upload.cgi".into()),
                ..RouteFault::default()
            },
        ],
        ..Faults::default()
    });
    let uploads = || {
        server.handle.stats()["by_route"]["xfilesharing/upload.cgi"]
            .as_u64()
            .unwrap_or(0)
    };
    let put = ["put", file.to_str().unwrap(), "xfs:/Dst/"];
    // Killed a moment after the upload went (the host has stored it by then; haul, unable to
    // list, cannot know).
    let since = std::cell::Cell::new(None::<std::time::Instant>);
    kill_when(&cli, &put, Duration::from_secs(60), || {
        if uploads() >= 1 && journal_marks(&cli).iter().any(|m| m.contains("sending")) {
            let first = since.get().unwrap_or_else(std::time::Instant::now);
            since.set(Some(first));
            return first.elapsed() >= Duration::from_millis(500);
        }
        false
    });
    assert_eq!(uploads(), 1, "killed before a second upload");
    server.set_faults(Faults::default());
    cli.ok(&put);
    assert_eq!(uploads(), 1, "the bytes went once");
    assert_eq!(names(&cli.ls_json("xfs:/Dst")), ["a.bin"]);
    assert_eq!(
        names(&cli.ls_json("xfs:/")),
        ["Dst"],
        "no orphan in the root"
    );
    let back = cli.path("back");
    cli.ok(&["get", "xfs:/Dst/a.bin", back.to_str().unwrap()]);
    assert!(std::fs::read(back.join("a.bin")).unwrap() == data);
}
