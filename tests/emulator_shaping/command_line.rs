//! `haul emulator`'s flags for the network and the hostile host, as a user types them.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `haul emulator ARGS` on a free port; the child, its faults as served, its data dir.
async fn emulator_with(args: &[&str]) -> (Child, Value, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("haul"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--no-seed", "--data"])
        .arg(data.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("haul emulator starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .await
        .expect("a first line");
    let origin = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let faults = reqwest::get(format!("{origin}/__emulator/faults"))
        .await
        .expect("faults")
        .json()
        .await
        .expect("faults JSON");
    (child, faults, data)
}

#[tokio::test]
async fn the_flags_set_the_knobs() {
    let (mut child, faults, _data) = emulator_with(&[
        "--latency-ms",
        "120",
        "--rate-per-conn",
        "20M",
        "--max-conns-per-file",
        "3",
        "--max-conns-status",
        "429",
        "--hostile",
        "name-ansi,body-short",
    ])
    .await;
    child.kill().await.expect("stop");
    assert_eq!(faults["latency_ms"], 120);
    assert_eq!(faults["rate_per_conn"], 20 * 1024 * 1024);
    assert_eq!(faults["max_conns_per_file"], 3);
    assert_eq!(faults["max_conns_status"], 429);
    assert_eq!(faults["hostile"], json!(["name-ansi", "body-short"]));
}

#[tokio::test]
async fn hostile_without_cases_means_all_of_them_and_delay_ms_still_works() {
    let (mut child, faults, _data) = emulator_with(&["--hostile", "--delay-ms", "40"]).await;
    child.kill().await.expect("stop");
    let cases = faults["hostile"].as_array().expect("a list");
    assert_eq!(cases.len(), 29, "{faults}");
    assert!(cases.contains(&json!("redirect-to-other-host")));
    assert_eq!(faults["latency_ms"], 40);
    assert_eq!(faults["max_conns_status"], 503);
}

#[test]
fn bad_values_are_refused_and_help_lists_the_cases() {
    let haul = || assert_cmd::Command::cargo_bin("haul").expect("binary");
    let refused = haul()
        .args(["emulator", "--rate-per-conn", "fast"])
        .assert()
        .failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(said.contains("not a rate"), "{said}");
    haul()
        .args(["emulator", "--max-conns-status", "500"])
        .assert()
        .failure();
    haul()
        .args(["emulator", "--hostile", "name-evil"])
        .assert()
        .failure();
    let help = haul().args(["emulator", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    for flag in [
        "--latency-ms",
        "--rate-per-conn",
        "--max-conns-per-file",
        "--max-conns-status",
        "--hostile",
        "name-zero-width",
        "body-lying-length",
        "reply-huge",
        "link-to-javascript",
        "redirect-to-other-host",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
}
