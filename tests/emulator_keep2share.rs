//! The Keep2Share emulator over real HTTP: the wire format itself (envelope, codes, messages,
//! shapes), login captchas, the free download flow, uploads and dedupe, big folders, remote
//! uploads, ranged downloads, faults, stats and persistence.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use haul::emulator::keep2share::{
    CAPTCHA_PASSWORD, CAPTCHA_USERNAME, FREE_PASSWORD, FREE_USERNAME, PREMIUM_ACCESS_TOKEN,
    PREMIUM_PASSWORD, PREMIUM_USERNAME, SHARED_FILE_ID, SHARED_FILE_NAME, SHARED_FOLDER_ID,
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

#[tokio::test]
async fn envelope_method_case_and_bodies() {
    let emu = emulator().await;
    // No body, no content type, upper-case method name.
    let response = emu
        .http
        .post(format!("{}/TEST", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"status":"success","code":200,"message":"Test was successful!"}"#
    );
    // A raw JSON string without a content type, method in odd case; nulls are absent keys.
    let response = emu
        .http
        .post(format!("{}/LoGiN", emu.api))
        .body(format!(
            r#"{{"username":"{PREMIUM_USERNAME}","password":"{PREMIUM_PASSWORD}","captcha_challenge":null,"re_captcha_response":null}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = response.json().await.unwrap();
    let token = reply["auth_token"].as_str().unwrap();
    assert_eq!(token.len(), 26);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let keys: Vec<&String> = reply.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["status", "code", "auth_token"]);
    // Form content type, JSON body: still parsed.
    let response = emu
        .http
        .post(format!("{}/accountinfo", emu.api))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(r#"{{"auth_token":"{token}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let (status, text, _) = emu.raw("login", &json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        text,
        r#"{"message":"Invalid request params","status":"error","code":400,"errorCode":2}"#
    );
    let response = emu
        .http
        .post(format!("{}/login", emu.api))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    emu.fails("login", json!({"username": PREMIUM_USERNAME}), 400, 2)
        .await;
    // Wrong types are bad params too, never a crash.
    emu.fails(
        "getFilesList",
        json!({"auth_token": token, "limit": "many"}),
        400,
        2,
    )
    .await;
    emu.fails(
        "getFilesList",
        json!({"auth_token": token, "extended_info": "yes"}),
        400,
        2,
    )
    .await;

    let (status, text, _) = emu.raw("noSuchMethod", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        text,
        r#"{"message":"Method not found","status":"error","code":404}"#
    );
    let response = emu.get(&format!("{}/login", emu.api)).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn login_tokens_and_account_calls() {
    let emu = emulator().await;
    let reply = emu
        .fails(
            "login",
            json!({"username": PREMIUM_USERNAME, "password": "nope"}),
            406,
            70,
        )
        .await;
    assert_eq!(reply["message"], "Invalid login or password");
    // Logins are e-mails: any case.
    let token = emu
        .login(&PREMIUM_USERNAME.to_uppercase(), PREMIUM_PASSWORD)
        .await;

    let (_, text, _) = emu.raw("accountInfo", &json!({"auth_token": token})).await;
    assert_eq!(
        text,
        r#"{"status":"success","code":200,"available_traffic":53687091200,"account_expires":4102444800}"#
    );
    let free = emu.free().await;
    let info = emu.ok("accountInfo", json!({"auth_token": free})).await;
    assert_eq!(info["account_expires"], false);
    assert_eq!(info["available_traffic"], 10_u64 << 30);
    let balance = emu.ok("getBalance", json!({"auth_token": token})).await;
    assert_eq!(balance["balance"], 12.5);
    let domains = emu.ok("getDomainsList", json!({"auth_token": token})).await;
    assert_eq!(domains["domains"], json!(["k2s.cc"]));
    // The permanent access token works in place of a session.
    emu.ok("getBalance", json!({"access_token": PREMIUM_ACCESS_TOKEN}))
        .await;
    emu.ok("test", json!({"auth_token": token})).await;

    let unauthorized = r#"{"message":"You are not authorized for this action","status":"error","code":403,"errorCode":10}"#;
    for body in [
        json!({}),
        json!({"auth_token": "0123456789abcdefghijklmnop"}),
        json!({"access_token": "wrong"}),
        json!({"auth_token": null}),
    ] {
        let (status, text, _) = emu.raw("accountInfo", &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(text, unauthorized);
    }
    emu.fails("test", json!({"auth_token": "stale"}), 403, 10)
        .await;

    // Tokens expire after the configured idle time.
    emu.settings(json!({"token_lifetime_ms": 300})).await;
    let short = emu.premium().await;
    emu.ok("getBalance", json!({"auth_token": short})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    emu.fails("getBalance", json!({"auth_token": short}), 403, 10)
        .await;
    emu.settings(json!({})).await;

    // ...and through the shared fault knob, after N authenticated calls.
    emu.handle.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Faults::default()
    });
    let counted = emu.premium().await;
    emu.ok("getBalance", json!({"auth_token": counted})).await;
    emu.ok("getBalance", json!({"auth_token": counted})).await;
    emu.fails("getBalance", json!({"auth_token": counted}), 403, 10)
        .await;
    emu.ok("getBalance", json!({"access_token": PREMIUM_ACCESS_TOKEN}))
        .await;
}

#[tokio::test]
async fn login_captcha_recaptcha_and_lockout() {
    let emu = emulator().await;
    let creds = json!({"username": CAPTCHA_USERNAME, "password": CAPTCHA_PASSWORD});
    let reply = emu.fails("login", creds.clone(), 406, 30).await;
    assert_eq!(reply["message"], "Captcha required");
    let challenge = emu.ok("requestCaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    assert_eq!(id.len(), 13);
    let mut attempt = creds.clone();
    attempt["captcha_challenge"] = json!(id);
    attempt["captcha_response"] = json!("wrong");
    let reply = emu.fails("login", attempt.clone(), 406, 31).await;
    assert_eq!(reply["message"], "Invalid captcha code");
    // The challenge survives a wrong answer.
    attempt["captcha_response"] = json!(emu.answer(id).await.to_uppercase());
    let reply = emu.ok("login", attempt.clone()).await;
    assert!(reply["auth_token"].is_string());
    // ...and is used up by a right one.
    emu.fails("login", attempt, 406, 31).await;

    // Wrong passwords: 70, 70, then 71; from then on a reCaptcha is needed.
    let wrong = json!({"username": FREE_USERNAME, "password": "bad"});
    emu.fails("login", wrong.clone(), 406, 70).await;
    emu.fails("login", wrong.clone(), 406, 70).await;
    let reply = emu.fails("login", wrong.clone(), 406, 71).await;
    assert_eq!(
        reply["message"],
        "Login attempt was exceed, please wait or verify your request via captcha challenge"
    );
    let right = json!({"username": FREE_USERNAME, "password": FREE_PASSWORD});
    let reply = emu.fails("login", right.clone(), 406, 33).await;
    assert_eq!(
        reply["message"],
        "Please verify your request via re captcha challenge"
    );
    let re = emu.ok("requestReCaptcha", json!({})).await;
    let re_id = re["challenge"].as_str().unwrap().to_string();
    assert_eq!(
        re["captcha_url"],
        format!("{}/reCaptcha.html?id={re_id}", emu.api)
    );
    let page = emu.get(re["captcha_url"].as_str().unwrap()).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    let token = html
        .split("<code id=\"re_captcha_response\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("token on the page")
        .to_string();
    assert_eq!(token, emu.answer(&re_id).await);
    // The doc's path without `.html` serves the same page.
    let plain = emu.get(&format!("{}/reCaptcha?id={re_id}", emu.api)).await;
    assert!(plain.text().await.unwrap().contains(&token));
    let missing = emu.get(&format!("{}/reCaptcha?id=nope", emu.api)).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.text().await.unwrap(),
        r#"{"message":"Id not found","status":"error","code":400}"#
    );

    let mut attempt = right.clone();
    attempt["re_captcha_challenge"] = json!(re_id);
    attempt["re_captcha_response"] = json!("not-the-token");
    emu.fails("login", attempt.clone(), 406, 31).await;
    attempt["re_captcha_response"] = json!(token);
    emu.ok("login", attempt).await;
    // A successful login clears the count.
    emu.fails("login", wrong, 406, 70).await;
}

#[tokio::test]
async fn captcha_images_are_png() {
    let emu = emulator().await;
    let challenge = emu.ok("requestcaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    let url = challenge["captcha_url"].as_str().unwrap();
    assert_eq!(url, format!("{}/captcha?id={id}", emu.api));
    let answer = emu.answer(id).await;
    assert_eq!(answer.len(), 6);
    for response in [
        emu.get(url).await,
        emu.http.post(url).send().await.unwrap(),
        emu.get(&format!("{}/captcha.html?id={id}", emu.api)).await,
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
        let bytes = response.bytes().await.unwrap();
        let image =
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).expect("a PNG");
        assert!(image.width() > image.height() && image.height() >= 40);
    }
    let missing = emu
        .get(&format!("{}/captcha?id=0000000000000", emu.api))
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let hook = emu
        .get(&format!(
            "{}/__emulator/keep2share/captcha/nope",
            emu.handle.base_url()
        ))
        .await;
    assert_eq!(hook.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_free_download_flow() {
    let emu = emulator().await;
    emu.settings(json!({"free_wait_ms": 400})).await;
    let free = emu.free().await;
    let info = emu
        .ok(
            "getFilesInfo",
            json!({"auth_token": free, "ids": [SHARED_FILE_ID, "0000000000000"]}),
        )
        .await;
    let files = info["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "unknown ids are simply absent");
    assert_eq!(files[0]["name"], SHARED_FILE_NAME);
    assert_eq!(files[0]["isAvailableForFree"], true);
    assert!(files[0].get("md5").is_none(), "md5 is for the owner only");

    let probe = json!({"auth_token": free, "file_id": SHARED_FILE_ID});
    let reply = emu.fails("getUrl", probe.clone(), 406, 30).await;
    assert_eq!(
        reply["message"],
        "You need send request for free download with captcha fields"
    );
    let challenge = emu.ok("requestCaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    let mut with_captcha = probe.clone();
    with_captcha["captcha_challenge"] = json!(id);
    with_captcha["captcha_response"] = json!("zzzzzz");
    with_captcha["free_download_key"] = Value::Null;
    emu.fails("getUrl", with_captcha.clone(), 406, 31).await;
    with_captcha["captcha_response"] = json!(emu.answer(id).await);
    let (_, text, granted) = emu.raw("getUrl", &with_captcha).await;
    let keys: Vec<&String> = granted.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "status",
            "code",
            "message",
            "free_download_key",
            "time_wait"
        ],
        "{text}"
    );
    assert_eq!(granted["message"], "Captcha accepted, please wait");
    assert_eq!(granted["time_wait"], 1);
    let key = granted["free_download_key"].as_str().unwrap();

    let mut with_key = probe.clone();
    with_key["free_download_key"] = json!(key);
    with_key["captcha_challenge"] = Value::Null;
    let reply = emu.fails("getUrl", with_key.clone(), 406, 41).await;
    assert_eq!(reply["message"], "Need wait for free");
    let mut bad_key = with_key.clone();
    bad_key["free_download_key"] = json!("0123456789abcdef");
    emu.fails("getUrl", bad_key, 406, 40).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let url = emu.ok("getUrl", with_key.clone()).await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("rate_limit=51200"), "{url}");
    // The key serves several links for a while.
    emu.ok("getUrl", with_key).await;
    let response = emu.get(&url).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"Keep2Share emulator sample, line 00001"));
    let premium = emu.premium().await;
    let owner_view = emu
        .ok(
            "getFilesInfo",
            json!({"auth_token": premium, "ids": [SHARED_FILE_ID]}),
        )
        .await;
    assert_eq!(owner_view["files"][0]["md5"], md5_hex(&bytes));

    // Anonymous callers take the same path.
    emu.settings(json!({"free_wait_ms": 0})).await;
    let anonymous = emu.free_url(None, SHARED_FILE_ID).await;
    assert!(anonymous.contains("user_id=0"));

    // Files over the free size limit are refused with sub-code 3.
    emu.settings(json!({"free_wait_ms": 0, "free_max_file_size": 1000}))
        .await;
    let reply = emu.fails("getUrl", probe, 406, 21).await;
    assert_eq!(reply["errors"][0]["code"], 3);
    assert_eq!(
        reply["errors"][0]["message"],
        "Free user can't download large files. Upgrade to PREMIUM and forget about limits."
    );
}

#[tokio::test]
async fn free_users_download_one_file_at_a_time() {
    let emu = emulator().await;
    emu.settings(json!({"free_wait_ms": 0})).await;
    let premium = emu.premium().await;
    // Big enough that the body can't sit in socket buffers all at once.
    let big = emu
        .upload(&premium, SHARED_FOLDER_ID, "big.bin", vec![7u8; 48 << 20])
        .await;
    let big_id = big["user_file_id"].as_str().unwrap();
    let free = emu.free().await;
    let big_url = emu.free_url(Some(&free), big_id).await;
    let second_url = emu.free_url(Some(&free), SHARED_FILE_ID).await;

    let mut first = emu.get(&big_url).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.chunk().await.unwrap().is_some());
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": SHARED_FILE_ID}),
            406,
            42,
        )
        .await;
    assert_eq!(reply["message"], "Download not available");
    assert_eq!(reply["errors"][0]["code"], 6);
    let page = emu.get(&second_url).await;
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains(
        "Your current tariff doesn't allow to download more files then you are downloading now"
    ));
    // Premium downloads in parallel as it likes.
    let premium_url = emu
        .ok("getUrl", json!({"auth_token": premium, "file_id": big_id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(premium_url.contains("rate_limit=0"));
    let mut one = emu.get(&premium_url).await;
    let two = emu.get(&premium_url).await;
    assert_eq!(two.status(), StatusCode::OK);
    assert!(one.chunk().await.unwrap().is_some());
    drop((one, two));

    // Once the first download ends, the next one may start.
    drop(first);
    let mut freed = false;
    for _ in 0..100 {
        let probe = json!({"auth_token": free, "file_id": SHARED_FILE_ID});
        if emu.raw("getUrl", &probe).await.2["errorCode"] == 30 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "the slot is released when the body is dropped");
    let page = emu.get(&second_url).await;
    assert_eq!(page.headers()[CONTENT_TYPE], "text/plain");
}

#[tokio::test]
async fn direct_links_serve_ranges_and_expire() {
    let emu = emulator().await;
    let premium = emu.premium().await;
    let url = emu
        .ok(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FILE_ID}),
        )
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&format!("{}/keep2share/prx/", emu.handle.base_url())));
    assert!(url.contains("temp_url_sig=") && url.contains("temp_url_expires="));
    assert!(url.ends_with(&format!("name={SHARED_FILE_NAME}")));
    let whole = emu.get(&url).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert!(
        whole.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with(&format!("attachment; filename=\"{SHARED_FILE_NAME}\""))
    );
    let bytes = whole.bytes().await.unwrap();
    let len = bytes.len();

    let part = emu
        .http
        .get(&url)
        .header(RANGE, "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[CONTENT_RANGE], format!("bytes 10-19/{len}"));
    assert_eq!(part.bytes().await.unwrap(), bytes[10..20]);
    let tail = emu
        .http
        .get(&url)
        .header(RANGE, "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.bytes().await.unwrap(), bytes[len - 5..]);
    let beyond = emu
        .http
        .get(&url)
        .header(RANGE, format!("bytes={len}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()[CONTENT_RANGE], format!("bytes */{len}"));
    let head = emu.http.head(&url).send().await.unwrap();
    assert_eq!(head.headers()["content-length"], len.to_string());

    let forged = url.replace("user_id=", "user_id=1");
    assert_eq!(emu.get(&forged).await.status(), StatusCode::UNAUTHORIZED);
    emu.settings(json!({"download_url_lifetime_secs": 0})).await;
    let expired = emu
        .ok(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FILE_ID}),
        )
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let response = emu.get(&expired).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    emu.settings(json!({})).await;

    // getUrl's file errors.
    emu.fails("getUrl", json!({"auth_token": premium}), 400, 2)
        .await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": premium, "file_id": "0000000000000"}),
            406,
            20,
        )
        .await;
    assert_eq!(reply["message"], "File not found");
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FOLDER_ID}),
            406,
            23,
        )
        .await;
    assert_eq!(reply["message"], "file_id is folder");
    // Private and premium-only files for others.
    let root = emu.list(&premium, json!({})).await;
    let readme = id_named(&root, "readme.txt");
    emu.ok(
        "updateFile",
        json!({"auth_token": premium, "id": readme, "new_access": "private"}),
    )
    .await;
    let free = emu.free().await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": readme}),
            406,
            21,
        )
        .await;
    assert_eq!(reply["errors"][0]["code"], 8);
    emu.ok(
        "updateFile",
        json!({"auth_token": premium, "id": readme, "new_access": "premium"}),
    )
    .await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": readme}),
            406,
            21,
        )
        .await;
    assert_eq!(reply["errors"][0]["code"], 7);
    // A free account gets its own files at once.
    let own = id_named(&emu.list(&free, json!({})).await, "readme.txt");
    let url = emu
        .ok("getUrl", json!({"auth_token": free, "file_id": own}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("rate_limit=0"));
}

#[tokio::test]
async fn listing_and_managing_files_and_folders() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        names(&root),
        ["Documents", "Music", "Photos", "readme.txt", "Shared"],
        "creation order"
    );
    let readme = root
        .iter()
        .find(|item| item["name"] == "readme.txt")
        .unwrap();
    let keys: Vec<&String> = readme.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "is_available",
            "is_folder",
            "date_created",
            "size",
            "md5"
        ]
    );
    assert_eq!(readme["id"].as_str().unwrap().len(), 13);
    let shape: String = readme["date_created"]
        .as_str()
        .unwrap()
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    assert_eq!(shape, "dddd-dd-dd dd:dd:dd");
    let folder = root.iter().find(|item| item["name"] == "Music").unwrap();
    assert_eq!(
        (folder["is_folder"].clone(), folder["size"].clone()),
        (json!(true), json!(0))
    );
    assert!(folder["md5"].is_null());

    let sorted = emu
        .list(&t, json!({"sort": {"name": -1}, "type": "folder"}))
        .await;
    assert_eq!(names(&sorted), ["Shared", "Photos", "Music", "Documents"]);
    let files = emu
        .list(
            &t,
            json!({"type": "file", "extended_info": "true", "only_available": true}),
        )
        .await;
    assert_eq!(names(&files), ["readme.txt"]);
    let extended = &files[0]["extended_info"];
    assert_eq!(extended["storage_object"], "available");
    assert_eq!(extended["access"], "public");
    assert_eq!(extended["content_type"], "text/plain");
    assert_eq!(extended["abuses"], json!([]));
    let paged = emu.list(&t, json!({"limit": 2, "offset": 3})).await;
    assert_eq!(names(&paged), ["readme.txt", "Shared"]);
    for bad in [
        json!({"sort": {"size": 1}}),
        json!({"sort": {"name": 2}}),
        json!({"sort": "name"}),
        json!({"limit": 10_001}),
        json!({"offset": -1}),
        json!({"type": "files"}),
        json!({"parent": "0000000000000"}),
    ] {
        let mut body = bad.clone();
        body["auth_token"] = json!(t);
        emu.fails("getFilesList", body, 400, 2).await;
    }

    // Folders: all of them as paths, or the subfolders of one.
    let documents = id_named(&root, "Documents");
    let all = emu.ok("getFoldersList", json!({"auth_token": t})).await;
    assert_eq!(
        all["foldersList"],
        json!([
            "/Documents",
            "/Documents/Archive",
            "/Music",
            "/Photos",
            "/Photos/Holiday 2024",
            "/Shared"
        ])
    );
    assert_eq!(all["foldersIds"][0], documents);
    assert_eq!(all["parentFoldersList"][1], "/Documents");
    assert_eq!(all["parentFoldersIds"][1], documents);
    assert_eq!(all["parentFoldersIds"][0], "/");
    let sub = emu
        .ok(
            "getFoldersList",
            json!({"auth_token": t, "parent_id": documents}),
        )
        .await;
    assert_eq!(sub["foldersList"], json!(["/Documents/Archive"]));

    let created = emu
        .ok(
            "createFolder",
            json!({"auth_token": t, "name": "New", "parent": "/", "access": "public", "is_public": "true"}),
        )
        .await;
    let new_folder = created["id"].as_str().unwrap().to_string();
    let reply = emu
        .fails(
            "createFolder",
            json!({"auth_token": t, "name": "X", "parent": "0000000000000", "access": "secret"}),
            406,
            60,
        )
        .await;
    assert_eq!(reply["message"], "Error create folder");
    assert_eq!(
        reply["errors"],
        json!([
            "Access is not in the list.",
            "Destination directory was not found"
        ])
    );
    emu.fails("createFolder", json!({"auth_token": t}), 400, 2)
        .await;

    // updateFile: rename, move, access; null leaves a value alone.
    emu.ok(
        "updatefile",
        json!({"auth_token": t, "id": readme["id"], "new_name": "README.md",
               "new_parent": new_folder, "new_access": null}),
    )
    .await;
    let inside = emu.list(&t, json!({"parent": new_folder})).await;
    assert_eq!(names(&inside), ["README.md"]);
    let reply = emu
        .fails(
            "updateFile",
            json!({"auth_token": t, "id": documents, "new_parent": documents}),
            406,
            63,
        )
        .await;
    assert_eq!(reply["message"], "Error update file");
    emu.fails(
        "updateFile",
        json!({"auth_token": t, "id": "0000000000000", "new_name": "x"}),
        406,
        20,
    )
    .await;
    let reply = emu
        .ok(
            "updateFiles",
            json!({"auth_token": t, "ids": [readme["id"], "0000000000000"], "new_parent": "/"}),
        )
        .await;
    assert_eq!(
        reply["files"],
        json!([
            {"id": readme["id"], "status": "success", "errors": []},
            {"id": "0000000000000", "status": "error", "errors": ["File not found"]},
        ])
    );

    // getFilesInfo: public folders only; 400 when no id is well formed.
    let info = emu
        .ok(
            "getFilesInfo",
            json!({"ids": [new_folder, documents, readme["id"]], "extended_info": true}),
        )
        .await;
    let files = info["files"].as_array().unwrap();
    assert_eq!(names(files), ["New", "README.md"]);
    assert!(
        files[1].get("md5").is_none(),
        "anonymous callers see no md5"
    );
    assert!(files[1]["parent_id"].is_null());
    assert!(files[1]["created_at"].as_str().unwrap().ends_with(".000Z"));
    assert_eq!(files[1]["extended_info"]["size"], files[1]["size"]);
    emu.fails("getFilesInfo", json!({"ids": ["bad id!"]}), 400, 2)
        .await;
    emu.fails("getFilesInfo", json!({"ids": []}), 400, 2).await;

    // The doc's 201/202, when asked for.
    emu.settings(json!({"documented_success_codes": true}))
        .await;
    let (status, _, reply) = emu
        .raw("createFolder", &json!({"auth_token": t, "name": "Doc"}))
        .await;
    assert_eq!((status.as_u16(), reply["code"].clone()), (201, json!(201)));
    let (status, text, _) = emu
        .raw(
            "updateFile",
            &json!({"auth_token": t, "id": new_folder, "new_name": "Renamed"}),
        )
        .await;
    assert_eq!(status.as_u16(), 202);
    assert_eq!(text, r#"{"status":"success","code":202}"#);
    emu.settings(json!({})).await;

    let reply = emu
        .ok(
            "deleteFiles",
            json!({"auth_token": t, "ids": [documents, new_folder, "0000000000000"]}),
        )
        .await;
    assert_eq!(reply["deleted"], 2);
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        names(&root),
        ["Music", "Photos", "README.md", "Shared", "Doc"]
    );
}

#[tokio::test]
async fn uploads_and_dedupe() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let form = emu
        .ok(
            "getUploadFormData",
            json!({"auth_token": t, "parent_id": null}),
        )
        .await;
    assert_eq!(
        form["form_action"],
        format!("{}/keep2share/upload", emu.handle.base_url())
    );
    assert_eq!(form["file_field"], "file");
    assert_eq!(form["form_data"]["ajax"], true);
    assert!(form["form_data"]["params"].is_string());
    let signature = form["form_data"]["signature"].as_str().unwrap();
    assert!(signature.len() >= 32 && signature.bytes().all(|b| b.is_ascii_hexdigit()));

    // A forged signature is refused by the node.
    let (status, reply) = emu
        .post_to_node(&form, "x.bin", vec![1, 2, 3], Some("00ff"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply,
        json!({"status": "error", "success": false, "status_code": 403, "message": "Invalid signature"})
    );

    let bytes = random_bytes(6 << 20);
    let (status, reply) = emu
        .post_to_node(&form, "data.bin", bytes.clone(), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&String> = reply.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["status", "success", "status_code", "user_file_id", "link"]
    );
    assert_eq!(reply["success"], true);
    assert_eq!(reply["status_code"], 200);
    let id = reply["user_file_id"].as_str().unwrap().to_string();
    assert_eq!(reply["link"], format!("https://k2s.cc/file/{id}"));
    let info = emu
        .ok("getFilesInfo", json!({"auth_token": t, "ids": [id]}))
        .await;
    assert_eq!(info["files"][0]["md5"], md5_hex(&bytes));
    assert_eq!(info["files"][0]["size"], bytes.len());

    let md5 = md5_hex(&bytes);
    let found = emu
        .ok("findFile", json!({"auth_token": t, "md5": md5}))
        .await;
    assert_eq!(found["found"], true);
    let by_md5 = emu
        .ok("findByFullMd5Hash", json!({"auth_token": t, "md5": md5}))
        .await;
    assert_eq!(
        (by_md5["exists"].clone(), by_md5["md5"].clone()),
        (json!(true), json!(md5))
    );
    let head = emu
        .ok(
            "findByFirst5MbSha1Hash",
            json!({"auth_token": t, "sha1": sha1_hex(&bytes[..5 << 20])}),
        )
        .await;
    assert_eq!(head["exists"], true);
    let whole = emu
        .ok(
            "findByFirst5MbSha1Hash",
            json!({"auth_token": t, "sha1": sha1_hex(&bytes)}),
        )
        .await;
    assert_eq!(whole["exists"], false);
    let absent = emu
        .ok(
            "findFile",
            json!({"auth_token": t, "md5": md5_hex(b"never stored")}),
        )
        .await;
    assert_eq!(absent["found"], false);
    emu.fails("findFile", json!({"auth_token": t, "md5": "xyz"}), 400, 2)
        .await;
    emu.fails("findFile", json!({"md5": md5}), 403, 10).await;

    // Another account places a copy by hash, without sending bytes.
    let free = emu.free().await;
    let copy = emu
        .ok(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "copy.bin", "parent": "/", "access": "private"}),
        )
        .await;
    let copy_id = copy["id"].as_str().unwrap();
    assert_eq!(copy["link"], format!("https://k2s.cc/file/{copy_id}"));
    let url = emu
        .ok("getUrl", json!({"auth_token": free, "file_id": copy_id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(md5_hex(&emu.get(&url).await.bytes().await.unwrap()), md5);
    let reply = emu
        .fails(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "ab", "parent": "0000000000000", "access": "secret"}),
            406,
            62,
        )
        .await;
    assert_eq!(reply["message"], "Error copy file");
    assert_eq!(
        reply["errors"],
        json!([
            "Destination directory was not found",
            "Name is too short (minimum is 3 characters).",
            "Access is not in the list.",
        ])
    );
    emu.fails(
        "createFileByHash",
        json!({"auth_token": free, "hash": md5_hex(b"unknown"), "name": "abc"}),
        406,
        20,
    )
    .await;
    // Deleting the original keeps the copy's bytes.
    emu.ok("deleteFiles", json!({"auth_token": t, "ids": [id]}))
        .await;
    assert_eq!(md5_hex(&emu.get(&url).await.bytes().await.unwrap()), md5);

    // The disk quota: the node and createFileByHash refuse past it.
    emu.settings(json!({"disk_quota": 7 << 20})).await;
    let form = emu
        .ok("getUploadFormData", json!({"auth_token": free}))
        .await;
    let (status, reply) = emu
        .post_to_node(&form, "more.bin", random_bytes(2 << 20), None)
        .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(reply["message"], "Disk quota exceeded");
    assert_eq!(reply["status_code"], 406);
    let reply = emu
        .fails(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "again.bin"}),
            406,
            64,
        )
        .await;
    assert_eq!(reply["message"], "Disk quota exceeded");
}

#[tokio::test]
async fn big_folders_page_and_stop_at_fifty_thousand() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let folder = emu
        .ok("createFolder", json!({"auth_token": t, "name": "Big"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.fill("k2s", &folder, 25_000).await;
    let mut seen = std::collections::HashSet::new();
    let mut pages = Vec::new();
    loop {
        let page = emu
            .list(
                &t,
                json!({"parent": folder, "limit": 10_000, "offset": seen.len()}),
            )
            .await;
        pages.push(page.len());
        for item in &page {
            assert!(seen.insert(item["id"].as_str().unwrap().to_string()));
        }
        if page.len() < 10_000 {
            break;
        }
    }
    assert_eq!(pages, [10_000, 10_000, 5_000]);
    assert_eq!(emu.list(&t, json!({"parent": folder})).await.len(), 100);

    emu.fill("k2s", &folder, 24_999).await;
    emu.ok(
        "createFolder",
        json!({"auth_token": t, "name": "last", "parent": folder}),
    )
    .await;
    let reply = emu
        .fails(
            "createFolder",
            json!({"auth_token": t, "name": "one more", "parent": folder}),
            406,
            61,
        )
        .await;
    assert_eq!(reply["message"], "Limit files in specified folder reached");
    emu.fails(
        "getUploadFormData",
        json!({"auth_token": t, "parent_id": folder}),
        406,
        61,
    )
    .await;
    let hash = md5_hex(b"");
    emu.fails(
        "createFileByHash",
        json!({"auth_token": t, "hash": hash, "name": "more.txt", "parent": folder}),
        406,
        61,
    )
    .await;
    let readme = id_named(&emu.list(&t, json!({})).await, "readme.txt");
    emu.fails(
        "updateFile",
        json!({"auth_token": t, "id": readme, "new_parent": folder}),
        406,
        61,
    )
    .await;
}

/// A tiny file server on loopback for remote uploads.
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

#[tokio::test]
async fn remote_uploads_fetch_from_loopback() {
    static BODY: &[u8] = b"fetched by the emulator itself\n";
    let emu = emulator().await;
    let t = emu.premium().await;
    let source = source_server(BODY).await;
    let good = format!("http://{source}/files/remote%20file.txt");
    let missing = format!("http://{source}/nothing/here");
    let reply = emu
        .ok(
            "RemoteUploadAdd",
            json!({"auth_token": t, "urls": [good, missing, "not a url"]}),
        )
        .await;
    let accepted = reply["acceptedUrls"].as_array().unwrap();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0]["url"], good);
    let good_id = accepted[0]["id"].as_str().unwrap().to_string();
    let missing_id = accepted[1]["id"].as_str().unwrap().to_string();
    assert!(good_id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        reply["rejectedUrls"],
        json!([{"url": "not a url", "message": "Invalid url"}])
    );

    let mut done = Value::Null;
    for _ in 0..200 {
        let status = emu
            .ok(
                "remoteUploadStatus",
                json!({"auth_token": t, "ids": [good_id, missing_id, "1"]}),
            )
            .await;
        let uploads = &status["uploads"];
        if uploads[&good_id]["status"] == 3 && uploads[&missing_id]["status"] == 4 {
            done = uploads.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(done.as_object().map(|map| map.len()), Some(2), "{done}");
    assert_eq!(done[&good_id]["progress"], 100);
    assert!(done[&missing_id]["file_id"].is_null());
    let file_id = done[&good_id]["file_id"].as_str().unwrap();
    let info = emu
        .ok("getFilesInfo", json!({"auth_token": t, "ids": [file_id]}))
        .await;
    assert_eq!(info["files"][0]["name"], "remote file.txt");
    assert_eq!(info["files"][0]["md5"], md5_hex(BODY));
    // Another account doesn't see the jobs.
    let free = emu.free().await;
    let other = emu
        .ok(
            "remoteUploadStatus",
            json!({"auth_token": free, "ids": [good_id]}),
        )
        .await;
    assert_eq!(other["uploads"], json!({}));
}

#[tokio::test]
async fn stats_and_faults_cover_the_routes() {
    let emu = emulator().await;
    let t = emu.premium().await;
    emu.list(&t, json!({})).await;
    emu.ok("GETFILESLIST", json!({"auth_token": t})).await;
    emu.raw("bogus", &json!({})).await;
    let stats = emu.handle.stats();
    assert_eq!(stats["by_route"]["keep2share/login"], 1);
    assert_eq!(stats["by_route"]["keep2share/getFilesList"], 2);
    assert_eq!(stats["by_route"]["keep2share/unknown"], 1);
    assert_eq!(stats["tokens_issued"], 1);

    emu.handle.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(7),
        ..Faults::default()
    });
    let response = emu
        .http
        .post(format!("{}/test", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    // The test hooks are never faulted.
    emu.settings(json!({})).await;
    emu.handle.set_faults(Faults::default());
}

#[tokio::test]
async fn accounts_and_seeded_ids_repeat() {
    let first = emulator().await;
    let accounts = first.handle.accounts();
    let k2s: Vec<_> = accounts
        .iter()
        .filter(|account| account.provider == "keep2share")
        .collect();
    assert_eq!(
        k2s.len(),
        2,
        "the login-captcha account is not a demo account"
    );
    assert_eq!(k2s[0].name, "k2s");
    assert_eq!(k2s[0].username.as_deref(), Some(PREMIUM_USERNAME));
    assert_eq!(k2s[0].secret, PREMIUM_PASSWORD);
    assert_eq!(k2s[0].base_url, first.api);
    assert_eq!(k2s[1].name, "k2s-free");
    assert_eq!(k2s[1].secret, FREE_PASSWORD);
    assert!(k2s[1].description.contains(SHARED_FILE_ID));

    let second = emulator().await;
    let t1 = first.premium().await;
    let t2 = second.premium().await;
    let ids = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(first.list(&t1, json!({})).await),
        ids(second.list(&t2, json!({})).await)
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let data = TempDir::new().unwrap();
    let emu = attach(start_in(data.path(), true).await);
    let t = emu.premium().await;
    let folder = emu
        .ok("createFolder", json!({"auth_token": t, "name": "Kept"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bytes = random_bytes(100_000);
    let uploaded = emu.upload(&t, &folder, "kept.bin", bytes.clone()).await;
    let id = uploaded["user_file_id"].as_str().unwrap().to_string();
    let url = emu
        .ok("getUrl", json!({"auth_token": t, "file_id": id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let form = emu.ok("getUploadFormData", json!({"auth_token": t})).await;
    emu.handle.shutdown().await;

    let emu = attach(start_in(data.path(), true).await);
    emu.fails("getBalance", json!({"auth_token": t}), 403, 10)
        .await;
    let t = emu.premium().await;
    let listed = emu.list(&t, json!({"parent": folder})).await;
    assert_eq!(names(&listed), ["kept.bin"]);
    assert_eq!(listed[0]["md5"], md5_hex(&bytes));
    // Links and upload forms from before the restart still work (the secret is kept).
    let to_port = |url: &str| {
        let rest = url.split_once("/keep2share/").unwrap().1;
        format!("{}/keep2share/{rest}", emu.handle.base_url())
    };
    let response = emu.get(&to_port(&url)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), bytes);
    let mut form = form;
    form["form_action"] = json!(to_port(form["form_action"].as_str().unwrap()));
    let (status, _) = emu
        .post_to_node(&form, "after.bin", vec![1; 10], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The demo tree is not seeded twice.
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        root.iter().filter(|item| item["name"] == "Shared").count(),
        1
    );
    emu.handle.shutdown().await;
}
