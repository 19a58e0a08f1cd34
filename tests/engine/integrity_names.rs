//! Issue 11, local names: long names download (the part name fits 255 bytes), a 10,000-character
//! name gets a short safe local name with a note, `..` and friends stay inside the folder,
//! invisible characters are shown on the terminal and kept out of local names, and a folder
//! holding two files of one name is downloaded whole (`get -r`).

use std::collections::BTreeMap;

use crate::common::{Cli, Server, pattern};
use haul::emulator::HostileCase;

use super::*;

fn setup(accounts: &[&str]) -> (Server, Cli) {
    let server = Server::start(false);
    let accounts: Vec<_> = accounts.iter().map(|a| server.account(a)).collect();
    let cli = Cli::new(&accounts);
    (server, cli)
}

fn hostile(server: &Server, case: Option<HostileCase>) {
    server.set_faults(Faults {
        hostile: case.into_iter().collect(),
        ..Default::default()
    });
}

/// Put each `(name, bytes)` from a local folder into `target` (`ACCOUNT:/PATH`).
fn put_files(cli: &Cli, target: &str, files: &[(&str, Vec<u8>)]) {
    let dir = cli.path(&format!("put-{}", files.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec!["put".to_string()];
    for (name, data) in files {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        args.push(path.display().to_string());
    }
    args.push(target.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli.ok(&args);
}

/// `haul ARGS`, which must succeed; its stderr.
fn stderr_ok(cli: &Cli, args: &[&str]) -> String {
    let out = cli.cmd().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "haul {args:?}: {err}");
    err
}

/// Every file below `dir` by its path relative to `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn a_250_byte_name_downloads_under_its_own_name() {
    // XFileSharing cuts names at 128 bytes: no such name lives there.
    let (_server, cli) = setup(&["ys", "k2s"]);
    let name = format!("{}.bin", "n".repeat(246));
    assert_eq!(name.len(), 250);
    let data = pattern(70_000, 4);
    for account in ["ys", "k2s"] {
        put_files(&cli, &format!("{account}:/"), &[(&name, data.clone())]);
        let out = cli.path(&format!("out-{account}"));
        stderr_ok(
            &cli,
            &["get", &format!("{account}:/{name}"), out.to_str().unwrap()],
        );
        assert_eq!(
            tree(&out),
            BTreeMap::from([(name.clone(), data.clone())]),
            "{account}: the file under its name, no part file left"
        );
    }
}

#[test]
fn a_10000_character_name_gets_a_short_safe_local_name_with_a_note() {
    let (server, cli) = setup(&["ys"]);
    let data = pattern(5_000, 6);
    put_files(&cli, "ys:/", &[("f.bin", data.clone())]);
    hostile(&server, Some(HostileCase::NameLong));
    let out = cli.path("out");
    let err = stderr_ok(&cli, &["get", "-r", "ys:/", out.to_str().unwrap()]);
    hostile(&server, None);
    let got = tree(&out);
    assert_eq!(got.len(), 1, "{:?}", got.keys());
    let (local, bytes) = got.into_iter().next().unwrap();
    let file = Path::new(&local).file_name().unwrap().to_str().unwrap();
    assert!(file.len() <= 255, "{} bytes", file.len());
    assert!(file.starts_with("AAAA") && file.ends_with(".bin"), "{file}");
    assert!(file.contains('~'), "marked as shortened: {file}");
    assert_eq!(bytes, data);
    assert!(err.contains("saved as"), "a note says so");
}

#[test]
fn dot_dot_slash_and_nul_names_stay_inside_the_folder_and_apart() {
    let (server, cli) = setup(&["ys"]);
    put_files(&cli, "ys:/", &[("f.bin", b"root file".to_vec())]);
    put_files(&cli, "ys:/D", &[("g.bin", b"inner file".to_vec())]);
    // A file and a folder both named `..`, and a file `..` inside that folder.
    hostile(&server, Some(HostileCase::NameDotdotEntry));
    let out = cli.path("dots");
    let err = stderr_ok(&cli, &["get", "-r", "ys:/", out.to_str().unwrap()]);
    assert_eq!(
        tree(&out),
        BTreeMap::from([
            ("ys/___/___".to_string(), b"inner file".to_vec()),
            ("ys/___ (2)".to_string(), b"root file".to_vec()),
        ]),
        "{err}"
    );
    assert!(err.contains("saved as \"___ (2)\""), "{err}");
    for case in [
        HostileCase::NameDotdot,
        HostileCase::NameSlash,
        HostileCase::NameBackslash,
        HostileCase::NameNul,
    ] {
        hostile(&server, Some(case));
        let out = cli.path(&format!("{case:?}"));
        stderr_ok(&cli, &["get", "-r", "ys:/", out.to_str().unwrap()]);
        let got = tree(&out);
        assert_eq!(got.len(), 2, "{case:?}: {:?}", got.keys());
        for (path, _) in got {
            assert!(
                path.split('/').all(|part| part != ".." && part != "."),
                "{case:?}: {path}"
            );
            assert!(!path.contains('\0'), "{case:?}: {path}");
        }
    }
    hostile(&server, None);
}

#[test]
fn invisible_characters_are_shown_on_the_terminal_and_kept_out_of_local_names() {
    let (server, cli) = setup(&["ys"]);
    put_files(&cli, "ys:/", &[("f.bin", b"zw".to_vec())]);
    hostile(&server, Some(HostileCase::NameZeroWidth));
    let listing = cli.ok(&["ls", "ys:/"]).get_output().stdout.clone();
    let listing = String::from_utf8(listing).unwrap();
    assert!(
        listing.contains("\\u{200b}f.bin\\u{200d}\\u{feff}"),
        "{listing}"
    );
    let out = cli.path("out");
    let err = stderr_ok(
        &cli,
        &[
            "get",
            "ys:/\u{200b}f.bin\u{200d}\u{feff}",
            out.to_str().unwrap(),
        ],
    );
    hostile(&server, None);
    assert_eq!(
        tree(&out),
        BTreeMap::from([("_f.bin__".to_string(), b"zw".to_vec())])
    );
    assert!(
        !err.contains('\u{200b}') && err.contains("\\u{200b}"),
        "{err}"
    );
    // Bidi overrides too: `f.bin<RLO>gpj.exe` must not read as `f.binexe.jpg`.
    hostile(&server, Some(HostileCase::NameBidi));
    let listing = cli.ok(&["ls", "ys:/"]).get_output().stdout.clone();
    hostile(&server, None);
    let listing = String::from_utf8(listing).unwrap();
    assert!(listing.contains("f.bin\\u{202e}gpj.exe"), "{listing}");
}

/// `get -r` of a folder whose files all carry one name, on `account`.
fn twins_on(account: &str) {
    let (server, cli) = setup(&[account]);
    let files: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| (format!("t{i}.txt"), pattern(1000 + i, 30 + i as u64)))
        .collect();
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    put_files(&cli, &format!("{account}:/F"), &named);
    let listed = cli.ls_json(&format!("{account}:/F"));
    let mut by_id: Vec<(String, Vec<u8>)> = listed
        .iter()
        .map(|item| {
            let name = item["name"].as_str().unwrap();
            let data = files.iter().find(|(n, _)| n == name).unwrap().1.clone();
            (item["id"].as_str().unwrap().to_string(), data)
        })
        .collect();
    by_id.sort_by(|a, b| match (a.0.parse::<u64>(), b.0.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.0.cmp(&b.0),
    });
    hostile(&server, Some(HostileCase::NameDuplicate));
    let out = cli.path("out");
    let err = stderr_ok(
        &cli,
        &["get", "-r", &format!("{account}:/F"), out.to_str().unwrap()],
    );
    hostile(&server, None);
    assert_eq!(
        tree(&out),
        BTreeMap::from([
            ("F/twin.txt".to_string(), by_id[0].1.clone()),
            ("F/twin (2).txt".to_string(), by_id[1].1.clone()),
            ("F/twin (3).txt".to_string(), by_id[2].1.clone()),
        ]),
        "{account}: all three, the lowest id under the name: {err}"
    );
    for (id, _) in &by_id {
        assert!(
            err.contains(&format!("#{id}")),
            "{account}: the note names {id}: {err}"
        );
    }
}

#[test]
fn a_folder_with_two_files_of_one_name_is_downloaded_whole_on_yetishare() {
    twins_on("ys");
}

#[test]
fn a_folder_with_two_files_of_one_name_is_downloaded_whole_on_xfilesharing() {
    twins_on("xfs");
}
