//! End to end: the real binary in tmux (`send-keys`, `capture-pane`). Opens `--demo`, copies a
//! file each way with keys and with mouse drags (SGR mouse sequences), answers a conflict and
//! a captcha (a wrong answer first, then the emulator's test hook's answer), watches the queue
//! finish, and quits cleanly. Then, against a `haul emulator` and a config file: signs in to a
//! Keep2Share account whose login asks for a captcha, and adds an account with the form where no
//! keyring runs. Skips, saying why, where tmux is missing (CI installs it).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const W: u16 = 140;
const H: u16 = 40;

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own running `script` in a W x H window.
    fn start(name: &str, script: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("haul-test-{name}-{}", std::process::id()),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "haul",
            "-x",
            &W.to_string(),
            "-y",
            &H.to_string(),
            script,
        ]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "haul"];
        args.extend_from_slice(keys);
        self.run(&args);
        std::thread::sleep(Duration::from_millis(150));
    }
    fn literal(&self, text: &str) {
        self.run(&["send-keys", "-t", "haul", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }
    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "haul"])
    }
    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if check(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }
    /// SGR mouse: press at `from`, drag through the middle to `to`, release (1-based cells).
    fn drag(&self, from: (u16, u16), to: (u16, u16), shift: bool) {
        let m = if shift { 4 } else { 0 };
        self.literal(&format!("\x1b[<{};{};{}M", m, from.0, from.1));
        let mid = ((from.0 + to.0) / 2, (from.1 + to.1) / 2);
        self.literal(&format!("\x1b[<{};{};{}M", 32 + m, mid.0, mid.1));
        self.literal(&format!("\x1b[<{};{};{}M", 32 + m, to.0, to.1));
        self.literal(&format!("\x1b[<{};{};{}m", m, to.0, to.1));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

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

fn wait_file(path: &Path) -> Vec<u8> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(bytes) = std::fs::read(path)
            && !bytes.is_empty()
        {
            return bytes;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{} never arrived", path.display());
}

/// GET a JSON document over plain HTTP from the emulator's test API.
fn http_get_json(url: &str) -> serde_json::Value {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(host).expect("connects");
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    let json = body.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The captcha's URL on screen -> the emulator's answer for it.
fn captcha_answer(screen: &str) -> String {
    let url = screen
        .split_whitespace()
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

fn have_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it: see .ci/run)");
        return false;
    }
    true
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
    let bin = env!("CARGO_BIN_EXE_haul");
    let script = format!(
        "cd '{d}' && HOME='{d}' XDG_CONFIG_HOME='{d}' XDG_DATA_HOME='{d}' HAUL_NO_GRAPHICS=1 \
         HAUL_NO_BROWSER=1 '{bin}' --demo 2>'{d}/stderr.log'; echo HAUL_EXIT=$?; sleep 60",
        d = home.display()
    );
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
    tmux.literal(&answer);
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

/// POST a JSON body to the emulator; the reply's JSON, whatever its status.
fn http_post_json(url: &str, body: &serde_json::Value) -> serde_json::Value {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("a path");
    let body = body.to_string();
    let mut stream = std::net::TcpStream::connect(host).expect("connects");
    write!(
        stream,
        "POST /{path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let json = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

/// `haul emulator` as its own process, stopped when dropped.
struct EmulatorProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    origin: String,
    /// What it printed: the accounts' config and their secrets.
    printed: String,
}

impl EmulatorProcess {
    fn start(data: &Path) -> EmulatorProcess {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_haul"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("haul emulator starts");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut printed = String::new();
        for line in lines.by_ref() {
            let line = line.expect("utf-8");
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        // Keep reading so the emulator never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let origin = printed
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in:\n{printed}"))
            .to_string();
        EmulatorProcess {
            child,
            origin,
            printed,
        }
    }

    /// The secret it printed for a demo account (`export HAUL_SECRET_YS='...'`).
    fn secret(&self, var: &str) -> String {
        let prefix = format!("export {var}='");
        self.printed
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no {var} in:\n{}", self.printed))
            .to_string()
    }

    fn k2s_api(&self) -> String {
        format!("{}/keep2share/api/v2", self.origin)
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let ys = emu
        .printed
        .lines()
        .skip_while(|l| !l.starts_with("[accounts.ys]"))
        .find_map(|l| l.strip_prefix("base_url = \""))
        .and_then(|r| r.strip_suffix('"'))
        .expect("the ys account's base_url")
        .to_string();
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
    tmux.keys(&["Tab", "Tab"]); // the provider stays keep2share
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
