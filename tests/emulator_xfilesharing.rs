//! The XFileSharing emulator over real HTTP: the envelope (always HTTP 200, statuses as numbers
//! or strings), the HTML 404 for unknown endpoints, `file_0` uploads, URL uploads, ranged direct
//! links, batched `file/info`, paging, string vs int `fld_id`, `"true"` from renames, Latin-1
//! mojibake names, faults, stats and persistence.

mod common;

use std::net::SocketAddr;
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

#[tokio::test]
async fn demo_accounts_are_fixed_and_reach_the_api() {
    let xfs = emulator(true).await;
    let accounts: Vec<_> = xfs
        .handle
        .accounts()
        .into_iter()
        .filter(|a| a.provider == "xfilesharing")
        .collect();
    let account_names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(account_names, ["xfs", "xfs-free"]);
    assert_eq!(accounts[0].secret, PREMIUM_KEY);
    assert_eq!(accounts[1].secret, FREE_KEY);
    for account in &accounts {
        assert_eq!(account.base_url, xfs.api);
        assert_eq!(account.username, None);
        let key = &account.secret;
        assert!((20..=40).contains(&key.len()), "{key}");
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        let root = xfs.get("folder/list", key, &[("fld_id", "0")]).await;
        assert_eq!(
            names(&root["result"]["folders"]),
            ["Documents", "Music", "Photos"]
        );
        assert_eq!(names(&root["result"]["files"]), ["cafÃ©.txt", "readme.txt"]);
    }
}

#[tokio::test]
async fn account_info_and_stats_keep_their_types() {
    let xfs = emulator(true).await;
    let info = xfs.get("account/info", PREMIUM_KEY, &[]).await;
    assert_ok(&info);
    assert_eq!(keys(&info), ["status", "msg", "result", "server_time"]);
    let result = &info["result"];
    assert_eq!(result["email"], "demo@example.com");
    assert_eq!(result["balance"], "0.04900");
    let used: u64 = text(&result["storage_used"]).parse().expect("digits");
    assert!(used > 0);
    assert_eq!(result["storage_left"], "inf");
    assert_eq!(result["premium_expire"], "2099-12-31 23:59:59");

    // The free account: statuses as strings (katfile), a numeric storage_left, and
    // premium_expire at its creation (earlier than server_time).
    let free = xfs.get("account/info", FREE_KEY, &[]).await;
    assert_eq!(free["status"], "200");
    assert_eq!(free["msg"], "OK");
    assert!(free["result"]["storage_left"].is_u64());
    let expire = text(&free["result"]["premium_expire"]);
    assert!(expire < text(&free["server_time"]));

    let empty = emulator(false).await;
    let info = empty.get("account/info", PREMIUM_KEY, &[]).await;
    assert_eq!(info["result"]["storage_used"], Value::Null);

    let week = xfs.get("account/stats", PREMIUM_KEY, &[]).await;
    assert_ok(&week);
    let days = week["result"].as_array().expect("an array");
    assert_eq!(days.len(), 7);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert_eq!(days[6]["day"], today.as_str());
    assert!(days[0]["day"].as_str() < days[1]["day"].as_str());
    for day in days {
        for field in [
            "downloads",
            "sales",
            "profit_sales",
            "profit_refs",
            "profit_site",
            "views",
            "refs",
            "profit_total",
        ] {
            assert!(day[field].is_string(), "{field} in {day}");
        }
    }
    let three = xfs
        .post("account/stats", &[("key", PREMIUM_KEY), ("last", "3")])
        .await;
    assert_eq!(three["result"].as_array().map(Vec::len), Some(3));
    let span = xfs
        .get(
            "account/stats",
            PREMIUM_KEY,
            &[("from_date", "2024-02-27"), ("to_date", "2024-03-01")],
        )
        .await;
    let days: Vec<String> = (span["result"].as_array().unwrap().iter())
        .map(|d| text(&d["day"]))
        .collect();
    assert_eq!(
        days,
        ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]
    );
}

#[tokio::test]
async fn the_key_travels_in_the_query_or_a_form_never_a_header() {
    let xfs = emulator(false).await;
    assert_ok(&xfs.get("account/info", PREMIUM_KEY, &[]).await);
    assert_ok(&xfs.post("account/info", &[("key", PREMIUM_KEY)]).await);
    // A POST form and a query string merge.
    let response = xfs
        .http
        .post(format!("{}/folder/create?key={PREMIUM_KEY}", xfs.api))
        .form(&[("name", "from the form")])
        .send()
        .await
        .unwrap();
    assert_ok(&json_of(response, "merged").await);

    let response = xfs
        .http
        .get(format!("{}/account/info", xfs.api))
        .header("X-Api-Key", PREMIUM_KEY)
        .send()
        .await
        .unwrap();
    assert_error(&json_of(response, "header").await, 400, "Invalid key");
    assert_error(
        &xfs.get("account/info", "wrongkey", &[]).await,
        400,
        "Invalid key",
    );
    let lowered = PREMIUM_KEY.to_uppercase();
    assert_error(
        &xfs.get("file/list", &lowered, &[]).await,
        400,
        "Invalid key",
    );
    let response = xfs
        .http
        .get(format!("{}/account/info", xfs.api))
        .send()
        .await
        .unwrap();
    assert_error(&json_of(response, "no key").await, 400, "Invalid key");
}

#[tokio::test]
async fn unknown_endpoints_get_an_html_404_page() {
    let xfs = emulator(false).await;
    for endpoint in [
        "file/deleted",
        "file/delete",
        "file/remove",
        "folder/delete",
        "folder/move",
        "Account/Info",
        "account/info/",
        "",
        "../s1/cgi-bin/nothing.cgi",
    ] {
        let response = xfs
            .http
            .get(format!("{}/{endpoint}?key={PREMIUM_KEY}", xfs.api))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{endpoint}");
        let kind = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(kind.starts_with("text/html"), "{endpoint}: {kind}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("<h1>Not Found</h1>")
        );
    }
}

#[tokio::test]
async fn file_0_uploads_land_in_the_root_and_move_with_set_folder() {
    let xfs = emulator(false).await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Inbox").await;

    let server = xfs.get("upload/server", PREMIUM_KEY, &[]).await;
    assert_eq!(
        keys(&server),
        ["status", "sess_id", "result", "msg", "server_time"]
    );
    let url = text(&server["result"]);
    assert!(url.starts_with(&xfs.handle.base_url()), "{url}");
    assert!(url.ends_with("/cgi-bin/upload.cgi"), "{url}");
    let (second_session, second_url) = xfs.upload_server(PREMIUM_KEY).await;
    assert_ne!(second_session, text(&server["sess_id"]));
    assert_ne!(second_url, url, "the upload host changes between calls");

    // A `fld_id` field is ignored: uploads always land in the root.
    let content = b"the quick brown fox".repeat(1000);
    let form = Form::new()
        .text("sess_id", text(&server["sess_id"]))
        .text("utype", "prem")
        .text("fld_id", folder.clone())
        .part("file_0", part("fox.txt", &content));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply.as_array().map(Vec::len), Some(1), "{reply}");
    assert_eq!(reply[0]["file_status"], "OK");
    let code = text(&reply[0]["file_code"]);
    assert_eq!(code.len(), 12);
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    assert_eq!(root["result"]["files"][0]["file_code"], code.as_str());
    assert_eq!(root["result"]["files"][0]["fld_id"], 0);

    // The same session takes more uploads, under `file` too; an empty file is undef.
    let form = Form::new()
        .text("sess_id", text(&server["sess_id"]))
        .part("file", part("second.txt", b"2"))
        .part("file_1", part("empty.txt", b""));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply[0]["file_status"], "OK");
    assert_eq!(reply[1]["file_code"], "undef");
    assert_eq!(reply[1]["file_status"], "null filesize or wrong file path");

    // A bad session uploads nothing.
    let form = Form::new()
        .text("sess_id", "nosuchsession")
        .part("file_0", part("stray.txt", b"x"));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply[0]["file_code"], "undef");
    assert_eq!(reply[0]["file_status"], "Unauthorized");
    let all = xfs.get("file/list", PREMIUM_KEY, &[]).await;
    assert_eq!(all["result"]["results_total"], 2);

    let moved = xfs
        .get(
            "file/set_folder",
            PREMIUM_KEY,
            &[("file_code", &code), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&moved);
    assert_eq!(keys(&moved), ["status", "msg", "server_time"]);
    // Idempotent, and silent about files it cannot touch.
    let again = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &again).await);
    let foreign = [("file_code", code.as_str()), ("fld_id", "0")];
    assert_ok(&xfs.get("file/set_folder", FREE_KEY, &foreign).await);
    let unknown = [("file_code", "zzzzzzzzzzzz"), ("fld_id", "0")];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &unknown).await);
    let nowhere = [("file_code", code.as_str()), ("fld_id", "999")];
    assert_error(
        &xfs.get("file/set_folder", PREMIUM_KEY, &nowhere).await,
        403,
        "Your account don't have such folder",
    );
    let inbox = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(names(&inbox["result"]["files"]), ["fox.txt"]);
    assert_eq!(
        inbox["result"]["files"][0]["fld_id"],
        folder.parse::<u64>().unwrap()
    );

    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, content);
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

async fn wait_for_job(xfs: &Xfs, code: &str) -> Value {
    for _ in 0..200 {
        let reply = xfs
            .get("upload/url", PREMIUM_KEY, &[("file_code", code)])
            .await;
        assert_ok(&reply);
        if matches!(reply["result"]["status"].as_str(), Some("OK" | "ERROR")) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("URL upload {code} did not finish");
}

#[tokio::test]
async fn url_uploads_fetch_from_another_server() {
    let content: &'static [u8] = b"fetched by the emulator";
    let source = source_server(content).await;
    let xfs = emulator(false).await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Remote").await;
    let url = format!("http://{source}/files/caf%C3%A9%20remote.txt");
    let added = xfs
        .get(
            "upload/url",
            PREMIUM_KEY,
            &[("url", &url), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&added);
    let code = text(&added["result"]["file_code"]);
    assert_eq!(added["result"]["filecode"], code.as_str());

    let done = wait_for_job(&xfs, &code).await;
    assert_eq!(done["result"]["status"], "OK", "{done}");
    assert_eq!(done["result"]["file_code"], code.as_str());
    let listed = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(listed["result"]["files"][0]["file_code"], code.as_str());
    assert_eq!(listed["result"]["files"][0]["name"], "cafÃ© remote.txt");
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, content);

    let missing = format!("http://{source}/nothing/here");
    let added = xfs
        .get("upload/url", PREMIUM_KEY, &[("url", &missing)])
        .await;
    let failed = text(&added["result"]["file_code"]);
    assert_eq!(
        wait_for_job(&xfs, &failed).await["result"]["status"],
        "ERROR"
    );

    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[]).await,
        400,
        "No url",
    );
    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[("file_code", "zzzzzzzzzzzz")])
            .await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("upload/url", FREE_KEY, &[("file_code", &code)])
            .await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[("url", &url), ("fld_id", "5")])
            .await,
        403,
        "Folder not exist or not yours",
    );
}

#[tokio::test]
async fn direct_links_serve_ranges_or_answer_not_enabled() {
    let xfs = emulator(false).await;
    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let code = xfs.upload(PREMIUM_KEY, "bytes.bin", &content).await;
    let reply = xfs
        .get("file/direct_link", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_ok(&reply);
    assert_eq!(reply["result"]["size"], 10_000);
    let url = text(&reply["result"]["url"]);
    assert!(url.contains("/cgi-bin/dl.cgi/"), "{url}");
    assert!(url.ends_with("/bytes.bin"), "{url}");

    let whole = xfs.http.get(&url).send().await.unwrap();
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), content);
    let part = xfs
        .http
        .get(&url)
        .header(header::RANGE, "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 100-199/10000");
    assert_eq!(part.bytes().await.unwrap().to_vec(), content[100..200]);
    let beyond = xfs
        .http
        .get(&url)
        .header(header::RANGE, "bytes=10000-")
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()[header::CONTENT_RANGE], "bytes */10000");
    let forged = url.replace("/dl.cgi/", "/dl.cgi/x");
    assert_eq!(
        xfs.http.get(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // One download from the start counted; ranged reads are not.
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_eq!(info["result"][0]["downloads"], 1);
    let stats = xfs
        .get("account/stats", PREMIUM_KEY, &[("last", "1")])
        .await;
    assert_eq!(stats["result"][0]["downloads"], "1");

    let unknown = [("file_code", "zzzzzzzzzzzz")];
    assert_error(
        &xfs.get("file/direct_link", PREMIUM_KEY, &unknown).await,
        404,
        "no file",
    );
    let free_code = xfs.upload(FREE_KEY, "free.txt", b"free").await;
    assert_error(
        &xfs.get(
            "file/direct_link",
            PREMIUM_KEY,
            &[("file_code", &free_code)],
        )
        .await,
        404,
        "no file",
    );
    let refused = xfs
        .get("file/direct_link", FREE_KEY, &[("file_code", &free_code)])
        .await;
    assert_eq!(refused["status"], "403");
    assert_eq!(refused["msg"], "Not enabled");
    assert!(refused.get("result").is_none());
}

#[tokio::test]
async fn file_info_batches_codes_and_lists_unknown_ones() {
    let xfs = emulator(false).await;
    let mine = xfs.upload(PREMIUM_KEY, "mine.txt", b"12345").await;
    let theirs = xfs.upload(FREE_KEY, "theirs.txt", b"abc").await;
    let codes = format!("{mine}, zzzzzzzzzzzz,{theirs}");
    let reply = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &codes)])
        .await;
    assert_ok(&reply);
    let items = reply["result"].as_array().expect("an array");
    assert_eq!(items.len(), 3);
    assert_eq!(
        keys(&items[0]),
        [
            "filecode",
            "name",
            "status",
            "size",
            "uploaded",
            "downloads"
        ]
    );
    assert_eq!(items[0]["filecode"], mine.as_str());
    assert_eq!(items[0]["status"], 200);
    assert_eq!(items[0]["size"], 5);
    assert_timestamp(&items[0]["uploaded"]);
    assert_eq!(keys(&items[1]), ["filecode", "status"]);
    assert_eq!(items[1]["filecode"], "zzzzzzzzzzzz");
    assert_eq!(items[1]["status"], 404);
    // Not account-scoped: another account's file is described too.
    assert_eq!(items[2]["name"], "theirs.txt");

    let many = vec![mine.as_str(); 60].join(",");
    let reply = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &many)])
        .await;
    assert_eq!(reply["result"].as_array().map(Vec::len), Some(50));
}

#[tokio::test]
async fn file_list_pages_and_reads_fld_id_0_as_the_whole_account() {
    let xfs = emulator(false).await;
    // 1,200 files from one multipart request: one answer per file part.
    let mut form = Form::new();
    for n in 0..1200 {
        form = form.part(format!("file_{n}"), part(&format!("f{n:04}.txt"), b"x"));
    }
    let reply = xfs.upload_form(PREMIUM_KEY, form).await;
    let answers = reply.as_array().expect("an array");
    assert_eq!(answers.len(), 1200);
    assert!(answers.iter().all(|a| a["file_status"] == "OK"));

    let mut codes = std::collections::BTreeSet::new();
    for page in 1..=3 {
        let page_text = page.to_string();
        let reply = xfs
            .get(
                "file/list",
                PREMIUM_KEY,
                &[("page", &page_text), ("per_page", "500")],
            )
            .await;
        assert_ok(&reply);
        let result = &reply["result"];
        assert_eq!(result["results_total"], 1200);
        let files = result["files"].as_array().unwrap();
        assert_eq!(result["results"], files.len());
        assert_eq!(files.len(), if page < 3 { 500 } else { 200 });
        codes.extend(files.iter().map(|f| text(&f["file_code"])));
    }
    assert_eq!(codes.len(), 1200);
    let beyond = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("page", "4"), ("per_page", "500")],
        )
        .await;
    assert_eq!(beyond["result"]["files"], serde_json::json!([]));

    let entry = &xfs.get("file/list", PREMIUM_KEY, &[]).await["result"]["files"][0];
    assert_eq!(
        keys(entry),
        [
            "name",
            "file_code",
            "downloads",
            "thumbnail",
            "public",
            "size",
            "link",
            "fld_id",
            "uploaded"
        ]
    );
    let code = text(&entry["file_code"]);
    assert_eq!(
        entry["link"],
        format!("{}/xfilesharing/{code}", xfs.handle.base_url()).as_str()
    );
    let page = xfs.http.get(text(&entry["link"])).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Move one file away: fld_id=0 still lists everything; folder/list fld_id=0 only the
    // root, all at once whatever the paging parameters say.
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Away").await;
    let moved = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &moved).await);
    let whole = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("fld_id", "0"), ("per_page", "1")],
        )
        .await;
    assert_eq!(whole["result"]["results_total"], 1200);
    let away = xfs
        .get("file/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(away["result"]["results_total"], 1);
    let root = xfs
        .get(
            "folder/list",
            PREMIUM_KEY,
            &[("fld_id", "0"), ("page", "2"), ("per_page", "10")],
        )
        .await;
    assert_eq!(root["result"]["files"].as_array().map(Vec::len), Some(1199));

    let named = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("name", "F119"), ("per_page", "100")],
        )
        .await;
    assert_eq!(named["result"]["results_total"], 10);
}

#[tokio::test]
async fn folder_ids_are_strings_from_create_and_numbers_in_listings() {
    let xfs = emulator(false).await;
    let created = xfs
        .get(
            "folder/create",
            PREMIUM_KEY,
            &[("parent_id", "0"), ("name", "Work")],
        )
        .await;
    assert_ok(&created);
    let work = text(&created["result"]["fld_id"]);
    let work_id: u64 = work.parse().expect("digits");
    let inner = xfs.create_folder(PREMIUM_KEY, &work, "Inner").await;
    // Not idempotent, and case-sensitive.
    let twin = xfs.create_folder(PREMIUM_KEY, "0", "Work").await;
    assert_ne!(twin, work);
    xfs.create_folder(PREMIUM_KEY, "0", "work").await;

    let root = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", "0")])
        .await;
    let folders = &root["result"]["folders"];
    assert_eq!(names(folders), ["Work", "Work", "work"]);
    assert_eq!(folders[0]["fld_id"], work_id);
    assert!(folders[0]["fld_id"].is_u64());
    assert_eq!(folders[0]["code"], Value::Null);
    let listing = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &work)])
        .await;
    assert_eq!(
        listing["result"]["folders"][0]["fld_id"],
        inner.parse::<u64>().unwrap()
    );

    assert_error(
        &xfs.get("folder/create", PREMIUM_KEY, &[("parent_id", "0")])
            .await,
        400,
        "No name",
    );
    for (key, parent) in [(PREMIUM_KEY, "424242"), (FREE_KEY, work.as_str())] {
        assert_error(
            &xfs.get(
                "folder/create",
                key,
                &[("parent_id", parent), ("name", "x")],
            )
            .await,
            403,
            "Folder not exist or not yours",
        );
        assert_error(
            &xfs.get("folder/list", key, &[("fld_id", parent)]).await,
            403,
            "Folder not exist or not yours",
        );
    }
}

#[tokio::test]
async fn renames_answer_the_string_true() {
    let xfs = emulator(false).await;
    let code = xfs.upload(PREMIUM_KEY, "draft.txt", b"text").await;
    let renamed = xfs
        .get(
            "file/rename",
            PREMIUM_KEY,
            &[("file_code", &code), ("name", "final.txt")],
        )
        .await;
    assert_ok(&renamed);
    assert_eq!(renamed["result"], "true");
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_eq!(info["result"][0]["name"], "final.txt");

    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Old").await;
    let renamed = xfs
        .post(
            "folder/rename",
            &[("key", PREMIUM_KEY), ("fld_id", &folder), ("name", "New")],
        )
        .await;
    assert_ok(&renamed);
    assert_eq!(renamed["result"], "true");
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    assert_eq!(names(&root["result"]["folders"]), ["New"]);

    let foreign = [("file_code", code.as_str()), ("name", "x")];
    assert_error(
        &xfs.get("file/rename", FREE_KEY, &foreign).await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("file/rename", PREMIUM_KEY, &[("file_code", &code)])
            .await,
        400,
        "No name",
    );
    assert_error(
        &xfs.get(
            "folder/rename",
            FREE_KEY,
            &[("fld_id", &folder), ("name", "x")],
        )
        .await,
        403,
        "Folder not exist or not yours",
    );
}

#[tokio::test]
async fn names_come_back_as_latin1_mojibake() {
    let xfs = emulator(true).await;
    let list = xfs.get("file/list", PREMIUM_KEY, &[("name", "caf")]).await;
    let cafe = &list["result"]["files"][0];
    assert_eq!(cafe["name"], "cafÃ©.txt");
    let code = text(&cafe["file_code"]);
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert!(link.ends_with("/caf%C3%A9.txt"), "{link}");
    let download = xfs.http.get(&link).send().await.unwrap();
    let disposition = download.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("UTF-8''caf%C3%A9.txt"),
        "{disposition}"
    );

    let uploaded = xfs.upload(PREMIUM_KEY, "相片.jpg", b"jpeg").await;
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "ç\u{9b}¸ç\u{89}\u{87}.jpg");

    let quoted = [("file_code", uploaded.as_str()), ("name", "say \"hi\"/now")];
    assert_ok(&xfs.get("file/rename", PREMIUM_KEY, &quoted).await);
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "say &quote;hi&quote;/now");

    let long = "n".repeat(200);
    let renamed = [("file_code", uploaded.as_str()), ("name", long.as_str())];
    assert_ok(&xfs.get("file/rename", PREMIUM_KEY, &renamed).await);
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "n".repeat(128).as_str());

    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Été").await;
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    let folders = root["result"]["folders"].as_array().unwrap();
    let made = folders
        .iter()
        .find(|f| f["fld_id"] == folder.parse::<u64>().unwrap())
        .unwrap();
    assert_eq!(made["name"], "Ã\u{89}tÃ©");
}

#[tokio::test]
async fn clone_copies_any_file_into_the_callers_account() {
    let xfs = emulator(false).await;
    let theirs = xfs.upload(FREE_KEY, "shared.bin", b"shared bytes").await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Clones").await;
    let cloned = xfs
        .get(
            "file/clone",
            PREMIUM_KEY,
            &[("file_code", &theirs), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&cloned);
    assert_eq!(keys(&cloned["result"]), ["url", "filecode"]);
    let copy = text(&cloned["result"]["filecode"]);
    assert_ne!(copy, theirs);
    assert_eq!(
        cloned["result"]["url"],
        format!("{}/xfilesharing/{copy}", xfs.handle.base_url()).as_str()
    );
    let inside = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(inside["result"]["files"][0]["file_code"], copy.as_str());
    let link = xfs.direct_link(PREMIUM_KEY, &copy).await;
    assert_eq!(xfs.fetch(&link).await, b"shared bytes");
    assert_error(
        &xfs.get("file/clone", PREMIUM_KEY, &[("file_code", "zzzzzzzzzzzz")])
            .await,
        404,
        "no file",
    );
}

#[tokio::test]
async fn deleted_files_and_link_checks() {
    let xfs = emulator(true).await;
    let deleted = xfs
        .get("files/deleted", PREMIUM_KEY, &[("last", "20")])
        .await;
    assert_ok(&deleted);
    let item = &deleted["result"][0];
    assert_eq!(
        keys(item),
        ["deleted_ago_sec", "deleted", "file_code", "name"]
    );
    assert!(item["deleted_ago_sec"].as_i64().unwrap() >= 3600);
    assert_timestamp(&item["deleted"]);
    assert_eq!(item["name"], "old-draft.txt");
    let dmca = xfs.get("files/dmca", PREMIUM_KEY, &[]).await;
    assert_eq!(dmca["result"], serde_json::json!([]));

    let code = xfs.upload(PREMIUM_KEY, "checked.txt", b"1234").await;
    let known = format!("{}/xfilesharing/{code}", xfs.handle.base_url());
    let unknown = format!("{}/xfilesharing/zzzzzzzzzzzz", xfs.handle.base_url());
    let checked = xfs
        .post(
            "files/check",
            &[("key", PREMIUM_KEY), ("url_0", &known), ("url_1", &unknown)],
        )
        .await;
    assert_ok(&checked);
    assert_eq!(checked["result"][known.as_str()]["found"], true);
    assert_eq!(checked["result"][known.as_str()]["file_size"], 4);
    assert_eq!(checked["result"][unknown.as_str()]["found"], false);
}

#[tokio::test]
async fn faults_and_stats_cover_the_site() {
    let xfs = emulator(false).await;
    let code = xfs.upload(PREMIUM_KEY, "counted.txt", b"count me").await;
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    xfs.fetch(&link).await;
    let stats = xfs.handle.stats();
    let by_route = &stats["by_route"];
    for route in [
        "xfilesharing/upload/server",
        "xfilesharing/upload.cgi",
        "xfilesharing/file/direct_link",
        "xfilesharing/dl.cgi",
    ] {
        assert_eq!(by_route[route], 1, "{route}: {stats}");
    }

    xfs.handle.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(3),
        ..Faults::default()
    });
    let response = xfs
        .http
        .get(format!("{}/account/info?key={PREMIUM_KEY}", xfs.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    xfs.handle.set_faults(Faults {
        cut_body_after: Some(3),
        ..Faults::default()
    });
    let cut = xfs.http.get(&link).send().await.unwrap().bytes().await;
    assert!(cut.is_err(), "the body is cut short");
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let xfs = emulator(true).await;
    let code = xfs.upload(PREMIUM_KEY, "kept.txt", b"still here").await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Kept").await;
    let moved = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &moved).await);
    let before = xfs
        .get("file/list", PREMIUM_KEY, &[("per_page", "100")])
        .await;
    let Xfs { handle, data, .. } = xfs;
    handle.shutdown().await;

    let handle = start_in(data.path(), true).await;
    let xfs = Xfs {
        api: format!("{}/xfilesharing/api", handle.base_url()),
        handle,
        http: reqwest::Client::new(),
        data,
    };
    let after = xfs
        .get("file/list", PREMIUM_KEY, &[("per_page", "100")])
        .await;
    // Everything but the links, which carry the new port.
    let facts = |reply: &Value| -> Vec<String> {
        let files = reply["result"]["files"].as_array().unwrap();
        (files.iter())
            .map(|f| {
                let fields = ["file_code", "name", "size", "fld_id", "uploaded", "public"];
                fields.map(|field| f[field].to_string()).join(" ")
            })
            .collect()
    };
    assert_eq!(facts(&after), facts(&before));
    assert_eq!(after["result"]["results_total"], 10);
    let inside = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(names(&inside["result"]["files"]), ["kept.txt"]);
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, b"still here");
    // New ids continue after the old ones.
    let next = xfs.create_folder(PREMIUM_KEY, "0", "Next").await;
    assert!(next.parse::<u64>().unwrap() > folder.parse::<u64>().unwrap());
}
