//! End to end: the real binary in tmux (`send-keys`, `capture-pane`). Opens `--demo`, copies a
//! file each way with keys and with mouse drags (SGR mouse sequences), answers a conflict and
//! a captcha (a wrong answer first, then the emulator's test hook's answer), watches the queue
//! finish, and quits cleanly. Then, against a `haul emulator` and a config file: signs in to a
//! Keep2Share account whose login asks for a captcha (no browser: it says so; its URL copied with
//! OSC 52, which tmux keeps as a buffer; the answer pasted with bracketed paste), adds an account
//! with the form where no keyring runs, and keeps the queue across `kill -9` (paused, or resumed
//! by itself with `resume_on_start`; the journal's holder named by pid). Skips, saying why, where
//! tmux is missing (CI installs it).

#[path = "tui_tmux/harness.rs"]
mod harness;

#[path = "tui_tmux/busy_host.rs"]
mod busy_host;

use std::path::Path;
use std::process::Command;

use harness::{
    EmulatorProcess, H, Tmux, W, demo_script, have_tmux, http_get_json, http_post_json, wait_file,
};

/// The 1-based screen row where `name` shows in the left or right pane.
fn row_of(screen: &str, name: &str, right: bool) -> u16 {
    let half = (W / 2) as usize;
    for (i, line) in screen.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let part: String = if right {
            chars.iter().skip(half).collect()
        } else {
            chars.iter().take(half).collect()
        };
        if part.contains(&format!(" {name} ")) {
            return i as u16 + 1;
        }
    }
    panic!(
        "{name} is not in the {} pane:\n{screen}",
        if right { "right" } else { "left" }
    );
}

/// The captcha's URL on screen -> the emulator's answer for it.
fn captcha_answer(screen: &str) -> String {
    let url = screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .find(|w| w.contains("/captcha?id="))
        .unwrap_or_else(|| panic!("no captcha URL on screen:\n{screen}"));
    let (origin, _) = url.split_once("/keep2share/").expect("a keep2share URL");
    let id = url.rsplit("id=").next().unwrap_or_default();
    let hook = format!("{origin}/__emulator/keep2share/captcha/{id}");
    http_get_json(&hook)["answer"]
        .as_str()
        .expect("an answer")
        .to_string()
}

#[test]
fn demo_copies_both_ways_with_keys_and_mouse_and_answers_a_captcha() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::write(home.join("a-up.txt"), b"uploaded with F5\n").unwrap();
    std::fs::write(home.join("b-drag.txt"), b"uploaded by a mouse drag\n").unwrap();
    let script = demo_script(home);
    let tmux = Tmux::start("demo", &script);
    tmux.wait_for("both panes", |s| {
        s.contains("ys:/") && s.contains("readme.txt")
    });

    // Keys, local -> remote: the cursor is on a-up.txt.
    tmux.keys(&["F5"]);
    let s = tmux.wait_for("the upload in the right pane", |s| {
        s.contains("upload a-up.txt")
            && s.lines().any(|l| {
                l.chars()
                    .skip((W / 2) as usize)
                    .collect::<String>()
                    .contains(" a-up.txt ")
            })
    });
    assert!(s.contains("done"), "{s}");

    // Keys, remote -> local: readme.txt is the last entry on the right.
    tmux.keys(&["Tab", "G", "c"]);
    let readme = wait_file(&home.join("readme.txt"));
    assert!(!readme.is_empty());

    // Mouse, local -> remote: drag b-drag.txt onto the right pane's empty rows.
    let s = tmux.wait_for("b-drag.txt on the left", |s| s.contains(" b-drag.txt "));
    let row = row_of(&s, "b-drag.txt", false);
    tmux.drag((6, row), (W - 20, H - 12), false);
    tmux.wait_for("the dragged upload", |s| {
        s.lines()
            .any(|l| l.contains("upload b-drag.txt") && l.contains("100%"))
    });

    // Mouse, remote -> local: readme.txt exists here, so the conflict dialog asks; rename.
    let s = tmux.screen();
    let row = row_of(&s, "readme.txt", true);
    tmux.drag((W / 2 + 6, row), (10, H - 12), false);
    tmux.wait_text("already exists");
    tmux.keys(&["r"]);
    wait_file(&home.join("readme (1).txt"));

    // Captcha: the free Keep2Share account downloads the premium account's shared file.
    // A click on the right pane's header focuses it; `a` picks its account.
    tmux.literal(&format!("\x1b[<0;{};2M", W / 2 + 6));
    tmux.literal(&format!("\x1b[<0;{};2m", W / 2 + 6));
    tmux.keys(&["a"]);
    tmux.wait_text("Accounts");
    tmux.keys(&[
        "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Up", "Down", "Down", "Enter",
    ]);
    tmux.wait_text("k2s-free:/");
    tmux.keys(&["L"]);
    tmux.wait_text("file id or link");
    tmux.literal(haul::emulator::keep2share::SHARED_FILE_ID);
    tmux.keys(&["Enter"]);
    tmux.wait_text("Captcha for");
    tmux.literal("wrong1");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_text("try 2");
    let answer = captcha_answer(&s);
    // Pasted, as a browser-solved token would be (bracketed paste).
    tmux.paste(&answer);
    tmux.wait_text(&format!("answer: {answer}"));
    tmux.keys(&["Enter"]);
    let sample = wait_file(&home.join(haul::emulator::keep2share::SHARED_FILE_NAME));
    assert!(
        sample.len() > 1000,
        "the whole sample arrived: {} bytes",
        sample.len()
    );

    // The queue finishes; quitting needs no question then.
    tmux.wait_for("the queue to finish", |s| s.contains(" 0 active"));
    tmux.keys(&["t"]);
    let s = tmux.wait_text("Queue:");
    assert!(
        s.contains(" 0 failed") && !s.contains("│failed"),
        "no job failed:\n{s}"
    );
    tmux.keys(&["q"]);
    let s = tmux.wait_text("HAUL_EXIT=");
    assert!(s.contains("HAUL_EXIT=0"), "{s}");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Put a folder in the captcha account, signing in through its captcha over the API, so its
/// listing in the TUI shows something of its own.
fn plant_folder_in_captcha_account(emu: &EmulatorProcess, name: &str) {
    use haul::emulator::keep2share::{CAPTCHA_PASSWORD, CAPTCHA_USERNAME};
    let api = emu.k2s_api();
    let challenge = http_post_json(&format!("{api}/requestCaptcha"), &serde_json::json!({}));
    let id = challenge["challenge"].as_str().expect("a challenge");
    let answer = http_get_json(&format!(
        "{}/__emulator/keep2share/captcha/{id}",
        emu.origin
    ));
    let login = http_post_json(
        &format!("{api}/login"),
        &serde_json::json!({
            "username": CAPTCHA_USERNAME,
            "password": CAPTCHA_PASSWORD,
            "captcha_challenge": id,
            "captcha_response": answer["answer"],
        }),
    );
    let token = login["auth_token"].as_str().expect("signed in");
    let created = http_post_json(
        &format!("{api}/createFolder"),
        &serde_json::json!({"auth_token": token, "name": name, "parent": "/"}),
    );
    assert_eq!(created["status"], "success", "{created}");
}

#[test]
fn account_picker_signs_in_through_a_login_captcha_and_adds_an_account_without_a_keyring() {
    use haul::emulator::keep2share::{CAPTCHA_PASSWORD, CAPTCHA_USERNAME, FREE_PASSWORD};
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    plant_folder_in_captcha_account(&emu, "planted-before-the-ui");
    let ys = emu.ys_api();
    // `emu-ys` sorts first, so the right pane opens on it; the left starts on the local disk.
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "# my accounts: this comment stays\n\
             [accounts.emu-ys]\nprovider = \"yetishare\"\nbase_url = \"{ys}\"\n\n\
             [accounts.k2s-login]\nprovider = \"keep2share\"\nbase_url = \"{}\"\nusername = \"{CAPTCHA_USERNAME}\"\n",
            emu.k2s_api()
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_haul");
    let script = format!(
        "cd '{d}' && HOME='{d}' XDG_CONFIG_HOME='{d}' XDG_DATA_HOME='{d}' HAUL_STATE_DIR='{d}/state' \
         HAUL_CONFIG='{cfg}' HAUL_SECRET_EMU_YS='{ys_secret}' HAUL_SECRET_K2S_LOGIN='{CAPTCHA_PASSWORD}' \
         DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/haul-test-bus HAUL_NO_GRAPHICS=1 \
         HAUL_NO_BROWSER=1 '{bin}' 2>'{d}/stderr.log'; echo HAUL_EXIT=$?; sleep 60",
        d = home.display(),
        cfg = config.display(),
        ys_secret = emu.secret("HAUL_SECRET_YS"),
    );
    let tmux = Tmux::start("login", &script);
    tmux.wait_for("both panes", |s| {
        s.contains("emu-ys:/") && s.contains("readme.txt")
    });

    // The picker shows both accounts; Enter on k2s-login signs in, and its login asks.
    tmux.keys(&["a"]);
    let s = tmux.wait_text("Accounts");
    assert!(s.contains("k2s-login") && s.contains("not tried"), "{s}");
    tmux.keys(&["Down", "Down", "Enter"]);
    let s = tmux.wait_text("Captcha for signing in to k2s-login");
    assert!(s.contains("1 waiting for you"), "the badge counts it:\n{s}");
    // No browser here (HAUL_NO_BROWSER=1): C-o says so; C-y copies the whole URL (OSC 52).
    tmux.keys(&["C-o"]);
    let s = tmux.wait_text("no browser here");
    assert!(!s.contains("was opened"), "{s}");
    tmux.keys(&["C-y"]);
    tmux.wait_text("URL copied to the clipboard");
    let copied = tmux.clipboard();
    assert!(
        copied.starts_with(&emu.origin) && copied.contains("/captcha?id="),
        "{copied:?}"
    );
    assert!(
        s.contains(&copied),
        "the URL on screen is the one copied:\n{s}"
    );
    tmux.literal("wrong1");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_text("try 2");
    let answer = captcha_answer(&s);
    tmux.literal(&answer);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_text("planted-before-the-ui");
    assert!(s.contains("k2s-login:/"), "{s}");
    assert!(!s.contains("Captcha for"), "{s}");
    tmux.keys(&["a"]);
    tmux.wait_for("k2s-login signed in", |s| {
        s.lines()
            .any(|l| l.contains("k2s-login") && l.contains("signed in"))
    });

    // A new account through the form; no keyring runs, so the secret stays in this session.
    tmux.keys(&["n"]);
    tmux.wait_text("New account");
    tmux.literal("k2s-new");
    tmux.keys(&["Tab", "Tab", "Tab"]); // "another site"; the provider stays keep2share
    tmux.literal(&emu.k2s_api());
    tmux.keys(&["Tab"]);
    tmux.literal(haul::emulator::keep2share::FREE_USERNAME);
    tmux.keys(&["Tab"]);
    tmux.literal(FREE_PASSWORD);
    let s = tmux.wait_text(&"•".repeat(FREE_PASSWORD.len()));
    assert!(!s.contains(FREE_PASSWORD), "the secret is masked:\n{s}");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_text("HAUL_SECRET_K2S_NEW");
    assert!(s.contains("this session only"), "{s}");
    assert!(!s.contains(FREE_PASSWORD), "{s}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("# my accounts: this comment stays"), "{text}");
    assert!(text.contains("[accounts.k2s-new]"), "{text}");
    assert!(
        text.contains(haul::emulator::keep2share::FREE_USERNAME),
        "{text}"
    );
    assert!(
        !text.contains(FREE_PASSWORD),
        "no secret in the config:\n{text}"
    );
    assert!(
        !text.contains(CAPTCHA_PASSWORD),
        "no secret in the config:\n{text}"
    );

    // The session's secret signs in: the new account lists in the pane.
    let s = tmux.screen();
    let row = s
        .lines()
        .position(|l| l.contains(" k2s-new ") && l.contains("not tried"))
        .unwrap_or_else(|| panic!("k2s-new is not listed:\n{s}"));
    let cursor = s
        .lines()
        .position(|l| l.contains(" k2s-login ") && l.contains("keep2share"))
        .expect("k2s-login listed");
    assert_eq!(row, cursor + 1, "k2s-new sorts after k2s-login:\n{s}");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_text("k2s-new:/");
    tmux.wait_text("Documents");
    assert!(!s.contains("cannot list"), "{s}");

    tmux.keys(&["q"]);
    let s = tmux.wait_text("HAUL_EXIT=");
    assert!(s.contains("HAUL_EXIT=0"), "{s}");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
    for secret in [FREE_PASSWORD, CAPTCHA_PASSWORD] {
        assert!(!stderr.contains(secret), "{stderr}");
    }
}

/// A session of haul against a `haul emulator`: its home, config and environment.
struct Session {
    home: std::path::PathBuf,
    config: std::path::PathBuf,
    env: Vec<(String, String)>,
}

impl Session {
    fn new(home: &Path, emu: &EmulatorProcess) -> Session {
        let ys = emu.ys_api();
        let config = home.join("config.toml");
        let session = Session {
            home: home.to_path_buf(),
            config: config.clone(),
            env: vec![
                ("HOME".into(), home.display().to_string()),
                ("XDG_CONFIG_HOME".into(), home.display().to_string()),
                ("XDG_DATA_HOME".into(), home.display().to_string()),
                (
                    "HAUL_STATE_DIR".into(),
                    home.join("state").display().to_string(),
                ),
                ("HAUL_CONFIG".into(), config.display().to_string()),
                ("HAUL_SECRET_EMU_YS".into(), emu.secret("HAUL_SECRET_YS")),
                (
                    "DBUS_SESSION_BUS_ADDRESS".into(),
                    "unix:path=/nonexistent/haul-test-bus".into(),
                ),
                ("HAUL_NO_GRAPHICS".into(), "1".into()),
                ("HAUL_NO_BROWSER".into(), "1".into()),
            ],
        };
        std::fs::write(
            home.join("accounts.toml"),
            format!("[accounts.emu-ys]\nprovider = \"yetishare\"\nbase_url = \"{ys}\"\n"),
        )
        .unwrap();
        session.write_config(&format!("bwlimit = \"{SLOW}\""));
        session
    }

    /// The config: the emulator's account and `transfers` lines.
    fn write_config(&self, transfers: &str) {
        let accounts = std::fs::read_to_string(self.home.join("accounts.toml")).unwrap_or_default();
        std::fs::write(
            &self.config,
            format!("{accounts}\n[transfers]\n{transfers}\n"),
        )
        .unwrap();
    }

    /// haul on the command line; its output.
    fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_haul"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.home)
            .output()
            .expect("haul runs")
    }

    /// The TUI in tmux, in `dir`, once both panes show; the shell says how haul exited.
    fn tui(&self, name: &str, dir: &Path) -> Tmux {
        let tmux = self.tui_started(name, dir);
        tmux.wait_for("both panes", |s| {
            s.contains("emu-ys:/") && s.contains("readme.txt")
        });
        tmux
    }

    /// The TUI in tmux, in `dir`, just started.
    fn tui_started(&self, name: &str, dir: &Path) -> Tmux {
        let env: Vec<String> = self.env.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
        let script = format!(
            "cd '{dir}' && {env} '{bin}' 2>>'{home}/stderr.log'; echo HAUL_EXIT=$?; sleep 60",
            dir = dir.display(),
            env = env.join(" "),
            bin = env!("CARGO_BIN_EXE_haul"),
            home = self.home.display(),
        );
        Tmux::start(name, &script)
    }

    /// The pid in the journal's lock file: the haul that holds the journal.
    fn journal_holder(&self) -> u32 {
        let text = std::fs::read_to_string(self.home.join("state/queue.lock")).unwrap();
        text.trim().parse().unwrap_or_else(|_| panic!("{text:?}"))
    }
}

/// haul's own bandwidth limit while a download is to be interrupted.
const SLOW: &str = "200K";

/// Bytes that are not all the same (so a resume from the wrong offset shows).
fn sample_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64 * 2_654_435_761 % 251) as u8 ^ seed)
        .collect()
}

/// Wait until a download's part file has some bytes.
fn wait_part(path: &Path) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(30) {
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{} never started", path.display());
}

/// Wait until `path` has exactly `want`, with no part file left.
fn wait_exact(path: &Path, want: &[u8]) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(60) {
        if std::fs::read(path).is_ok_and(|b| b.len() == want.len()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let got = std::fs::read(path).unwrap_or_default();
    assert!(
        got == want,
        "{} is not byte-exact ({} of {} bytes)",
        path.display(),
        got.len(),
        want.len()
    );
    let mut part = path.as_os_str().to_owned();
    part.push(".haul-part");
    assert!(!Path::new(&part).exists(), "no part file is left");
}

/// Filter the right pane down to `name` and copy it into the left pane.
fn download(tmux: &Tmux, name: &str) {
    tmux.keys(&["/"]);
    tmux.literal(name);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the filtered pane", |s| s.contains(&format!(" {name} ")));
    tmux.keys(&["c"]);
    tmux.keys(&["Escape"]);
}

fn kill_9(pid: u32) {
    let status = Command::new("kill").args(["-9", &pid.to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()), "kill -9 {pid}");
}

#[test]
fn the_tui_keeps_the_queue_across_a_kill_and_resumes_it_paused_or_by_itself() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let session = Session::new(home, &emu);
    let downloads = home.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let one = sample_bytes(3 << 20, 1);
    let two = sample_bytes(3 << 20, 2);
    std::fs::write(home.join("big1.bin"), &one).unwrap();
    std::fs::write(home.join("big2.bin"), &two).unwrap();
    // Put them on the account with a journal of their own (this run's queue stays empty).
    let put = Command::new(env!("CARGO_BIN_EXE_haul"))
        .args(["put", "big1.bin", "big2.bin", "emu-ys:/"])
        .envs(session.env.iter().map(|(k, v)| (k, v)))
        .env("HAUL_STATE_DIR", home.join("setup-state"))
        .current_dir(home)
        .output()
        .unwrap();
    assert!(put.status.success(), "{put:?}");

    // 1. A slow download, then kill -9.
    let tmux = session.tui("journal-1", &downloads);
    tmux.keys(&["Tab"]);
    download(&tmux, "big1.bin");
    wait_part(&downloads.join("big1.bin.haul-part"));
    let first = session.journal_holder();
    // A second haul that wants the journal says who holds it: the command line...
    let clear = session.cli(&["queue", "clear"]);
    let said = String::from_utf8_lossy(&clear.stderr);
    assert!(
        said.contains(&format!(
            "the queue journal is in use by haul (pid {first})"
        )),
        "{said}"
    );
    // ... and the terminal UI.
    let second = session.tui("journal-second", &downloads);
    let s = second.wait_text("Queue journal in use");
    assert!(s.contains(&format!("in use by haul (pid {first})")), "{s}");
    second.keys(&["Escape"]);
    second.keys(&["q"]);
    second.wait_text("HAUL_EXIT=0");
    kill_9(first);
    tmux.wait_text("HAUL_EXIT=137");
    drop(tmux);

    // 2. Started again: the job is listed paused and stays so; resuming it finishes the file.
    session.write_config("");
    let tmux = session.tui("journal-2", &downloads);
    let s = tmux.wait_for("the job, paused", |s| {
        s.lines()
            .any(|l| l.contains("paused") && l.contains("download big1.bin"))
    });
    assert!(s.contains("Queue (1)"), "{s}");
    let part = downloads.join("big1.bin.haul-part");
    let kept = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(
        std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0),
        kept,
        "a paused job moves no byte"
    );
    tmux.keys(&["t"]);
    tmux.wait_text("Queue: 1 active, 0 done");
    tmux.keys(&["u"]);
    wait_exact(&downloads.join("big1.bin"), &one);
    tmux.wait_for("the job done", |s| {
        s.lines()
            .any(|l| l.contains("done") && l.contains("download big1.bin"))
    });
    // A slow second download (haul's own limit, set with `b`), killed again.
    tmux.keys(&["b"]);
    tmux.wait_text("Bandwidth limit");
    tmux.literal(SLOW);
    tmux.keys(&["Enter", "t", "Tab"]);
    download(&tmux, "big2.bin");
    wait_part(&downloads.join("big2.bin.haul-part"));
    kill_9(session.journal_holder());
    tmux.wait_text("HAUL_EXIT=137");
    drop(tmux);

    // 3. With resume_on_start the job goes on by itself; the finished one is still listed.
    session.write_config("resume_on_start = true");
    let tmux = session.tui("journal-3", &downloads);
    wait_exact(&downloads.join("big2.bin"), &two);
    let s = tmux.wait_for("both jobs done", |s| {
        s.lines()
            .any(|l| l.contains("done") && l.contains("download big1.bin"))
            && s.lines()
                .any(|l| l.contains("done") && l.contains("download big2.bin"))
    });
    assert!(!s.contains("copying 1 entries"), "{s}");
    tmux.keys(&["q"]);
    tmux.wait_text("HAUL_EXIT=0");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
