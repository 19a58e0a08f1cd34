//! The binary on an XFileSharing account as a user runs it, against the emulator over real
//! HTTP: browsing, transfers through the engine, and what the site's API cannot do, explained.

mod common;

use common::names;

use common::{Cli, Server, pattern, sha256_file};
use predicates::prelude::*;

fn setup(seed_demo: bool) -> (Server, Cli) {
    let server = Server::start(seed_demo);
    let cli = Cli::new(&[
        server.account("xfs"),
        server.account("xfs-free"),
        server.account("ys"),
    ]);
    (server, cli)
}

/// Runs a command that must fail; returns its stderr, checked to be one line.
fn fails(cli: &Cli, args: &[&str]) -> String {
    let out = cli.cmd().args(args).assert().failure().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("haul: "), "{err}");
    err
}

#[test]
fn put_ls_get_are_byte_exact() {
    let (_server, cli) = setup(false);
    let one = cli.path("one.bin");
    let big = cli.path("big.bin");
    std::fs::write(&one, b"1").unwrap();
    std::fs::write(&big, pattern(3 * 1024 * 1024 + 5, 17)).unwrap();
    cli.cmd()
        .arg("put")
        .arg(&one)
        .arg(&big)
        .arg("xfs:/Up/Loads")
        .assert()
        .success();
    let items = cli.ls_json("xfs:/Up/Loads");
    assert_eq!(names(&items), ["big.bin", "one.bin"]);
    let big_item = items.iter().find(|i| i["name"] == "big.bin").unwrap();
    assert_eq!(big_item["kind"], "file");
    assert_eq!(big_item["size"], 3 * 1024 * 1024 + 5);
    let id = big_item["id"].as_str().unwrap();
    assert!(
        id.len() == 12 && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "a file code: {id}"
    );
    assert_eq!(
        names(&cli.ls_json("xfs:/")),
        ["Up"],
        "nothing left in the root"
    );
    let text = cli
        .cmd()
        .args(["ls", "xfs:/Up/Loads"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("one.bin") && text.contains(&format!("#{id}")),
        "{text}"
    );

    let out = cli.path("out");
    cli.cmd()
        .args(["get", "xfs:/Up/Loads/one.bin", "xfs:/Up/Loads/big.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(sha256_file(&out.join("one.bin")), sha256_file(&one));
    assert_eq!(sha256_file(&out.join("big.bin")), sha256_file(&big));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".haul-part"))
        .collect();
    assert!(leftovers.is_empty(), "no part files remain");

    // A recursive get keeps the tree.
    let back = cli.path("back");
    cli.cmd()
        .args(["get", "-r", "xfs:/Up"])
        .arg(&back)
        .assert()
        .success();
    assert_eq!(
        sha256_file(&back.join("Up/Loads/big.bin")),
        sha256_file(&big)
    );
}

#[test]
fn mkdir_mv_cp_on_the_server() {
    let (_server, cli) = setup(false);
    cli.cmd().args(["mkdir", "xfs:/A/B/C"]).assert().success();
    cli.cmd().args(["mkdir", "xfs:/A/B/C"]).assert().success(); // idempotent
    assert_eq!(names(&cli.ls_json("xfs:/A/B")), ["C"]);
    let f = cli.path("doc.txt");
    std::fs::write(&f, b"document").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("xfs:/A")
        .assert()
        .success();

    // A file moves (set_folder) into a folder, then moves and is renamed, then renamed in place.
    cli.ok(&["mv", "xfs:/A/doc.txt", "xfs:/A/B"]);
    assert_eq!(names(&cli.ls_json("xfs:/A/B")), ["C", "doc.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/A")), ["B"]);
    cli.ok(&["mv", "xfs:/A/B/doc.txt", "xfs:/renamed.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/")), ["A", "renamed.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/A/B")), ["C"]);
    cli.ok(&["mv", "xfs:/renamed.txt", "xfs:/final.txt"]);

    // Copies are clones: into a folder, under a new name, and a folder file by file.
    cli.ok(&["cp", "xfs:/final.txt", "xfs:/A/B/C"]);
    cli.ok(&["cp", "xfs:/final.txt", "xfs:/A/copy.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/A/B/C")), ["final.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/A")), ["B", "copy.txt"]);
    cli.ok(&["cp", "xfs:/A/B", "xfs:/B2"]);
    assert_eq!(names(&cli.ls_json("xfs:/B2/C")), ["final.txt"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "xfs:/A/copy.txt", "xfs:/B2/C/final.txt"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("copy.txt")).unwrap(), b"document");
    assert_eq!(std::fs::read(out.join("final.txt")).unwrap(), b"document");
    assert_eq!(names(&cli.ls_json("xfs:/")), ["A", "B2", "final.txt"]);

    // A folder cannot move: the API has no such call, and nothing changes.
    let err = fails(&cli, &["mv", "xfs:/A/B", "xfs:/B2"]);
    assert!(err.contains("cannot move folders"), "{err}");
    let err = fails(&cli, &["mv", "xfs:/A", "xfs:/Renamed"]);
    assert!(err.contains("cannot move folders"), "{err}");
    assert_eq!(names(&cli.ls_json("xfs:/A")), ["B", "copy.txt"]);
    assert_eq!(names(&cli.ls_json("xfs:/")), ["A", "B2", "final.txt"]);
}

#[test]
fn rm_says_the_api_has_no_delete_and_deletes_nothing() {
    let (_server, cli) = setup(false);
    let f = cli.path("x");
    std::fs::write(&f, b"keep me").unwrap();
    cli.cmd().arg("put").arg(&f).arg("xfs:/").assert().success();
    cli.cmd().args(["mkdir", "xfs:/Dir"]).assert().success();
    for args in [
        &["rm", "xfs:/x"][..],
        &["rm", "-r", "xfs:/Dir"],
        &["rm", "xfs:/not-there"],
    ] {
        let err = fails(&cli, args);
        assert!(err.contains("127.0.0.1's API has no delete"), "{err}");
        assert!(err.contains("website"), "{err}");
    }
    assert_eq!(names(&cli.ls_json("xfs:/")), ["Dir", "x"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "xfs:/x"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("x")).unwrap(), b"keep me");
}

#[test]
fn get_from_a_free_account_explains_the_missing_direct_links() {
    let (_server, cli) = setup(false);
    let f = cli.path("free.txt");
    std::fs::write(&f, b"uploads work on free accounts").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("xfs-free:/")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("xfs-free:/")), ["free.txt"]);
    let out = cli.path("o");
    let err = fails(
        &cli,
        &[
            "get",
            "--retries",
            "0",
            "xfs-free:/free.txt",
            out.to_str().unwrap(),
        ],
    );
    assert!(err.contains("no direct download links"), "{err}");
    assert!(err.contains("Not enabled"), "{err}");
    assert!(err.contains("premium"), "{err}");
    assert!(!out.join("free.txt").exists());
}

#[test]
fn ls_shows_names_as_utf8() {
    let (_server, cli) = setup(true);
    let root = names(&cli.ls_json("xfs:/"));
    assert!(root.contains(&"café.txt".to_string()), "{root:?}");
    assert!(root.iter().all(|n| !n.contains('Ã')), "{root:?}");
    let text = cli
        .cmd()
        .args(["ls", "xfs:/"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).expect("UTF-8 on stdout");
    assert!(
        text.contains("café.txt") && !text.contains("cafÃ"),
        "{text}"
    );

    // A name haul uploads comes back as it was, and downloads under it.
    let f = cli.path("naïve 相片.txt");
    std::fs::write(&f, b"utf8").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("xfs:/Über")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("xfs:/Über")), ["naïve 相片.txt"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "xfs:/Über/naïve 相片.txt", "xfs:/café.txt"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("naïve 相片.txt")).unwrap(), b"utf8");
    assert!(out.join("café.txt").exists());
}

#[test]
fn about_and_link() {
    let (server, cli) = setup(false);
    cli.cmd().args(["about", "xfs:"]).assert().success().stdout(
        predicate::str::contains("premium")
            .and(predicate::str::contains("demo@example.com"))
            .and(predicate::str::contains("2099-12-31"))
            .and(predicate::str::contains("unlimited")),
    );
    cli.cmd()
        .args(["about", "xfs-free"])
        .assert()
        .success()
        .stdout(predicate::str::contains("free").and(predicate::str::contains("2099").not()));
    let f = cli.path("pub.txt");
    std::fs::write(&f, b"public").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("xfs:/Pub")
        .assert()
        .success();
    let id = cli.ls_json("xfs:/Pub")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = cli
        .cmd()
        .args(["link", "--format", "url", "xfs:/Pub/pub.txt"])
        .assert()
        .success()
        .get_output()
        .clone();
    let link = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(
        link,
        format!("{}/xfilesharing/{id}", server.handle.base_url())
    );
    let page = server
        .runtime
        .block_on(async { reqwest::get(&link).await.unwrap().status() });
    assert!(page.is_success(), "the link is the file's page");
    let err = fails(&cli, &["link", "xfs:/Pub"]);
    assert!(err.contains("folder"), "{err}");
}

#[test]
fn between_accounts_copies_work_and_moves_say_why_not() {
    let (_server, cli) = setup(false);
    let f = cli.path("cross.bin");
    let data = pattern(200_000, 5);
    std::fs::write(&f, &data).unwrap();
    cli.cmd().arg("put").arg(&f).arg("xfs:/").assert().success();
    // The other host fetches xfs's direct link itself.
    cli.cmd().args(["mkdir", "ys:/From XFS"]).assert().success();
    cli.ok(&["cp", "xfs:/cross.bin", "ys:/From XFS"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "ys:/From XFS/cross.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("cross.bin")).unwrap(), data);
    // Into xfs from another host.
    cli.ok(&["cp", "ys:/From XFS/cross.bin", "xfs:/back.bin"]);
    assert_eq!(names(&cli.ls_json("xfs:/")), ["back.bin", "cross.bin"]);
    // A move away would need a delete on xfs.
    let err = fails(&cli, &["mv", "xfs:/cross.bin", "ys:/"]);
    assert!(err.contains("cannot delete"), "{err}");
    assert!(names(&cli.ls_json("xfs:/")).contains(&"cross.bin".to_string()));
}

#[test]
fn conflicts_on_a_host_without_delete() {
    let (server, cli) = setup(false);
    let f = cli.path("same.txt");
    std::fs::write(&f, b"first").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("xfs:/C")
        .assert()
        .success();
    std::fs::write(&f, b"second!").unwrap();
    let err = fails(&cli, &["put", f.to_str().unwrap(), "xfs:/C"]);
    assert!(err.contains("already exists"), "{err}");
    cli.cmd()
        .args(["put", "--on-conflict", "rename"])
        .arg(&f)
        .arg("xfs:/C")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("xfs:/C")), ["same (1).txt", "same.txt"]);
    cli.cmd()
        .args(["put", "--on-conflict", "skip"])
        .arg(&f)
        .arg("xfs:/C")
        .assert()
        .success();
    // Overwriting needs a delete: refused up front, nothing uploaded twice.
    let uploads = upload_count(&server);
    let err = fails(
        &cli,
        &[
            "put",
            "--on-conflict",
            "overwrite",
            f.to_str().unwrap(),
            "xfs:/C",
        ],
    );
    assert!(err.contains("cannot be overwritten"), "{err}");
    assert!(err.contains("skip or rename"), "{err}");
    assert_eq!(upload_count(&server), uploads, "nothing was sent");
    assert_eq!(names(&cli.ls_json("xfs:/C")), ["same (1).txt", "same.txt"]);
}

fn upload_count(server: &Server) -> u64 {
    server.handle.stats()["by_route"]["xfilesharing/upload.cgi"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn an_interrupted_get_resumes_with_a_range() {
    let (server, cli) = setup(false);
    let f = cli.path("resume.bin");
    let data = pattern(3 * 1024 * 1024, 11);
    std::fs::write(&f, &data).unwrap();
    cli.cmd().arg("put").arg(&f).arg("xfs:/").assert().success();
    server.set_faults(haul::emulator::Faults {
        cut_body_after: Some(1024 * 1024),
        ..Default::default()
    });
    let out = cli.path("dl");
    let err = fails(
        &cli,
        &[
            "get",
            "--retries",
            "0",
            "xfs:/resume.bin",
            out.to_str().unwrap(),
        ],
    );
    assert!(err.contains("resume"), "{err}");
    let part = out.join("resume.bin.haul-part");
    let partial = std::fs::metadata(&part).expect("part file kept").len();
    assert!(
        partial > 0 && partial < data.len() as u64,
        "partial {partial}"
    );
    server.set_faults(Default::default());
    cli.cmd()
        .args(["get", "xfs:/resume.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("resume.bin")).unwrap(), data);
    assert!(!part.exists());
}

#[test]
fn trees_go_up_and_ids_address_entries() {
    let (_server, cli) = setup(false);
    let src = cli.path("tree");
    std::fs::create_dir_all(src.join("sub/deeper")).unwrap();
    std::fs::write(src.join("a.txt"), b"alpha").unwrap();
    std::fs::write(src.join("sub/b.txt"), b"beta").unwrap();
    std::fs::write(src.join("sub/deeper/c.txt"), pattern(70_000, 3)).unwrap();
    cli.cmd()
        .args(["put", "-r"])
        .arg(&src)
        .arg("xfs:/")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("xfs:/tree")), ["sub", "a.txt"]);
    let sub = cli.ls_json("xfs:/tree/sub");
    assert_eq!(names(&sub), ["deeper", "b.txt"]);
    let deeper_id = sub[0]["id"].as_str().unwrap().to_string();
    let c = cli.ls_json(&format!("xfs:#folder:{deeper_id}"));
    assert_eq!(names(&c), ["c.txt"]);
    let c_id = c[0]["id"].as_str().unwrap().to_string();
    let one = cli.ls_json(&format!("xfs:#{c_id}"));
    assert_eq!(names(&one), ["c.txt"]);
    assert_eq!(one[0]["size"], 70_000);
    assert_eq!(one[0]["parent"], deeper_id.as_str());
    let back = cli.path("back");
    cli.cmd()
        .args(["get", "-r", "xfs:/tree"])
        .arg(&back)
        .assert()
        .success();
    for rel in ["a.txt", "sub/b.txt", "sub/deeper/c.txt"] {
        assert_eq!(
            sha256_file(&back.join("tree").join(rel)),
            sha256_file(&src.join(rel)),
            "{rel}"
        );
    }
}

#[test]
fn the_key_stays_out_of_logs_and_errors() {
    let (_server, cli) = setup(false);
    let key = haul::emulator::xfilesharing::PREMIUM_KEY;
    let f = cli.path("k.txt");
    std::fs::write(&f, b"k").unwrap();
    let out = cli.path("o");
    let mut logs = Vec::new();
    for args in [
        vec!["-vv", "put", f.to_str().unwrap(), "xfs:/K"],
        vec!["-vv", "ls", "xfs:/K"],
        vec!["-vv", "get", "xfs:/K/k.txt", out.to_str().unwrap()],
        vec!["-vv", "ls", "xfs:/missing/deeper"],
        vec!["-vv", "about", "xfs:"],
    ] {
        let out = cli.cmd().args(&args).output().unwrap();
        logs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        logs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    for log in &logs {
        assert!(!log.contains(key), "the key leaked: {log}");
    }
    assert!(logs.iter().any(|l| l.contains("no such file or folder")));
    // A wrong key: a clear authentication error, naming the site's words, not the key.
    let err = fails_with(
        &cli,
        "HAUL_SECRET_XFS",
        "wrongkey0123456789abcd",
        &["ls", "xfs:/"],
    );
    assert!(err.contains("Invalid key"), "{err}");
    assert!(!err.contains("wrongkey0123456789abcd"), "{err}");
}

fn fails_with(cli: &Cli, var: &str, value: &str, args: &[&str]) -> String {
    let out = cli
        .cmd()
        .env(var, value)
        .args(args)
        .assert()
        .failure()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn put_of_a_url_is_fetched_by_the_site() {
    let (server, cli) = setup(false);
    let payload = pattern(150_000, 13);
    let served = payload.clone();
    let source = server.runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/pub/remote.bin",
            axum::routing::get(move || {
                let body = served.clone();
                async move { body }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    });
    cli.ok(&["put", &format!("{source}/pub/remote.bin"), "xfs:/Fetched"]);
    let items = cli.ls_json("xfs:/Fetched");
    assert_eq!(names(&items), ["remote.bin"]);
    assert_eq!(items[0]["size"], 150_000);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "xfs:/Fetched/remote.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("remote.bin")).unwrap(), payload);
    // A source the site cannot fetch: said once (after the note that the site is fetching).
    let out = cli
        .cmd()
        .args(["put", &format!("{source}/missing.bin"), "xfs:/Fetched"])
        .assert()
        .failure()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("haul: ")).collect();
    assert_eq!(errors.len(), 1, "one error line: {err}");
    assert!(errors[0].contains("could not fetch"), "{err}");
    assert_eq!(names(&cli.ls_json("xfs:/Fetched")), ["remote.bin"]);
}

#[test]
fn parallel_uploads_land_once_each() {
    let (_server, cli) = setup(false);
    let dir = cli.path("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..40 {
        std::fs::write(
            dir.join(format!("p{i:02}.bin")),
            pattern(1000 + i, i as u64),
        )
        .unwrap();
    }
    cli.cmd()
        .args(["put", "-r", "-j", "4"])
        .arg(&dir)
        .arg("xfs:/")
        .assert()
        .success();
    let items = cli.ls_json("xfs:/many");
    assert_eq!(items.len(), 40, "{:?}", names(&items));
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["name"], format!("p{i:02}.bin"));
        assert_eq!(item["size"], 1000 + i);
    }
}
