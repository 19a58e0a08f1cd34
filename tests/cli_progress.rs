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
        latency_ms: 150,
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

/// The screen's text without escape sequences, cut into what sits between line breaks and
/// carriage returns.
fn screen_lines(screen: &str) -> Vec<String> {
    let mut text = String::new();
    let mut chars = screen.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ESC && chars.peek() == Some(&'[') {
            chars.next();
            // Parameters, then one final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            text.push(c);
        }
    }
    text.split(['\n', '\r'])
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[test]
fn a_message_while_bars_are_drawn_gets_a_line_of_its_own() {
    let (_server, cli, files) = setup();
    // Half of b.bin is already here: its job says it resumes while a.bin's bars are up.
    let out = cli.path("out");
    std::fs::create_dir_all(&out).unwrap();
    let b = std::fs::read(&files[1]).unwrap();
    std::fs::write(out.join("b.bin.haul-part"), &b[..MIB]).unwrap();
    let dest = out.display().to_string();
    let args = [
        "get",
        "-j",
        "1",
        "--bwlimit",
        "8M",
        "ys:/P/a.bin",
        "ys:/P/b.bin",
        &dest,
    ];
    let (status, screen) = Terminal::run(&cli, &args).finish();
    assert!(status.success(), "{status}; the screen:\n{screen}");
    assert_eq!(std::fs::read(out.join("b.bin")).unwrap(), b);
    let note = format!("ys:/P/b.bin: resuming at byte {MIB}");
    assert!(
        screen_lines(&screen).contains(&note),
        "{note:?} not on a line of its own:\n{:#?}",
        screen_lines(&screen)
    );
    assert!(screen.contains("of 2 files"), "the total bar was up");
}
