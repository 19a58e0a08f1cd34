//! Issue 11, the upload side, as a user runs the binary against the emulator with faults aimed
//! at single routes: an XFS upload whose check and move fail is sent once and finished; one
//! that cannot be moved names its orphan; a failing delete under `--on-conflict overwrite`
//! never passes as done; a file that grows while it is sent fails with "changed".

mod common;

use std::time::{Duration, Instant};

use common::{Cli, Server, names, pattern};
use haul::emulator::{Faults, RouteFault};

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("xfs"), server.account("ys")]);
    (server, cli)
}

fn requests(server: &Server, route: &str) -> u64 {
    server.handle.stats()["by_route"][route]
        .as_u64()
        .unwrap_or(0)
}

fn route_faults(server: &Server, faults: Vec<RouteFault>) {
    server.set_faults(Faults {
        route_faults: faults,
        ..Faults::default()
    });
}

/// Runs a command that must fail; its stderr, checked to be one line.
fn fails(cli: &Cli, args: &[&str]) -> String {
    let out = cli.cmd().args(args).assert().failure().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn an_xfs_upload_whose_check_and_move_fail_is_sent_once() {
    let (server, cli) = setup();
    cli.ok(&["mkdir", "xfs:/Dst"]);
    let file = cli.path("a.bin");
    std::fs::write(&file, pattern(300_000, 1)).unwrap();
    route_faults(
        &server,
        vec![
            RouteFault {
                route: "xfilesharing/file/list".into(),
                after: Some("xfilesharing/upload.cgi".into()),
                times: Some(3),
                ..RouteFault::default()
            },
            RouteFault {
                route: "xfilesharing/file/set_folder".into(),
                times: Some(2),
                ..RouteFault::default()
            },
        ],
    );
    cli.cmd()
        .arg("put")
        .arg(&file)
        .arg("xfs:/Dst/")
        .assert()
        .success();
    server.set_faults(Faults::default());
    assert_eq!(requests(&server, "xfilesharing/upload.cgi"), 1, "sent once");
    assert_eq!(names(&cli.ls_json("xfs:/Dst")), ["a.bin"]);
    assert_eq!(
        names(&cli.ls_json("xfs:/")),
        ["Dst"],
        "no orphan in the root"
    );
}

#[test]
fn an_xfs_upload_that_cannot_be_moved_names_its_orphan() {
    let (server, cli) = setup();
    cli.ok(&["mkdir", "xfs:/Dst"]);
    let file = cli.path("a.bin");
    std::fs::write(&file, pattern(30_000, 2)).unwrap();
    route_faults(
        &server,
        vec![RouteFault {
            route: "xfilesharing/file/set_folder".into(),
            status: 400,
            ..RouteFault::default()
        }],
    );
    let path = file.display().to_string();
    let err = fails(&cli, &["put", &path, "xfs:/Dst/"]);
    server.set_faults(Faults::default());
    assert_eq!(requests(&server, "xfilesharing/upload.cgi"), 1, "sent once");
    let root = cli.ls_json("xfs:/");
    let orphan = root
        .iter()
        .find(|x| x["name"] == "a.bin")
        .expect("in the root");
    let code = orphan["id"].as_str().unwrap();
    assert!(err.contains(&format!("#{code}")), "{err}");
    assert!(err.contains("cannot delete"), "{err}");
    assert!(names(&cli.ls_json("xfs:/Dst")).is_empty());
}

#[test]
fn an_overwrite_whose_delete_never_works_fails_naming_both() {
    let (server, cli) = setup();
    cli.ok(&["mkdir", "ys:/D"]);
    let file = cli.path("same.txt");
    std::fs::write(&file, b"old").unwrap();
    let path = file.display().to_string();
    cli.ok(&["put", &path, "ys:/D/"]);
    std::fs::write(&file, b"the new one").unwrap();
    route_faults(
        &server,
        vec![RouteFault {
            route: "yetishare/file/delete".into(),
            status: 400,
            ..RouteFault::default()
        }],
    );
    let err = fails(
        &cli,
        &["put", "--on-conflict", "overwrite", &path, "ys:/D/"],
    );
    server.set_faults(Faults::default());
    let listed = cli.ls_json("ys:/D");
    assert_eq!(listed.len(), 2, "{listed:?}");
    for item in &listed {
        let id = item["id"].as_str().unwrap();
        assert!(err.contains(&format!("#{id}")), "{err}");
    }
}

#[test]
fn a_file_that_grows_while_it_is_sent_fails_with_changed() {
    let (server, cli) = setup();
    let file = cli.path("grow.bin");
    std::fs::write(&file, pattern(1_500_000, 3)).unwrap();
    let child = cli
        .std_cmd()
        .args(["put", "--bwlimit", "300K"])
        .arg(&file)
        .arg("ys:/")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while requests(&server, "yetishare/file/upload") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no upload began"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    std::io::Write::write_all(&mut f, b"more").unwrap();
    drop(f);
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("grow.bin changed while being uploaded; run again"),
        "{err}"
    );
    assert!(
        names(&cli.ls_json("ys:/")).is_empty(),
        "nothing left under its name"
    );
}
