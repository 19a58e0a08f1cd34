//! `haul` on a pseudo-terminal, as a person at a terminal runs it.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Cli;

/// `haul` on a pseudo-terminal (util-linux `script`), its keyboard a pipe the test types into
/// and its screen read back by a thread.
pub struct Terminal {
    child: Child,
    keyboard: Option<ChildStdin>,
    screen: Arc<Mutex<Vec<u8>>>,
}

/// A shell word for `script -c`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

impl Terminal {
    pub fn run(cli: &Cli, args: &[&str]) -> Terminal {
        let haul = assert_cmd::cargo::cargo_bin("haul");
        let line: Vec<String> = std::iter::once(haul.display().to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .map(|w| quoted(&w))
            .collect();
        let template = cli.std_cmd();
        let mut command = std::process::Command::new("script");
        command
            .args(["-q", "-f", "-e", "-c", &line.join(" "), "/dev/null"])
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in template.get_envs() {
            match value {
                Some(v) => command.env(key, v),
                None => command.env_remove(key),
            };
        }
        let mut child = command.spawn().expect("script (util-linux) runs");
        let mut stdout = child.stdout.take().unwrap();
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let keyboard = child.stdin.take();
        Terminal {
            child,
            keyboard,
            screen,
        }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Wait until `found` sees something on the screen.
    pub fn wait_for<T>(&mut self, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(t) = found(&self.screen()) {
                return t;
            }
            if Instant::now() > deadline || matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = self.child.kill();
                panic!("never saw {what}; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn type_line(&mut self, text: &str) {
        let keyboard = self.keyboard.as_mut().expect("keyboard");
        keyboard.write_all(format!("{text}\n").as_bytes()).unwrap();
        keyboard.flush().unwrap();
    }

    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("haul did not finish; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(self.keyboard.take());
        // Let the reader drain what is left.
        std::thread::sleep(Duration::from_millis(50));
        (status, self.screen())
    }
}
