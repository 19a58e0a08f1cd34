//! A small scripted Keep2Share host: just enough of each call for the client's tests, and a
//! record of what the client sent.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub const USER: &str = "me@example.com";
pub const PASSWORD: &str = "pw-secret";
pub const ACCESS_TOKEN: &str = "perm-token-123";
pub const CONTENT: &[u8] = b"0123456789";
pub const KNOWN_MD5: &str = "a457f1dd3623a399d78a9672d225ddd1";
pub const CAPTCHA_IMAGE: &[u8] = b"\xff\xd8 fake jpeg";
/// Entries in the folder `big`: more than one page.
pub const BIG_FOLDER: usize = 10_003;

#[derive(Default)]
pub struct Fake {
    pub base: Mutex<String>,
    pub login_attempts: AtomicUsize,
    token: Mutex<Option<String>>,
    /// "captcha" or "recaptcha" while the login wants one.
    pub login_wants: Mutex<Option<&'static str>>,
    /// Refuse every session (403/10).
    pub refuse_sessions: AtomicBool,
    pub challenges: AtomicUsize,
    free_key: Mutex<Option<String>>,
    pub time_wait: AtomicU64,
    pub node_posts: AtomicUsize,
    pub followed_redirects: AtomicUsize,
    pub node_fields: Mutex<Vec<(String, String)>>,
    pub account_expires: Mutex<Value>,
    /// Every call after the session check: method and body.
    calls: Mutex<Vec<(String, Value)>>,
}

impl Fake {
    pub fn revoke_session(&self) {
        *self.token.lock().unwrap() = None;
    }
    pub fn spoil_free_key(&self) {
        *self.free_key.lock().unwrap() = Some("spoiled".into());
    }
    pub fn calls_to(&self, method: &str) -> Vec<Value> {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, b)| b.clone())
            .collect()
    }
    fn base(&self) -> String {
        self.base.lock().unwrap().clone()
    }
}

pub async fn start() -> (Arc<Fake>, String) {
    let fake = Arc::new(Fake::default());
    let app = Router::new()
        .route("/api/v2/captcha", get(captcha))
        .route("/api/v2/{method}", post(api))
        .route("/node/{mode}", post(node))
        .route("/elsewhere", get(elsewhere).post(elsewhere))
        .route("/dl/{id}", get(download))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let root = format!("http://{}", listener.local_addr().unwrap());
    *fake.base.lock().unwrap() = root.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (fake, format!("{root}/api/v2"))
}

fn reply(code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap();
    (status, Json(body)).into_response()
}

fn ok(mut body: Value) -> Response {
    body["status"] = json!("success");
    body["code"] = json!(200);
    reply(200, body)
}

fn error(code: u16, error_code: Value, message: &str) -> Response {
    reply(
        code,
        json!({"message": message, "status": "error", "code": code, "errorCode": error_code}),
    )
}

fn file(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "is_folder": false, "is_available": true, "size": CONTENT.len(),
           "md5": KNOWN_MD5, "access": "public", "parent_id": null, "created_at": "2024-05-01T10:00:00.000Z"})
}

async fn api(State(fake): State<Arc<Fake>>, Path(method): Path<String>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match method.as_str() {
        "login" => return login(&fake, &body).await,
        "requestCaptcha" | "requestReCaptcha" => {
            let n = fake.challenges.fetch_add(1, Ordering::SeqCst) + 1;
            let page = if method == "requestCaptcha" {
                "captcha"
            } else {
                "reCaptcha.html"
            };
            return ok(json!({"challenge": format!("ch{n}"),
                "captcha_url": format!("{}/api/v2/{page}?id=ch{n}", fake.base())}));
        }
        _ => {}
    }
    let session_ok = text("access_token") == ACCESS_TOKEN
        || (!text("auth_token").is_empty()
            && fake.token.lock().unwrap().as_deref() == Some(text("auth_token").as_str()));
    if !session_ok || fake.refuse_sessions.load(Ordering::SeqCst) {
        return error(403, json!(10), "You are not authorized for this action");
    }
    fake.calls
        .lock()
        .unwrap()
        .push((method.clone(), body.clone()));
    match method.as_str() {
        "getFilesList" if text("parent") == "big" => {
            let offset = body["offset"].as_u64().unwrap_or(0) as usize;
            let limit = body["limit"].as_u64().unwrap_or(100) as usize;
            let files: Vec<Value> = (offset..BIG_FOLDER.min(offset + limit))
                .map(|i| json!({"id": format!("f{i}"), "name": format!("n{i}"), "is_folder": false, "size": "1"}))
                .collect();
            ok(json!({ "files": files }))
        }
        "getFilesList" => ok(json!({"files": [
            file("prem", "p.bin"),
            {"id": "dir1", "name": "dir", "is_folder": "true", "size": null, "md5": null},
        ]})),
        "getFilesInfo" => {
            let ids: Vec<String> = serde_json::from_value(body["ids"].clone()).unwrap_or_default();
            if ids.iter().any(|id| id == "bad!") {
                return error(400, json!(2), "Invalid request params");
            }
            let known = ["prem", "free1", "new1", "copy1"];
            let files: Vec<Value> = ids
                .iter()
                .filter(|id| known.contains(&id.as_str()))
                .map(|id| file(id, &format!("{id}.bin")))
                .collect();
            ok(json!({ "files": files }))
        }
        "getUrl" => get_url(&fake, &body),
        "getUploadFormData" => ok(json!({
            // The folder names how the node behaves.
            "form_action": match text("parent_id").as_str() {
                "/" => format!("{}/node/ok", fake.base()),
                mode => format!("{}/node/{mode}", fake.base()),
            },
            "file_field": "upfile",
            "form_data": {"ajax": true, "params": "{\"a\":1}", "signature": "sig", "n": 5},
        })),
        "findFile" => ok(json!({"found": text("md5") == KNOWN_MD5})),
        "createFileByHash" => ok(json!({"id": "copy1", "link": "https://k2s.cc/file/copy1"})),
        "deleteFiles" => ok(json!({"deleted": if body["ids"] == json!(["prem"]) { 1 } else { 0 }})),
        "updateFile" => reply(202, json!({"status": "success", "code": 202})),
        "accountInfo" => ok(json!({"available_traffic": "53687091200",
            "account_expires": fake.account_expires.lock().unwrap().clone()})),
        "getBalance" => ok(json!({"balance": 0.2})),
        "remoteUploadAdd" => ok(
            json!({"acceptedUrls": [{"url": body["urls"][0], "id": "46564421"}], "rejectedUrls": []}),
        ),
        "remoteUploadStatus" => ok(
            json!({"uploads": {"46564421": {"status": 3, "progress": 100, "file_id": "27dddcb772fec"}}}),
        ),
        "crowded" => {
            let mut headers = HeaderMap::new();
            headers.insert(header::RETRY_AFTER, "7".parse().unwrap());
            (StatusCode::TOO_MANY_REQUESTS, headers, "slow down").into_response()
        }
        "echo" => error(
            406,
            json!(60),
            &format!("bad token {} here", text("auth_token")),
        ),
        _ => error(400, json!(2), "Invalid request params"),
    }
}

async fn login(fake: &Fake, body: &Value) -> Response {
    fake.login_attempts.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(50)).await;
    if body["username"] != USER || body["password"] != PASSWORD {
        return error(406, json!(70), "Invalid login or password");
    }
    let wants = *fake.login_wants.lock().unwrap();
    if let Some(kind) = wants {
        let (id, answer, code) = match kind {
            "captcha" => ("captcha_challenge", "captcha_response", 30),
            _ => ("re_captcha_challenge", "re_captcha_response", 33),
        };
        if body.get(id).is_none() {
            return error(
                406,
                json!(code),
                "Please verify your request via re captcha challenge",
            );
        }
        if body[answer] != "solved" {
            return error(406, json!(31), "Invalid captcha code");
        }
    }
    let token = format!("tok{}", fake.login_attempts.load(Ordering::SeqCst));
    *fake.token.lock().unwrap() = Some(token.clone());
    ok(json!({ "auth_token": token }))
}

fn get_url(fake: &Fake, body: &Value) -> Response {
    let base = fake.base();
    let id = body["file_id"].as_str().unwrap_or_default();
    if id != "free1" {
        return ok(json!({"url": format!("{base}/dl/{id}?temp_url_sig=s3cret")}));
    }
    if let Some(key) = body.get("free_download_key").and_then(Value::as_str) {
        if fake.free_key.lock().unwrap().as_deref() != Some(key) {
            return error(406, json!(40), "Wrong free download key");
        }
        return ok(json!({"url": format!("{base}/dl/free1?temp_url_sig=s3cret")}));
    }
    match body.get("captcha_response").and_then(Value::as_str) {
        None => error(406, json!(30), "Captcha required"),
        Some("right") => {
            let key = format!("key{}", fake.challenges.load(Ordering::SeqCst));
            *fake.free_key.lock().unwrap() = Some(key.clone());
            ok(
                json!({"message": "Captcha accepted, please wait", "free_download_key": key,
                "time_wait": fake.time_wait.load(Ordering::SeqCst)}),
            )
        }
        Some(_) => error(406, json!(31), "Invalid captcha code"),
    }
}

async fn captcha(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    if !q.get("id").is_some_and(|id| id.starts_with("ch")) {
        return reply(
            400,
            json!({"status": "error", "code": 400, "message": "Id not found"}),
        );
    }
    ([(header::CONTENT_TYPE, "image/jpeg")], CAPTCHA_IMAGE).into_response()
}

async fn node(
    State(fake): State<Arc<Fake>>,
    Path(mode): Path<String>,
    mut form: Multipart,
) -> Response {
    fake.node_posts.fetch_add(1, Ordering::SeqCst);
    if mode == "redirect" {
        return (StatusCode::FOUND, [(header::LOCATION, "/elsewhere")]).into_response();
    }
    let mut fields = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let value = match field.file_name().map(str::to_string) {
            Some(file_name) => format!("file:{file_name}:{}", field.bytes().await.unwrap().len()),
            None => field.text().await.unwrap(),
        };
        fields.push((name, value));
    }
    *fake.node_fields.lock().unwrap() = fields;
    match mode.as_str() {
        "full" => reply(
            406,
            json!({"status": "error", "success": false, "status_code": 406, "message": "Disk quota exceeded"}),
        ),
        "down" => reply(
            503,
            json!({"status": "error", "success": false, "status_code": 503}),
        ),
        _ => reply(
            200,
            json!({"status": "success", "success": true, "status_code": 200, "user_file_id": "new1",
                "link": "https://k2s.cc/file/new1"}),
        ),
    }
}

async fn elsewhere(State(fake): State<Arc<Fake>>) -> Response {
    fake.followed_redirects.fetch_add(1, Ordering::SeqCst);
    ok(json!({"user_file_id": "wrong"}))
}

async fn download(Path(id): Path<String>, headers: HeaderMap) -> Response {
    if id == "html" {
        let page = "<html><body><p>Your current tariff doesn't allow to download more files then you are downloading now</p></body></html>";
        return ([(header::CONTENT_TYPE, "text/html")], page).into_response();
    }
    let total = CONTENT.len();
    let start = headers.get(header::RANGE).and_then(|r| {
        r.to_str()
            .ok()?
            .strip_prefix("bytes=")?
            .strip_suffix('-')?
            .parse::<usize>()
            .ok()
    });
    match start {
        Some(start) if id != "norange" && start >= total => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{total}"))],
        )
            .into_response(),
        Some(start) if id != "norange" => (
            StatusCode::PARTIAL_CONTENT,
            [(
                header::CONTENT_RANGE,
                format!("bytes {start}-{}/{total}", total - 1),
            )],
            &CONTENT[start..],
        )
            .into_response(),
        _ => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            CONTENT,
        )
            .into_response(),
    }
}
