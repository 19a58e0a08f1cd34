//! The binary against the Keep2Share emulator, as a user runs it: the everyday commands on
//! `k2s:`, instant uploads, remote uploads, and free downloads that need a captcha, both without
//! a terminal (refused in words) and on a pseudo-terminal where a person types the answer.

mod common;

use common::names;

use std::path::Path;
use std::time::{Duration, Instant};

use common::terminal::Terminal;
use common::{Cli, Server, pattern, sha256_file};
use haul::emulator::keep2share::{SHARED_FILE_ID, SHARED_FILE_NAME};
use predicates::prelude::*;
use serde_json::{Value, json};

fn setup() -> (Server, Cli) {
    let server = Server::start(true);
    let cli = Cli::new(&[server.account("k2s"), server.account("k2s-free")]);
    (server, cli)
}

/// Requests to one Keep2Share route so far.
fn calls(server: &Server, route: &str) -> u64 {
    server.handle.stats()["by_route"][format!("keep2share/{route}")]
        .as_u64()
        .unwrap_or_default()
}

/// Change some of the Keep2Share site's settings through the test hook.
fn settings(server: &Server, changes: Value) {
    let url = format!(
        "{}/__emulator/keep2share/settings",
        server.handle.base_url()
    );
    server.runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut current: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        for (k, v) in changes.as_object().unwrap() {
            current[k] = v.clone();
        }
        let status = http
            .post(&url)
            .json(&current)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    });
}

/// The answer to a captcha, from the test hook.
fn captcha_answer(server: &Server, challenge: &str) -> String {
    let url = format!(
        "{}/__emulator/keep2share/captcha/{challenge}",
        server.handle.base_url()
    );
    let reply: Value = server
        .runtime
        .block_on(async { reqwest::get(&url).await.unwrap().json().await.unwrap() });
    reply["answer"]
        .as_str()
        .expect("the hook knows it")
        .to_string()
}

/// The shared demo file, downloaded by its owner (the premium account): the reference bytes.
fn owners_copy(cli: &Cli) -> std::path::PathBuf {
    let dir = cli.path("owner");
    cli.cmd()
        .args(["get", &format!("k2s:#file:{SHARED_FILE_ID}")])
        .arg(&dir)
        .assert()
        .success();
    dir.join(SHARED_FILE_NAME)
}

fn files_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn put_ls_get_round_trip_is_byte_exact() {
    let (_server, cli) = setup();
    let one = cli.path("one.bin");
    let big = cli.path("big.bin");
    std::fs::write(&one, b"x").unwrap();
    std::fs::write(&big, pattern(3 * 1024 * 1024 + 17, 7)).unwrap();
    cli.cmd()
        .arg("put")
        .arg(&one)
        .arg(&big)
        .arg("k2s:/Up/Loads")
        .assert()
        .success();
    let items = cli.ls_json("k2s:/Up/Loads");
    assert_eq!(names(&items), ["big.bin", "one.bin"]);
    let big_item = items.iter().find(|i| i["name"] == "big.bin").unwrap();
    assert_eq!(big_item["kind"], "file");
    assert_eq!(big_item["size"], 3 * 1024 * 1024 + 17);
    assert_eq!(
        names(&cli.ls_json("k2s:/Up")),
        ["Loads"],
        "folders are listed too"
    );
    // The plain listing shows the names.
    cli.cmd()
        .args(["ls", "k2s:/Up/Loads"])
        .assert()
        .success()
        .stdout(predicate::str::contains("big.bin").and(predicate::str::contains("one.bin")));

    let out = cli.path("out");
    cli.cmd()
        .args(["get", "k2s:/Up/Loads/one.bin", "k2s:/Up/Loads/big.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(sha256_file(&out.join("one.bin")), sha256_file(&one));
    assert_eq!(sha256_file(&out.join("big.bin")), sha256_file(&big));
    let mut written = files_in(&out);
    written.sort();
    assert_eq!(written, ["big.bin", "one.bin"], "no part files remain");

    // Folders both ways.
    let tree = cli.path("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a.txt"), b"alpha").unwrap();
    std::fs::write(tree.join("sub/b.txt"), pattern(70_000, 3)).unwrap();
    cli.cmd()
        .args(["put", "-r"])
        .arg(&tree)
        .arg("k2s:/")
        .assert()
        .success();
    let back = cli.path("back");
    cli.cmd()
        .args(["get", "-r", "k2s:/tree"])
        .arg(&back)
        .assert()
        .success();
    for rel in ["a.txt", "sub/b.txt"] {
        assert_eq!(
            sha256_file(&back.join("tree").join(rel)),
            sha256_file(&tree.join(rel)),
            "{rel}"
        );
    }
}

#[test]
fn mkdir_mv_cp_rm() {
    let (_server, cli) = setup();
    cli.cmd().args(["mkdir", "k2s:/A/B/C"]).assert().success();
    cli.cmd().args(["mkdir", "k2s:/A/B/C"]).assert().success(); // idempotent
    assert_eq!(names(&cli.ls_json("k2s:/A/B")), ["C"]);
    let f = cli.path("doc.txt");
    std::fs::write(&f, b"document").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("k2s:/A")
        .assert()
        .success();

    // Into a folder, then move + rename.
    cli.ok(&["mv", "k2s:/A/doc.txt", "k2s:/A/B"]);
    assert_eq!(names(&cli.ls_json("k2s:/A/B")), ["C", "doc.txt"]);
    cli.ok(&["mv", "k2s:/A/B/doc.txt", "k2s:/renamed.txt"]);
    assert!(names(&cli.ls_json("k2s:/")).contains(&"renamed.txt".to_string()));
    assert_eq!(names(&cli.ls_json("k2s:/A/B")), ["C"]);

    // Copies on the server: into a folder, under a new (short) name, a whole folder.
    cli.ok(&["cp", "k2s:/renamed.txt", "k2s:/A/B/C"]);
    cli.ok(&["cp", "k2s:/renamed.txt", "k2s:/A/c"]);
    cli.ok(&["cp", "k2s:/A/B", "k2s:/B2"]);
    assert_eq!(names(&cli.ls_json("k2s:/B2/C")), ["renamed.txt"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "k2s:/A/c", "k2s:/B2/C/renamed.txt"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("c")).unwrap(), b"document");
    assert_eq!(std::fs::read(out.join("renamed.txt")).unwrap(), b"document");
    cli.cmd()
        .args(["mv", "k2s:/A", "k2s:/A/B"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("into itself"));

    // Deletes.
    cli.cmd()
        .args(["rm", "k2s:/A"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rm -r"));
    cli.ok(&["rm", "k2s:/renamed.txt"]);
    cli.cmd().args(["rm", "-r", "k2s:/A"]).assert().success();
    let root = names(&cli.ls_json("k2s:/"));
    assert!(!root.contains(&"A".to_string()) && !root.contains(&"renamed.txt".to_string()));
    cli.cmd()
        .args(["rm", "k2s:/nothing-here"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no such file or folder"));
}

#[test]
fn about_and_link() {
    let (server, cli) = setup();
    cli.cmd().args(["about", "k2s:"]).assert().success().stdout(
        predicate::str::contains("premium")
            .and(predicate::str::contains("2100-01-01"))
            .and(predicate::str::contains("12.50")),
    );
    cli.cmd()
        .args(["about", "k2s-free"])
        .assert()
        .success()
        .stdout(predicate::str::contains("free"));
    let f = cli.path("pub.txt");
    std::fs::write(&f, b"public").unwrap();
    cli.cmd().arg("put").arg(&f).arg("k2s:/").assert().success();
    let id = cli.ls_json("k2s:/pub.txt")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    cli.cmd()
        .args(["link", "--format", "url", "k2s:/pub.txt"])
        .assert()
        .success()
        .stdout(format!("{}/file/{id}\n", server.handle.base_url()));
    cli.cmd()
        .args(["link", "k2s:/Documents"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("files only"));
}

#[test]
fn put_of_bytes_the_host_has_is_instant_unless_told_otherwise() {
    let (server, cli) = setup();
    let f = cli.path("known.bin");
    std::fs::write(&f, pattern(400_000, 21)).unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("k2s:/First")
        .assert()
        .success()
        .stderr(predicate::str::contains("instant").not());
    assert_eq!(calls(&server, "upload"), 1);

    // The same bytes again, from another account: placed by hash, no bytes sent.
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("k2s-free:/Again")
        .assert()
        .success()
        .stderr(predicate::str::contains("instant"));
    assert_eq!(calls(&server, "upload"), 1, "no upload");
    let placed = cli.ls_json("k2s-free:/Again");
    assert_eq!(names(&placed), ["known.bin"]);
    assert_eq!(placed[0]["size"], 400_000);

    // --no-dedupe sends the bytes anyway.
    cli.cmd()
        .args(["put", "--no-dedupe"])
        .arg(&f)
        .arg("k2s-free:/Sent")
        .assert()
        .success()
        .stderr(predicate::str::contains("instant").not());
    assert_eq!(calls(&server, "upload"), 2);
    let out = cli.path("check");
    cli.cmd()
        .args(["get", "k2s-free:/Again/known.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(sha256_file(&out.join("known.bin")), sha256_file(&f));
}

#[test]
fn put_of_a_url_is_fetched_by_the_host_into_the_folder() {
    let (server, cli) = setup();
    let payload = pattern(250_000, 5);
    let served = payload.clone();
    let app = axum::Router::new().route(
        "/files/remote.bin",
        axum::routing::get(move || {
            let body = served.clone();
            async move { body }
        }),
    );
    let listener = server
        .runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    server
        .runtime
        .spawn(async move { axum::serve(listener, app).await });

    cli.cmd()
        .args([
            "put",
            &format!("http://{addr}/files/remote.bin"),
            "k2s:/Dir",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("fetched"));
    let items = cli.ls_json("k2s:/Dir");
    assert_eq!(names(&items), ["remote.bin"]);
    assert_eq!(items[0]["size"], 250_000);
    assert!(
        !names(&cli.ls_json("k2s:/")).contains(&"remote.bin".to_string()),
        "not left at the root"
    );
    let out = cli.path("r");
    cli.cmd()
        .args(["get", "k2s:/Dir/remote.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("remote.bin")).unwrap(), payload);

    // A URL the source doesn't have: a clear failure.
    cli.cmd()
        .args(["put", &format!("http://{addr}/nothing.bin"), "k2s:/Dir"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("could not fetch"));
}

#[test]
fn a_free_download_without_a_terminal_says_a_captcha_is_needed() {
    let (server, cli) = setup();
    let source = format!("k2s-free:#file:{SHARED_FILE_ID}");
    for (flags, stdin) in [(&["--no-input"][..], ""), (&[][..], "abcdef\n")] {
        let out = cli.path("free-out");
        let started = Instant::now();
        let assert = cli
            .cmd()
            .arg("get")
            .args(flags)
            .arg(&source)
            .arg(&out)
            .write_stdin(stdin)
            .assert()
            .failure()
            .code(1);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(err.contains("captcha"), "{err}");
        assert!(err.contains("terminal"), "says how to answer it: {err}");
        assert!(started.elapsed() < Duration::from_secs(30));
        assert!(
            files_in(&out).is_empty(),
            "nothing written: {:?}",
            files_in(&out)
        );
    }
    assert_eq!(calls(&server, "download"), 0);
}

/// The challenge ids of every `captcha: <url>?id=<challenge>` line so far.
fn challenges(screen: &str) -> Vec<String> {
    screen
        .match_indices("captcha: ")
        .filter_map(|(at, _)| {
            let line = screen[at..].lines().next()?;
            let (_, id) = line.split_once("?id=")?;
            let id: String = id.chars().take_while(char::is_ascii_hexdigit).collect();
            (id.len() == 13).then_some(id)
        })
        .collect()
}

fn prompts(screen: &str) -> usize {
    screen.matches("type the characters you see:").count()
}

#[test]
fn a_free_download_on_a_terminal_takes_the_typed_answer_then_the_countdown() {
    let (server, cli) = setup();
    settings(&server, json!({"free_wait_ms": 1500}));
    let reference = owners_copy(&cli);
    let out = cli.path("free-out");
    let source = format!("k2s-free:#file:{SHARED_FILE_ID}");
    let mut term = Terminal::run(&cli, &["get", &source, &out.display().to_string()]);

    // A wrong answer first: a new captcha comes.
    let first = term.wait_for("the captcha URL", |s| challenges(s).into_iter().next());
    term.wait_for("the prompt", |s| (prompts(s) >= 1).then_some(()));
    term.type_line("wrong1");
    let second = term.wait_for("a second captcha", |s| challenges(s).get(1).cloned());
    assert_ne!(second, first);
    term.wait_for("the second prompt", |s| (prompts(s) >= 2).then_some(()));
    let screen = term.screen();
    assert!(screen.contains("not accepted"), "{screen}");

    // The right answer, then the host's countdown, then the file.
    term.type_line(&captcha_answer(&server, &second));
    let answered = Instant::now();
    let (status, screen) = term.finish();
    assert!(
        status.success(),
        "haul failed: {status}; the screen:\n{screen}"
    );
    assert!(
        answered.elapsed() >= Duration::from_millis(1400),
        "the countdown was sat out"
    );
    assert_eq!(prompts(&screen), 2, "{screen}");
    // The bar said why nothing moved meanwhile, counting the seconds down, and showed no
    // empty byte counts while it waited.
    assert!(screen.contains("wait before a free"), "{screen}");
    assert!(screen.contains("download (1s)"), "seconds left:\n{screen}");
    assert!(!screen.contains("0 B/0 B"), "{screen}");
    let got = out.join(SHARED_FILE_NAME);
    assert_eq!(sha256_file(&got), sha256_file(&reference));
    assert_eq!(files_in(&out), [SHARED_FILE_NAME]);
}
