//! The YetiShare emulator over real HTTP: the wire format itself (envelope, strings vs ints,
//! null roots, messages), downloads with ranges, faults, persistence and URL uploads.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use haul::emulator::yetishare::{
    FREE_KEY1, FREE_KEY2, PREMIUM_KEY1, PREMIUM_KEY2, PREMIUM_PASSWORD, PREMIUM_USERNAME,
};
use haul::emulator::{EmulatorHandle, Faults, start};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
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

async fn emulator(seed_demo: bool) -> Emulator {
    let data = TempDir::new().expect("temp dir");
    let handle = start_in(data.path(), seed_demo).await;
    let mut emulator = attach(handle);
    emulator._data = Some(data);
    emulator
}

fn attach(handle: EmulatorHandle) -> Emulator {
    let api = format!("{}/yetishare/api/v2", handle.base_url());
    Emulator {
        handle,
        http: reqwest::Client::new(),
        api,
        _data: None,
    }
}

/// An authorized session: what every call after `/authorize` sends.
struct Session {
    token: String,
    account_id: String,
}

impl Emulator {
    /// POSTs a form; every application answer is HTTP 200 JSON.
    async fn call(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let response = self
            .http
            .post(format!("{}/{path}", self.api))
            .form(form)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("json")
    }

    async fn login_with(&self, key1: &str, key2: &str) -> Session {
        let reply = self
            .call("authorize", &[("key1", key1), ("key2", key2)])
            .await;
        assert_success(&reply);
        Session {
            token: reply["data"]["access_token"].as_str().unwrap().to_string(),
            account_id: reply["data"]["account_id"].as_str().unwrap().to_string(),
        }
    }

    async fn login(&self) -> Session {
        self.login_with(PREMIUM_KEY1, PREMIUM_KEY2).await
    }

    /// An authenticated call with extra fields.
    async fn act(&self, session: &Session, path: &str, fields: &[(&str, &str)]) -> Value {
        let mut form = vec![
            ("access_token", session.token.as_str()),
            ("account_id", session.account_id.as_str()),
        ];
        form.extend_from_slice(fields);
        self.call(path, &form).await
    }

    async fn upload(&self, session: &Session, name: &str, bytes: Vec<u8>, folder: &str) -> Value {
        let form = Form::new()
            .text("access_token", session.token.clone())
            .text("account_id", session.account_id.clone())
            .text("folder_id", folder.to_string())
            .part(
                "upload_file",
                Part::bytes(bytes).file_name(name.to_string()),
            );
        let response = self
            .http
            .post(format!("{}/file/upload", self.api))
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    async fn listing(&self, session: &Session, parent: &str) -> Value {
        let reply = self
            .act(session, "folder/listing", &[("parent_folder_id", parent)])
            .await;
        assert_success(&reply);
        reply["data"].clone()
    }

    async fn download_url(&self, session: &Session, file_id: &str) -> String {
        let reply = self
            .act(session, "file/download", &[("file_id", file_id)])
            .await;
        assert_success(&reply);
        reply["data"]["download_url"].as_str().unwrap().to_string()
    }
}

fn assert_datetime(value: &Value) {
    let text = value.as_str().expect("datetime string");
    let shape: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    assert_eq!(shape, "dddd-dd-dd dd:dd:dd", "{text}");
}

fn assert_success(reply: &Value) {
    assert_eq!(reply["_status"], "success", "{reply}");
    assert_datetime(&reply["_datetime"]);
}

fn assert_error(reply: &Value, message: &str) {
    assert_eq!(reply["_status"], "error", "{reply}");
    assert_eq!(reply["response"], message, "{reply}");
    assert_datetime(&reply["_datetime"]);
}

const INVALID_TOKEN: &str =
    "Could not validate access_token and account_id, please reauthenticate or try again.";

fn names(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|item| item[key].as_str().unwrap().to_string())
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

mod auth;
mod downloads_and_faults;
mod folders_and_files;
mod state_and_url_uploads;
