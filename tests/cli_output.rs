//! What commands write, as scripts use it: a reader that goes away early ends haul quietly
//! (exit 141, no panic, no message), `--json` everywhere a script reads results (never a
//! secret), shell completions and the man page.

mod common;

use std::process::{Command, Output, Stdio};

use common::{Cli, Server};
use predicates::prelude::*;
use serde_json::Value;

/// The exit status the README documents for a closed stdout.
const CLOSED_PIPE: i32 = 141;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys"), server.account("k2s")]);
    let file = cli.path("pub.txt");
    std::fs::write(&file, b"public").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&file)
        .arg("ys:/")
        .assert()
        .success();
    (server, cli)
}

/// Run haul with its stdout a pipe whose reading end is already closed.
fn with_stdout_closed(cli: &Cli, args: &[&str]) -> Output {
    let mut child = cli
        .std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let (_server, cli) = setup();
    for args in [
        &["ls", "ys:/"][..],
        &["ls", "ys:/", "--json"],
        &["accounts", "list"],
        &["accounts", "list", "--json"],
        &["accounts", "test", "ys"],
        &["queue", "ls"],
        &["queue", "ls", "--json"],
        &["about", "ys:"],
        &["about", "ys:", "--json"],
        &["link", "ys:/pub.txt"],
        &["link", "ys:/pub.txt", "--json"],
        &["mkdir", "ys:/Made"],
        &["completions", "bash"],
        &["man"],
        &["--demo", "ls", "ys:/"],
        &["--help"],
        &["put", "--help"],
        &["--version"],
    ] {
        let out = with_stdout_closed(&cli, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(CLOSED_PIPE), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} said something: {err}");
    }
}

#[test]
fn a_pipe_into_head_ends_haul_quietly() {
    // More than a pipe holds (64 KiB), so haul is still writing when head is gone.
    let cli = Cli::new(&[]);
    let mut config = String::new();
    for i in 0..2000 {
        config.push_str(&format!(
            "[accounts.a{i}]\nprovider = \"yetishare\"\nbase_url = \"http://127.0.0.1:9/api/v2\"\n"
        ));
    }
    std::fs::write(&cli.config, config).unwrap();
    let haul = assert_cmd::cargo::cargo_bin("haul");
    let script = r#""$HAUL" accounts list 2>"$ERR" | head -1; echo "status ${PIPESTATUS[0]}""#;
    let err_file = cli.path("stderr.txt");
    let out = Command::new("bash")
        .args(["-c", script])
        .env("HAUL", &haul)
        .env("ERR", &err_file)
        .env("HAUL_CONFIG", &cli.config)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/haul-test-bus",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        format!(
            "a0\tyetishare\thttp://127.0.0.1:9/api/v2\t-\tsecret: missing\nstatus {CLOSED_PIPE}\n"
        )
    );
    assert_eq!(std::fs::read_to_string(&err_file).unwrap(), "");
}

#[test]
fn a_closed_stderr_or_a_full_disk_is_no_panic() {
    let (_server, cli) = setup();
    // The error line has nowhere to go: the exit status still says what happened.
    let mut child = cli
        .std_cmd()
        .args(["ls", "nope:/"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
    // Progress lines to a closed stderr: the download still completes.
    let out = cli.path("out");
    let mut child = cli
        .std_cmd()
        .args(["get", "ys:/pub.txt"])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert!(child.wait().unwrap().success());
    assert_eq!(std::fs::read(out.join("pub.txt")).unwrap(), b"public");

    // Any other failure to write results is one line.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = cli
        .std_cmd()
        .args(["ls", "ys:/"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim(),
        "haul: cannot write to standard output: No space left on device (os error 28)"
    );
}

/// `haul ARGS`, which must succeed, as JSON.
fn json_of(cli: &Cli, args: &[&str]) -> Value {
    let out = cli.ok(args).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}

/// No secret of these accounts anywhere in `text`.
fn assert_no_secret(server: &Server, text: &str) {
    for name in ["ys", "k2s"] {
        let secret = server.account(name).secret;
        for part in secret.split(':') {
            assert!(!text.contains(part), "{name}'s secret in {text}");
        }
    }
}

#[test]
fn json_output_has_the_documented_fields_and_no_secret() {
    let (server, cli) = setup();

    let about = json_of(&cli, &["about", "ys:", "--json"]);
    assert_eq!(about["account"], "ys");
    assert_eq!(about["provider"], "yetishare");
    assert_eq!(about["base_url"], server.account("ys").base_url);
    assert!(
        about["plan"].as_str().unwrap().contains("Premium"),
        "{about}"
    );
    for field in [
        "username",
        "email",
        "premium_until",
        "storage_used",
        "storage_limit",
        "traffic_left",
        "max_upload_size",
        "concurrent_uploads",
        "concurrent_downloads",
    ] {
        assert!(about.get(field).is_some(), "no {field}: {about}");
    }
    assert!(about["extra"].is_object());
    let k2s = json_of(&cli, &["about", "k2s", "--json"]);
    assert_eq!(k2s["provider"], "keep2share");
    assert!(k2s["traffic_left"].is_u64(), "{k2s}");

    let links = json_of(&cli, &["link", "ys:/pub.txt", "--json"]);
    let link = &links[0];
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert_eq!(link["target"], "ys:/pub.txt");
    assert_eq!(link["name"], "pub.txt");
    assert_eq!(link["account"], "ys");
    assert_eq!(link["host"], "127.0.0.1");
    assert!(link["size"].is_u64());
    let url = link["link"].as_str().unwrap();
    assert!(url.starts_with(&server.handle.base_url()), "{url}");
    let plain = cli.ok(&["link", "ys:/pub.txt"]).get_output().stdout.clone();
    let plain = String::from_utf8(plain).unwrap();
    assert!(plain.starts_with(&format!("{url} pub.txt (")), "{plain}");
    let only = cli.ok(&["link", "--format", "url", "ys:/pub.txt"]);
    assert_eq!(
        String::from_utf8_lossy(&only.get_output().stdout).trim(),
        url
    );

    let accounts = json_of(&cli, &["accounts", "list", "--json"]);
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    let ys = &accounts[1];
    assert_eq!(ys["name"], "ys");
    assert_eq!(ys["provider"], "yetishare");
    assert_eq!(ys["base_url"], server.account("ys").base_url);
    assert_eq!(ys["username"], server.account("ys").username.unwrap());
    assert_eq!(ys["secret"], "environment");
    assert_eq!(ys["secret_env"], "HAUL_SECRET_YS");

    let queue = json_of(&cli, &["queue", "ls", "--json"]);
    let upload = &queue.as_array().unwrap()[0];
    assert_eq!(upload["op"], "upload");
    assert_eq!(upload["state"], "done");
    assert_eq!(upload["total"], 6);
    assert!(upload["id"].is_i64() && upload["what"].is_string());
    assert!(upload["error"].is_null() && upload["parent"].is_null());

    for args in [
        &["about", "ys:", "--json"][..],
        &["about", "k2s:", "--json"],
        &["accounts", "list", "--json"],
        &["queue", "ls", "--json"],
        &["ls", "ys:/", "--json"],
    ] {
        let out = cli.ok(args).get_output().clone();
        assert_no_secret(&server, &String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn bash_completes_commands_and_flags() {
    let cli = Cli::new(&[]);
    let script = cli.path("haul.bash");
    let text = cli.ok(&["completions", "bash"]).get_output().stdout.clone();
    std::fs::write(&script, text).unwrap();
    // What bash offers after the words typed so far (the last one being completed).
    let complete = |words: &[&str]| {
        let out = Command::new("bash")
            .args([
                "-c",
                r#"source "$SCRIPT"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _haul haul "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; printf '%s\n' "${COMPREPLY[@]}""#,
                "bash",
            ])
            .args(words)
            .env("SCRIPT", &script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete(&["haul", "acco"]), "accounts\n");
    assert_eq!(complete(&["haul", "acc"]), "access\naccounts\n");
    assert!(complete(&["haul", "put", "--no"]).contains("--no-dedupe\n"));
    assert!(complete(&["haul", "accounts", "add", "x", "--no"]).contains("--no-check\n"));
    assert!(complete(&["haul", "completions", ""]).contains("fish\n"));

    // No zsh or fish here to run them: their scripts name haul and its flags.
    for (shell, says) in [
        ("zsh", ["#compdef haul", "--no-dedupe"]),
        ("fish", ["complete -c haul", "-l no-dedupe"]),
    ] {
        let script = cli.ok(&["completions", shell]).get_output().stdout.clone();
        let script = String::from_utf8(script).unwrap();
        for said in says {
            assert!(script.contains(said), "{shell}: no {said:?}");
        }
    }
}

/// A roff page as `man` shows it.
fn rendered(cli: &Cli, roff: &[u8]) -> String {
    let page = cli.path("page.1");
    std::fs::write(&page, roff).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man (man-db) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_man_page_comes_from_the_commands_themselves() {
    let cli = Cli::new(&[]);
    let roff = cli.ok(&["man"]).get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&roff).contains(".TH haul 1"));
    let page = rendered(&cli, &roff);
    for shown in [
        "NAME",
        "SYNOPSIS",
        "--config",
        "--quiet",
        "haul-put(1)",
        "haul-completions(1)",
    ] {
        assert!(page.contains(shown), "no {shown:?} in:\n{page}");
    }
    let put = cli.ok(&["man", "put"]).get_output().stdout.clone();
    let page = rendered(&cli, &put);
    for shown in ["haul-put", "haul put", "--no-dedupe", "--bwlimit"] {
        assert!(page.contains(shown), "no {shown:?} in:\n{page}");
    }
    cli.cmd()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no command named \"nope\""));
}
