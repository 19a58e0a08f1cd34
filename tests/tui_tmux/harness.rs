//! The tmux end-to-end tests' harness: a tmux server of the test's own, files and JSON over
//! plain HTTP, and `haul emulator` as a process.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub const W: u16 = 140;
pub const H: u16 = 40;

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own running `script` in a W x H window.
    pub fn start(name: &str, script: &str) -> Tmux {
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
        // OSC 52 from the program lands in a tmux buffer (see `clipboard`).
        tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "haul"];
        args.extend_from_slice(keys);
        self.run(&args);
        std::thread::sleep(Duration::from_millis(150));
    }
    pub fn literal(&self, text: &str) {
        self.run(&["send-keys", "-t", "haul", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }
    /// Paste `text` as a terminal does with bracketed paste on.
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "haul-test", text]);
        self.run(&["paste-buffer", "-p", "-d", "-b", "haul-test", "-t", "haul"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    /// What the program last put on the clipboard with OSC 52 (tmux keeps it as a buffer).
    pub fn clipboard(&self) -> String {
        self.run(&["show-buffer"])
    }
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "haul"])
    }
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        self.wait_for_within(what, Duration::from_secs(30), check)
    }
    /// [`Self::wait_for`] with its own limit, for what ends only after a host's retries.
    pub fn wait_for_within(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if check(&s) {
                return s;
            }
            if start.elapsed() > limit {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }
    /// SGR mouse: press at `from`, drag through the middle to `to`, release (1-based cells).
    pub fn drag(&self, from: (u16, u16), to: (u16, u16), shift: bool) {
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

pub fn wait_file(path: &Path) -> Vec<u8> {
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
pub fn http_get_json(url: &str) -> serde_json::Value {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(host).expect("connects");
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    let json = body.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {body}"))
}

pub fn have_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it: see .ci/run)");
        return false;
    }
    true
}

/// POST a JSON body to the emulator; the reply's JSON, whatever its status.
pub fn http_post_json(url: &str, body: &serde_json::Value) -> serde_json::Value {
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
pub struct EmulatorProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    /// What it printed: the accounts' config and their secrets.
    pub printed: String,
}

impl EmulatorProcess {
    pub fn start(data: &Path) -> EmulatorProcess {
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
    pub fn secret(&self, var: &str) -> String {
        let prefix = format!("export {var}='");
        self.printed
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no {var} in:\n{}", self.printed))
            .to_string()
    }

    /// The `ys` account's `base_url` as it printed it.
    pub fn ys_api(&self) -> String {
        self.printed
            .lines()
            .skip_while(|l| !l.starts_with("[accounts.ys]"))
            .find_map(|l| l.strip_prefix("base_url = \""))
            .and_then(|r| r.strip_suffix('"'))
            .expect("the ys account's base_url")
            .to_string()
    }

    pub fn k2s_api(&self) -> String {
        format!("{}/keep2share/api/v2", self.origin)
    }
}

// Not every test binary that includes the harness sets its accounts up this way.
#[allow(dead_code)]
impl EmulatorProcess {
    /// Its six demo accounts as a user sets them up from what it printed: `home/config.toml`
    /// holds the accounts, `export` lines the secrets.
    fn set_up(&self, home: &Path) -> (std::path::PathBuf, String) {
        let config = home.join("config.toml");
        let accounts: String = self
            .printed
            .lines()
            .skip_while(|l| !l.starts_with("# config.toml"))
            .take_while(|l| !l.starts_with("# their secrets"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&config, accounts).expect("write config");
        let exports: Vec<&str> = self
            .printed
            .lines()
            .filter(|l| l.starts_with("export HAUL_SECRET_"))
            .collect();
        (config, exports.join("; "))
    }

    /// The shell line that runs haul's TUI on its demo accounts at home `home` (as
    /// [`demo_script`] does with `--demo`).
    pub fn tui_script(&self, home: &Path) -> String {
        let (config, exports) = self.set_up(home);
        format!(
            "cd '{d}' && {exports}; HOME='{d}' XDG_CONFIG_HOME='{d}' XDG_DATA_HOME='{d}' \
             HAUL_STATE_DIR='{d}/state' HAUL_CONFIG='{cfg}' \
             DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/haul-test-bus HAUL_NO_GRAPHICS=1 \
             HAUL_NO_BROWSER=1 '{bin}' 2>'{d}/stderr.log'; echo HAUL_EXIT=$?; sleep 60",
            d = home.display(),
            cfg = config.display(),
            bin = env!("CARGO_BIN_EXE_haul"),
        )
    }

    /// `haul ARGS` on the same accounts (another state dir than the TUI's): its stdout.
    pub fn haul(&self, home: &Path, args: &[&str]) -> String {
        let (config, _) = self.set_up(home);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_haul"));
        cmd.args(args)
            .env("HAUL_CONFIG", &config)
            .env("HAUL_STATE_DIR", home.join("cli-state"))
            .env("HAUL_NO_BROWSER", "1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/haul-test-bus",
            );
        for line in self.printed.lines() {
            if let Some((var, value)) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once("='"))
            {
                cmd.env(var, value.trim_end_matches('\''));
            }
        }
        let out = cmd.output().expect("haul runs");
        assert!(
            out.status.success(),
            "haul {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shell line that runs `haul --demo` at home `home` (no graphics, no browser; stderr to
/// `stderr.log`), then says how it ended and lingers so the screen can still be read.
pub fn demo_script(home: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_haul");
    format!(
        "cd '{d}' && HOME='{d}' XDG_CONFIG_HOME='{d}' XDG_DATA_HOME='{d}' HAUL_NO_GRAPHICS=1 \
         HAUL_NO_BROWSER=1 '{bin}' --demo 2>'{d}/stderr.log'; echo HAUL_EXIT=$?; sleep 60",
        d = home.display()
    )
}
