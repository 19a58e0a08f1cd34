//! Re-runs after `kill -9`: running the same `put -r` / `get -r` again (or `haul queue resume`)
//! takes up the interrupted jobs instead of adding new ones, so every file arrives exactly
//! once, byte-exact, and the journal holds one job per file.

#[path = "../common/mod.rs"]
mod common;
mod unfinished_steps;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Cli, Server, names, pattern};
use haul::emulator::Faults;
use predicates::prelude::*;

const FILES: usize = 50;
const SIZE: usize = 64 * 1024;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    (server, cli)
}

/// `FILES` files of pseudo-random bytes in `dir/tree`, by name.
fn make_tree(cli: &Cli, files: usize) -> (PathBuf, BTreeMap<String, Vec<u8>>) {
    let tree = cli.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    let mut want = BTreeMap::new();
    for i in 0..files {
        let name = format!("f{i:03}.bin");
        // Sizes differ a little, so no two files could pass for each other.
        let data = pattern(SIZE + i * 17, i as u64 + 1);
        std::fs::write(tree.join(&name), &data).unwrap();
        want.insert(name, data);
    }
    (tree, want)
}

/// Start `haul ARGS` and SIGKILL it once `ready` says so (or after `at_most`).
fn kill_when(cli: &Cli, args: &[&str], at_most: Duration, ready: impl Fn() -> bool) {
    let log = std::fs::File::create(cli.path("killed.log")).unwrap();
    let mut child = cli.std_cmd().args(args).stderr(log).spawn().unwrap();
    let deadline = Instant::now() + at_most;
    while Instant::now() < deadline && !ready() {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill(); // SIGKILL
    child.wait().unwrap();
}

/// The `queue ls --json` rows.
fn journal_rows(cli: &Cli) -> Vec<serde_json::Value> {
    let out = cli
        .cmd()
        .args(["queue", "ls", "--json", "--all"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Every file has exactly one `op` job ("upload", "download") in the journal, and it is done.
fn one_done_job_per_file(cli: &Cli, op: &str, want: &BTreeMap<String, Vec<u8>>) {
    let rows = journal_rows(cli);
    for name in want.keys() {
        let jobs: Vec<_> = rows
            .iter()
            .filter(|r| r["op"] == op)
            .filter(|r| {
                r["what"]
                    .as_str()
                    .is_some_and(|w| w.ends_with(&format!("/{name}")))
            })
            .collect();
        assert_eq!(jobs.len(), 1, "{name}: {jobs:?}");
        assert_eq!(jobs[0]["state"], "done", "{name}: {:?}", jobs[0]);
    }
}

/// The remote folder holds each file exactly once, byte-exact.
fn remote_holds_each_once(cli: &Cli, remote: &str, want: &BTreeMap<String, Vec<u8>>) {
    let listed = names(&cli.ls_json(remote));
    let mut sorted = listed.clone();
    sorted.sort();
    let expected: Vec<String> = want.keys().cloned().collect();
    assert_eq!(sorted, expected, "each file once on the host");
    let check = cli.path(&format!("check-{}", want.len()));
    cli.ok(&["get", "-r", remote, check.to_str().unwrap()]);
    local_holds_each(&check.join(remote.rsplit('/').next().unwrap()), want);
}

/// `dir` holds exactly the wanted files, byte-exact, and no part file.
fn local_holds_each(dir: &Path, want: &BTreeMap<String, Vec<u8>>) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let expected: Vec<String> = want.keys().cloned().collect();
    assert_eq!(found, expected, "exactly the files, no leftovers");
    for (name, data) in want {
        assert!(
            std::fs::read(dir.join(name)).unwrap() == *data,
            "{name} differs"
        );
    }
}

fn journal_integrity_ok(cli: &Cli) {
    let conn = rusqlite::Connection::open(cli.path("state").join("queue.sqlite")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// Files the journal has done so far (read beside the running haul: a `haul ls` would log
/// in again and end the running upload's session on YetiShare).
fn files_done(cli: &Cli) -> usize {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        cli.path("state").join("queue.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return 0;
    };
    conn.query_row(
        "SELECT COUNT(*) FROM jobs WHERE parent IS NOT NULL AND state LIKE '%\"done\"%'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
    .unwrap_or(0)
}

#[test]
fn a_killed_put_r_run_again_adopts_its_jobs_and_uploads_each_file_once() {
    let (_server, cli) = setup();
    let (tree, want) = make_tree(&cli, FILES);
    let tree = tree.to_str().unwrap().to_string();
    let put = ["put", "-r", "--bwlimit", "600K", &tree, "ys:/"];
    kill_when(&cli, &put, Duration::from_secs(30), || {
        files_done(&cli) >= 10
    });
    let landed = files_done(&cli);
    assert!(
        landed > 0 && landed < FILES,
        "killed midway: {landed}; {}",
        std::fs::read_to_string(cli.path("killed.log")).unwrap_or_default()
    );

    // The same command again: it takes the interrupted jobs up and adds none.
    cli.cmd()
        .args(["put", "-r", &tree, "ys:/"])
        .assert()
        .success()
        .stderr(predicate::str::contains("resuming the interrupted job"));
    cli.cmd()
        .args(["queue", "resume"])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing to resume"));
    one_done_job_per_file(&cli, "upload", &want);
    journal_integrity_ok(&cli);
    remote_holds_each_once(&cli, "ys:/tree", &want);
}

#[test]
fn a_killed_get_r_run_again_adopts_its_jobs_and_downloads_each_file_once() {
    let (_server, cli) = setup();
    let (tree, want) = make_tree(&cli, FILES);
    cli.ok(&["put", "-r", tree.to_str().unwrap(), "ys:/"]);
    let out = cli.path("out");
    let out_s = out.to_str().unwrap().to_string();
    let get = ["get", "-r", "--bwlimit", "600K", "ys:/tree", &out_s];
    kill_when(&cli, &get, Duration::from_secs(30), || {
        std::fs::read_dir(out.join("tree"))
            .map(|d| d.count() >= 10)
            .unwrap_or(false)
    });
    cli.cmd()
        .args(["get", "-r", "ys:/tree", &out_s])
        .assert()
        .success()
        .stderr(predicate::str::contains("resuming the interrupted job"));
    cli.cmd()
        .args(["queue", "resume"])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing to resume"));
    local_holds_each(&out.join("tree"), &want);
    one_done_job_per_file(&cli, "download", &want);
    journal_integrity_ok(&cli);
}

/// Killed at pseudo-random moments, restarted by re-runs and by `queue resume` in turn; each
/// file ends once and byte-exact, with one journal job. `rounds` kills of `files` files.
fn killed_again_and_again(files: usize, rounds: u64, faults: Faults) {
    let (server, cli) = setup();
    server.set_faults(faults);
    let (tree, want) = make_tree(&cli, files);
    let tree = tree.to_str().unwrap().to_string();
    let out = cli.path("out");
    let out_s = out.to_str().unwrap().to_string();
    let put = ["put", "-r", "--bwlimit", "1M", &tree, "ys:/"];
    let get = ["get", "-r", "--bwlimit", "1M", "ys:/tree", &out_s];
    let resume = ["queue", "resume", "--bwlimit", "1M"];
    for (phase, run) in [put, get].iter().enumerate() {
        for round in 0..rounds {
            // 150 ms to 1.2 s in: before, during and after the folder is expanded.
            let seed = (round + 1) * 7919 + phase as u64 * 104_729;
            let wait = Duration::from_millis(150 + seed % 1050);
            let started = Instant::now();
            // Odd rounds restart with `queue resume`, even ones with the command itself.
            let args: &[&str] = if round % 2 == 1 { &resume } else { run };
            kill_when(&cli, args, wait, || started.elapsed() >= wait);
        }
        // Finish: the command itself, then whatever is left.
        let last: Vec<&str> = run
            .iter()
            .copied()
            .filter(|a| *a != "--bwlimit" && *a != "1M")
            .collect();
        cli.ok(&last);
        cli.ok(&["queue", "resume"]);
    }
    server.set_faults(Faults::default());
    journal_integrity_ok(&cli);
    local_holds_each(&out.join("tree"), &want);
    one_done_job_per_file(&cli, "upload", &want);
    one_done_job_per_file(&cli, "download", &want);
    let listed = names(&cli.ls_json("ys:/tree"));
    assert_eq!(listed.len(), files, "{listed:?}");
}

#[test]
fn killed_at_random_moments_every_file_arrives_once_and_exact() {
    killed_again_and_again(24, 4, Faults::default());
}

/// The same on a host that fails every 13th request with a 503 and cuts downloads short:
/// retries and resumes mixed with the kills.
#[test]
fn killed_at_random_moments_on_a_failing_host_every_file_arrives_once_and_exact() {
    killed_again_and_again(
        16,
        4,
        Faults {
            fail_every: Some(13),
            fail_status: 503,
            retry_after_secs: Some(0),
            cut_body_after: Some(40 * 1024),
            ..Faults::default()
        },
    );
}

/// Issue 11's "done when": 200 files, 20 kills each way (`put -r`, then `get -r`), restarted
/// by the command and by `queue resume` in turn; byte-exact, no duplicate, one journal job per
/// file. About 30 s.
#[test]
fn killed_twenty_times_during_a_200_file_batch() {
    killed_again_and_again(200, 20, Faults::default());
}

/// `put -r` skips symbolic links and says so; with `-L` it follows them, going outside the
/// tree, but never into a loop.
#[cfg(unix)]
#[test]
fn put_r_skips_symbolic_links_unless_told_and_never_loops() {
    use std::os::unix::fs::symlink;
    let (_server, cli) = setup();
    let outside = cli.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), b"outside").unwrap();
    let tree = cli.path("links");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a.txt"), b"alpha").unwrap();
    std::fs::write(tree.join("sub/b.txt"), b"bravo").unwrap();
    symlink(&tree, tree.join("sub/loop")).unwrap();
    symlink(&outside, tree.join("out")).unwrap();
    symlink(outside.join("secret.txt"), tree.join("secret-link.txt")).unwrap();
    let tree_s = tree.to_str().unwrap();

    cli.cmd()
        .args(["put", "-r", tree_s, "ys:/plain"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("sub/loop: a symbolic link").and(
                predicate::str::contains("out: a symbolic link")
                    .and(predicate::str::contains("secret-link.txt: a symbolic link")),
            ),
        );
    assert_eq!(names(&cli.ls_json("ys:/plain/links")), ["sub", "a.txt"]);
    assert_eq!(names(&cli.ls_json("ys:/plain/links/sub")), ["b.txt"]);
    // The same command again with -L: the links are followed now, all the way down (the
    // journal's jobs for the tree take the flag), and nothing already there is sent again.
    cli.cmd()
        .args(["put", "-r", "-L", tree_s, "ys:/plain"])
        .assert()
        .success()
        .stderr(predicate::str::contains("sub/loop: a symbolic link loop"));
    let mut top = names(&cli.ls_json("ys:/plain/links"));
    top.sort();
    assert_eq!(top, ["a.txt", "out", "secret-link.txt", "sub"]);
    assert_eq!(names(&cli.ls_json("ys:/plain/links/out")), ["secret.txt"]);

    cli.cmd()
        .args(["put", "-r", "-L", tree_s, "ys:/followed"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success()
        .stderr(predicate::str::contains("sub/loop: a symbolic link loop"));
    let mut top = names(&cli.ls_json("ys:/followed/links"));
    top.sort();
    assert_eq!(top, ["a.txt", "out", "secret-link.txt", "sub"]);
    assert_eq!(
        names(&cli.ls_json("ys:/followed/links/out")),
        ["secret.txt"]
    );
    assert_eq!(names(&cli.ls_json("ys:/followed/links/sub")), ["b.txt"]);
}

/// A command run again after it finished runs the same job again (one job in the journal
/// however often it runs), and takes what the command says now: a changed file is a conflict,
/// settled as asked.
#[test]
fn a_finished_command_run_again_reuses_its_job_and_sees_the_new_file() {
    let (_server, cli) = setup();
    let file = cli.path("a.txt");
    std::fs::write(&file, b"one").unwrap();
    let f = file.to_str().unwrap();
    cli.ok(&["put", f, "ys:/"]);
    cli.ok(&["put", f, "ys:/"])
        .stderr(predicate::str::contains("already there"));
    std::fs::write(&file, b"three!").unwrap();
    cli.cmd()
        .args(["put", f, "ys:/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    cli.ok(&["put", "--on-conflict", "overwrite", f, "ys:/"]);
    let rows = journal_rows(&cli);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["state"], "done");
    assert_eq!(rows[0]["total"], 6);
    let out = cli.path("back");
    cli.ok(&["get", "ys:/a.txt", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"three!");
    assert_eq!(names(&cli.ls_json("ys:/")), ["a.txt"]);
}

/// Finished jobs beyond `[transfers] keep_finished` are gone once a run ends; `queue ls` says
/// when it shows only part of the history.
#[test]
fn finished_jobs_are_pruned_to_keep_finished() {
    let (_server, cli) = setup();
    let mut config = std::fs::read_to_string(&cli.config).unwrap();
    config.push_str("\n[transfers]\nkeep_finished = 5\n");
    std::fs::write(&cli.config, config).unwrap();
    let (tree, want) = make_tree(&cli, 12);
    cli.ok(&["put", "-r", tree.to_str().unwrap(), "ys:/"]);
    let rows = journal_rows(&cli);
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().all(|r| r["state"] == "done"));
    // The run itself was whole: every file is there.
    assert_eq!(names(&cli.ls_json("ys:/tree")).len(), want.len());
}
