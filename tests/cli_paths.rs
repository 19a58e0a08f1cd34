//! `haul cp`/`haul mv` destinations as a user writes them: `DST/` is a folder (made when
//! missing), on one account and across accounts; without the slash, the README's rules.

mod common;

use common::{Cli, Server, names};
use predicates::prelude::*;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys"), server.account("k2s")]);
    (server, cli)
}

/// Upload `name` with `bytes` into `dir`.
fn upload(cli: &Cli, name: &str, bytes: &[u8], dir: &str) {
    let file = cli.path(name);
    std::fs::write(&file, bytes).unwrap();
    cli.cmd().arg("put").arg(&file).arg(dir).assert().success();
}

/// The `kind` of the entry `name` in the listing of `folder`, if there is one.
fn kind_of(cli: &Cli, folder: &str, name: &str) -> Option<String> {
    cli.ls_json(folder)
        .iter()
        .find(|i| i["name"] == name)
        .map(|i| i["kind"].as_str().unwrap_or_default().to_string())
}

/// The bytes of a remote file, downloaded into a fresh folder.
fn fetched(cli: &Cli, remote: &str, name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir_in(cli.dir.path()).unwrap();
    cli.cmd()
        .args(["get", remote])
        .arg(dir.path())
        .assert()
        .success();
    std::fs::read(dir.path().join(name)).unwrap()
}

#[test]
fn a_trailing_slash_copies_and_moves_into_a_folder_on_one_account() {
    let (_server, cli) = setup();
    upload(&cli, "readme.txt", b"read me", "ys:/");
    upload(&cli, "a.txt", b"alpha", "ys:/");

    cli.ok(&["cp", "ys:/readme.txt", "ys:/newdir/"]);
    assert_eq!(kind_of(&cli, "ys:/", "newdir").as_deref(), Some("folder"));
    assert_eq!(names(&cli.ls_json("ys:/newdir")), ["readme.txt"]);
    assert_eq!(
        fetched(&cli, "ys:/newdir/readme.txt", "readme.txt"),
        b"read me"
    );

    // Missing parents are made too, as put makes its folder.
    cli.ok(&["cp", "ys:/readme.txt", "ys:/deep/er/"]);
    assert_eq!(names(&cli.ls_json("ys:/deep/er")), ["readme.txt"]);

    cli.ok(&["mv", "ys:/a.txt", "ys:/moved/"]);
    assert_eq!(names(&cli.ls_json("ys:/moved")), ["a.txt"]);
    assert_eq!(kind_of(&cli, "ys:/", "a.txt"), None, "moved away");

    // Into a folder that exists, with the slash: the same as without.
    cli.ok(&["cp", "ys:/readme.txt", "ys:/moved/"]);
    assert_eq!(names(&cli.ls_json("ys:/moved")), ["a.txt", "readme.txt"]);
}

#[test]
fn a_trailing_slash_moves_and_copies_into_a_folder_on_another_account() {
    let (_server, cli) = setup();
    upload(&cli, "a.txt", b"alpha bytes", "ys:/");
    upload(&cli, "b.txt", b"beta bytes", "ys:/");

    cli.ok(&["mv", "ys:/a.txt", "k2s:/dir/"]);
    assert_eq!(kind_of(&cli, "k2s:/", "dir").as_deref(), Some("folder"));
    assert_eq!(names(&cli.ls_json("k2s:/dir")), ["a.txt"]);
    assert_eq!(fetched(&cli, "k2s:/dir/a.txt", "a.txt"), b"alpha bytes");
    assert_eq!(kind_of(&cli, "ys:/", "a.txt"), None, "the source is gone");

    cli.ok(&["cp", "ys:/b.txt", "k2s:/copies/"]);
    assert_eq!(names(&cli.ls_json("k2s:/copies")), ["b.txt"]);
    assert_eq!(fetched(&cli, "k2s:/copies/b.txt", "b.txt"), b"beta bytes");
    assert_eq!(kind_of(&cli, "ys:/", "b.txt").as_deref(), Some("file"));
}

#[test]
fn without_the_slash_a_missing_destination_is_the_new_name() {
    let (_server, cli) = setup();
    upload(&cli, "readme.txt", b"read me", "ys:/");
    cli.ok(&["cp", "ys:/readme.txt", "ys:/plain"]);
    assert_eq!(kind_of(&cli, "ys:/", "plain").as_deref(), Some("file"));
    assert_eq!(fetched(&cli, "ys:/plain", "plain"), b"read me");
    cli.ok(&["mv", "ys:/plain", "k2s:/renamed.txt"]);
    assert_eq!(
        kind_of(&cli, "k2s:/", "renamed.txt").as_deref(),
        Some("file")
    );
    assert_eq!(kind_of(&cli, "ys:/", "plain"), None);
}

#[test]
fn a_trailing_slash_on_a_file_or_into_itself_is_refused_and_makes_nothing() {
    let (_server, cli) = setup();
    upload(&cli, "readme.txt", b"read me", "ys:/");
    upload(&cli, "inner.txt", b"inner", "ys:/F");
    let before = names(&cli.ls_json("ys:/"));

    cli.cmd()
        .args(["cp", "ys:/F/inner.txt", "ys:/readme.txt/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a file, not a folder"));
    cli.cmd()
        .args(["cp", "ys:/F", "ys:/F/sub/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("into itself"));
    assert_eq!(names(&cli.ls_json("ys:/F")), ["inner.txt"], "no sub made");
    // A folder cannot move between accounts: refused before the folder is made there.
    cli.cmd()
        .args(["mv", "ys:/F", "k2s:/made/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not supported"));
    assert_eq!(kind_of(&cli, "k2s:/", "made"), None);
    assert_eq!(names(&cli.ls_json("ys:/")), before);
    assert_eq!(fetched(&cli, "ys:/readme.txt", "readme.txt"), b"read me");
}
