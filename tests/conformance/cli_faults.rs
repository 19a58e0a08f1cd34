//! Every CLI command on every provider through a host that fails every 5th request: once with
//! 503, once with 429 and `Retry-After: 1`. Each command must succeed (XFileSharing's `rm`
//! must say its API has no delete), and afterwards, with the faults off, nothing exists twice.
//!
//! One round per provider and fault runs here; `bench/flaky.sh` runs the 20-round matrix
//! (`HAUL_FLAKY_ROUNDS`).

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

/// The whole command set on `account` under `faults`, `HAUL_FLAKY_ROUNDS` times (default once).
fn rounds(account: &str, faults: Faults) {
    let n: u32 = std::env::var("HAUL_FLAKY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for i in 1..=n {
        eprintln!("{account}: round {i}/{n}");
        round(account, faults.clone());
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
    rounds("ys", every_fifth(503));
}

#[test]
fn yetishare_every_command_through_429s_with_retry_after() {
    rounds("ys", every_fifth(429));
}

#[test]
fn keep2share_every_command_through_503s() {
    rounds("k2s", every_fifth(503));
}

#[test]
fn keep2share_every_command_through_429s_with_retry_after() {
    rounds("k2s", every_fifth(429));
}

#[test]
fn xfilesharing_every_command_through_503s() {
    rounds("xfs", every_fifth(503));
}

#[test]
fn xfilesharing_every_command_through_429s_with_retry_after() {
    rounds("xfs", every_fifth(429));
}

/// A lockout is not a busy host: the command stops at once and says why, and the account is
/// not asked again and again (each wrong password is one login).
#[test]
fn a_lockout_stops_the_account_at_once_with_the_reason() {
    let server = Server::start(false);
    let mut account = server.account("k2s-free");
    account.secret = "not-the-password".to_string();
    let cli = Cli::new(&[account]);
    let logins = || server.handle.stats()["by_route"]["keep2share/login"].as_u64();
    for round in 1..=3 {
        let before = logins();
        let started = std::time::Instant::now();
        let out = cli
            .cmd()
            .args(["--no-input", "ls", "k2s-free:/"])
            .assert()
            .failure()
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "round {round}: at once, not after retries: {err}"
        );
        assert_eq!(
            logins().map(|n| n - before.unwrap_or(0)),
            Some(1),
            "round {round}: one login: {err}"
        );
        if round == 3 {
            assert!(err.contains("too many login attempts"), "{err}");
        } else {
            assert!(err.contains("invalid login or password"), "{err}");
        }
        assert!(!err.contains("not-the-password"), "no secret: {err}");
    }
}
