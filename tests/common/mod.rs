//! Shared test harness: an in-process emulator on 127.0.0.1 and helpers to run the real binary.
#![allow(dead_code)]

pub mod terminal;

use std::path::{Path, PathBuf};

use haul::emulator::{self, DemoAccount, EmulatorConfig, EmulatorHandle, Faults};
use sha2::Digest;

/// An emulator on its own runtime, so synchronous tests (the CLI ones) can use it.
pub struct Server {
    pub handle: EmulatorHandle,
    pub runtime: tokio::runtime::Runtime,
    pub data: tempfile::TempDir,
}

impl Server {
    pub fn start(seed_demo: bool) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let data = tempfile::tempdir().expect("tempdir");
        let handle = runtime
            .block_on(emulator::start(config(data.path(), seed_demo)))
            .expect("emulator starts");
        Server {
            handle,
            runtime,
            data,
        }
    }

    pub fn account(&self, name: &str) -> DemoAccount {
        account(&self.handle, name)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.handle.set_faults(faults);
    }

    /// A `Cli` with these of the emulator's accounts.
    pub fn cli(&self, accounts: &[&str]) -> Cli {
        let accounts: Vec<DemoAccount> = accounts.iter().map(|n| self.account(n)).collect();
        Cli::new(&accounts)
    }

    /// POST `body` to the emulator's test API (`/__emulator/PATH`), which must accept it.
    pub fn hook(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}/__emulator/{path}", self.handle.base_url());
        self.runtime.block_on(async {
            let reply = reqwest::Client::new()
                .post(&url)
                .json(&body)
                .send()
                .await
                .expect("the emulator answers");
            assert!(reply.status().is_success(), "{path}: {}", reply.status());
            reply.json().await.expect("JSON")
        })
    }

    /// Requests served on `route` so far (the stats' `by_route`, `yetishare/file/upload`).
    pub fn requests(&self, route: &str) -> u64 {
        self.handle.stats()["by_route"][route].as_u64().unwrap_or(0)
    }
}

pub fn config(data: &Path, seed_demo: bool) -> EmulatorConfig {
    EmulatorConfig {
        data_dir: data.to_path_buf(),
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        seed_demo,
        faults: Faults::default(),
    }
}

pub fn account(handle: &EmulatorHandle, name: &str) -> DemoAccount {
    handle
        .accounts()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("emulator has no account {name}"))
}

/// A config dir with the given emulator accounts, and the env to run `haul` with.
pub struct Cli {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Cli {
    pub fn new(accounts: &[DemoAccount]) -> Cli {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        // Tests run many calls a second against their own emulator: no politeness pacing (the
        // conformance suite checks Keep2Share's default rate on its own).
        let mut text = String::from("[network]\nrequests_per_second = 0\n\n");
        let mut env = Vec::new();
        for a in accounts {
            text.push_str(&format!(
                "[accounts.{}]\nprovider = \"{}\"\nbase_url = \"{}\"\n",
                a.name, a.provider, a.base_url
            ));
            if let Some(u) = &a.username {
                text.push_str(&format!("username = \"{u}\"\n"));
            }
            env.push((
                haul::config::secrets::env_var_name(&a.name),
                a.secret.clone(),
            ));
        }
        std::fs::write(&config, text).expect("write config");
        Cli { dir, config, env }
    }

    /// `haul` with this config, secrets in the env, and no keyring reachable.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("haul").expect("binary");
        c.env("HAUL_CONFIG", &self.config)
            .env("HAUL_STATE_DIR", self.dir.path().join("state"))
            .env("HAUL_NO_BROWSER", "1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/haul-test-bus",
            )
            .env_remove("HAUL_LOG")
            .timeout(std::time::Duration::from_secs(120));
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Run `haul ARGS`, whatever its outcome.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().expect("haul runs")
    }

    /// Run `haul ARGS`, insisting it ends with `code` and says `says` on stderr.
    pub fn fails(&self, code: i32, args: &[&str], says: &str) -> std::process::Output {
        let out = self.run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "haul {args:?}: {err}");
        assert!(
            err.contains(says),
            "haul {args:?} should say {says:?}: {err}"
        );
        out
    }

    /// Run `haul ARGS` and insist it succeeds.
    pub fn ok(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd().args(args).assert().success()
    }

    /// The same environment for a process the test controls itself (to kill it).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("haul"));
        c.env("HAUL_CONFIG", &self.config)
            .env("HAUL_STATE_DIR", self.dir.path().join("state"))
            .env("HAUL_NO_BROWSER", "1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/haul-test-bus",
            )
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// What a command printed on stdout, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a command printed on stderr, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn sha256_file(path: &Path) -> String {
    let data = std::fs::read(path).expect("read file");
    hex::encode(sha2::Sha256::digest(&data))
}

/// Deterministic pseudo-random bytes.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Upload straight through the YetiShare HTTP API, bypassing haul's client (which refuses to
/// create some names): for planting hostile names on the server. The name is set with
/// `file/edit` afterwards, since a multipart header cannot carry control characters.
pub async fn raw_yetishare_upload(account: &DemoAccount, name: &str, data: &[u8]) -> String {
    let http = reqwest::Client::new();
    let (key1, key2) = account.secret.split_once(':').expect("key pair");
    let auth: serde_json::Value = http
        .post(format!("{}/authorize", account.base_url))
        .form(&[("key1", key1), ("key2", key2)])
        .send()
        .await
        .expect("authorize")
        .json()
        .await
        .expect("json");
    let token = auth["data"]["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let account_id = auth["data"]["account_id"]
        .as_str()
        .expect("account id")
        .to_string();
    let form = reqwest::multipart::Form::new()
        .text("access_token", token.clone())
        .text("account_id", account_id.clone())
        .part(
            "upload_file",
            reqwest::multipart::Part::bytes(data.to_vec()).file_name("planted.bin"),
        );
    let reply: serde_json::Value = http
        .post(format!("{}/file/upload", account.base_url))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    assert_eq!(reply["_status"], "success", "{reply}");
    let file_id = reply["data"][0]["file_id"]
        .as_str()
        .expect("file id")
        .to_string();
    let edited: serde_json::Value = http
        .post(format!("{}/file/edit", account.base_url))
        .form(&[
            ("access_token", token.as_str()),
            ("account_id", account_id.as_str()),
            ("file_id", file_id.as_str()),
            ("filename", name),
        ])
        .send()
        .await
        .expect("edit")
        .json()
        .await
        .expect("json");
    assert_eq!(edited["_status"], "success", "{edited}");
    file_id
}

impl Cli {
    /// `haul ls TARGET --json`, which must succeed, as a list of items.
    pub fn ls_json(&self, target: &str) -> Vec<serde_json::Value> {
        let out = self
            .cmd()
            .args(["ls", target, "--json"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "ls {target} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("ls --json prints JSON");
        v.as_array().expect("an array").clone()
    }
}

/// The `name` of each `ls --json` item.
pub fn names(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A tiny file server on loopback serving `body` at `path` (an axum route, `{name}` allowed):
/// where remote-URL uploads fetch from.
pub async fn file_server(path: &str, body: Vec<u8>) -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let body = body.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}
