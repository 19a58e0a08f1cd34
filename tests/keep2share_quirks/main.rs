//! The Keep2Share provider against the Keep2Share emulator over real HTTP: every call the
//! provider makes and every error path it maps, login and download captchas answered through the
//! emulator's test hook, the free countdown, token expiry in the middle of a 25,000-item
//! listing, dedupe, quotas and remote uploads from a loopback server.

#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use futures::StreamExt;
use haul::emulator::keep2share::{
    CAPTCHA_PASSWORD, CAPTCHA_USERNAME, FREE_PASSWORD, FREE_USERNAME, PREMIUM_ACCESS_TOKEN,
    PREMIUM_PASSWORD, PREMIUM_USERNAME, SHARED_FILE_ID, SHARED_FILE_NAME, SHARED_FOLDER_ID,
};
use haul::emulator::{EmulatorHandle, Faults};
use haul::provider::keep2share::{Access, Credentials, FileChanges, Keep2Share};
use haul::provider::{
    Challenge, ChallengeKind, ChallengePurpose, EntryKind, EntryRef, ErrorKind, FolderId, Provider,
    ProviderError, RemoteJobState, UploadBody, no_progress,
};
use md5::{Digest, Md5};
use serde_json::{Value, json};

struct Env {
    server: EmulatorHandle,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

/// An emulator; `seed` fills the demo accounts (and puts the captcha-gated file in /Shared).
async fn env(seed: bool) -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), seed))
        .await
        .unwrap();
    Env {
        server,
        http: reqwest::Client::new(),
        _data: data,
    }
}

impl Env {
    fn api(&self) -> String {
        format!("{}/keep2share/api/v2", self.server.base_url())
    }

    fn client(&self, username: &str, password: &str) -> Keep2Share {
        Keep2Share::new(
            &self.api(),
            Credentials::from_secret(Some(username), password).unwrap(),
        )
        .unwrap()
    }

    fn premium(&self) -> Keep2Share {
        self.client(PREMIUM_USERNAME, PREMIUM_PASSWORD)
    }

    fn free(&self) -> Keep2Share {
        self.client(FREE_USERNAME, FREE_PASSWORD)
    }

    fn hook(&self, path: &str) -> String {
        format!("{}/__emulator/keep2share/{path}", self.server.base_url())
    }

    /// The answer to a captcha (or a reCaptcha's token), from the test hook.
    async fn answer(&self, challenge: &Challenge) -> String {
        let reply: Value = self
            .http
            .get(self.hook(&format!("captcha/{}", challenge.id)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["answer"]
            .as_str()
            .expect("the hook knows it")
            .to_string()
    }

    /// Change some settings, keeping the others (the hook resets what a body leaves out).
    async fn settings(&self, changes: Value) {
        let mut current: Value = self
            .http
            .get(self.hook("settings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (k, v) in changes.as_object().unwrap() {
            current[k] = v.clone();
        }
        let status = self
            .http
            .post(self.hook("settings"))
            .json(&current)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    }

    /// `count` empty files `<prefix>NNNNN.txt` in one step.
    async fn fill(&self, account: &str, parent: &FolderId, count: usize, prefix: &str) {
        let parent = parent.id().unwrap_or("/");
        let response = self
            .http
            .post(self.hook("fill"))
            .json(&json!({"account": account, "parent": parent, "count": count, "prefix": prefix}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{:?}",
            response.text().await
        );
    }

    fn stat(&self, key: &str) -> u64 {
        self.server.stats()[key].as_u64().unwrap_or_default()
    }

    fn calls(&self, method: &str) -> u64 {
        self.server.stats()["by_route"][format!("keep2share/{method}")]
            .as_u64()
            .unwrap_or_default()
    }
}

async fn read_all(p: &dyn Provider, file: &EntryRef, offset: u64) -> Vec<u8> {
    let mut dl = p.open_download(file, offset).await.expect("open download");
    assert_eq!(dl.offset, offset);
    let mut out = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    out
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The challenge of a `CaptchaRequired` error.
fn challenge_of(e: ProviderError) -> Challenge {
    assert_eq!(e.kind, ErrorKind::CaptchaRequired, "{e}");
    *e.challenge.expect("a challenge comes with the error")
}

async fn upload(
    p: &Keep2Share,
    folder: &FolderId,
    name: &str,
    data: &[u8],
) -> haul::provider::Entry {
    p.upload(
        folder,
        name,
        UploadBody::from_bytes(data.to_vec()),
        no_progress(),
    )
    .await
    .unwrap_or_else(|e| panic!("upload {name}: {e}"))
}

mod files_and_listings;
mod remote_and_busy;
mod sessions_and_captchas;
mod transfers;
