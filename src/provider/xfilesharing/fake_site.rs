//! A small scripted XFS site for the tests: GET endpoints with `key=`, a strict `upload.cgi`
//! (only `file_0`, uploads land in the root), `file/list` capped at two files a page, names sent
//! back as Latin-1 code points, and a 404 page (echoing the query) for unknown endpoints.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Multipart, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::XFileSharing;

pub const KEY: &str = "k3yfak3k3y42";
/// The most files `file/list` sends per page, whatever `per_page` asks.
pub const PAGE_CAP: usize = 2;
const SERVER_TIME: &str = "2024-05-01 12:00:00";

pub struct FakeFile {
    pub code: String,
    pub name: String,
    pub fld_id: u64,
    pub content: Vec<u8>,
    /// False for the anonymous files a rejected upload session produces.
    pub owned: bool,
}

#[derive(Default)]
pub struct FakeState {
    /// id -> (name, parent id)
    pub folders: BTreeMap<u64, (String, u64)>,
    pub files: Vec<FakeFile>,
    /// Every call: endpoint (or `upload.cgi`) and its parameters.
    pub calls: Vec<(String, HashMap<String, String>)>,
    sessions: HashSet<String>,
    next_id: u64,
}

impl FakeState {
    fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
    fn add_file(&mut self, name: &str, fld_id: u64, content: &[u8], owned: bool) -> String {
        let code = format!("f{:011}", self.next());
        self.files.push(FakeFile {
            code: code.clone(),
            name: name.to_owned(),
            fld_id,
            content: content.to_vec(),
            owned,
        });
        code
    }
    fn file(&mut self, code: &str) -> Option<&mut FakeFile> {
        self.files.iter_mut().find(|f| f.code == code)
    }
}

#[derive(Default)]
pub struct FakeSite {
    pub base: String,
    pub state: Mutex<FakeState>,
    /// Store every upload outside the account, as a stale `sess_id` does.
    pub anonymous_uploads: AtomicBool,
    /// Answer `file/direct_link` with 403 "Not enabled".
    pub direct_links_disabled: AtomicBool,
    /// Answer `upload.cgi` with a Cloudflare 502 page once the body has arrived.
    pub uploads_fail: AtomicBool,
    /// Store uploaded names with `_` for spaces, as some sites do.
    pub underscore_names: AtomicBool,
}

impl FakeSite {
    pub fn add_file(&self, name: &str, fld_id: u64, content: &[u8]) -> String {
        self.state
            .lock()
            .unwrap()
            .add_file(name, fld_id, content, true)
    }
    pub fn add_folder(&self, name: &str, parent: u64) -> u64 {
        let mut state = self.state.lock().unwrap();
        let id = state.next() + 100;
        state.folders.insert(id, (name.to_owned(), parent));
        id
    }
    pub fn calls_to(&self, endpoint: &str) -> Vec<HashMap<String, String>> {
        let state = self.state.lock().unwrap();
        let calls = state.calls.iter().filter(|(e, _)| e == endpoint);
        calls.map(|(_, p)| p.clone()).collect()
    }
    pub fn folder_of(&self, code: &str) -> Option<u64> {
        let mut state = self.state.lock().unwrap();
        state.file(code).map(|f| f.fld_id)
    }
}

/// The bytes of a name as the site sends them back: each byte as one Latin-1 code point.
fn as_latin1(name: &str) -> String {
    name.bytes().map(char::from).collect()
}

fn ok(result: Value) -> Response {
    Json(json!({"status": 200, "msg": "OK", "result": result, "server_time": SERVER_TIME}))
        .into_response()
}

fn refuse(status: u16, msg: &str) -> Response {
    Json(json!({"status": status, "msg": msg, "server_time": SERVER_TIME})).into_response()
}

async fn api(
    State(site): State<Arc<FakeSite>>,
    Path(endpoint): Path<String>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if params.get("key").map(String::as_str) != Some(KEY) {
        return refuse(400, "Invalid key");
    }
    let param = |k: &str| params.get(k).cloned().unwrap_or_default();
    let number = |k: &str| param(k).parse::<u64>().unwrap_or(0);
    let base = site.base.clone();
    let mut state = site.state.lock().unwrap();
    state.calls.push((endpoint.clone(), params.clone()));
    match endpoint.as_str() {
        "account/info" => ok(json!({"email": "[email protected]", "balance": "0.04900",
            "storage_used": null, "premium_expire": "2030-01-01 00:00:00", "storage_left": "inf"})),
        "account/stats" => ok(json!([
            {"day": "2024-04-30", "downloads": "2", "views": "5", "profit_total": "0.00100"},
            {"day": "2024-05-01", "downloads": "3", "views": "1", "profit_total": "0.00200"}])),
        "upload/server" => {
            let sess_id = format!("sess{}", state.next());
            state.sessions.insert(sess_id.clone());
            Json(json!({"status": 200, "sess_id": sess_id, "msg": "OK", "server_time": SERVER_TIME,
                "result": format!("{base}/cgi-bin/upload.cgi")}))
            .into_response()
        }
        "folder/list" => {
            let id = number("fld_id");
            if id != 0 && !state.folders.contains_key(&id) {
                return refuse(403, "Folder not exist or not yours");
            }
            let folders: Vec<Value> = state.folders.iter().filter(|(_, (_, parent))| *parent == id)
                .map(|(fid, (name, _))| json!({"fld_id": fid, "code": null, "name": as_latin1(name)}))
                .collect();
            let files: Vec<Value> = state.files.iter().filter(|f| f.owned && f.fld_id == id)
                .map(|f| json!({"fld_id": f.fld_id, "file_code": f.code, "name": as_latin1(&f.name),
                    "link": format!("{base}/{}", f.code), "uploaded": SERVER_TIME}))
                .collect();
            if param("files") == "1" {
                ok(json!({"folders": folders, "files": files}))
            } else {
                ok(json!({"folders": folders}))
            }
        }
        "file/list" => {
            let (id, name) = (number("fld_id"), param("name"));
            let matching: Vec<&FakeFile> = state.files.iter().rev()
                .filter(|f| f.owned && (id == 0 || f.fld_id == id) && f.name.contains(&name))
                .collect();
            let per_page = (number("per_page") as usize).clamp(1, PAGE_CAP);
            let page = number("page").max(1) as usize;
            let files: Vec<Value> = matching.iter().skip((page - 1) * per_page).take(per_page)
                .map(|f| json!({"name": as_latin1(&f.name), "file_code": f.code, "size": f.content.len(),
                    "fld_id": f.fld_id, "link": format!("{base}/{}", f.code), "downloads": 0, "public": 1}))
                .collect();
            Json(json!({"status": "200", "msg": "OK", "server_time": SERVER_TIME, "result":
                {"files": files, "results": files.len(), "results_total": matching.len()}}))
            .into_response()
        }
        "file/info" => {
            let infos: Vec<Value> = param("file_code").split(',').map(|code| match state.file(code) {
                Some(f) => json!({"filecode": code, "name": as_latin1(&f.name), "status": 200,
                    "size": f.content.len(), "uploaded": SERVER_TIME, "downloads": 0}),
                None => json!({"filecode": code, "status": 404}),
            }).collect();
            ok(json!(infos))
        }
        "file/direct_link" => {
            if site.direct_links_disabled.load(Ordering::SeqCst) {
                return refuse(403, "Not enabled");
            }
            match state.file(&param("file_code")).filter(|f| f.owned) {
                Some(f) => ok(json!({"url": format!("{base}/dl/{}/x.bin", f.code), "size": f.content.len()})),
                None => refuse(404, "no file"),
            }
        }
        "file/set_folder" => {
            let id = number("fld_id");
            if id != 0 && !state.folders.contains_key(&id) {
                return refuse(403, "Your account don't have such folder");
            }
            if let Some(f) = state.file(&param("file_code")).filter(|f| f.owned) {
                f.fld_id = id;
            }
            Json(json!({"status": 200, "msg": "OK", "server_time": SERVER_TIME})).into_response()
        }
        "file/rename" => match state.file(&param("file_code")) {
            Some(f) => {
                f.name = param("name");
                ok(json!("true"))
            }
            None => refuse(404, "no file"),
        },
        "file/clone" => {
            let Some(original) = state.file(&param("file_code")) else {
                return refuse(404, "no file");
            };
            let (name, content) = (original.name.clone(), original.content.clone());
            // Like the sites seen so far, the copy lands in the root whatever fld_id says.
            let code = state.add_file(&name, 0, &content, true);
            ok(json!({"url": format!("{base}/{code}"), "filecode": code}))
        }
        "folder/create" => {
            if param("name").is_empty() {
                return refuse(400, "No name");
            }
            let id = state.next() + 100;
            state.folders.insert(id, (param("name"), number("parent_id")));
            ok(json!({"fld_id": id.to_string()}))
        }
        "folder/rename" => match state.folders.get_mut(&number("fld_id")) {
            Some(folder) => {
                folder.0 = param("name");
                ok(json!("true"))
            }
            None => refuse(403, "Folder not exist or not yours"),
        },
        "upload/url" if params.contains_key("file_code") => {
            ok(json!({"file_code": param("file_code")}))
        }
        "upload/url" => ok(json!({"filecode": format!("r{:011}", state.next())})),
        _ => (StatusCode::NOT_FOUND, Html(format!(
            "<html>\n<body><h1>Not Found</h1>The requested URL /api/{endpoint}?{} was not found.</body></html>",
            raw.unwrap_or_default()
        )))
        .into_response(),
    }
}

async fn upload(State(site): State<Arc<FakeSite>>, mut multipart: Multipart) -> Response {
    let mut fields = HashMap::new();
    let mut content = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.unwrap_or_default();
        match file_name {
            Some(file_name) => {
                content = Some((name.clone(), file_name.clone(), bytes.to_vec()));
                fields.insert(name, file_name);
            }
            None => {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let mut state = site.state.lock().unwrap();
    state.calls.push(("upload.cgi".into(), fields.clone()));
    if site.uploads_fail.load(Ordering::SeqCst) {
        let page = "<html>\n<title>502: Bad gateway</title></html>";
        return (StatusCode::BAD_GATEWAY, Html(page)).into_response();
    }
    let reply = match content {
        Some((part, _, _)) if part != "file_0" => {
            json!([{"file_code": "undef", "file_status": "no file"}])
        }
        Some((_, _, bytes)) if bytes.is_empty() => {
            json!([{"file_code": "undef", "file_status": "null filesize or wrong file path"}])
        }
        Some((_, file_name, bytes)) => {
            let session = fields
                .get("sess_id")
                .is_some_and(|s| state.sessions.contains(s));
            let owned = session && !site.anonymous_uploads.load(Ordering::SeqCst);
            let stored_name = if site.underscore_names.load(Ordering::SeqCst) {
                file_name.replace(' ', "_")
            } else {
                file_name
            };
            let code = state.add_file(&stored_name, 0, &bytes, owned);
            json!([{"file_code": code, "file_status": "OK"}])
        }
        None => json!([{"file_code": "undef", "file_status": "null filesize or wrong file path"}]),
    };
    Json(reply).into_response()
}

async fn download(
    State(site): State<Arc<FakeSite>>,
    Path((code, _name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let content = match site.state.lock().unwrap().file(&code) {
        Some(f) => f.content.clone(),
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    let len = content.len();
    let start = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok());
    let attachment = (header::CONTENT_DISPOSITION, "attachment");
    match start {
        None | Some(0) => ([attachment], content).into_response(),
        Some(s) if s >= len => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response(),
        Some(s) => (
            StatusCode::PARTIAL_CONTENT,
            [(
                header::CONTENT_RANGE,
                format!("bytes {s}-{}/{len}", len - 1),
            )],
            content[s..].to_vec(),
        )
            .into_response(),
    }
}

/// A running fake site and a client for it (API root `<base>/api`).
pub async fn start() -> (Arc<FakeSite>, XFileSharing) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let site = Arc::new(FakeSite {
        base: base.clone(),
        ..FakeSite::default()
    });
    let app = Router::new()
        .route("/api/{*endpoint}", get(api))
        .route("/cgi-bin/upload.cgi", post(upload))
        .route("/dl/{code}/{name}", get(download))
        .with_state(site.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = XFileSharing::new(&format!("{base}/api"), KEY).unwrap();
    (site, client)
}
