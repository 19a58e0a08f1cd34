//! Requests per file (issue 13, small files at latency): `put -r` and `get -r` of a folder of
//! small files on each provider, counted by the emulator route by route. The same batch with 2
//! and with 6 files tells what each file costs (the difference over 4 files): only the calls
//! the protocol needs for one file, never a listing, a sign-in or an account lookup per file.
//! Each command signs in once, and keeps its connections alive (the emulator counts the TCP
//! connections it accepts: about as many as run at once, not one per request).

mod common;

use std::collections::BTreeMap;

use common::{Cli, Server};

const FEW: usize = 2;
const MORE: usize = 6;

/// Requests per route, connections and sign-ins of one command.
#[derive(Debug, Default)]
struct Counted {
    routes: BTreeMap<String, u64>,
    connections: u64,
}

fn snapshot(server: &Server) -> Counted {
    let stats = server.handle.stats();
    let routes = stats["by_route"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    Counted {
        routes,
        connections: stats["connections"].as_u64().unwrap_or(0),
    }
}

/// What `run` cost the emulator.
fn counted(server: &Server, run: impl FnOnce()) -> Counted {
    let before = snapshot(server);
    run();
    let after = snapshot(server);
    let routes = after
        .routes
        .iter()
        .map(|(k, v)| (k.clone(), v - before.routes.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect();
    Counted {
        routes,
        connections: after.connections - before.connections,
    }
}

/// Per file: (requests with MORE files - requests with FEW) / (MORE - FEW), route by route.
fn per_file(few: &Counted, more: &Counted) -> BTreeMap<String, f64> {
    let extra = (MORE - FEW) as f64;
    more.routes
        .iter()
        .map(|(k, v)| {
            let base = few.routes.get(k).copied().unwrap_or(0);
            (k.clone(), (*v as f64 - base as f64) / extra)
        })
        .filter(|(_, v)| *v != 0.0)
        .collect()
}

fn expect(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

struct Case {
    account: &'static str,
    /// The sign-in route, where the provider signs in (XFileSharing sends its key each call).
    sign_in: Option<&'static str>,
    put: &'static [(&'static str, f64)],
    get: &'static [(&'static str, f64)],
}

fn check(case: Case) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account(case.account)]);
    let mut runs = BTreeMap::new();
    for n in [FEW, MORE] {
        let dir = cli.path(&format!("batch{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..n {
            std::fs::write(
                dir.join(format!("f{i}.bin")),
                common::pattern(10 * 1024, i as u64),
            )
            .unwrap();
        }
        let to = format!("{}:/", case.account);
        let put = counted(&server, || {
            cli.ok(&[
                "put",
                "-r",
                "-j",
                "2",
                "--no-dedupe",
                dir.to_str().unwrap(),
                &to,
            ]);
        });
        let from = format!("{}:/batch{n}", case.account);
        let out = cli.path(&format!("out{n}"));
        let get = counted(&server, || {
            cli.ok(&["get", "-r", "-j", "2", &from, out.to_str().unwrap()]);
        });
        for i in 0..n {
            assert_eq!(
                std::fs::read(out.join(format!("batch{n}/f{i}.bin"))).unwrap(),
                common::pattern(10 * 1024, i as u64)
            );
        }
        runs.insert(n, (put, get));
    }
    for (what, pick, wanted) in [("put", 0, case.put), ("get", 1, case.get)] {
        let of = |n: usize| {
            let (put, get) = &runs[&n];
            if pick == 0 { put } else { get }
        };
        let (few, more) = (of(FEW), of(MORE));
        assert_eq!(
            per_file(few, more),
            expect(wanted),
            "{} {what}: requests per file (with {FEW} files: {:?}; with {MORE}: {:?})",
            case.account,
            few.routes,
            more.routes
        );
        for run in [few, more].into_iter().filter(|_| case.sign_in.is_some()) {
            let sign_in = case.sign_in.unwrap_or_default();
            assert_eq!(
                run.routes.get(sign_in).copied().unwrap_or(0),
                1,
                "{} {what} signs in once: {:?}",
                case.account,
                run.routes
            );
        }
        // Two transfers at once: a few connections, the same for 6 files as for 2.
        assert!(
            more.connections <= few.connections + 2,
            "{} {what}: {} connections for {MORE} files, {} for {FEW}: not kept alive",
            case.account,
            more.connections,
            few.connections
        );
    }
}

#[test]
fn yetishare_one_upload_call_per_file_and_two_for_a_download() {
    check(Case {
        account: "ys",
        sign_in: Some("yetishare/authorize"),
        put: &[("yetishare/file/upload", 1.0)],
        get: &[
            ("yetishare/file/download", 1.0),
            ("yetishare/download", 1.0),
        ],
    });
}

#[test]
fn keep2share_form_upload_and_its_check_per_file_and_two_for_a_download() {
    // The node's reply names the new id only: getFilesInfo gives its size and md5 to check.
    check(Case {
        account: "k2s",
        sign_in: Some("keep2share/login"),
        put: &[
            ("keep2share/getUploadFormData", 1.0),
            ("keep2share/upload", 1.0),
            ("keep2share/getFilesInfo", 1.0),
        ],
        get: &[("keep2share/getUrl", 1.0), ("keep2share/download", 1.0)],
    });
}

#[test]
fn xfilesharing_session_upload_ownership_and_move_per_file_and_two_for_a_download() {
    // A fresh session per upload; file/list before (to know a lost reply's file) and after
    // (the file is this account's, with its size); set_folder, as uploads land in the root.
    // The target folder and the account type are asked once, not per file.
    check(Case {
        account: "xfs",
        sign_in: None,
        put: &[
            ("xfilesharing/upload/server", 1.0),
            ("xfilesharing/upload.cgi", 1.0),
            ("xfilesharing/file/list", 2.0),
            ("xfilesharing/file/set_folder", 1.0),
        ],
        get: &[
            ("xfilesharing/file/direct_link", 1.0),
            ("xfilesharing/dl.cgi", 1.0),
        ],
    });
}
