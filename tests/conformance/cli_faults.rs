//! Every CLI command on every provider through a host that fails every 5th request: once with
//! 503, once with 429 and `Retry-After: 1`. Each command must succeed (XFileSharing's `rm`
//! must say its API has no delete), and afterwards, with the faults off, nothing exists twice.
//!
//! One round per provider and fault runs here; `bench/flaky.sh` runs the 20-round matrix.

use haul::emulator::Faults;
use predicates::prelude::*;

use crate::common::{Cli, Server, names, pattern, sha256_file};

fn every_fifth(status: u16) -> Faults {
    Faults {
        fail_every: Some(5),
        fail_status: status,
        retry_after_secs: (status == 429).then_some(1),
        ..Faults::default()
    }
}

/// The whole command set once on `account`, under `faults`, then checked without them.
fn round(account: &str, faults: Faults) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account(account)]);
    let data = pattern(300 * 1024 + 7, 5);
    let local = cli.path("f.bin");
    std::fs::write(&local, &data).expect("write source");
    let at = |path: &str| format!("{account}:{path}");
    let out = cli.path("out");
    let deletes = account != "xfs";

    server.set_faults(faults);
    cli.ok(&["about", account]);
    cli.ok(&["mkdir", &at("/Flaky/A")]);
    cli.ok(&["mkdir", &at("/Flaky/A")]); // idempotent, through faults too
    cli.cmd()
        .arg("put")
        .arg(&local)
        .arg(at("/Flaky/A/"))
        .assert()
        .success();
    cli.ok(&["ls", &at("/Flaky/A")])
        .stdout(predicate::str::contains("f.bin"));
    cli.ok(&["cp", &at("/Flaky/A/f.bin"), &at("/Flaky/B/")]);
    cli.ok(&["mv", &at("/Flaky/A/f.bin"), &at("/Flaky/moved.bin")]);
    cli.cmd()
        .arg("get")
        .arg(at("/Flaky/moved.bin"))
        .arg(&out)
        .assert()
        .success();
    cli.ok(&["link", &at("/Flaky/moved.bin")])
        .stdout(predicate::str::starts_with("http"));
    if deletes {
        cli.ok(&["rm", &at("/Flaky/B/f.bin")]);
    } else {
        cli.cmd()
            .args(["rm", &at("/Flaky/B/f.bin")])
            .assert()
            .failure()
            .stderr(predicate::str::contains("delete"));
    }

    server.set_faults(Faults::default());
    assert_eq!(
        sha256_file(&out.join("moved.bin")),
        sha256_file(&local),
        "{account}: the download is byte-exact"
    );
    assert_eq!(
        names(&cli.ls_json(&at("/"))),
        ["Flaky"],
        "{account}: nothing landed in the root"
    );
    assert_eq!(
        names(&cli.ls_json(&at("/Flaky"))),
        ["A", "B", "moved.bin"],
        "{account}: each folder and file once"
    );
    assert!(
        names(&cli.ls_json(&at("/Flaky/A"))).is_empty(),
        "{account}: the move left nothing behind"
    );
    let copies = names(&cli.ls_json(&at("/Flaky/B")));
    let expected: &[&str] = if deletes { &[] } else { &["f.bin"] };
    assert_eq!(
        copies, expected,
        "{account}: one copy, deleted where it can be"
    );
}

#[test]
fn yetishare_every_command_through_503s() {
    round("ys", every_fifth(503));
}

#[test]
fn yetishare_every_command_through_429s_with_retry_after() {
    round("ys", every_fifth(429));
}

#[test]
fn keep2share_every_command_through_503s() {
    round("k2s", every_fifth(503));
}

#[test]
fn keep2share_every_command_through_429s_with_retry_after() {
    round("k2s", every_fifth(429));
}

#[test]
#[ignore = "XFS: a failed check or move after the upload re-uploads, and a retried copy copies again (issue 11, items 3 and 7)"]
fn xfilesharing_every_command_through_503s() {
    round("xfs", every_fifth(503));
}

#[test]
#[ignore = "XFS: a failed check or move after the upload re-uploads, and a retried copy copies again (issue 11, items 3 and 7)"]
fn xfilesharing_every_command_through_429s_with_retry_after() {
    round("xfs", every_fifth(429));
}
