//! The YetiShare emulator over real HTTP: the wire format itself (envelope, strings vs ints,
//! null roots, messages), downloads with ranges, faults, persistence and URL uploads.

mod common;

use std::net::SocketAddr;
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

#[tokio::test]
async fn authorize_in_key_and_password_modes() {
    let emu = emulator(false).await;
    let reply = emu
        .call(
            "authorize",
            &[("key1", PREMIUM_KEY1), ("key2", PREMIUM_KEY2)],
        )
        .await;
    assert_success(&reply);
    let token = reply["data"]["access_token"].as_str().unwrap();
    assert_eq!(token.len(), 128);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(reply["data"]["account_id"], "158642");

    let short = &PREMIUM_KEY1[..63];
    let reply = emu
        .call("authorize", &[("key1", short), ("key2", PREMIUM_KEY2)])
        .await;
    assert_error(
        &reply,
        "Please provide key1. It must be 64 characters in length.",
    );
    let reply = emu.call("authorize", &[("key1", PREMIUM_KEY1)]).await;
    assert_error(
        &reply,
        "Please provide key2. It must be 64 characters in length.",
    );
    let reply = emu
        .call("authorize", &[("key1", PREMIUM_KEY1), ("key2", FREE_KEY2)])
        .await;
    assert_error(
        &reply,
        "Could not authenticate user. The key pair may be invalid or your account may be locked from too many failed logins.",
    );
    let reply = emu.call("authorize", &[]).await;
    assert_error(
        &reply,
        "Please provide key1. It must be 64 characters in length.",
    );

    let login = [
        ("username", PREMIUM_USERNAME),
        ("password", PREMIUM_PASSWORD),
    ];
    let reply = emu.call("authorize", &login).await;
    assert_success(&reply);
    assert_eq!(reply["data"]["account_id"], "158642");
    let reply = emu
        .call("authorize", &[("password", PREMIUM_PASSWORD)])
        .await;
    assert_error(&reply, "Please provide a username.");
    let reply = emu.call("authorize", &[("username", "demo")]).await;
    assert_error(&reply, "Please provide a password.");
    let reply = emu
        .call("authorize", &[("username", "demo"), ("password", "nope")])
        .await;
    assert_error(
        &reply,
        "Could not authenticate user. The username and password may be invalid or your account may be locked from too many failed logins.",
    );
    assert_eq!(emu.handle.stats()["tokens_issued"], 2);
}

#[tokio::test]
async fn a_second_authorize_revokes_the_first_token() {
    let emu = emulator(false).await;
    let first = emu.login().await;
    let second = emu.login().await;
    assert_error(&emu.act(&first, "account/info", &[]).await, INVALID_TOKEN);
    assert_success(&emu.act(&second, "account/info", &[]).await);

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let mismatched = Session {
        token: free.token.clone(),
        account_id: second.account_id.clone(),
    };
    assert_error(
        &emu.act(&mismatched, "account/info", &[]).await,
        INVALID_TOKEN,
    );
    assert_success(&emu.act(&free, "account/info", &[]).await);

    let reply = emu.act(&second, "disable_access_token", &[]).await;
    assert_success(&reply);
    assert_eq!(reply["response"], "Token removed or no longer available.");
    assert_error(
        &emu.act(&second, "disable_access_token", &[]).await,
        INVALID_TOKEN,
    );
}

#[tokio::test]
async fn missing_params_json_bodies_and_get_queries() {
    let emu = emulator(false).await;
    let session = emu.login().await;
    assert_error(
        &emu.call("folder/listing", &[]).await,
        "Please provide the access_token param.",
    );
    assert_error(
        &emu.call("folder/listing", &[("access_token", &session.token)])
            .await,
        "Please provide the account_id param.",
    );
    assert_error(
        &emu.call(
            "folder/listing",
            &[("access_token", " "), ("account_id", "1")],
        )
        .await,
        "Please provide the access_token param.",
    );

    // A JSON body is not parsed.
    let reply: Value = emu
        .http
        .post(format!("{}/account/info", emu.api))
        .json(&json!({ "access_token": session.token, "account_id": session.account_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_error(&reply, "Please provide the access_token param.");

    // GET with a query works, and the path is case-insensitive with a trailing slash.
    let reply: Value = emu
        .http
        .get(format!("{}/Account/Info/", emu.api))
        .query(&[
            ("access_token", &session.token),
            ("account_id", &session.account_id),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_success(&reply);
    assert_eq!(reply["data"]["username"], "demo");
}

#[tokio::test]
async fn unknown_routes_and_verbs() {
    let emu = emulator(false).await;
    let session = emu.login().await;
    let response = emu
        .http
        .post(format!("{}/file/xyz", emu.api))
        .form(&[
            ("access_token", &session.token),
            ("account_id", &session.account_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["0"], "No method found within endpoint (file): xyz");
    assert_eq!(body["_status"], "error");
    assert_datetime(&body["_datetime"]);

    let response = emu
        .http
        .post(format!("{}/xyz/info", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!("No endpoint found for: xyz")
    );

    let response = emu
        .http
        .put(format!("{}/file/info", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.json::<Value>().await.unwrap()["0"],
        "Invalid Method"
    );
}

#[tokio::test]
async fn account_info_and_packages_are_strings() {
    let emu = emulator(false).await;
    let premium = emu.login().await;
    let info = emu.act(&premium, "account/info", &[]).await;
    assert_success(&info);
    assert_eq!(info["data"]["id"], "158642");
    assert_eq!(info["data"]["level_id"], "2");
    assert_eq!(info["data"]["status"], "active");
    assert!(info["data"]["storageLimitOverride"].is_null());
    assert_datetime(&info["data"]["lastlogindate"]);

    let package = emu.act(&premium, "account/package", &[]).await;
    assert_success(&package);
    let data = package["data"].as_object().unwrap();
    assert!(data.values().all(Value::is_string), "{package}");
    assert_eq!(data["label"], "Premium Account");
    assert_eq!(data["max_upload_size"], "10737418240");
    assert_eq!(data["level_type"], "paid user");

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let package = emu.act(&free, "account/package", &[]).await;
    assert_eq!(package["data"]["label"], "Free Account");
    assert_eq!(package["data"]["max_upload_size"], "10485760");
    assert_eq!(package["data"]["concurrent_uploads"], "2");
    assert_eq!(package["data"]["concurrent_downloads"], "1");
    assert_eq!(package["data"]["level_type"], "free user");
}

#[tokio::test]
async fn folders_follow_the_root_rules_and_soft_delete() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let created = emu
        .act(
            &s,
            "folder/create",
            &[("folder_name", " Re<b>ports</b> "), ("parent_id", "")],
        )
        .await;
    assert_success(&created);
    assert_eq!(created["response"], "Folder successfully created.");
    let reports = created["data"].clone();
    assert_eq!(reports["folderName"], "Reports");
    assert!(reports["parentId"].is_null());
    assert!(reports["accessPassword"].is_null());
    assert!(reports["date_updated"].is_null());
    assert_eq!(reports["isPublic"], "0");
    assert_eq!(reports["totalSize"], "0");
    assert_eq!(reports["total_downloads"], 0);
    assert_eq!(reports["child_folder_count"], 0);
    assert_eq!(reports["file_count"], 0);
    let reports_id = reports["id"].as_str().unwrap().to_string();

    let child = emu
        .act(
            &s,
            "folder/create",
            &[("folder_name", "2024"), ("parent_id", &reports_id)],
        )
        .await;
    assert_eq!(child["data"]["parentId"], reports_id.as_str());
    let child_id = child["data"]["id"].as_str().unwrap().to_string();
    // Duplicate names are allowed.
    let twin = emu
        .act(&s, "folder/create", &[("folder_name", "Reports")])
        .await;
    assert_success(&twin);
    let twin_id = twin["data"]["id"].as_str().unwrap().to_string();
    assert_error(
        &emu.act(&s, "folder/create", &[]).await,
        "Please provide the folder_name param.",
    );

    let root = emu.listing(&s, "0").await;
    assert_eq!(
        names(&root["folders"], "folderName"),
        ["Reports", "Reports"]
    );
    assert_eq!(root["files"], json!([]));
    assert_eq!(root["folders"][0]["child_folder_count"], 1);
    assert!(root["folders"][0].get("accessPassword").is_none());

    let info = emu
        .act(&s, "folder/info", &[("folder_id", &child_id)])
        .await;
    assert_eq!(info["data"]["folderName"], "2024");
    let lenient = emu
        .act(&s, "folder/info", &[("parent_folder_id", &child_id)])
        .await;
    assert_eq!(lenient["data"]["id"], child_id.as_str());
    assert_error(
        &emu.act(&s, "folder/info", &[]).await,
        "Please provide the folder_id param.",
    );
    assert_error(
        &emu.act(&s, "folder/listing", &[("parent_folder_id", "99999")])
            .await,
        "Could not find folder based on folder_id.",
    );

    // Moves: `null` is the root, `0` and blank fail.
    let moving = [("folder_id", child_id.as_str())];
    let mv = |target: &'static str| {
        let mut fields = moving.to_vec();
        fields.push(("new_parent_folder_id", target));
        fields
    };
    assert_error(
        &emu.act(&s, "folder/move", &mv("0")).await,
        "Could not find the destination folder id defined by new_parent_folder_id.",
    );
    assert_error(
        &emu.act(&s, "folder/move", &mv("")).await,
        "Please provide the new_parent_folder_id param.",
    );
    let same = [
        ("folder_id", child_id.as_str()),
        ("new_parent_folder_id", child_id.as_str()),
    ];
    assert_error(
        &emu.act(&s, "folder/move", &same).await,
        "Param folder_id can not match new_parent_folder_id.",
    );
    let moved = emu.act(&s, "folder/move", &mv("NULL")).await;
    assert_eq!(moved["response"], "Folder successfully moved.");
    assert!(moved["data"]["parentId"].is_null());

    let edited = emu
        .act(
            &s,
            "folder/edit",
            &[
                ("folder_id", &child_id),
                ("folder_name", "2025"),
                ("parent_id", &twin_id),
            ],
        )
        .await;
    assert_eq!(edited["response"], "Folder successfully updated.");
    assert_eq!(edited["data"]["folderName"], "2025");
    assert_eq!(edited["data"]["parentId"], twin_id.as_str());
    assert_datetime(&edited["data"]["date_updated"]);
    // An unknown parent is silently ignored.
    let ignored = emu
        .act(
            &s,
            "folder/edit",
            &[("folder_id", &child_id), ("parent_id", "0")],
        )
        .await;
    assert_eq!(ignored["data"]["parentId"], twin_id.as_str());

    let deleted = emu
        .act(&s, "folder/delete", &[("folder_id", &twin_id)])
        .await;
    assert_success(&deleted);
    assert_eq!(deleted["response"], "Folder successfully set as deleted.");
    assert!(deleted.get("data").is_none());
    let root = emu.listing(&s, "").await;
    assert_eq!(names(&root["folders"], "id"), [reports_id]);
    assert_error(
        &emu.act(&s, "folder/delete", &[("folder_id", "99999")])
            .await,
        "Failed deleting the folder.",
    );
}

#[tokio::test]
async fn files_upload_edit_move_copy_and_delete() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let folder = emu
        .act(&s, "folder/create", &[("folder_name", "Inbox")])
        .await;
    let folder_id = folder["data"]["id"].as_str().unwrap().to_string();
    let content = b"hello, emulator\n".to_vec();

    let reply = emu
        .upload(&s, "docs/he<b>llo.txt ", content.clone(), &folder_id)
        .await;
    assert_success(&reply);
    assert_eq!(reply["response"], "File uploaded");
    let item = &reply["data"][0];
    assert_eq!(reply["data"].as_array().unwrap().len(), 1);
    assert_eq!(item["name"], "hello.txt");
    assert_eq!(item["size"], content.len().to_string());
    assert_eq!(item["hash"], md5_hex(&content));
    assert!(item["error"].is_null());
    assert_eq!(item["delete_type"], "DELETE");
    let short = item["short_url"].as_str().unwrap();
    let url = format!("{}/yetishare/{short}", emu.handle.base_url());
    assert_eq!(item["url"], url.as_str());
    let delete_hash = item["delete_hash"].as_str().unwrap();
    assert_eq!(delete_hash.len(), 32);
    assert_eq!(item["delete_url"], format!("{url}~d?{delete_hash}"));
    assert_eq!(item["unique_hash"].as_str().unwrap().len(), 64);
    let file_id = item["file_id"].as_str().unwrap().to_string();

    let listing = emu.listing(&s, &folder_id).await;
    let listed = &listing["files"][0];
    assert_eq!(listed["fileSize"], content.len().to_string());
    assert_eq!(listed["folderId"], folder_id.as_str());
    assert_eq!(listed["status"], "active");
    assert_eq!(listed["fileType"], "text/plain");
    assert_eq!(listed["url_file"], url.as_str());
    assert!(listed.get("uploadedDate").is_none());
    let parent = emu.listing(&s, "0").await;
    assert_eq!(parent["folders"][0]["file_count"], 1);
    assert_eq!(parent["folders"][0]["totalSize"], content.len().to_string());

    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["status"], "active");
    assert_eq!(info["data"]["file_status"], "active");
    assert_datetime(&info["data"]["uploadedDate"]);
    assert_error(
        &emu.act(&s, "file/info", &[]).await,
        "Please provide the file_id param.",
    );
    assert_error(
        &emu.act(&s, "file/info", &[("file_id", "424242")]).await,
        "Could not find file based on file_id.",
    );

    let edited = emu
        .act(
            &s,
            "file/edit",
            &[("file_id", &file_id), ("filename", "Notes.TXT")],
        )
        .await;
    assert_eq!(edited["response"], "File successfully updated.");
    assert_eq!(edited["data"]["filename"], "Notes.TXT");
    assert_eq!(edited["data"]["extension"], "txt");

    let call_move = |target: &'static str| {
        let file_id = file_id.clone();
        let (emu, s) = (&emu, &s);
        async move {
            let fields = [
                ("file_id", file_id.as_str()),
                ("new_parent_folder_id", target),
            ];
            emu.act(s, "file/move", &fields).await
        }
    };
    assert_error(
        &call_move("0").await,
        "Could not find the destination folder id defined by new_parent_folder_id.",
    );
    assert_error(
        &call_move("").await,
        "Please provide the new_parent_folder_id param.",
    );
    let moved = call_move("null").await;
    assert_eq!(moved["response"], "File successfully moved.");
    assert!(moved["data"]["folderId"].is_null());

    let copy = emu
        .act(
            &s,
            "file/copy",
            &[("file_id", &file_id), ("copy_to_folder_id", &folder_id)],
        )
        .await;
    assert_success(&copy);
    assert_eq!(copy["response"], "File successfully copyied.");
    assert!(copy.get("data").is_none());
    assert_eq!(copy["original_file"]["data"]["id"], file_id.as_str());
    let copy_id = copy["new_file"]["data"]["id"].as_str().unwrap().to_string();
    assert_ne!(copy_id, file_id);
    assert_eq!(copy["new_file"]["data"]["folderId"], folder_id.as_str());
    assert_error(
        &emu.act(
            &s,
            "file/copy",
            &[("file_id", &file_id), ("copy_to_folder_id", "0")],
        )
        .await,
        "Could not find the destination folder id defined by copy_to_folder_id.",
    );
    assert_error(
        &emu.act(&s, "file/copy", &[("file_id", &file_id)]).await,
        "Please provide the copy_to_folder_id param.",
    );

    let deleted = emu.act(&s, "file/delete", &[("file_id", &file_id)]).await;
    assert_eq!(deleted["response"], "File successfully set as deleted.");
    assert_eq!(deleted["data"]["status"], "trash");
    assert_eq!(emu.listing(&s, "0").await["files"], json!([]));
    // Trashed files still have info.
    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["file_status"], "trash");
    // The copy is untouched and keeps the content.
    let url = emu.download_url(&s, &copy_id).await;
    assert_eq!(
        emu.http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
        content
    );
}

#[tokio::test]
async fn upload_errors_use_the_servers_messages() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let form = Form::new()
        .text("access_token", s.token.clone())
        .text("account_id", s.account_id.clone());
    let reply: Value = emu
        .http
        .post(format!("{}/file/upload", emu.api))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_error(&reply, "Did not receive uploaded file.");
    assert_error(
        &emu.upload(&s, "empty.bin", Vec::new(), "").await,
        "Filesize received was zero.",
    );

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let too_big = vec![7u8; 10 * 1024 * 1024 + 1];
    let reply = emu.upload(&free, "big.bin", too_big, "").await;
    let handler = format!(
        "{}/yetishare/core/page/ajax/api_upload_handler.ajax.php",
        emu.handle.base_url()
    );
    assert_error(
        &reply,
        &format!("Error on: {handler}. File too large. Maximum permitted file size is 10 MB."),
    );
    assert_eq!(emu.listing(&free, "").await["files"], json!([]));
}

#[tokio::test]
async fn downloads_serve_ranges_and_head() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let reply = emu.upload(&s, "data.bin", content.clone(), "").await;
    let file_id = reply["data"][0]["file_id"].as_str().unwrap().to_string();
    let short = reply["data"][0]["short_url"].as_str().unwrap().to_string();

    let reply = emu.act(&s, "file/download", &[("file_id", &file_id)]).await;
    assert_success(&reply);
    assert_eq!(reply["data"]["file_id"], file_id.as_str());
    assert_eq!(reply["data"]["filename"], "data.bin");
    let url = reply["data"]["download_url"].as_str().unwrap().to_string();
    let prefix = format!(
        "{}/yetishare/{short}?download_token=",
        emu.handle.base_url()
    );
    let token = url.strip_prefix(&prefix).expect("download_url shape");
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_error(
        &emu.act(&s, "file/download", &[]).await,
        "Please provide the file_id param.",
    );

    let full = emu.http.get(&url).send().await.unwrap();
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-length"], "300000");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    assert_eq!(full.bytes().await.unwrap(), content);

    let get_range = |range: &'static str| emu.http.get(&url).header("Range", range).send();
    let part = get_range("bytes=10-19").await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/300000");
    assert_eq!(part.bytes().await.unwrap(), &content[10..20]);
    let tail = get_range("bytes=-5").await.unwrap();
    assert_eq!(
        tail.headers()["content-range"],
        "bytes 299995-299999/300000"
    );
    assert_eq!(tail.bytes().await.unwrap(), &content[299_995..]);
    let rest = get_range("bytes=299000-").await.unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.bytes().await.unwrap(), &content[299_000..]);
    let beyond = get_range("bytes=300000-").await.unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], "bytes */300000");

    let head = emu.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "300000");
    assert!(head.bytes().await.unwrap().is_empty());

    let base = format!("{}/yetishare/{short}", emu.handle.base_url());
    let forbidden = emu
        .http
        .get(format!("{base}?download_token={}", "0".repeat(64)))
        .send();
    assert_eq!(forbidden.await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        emu.http.get(&base).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let missing = format!(
        "{}/yetishare/zzzzzz?download_token={token}",
        emu.handle.base_url()
    );
    assert_eq!(
        emu.http.get(missing).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Only the download from the first byte was counted.
    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["downloads"], "1");
}

#[tokio::test]
async fn fail_every_answers_429_with_retry_after() {
    let emu = emulator(false).await;
    let faults = json!({ "fail_every": 2, "fail_status": 429, "retry_after_secs": 7 });
    let set = emu
        .http
        .post(format!("{}/__emulator/faults", emu.handle.base_url()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);

    let authorize = || {
        emu.http
            .post(format!("{}/authorize", emu.api))
            .form(&[("key1", PREMIUM_KEY1), ("key2", PREMIUM_KEY2)])
            .send()
    };
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
    let failed = authorize().await.unwrap();
    assert_eq!(failed.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(failed.headers()["retry-after"], "7");
    assert!(failed.text().await.unwrap().contains("429"));
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);

    // The test API itself is neither faulted nor counted.
    let stats: Value = emu
        .http
        .get(format!("{}/__emulator/stats", emu.handle.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 3);
    assert_eq!(stats["by_route"]["yetishare/authorize"], 3);
    assert_eq!(stats["tokens_issued"], 2);

    emu.handle.set_faults(Faults::default());
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn cut_body_after_ends_a_download_early() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let reply = emu.upload(&s, "cut.bin", vec![1u8; 100_000], "").await;
    let url = emu
        .download_url(&s, reply["data"][0]["file_id"].as_str().unwrap())
        .await;
    emu.handle.set_faults(Faults {
        cut_body_after: Some(1000),
        ..Faults::default()
    });
    let response = emu.http.get(&url).send().await.unwrap();
    assert_eq!(response.headers()["content-length"], "100000");
    match response.bytes().await {
        Ok(body) => assert!(body.len() < 100_000, "got {} bytes", body.len()),
        Err(error) => assert!(error.is_body() || error.is_decode(), "{error}"),
    }
}

#[tokio::test]
async fn expire_tokens_after_counts_authenticated_requests() {
    let emu = emulator(false).await;
    emu.handle.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Faults::default()
    });
    let s = emu.login().await;
    assert_success(&emu.act(&s, "account/info", &[]).await);
    assert_success(&emu.act(&s, "folder/listing", &[]).await);
    assert_error(&emu.act(&s, "account/info", &[]).await, INVALID_TOKEN);
    let fresh = emu.login().await;
    assert_success(&emu.act(&fresh, "account/info", &[]).await);
}

#[tokio::test]
async fn max_in_flight_sees_parallel_requests() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let reset = emu
        .http
        .post(format!("{}/__emulator/stats/reset", emu.handle.base_url()));
    assert_eq!(reset.send().await.unwrap().status(), StatusCode::OK);
    emu.handle.set_faults(Faults {
        delay_ms: 200,
        ..Faults::default()
    });
    let calls = (0..4).map(|_| emu.act(&s, "account/info", &[]));
    for reply in futures::future::join_all(calls).await {
        assert_success(&reply);
    }
    let stats = emu.handle.stats();
    assert_eq!(stats["requests"], 4);
    assert_eq!(stats["max_in_flight"], 4);
    assert_eq!(stats["in_flight"], 0);
    assert_eq!(stats["by_route"], json!({ "yetishare/account/info": 4 }));
}

#[tokio::test]
async fn data_survives_a_restart() {
    let data = TempDir::new().unwrap();
    let first = attach(start_in(data.path(), true).await);
    let s = first.login().await;
    let seeded = first.listing(&s, "").await;
    let folder = first
        .act(&s, "folder/create", &[("folder_name", "Kept")])
        .await;
    let folder_id = folder["data"]["id"].as_str().unwrap().to_string();
    let upload = first
        .upload(&s, "kept.txt", b"still here".to_vec(), &folder_id)
        .await;
    let file_id = upload["data"][0]["file_id"].as_str().unwrap().to_string();
    // The metadata is saved right after a change, without waiting for a shutdown.
    let metadata = data.path().join("yetishare").join("metadata.json");
    let mut saved = String::new();
    for _ in 0..100 {
        saved = std::fs::read_to_string(&metadata).unwrap_or_default();
        if saved.contains("kept.txt") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(saved.contains("kept.txt"), "metadata not saved: {saved}");
    first.handle.shutdown().await;

    let second = attach(start_in(data.path(), true).await);
    let s = second.login().await;
    let root = second.listing(&s, "").await;
    // Not seeded twice.
    assert_eq!(names(&root["files"], "id"), names(&seeded["files"], "id"));
    assert_eq!(
        root["folders"].as_array().unwrap().len(),
        seeded["folders"].as_array().unwrap().len() + 1
    );
    let inside = second.listing(&s, &folder_id).await;
    assert_eq!(names(&inside["files"], "id"), [file_id.as_str()]);
    let url = second.download_url(&s, &file_id).await;
    assert_eq!(
        &second
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        b"still here"
    );
    let next = second.upload(&s, "next.txt", b"x".to_vec(), "").await;
    let next_id: u64 = next["data"][0]["file_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        next_id > file_id.parse::<u64>().unwrap(),
        "ids are not reused"
    );
}

#[tokio::test]
async fn the_demo_tree_seeds_both_accounts() {
    let emu = emulator(true).await;
    for (key1, key2) in [(PREMIUM_KEY1, PREMIUM_KEY2), (FREE_KEY1, FREE_KEY2)] {
        let s = emu.login_with(key1, key2).await;
        let root = emu.listing(&s, "").await;
        assert_eq!(
            names(&root["folders"], "folderName"),
            ["Documents", "Music", "Photos"]
        );
        assert_eq!(names(&root["files"], "filename"), ["readme.txt"]);
        let photos = root["folders"][2]["id"].as_str().unwrap().to_string();
        let inside = emu.listing(&s, &photos).await;
        assert_eq!(names(&inside["folders"], "folderName"), ["Holiday 2024"]);
        assert_eq!(inside["files"][0]["filename"], "haul-icon.png");
        assert_eq!(inside["files"][0]["fileType"], "image/png");
        let url = emu
            .download_url(&s, inside["files"][0]["id"].as_str().unwrap())
            .await;
        let png = emu
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

#[tokio::test]
async fn handle_lists_the_accounts() {
    let emu = emulator(false).await;
    let accounts: Vec<_> = emu
        .handle
        .accounts()
        .into_iter()
        .filter(|a| a.provider == "yetishare")
        .collect();
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ys", "ys-free"]);
    for account in &accounts {
        assert_eq!(account.provider, "yetishare");
        assert_eq!(account.base_url, emu.api);
        let (key1, key2) = account.secret.split_once(':').unwrap();
        assert_eq!((key1.len(), key2.len()), (64, 64));
        emu.login_with(key1, key2).await;
    }
    assert_eq!(accounts[0].username.as_deref(), Some("demo"));
    assert_eq!(accounts[1].description, "free");
}

/// A tiny file server on loopback for URL uploads.
async fn source_server(body: &'static [u8]) -> SocketAddr {
    let app = axum::Router::new().route(
        "/files/{name}",
        axum::routing::get(move || async move { body }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    addr
}

async fn wait_for_job(emu: &Emulator, s: &Session, id: &str) -> Value {
    for _ in 0..200 {
        let reply = emu
            .act(s, "file/url_upload_status", &[("scheduled_item_id", id)])
            .await;
        assert_success(&reply);
        if matches!(
            reply["data"]["status"].as_str(),
            Some("complete" | "failed")
        ) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("URL upload {id} did not finish");
}

#[tokio::test]
async fn url_uploads_fetch_from_loopback() {
    let content: &'static [u8] = b"fetched by the emulator";
    let source = source_server(content).await;
    let emu = emulator(false).await;
    let s = emu.login().await;
    let url = format!("http://{source}/files/remote%20file.txt");
    let encoded = STANDARD.encode(&url);
    let added = emu
        .act(&s, "file/url_upload_add", &[("file_url_base64", &encoded)])
        .await;
    assert_success(&added);
    assert_eq!(added["response"], "File download from URL scheduled");
    assert_eq!(added["data"]["url"], url.as_str());
    let id = added["data"]["scheduled_item_id"].as_u64().expect("an int");

    let done = wait_for_job(&emu, &s, &id.to_string()).await;
    assert_eq!(done["response"], "Scheduled URL file download found");
    let data = &done["data"];
    assert_eq!(data["status"], "complete", "{done}");
    assert_eq!(data["scheduled_item_id"], id);
    assert_eq!(data["total_size"], content.len());
    assert_datetime(&data["created"]);
    assert_datetime(&data["finished"]);
    let file = &data["downloaded_file"];
    assert_eq!(file["name"], "remote file.txt");
    assert_eq!(file["size"], content.len());
    let file_id = file["file_id"].as_u64().expect("an int");
    let root = emu.listing(&s, "").await;
    assert_eq!(names(&root["files"], "id"), [file_id.to_string()]);
    let download = emu.download_url(&s, &file_id.to_string()).await;
    assert_eq!(
        &emu.http
            .get(download)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        content
    );

    let missing = STANDARD.encode(format!("http://{source}/nothing/here"));
    let added = emu
        .act(&s, "file/url_upload_add", &[("file_url_base64", &missing)])
        .await;
    let failed_id = added["data"]["scheduled_item_id"].to_string();
    assert_eq!(
        wait_for_job(&emu, &s, &failed_id).await["data"]["status"],
        "failed"
    );

    assert_error(
        &emu.act(&s, "file/url_upload_add", &[]).await,
        "Please provide the file_url_base64 param.",
    );
    assert_error(
        &emu.act(&s, "file/url_upload_add", &[("file_url_base64", "***")])
            .await,
        "Could not parse the file_url_base64 parameter. Ensure it's base64 encoded.",
    );
    assert_error(
        &emu.act(&s, "file/url_upload_status", &[]).await,
        "Please provide the scheduled_item_id param.",
    );
    assert_error(
        &emu.act(
            &s,
            "file/url_upload_status",
            &[("scheduled_item_id", "9999")],
        )
        .await,
        "Could not find scheduled item.",
    );
}
