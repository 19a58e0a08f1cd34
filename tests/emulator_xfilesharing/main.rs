//! The XFileSharing emulator over real HTTP: the envelope (always HTTP 200, statuses as numbers
//! or strings), the HTML 404 for unknown endpoints, `file_0` uploads, URL uploads, ranged direct
//! links, batched `file/info`, paging, string vs int `fld_id`, `"true"` from renames, Latin-1
//! mojibake names, faults, stats and persistence.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use haul::emulator::xfilesharing::{FREE_KEY, PREMIUM_KEY};
use haul::emulator::{EmulatorHandle, Faults, start};
use reqwest::multipart::{Form, Part};
use reqwest::{StatusCode, header};
use serde_json::Value;
use tempfile::TempDir;

struct Xfs {
    handle: EmulatorHandle,
    http: reqwest::Client,
    api: String,
    data: TempDir,
}

async fn start_in(data: &std::path::Path, seed_demo: bool) -> EmulatorHandle {
    start(common::config(data, seed_demo))
        .await
        .expect("emulator starts")
}

async fn emulator(seed_demo: bool) -> Xfs {
    let data = TempDir::new().expect("temp dir");
    let handle = start_in(data.path(), seed_demo).await;
    Xfs {
        api: format!("{}/xfilesharing/api", handle.base_url()),
        handle,
        http: reqwest::Client::new(),
        data,
    }
}

impl Xfs {
    /// GET with the key and parameters in the query; every answer is HTTP 200 JSON.
    async fn get(&self, endpoint: &str, key: &str, params: &[(&str, &str)]) -> Value {
        let mut query = vec![("key", key)];
        query.extend_from_slice(params);
        let response = self
            .http
            .get(format!("{}/{endpoint}", self.api))
            .query(&query)
            .send()
            .await
            .expect("request");
        json_of(response, endpoint).await
    }

    /// POST an urlencoded form (key included by the caller).
    async fn post(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = self
            .http
            .post(format!("{}/{endpoint}", self.api))
            .form(form)
            .send()
            .await
            .expect("request");
        json_of(response, endpoint).await
    }

    /// A fresh upload session: (`sess_id`, upload URL).
    async fn upload_server(&self, key: &str) -> (String, String) {
        let reply = self.get("upload/server", key, &[]).await;
        (text(&reply["sess_id"]), text(&reply["result"]))
    }

    /// Posts a multipart form to a new session's `upload.cgi`; answers its array.
    async fn upload_form(&self, key: &str, form: Form) -> Value {
        let (sess_id, url) = self.upload_server(key).await;
        let form = form.text("sess_id", sess_id).text("utype", "prem");
        self.post_upload(&url, form).await
    }

    async fn post_upload(&self, url: &str, form: Form) -> Value {
        let response = self
            .http
            .post(url)
            // Raw UTF-8 in `filename="..."`, as XFS clients send it.
            .multipart(form.percent_encode_noop())
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json array")
    }

    /// Uploads one file as `file_0` and answers its code.
    async fn upload(&self, key: &str, name: &str, bytes: &[u8]) -> String {
        let form = Form::new().part("file_0", part(name, bytes));
        let reply = self.upload_form(key, form).await;
        assert_eq!(reply[0]["file_status"], "OK", "{reply}");
        text(&reply[0]["file_code"])
    }

    async fn create_folder(&self, key: &str, parent: &str, name: &str) -> String {
        let reply = self
            .get(
                "folder/create",
                key,
                &[("parent_id", parent), ("name", name)],
            )
            .await;
        assert_ok(&reply);
        text(&reply["result"]["fld_id"])
    }

    async fn direct_link(&self, key: &str, code: &str) -> String {
        let reply = self
            .get("file/direct_link", key, &[("file_code", code)])
            .await;
        assert_ok(&reply);
        text(&reply["result"]["url"])
    }

    async fn fetch(&self, url: &str) -> Vec<u8> {
        let response = self.http.get(url).send().await.expect("download");
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.expect("body").to_vec()
    }
}

fn part(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_string())
}

async fn json_of(response: reqwest::Response, what: &str) -> Value {
    assert_eq!(response.status(), StatusCode::OK, "{what}");
    response.json().await.expect("json")
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_string()
}

/// `status` as a number; the free account writes it as a string (katfile's habit).
fn status_of(reply: &Value) -> u64 {
    match &reply["status"] {
        Value::String(text) => text.parse().expect("digits"),
        other => other
            .as_u64()
            .unwrap_or_else(|| panic!("no status: {reply}")),
    }
}

fn assert_ok(reply: &Value) {
    assert_eq!(status_of(reply), 200, "{reply}");
    assert_eq!(reply["msg"], "OK", "{reply}");
    assert_timestamp(&reply["server_time"]);
}

/// An error envelope: `status` and `msg`, no `result`.
fn assert_error(reply: &Value, status: u64, msg: &str) {
    assert_eq!(status_of(reply), status, "{reply}");
    assert_eq!(reply["msg"], msg, "{reply}");
    assert!(reply.get("result").is_none(), "{reply}");
    assert_timestamp(&reply["server_time"]);
}

fn assert_timestamp(value: &Value) {
    let text = value.as_str().unwrap_or_else(|| panic!("no time: {value}"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{text}"
    );
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| text(&item["name"]))
        .collect()
}

mod account_and_api;
mod files_and_folders;
mod state;
mod uploads;
