//! The binary as a user runs it, against the emulator over real HTTP.

mod common;

use common::names;

use common::{Cli, Server, pattern, sha256_file};
use predicates::prelude::*;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys"), server.account("ys-free")]);
    (server, cli)
}

#[test]
fn put_get_roundtrip_is_byte_exact() {
    let (_server, cli) = setup();
    let one = cli.path("one.bin");
    let big = cli.path("big.bin");
    std::fs::write(&one, b"x").unwrap();
    std::fs::write(&big, pattern(10 * 1024 * 1024, 7)).unwrap();
    cli.cmd()
        .args(["put"])
        .arg(&one)
        .arg(&big)
        .arg("ys:/Up/Loads")
        .assert()
        .success();
    let items = cli.ls_json("ys:/Up/Loads");
    assert_eq!(names(&items), ["big.bin", "one.bin"]);
    let big_item = items.iter().find(|i| i["name"] == "big.bin").unwrap();
    assert_eq!(big_item["kind"], "file");
    assert_eq!(big_item["size"], 10 * 1024 * 1024);
    assert!(big_item["id"].is_string());

    let out = cli.path("out");
    cli.cmd()
        .args(["get", "ys:/Up/Loads/one.bin", "ys:/Up/Loads/big.bin"])
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
}

#[test]
fn recursive_put_and_get_keep_the_tree() {
    let (_server, cli) = setup();
    let src = cli.path("tree");
    std::fs::create_dir_all(src.join("sub/deeper")).unwrap();
    std::fs::write(src.join("a.txt"), b"alpha").unwrap();
    std::fs::write(src.join("sub/b.txt"), b"beta").unwrap();
    std::fs::write(src.join("sub/deeper/c.txt"), pattern(70_000, 3)).unwrap();
    cli.cmd()
        .args(["put", "-r"])
        .arg(&src)
        .arg("ys:/")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("ys:/tree/sub")), ["deeper", "b.txt"]);

    let out = cli.path("back");
    cli.cmd()
        .args(["get", "ys:/tree"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("use get -r"));
    cli.cmd()
        .args(["get", "-r", "ys:/tree"])
        .arg(&out)
        .assert()
        .success();
    for rel in ["a.txt", "sub/b.txt", "sub/deeper/c.txt"] {
        assert_eq!(
            sha256_file(&out.join("tree").join(rel)),
            sha256_file(&src.join(rel)),
            "{rel}"
        );
    }
}

#[test]
fn conflicts_follow_the_policy() {
    let (_server, cli) = setup();
    let f = cli.path("same.txt");
    std::fs::write(&f, b"first").unwrap();
    cli.cmd().arg("put").arg(&f).arg("ys:/C").assert().success();
    std::fs::write(&f, b"second!").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("ys:/C")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    cli.cmd()
        .args(["put", "--on-conflict", "rename"])
        .arg(&f)
        .arg("ys:/C")
        .assert()
        .success();
    assert_eq!(names(&cli.ls_json("ys:/C")), ["same (1).txt", "same.txt"]);
    cli.cmd()
        .args(["put", "--on-conflict", "overwrite"])
        .arg(&f)
        .arg("ys:/C")
        .assert()
        .success();
    let items = cli.ls_json("ys:/C");
    let same: Vec<_> = items.iter().filter(|i| i["name"] == "same.txt").collect();
    assert_eq!(same.len(), 1, "overwrite leaves one entry");
    assert_eq!(same[0]["size"], 7);

    let out = cli.path("dl");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("same.txt"), b"local").unwrap();
    cli.cmd()
        .args(["get", "ys:/C/same.txt"])
        .arg(&out)
        .assert()
        .failure();
    assert_eq!(std::fs::read(out.join("same.txt")).unwrap(), b"local");
    cli.cmd()
        .args(["get", "--on-conflict", "rename", "ys:/C/same.txt"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("same (1).txt")).unwrap(), b"second!");
}

#[test]
fn mkdir_mv_cp_rm() {
    let (_server, cli) = setup();
    cli.cmd().args(["mkdir", "ys:/A/B/C"]).assert().success();
    cli.cmd().args(["mkdir", "ys:/A/B/C"]).assert().success(); // idempotent
    assert_eq!(names(&cli.ls_json("ys:/A/B")), ["C"]);
    let f = cli.path("doc.txt");
    std::fs::write(&f, b"document").unwrap();
    cli.cmd().arg("put").arg(&f).arg("ys:/A").assert().success();

    // Into a folder, then move + rename, then rename in place.
    cli.ok(&["mv", "ys:/A/doc.txt", "ys:/A/B"]);
    assert_eq!(names(&cli.ls_json("ys:/A/B")), ["C", "doc.txt"]);
    cli.ok(&["mv", "ys:/A/B/doc.txt", "ys:/renamed.txt"]);
    assert!(names(&cli.ls_json("ys:/")).contains(&"renamed.txt".to_string()));
    assert_eq!(names(&cli.ls_json("ys:/A/B")), ["C"]);

    // Copies: a file into a folder, a file under a new name, a whole folder.
    cli.ok(&["cp", "ys:/renamed.txt", "ys:/A/B/C"]);
    cli.ok(&["cp", "ys:/renamed.txt", "ys:/A/copy.txt"]);
    cli.ok(&["cp", "ys:/A/B", "ys:/B2"]);
    assert_eq!(names(&cli.ls_json("ys:/B2/C")), ["renamed.txt"]);
    let out = cli.path("o");
    cli.cmd()
        .args(["get", "ys:/A/copy.txt"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("copy.txt")).unwrap(), b"document");
    cli.cmd()
        .args(["mv", "ys:/A", "ys:/A/B"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("into itself"));

    // Deletes.
    cli.cmd()
        .args(["rm", "ys:/A"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rm -r"));
    cli.cmd().args(["rm", "ys:/renamed.txt"]).assert().success();
    cli.cmd().args(["rm", "-r", "ys:/A"]).assert().success();
    let root = names(&cli.ls_json("ys:/"));
    assert!(!root.contains(&"A".to_string()) && !root.contains(&"renamed.txt".to_string()));
    cli.cmd()
        .args(["rm", "ys:/nothing-here"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no such file or folder"));
}

#[test]
fn duplicate_names_are_refused_and_ids_address_them() {
    let (server, cli) = setup();
    // Two folders with one name: the host allows it.
    let rt = &server.runtime;
    let acc = server.account("ys");
    let provider = haul::cli::open_account::open_bare(
        &haul::config::AccountConfig {
            provider: haul::config::ProviderFamily::Yetishare,
            base_url: acc.base_url.clone(),
            username: None,
            connections_per_file: None,
        },
        &haul::config::secrets::Secret::new(acc.secret.clone()),
    )
    .unwrap();
    let root = haul::provider::FolderId::Root;
    let a = rt.block_on(provider.create_folder(&root, "Twin")).unwrap();
    let b = rt.block_on(provider.create_folder(&root, "Twin")).unwrap();
    let out = cli
        .cmd()
        .args(["ls", "ys:/Twin"])
        .assert()
        .failure()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ambiguous"), "{err}");
    assert!(
        err.contains(&a.id) && err.contains(&b.id),
        "lists both ids: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    cli.ok(&["mkdir", &format!("ys:#folder:{}/inside", b.id)]);
    assert_eq!(
        names(&cli.ls_json(&format!("ys:#folder:{}", b.id))),
        ["inside"]
    );
    assert!(cli.ls_json(&format!("ys:#{}", a.id)).is_empty());
}

#[test]
fn about_and_link() {
    let (server, cli) = setup();
    cli.cmd()
        .args(["about", "ys:"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Premium"));
    cli.cmd()
        .args(["about", "ys-free"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Free"));
    let f = cli.path("pub.txt");
    std::fs::write(&f, b"public").unwrap();
    cli.cmd().arg("put").arg(&f).arg("ys:/").assert().success();
    let out = cli
        .cmd()
        .args(["link", "ys:/pub.txt"])
        .assert()
        .success()
        .get_output()
        .clone();
    let link = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(link.starts_with(&server.handle.base_url()), "{link}");
}

#[test]
fn empty_upload_is_refused_with_the_hosts_message() {
    let (_server, cli) = setup();
    let f = cli.path("empty.txt");
    std::fs::write(&f, b"").unwrap();
    cli.cmd()
        .arg("put")
        .arg(&f)
        .arg("ys:/")
        .assert()
        .failure()
        .stderr(predicate::str::contains("Filesize received was zero"));
}

#[test]
fn interrupted_get_resumes_from_the_part_file() {
    let (server, cli) = setup();
    let f = cli.path("resume.bin");
    let data = pattern(3 * 1024 * 1024, 11);
    std::fs::write(&f, &data).unwrap();
    cli.cmd().arg("put").arg(&f).arg("ys:/").assert().success();

    server.set_faults(haul::emulator::Faults {
        cut_body_after: Some(1024 * 1024),
        ..Default::default()
    });
    let out = cli.path("dl");
    cli.cmd()
        .args(["get", "--retries", "0", "ys:/resume.bin"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("resume"));
    let part = out.join("resume.bin.haul-part");
    let partial = std::fs::metadata(&part).expect("part file kept").len();
    assert!(
        partial > 0 && partial < data.len() as u64,
        "partial {partial}"
    );
    assert!(
        !out.join("resume.bin").exists(),
        "no final name before completion"
    );

    server.set_faults(Default::default());
    cli.cmd()
        .args(["get", "ys:/resume.bin"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("resume.bin")).unwrap(), data);
    assert!(!part.exists());
}

#[test]
fn hostile_remote_names_stay_inside_the_folder_and_off_the_terminal() {
    let (server, cli) = setup();
    let acc = server.account("ys");
    let rt = &server.runtime;
    let dots = rt.block_on(common::raw_yetishare_upload(&acc, "..", b"dots"));
    rt.block_on(common::raw_yetishare_upload(
        &acc,
        "bell\u{7}\u{1b}[31mred.txt",
        b"esc",
    ));
    let out = cli.path("safe");
    cli.cmd()
        .args(["get", &format!("ys:#file:{dots}")])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("not a safe local file name"));
    let written: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(written.len(), 1);
    assert_eq!(std::fs::read(written[0].path()).unwrap(), b"dots");
    let listing = cli
        .cmd()
        .args(["ls", "ys:/"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        !listing.stdout.contains(&0x1b),
        "no escape reaches the terminal"
    );
    assert!(!listing.stdout.contains(&0x07));
    let got = cli.path("esc");
    cli.cmd()
        .args(["get", "-r", "ys:/"])
        .arg(&got)
        .assert()
        .success();
    for entry in walk(&got) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.chars().any(char::is_control), "{name:?}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn errors_are_one_line_and_keep_secrets() {
    let (server, cli) = setup();
    let acc = server.account("ys");
    let out = cli
        .cmd()
        .args(["-vv", "ls", "ys:/missing/deeper"])
        .assert()
        .failure()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such file or folder"), "{err}");
    let (key1, key2) = acc.secret.split_once(':').unwrap();
    assert!(
        !err.contains(key1) && !err.contains(key2),
        "no key in the log"
    );
    assert!(!err.contains("access_token="), "no token in the log");

    cli.cmd()
        .args(["ls", "nope:/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no account named \"nope\""));

    // Wrong keys: a clear authentication error.
    cli.cmd()
        .env(
            "HAUL_SECRET_YS",
            format!("{}:{}", "a".repeat(64), "b".repeat(64)),
        )
        .args(["ls", "ys:/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("Could not authenticate"));
}

#[test]
fn a_bad_config_names_file_line_and_field() {
    let (_server, cli) = setup();
    std::fs::write(
        &cli.config,
        "[accounts.ys]\nprovider = \"yetishare\"\nbase_url = \"http://127.0.0.1:1/api\"\nusrname = \"x\"\n",
    )
    .unwrap();
    let out = cli
        .cmd()
        .args(["ls", "ys:/"])
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml line 4") && err.contains("usrname"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1);
}

#[test]
fn accounts_add_never_writes_the_secret_to_the_config() {
    let (server, cli) = setup();
    let acc = server.account("ys");
    cli.cmd()
        .args([
            "accounts",
            "add",
            "mine",
            "--provider",
            "yetishare",
            "--base-url",
            &acc.base_url,
        ])
        .arg("--secret-stdin")
        .write_stdin(format!("{}\n", acc.secret))
        .assert()
        .success()
        .stderr(predicate::str::contains("HAUL_SECRET_MINE"));
    let text = std::fs::read_to_string(&cli.config).unwrap();
    assert!(text.contains("[accounts.mine]"));
    let (key1, _) = acc.secret.split_once(':').unwrap();
    assert!(!text.contains(key1), "no secret in the config file");
    cli.cmd()
        .env("HAUL_SECRET_MINE", &acc.secret)
        .args(["accounts", "test", "mine"])
        .assert()
        .success()
        .stdout(predicate::str::contains("mine: ok"));
    cli.cmd()
        .args(["accounts", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("mine").and(predicate::str::contains("secret: missing")));
    cli.ok(&["accounts", "remove", "mine"]);
    assert!(
        !std::fs::read_to_string(&cli.config)
            .unwrap()
            .contains("mine")
    );
}

#[test]
fn demo_runs_commands_against_the_built_in_emulator() {
    let cli = Cli::new(&[]);
    cli.cmd()
        .args(["--demo", "ls", "ys:/", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("["));
    cli.cmd()
        .arg("--demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("ys-free"));
}
