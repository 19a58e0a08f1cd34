//! `haul get` killed with SIGKILL mid-download, then run again: it resumes where it stopped,
//! fetching only what was missing; a server that ignores `Range` makes it start over, saying so.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Cli, Server, pattern};
use haul::emulator::Faults;
use predicates::prelude::*;

struct Killed {
    data: Vec<u8>,
    out: PathBuf,
    part: PathBuf,
    kept: u64,
}

/// Upload 24 MiB, start a slow `haul get`, and SIGKILL it once 2 MiB are on disk.
fn download_killed_midway(cli: &Cli) -> Killed {
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
        .args([
            "get",
            "--connections",
            "1",
            "--bwlimit",
            "4M",
            "ys:/big.bin",
        ])
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
    Killed {
        data,
        out,
        part,
        kept,
    }
}

/// The journal as the kill left it (database and write-ahead log): the job is there, but no
/// secret, session token or URL (download links grant access) is.
fn assert_journal_keeps_no_secret_or_url(cli: &Cli, server: &Server) {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(cli.path("state")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("queue.sqlite") {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("big.bin"), "the journal holds the job");
    let secret = server.account("ys").secret;
    for part in secret.split(':') {
        assert!(!text.contains(part), "a secret is in the journal");
    }
    assert!(!text.contains("http"), "a URL is in the journal");
    assert!(
        !text.contains("127.0.0.1"),
        "a host address is in the journal"
    );
}

fn bytes_sent(server: &Server) -> u64 {
    server.handle.stats()["bytes_sent"].as_u64().unwrap()
}

#[test]
fn a_download_killed_with_sigkill_resumes_byte_exact() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let k = download_killed_midway(&cli);
    assert_journal_keeps_no_secret_or_url(&cli, &server);

    let sent_before = bytes_sent(&server);
    cli.cmd()
        .args(["get", "--connections", "1", "ys:/big.bin"])
        .arg(&k.out)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "resuming at byte {}",
            k.kept
        )));
    assert_eq!(std::fs::read(k.out.join("big.bin")).unwrap(), k.data);
    // Only what was missing came over the wire again (plus a few small API replies).
    let resent = bytes_sent(&server) - sent_before;
    let missing = k.data.len() as u64 - k.kept;
    assert!(
        resent >= missing && resent < missing + 64 * 1024,
        "the restart fetched {resent} bytes for {missing} missing"
    );
    assert!(!k.part.exists());
    cli.cmd()
        .args(["queue", "ls", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"state\":\"done\""));
}

#[test]
fn a_server_that_ignores_range_makes_the_resume_start_over_and_say_so() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let k = download_killed_midway(&cli);
    server.set_faults(Faults {
        ignore_range: true,
        ..Faults::default()
    });

    let sent_before = bytes_sent(&server);
    cli.cmd()
        .args(["get", "--connections", "1", "ys:/big.bin"])
        .arg(&k.out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the server ignored the resume request; downloading from the start",
        ));
    assert_eq!(std::fs::read(k.out.join("big.bin")).unwrap(), k.data);
    let resent = bytes_sent(&server) - sent_before;
    assert!(
        resent >= k.data.len() as u64,
        "the whole file came again: {resent}"
    );
    assert!(!k.part.exists());
}

/// The segments' saved state beside the part: bytes recorded as done.
fn recorded(out: &std::path::Path) -> Option<u64> {
    for entry in std::fs::read_dir(out).ok()?.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .ends_with(".haul-segments")
        {
            let state: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path()).ok()?).ok()?;
            let segments = state["segments"].as_array()?;
            let first = segments.first()?["start"].as_u64()?;
            return Some(
                first
                    + segments
                        .iter()
                        .filter_map(|s| s["done"].as_u64())
                        .sum::<u64>(),
            );
        }
    }
    None
}

#[test]
fn a_segmented_download_killed_with_sigkill_resumes_each_part_byte_exact() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let src = cli.path("big.bin");
    let data = pattern(24 * 1024 * 1024, 22);
    std::fs::write(&src, &data).unwrap();
    cli.ok(&["put", src.to_str().unwrap(), "ys:/"]);
    // Each connection capped, as hosts do: four of them go four times as fast.
    server.set_faults(Faults {
        rate_per_conn: Some(1024 * 1024),
        ..Faults::default()
    });
    let out = cli.path("out");
    let mut child = cli
        .std_cmd()
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let at_kill = loop {
        if let Some(done) = recorded(&out).filter(|d| *d >= 5 * 1024 * 1024) {
            break done;
        }
        assert!(Instant::now() < deadline, "the download never got going");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let stats = server.handle.stats();
    assert_eq!(
        stats["max_conns_per_file_seen"], 4,
        "four connections at once: {stats}"
    );
    assert!(
        !out.join("big.bin").exists(),
        "no final name before completion"
    );
    let recorded_now = recorded(&out).expect("the state outlives the kill");
    assert!(recorded_now >= at_kill);

    server.set_faults(Faults::default());
    let sent_before = bytes_sent(&server);
    cli.cmd()
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("resuming"));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
    let resent = bytes_sent(&server) - sent_before;
    let missing = data.len() as u64 - recorded_now;
    assert!(
        resent >= missing && resent < missing + 64 * 1024,
        "the restart fetched {resent} bytes for {missing} missing"
    );
    assert!(recorded(&out).is_none(), "the state goes with the part");
    assert!(!out.join("big.bin.haul-part").exists());
}

#[test]
fn a_host_that_allows_two_connections_gets_two_and_one_that_ignores_range_gets_one() {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let src = cli.path("big.bin");
    let data = pattern(20 * 1024 * 1024, 23);
    std::fs::write(&src, &data).unwrap();
    cli.ok(&["put", src.to_str().unwrap(), "ys:/"]);
    server.set_faults(Faults {
        max_conns_per_file: Some(2),
        max_conns_status: 429,
        rate_per_conn: Some(8 * 1024 * 1024),
        ..Faults::default()
    });
    let out = cli.path("two");
    cli.cmd()
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
    let stats = server.handle.stats();
    assert_eq!(stats["max_conns_per_file_seen"], 2, "{stats}");
    assert!(
        stats["refused_conns_per_file"].as_u64().unwrap_or(0) > 0,
        "{stats}"
    );

    server.set_faults(Faults {
        ignore_range: true,
        ..Faults::default()
    });
    let out = cli.path("one");
    cli.cmd()
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("ignores Range requests"));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
}
