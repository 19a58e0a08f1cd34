//! One conflict path for every job kind: `cp` and `mv` onto an existing name follow
//! `--on-conflict` like `put` and `get` do, on one account (server-side), across accounts, and
//! on the local disk; a skipped move keeps its source.

mod common;

use common::{Cli, Server, names};
use predicates::prelude::*;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys"), server.account("k2s")]);
    (server, cli)
}

/// Put `bytes` as `dir/name`, replacing what is there.
fn upload(cli: &Cli, name: &str, bytes: &[u8], dir: &str) {
    let file = cli.path(name);
    std::fs::write(&file, bytes).unwrap();
    cli.cmd()
        .args(["put", "--on-conflict", "overwrite"])
        .arg(&file)
        .arg(dir)
        .assert()
        .success();
}

fn fetched(cli: &Cli, remote: &str, name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir_in(cli.dir.path()).unwrap();
    cli.cmd()
        .args(["get", remote])
        .arg(dir.path())
        .assert()
        .success();
    std::fs::read(dir.path().join(name)).unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `src` (holding `new`) copied or moved onto `dst_dir/name` that holds `old`, per policy.
fn each_policy(cli: &Cli, op: &str, src_dir: &str, dst_dir: &str) {
    let tag = format!("{op}-{}", src_dir.replace([':', '/'], ""));
    let src = format!("{src_dir}/{tag}.txt");
    let dst = format!("{dst_dir}/{tag}.txt");
    let reset = |cli: &Cli| {
        upload(cli, &format!("{tag}.txt"), b"the new one", src_dir);
    };
    upload(cli, &format!("{tag}.txt"), b"old", dst_dir);

    // fail (the default without a terminal): nothing changes, and the error names the flag.
    reset(cli);
    cli.cmd()
        .args([op, &src, &format!("{dst_dir}/")])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--on-conflict"));
    assert_eq!(fetched(cli, &dst, &format!("{tag}.txt")), b"old");

    // skip: the destination stays; a move keeps its source.
    cli.ok(&[op, "--on-conflict", "skip", &src, &format!("{dst_dir}/")]);
    assert_eq!(fetched(cli, &dst, &format!("{tag}.txt")), b"old");
    assert_eq!(fetched(cli, &src, &format!("{tag}.txt")), b"the new one");

    // rename: both kept, the new one as "NAME (1).txt".
    cli.ok(&[op, "--on-conflict", "rename", &src, &format!("{dst_dir}/")]);
    assert_eq!(fetched(cli, &dst, &format!("{tag}.txt")), b"old");
    assert_eq!(
        fetched(
            cli,
            &format!("{dst_dir}/{tag} (1).txt"),
            &format!("{tag} (1).txt")
        ),
        b"the new one"
    );

    // overwrite: one file of the name is left, holding the new bytes.
    reset(cli);
    cli.ok(&[
        op,
        "--on-conflict",
        "overwrite",
        &src,
        &format!("{dst_dir}/"),
    ]);
    let listing = names(&cli.ls_json(dst_dir));
    assert_eq!(
        listing
            .iter()
            .filter(|n| **n == format!("{tag}.txt"))
            .count(),
        1,
        "{listing:?}"
    );
    assert_eq!(fetched(cli, &dst, &format!("{tag}.txt")), b"the new one");
    if op == "mv" {
        let left = names(&cli.ls_json(src_dir));
        assert!(!left.contains(&format!("{tag}.txt")), "{left:?}");
    }
}

#[test]
fn cp_and_mv_on_one_account_follow_each_policy() {
    let (_server, cli) = setup();
    cli.ok(&["mkdir", "ys:/from"]);
    cli.ok(&["mkdir", "ys:/to"]);
    each_policy(&cli, "cp", "ys:/from", "ys:/to");
    each_policy(&cli, "mv", "ys:/from", "ys:/to");
}

#[test]
fn cp_and_mv_across_accounts_follow_each_policy() {
    let (_server, cli) = setup();
    cli.ok(&["mkdir", "ys:/from"]);
    cli.ok(&["mkdir", "k2s:/to"]);
    each_policy(&cli, "cp", "ys:/from", "k2s:/to");
    each_policy(&cli, "mv", "ys:/from", "k2s:/to");
}

#[test]
fn copying_twice_onto_one_name_never_leaves_two_files_of_it() {
    let (_server, cli) = setup();
    upload(&cli, "once.txt", b"once", "ys:/");
    cli.ok(&["mkdir", "ys:/dest"]);
    cli.ok(&["cp", "ys:/once.txt", "ys:/dest/"]);
    // The same command again: the journal knows its job put the file there, so it is done
    // ("already there"), not a conflict.
    cli.cmd()
        .args(["cp", "ys:/once.txt", "ys:/dest/"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already there"));
    cli.ok(&["cp", "--on-conflict", "skip", "ys:/once.txt", "ys:/dest/"]);
    // Another source of that name and size is a conflict: the host shows no md5 here, and a
    // name and a size prove nothing for a job that did not put the file there.
    upload(&cli, "once.txt", b"ONCE", "ys:/");
    cli.cmd()
        .args(["cp", "ys:/once.txt", "ys:/dest/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(sorted(names(&cli.ls_json("ys:/dest"))), ["once.txt"]);
}

#[test]
fn a_rename_onto_an_existing_name_asks_the_policy_too() {
    let (_server, cli) = setup();
    upload(&cli, "a.txt", b"alpha", "ys:/");
    upload(&cli, "b.txt", b"bravo", "ys:/");
    cli.cmd()
        .args(["mv", "ys:/a.txt", "ys:/b.txt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(sorted(names(&cli.ls_json("ys:/"))), ["a.txt", "b.txt"]);
    cli.ok(&["mv", "--on-conflict", "rename", "ys:/a.txt", "ys:/b.txt"]);
    assert_eq!(sorted(names(&cli.ls_json("ys:/"))), ["b (1).txt", "b.txt"]);
    assert_eq!(fetched(&cli, "ys:/b (1).txt", "b (1).txt"), b"alpha");
}
