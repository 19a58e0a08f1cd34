//! The client against a small scripted host: one login shared by concurrent tasks, re-login on a
//! rejected token, uploads never replayed, ranged downloads, the root as `null`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Value, json};

use super::*;
use crate::provider::{ErrorKind, no_progress};

const CONTENT: &[u8] = b"hello world";

fn key(c: char) -> String {
    c.to_string().repeat(64)
}

#[derive(Default)]
struct Fake {
    base: String,
    authorizations: AtomicUsize,
    uploads: AtomicUsize,
    token: Mutex<Option<String>>,
    /// Every authenticated call: endpoint and its fields (file parts as `name=<filename>`).
    calls: Mutex<Vec<(String, HashMap<String, String>)>>,
}

impl Fake {
    fn revoke(&self) {
        *self.token.lock().unwrap() = None;
    }
    fn valid(&self, fields: &HashMap<String, String>) -> bool {
        let token = self.token.lock().unwrap();
        token.is_some() && fields.get("access_token") == token.as_ref()
    }
    fn last(&self, endpoint: &str) -> HashMap<String, String> {
        let calls = self.calls.lock().unwrap();
        let found = calls.iter().rev().find(|(e, _)| e == endpoint);
        found.map(|(_, f)| f.clone()).unwrap_or_default()
    }
}

fn ok(mut reply: Value) -> Response {
    reply["_status"] = json!("success");
    Json(reply).into_response()
}

fn error(message: &str) -> Response {
    Json(json!({"response": message, "_status": "error", "_datetime": "2024-09-12 05:49:34"}))
        .into_response()
}

async fn api(
    State(fake): State<Arc<Fake>>,
    Path(endpoint): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    if endpoint == "authorize" {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if fields.get("key1") != Some(&key('a')) || fields.get("key2") != Some(&key('b')) {
            return error(
                "Could not authenticate user. The key pair may be invalid or your account may be locked from too many failed logins.",
            );
        }
        let n = fake.authorizations.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("token{n:0>123}");
        *fake.token.lock().unwrap() = Some(token.clone());
        return ok(json!({"data": {"access_token": token, "account_id": "158642"}}));
    }
    if !fake.valid(&fields) {
        return error(
            "Could not validate access_token and account_id, please reauthenticate or try again.",
        );
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    fake.calls
        .lock()
        .unwrap()
        .push((endpoint.clone(), fields.clone()));
    match endpoint.as_str() {
        "folder/listing" if fields.contains_key("parent_folder_id") => {
            ok(json!({"data": {"folders": false, "files": null}}))
        }
        "folder/listing" => ok(json!({"data": {
            "folders": [{"id":"123","parentId":null,"folderName":"My Folder 1","totalSize":"868689","isPublic":"1","date_added":"2017-02-15 20:02:05","date_updated":null,"url_folder":"https://yoursite.com/folder/123/My_Folder_1","total_downloads":5864,"child_folder_count":1,"file_count":0}],
            "files": [{"id":"1161","filename":"button_back.gif","fileSize":"1116","status":"active","downloads":"5865","folderId":null,"url_file":"https://yoursite.com/2U1"}]}})),
        "folder/info" if get("folder_id") == "html" => {
            "<!DOCTYPE html>\n<html><body>Site maintenance</body></html>".into_response()
        }
        "file/move" => {
            ok(json!({"response": "File successfully moved.", "data": {"id": get("file_id")}}))
        }
        "file/copy" => {
            let folder = match get("copy_to_folder_id").as_str() {
                "null" => Value::Null,
                id => json!(id),
            };
            ok(json!({"response": "File successfully copyied.",
                "original_file": {"data": {"id": get("file_id"), "filename": "a.txt"}},
                "new_file": {"data": {"id": "1254", "filename": "a.txt", "fileSize": "11", "folderId": folder}}}))
        }
        "file/download" => ok(
            json!({"data": {"file_id": get("file_id"), "filename": "a.txt",
            "download_url": format!("{}/dl/{}?download_token=c3e6", fake.base, get("file_id"))}}),
        ),
        "account/info" => ok(
            json!({"data": {"id":"158642","username":"admin","level_id":"20","email":"[email protected]","status":"active","datecreated":null,"paidExpiryDate":"2030-01-01 00:00:00","storageLimitOverride":null}}),
        ),
        "account/package" => ok(
            json!({"data": {"id":"20","label":"Premium Account","max_upload_size":"1073741824","max_storage_bytes":"0","concurrent_uploads":"100","concurrent_downloads":"0","level_type":"paid user"}}),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!(format!("No endpoint found for: {endpoint}"))),
        )
            .into_response(),
    }
}

async fn upload(State(fake): State<Arc<Fake>>, mut multipart: Multipart) -> Response {
    fake.uploads.fetch_add(1, Ordering::SeqCst);
    let mut fields = HashMap::new();
    let mut content = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.unwrap_or_default();
        match file_name {
            Some(file_name) => {
                fields.insert(name, file_name);
                content = bytes.to_vec();
            }
            None => {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    if !fake.valid(&fields) {
        return error(
            "Could not validate access_token and account_id, please reauthenticate or try again.",
        );
    }
    let name = fields.get("upload_file").cloned().unwrap_or_default();
    fake.calls
        .lock()
        .unwrap()
        .push(("file/upload".into(), fields));
    let md5 = hex::encode(<md5::Md5 as md5::Digest>::digest(&content));
    ok(
        json!({"response": "File uploaded", "data": [{"name": name, "size": content.len().to_string(),
        "error": null, "url": "https://yoursite.com/2Vv", "hash": md5, "short_url": "2Vv", "file_id": "1253"}]}),
    )
}

async fn download(Path(id): Path<String>, headers: HeaderMap) -> Response {
    let len = CONTENT.len();
    let start = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
        .filter(|_| id != "norange");
    let attachment = (
        header::CONTENT_DISPOSITION,
        "attachment; filename=\"a.txt\"",
    );
    match start {
        None | Some(0) => ([attachment], CONTENT).into_response(),
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
            &CONTENT[s..],
        )
            .into_response(),
    }
}

async fn fake_host() -> (Arc<Fake>, YetiShare) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let fake = Arc::new(Fake {
        base: base.clone(),
        ..Fake::default()
    });
    let app = Router::new()
        .route("/api/v2/file/upload", post(upload))
        .route("/api/v2/{*endpoint}", post(api))
        .route("/dl/{id}", get(download))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let credentials = Credentials::Keys {
        key1: key('a'),
        key2: key('b'),
    };
    (fake, YetiShare::new(&base, credentials).unwrap())
}

#[tokio::test]
async fn concurrent_callers_share_one_login() {
    let (fake, host) = fake_host().await;
    let lists = (0..8).map(|_| {
        let host = host.clone();
        tokio::spawn(async move { host.list(&FolderId::Root).await })
    });
    for list in futures::future::join_all(lists).await {
        let entries = list.unwrap().unwrap();
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["My Folder 1", "button_back.gif"]);
    }
    assert_eq!(fake.authorizations.load(Ordering::SeqCst), 1);
    assert!(!fake.last("folder/listing").contains_key("parent_folder_id"));
    let inner = host.list(&FolderId::Id("123".into())).await.unwrap();
    assert!(inner.is_empty());
    assert_eq!(fake.last("folder/listing")["parent_folder_id"], "123");
}

#[tokio::test]
async fn a_rejected_token_is_renewed_once_for_everyone() {
    let (fake, host) = fake_host().await;
    host.authenticate().await.unwrap();
    fake.revoke();
    let lists = (0..4).map(|_| {
        let host = host.clone();
        tokio::spawn(async move { host.list(&FolderId::Root).await })
    });
    for list in futures::future::join_all(lists).await {
        list.unwrap().unwrap();
    }
    assert_eq!(fake.authorizations.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bad_keys_are_an_auth_error_without_the_keys() {
    let (_fake, host) = fake_host().await;
    let wrong = Credentials::Keys {
        key1: key('x'),
        key2: key('y'),
    };
    let host = YetiShare::new(host.api.base(), wrong).unwrap();
    let e = host.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.starts_with("Could not authenticate user."));
    assert!(!e.message.contains(&key('x')));
    assert!(!format!("{host:?}").contains(&key('x')));
}

#[tokio::test]
async fn upload_streams_the_fields_and_reports_progress() {
    let (fake, host) = fake_host().await;
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let progress: ProgressFn = Arc::new(move |n| {
        counter.fetch_add(n as usize, Ordering::SeqCst);
    });
    let folder = FolderId::Id("7".into());
    let entry = host
        .upload(
            &folder,
            "a b.txt",
            UploadBody::from_bytes(CONTENT),
            progress,
        )
        .await
        .unwrap();
    assert_eq!(sent.load(Ordering::SeqCst), CONTENT.len());
    assert_eq!((entry.id.as_str(), entry.size), ("1253", Some(11)));
    assert_eq!(
        entry.md5.as_deref(),
        Some("5eb63bbbe01eeed093cb22bb8f5acdc3")
    );
    assert_eq!(entry.parent, folder);
    let fields = fake.last("file/upload");
    assert_eq!(fields["upload_file"], "a b.txt");
    assert_eq!(fields["folder_id"], "7");
    assert_eq!(fields["account_id"], "158642");
    host.upload(
        &FolderId::Root,
        "r.txt",
        UploadBody::from_bytes("x"),
        no_progress(),
    )
    .await
    .unwrap();
    assert!(!fake.last("file/upload").contains_key("folder_id"));
}

#[tokio::test]
async fn an_upload_is_never_replayed_after_a_token_rejection() {
    let (fake, host) = fake_host().await;
    host.account_package().await.unwrap();
    fake.revoke();
    let e = host
        .upload(
            &FolderId::Root,
            "a.txt",
            UploadBody::from_bytes(CONTENT),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transient);
    assert!(e.message.contains("restarted"));
    assert_eq!(fake.uploads.load(Ordering::SeqCst), 1);
    assert_eq!(fake.authorizations.load(Ordering::SeqCst), 2);
    // The next attempt uses the new token without logging in again.
    host.upload(
        &FolderId::Root,
        "a.txt",
        UploadBody::from_bytes(CONTENT),
        no_progress(),
    )
    .await
    .unwrap();
    assert_eq!(fake.authorizations.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn uploads_over_the_plan_limit_are_refused_before_sending() {
    let (fake, host) = fake_host().await;
    let body = UploadBody::new(2 << 30, Box::pin(futures::stream::empty()));
    let e = host
        .upload(&FolderId::Root, "big.iso", body, no_progress())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Quota);
    assert_eq!(fake.uploads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn moves_and_copies_into_the_root_send_null() {
    let (fake, host) = fake_host().await;
    host.move_entry(&EntryRef::file("1161"), &FolderId::Root)
        .await
        .unwrap();
    assert_eq!(fake.last("file/move")["new_parent_folder_id"], "null");
    let copy = host
        .copy_entry(&EntryRef::file("1161"), &FolderId::Root)
        .await
        .unwrap();
    assert_eq!(fake.last("file/copy")["copy_to_folder_id"], "null");
    assert_eq!((copy.id.as_str(), copy.parent), ("1254", FolderId::Root));
    let copy = host
        .copy_entry(&EntryRef::file("1161"), &FolderId::Id("9".into()))
        .await
        .unwrap();
    assert_eq!(copy.parent, FolderId::Id("9".into()));
    let e = host
        .copy_entry(&EntryRef::folder("123"), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
}

#[tokio::test]
async fn downloads_resume_with_ranges() {
    let (_fake, host) = fake_host().await;
    let fetch = |id: &'static str, offset: u64| {
        let host = host.clone();
        async move {
            let mut sink = Vec::new();
            let done = host
                .download(&EntryRef::file(id), offset, &mut sink, no_progress())
                .await
                .unwrap();
            (done.offset, done.total, sink)
        }
    };
    assert_eq!(fetch("1", 0).await, (0, Some(11), CONTENT.to_vec()));
    assert_eq!(fetch("1", 6).await, (6, Some(11), b"world".to_vec()));
    assert_eq!(fetch("1", 11).await, (11, Some(11), Vec::new()));
    // A host that ignores Range starts again from 0.
    assert_eq!(fetch("norange", 6).await, (0, Some(11), CONTENT.to_vec()));
    let e = host
        .open_download(&EntryRef::file("1"), 20)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn odd_replies_are_one_line_errors() {
    let (_fake, host) = fake_host().await;
    let e = host.folder_info("html").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Fatal);
    assert!(e.message.contains("Site maintenance") && !e.message.contains('\n'));
    let e = host.url_upload_status("5").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(
        e.message
            .contains("No endpoint found for: file/url_upload_status")
    );
}

#[tokio::test]
async fn account_info_merges_details_and_plan() {
    let (_fake, host) = fake_host().await;
    let info = host.account_info().await.unwrap();
    assert_eq!(info.username.as_deref(), Some("admin"));
    assert_eq!(info.plan.as_deref(), Some("Premium Account"));
    assert_eq!(info.premium_until.as_deref(), Some("2030-01-01 00:00:00"));
    assert_eq!(info.max_upload_size, Some(1073741824));
    assert_eq!(info.concurrent_uploads, Some(100));
    assert_eq!(info.concurrent_downloads, None);
    assert_eq!(info.storage_limit, None);
    assert_eq!(info.extra["account id"], "158642");
    assert_eq!(info.extra["account type"], "paid user");
    assert!(!format!("{host:?}").contains("token0"));
}

#[test]
fn job_states() {
    let job = |status: &str| UrlUploadJob {
        status: Some(status.into()),
        total_size: Some(5),
        ..UrlUploadJob::default()
    };
    assert_eq!(
        RemoteJobState::from(job("pending")),
        RemoteJobState::Pending
    );
    assert_eq!(
        RemoteJobState::from(job("downloading")),
        RemoteJobState::Running {
            done: None,
            total: Some(5)
        }
    );
    assert!(matches!(
        RemoteJobState::from(job("cancelled")),
        RemoteJobState::Failed(_)
    ));
    let mut done = job("complete");
    done.downloaded_file = Some(UrlUploadedFile {
        file_id: Some("11456".into()),
        ..UrlUploadedFile::default()
    });
    assert_eq!(
        RemoteJobState::from(done),
        RemoteJobState::Done {
            file_id: Some("11456".into())
        }
    );
}
