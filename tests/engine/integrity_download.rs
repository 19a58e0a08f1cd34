//! Issue 11, the download side: one owner per part file, no zeros, the listed size as the
//! contract, and a retry budget that counts only attempts that moved nothing. `haul` runs as a
//! user runs it (two processes at once where it matters) against the emulator's faults and
//! hostile bodies, over real HTTP.

use std::process::{Child, Stdio};
use std::time::Instant;

use crate::common::{Cli, Server, pattern, sha256_file};
use haul::emulator::HostileCase;

use super::*;

/// The three sites, by the account `haul` knows them as.
const SITES: [&str; 3] = ["ys", "xfs", "k2s"];

fn server_and_cli() -> (Server, Cli) {
    let server = Server::start(false);
    let accounts: Vec<_> = SITES.iter().map(|a| server.account(a)).collect();
    let cli = Cli::new(&accounts);
    (server, cli)
}

/// `haul put` of `len` bytes as `name` into `account:/`; returns the bytes.
fn put(cli: &Cli, account: &str, name: &str, len: usize, seed: u64) -> Vec<u8> {
    let src = cli.path("src").join(name);
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    let data = pattern(len, seed);
    std::fs::write(&src, &data).unwrap();
    cli.ok(&["put", src.to_str().unwrap(), &format!("{account}:/")]);
    data
}

fn stderr_of(child: Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir`, with its size.
fn files_in(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let meta = e.metadata().unwrap();
            out.push((e.file_name().to_string_lossy().into_owned(), meta.len()));
        }
    }
    out
}

#[test]
fn two_haul_processes_downloading_one_file_end_byte_exact_and_the_second_says_why() {
    let (_server, cli) = server_and_cli();
    let data = put(&cli, "ys", "big.bin", 12 * 1024 * 1024, 3);
    let out = cli.path("out");
    let part = out.join("big.bin.haul-part");
    let mut first = cli.std_cmd();
    first
        .args(["get", "--bwlimit", "3M", "ys:/big.bin"])
        .arg(&out)
        .stderr(Stdio::piped());
    let first = first.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < 1024 * 1024 {
        assert!(
            Instant::now() < deadline,
            "the first download never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The same command again while the first writes the part file.
    let mut second = cli.std_cmd();
    second
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .stderr(Stdio::piped());
    let second = second.spawn().unwrap();
    let (first_ok, first_err) = stderr_of(first);
    let (second_ok, second_err) = stderr_of(second);
    assert!(first_ok, "the first haul: {first_err}");
    assert!(second_ok, "the second haul: {second_err}");
    assert!(
        second_err.contains("being downloaded by another haul"),
        "the second says why it waits: {second_err}"
    );
    assert!(
        second_err.contains("downloaded meanwhile by another haul"),
        "and that it found the file done: {second_err}"
    );
    assert_eq!(
        sha256_file(&out.join("big.bin")),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data)),
        "byte-exact, no zeros"
    );
    assert_eq!(files_in(&out), [("big.bin".to_string(), data.len() as u64)]);
}

#[test]
fn a_waiting_haul_takes_over_the_part_when_the_first_is_killed() {
    let (_server, cli) = server_and_cli();
    let data = put(&cli, "ys", "big.bin", 12 * 1024 * 1024, 4);
    let out = cli.path("out");
    let part = out.join("big.bin.haul-part");
    let mut first = cli
        .std_cmd()
        .args([
            "get",
            "--connections",
            "1",
            "--bwlimit",
            "2M",
            "ys:/big.bin",
        ])
        .arg(&out)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < 1024 * 1024 {
        assert!(
            Instant::now() < deadline,
            "the first download never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut second = cli.std_cmd();
    second
        .args(["get", "ys:/big.bin"])
        .arg(&out)
        .stderr(Stdio::piped());
    let mut second = second.spawn().unwrap();
    // Its lines as they come: the kill waits until it says it is waiting.
    let (lines, heard) = std::sync::mpsc::channel();
    let stderr = second.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let mut err = String::new();
    while !err.contains("being downloaded by another haul") {
        let line = heard
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the second never said it waits: {err}"));
        err.push_str(&line);
        err.push('\n');
    }
    first.kill().unwrap(); // SIGKILL: the OS lets go of its lock
    first.wait().unwrap();
    let ok = second.wait().unwrap().success();
    reader.join().unwrap();
    err.extend(heard.try_iter().map(|l| l + "\n"));
    assert!(ok, "the second haul: {err}");
    assert!(err.contains("resuming"), "it kept the bytes: {err}");
    assert!(
        std::fs::read(out.join("big.bin")).unwrap() == data,
        "byte-exact"
    );
    assert_eq!(files_in(&out).len(), 1, "no part file left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_and_its_duplicate_never_write_one_part_file_together() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 6 * 1024 * 1024).await;
    e.server.set_faults(Faults {
        rate_per_conn: Some(4 * 1024 * 1024),
        ..Default::default()
    });
    let out = e.dir.path().join("out");
    // A part file left by an earlier run: both jobs would resume it.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("big.bin.haul-part"), &data[..100_000]).unwrap();
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    let spec = copy(remote_item("ys", &entry), FolderAddr::local(&out));
    engine.enqueue(spec.clone()).unwrap();
    engine.enqueue(spec).unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    let notes: Vec<String> = engine
        .jobs()
        .await
        .into_iter()
        .filter_map(|j| match j.state {
            JobState::Done { note } => note,
            _ => None,
        })
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("downloaded meanwhile by another haul")),
        "{notes:?}"
    );
    assert!(
        std::fs::read(out.join("big.bin")).unwrap() == data,
        "byte-exact"
    );
    assert_eq!(files_in(&out).len(), 1, "no part file left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_longer_than_the_listed_size_starts_over_byte_exact() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 300_000).await;
    let out = e.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("big.bin.haul-part"), vec![9u8; 400_000]).unwrap();
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    assert!(std::fs::read(out.join("big.bin")).unwrap() == data);
}

/// `haul get ACCOUNT:/NAME out` under hostile `case`: must fail, and leave nothing under the
/// final name nor anything longer than the file. Returns its stderr.
fn get_fails_under(server: &Server, cli: &Cli, account: &str, case: HostileCase) -> String {
    let name = format!("{account}.bin");
    let out = cli.path(&format!("out-{account}-{case:?}"));
    server.set_faults(Faults {
        hostile: vec![case],
        ..Default::default()
    });
    let started = Instant::now();
    let got = cli
        .cmd()
        .args(["get", "--retries", "1", &format!("{account}:/{name}")])
        .arg(&out)
        .output()
        .unwrap();
    server.set_faults(Faults::default());
    let err = String::from_utf8_lossy(&got.stderr).into_owned();
    assert!(!got.status.success(), "{account} {case:?} failed: {err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{account} {case:?} took {:?}",
        started.elapsed()
    );
    assert!(
        !out.join(&name).exists(),
        "{account} {case:?}: no final file"
    );
    for (file, len) in files_in(&out) {
        assert!(
            len <= 300_000,
            "{account} {case:?}: {file} holds {len} bytes"
        );
    }
    err
}

#[test]
fn the_listed_size_is_the_contract_on_every_site() {
    let (server, cli) = server_and_cli();
    for account in SITES {
        let data = put(&cli, account, &format!("{account}.bin"), 300_000, 5);
        let listed = cli.ls_json(&format!("{account}:/"));
        assert_eq!(listed[0]["size"], 300_000, "{account} lists the size");
        for case in [HostileCase::BodyLong, HostileCase::BodyEndless] {
            let err = get_fails_under(&server, &cli, account, case);
            assert!(
                err.contains("host sent more than the 300000 bytes listed; discarded"),
                "{account} {case:?}: {err}"
            );
            let out = cli.path(&format!("out-{account}-{case:?}"));
            assert_eq!(files_in(&out), [], "{account} {case:?}: nothing kept");
        }
        for case in [
            HostileCase::BodyShort,
            HostileCase::BodyLengthMismatch,
            HostileCase::BodyLyingLength,
        ] {
            let err = get_fails_under(&server, &cli, account, case);
            assert!(
                err.contains("run the same command again"),
                "{account} {case:?}: {err}"
            );
            // Once the host behaves, the same command finishes the file.
            let out = cli.path(&format!("out-{account}-{case:?}"));
            cli.ok(&[
                "get",
                &format!("{account}:/{account}.bin"),
                out.to_str().unwrap(),
            ]);
            assert!(std::fs::read(out.join(format!("{account}.bin"))).unwrap() == data);
        }
    }
}

#[test]
fn a_link_that_breaks_every_2_mib_still_brings_20_mb() {
    let (server, cli) = server_and_cli();
    let data = put(&cli, "ys", "big.bin", 20_000_000, 8);
    server.set_faults(Faults {
        cut_body_after: Some(2 * 1024 * 1024),
        ..Default::default()
    });
    let out = cli.path("out");
    // Ten cuts, two retries allowed: each attempt that moved bytes starts a fresh count.
    cli.ok(&[
        "get",
        "--retries",
        "2",
        "ys:/big.bin",
        out.to_str().unwrap(),
    ]);
    assert!(std::fs::read(out.join("big.bin")).unwrap() == data);
    // Attempts that move nothing still run out.
    server.set_faults(Faults {
        cut_body_after: Some(0),
        ..Default::default()
    });
    let out = cli.path("out2");
    let err = cli
        .cmd()
        .args(["get", "--retries", "2", "ys:/big.bin"])
        .arg(&out)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("gave up after 3 attempts"), "{err}");
}

#[test]
fn a_download_that_fails_before_its_first_byte_leaves_no_part_file() {
    let (server, cli) = server_and_cli();
    put(&cli, "ys", "f.bin", 10_000, 9);
    server.set_faults(Faults {
        hostile: vec![HostileCase::RedirectToFile],
        ..Default::default()
    });
    let out = cli.path("out");
    cli.cmd()
        .args(["get", "--retries", "0", "ys:/f.bin"])
        .arg(&out)
        .assert()
        .failure();
    assert_eq!(files_in(&out), [], "the locked part went with its lock");
}
