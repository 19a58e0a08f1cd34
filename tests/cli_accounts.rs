//! Where the config comes from and how accounts get into it: a named config file must exist,
//! and `haul accounts add` signs in once before it writes anything.

mod common;

use common::{Cli, Server};
use predicates::prelude::*;

fn setup() -> (Server, Cli) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    (server, cli)
}

/// The one line a failed command printed.
fn one_line_error(assert: assert_cmd::assert::Assert) -> String {
    let err = String::from_utf8_lossy(&assert.failure().code(1).get_output().stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn a_named_config_file_that_is_missing_is_an_error() {
    let (_server, cli) = setup();
    let missing = cli.path("missing.toml");
    let err = one_line_error(
        cli.cmd()
            .arg("--config")
            .arg(&missing)
            .args(["ls", "ys:/"])
            .assert(),
    );
    assert!(
        err.contains(&format!(
            "{}: no such config file (named by --config)",
            missing.display()
        )),
        "{err}"
    );
    assert!(!err.contains("no account named"), "{err}");

    let err = one_line_error(
        cli.cmd()
            .env("HAUL_CONFIG", &missing)
            .args(["accounts", "list"])
            .assert(),
    );
    assert!(err.contains("named by $HAUL_CONFIG"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn the_default_config_missing_means_no_accounts() {
    let (_server, cli) = setup();
    let home = cli.path("home");
    std::fs::create_dir_all(&home).unwrap();
    cli.cmd()
        .env_remove("HAUL_CONFIG")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .args(["accounts", "list", "--json"])
        .assert()
        .success()
        .stdout("[]\n");
    let err = one_line_error(
        cli.cmd()
            .env_remove("HAUL_CONFIG")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .args(["ls", "ys:/"])
            .assert(),
    );
    assert!(err.contains("no account named \"ys\""), "{err}");
}

/// `haul accounts add NAME` for the emulator's ys site, the secret on stdin.
fn add(
    cli: &Cli,
    server: &Server,
    name: &str,
    secret: &str,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    let base_url = server.account("ys").base_url;
    cli.cmd()
        .args([
            "accounts",
            "add",
            name,
            "--provider",
            "yetishare",
            "--base-url",
            &base_url,
        ])
        .arg("--secret-stdin")
        .args(extra)
        .write_stdin(format!("{secret}\n"))
        .assert()
}

#[test]
fn accounts_add_signs_in_once_and_refuses_a_wrong_secret() {
    let (server, cli) = setup();
    let config_before = std::fs::read_to_string(&cli.config).unwrap();
    let wrong = format!("{}:{}", "a".repeat(64), "b".repeat(64));

    let err = one_line_error(add(&cli, &server, "mine", &wrong, &[]));
    assert!(err.contains("mine: cannot sign in"), "{err}");
    assert!(
        err.contains("Could not authenticate"),
        "the host's reason: {err}"
    );
    assert!(err.contains("--no-check"), "{err}");
    assert!(!err.contains(&"a".repeat(64)), "no secret in the error");
    assert_eq!(
        std::fs::read_to_string(&cli.config).unwrap(),
        config_before,
        "nothing written"
    );

    // --no-check: written without a sign-in.
    add(&cli, &server, "unchecked", &wrong, &["--no-check"])
        .success()
        .stderr(predicate::str::contains("signed in").not());
    assert!(
        std::fs::read_to_string(&cli.config)
            .unwrap()
            .contains("[accounts.unchecked]")
    );

    // The right secret signs in, then the account is written.
    let secret = server.account("ys").secret;
    add(&cli, &server, "mine", &secret, &[])
        .success()
        .stderr(predicate::str::contains("mine: signed in"));
    let text = std::fs::read_to_string(&cli.config).unwrap();
    assert!(text.contains("[accounts.mine]"), "{text}");
    let (key1, _) = secret.split_once(':').unwrap();
    assert!(!text.contains(key1), "no secret in the config file");
}

#[test]
fn accounts_add_checks_a_secret_set_in_the_environment() {
    let (server, cli) = setup();
    let base_url = server.account("ys").base_url;
    let add = |secret: &str| {
        cli.cmd()
            .env("HAUL_SECRET_FROMENV", secret)
            .args([
                "accounts",
                "add",
                "fromenv",
                "--provider",
                "yetishare",
                "--base-url",
                &base_url,
            ])
            .assert()
    };
    let err = one_line_error(add(&format!("{}:{}", "c".repeat(64), "d".repeat(64))));
    assert!(err.contains("Could not authenticate"), "{err}");
    assert!(
        !std::fs::read_to_string(&cli.config)
            .unwrap()
            .contains("fromenv")
    );
    add(&server.account("ys").secret).success();
    assert!(
        std::fs::read_to_string(&cli.config)
            .unwrap()
            .contains("[accounts.fromenv]")
    );
}

#[test]
fn accounts_add_may_create_the_named_config_file() {
    let (server, cli) = setup();
    let fresh = cli.path("fresh/config.toml");
    cli.cmd()
        .arg("--config")
        .arg(&fresh)
        .args([
            "accounts",
            "add",
            "new",
            "--provider",
            "yetishare",
            "--base-url",
        ])
        .arg(server.account("ys").base_url)
        .arg("--secret-stdin")
        .write_stdin(format!("{}\n", server.account("ys").secret))
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("[accounts.new]")
    );
}
