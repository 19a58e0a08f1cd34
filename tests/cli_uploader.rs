//! The uploader's workflow from the command line, against the emulator over real HTTP: link
//! export in every format (hostile names escaped), link health (`check`), access, site presets,
//! and the quotas the emulated hosts run out of (with `--force`, past haul's own preflight, to
//! hear the hosts' refusals; the preflight itself is tested in cli_mirror).

mod common;

use common::{Cli, Server, stderr, stdout};
use haul::emulator::keep2share::{DEAD_FILE_ID, DEAD_FILE_NAME, SHARED_FILE_NAME};
use haul::emulator::{Faults, HostileCase};
use predicates::prelude::*;
use serde_json::{Value, json};

fn id_of(cli: &Cli, target: &str) -> String {
    cli.ls_json(target)[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn links_of_many_files_in_every_format() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let base = server.handle.base_url();
    let out = cli.run(&["link", "-r", "--format", "bbcode", "k2s:/Shared"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(&format!("[url={base}/file/"))
            && lines[0].contains(&format!("]{SHARED_FILE_NAME}[/url] (")),
        "{text}"
    );
    assert!(
        lines[1].contains(&format!("/file/{DEAD_FILE_ID}]{DEAD_FILE_NAME}[/url]")),
        "{text}"
    );

    // Files of several accounts at once; JSON is one array.
    let out = cli.run(&[
        "link",
        "--json",
        "ys:/readme.txt",
        "xfs:/readme.txt",
        "k2s:/readme.txt",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let items: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (item, account) in items.iter().zip(["ys", "xfs", "k2s"]) {
        assert_eq!(item["account"], account);
        assert_eq!(item["name"], "readme.txt");
        assert!(item["size"].as_u64().unwrap() > 0, "{item}");
        assert!(item["link"].as_str().unwrap().starts_with(&base), "{item}");
    }
    for format in ["html", "markdown", "plain"] {
        let out = cli.run(&["link", "--format", format, "ys:/readme.txt"]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains("readme.txt"), "{format}");
    }
    cli.fails(
        2,
        &["link", "--format", "rss", "ys:/readme.txt"],
        "no link format named \"rss\"",
    );
}

#[test]
fn named_templates_come_from_the_config_and_typos_are_named() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let text = std::fs::read_to_string(&cli.config).unwrap();
    let with = format!(
        "{text}\n[links.formats]\nforum = \"[b]{{name}}[/b] {{bytes}} bytes on {{host}} via {{account}}: [url={{link}}]get[/url]\"\n"
    );
    std::fs::write(&cli.config, with).unwrap();
    let out = cli.run(&["link", "--format", "forum", "k2s:/readme.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let size = cli.ls_json("k2s:/readme.txt")[0]["size"].as_u64().unwrap();
    let line = stdout(&out);
    assert!(
        line.starts_with(&format!(
            "[b]readme.txt[/b] {size} bytes on 127.0.0.1 via k2s: [url={}/file/",
            server.handle.base_url()
        )),
        "{line}"
    );
    let broken = format!("{text}\n[links.formats]\nforum = \"[url={{link}}]{{title}}[/url]\"\n");
    std::fs::write(&cli.config, broken).unwrap();
    let out = cli.run(&["link", "--format", "forum", "k2s:/readme.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&cli.config.display().to_string())
            && err.contains("[links.formats] forum: unknown field {title}"),
        "{err}"
    );
}

#[test]
fn hostile_names_are_escaped_and_never_reach_the_terminal_raw() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    server.set_faults(Faults {
        hostile: vec![HostileCase::NameAnsi],
        ..Faults::default()
    });
    for format in ["bbcode", "html", "markdown", "plain", "json"] {
        let out = cli.run(&["link", "-r", "--format", format, "xfs:"]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.is_empty());
        assert!(
            !text.trim_end().chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {text:?}"
        );
    }
    server.set_faults(Faults {
        hostile: vec![HostileCase::NameBidi],
        ..Faults::default()
    });
    let out = cli.run(&["link", "-r", "--json", "xfs:"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains('\u{202e}'));
    let items: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"].as_str().unwrap().contains('\u{202e}')),
        "the data keeps the name as the host sent it: {items}"
    );
}

#[test]
fn check_says_which_links_are_dead_and_why() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    // The demo's blocked file.
    let out = cli.run(&["check", "-r", "k2s:/Shared"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("alive        k2s:/Shared/{SHARED_FILE_NAME}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("blocked      k2s:/Shared/{DEAD_FILE_NAME}")),
        "{text}"
    );
    assert!(
        stderr(&out).contains("1 of 2 files are dead"),
        "{}",
        stderr(&out)
    );

    // Keep2Share: deleted and corrupted through the test API; private files live.
    let readme = id_of(&cli, "k2s:/readme.txt");
    server.hook(
        "keep2share/availability",
        json!({"id": readme, "state": "deleted"}),
    );
    cli.ok(&["access", "private", "k2s:/Documents/meeting-notes.txt"]);
    let out = cli.run(&[
        "check",
        "--json",
        "k2s:/readme.txt",
        "k2s:/Documents/meeting-notes.txt",
        "k2s:#0000000000000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let states: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["deleted", "private", "deleted"]);
    assert_eq!(rows[1]["dead"], false);
    assert_eq!(rows[0]["dead"], true);

    // XFileSharing: one file/info call for many codes; deleted and taken down told apart.
    let (a, b) = (
        id_of(&cli, "xfs:/readme.txt"),
        id_of(&cli, "xfs:/Documents/meeting-notes.txt"),
    );
    let c = id_of(&cli, "xfs:/Documents/quarterly-report.md");
    server.hook(
        "xfilesharing/availability",
        json!({"code": a, "state": "deleted"}),
    );
    server.hook(
        "xfilesharing/availability",
        json!({"code": b, "state": "dmca"}),
    );
    let before = server.handle.stats()["by_route"]["xfilesharing/file/info"]
        .as_u64()
        .unwrap_or(0);
    let out = cli.run(&[
        "check",
        &format!("xfs:#{a}"),
        &format!("xfs:#{b}"),
        &format!("xfs:#{c}"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(&format!("deleted      xfs:#{a}")), "{text}");
    assert!(text.contains(&format!("blocked      xfs:#{b}")), "{text}");
    assert!(text.contains(&format!("alive        xfs:#{c}")), "{text}");
    let after = server.handle.stats()["by_route"]["xfilesharing/file/info"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(after - before, 1, "one batched file/info call");

    // YetiShare: a trashed file, by id (it left the listing).
    let ys = id_of(&cli, "ys:/readme.txt");
    server.hook(
        "yetishare/availability",
        json!({"id": ys.parse::<u64>().unwrap(), "status": "trash"}),
    );
    let out = cli.run(&[
        "check",
        &format!("ys:#{ys}"),
        "ys:/Documents/meeting-notes.txt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(&format!("deleted      ys:#{ys}")), "{text}");
    assert!(
        text.contains("alive        ys:/Documents/meeting-notes.txt"),
        "{text}"
    );

    // All alive: exit 0; a folder without -r is refused.
    cli.ok(&["check", "ys:/Documents/meeting-notes.txt"]);
    let out = cli.run(&["check", "ys:/Documents"]);
    assert!(
        stderr(&out).contains("is a folder: add -r"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn access_where_the_api_can_and_why_not_where_it_cannot() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    cli.ok(&[
        "access",
        "private",
        "k2s:/readme.txt",
        "k2s:/Documents/meeting-notes.txt",
    ])
    .stdout(predicate::str::contains("private  k2s:/readme.txt"));
    assert_eq!(cli.ls_json("k2s:/readme.txt")[0]["access"], "private");
    cli.ok(&["access", "premium", "k2s:/readme.txt"]);
    assert_eq!(
        cli.ls_json("k2s:/readme.txt")[0]["availability"],
        "premium only"
    );
    cli.ok(&["access", "public", "k2s:/readme.txt"]);
    assert_eq!(cli.ls_json("k2s:/readme.txt")[0]["availability"], "alive");

    // YetiShare: folders only.
    cli.ok(&["access", "private", "ys:/Documents"]);
    let root = cli.ls_json("ys:/");
    let docs = root.iter().find(|e| e["name"] == "Documents").unwrap();
    assert_eq!(docs["isPublic"], "0");
    cli.ok(&["access", "public", "ys:/Documents"]);
    let root = cli.ls_json("ys:/");
    let docs = root.iter().find(|e| e["name"] == "Documents").unwrap();
    assert_eq!(docs["isPublic"], "2");
    cli.fails(
        1,
        &["access", "private", "ys:/readme.txt"],
        "can't change a file's access, only a folder's",
    );

    // XFileSharing: no such API.
    cli.fails(
        1,
        &["access", "private", "xfs:/readme.txt"],
        "'s API can't change access",
    );
}

#[test]
fn accounts_from_site_presets() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let out = cli.run(&["accounts", "sites"]);
    let text = stdout(&out);
    for host in [
        "zippyshare.cloud",
        "cyberfile.me",
        "potansiyelperisi.com",
        "kenfiles.com",
        "keep2share.cc",
        "k2s.cc",
        "tezfiles.com",
        "fboom.me",
        "publish2.me",
    ] {
        assert!(text.contains(host), "{host}: {text}");
    }
    let sites: Value =
        serde_json::from_str(&stdout(&cli.run(&["accounts", "sites", "--json"]))).unwrap();
    assert!(
        sites
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["host"] == "cyberfile.me"
                && s["base_url"] == "https://api.cyberfile.me/api/v2")
    );

    let add = |args: &[&str]| {
        cli.cmd()
            .args(["accounts", "add"])
            .args(args)
            .args(["--secret-stdin", "--no-check"])
            .write_stdin("abcdefghijklmnop\n")
            .output()
            .unwrap()
    };
    let out = add(&["ken", "--site", "https://www.KenFiles.com/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let config = haul::config::Config::load(&cli.config).unwrap();
    assert_eq!(config.accounts["ken"].base_url, "https://kenfiles.com/api");
    assert_eq!(config.accounts["ken"].provider.as_str(), "xfilesharing");

    let out = add(&["odd", "--site", "files.example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown site \"files.example\""),
        "{}",
        stderr(&out)
    );
    let out = add(&[
        "odd",
        "--site",
        "files.example",
        "--provider",
        "xfilesharing",
        "--base-url",
        "https://files.example/api",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = add(&["k", "--site", "k2s.cc", "--provider", "yetishare"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("k2s.cc is a keep2share site"),
        "{}",
        stderr(&out)
    );
    let out = add(&["k"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--site"), "{}", stderr(&out));

    // --demo keeps no accounts: it says so, and writes nothing (no file named "(demo)").
    let demo = |args: &[&str]| {
        cli.cmd()
            .current_dir(cli.dir.path())
            .args(["--demo", "accounts"])
            .args(args)
            .write_stdin("")
            .output()
            .unwrap()
    };
    let out = demo(&["add", "kf", "--site", "kenfiles.com", "--no-check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("kf (xfilesharing, https://kenfiles.com/api) is not kept: --demo"),
        "{}",
        stderr(&out)
    );
    let out = demo(&["remove", "ys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("built-in"), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(cli.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(!left.iter().any(|n| n == "(demo)"), "{left:?}");
}

#[test]
fn quotas_run_out_with_the_hosts_own_refusals() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let size = cli.ls_json("k2s:/readme.txt")[0]["size"].as_u64().unwrap();
    // Keep2Share: available_traffic, reported and spent.
    server.hook(
        "keep2share/quota",
        json!({"account": "k2s", "available_traffic": size + 5}),
    );
    let about: Value =
        serde_json::from_str(&stdout(&cli.run(&["about", "k2s", "--json"]))).unwrap();
    assert_eq!(about["traffic_left"], size + 5);
    let dir = cli.path("got");
    std::fs::create_dir_all(&dir).unwrap();
    cli.ok(&["get", "--force", "k2s:/readme.txt", dir.to_str().unwrap()]);
    let about: Value =
        serde_json::from_str(&stdout(&cli.run(&["about", "k2s", "--json"]))).unwrap();
    assert_eq!(about["traffic_left"], 5);
    let out = cli.run(&[
        "get",
        "--force",
        "k2s:/Documents/meeting-notes.txt",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).to_lowercase().contains("traffic limit"),
        "{}",
        stderr(&out)
    );

    // Keep2Share storage: errorCode 64.
    server.hook(
        "keep2share/quota",
        json!({"account": "k2s", "disk_quota": 10}),
    );
    let big = cli.path("big.bin");
    std::fs::write(&big, vec![1u8; 4096]).unwrap();
    let out = cli.run(&[
        "put",
        "--force",
        "--no-dedupe",
        big.to_str().unwrap(),
        "k2s:/",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).to_lowercase().contains("disk quota exceeded"),
        "{}",
        stderr(&out)
    );

    // XFileSharing: traffic_left in account/info, storage in the upload's answer.
    server.hook(
        "xfilesharing/quota",
        json!({"account": "xfs", "traffic_left": 3, "storage_quota": 10}),
    );
    let about: Value =
        serde_json::from_str(&stdout(&cli.run(&["about", "xfs", "--json"]))).unwrap();
    assert_eq!(about["traffic_left"], 3);
    let xfs_dir = cli.path("got-xfs");
    std::fs::create_dir_all(&xfs_dir).unwrap();
    cli.fails(
        1,
        &[
            "get",
            "--force",
            "xfs:/readme.txt",
            xfs_dir.to_str().unwrap(),
        ],
        "Not enough traffic",
    );
    cli.fails(
        1,
        &["put", "--force", big.to_str().unwrap(), "xfs:/"],
        "Not enough disk space",
    );

    // YetiShare: the storage limit override and the 24-hour download allowance.
    server.hook(
        "yetishare/quota",
        json!({"account": "ys", "storage_limit": 100, "download_size_per_24_hours": 1}),
    );
    let about: Value = serde_json::from_str(&stdout(&cli.run(&["about", "ys", "--json"]))).unwrap();
    assert_eq!(about["storage_limit"], 100);
    assert_eq!(about["extra"]["download bytes per 24 h"], "1");
    cli.fails(
        1,
        &["put", "--force", big.to_str().unwrap(), "ys:/"],
        "maximum permitted storage",
    );
    cli.fails(
        1,
        &[
            "get",
            "--force",
            "ys:/readme.txt",
            xfs_dir.to_str().unwrap(),
        ],
        "download limit",
    );
}

#[test]
fn the_demo_shows_the_whole_workflow() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let demo = |args: &[&str]| cli.cmd().arg("--demo").args(args).output().unwrap();
    let out = demo(&["link", "-r", "--format", "bbcode", "k2s:/Documents"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().all(|l| l.starts_with("[url=http")),
        "{}",
        stdout(&out)
    );
    let out = demo(&["access", "private", "k2s:/readme.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = demo(&["check", "-r", "k2s:/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!("blocked      k2s:/Shared/{DEAD_FILE_NAME}")),
        "{}",
        stdout(&out)
    );
}
