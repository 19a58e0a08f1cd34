//! Progress as a user sees it: bars (per file and a total) on a terminal, one plain line per
//! finished file without one, and nothing with `-q`. The terminal is a real pseudo-terminal
//! (util-linux `script`), the host an emulator slowed down.

mod common;

use common::terminal::Terminal;
use common::{Cli, Server, pattern, sha256_file};
use haul::emulator::Faults;

const MIB: usize = 1024 * 1024;

/// An emulator whose every answer is late, an account on it, and two files uploaded to ys:/P.
fn setup() -> (Server, Cli, Vec<std::path::PathBuf>) {
    let server = Server::start(false);
    let cli = Cli::new(&[server.account("ys")]);
    let files: Vec<_> = [("a.bin", 12 * MIB, 1), ("b.bin", 8 * MIB, 2)]
        .into_iter()
        .map(|(name, len, seed)| {
            let path = cli.path(name);
            std::fs::write(&path, pattern(len, seed)).unwrap();
            path
        })
        .collect();
    cli.cmd()
        .arg("put")
        .args(&files)
        .arg("ys:/P")
        .assert()
        .success();
    server.set_faults(Faults {
        delay_ms: 150,
        ..Default::default()
    });
    (server, cli, files)
}

const ESC: char = '\u{1b}';

#[test]
fn a_terminal_shows_a_bar_per_file_and_a_total() {
    let (_server, cli, files) = setup();
    let out = cli.path("out");
    let dest = out.display().to_string();
    // 20 MiB at 8 MiB/s: long enough for a few redraws.
    let args = [
        "get",
        "--bwlimit",
        "8M",
        "ys:/P/a.bin",
        "ys:/P/b.bin",
        &dest,
    ];
    let (status, screen) = Terminal::run(&cli, &args).finish();
    assert!(status.success(), "{status}; the screen:\n{screen}");
    for file in &files {
        let name = file.file_name().unwrap();
        assert_eq!(sha256_file(&out.join(name)), sha256_file(file));
    }
    // Each file's bar, then the total: percent, bytes, speed and time left.
    for shown in [
        "a.bin",
        "b.bin",
        "total: ",
        "of 2 files",
        "%",
        "MiB/s",
        "ETA ",
    ] {
        assert!(
            screen.contains(shown),
            "no {shown:?} on the screen:\n{screen}"
        );
    }
    assert!(screen.contains("/12.00 MiB"), "{screen}");
    assert!(screen.contains("/20.00 MiB"), "the total's size:\n{screen}");
    assert!(screen.contains(ESC), "bars are redrawn in place");
    assert!(!screen.contains("done  "), "no plain lines on a terminal");
}

#[test]
fn uploads_show_bars_too() {
    let (_server, cli, files) = setup();
    let args = [
        "put",
        "--bwlimit",
        "8M",
        &files[0].display().to_string(),
        "ys:/Up",
    ];
    let (status, screen) = Terminal::run(&cli, &args).finish();
    assert!(status.success(), "{status}; the screen:\n{screen}");
    for shown in ["a.bin", "%", "MiB/s", "ETA ", "/12.00 MiB"] {
        assert!(
            screen.contains(shown),
            "no {shown:?} on the screen:\n{screen}"
        );
    }
}

#[test]
fn quiet_shows_no_bars_on_a_terminal() {
    let (_server, cli, _files) = setup();
    let dest = cli.path("out").display().to_string();
    let args = ["get", "-q", "--bwlimit", "8M", "ys:/P/a.bin", &dest];
    let (status, screen) = Terminal::run(&cli, &args).finish();
    assert!(status.success(), "{status}; the screen:\n{screen}");
    assert!(screen.trim().is_empty(), "nothing at all:\n{screen:?}");
}

#[test]
fn without_a_terminal_each_finished_file_is_one_plain_line() {
    let (_server, cli, files) = setup();
    let out = cli.path("out");
    let assert = cli
        .cmd()
        .args(["get", "ys:/P/a.bin", "ys:/P/b.bin"])
        .arg(&out)
        .assert()
        .success();
    let output = assert.get_output();
    assert!(output.stdout.is_empty(), "results only on stdout");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(!err.contains(ESC), "no escape codes: {err:?}");
    let mut lines: Vec<&str> = err.lines().collect();
    lines.sort();
    assert_eq!(lines.len(), 2, "{err}");
    for (line, (remote, size)) in lines
        .iter()
        .zip([("ys:/P/a.bin", "12.00 MiB"), ("ys:/P/b.bin", "8.00 MiB")])
    {
        let rest = line
            .strip_prefix(&format!("done  {remote}  {size}  "))
            .unwrap_or_else(|| panic!("{line:?}"));
        let secs = rest
            .strip_suffix(" s")
            .unwrap_or_else(|| panic!("{line:?}"));
        assert!(secs.parse::<f64>().is_ok(), "{line:?}");
    }
    assert_eq!(sha256_file(&out.join("b.bin")), sha256_file(&files[1]));

    // Quiet: nothing.
    let again = cli.path("again");
    cli.cmd()
        .args(["-q", "get", "ys:/P/a.bin"])
        .arg(&again)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(again.join("a.bin").exists());
}
