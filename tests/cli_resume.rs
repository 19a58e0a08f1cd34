//! `haul get` killed with SIGKILL mid-download, then run again: it resumes where it stopped.

mod common;

use std::time::{Duration, Instant};

use common::{Cli, Server, pattern};
use predicates::prelude::*;

#[test]
fn a_download_killed_with_sigkill_resumes_byte_exact() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let src = cli.path("big.bin");
    let data = pattern(24 * 1024 * 1024, 21);
    std::fs::write(&src, &data).unwrap();
    cli.cmd()
        .arg("put")
        .arg(&src)
        .arg("ys:/")
        .assert()
        .success();

    let out = cli.path("out");
    let part = out.join("big.bin.haul-part");
    let mut child = cli
        .std_cmd()
        .args(["get", "--bwlimit", "4M", "ys:/big.bin"])
        .arg(&out)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < 2 * 1024 * 1024 {
        assert!(Instant::now() < deadline, "the download never got going");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept < data.len() as u64, "partial: {kept}");
    assert!(
        !out.join("big.bin").exists(),
        "no final name before completion"
    );

    let sent = || server.handle.stats()["bytes_sent"].as_u64().unwrap();
    let sent_before = sent();
    cli.cmd()
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("resuming at byte {kept}")));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
    // Only what was missing came over the wire again (plus a few small API replies).
    let resent = sent() - sent_before;
    let missing = data.len() as u64 - kept;
    assert!(
        resent >= missing && resent < missing + 64 * 1024,
        "the restart fetched {resent} bytes for {missing} missing"
    );
    assert!(!part.exists());
    cli.cmd()
        .args(["queue", "ls", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"state\":\"done\""));
}
