//! `haul mirror` and the quota preflight, against the emulator over real HTTP: a folder kept
//! on three hosts (each copy byte-exact, the links printed), a host that fails retried alone
//! by running the mirror again, and batches larger than what the accounts have left stopped
//! before anything is queued (unless `--force`).

mod common;

use std::path::Path;

use common::{Cli, Server, pattern, stderr, stdout};
use haul::emulator::{Faults, RouteFault};
use serde_json::{Value, json};

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
    let out = cli.run(&["get", "-r", remote, local.to_str().unwrap()]);
    assert!(out.status.success(), "get {remote}: {}", stderr(&out));
    for (name, len, seed) in FILES {
        let got = std::fs::read(local.join("album").join(name))
            .unwrap_or_else(|e| panic!("{remote}/{name}: {e}"));
        assert!(got == pattern(len, seed), "{remote}/{name} differs");
    }
}

fn queue(cli: &Cli) -> Vec<Value> {
    let out = cli.run(&["queue", "ls", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_folder_mirrored_to_three_hosts_with_its_links() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let base = server.handle.base_url();
    let src = album(&cli);
    let out = cli.run(&[
        "mirror",
        "--format",
        "bbcode",
        src.to_str().unwrap(),
        "ys:/Mirror",
        "k2s:/Mirror",
        "xfs:/Mirror",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // One BBCode line per file per host.
    let links = stdout(&out);
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
    let out = cli.run(&["queue", "ls"]);
    assert!(stdout(&out).contains(&format!("[{group}] copy ys:/Mirror/album")));
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
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let src = album(&cli);
    let dests = ["ys:/M", "k2s:/M", "xfs:/M"];
    let mirror = |extra: &[&str]| {
        let mut args = vec!["mirror", src.to_str().unwrap()];
        args.extend(dests);
        args.extend(extra);
        cli.run(&args)
    };
    // xfs has no room: the preflight says so and nothing is queued...
    server.hook(
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1}),
    );
    let out = mirror(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("of storage left on xfs")
            && stderr(&out).contains("nothing was queued"),
        "{}",
        stderr(&out)
    );
    assert!(queue(&cli).is_empty());
    // ...and with --force the other hosts get their copies while xfs refuses its own.
    let out = mirror(&["--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run the same mirror again"),
        "{}",
        stderr(&out)
    );
    let links = stdout(&out);
    assert_eq!(links.lines().count(), 6, "{links}");
    assert!(!links.contains("/xfilesharing/"), "no link on xfs: {links}");
    let ys_files = ids(&cli, "ys:/M/album");
    let k2s_files = ids(&cli, "k2s:/M/album");
    // Room again: the re-run sends only what is missing, to xfs alone.
    server.hook(
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1u64 << 40}),
    );
    let out = mirror(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 9, "{}", stdout(&out));
    assert_copy(&cli, "xfs:/M/album", &cli.path("back-xfs"));
    // The copies that had landed were kept, not sent again.
    assert_eq!(ids(&cli, "ys:/M/album"), ys_files);
    assert_eq!(ids(&cli, "k2s:/M/album"), k2s_files);
}

#[test]
fn a_host_that_refuses_every_upload_leaves_the_others_their_copies() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let src = album(&cli);
    let mirror = || cli.run(&["mirror", src.to_str().unwrap(), "ys:/M", "k2s:/M", "xfs:/M"]);
    // ys, the first host, refuses every upload.
    refuse_every(&server, "yetishare/file/upload");
    let out = mirror();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("haul: no copy on ys:/M (")
            && last.ends_with("run the same mirror again to retry it"),
        "{err}"
    );
    assert!(server.requests("yetishare/file/upload") > 0, "ys was asked");
    // k2s got the upload in its place; xfs got its copy relayed (its API cannot remove a fetch
    // that came out wrong, so it is never asked to fetch).
    let links = stdout(&out);
    assert_eq!(links.lines().count(), 6, "{links}");
    assert!(!links.contains("/yetishare/"), "no link on ys: {links}");
    assert_copy(&cli, "k2s:/M/album", &cli.path("back-k2s"));
    assert_copy(&cli, "xfs:/M/album", &cli.path("back-xfs"));
    assert!(server.requests("keep2share/upload") > 0);
    assert!(server.requests("xfilesharing/upload.cgi") > 0);
    assert_eq!(server.requests("xfilesharing/upload/url"), 0);
    let k2s_files = ids(&cli, "k2s:/M/album");
    let xfs_files = ids(&cli, "xfs:/M/album");

    // Again, ys still refusing: ys is tried again, nothing is sent to the others.
    let ys_uploads = server.requests("yetishare/file/upload");
    let k2s_uploads = server.requests("keep2share/upload");
    let xfs_uploads = server.requests("xfilesharing/upload.cgi");
    let out = mirror();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no copy on ys:/M"),
        "{}",
        stderr(&out)
    );
    assert!(server.requests("yetishare/file/upload") > ys_uploads);
    assert_eq!(server.requests("keep2share/upload"), k2s_uploads);
    assert_eq!(server.requests("xfilesharing/upload.cgi"), xfs_uploads);
    assert_eq!(ids(&cli, "k2s:/M/album"), k2s_files);
    assert_eq!(ids(&cli, "xfs:/M/album"), xfs_files);

    // ys takes uploads again: the re-run fills ys alone.
    server.set_faults(Faults::default());
    let out = mirror();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 9, "{}", stdout(&out));
    assert_copy(&cli, "ys:/M/album", &cli.path("back-ys"));
    assert_eq!(ids(&cli, "k2s:/M/album"), k2s_files);
    assert_eq!(ids(&cli, "xfs:/M/album"), xfs_files);
}

#[test]
fn a_host_whose_fetch_fails_gets_the_local_bytes() {
    let server = Server::start(true);
    let cli = server.cli(&["k2s", "ys"]);
    let src = album(&cli);
    // ys cannot fetch anything by URL.
    refuse_every(&server, "yetishare/file/url_upload_add");
    let out = cli.run(&["mirror", src.to_str().unwrap(), "k2s:/F", "ys:/F"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        server.requests("yetishare/file/url_upload_add") > 0,
        "ys was asked to fetch"
    );
    assert!(
        server.requests("yetishare/file/upload") > 0,
        "then given the bytes"
    );
    assert_eq!(stdout(&out).lines().count(), 6, "{}", stdout(&out));
    assert_copy(&cli, "k2s:/F/album", &cli.path("back-k2s"));
    assert_copy(&cli, "ys:/F/album", &cli.path("back-ys"));
}

#[test]
fn a_folder_on_one_host_mirrored_to_two_others() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let src = album(&cli);
    cli.ok(&["put", "-r", src.to_str().unwrap(), "ys:/Up"]);
    let out = cli.run(&[
        "mirror",
        "--format",
        "bbcode",
        "ys:/Up/album",
        "k2s:/R",
        "xfs:/R",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let links = stdout(&out);
    assert_eq!(links.lines().count(), 6, "{links}");
    assert!(links.lines().all(|l| l.starts_with("[url=http")), "{links}");
    // k2s fetched ys's copies itself (no bytes uploaded by haul); xfs, whose API cannot remove
    // a fetch that came out wrong, got them relayed.
    assert!(server.requests("keep2share/remoteUploadAdd") > 0);
    assert_eq!(server.requests("keep2share/upload"), 0);
    assert_eq!(server.requests("xfilesharing/upload/url"), 0);
    assert!(server.requests("xfilesharing/upload.cgi") > 0);
    assert_copy(&cli, "k2s:/R/album", &cli.path("back-k2s"));
    assert_copy(&cli, "xfs:/R/album", &cli.path("back-xfs"));
}

/// The emulator answers every request to `route` with a 500.
fn refuse_every(server: &Server, route: &str) {
    server.set_faults(Faults {
        route_faults: vec![RouteFault {
            route: route.into(),
            status: 500,
            ..RouteFault::default()
        }],
        ..Faults::default()
    });
}

/// The (name, id) of each entry of a remote folder.
fn ids(cli: &Cli, target: &str) -> Vec<(Value, Value)> {
    cli.ls_json(target)
        .iter()
        .map(|e| (e["name"].clone(), e["id"].clone()))
        .collect()
}

#[test]
fn batches_larger_than_the_quota_stop_unless_forced() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
    let size = cli.ls_json("k2s:/readme.txt")[0]["size"].as_u64().unwrap();
    server.hook(
        "keep2share/quota",
        json!({"account": "k2s", "available_traffic": size - 1}),
    );
    let dir = cli.path("got");
    std::fs::create_dir_all(&dir).unwrap();
    let out = cli.run(&["get", "k2s:/readme.txt", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("of traffic left on k2s") && err.contains("--force"),
        "{err}"
    );
    assert!(queue(&cli).is_empty(), "nothing is queued");
    assert!(!dir.join("readme.txt").exists());
    // --force starts it: the host then has its own say.
    let out = cli.run(&["get", "--force", "k2s:/readme.txt", dir.to_str().unwrap()]);
    assert!(stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(queue(&cli).len(), 1);

    // Uploads against the storage left (XFileSharing's storage_left).
    server.hook(
        "xfilesharing/quota",
        json!({"account": "xfs", "storage_quota": 1}),
    );
    let big = cli.path("big.bin");
    std::fs::write(&big, vec![7u8; 4096]).unwrap();
    cli.fails(
        1,
        &["put", big.to_str().unwrap(), "xfs:/"],
        "4.0 KiB queued",
    );
    // A copy between accounts counts as traffic on the source.
    cli.fails(
        1,
        &["cp", "k2s:/readme.txt", "ys:/"],
        "of traffic left on k2s",
    );
}

#[test]
fn the_demo_mirrors_and_warns_before_a_file_over_the_plan() {
    let server = Server::start(true);
    let cli = server.cli(&["ys", "k2s", "xfs"]);
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
    assert!(out.status.success(), "{}", stderr(&out));
    let links = stdout(&out);
    assert_eq!(links.lines().count(), 9, "{links}");
    assert!(links.lines().all(|l| l.starts_with("[url=http")), "{links}");
    // The free YetiShare plan takes files up to 10 MiB.
    let big = cli.path("big.bin");
    std::fs::write(&big, vec![0u8; 11 << 20]).unwrap();
    let out = demo(&["put", big.to_str().unwrap(), "ys-free:/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "big.bin is 11.0 MiB, larger than the 10.0 MiB per file ys-free's plan allows"
        ),
        "{}",
        stderr(&out)
    );
}
