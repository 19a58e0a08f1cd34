//! `haul mirror` and the quota preflight, against the emulator over real HTTP: a folder kept
//! on three hosts (each copy byte-exact, the links printed), a host that fails retried alone
//! by running the mirror again, and batches larger than what the accounts have left stopped
//! before anything is queued (unless `--force`).

mod common;

use std::path::Path;

use common::{Cli, Server, pattern};
use serde_json::{Value, json};

fn setup() -> (Server, Cli) {
    let server = Server::start(true);
    let accounts: Vec<_> = ["ys", "k2s", "xfs"]
        .iter()
        .map(|n| server.account(n))
        .collect();
    let cli = Cli::new(&accounts);
    (server, cli)
}

/// POST to the emulator's test API.
fn hook(server: &Server, path: &str, body: Value) -> Value {
    let url = format!("{}/__emulator/{path}", server.handle.base_url());
    server.runtime.block_on(async {
        let reply = reqwest::Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success(), "{path}: {}", reply.status());
        reply.json().await.unwrap()
    })
}

fn run(cli: &Cli, args: &[&str]) -> std::process::Output {
    cli.cmd().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const FILES: [(&str, usize, u64); 3] = [
    ("one.bin", 70_000, 1),
    ("two.txt", 1, 2),
    ("deep/three.bin", 300_000, 3),
];

/// A local folder `album` with [`FILES`] in it.
fn album(cli: &Cli) -> std::path::PathBuf {
    let dir = cli.path("album");
    for (name, len, seed) in FILES {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, pattern(len, seed)).unwrap();
    }
    dir
}

/// Download `remote` (a folder) and insist every file of [`FILES`] came back byte-exact.
fn assert_copy(cli: &Cli, remote: &str, local: &Path) {
    std::fs::create_dir_all(local).unwrap();
    let out = run(cli, &["get", "-r", remote, local.to_str().unwrap()]);
    assert!(out.status.success(), "get {remote}: {}", text(&out.stderr));
    for (name, len, seed) in FILES {
        let got = std::fs::read(local.join("album").join(name))
            .unwrap_or_else(|e| panic!("{remote}/{name}: {e}"));
        assert!(got == pattern(len, seed), "{remote}/{name} differs");
    }
}

fn queue(cli: &Cli) -> Vec<Value> {
    let out = run(cli, &["queue", "ls", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_folder_mirrored_to_three_hosts_with_its_links() {
    let (server, cli) = setup();
    let base = server.handle.base_url();
    let src = album(&cli);
    let out = run(
        &cli,
        &[
            "mirror",
            "--format",
            "bbcode",
            src.to_str().unwrap(),
            "ys:/Mirror",
            "k2s:/Mirror",
            "xfs:/Mirror",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // One BBCode line per file per host.
    let links = text(&out.stdout);
    let lines: Vec<&str> = links.lines().collect();
    assert_eq!(lines.len(), 9, "{links}");
    assert!(
        lines.iter().all(|l| l.starts_with(&format!("[url={base}"))),
        "{links}"
    );
    for (name, _, _) in FILES {
        let file = name.rsplit('/').next().unwrap();
        let n = lines
            .iter()
            .filter(|l| l.contains(&format!("]{file}[/url]")))
            .count();
        assert_eq!(n, 3, "{file} in {links}");
    }
    // The queue holds the mirror as one group: the upload, then a row per other host.
    let jobs = queue(&cli);
    let top: Vec<&Value> = jobs.iter().filter(|j| j["parent"].is_null()).collect();
    assert_eq!(top.len(), 3, "{jobs:?}");
    let group = top[0]["group"].as_str().unwrap();
    assert!(group.starts_with("mirror #"), "{group}");
    assert!(jobs.iter().all(|j| j["group"] == group), "{jobs:?}");
    assert_eq!(top[0]["op"], "upload");
    assert!(top[1..].iter().all(|j| j["op"] == "copy"), "{top:?}");
    let out = run(&cli, &["queue", "ls"]);
    assert!(text(&out.stdout).contains(&format!("[{group}] copy ys:/Mirror/album")));
    for account in ["ys", "k2s", "xfs"] {
        assert_copy(
            &cli,
            &format!("{account}:/Mirror/album"),
            &cli.path(&format!("back-{account}")),
        );
    }
}

#[test]
fn a_failed_host_is_retried_alone_by_running_the_mirror_again() {
    let (server, cli) = setup();
    let src = album(&cli);
    let dests = ["ys:/M", "k2s:/M", "xfs:/M"];
    let mirror = |extra: &[&str]| {
        let mut args = vec!["mirror", src.to_str().unwrap()];
        args.extend(dests);
        args.extend(extra);
        run(&cli, &args)
    };
    // xfs has no room: the preflight says so and nothing is queued...
    hook(
        &server,
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1}),
    );
    let out = mirror(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("of storage left on xfs")
            && text(&out.stderr).contains("nothing was queued"),
        "{}",
        text(&out.stderr)
    );
    assert!(queue(&cli).is_empty());
    // ...and with --force the other hosts get their copies while xfs refuses its own.
    let out = mirror(&["--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("run the same mirror again"),
        "{}",
        text(&out.stderr)
    );
    let links = text(&out.stdout);
    assert_eq!(links.lines().count(), 6, "{links}");
    assert!(!links.contains("xfs"), "{links}");
    let ids = |target: &str| -> Vec<(Value, Value)> {
        cli.ls_json(target)
            .iter()
            .map(|e| (e["name"].clone(), e["id"].clone()))
            .collect()
    };
    let ys_files = ids("ys:/M/album");
    let k2s_files = ids("k2s:/M/album");
    // Room again: the re-run sends only what is missing, to xfs alone.
    hook(
        &server,
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1u64 << 40}),
    );
    let out = mirror(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        9,
        "{}",
        text(&out.stdout)
    );
    assert_copy(&cli, "xfs:/M/album", &cli.path("back-xfs"));
    // The copies that had landed were kept, not sent again.
    assert_eq!(ids("ys:/M/album"), ys_files);
    assert_eq!(ids("k2s:/M/album"), k2s_files);
}

#[test]
fn batches_larger_than_the_quota_stop_unless_forced() {
    let (server, cli) = setup();
    let size = cli.ls_json("k2s:/readme.txt")[0]["size"].as_u64().unwrap();
    hook(
        &server,
        "keep2share/quota",
        json!({"account": "k2s", "available_traffic": size - 1}),
    );
    let dir = cli.path("got");
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&cli, &["get", "k2s:/readme.txt", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("of traffic left on k2s") && err.contains("--force"),
        "{err}"
    );
    assert!(queue(&cli).is_empty(), "nothing is queued");
    assert!(!dir.join("readme.txt").exists());
    // --force starts it: the host then has its own say.
    let out = run(
        &cli,
        &["get", "--force", "k2s:/readme.txt", dir.to_str().unwrap()],
    );
    assert!(
        text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(queue(&cli).len(), 1);

    // Uploads against the storage left (XFileSharing's storage_left).
    hook(
        &server,
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1}),
    );
    let big = cli.path("big.bin");
    std::fs::write(&big, vec![7u8; 4096]).unwrap();
    let out = run(&cli, &["put", big.to_str().unwrap(), "xfs:/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("4.0 KiB queued"),
        "{}",
        text(&out.stderr)
    );
    // A copy between accounts counts as traffic on the source.
    let out = run(&cli, &["cp", "k2s:/readme.txt", "ys:/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("of traffic left on k2s"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_demo_mirrors_and_warns_before_a_file_over_the_plan() {
    let (_server, cli) = setup();
    let demo = |args: &[&str]| cli.cmd().arg("--demo").args(args).output().unwrap();
    let src = album(&cli);
    let out = demo(&[
        "mirror",
        "--format",
        "bbcode",
        src.to_str().unwrap(),
        "ys:/M",
        "k2s:/M",
        "xfs:/M",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let links = text(&out.stdout);
    assert_eq!(links.lines().count(), 9, "{links}");
    assert!(links.lines().all(|l| l.starts_with("[url=http")), "{links}");
    // The free YetiShare plan takes files up to 10 MiB.
    let big = cli.path("big.bin");
    std::fs::write(&big, vec![0u8; 11 << 20]).unwrap();
    let out = demo(&["put", big.to_str().unwrap(), "ys-free:/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "big.bin is 11.0 MiB, larger than the 10.0 MiB per file ys-free's plan allows"
        ),
        "{}",
        text(&out.stderr)
    );
}
