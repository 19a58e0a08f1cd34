//! The Keep2Share emulator over real HTTP: the wire format itself (envelope, codes, messages,
//! shapes), login captchas, the free download flow, uploads and dedupe, big folders, remote
//! uploads, ranged downloads, faults, stats and persistence.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use haul::emulator::keep2share::{
    CAPTCHA_PASSWORD, CAPTCHA_USERNAME, DEAD_FILE_ID, FREE_PASSWORD, FREE_USERNAME,
    PREMIUM_ACCESS_TOKEN, PREMIUM_PASSWORD, PREMIUM_USERNAME, SHARED_FILE_ID, SHARED_FILE_NAME,
    SHARED_FOLDER_ID,
};
use haul::emulator::{EmulatorHandle, Faults, start};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha1::Sha1;
use tempfile::TempDir;

struct Emulator {
    handle: EmulatorHandle,
    http: reqwest::Client,
    api: String,
    _data: Option<TempDir>,
}

async fn start_in(data_dir: &std::path::Path, seed_demo: bool) -> EmulatorHandle {
    start(common::config(data_dir, seed_demo))
        .await
        .expect("emulator starts")
}

fn attach(handle: EmulatorHandle) -> Emulator {
    let api = format!("{}/keep2share/api/v2", handle.base_url());
    Emulator {
        handle,
        http: reqwest::Client::new(),
        api,
        _data: None,
    }
}

async fn emulator() -> Emulator {
    let data = TempDir::new().expect("temp dir");
    let mut emulator = attach(start_in(data.path(), true).await);
    emulator._data = Some(data);
    emulator
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// Bytes that differ from test to test, so dedupe never finds another test's file.
fn random_bytes(len: usize) -> Vec<u8> {
    let seed: [u8; 16] = rand::random();
    (0..len).map(|i| seed[i % 16] ^ (i / 16) as u8).collect()
}

impl Emulator {
    /// POSTs a JSON body; returns the status, the raw text and the parsed reply.
    async fn raw(&self, method: &str, body: &Value) -> (StatusCode, String, Value) {
        let response = self
            .http
            .post(format!("{}/{method}", self.api))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, text, value)
    }

    /// A call that must succeed with HTTP 200.
    async fn ok(&self, method: &str, body: Value) -> Value {
        let (status, text, reply) = self.raw(method, &body).await;
        assert_eq!(status, StatusCode::OK, "{method}: {text}");
        assert_eq!(reply["status"], "success", "{method}: {text}");
        assert_eq!(reply["code"], 200, "{method}: {text}");
        reply
    }

    /// A call that must fail with this HTTP status (= body `code`) and `errorCode`.
    async fn fails(&self, method: &str, body: Value, http: u16, error_code: i64) -> Value {
        let (status, text, reply) = self.raw(method, &body).await;
        assert_eq!(status.as_u16(), http, "{method}: {text}");
        assert_eq!(reply["status"], "error", "{method}: {text}");
        assert_eq!(reply["code"], http, "{method}: {text}");
        assert_eq!(reply["errorCode"], error_code, "{method}: {text}");
        assert!(text.starts_with("{\"message\":"), "key order: {text}");
        reply
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let reply = self
            .ok("login", json!({"username": username, "password": password}))
            .await;
        reply["auth_token"]
            .as_str()
            .expect("auth_token")
            .to_string()
    }

    async fn premium(&self) -> String {
        self.login(PREMIUM_USERNAME, PREMIUM_PASSWORD).await
    }

    async fn free(&self) -> String {
        self.login(FREE_USERNAME, FREE_PASSWORD).await
    }

    async fn settings(&self, settings: Value) {
        let response = self
            .http
            .post(format!(
                "{}/__emulator/keep2share/settings",
                self.handle.base_url()
            ))
            .json(&settings)
            .send()
            .await
            .expect("settings");
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// The answer to a captcha (or the token of a reCaptcha), through the test hook.
    async fn answer(&self, challenge: &str) -> String {
        let reply: Value = self
            .http
            .get(format!(
                "{}/__emulator/keep2share/captcha/{challenge}",
                self.handle.base_url()
            ))
            .send()
            .await
            .expect("hook")
            .json()
            .await
            .expect("json");
        reply["answer"].as_str().expect("answer").to_string()
    }

    async fn fill(&self, account: &str, parent: &str, count: usize) {
        let response = self
            .http
            .post(format!(
                "{}/__emulator/keep2share/fill",
                self.handle.base_url()
            ))
            .json(&json!({"account": account, "parent": parent, "count": count}))
            .send()
            .await
            .expect("fill");
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Uploads through `getUploadFormData` and the node; returns the node's reply.
    async fn upload(&self, token: &str, parent: &str, name: &str, bytes: Vec<u8>) -> Value {
        let form = self
            .ok(
                "getUploadFormData",
                json!({"auth_token": token, "parent_id": parent}),
            )
            .await;
        let (status, reply) = self.post_to_node(&form, name, bytes, None).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        reply
    }

    /// Posts the form from `getUploadFormData` (all of `form_data`, then the file).
    async fn post_to_node(
        &self,
        form: &Value,
        name: &str,
        bytes: Vec<u8>,
        signature: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut multipart = Form::new();
        for (key, value) in form["form_data"].as_object().expect("form_data") {
            let text = match (key.as_str(), value) {
                ("signature", _) if signature.is_some() => signature.unwrap_or_default().into(),
                (_, Value::String(text)) => text.clone(),
                (_, other) => other.to_string(),
            };
            multipart = multipart.text(key.clone(), text);
        }
        let field = form["file_field"].as_str().expect("file_field").to_string();
        multipart = multipart.part(field, Part::bytes(bytes).file_name(name.to_string()));
        let response = self
            .http
            .post(form["form_action"].as_str().expect("form_action"))
            .multipart(multipart)
            .send()
            .await
            .expect("upload");
        let status = response.status();
        (status, response.json().await.expect("json"))
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.expect("GET")
    }

    /// The whole free flow for one file: captcha via the hook, key, wait, link.
    async fn free_url(&self, token: Option<&str>, file_id: &str) -> String {
        let challenge = self.ok("requestCaptcha", json!({})).await;
        let challenge = challenge["challenge"].as_str().unwrap().to_string();
        let answer = self.answer(&challenge).await;
        let mut body = json!({
            "file_id": file_id,
            "captcha_challenge": challenge,
            "captcha_response": answer,
        });
        if let Some(token) = token {
            body["auth_token"] = json!(token);
        }
        let granted = self.ok("getUrl", body).await;
        let key = granted["free_download_key"].as_str().unwrap().to_string();
        let mut body = json!({"file_id": file_id, "free_download_key": key});
        if let Some(token) = token {
            body["auth_token"] = json!(token);
        }
        self.ok("getUrl", body).await["url"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn list(&self, token: &str, body: Value) -> Vec<Value> {
        let mut body = body;
        body["auth_token"] = json!(token);
        let reply = self.ok("getFilesList", body).await;
        reply["files"].as_array().expect("files").clone()
    }
}

fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}

fn id_named(items: &[Value], name: &str) -> String {
    items
        .iter()
        .find(|item| item["name"] == name)
        .and_then(|item| item["id"].as_str())
        .unwrap_or_else(|| panic!("no {name} in {items:?}"))
        .to_string()
}

mod downloads;
mod files;
mod remote_and_state;
mod uploads;
mod wire;
