//! XFileSharing end to end over real HTTP: the provider against the in-process emulator, every
//! endpoint it uses and their error paths, bytes up and down, mojibake names, `fld_id=0`,
//! copy = clone, move = set_folder, and what the API cannot do.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::StreamExt;
use haul::emulator::EmulatorHandle;
use haul::emulator::xfilesharing::PREMIUM_KEY;
use haul::provider::xfilesharing::{StorageLeft, XFileSharing};
use haul::provider::{
    Entry, EntryKind, EntryRef, ErrorKind, FolderId, Provider, ProviderError, RemoteJobState,
    UploadBody, no_progress,
};
use serde_json::Value;

struct Env {
    server: EmulatorHandle,
    _data: tempfile::TempDir,
}

async fn env(seed_demo: bool) -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), seed_demo))
        .await
        .unwrap();
    Env {
        server,
        _data: data,
    }
}

impl Env {
    fn client(&self, account: &str) -> XFileSharing {
        let acc = common::account(&self.server, account);
        XFileSharing::new(&acc.base_url, &acc.secret).unwrap()
    }

    fn api(&self) -> String {
        common::account(&self.server, "xfs").base_url
    }

    /// Requests the emulator has seen on one XFS route (`file/list`, `upload.cgi`, ...).
    fn calls(&self, route: &str) -> u64 {
        self.server.stats()["by_route"][format!("xfilesharing/{route}")]
            .as_u64()
            .unwrap_or(0)
    }

    /// A raw GET of the API, bypassing haul's client, to see the wire as it is.
    async fn raw(&self, endpoint: &str, params: &[(&str, &str)]) -> Value {
        let mut query = vec![("key", PREMIUM_KEY)];
        query.extend_from_slice(params);
        reqwest::Client::new()
            .get(format!("{}/{endpoint}", self.api()))
            .query(&query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Many files in one `upload.cgi` request (parts `file_0`, `file_1`, ...), as XFS's own
    /// browser uploader sends them: the cheap way to fill an account. Returns their codes.
    async fn raw_upload_many(&self, files: &[(String, Vec<u8>)]) -> Vec<String> {
        let server = self.raw("upload/server", &[]).await;
        let url = server["result"].as_str().unwrap().to_string();
        let mut form = reqwest::multipart::Form::new()
            .text("sess_id", server["sess_id"].as_str().unwrap().to_string())
            .text("utype", "prem");
        for (n, (name, bytes)) in files.iter().enumerate() {
            form = form.part(
                format!("file_{n}"),
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.clone()),
            );
        }
        let reply: Value = reqwest::Client::new()
            .post(url)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = reply.as_array().expect("upload.cgi answers an array");
        assert_eq!(items.len(), files.len(), "{reply}");
        items
            .iter()
            .map(|item| {
                assert_eq!(item["file_status"], "OK", "{item}");
                item["file_code"].as_str().unwrap().to_string()
            })
            .collect()
    }
}

async fn upload(p: &XFileSharing, folder: &FolderId, name: &str, data: &[u8]) -> Entry {
    p.upload(
        folder,
        name,
        UploadBody::from_bytes(data.to_vec()),
        no_progress(),
    )
    .await
    .unwrap_or_else(|e| panic!("upload {name}: {e}"))
}

async fn download_from(p: &XFileSharing, file: &EntryRef, offset: u64) -> (u64, Vec<u8>) {
    let mut dl = p.open_download(file, offset).await.unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        got.extend_from_slice(&chunk.unwrap());
    }
    (dl.offset, got)
}

async fn download(p: &XFileSharing, file: &EntryRef) -> Vec<u8> {
    download_from(p, file, 0).await.1
}

fn names(entries: &[Entry]) -> Vec<&str> {
    let mut names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    names
}

/// The error of a call whose success is not `Debug` (a download stream).
fn failure<T>(result: haul::provider::Result<T>) -> ProviderError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn one_line(e: &ProviderError) {
    assert!(
        !e.message.is_empty() && !e.message.contains('\n'),
        "one line: {e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_info_and_stats_read_both_accounts() {
    let e = env(true).await;
    let premium = e.client("xfs");
    let details = premium.account_info_raw().await.unwrap();
    assert_eq!(details.email.as_deref(), Some("demo@example.com"));
    assert_eq!(details.storage_left, Some(StorageLeft::Unlimited));
    assert!(details.storage_used.is_some_and(|u| u > 0), "{details:?}");
    assert!(details.server_time.is_some());
    assert_eq!(details.is_premium(), Some(true));
    let days = premium.account_stats().await.unwrap();
    assert_eq!(days.len(), 7, "the site's default week");
    assert!(
        days.iter()
            .all(|d| d.day.is_some() && d.downloads.is_some())
    );

    // A download from the start is counted in today's stats.
    let root = premium.list(&FolderId::Root).await.unwrap();
    let file = root.iter().find(|f| f.kind == EntryKind::File).unwrap();
    download(&premium, &file.as_ref()).await;
    let info = premium.account_info().await.unwrap();
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(info.premium_until.as_deref(), Some("2099-12-31 23:59:59"));
    assert_eq!(info.email.as_deref(), Some("demo@example.com"));
    assert_eq!(info.storage_limit, None, "unlimited storage has no limit");
    assert_eq!(info.extra["storage left"], "unlimited");
    assert_eq!(info.extra["balance"], "0.04900");
    assert_eq!(info.extra["downloads (7 days)"], "1");

    // The free account writes its statuses as strings; premium_expire is its creation date.
    let free = e.client("xfs-free").account_info().await.unwrap();
    assert_eq!(free.plan.as_deref(), Some("free"));
    assert_eq!(free.premium_until, None, "a creation date is not an expiry");
    assert_eq!(free.storage_limit, Some(10 * 1024 * 1024 * 1024));
    assert!(e.calls("account/stats") >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_to_a_fresh_session_as_file_0_then_set_folder() {
    let e = env(false).await;
    let p = e.client("xfs");
    let a = p.upload_server().await.unwrap();
    let b = p.upload_server().await.unwrap();
    assert_ne!(a.sess_id, b.sess_id, "a new session per call");
    assert!(a.url.ends_with("/cgi-bin/upload.cgi"), "{a:?}");
    assert_ne!(a.url, b.url, "the upload host changes between calls");

    let inbox = p.create_folder(&FolderId::Root, "Inbox").await.unwrap();
    assert!(inbox.id.bytes().all(|b| b.is_ascii_digit()), "{inbox:?}");
    let (servers, cgi, moves) = (
        e.calls("upload/server"),
        e.calls("upload.cgi"),
        e.calls("file/set_folder"),
    );
    let one = upload(&p, &inbox.folder_id(), "one.bin", b"x").await;
    assert_eq!(one.parent, inbox.folder_id());
    assert_eq!(one.size, Some(1));
    assert_eq!(e.calls("upload/server"), servers + 1);
    assert_eq!(e.calls("upload.cgi"), cgi + 1, "one POST to upload.cgi");
    assert_eq!(e.calls("file/set_folder"), moves + 1, "then moved");

    // The wire agrees: the file sits in the folder, not in the root.
    let listed = e.raw("folder/list", &[("fld_id", &inbox.id)]).await;
    assert_eq!(listed["result"]["files"][0]["file_code"], one.id.as_str());
    assert_eq!(
        names(&p.list(&inbox.folder_id()).await.unwrap()),
        ["one.bin"]
    );
    assert!(
        p.list(&FolderId::Root)
            .await
            .unwrap()
            .iter()
            .all(|x| x.id != one.id)
    );
    let stat = p.stat(&one.as_ref()).await.unwrap();
    assert_eq!((stat.parent, stat.size), (inbox.folder_id(), Some(1)));
    assert_eq!(download(&p, &one.as_ref()).await, b"x");

    // Into a folder that does not exist: refused before anything is sent.
    let cgi = e.calls("upload.cgi");
    let err = p
        .upload(
            &FolderId::Id("999999".into()),
            "lost.bin",
            UploadBody::from_bytes(&b"lost"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(e.calls("upload.cgi"), cgi);

    // An empty file: the site's own words.
    let err = p
        .upload(
            &FolderId::Root,
            "empty.txt",
            UploadBody::from_bytes(Vec::new()),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("null filesize"), "{err}");
    one_line(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_survive_the_round_trip() {
    let e = env(false).await;
    let p = e.client("xfs");
    let big = common::pattern(3 * 1024 * 1024 + 17, 21);
    let tiny = upload(&p, &FolderId::Root, "tiny.bin", b"\0").await;
    let large = upload(&p, &FolderId::Root, "large.bin", &big).await;
    assert_eq!(large.size, Some(big.len() as u64));
    assert_eq!(download(&p, &tiny.as_ref()).await, b"\0");
    assert_eq!(download(&p, &large.as_ref()).await, big);
    let listed = p.list(&FolderId::Root).await.unwrap();
    let sizes: Vec<_> = listed.iter().map(|f| (f.name.as_str(), f.size)).collect();
    assert!(
        sizes.contains(&("large.bin", Some(big.len() as u64))),
        "{sizes:?}"
    );
    assert!(sizes.contains(&("tiny.bin", Some(1))), "{sizes:?}");
}

async fn source_server(path: &'static str, body: Vec<u8>) -> String {
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let body = body.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn wait_for(p: &XFileSharing, job: &str) -> RemoteJobState {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = p.remote_upload_status(job).await.unwrap();
        match state {
            RemoteJobState::Done { .. } | RemoteJobState::Failed(_) => return state,
            _ if Instant::now() > deadline => panic!("remote upload stuck: {state:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_uploads_are_fetched_into_a_folder_and_followed() {
    let payload = common::pattern(300_000, 9);
    let source = source_server("/files/remote.bin", payload.clone()).await;
    let e = env(false).await;
    let p = e.client("xfs");
    assert!(p.capabilities().remote_url_upload);
    let dir = p.create_folder(&FolderId::Root, "Fetched").await.unwrap();
    let job = p
        .remote_upload(&format!("{source}/files/remote.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert_eq!(job.len(), 12, "the job is the file's code: {job}");
    match wait_for(&p, &job).await {
        RemoteJobState::Done { file_id } => assert_eq!(file_id.as_deref(), Some(job.as_str())),
        other => panic!("remote upload failed: {other:?}"),
    }
    let listed = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(names(&listed), ["remote.bin"]);
    assert_eq!(listed[0].size, Some(payload.len() as u64));
    assert_eq!(download(&p, &EntryRef::file(&job)).await, payload);
    let raw = p.upload_url_status(&job).await.unwrap();
    assert_eq!(raw.state.as_deref(), Some("OK"));

    // A source that answers 404: the job fails, and says so.
    let job = p
        .remote_upload(&format!("{source}/missing.bin"), &FolderId::Root)
        .await
        .unwrap();
    assert!(matches!(
        wait_for(&p, &job).await,
        RemoteJobState::Failed(_)
    ));

    // Not a URL, an unknown job, a folder that is not there.
    let err = p
        .remote_upload("not a url", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    let err = p.remote_upload_status("zzzzzzzzzzzz").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p
        .remote_upload(
            &format!("{source}/files/remote.bin"),
            &FolderId::Id("999999".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    one_line(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_links_resume_with_ranges_and_free_accounts_are_told_why() {
    let e = env(false).await;
    let p = e.client("xfs");
    let data = common::pattern(1024 * 1024 + 3, 4);
    let f = upload(&p, &FolderId::Root, "ranged.bin", &data).await;
    let link = p.direct_link(&f.id).await.unwrap();
    assert_eq!(link.size, Some(data.len() as u64));
    assert!(
        link.url
            .as_deref()
            .is_some_and(|u| u.contains("/cgi-bin/dl.cgi/"))
    );
    let url = p.direct_url(&f.as_ref()).await.unwrap();
    assert!(url.is_some(), "a premium account has direct links");

    let (offset, tail) = download_from(&p, &f.as_ref(), 700_001).await;
    assert_eq!(offset, 700_001);
    assert_eq!(tail, &data[700_001..]);
    let at_end = p
        .open_download(&f.as_ref(), data.len() as u64)
        .await
        .unwrap();
    assert_eq!(at_end.offset, data.len() as u64);
    let err = failure(p.open_download(&f.as_ref(), data.len() as u64 + 10).await);
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");

    let err = p.direct_link("zzzzzzzzzzzz").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("no file"), "{err}");

    // The free account has no direct-link traffic: "Not enabled", explained.
    let free = e.client("xfs-free");
    let mine = upload(&free, &FolderId::Root, "free.txt", b"free bytes").await;
    let err = failure(free.open_download(&mine.as_ref(), 0).await);
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("Not enabled"), "{err}");
    assert!(err.message.contains("premium"), "{err}");
    one_line(&err);
    assert_eq!(free.direct_url(&mine.as_ref()).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_info_asks_fifty_codes_at_a_time_and_lists_unknown_ones() {
    let e = env(false).await;
    let p = e.client("xfs");
    let files: Vec<(String, Vec<u8>)> = (0..70)
        .map(|n| (format!("info-{n:02}.bin"), vec![b'i'; n + 1]))
        .collect();
    let codes = e.raw_upload_many(&files).await;
    let unknown = ["zzzzzzzzzzz1", "zzzzzzzzzzz2", "zzzzzzzzzzz3"];
    let mut asked: Vec<&str> = codes.iter().map(String::as_str).collect();
    asked.extend(unknown);
    let before = e.calls("file/info");
    let infos = p.file_info(&asked).await.unwrap();
    assert_eq!(e.calls("file/info"), before + 2, "73 codes in two calls");
    assert_eq!(infos.len(), 73, "every code answered");
    for (n, code) in codes.iter().enumerate() {
        let info = infos.iter().find(|i| &i.code == code).unwrap();
        assert!(info.found);
        assert_eq!(info.name.as_deref(), Some(files[n].0.as_str()));
        assert_eq!(info.size, Some(n as u64 + 1));
    }
    for code in unknown {
        let info = infos.iter().find(|i| i.code == code).unwrap();
        assert!(!info.found, "{info:?}");
    }
    let err = p.stat(&EntryRef::file(unknown[0])).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_info(&["a,b"]).await.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidInput,
        "a comma is not one code: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_list_pages_through_1200_files() {
    let e = env(false).await;
    let p = e.client("xfs");
    let many = p.create_folder(&FolderId::Root, "many").await.unwrap();
    let mut codes = Vec::new();
    for batch in 0..12 {
        let files: Vec<(String, Vec<u8>)> = (0..100)
            .map(|n| {
                let n = batch * 100 + n;
                (format!("f{n:04}.txt"), n.to_string().into_bytes())
            })
            .collect();
        codes.extend(e.raw_upload_many(&files).await);
    }
    let moved: Vec<Value> = futures::stream::iter(codes.iter())
        .map(|code| async {
            e.raw(
                "file/set_folder",
                &[("file_code", code), ("fld_id", &many.id)],
            )
            .await
        })
        .buffer_unordered(8)
        .collect()
        .await;
    assert!(moved.iter().all(|m| m["status"] == 200));
    upload(&p, &FolderId::Root, "loose.txt", b"loose").await;

    let pages = e.calls("file/list");
    let listed = p.list(&many.folder_id()).await.unwrap();
    assert_eq!(
        e.calls("file/list") - pages,
        12,
        "1,200 files at 100 a page"
    );
    assert_eq!(listed.len(), 1200);
    let ids: HashSet<&str> = listed.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), 1200, "no file twice");
    assert!(listed.iter().all(|f| f.parent == many.folder_id()));
    let f0777 = listed.iter().find(|f| f.name == "f0777.txt").unwrap();
    assert_eq!(f0777.size, Some(3));

    // fld_id=0 in file/list is the whole account; the root listing is only the root.
    let page = p.file_list(None, 1).await.unwrap();
    assert_eq!(page.results_total, Some(1201));
    let root = p.list(&FolderId::Root).await.unwrap();
    assert_eq!(names(&root), ["loose.txt", "many"]);
    assert_eq!(
        p.file_list(Some(&many.id), 13).await.unwrap().files.len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_and_folders_answer_as_the_notes_say() {
    let e = env(false).await;
    let p = e.client("xfs");
    // folder/create gives a string id, folder/list numbers: both read as the same id.
    let raw = e
        .raw("folder/create", &[("parent_id", "0"), ("name", "Raw")])
        .await;
    assert!(raw["result"]["fld_id"].is_string(), "{raw}");
    let alpha = p.folder_create(&FolderId::Root, "Alpha").await.unwrap();
    let twin = p.folder_create(&FolderId::Root, "Alpha").await.unwrap();
    assert_ne!(alpha, twin, "not idempotent: duplicates are allowed");
    let inner = p
        .create_folder(&FolderId::Id(alpha.clone()), "Inner")
        .await
        .unwrap();
    let listing = p.folder_list(&FolderId::Root).await.unwrap();
    let mut folder_names: Vec<&str> = listing.folders.iter().map(|f| f.name.as_str()).collect();
    folder_names.sort_unstable();
    assert_eq!(folder_names, ["Alpha", "Alpha", "Raw"]);
    assert!(listing.folders.iter().any(|f| f.fld_id == alpha));
    let inside = p.folder_list(&FolderId::Id(alpha.clone())).await.unwrap();
    assert_eq!(inside.folders.len(), 1);
    assert_eq!(inside.folders[0].fld_id, inner.id);

    // Renames answer "true".
    p.folder_rename(&twin, "Beta").await.unwrap();
    p.rename(&EntryRef::folder(inner.id.clone()), "Renamed inner")
        .await
        .unwrap();
    let f = upload(&p, &FolderId::Id(alpha.clone()), "draft.txt", b"draft").await;
    p.file_rename(&f.id, "final.txt").await.unwrap();
    let stat = p.stat(&EntryRef::folder(inner.id.clone())).await.unwrap();
    assert_eq!(
        (stat.name.as_str(), stat.parent),
        ("Renamed inner", FolderId::Id(alpha.clone()))
    );
    assert_eq!(
        names(&p.list(&FolderId::Id(alpha.clone())).await.unwrap()),
        ["Renamed inner", "final.txt"]
    );
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        ["Alpha", "Beta", "Raw"]
    );

    // Error paths, each with the site's words and the right kind.
    let nowhere = FolderId::Id("999999".into());
    let err = p.list(&nowhere).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(
        err.message.contains("Folder not exist or not yours"),
        "{err}"
    );
    let err = p.create_folder(&nowhere, "x").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_set_folder(&f.id, &nowhere).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("don't have such folder"), "{err}");
    let err = p.folder_rename("999999", "y").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.file_rename("zzzzzzzzzzzz", "y").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = p.stat(&EntryRef::folder("999999")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    for bad in ["", "  ", "a/b", "line\nbreak"] {
        let err = p.create_folder(&FolderId::Root, bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
    // set_folder says OK to a code that is not the account's; the provider's move checks.
    p.file_set_folder("zzzzzzzzzzzz", &FolderId::Root)
        .await
        .expect("the site's silent OK");
    let err = p
        .move_entry(&EntryRef::file("zzzzzzzzzzzz"), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_is_clone_move_is_set_folder_and_the_rest_is_refused() {
    let e = env(false).await;
    let p = e.client("xfs");
    let d = p.create_folder(&FolderId::Root, "D").await.unwrap();
    let d2 = p.create_folder(&FolderId::Root, "D2").await.unwrap();
    let data = common::pattern(50_000, 8);
    let f = upload(&p, &FolderId::Root, "orig.bin", &data).await;

    let clones = e.calls("file/clone");
    let copy = p.copy_entry(&f.as_ref(), &d.folder_id()).await.unwrap();
    assert_eq!(e.calls("file/clone"), clones + 1, "copied by file/clone");
    assert_ne!(copy.id, f.id);
    assert_eq!(
        (copy.name.as_str(), copy.parent.clone(), copy.size),
        ("orig.bin", d.folder_id(), Some(50_000))
    );
    assert_eq!(names(&p.list(&d.folder_id()).await.unwrap()), ["orig.bin"]);
    assert_eq!(download(&p, &copy.as_ref()).await, data);
    let root_copy = p.copy_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(root_copy.parent, FolderId::Root);

    let moves = e.calls("file/set_folder");
    p.move_entry(&f.as_ref(), &d2.folder_id()).await.unwrap();
    assert_eq!(
        e.calls("file/set_folder"),
        moves + 1,
        "moved by file/set_folder"
    );
    assert_eq!(names(&p.list(&d2.folder_id()).await.unwrap()), ["orig.bin"]);
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        ["D", "D2", "orig.bin"],
        "only the root copy is left in the root"
    );
    p.move_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().parent, FolderId::Root);

    // What the API has no endpoint for: said in words, nothing changed.
    let caps = p.capabilities();
    assert!(caps.server_side_copy && caps.move_files);
    assert!(!caps.delete && !caps.move_folders);
    let err = p
        .move_entry(&d.as_ref(), &d2.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("cannot move folders"), "{err}");
    let err = p
        .copy_entry(&d.as_ref(), &d2.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("cannot copy folders"), "{err}");
    for entry in [f.as_ref(), d.as_ref()] {
        let err = p.delete(&entry).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
        assert!(err.message.contains("has no delete"), "{err}");
        one_line(&err);
    }
    assert_eq!(p.stat(&d.as_ref()).await.unwrap().parent, FolderId::Root);
    assert_eq!(download(&p, &f.as_ref()).await, data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mojibake_names_are_decoded() {
    let e = env(true).await;
    let p = e.client("xfs");
    // On the wire the seeded root file is Latin-1 mojibake ...
    let raw = e.raw("folder/list", &[("fld_id", "0")]).await;
    let raw_names: Vec<&str> = raw["result"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(raw_names.contains(&"cafÃ©.txt"), "{raw_names:?}");
    // ... and haul shows it as it was named.
    let root = p.list(&FolderId::Root).await.unwrap();
    let cafe = root.iter().find(|f| f.name == "café.txt").expect("decoded");
    assert!(
        root.iter().all(|f| !f.name.contains('Ã')),
        "{:?}",
        names(&root)
    );
    assert_eq!(p.stat(&cafe.as_ref()).await.unwrap().name, "café.txt");
    assert!(
        String::from_utf8(download(&p, &cafe.as_ref()).await)
            .unwrap()
            .contains("not ASCII")
    );

    // Names haul sends come back the same way, in every listing.
    let dir = p.create_folder(&FolderId::Root, "Über 相片").await.unwrap();
    let f = upload(&p, &dir.folder_id(), "naïve 相片 \"q\".txt", b"utf8").await;
    assert_eq!(f.name, "naïve 相片 \"q\".txt");
    let inside = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(names(&inside), ["naïve 相片 \"q\".txt"]);
    assert!(names(&p.list(&FolderId::Root).await.unwrap()).contains(&"Über 相片"));
    let info = p.file_info(&[&f.id]).await.unwrap();
    assert_eq!(info[0].name.as_deref(), Some("naïve 相片 \"q\".txt"));
    p.rename(&f.as_ref(), "ñ.txt").await.unwrap();
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().name, "ñ.txt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_root_listing_is_the_root_not_the_whole_account() {
    let e = env(true).await;
    let p = e.client("xfs");
    let root = p.list(&FolderId::Root).await.unwrap();
    let root_files: Vec<&Entry> = root.iter().filter(|x| x.kind == EntryKind::File).collect();
    let whole = p.file_list(None, 1).await.unwrap();
    let total = whole.results_total.unwrap();
    assert!(
        total > root_files.len() as u64,
        "fld_id=0 in file/list counts every file ({total}), the root has {}",
        root_files.len()
    );
    assert!(root.iter().all(|x| x.parent == FolderId::Root));
    assert!(
        root_files.iter().all(|f| f.size.is_some()),
        "sizes from file/info"
    );
    // Every file in file/list outside the root stays out of the root listing.
    let ids: HashSet<&str> = root.iter().map(|x| x.id.as_str()).collect();
    let mut outside = 0;
    for page in 1..=20 {
        let listed = p.file_list(None, page).await.unwrap();
        if listed.files.is_empty() {
            break;
        }
        for f in listed.files.iter().filter(|f| !f.folder().is_root()) {
            outside += 1;
            assert!(
                !ids.contains(f.code.as_str()),
                "{} listed in the root",
                f.name
            );
        }
    }
    assert!(outside > 0, "the demo tree has files in folders");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_files_are_listed() {
    let e = env(true).await;
    let p = e.client("xfs");
    let gone = p.files_deleted(None).await.unwrap();
    let draft = gone
        .iter()
        .find(|d| d.name.as_deref() == Some("old-draft.txt"))
        .expect("the seeded deletion");
    assert!(
        draft.code.as_ref().is_some_and(|c| c.len() == 12),
        "{draft:?}"
    );
    assert!(
        draft.deleted_ago_sec.is_some_and(|s| s >= 3600),
        "{draft:?}"
    );
    assert!(
        draft.deleted.as_ref().is_some_and(|d| d.len() == 19),
        "{draft:?}"
    );
    assert_eq!(p.files_deleted(Some(1)).await.unwrap().len(), 1);
    // Account-scoped: the free account sees its own deletion only.
    let free = e.client("xfs-free").files_deleted(None).await.unwrap();
    assert_eq!(free.len(), 1, "{free:?}");
    assert_ne!(free[0].code, draft.code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_404s_are_clear_one_line_errors() {
    let e = env(false).await;
    // A root that is not an XFS API: account/info itself is a 404 page.
    let wrong = XFileSharing::new(
        &format!("{}/xfilesharing/nowhere/api", e.server.base_url()),
        PREMIUM_KEY,
    )
    .unwrap();
    let err = wrong.authenticate().await.unwrap_err();
    one_line(&err);
    assert!(err.message.contains("no XFileSharing API at"), "{err}");
    assert!(!err.message.contains('<'), "no HTML: {err}");

    // A site without one endpoint: the emulator's HTML 404 for `.../api/file/files/deleted`.
    let odd = XFileSharing::new(&format!("{}/file", e.api()), PREMIUM_KEY).unwrap();
    let err = odd.files_deleted(None).await.unwrap_err();
    one_line(&err);
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("has no files/deleted"), "{err}");
    assert!(err.message.contains("HTTP 404"), "{err}");
    assert!(!err.message.contains('<') && !err.message.contains(PREMIUM_KEY));
    let raw = reqwest::get(format!("{}/file/deleted?key={PREMIUM_KEY}", e.api()))
        .await
        .unwrap();
    assert_eq!(
        raw.status(),
        404,
        "the emulator's page for an unknown endpoint"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_an_auth_error_without_the_key() {
    let e = env(false).await;
    let key = "wrongkey0123456789abcd";
    let p = XFileSharing::new(&e.api(), key).unwrap();
    for err in [
        p.authenticate().await.unwrap_err(),
        p.list(&FolderId::Root).await.unwrap_err(),
        p.upload(
            &FolderId::Root,
            "x.txt",
            UploadBody::from_bytes(&b"x"[..]),
            no_progress(),
        )
        .await
        .unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(err.message.contains("Invalid key"), "{err}");
        assert!(!err.message.contains(key), "the key never shows: {err}");
        one_line(&err);
    }
    assert!(!format!("{p:?}").contains(key));
    assert!(XFileSharing::new(&e.api(), "two words").is_err());
    assert!(XFileSharing::new(&e.api(), " ").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_names_cut_by_the_site_still_decode() {
    let e = env(false).await;
    let p = e.client("xfs");
    // 201 bytes: the site keeps 128, which splits an "é" in two.
    let long = format!("x{}", "é".repeat(100));
    let kept = format!("x{}", "é".repeat(63));
    let f = upload(&p, &FolderId::Root, &long, b"long").await;
    assert_eq!(
        f.name, kept,
        "the half character is dropped, not shown as mojibake"
    );
    assert_eq!(
        names(&p.list(&FolderId::Root).await.unwrap()),
        [kept.as_str()]
    );
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().name, kept);
    assert_eq!(download(&p, &f.as_ref()).await, b"long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_files_and_folders_are_not_ours() {
    let e = env(false).await;
    let p = e.client("xfs");
    let free = e.client("xfs-free");
    let dir = p.create_folder(&FolderId::Root, "Private").await.unwrap();
    let f = upload(&p, &dir.folder_id(), "private.txt", b"mine").await;
    // file/info describes anyone's file: not proof of ownership.
    let info = free.file_info(&[&f.id]).await.unwrap();
    assert!(info[0].found);
    let err = free.stat(&f.as_ref()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert!(err.message.contains("not in this account"), "{err}");
    // set_folder says OK to a foreign code and does nothing: the move is not claimed.
    let err = free
        .move_entry(&f.as_ref(), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(p.stat(&f.as_ref()).await.unwrap().parent, dir.folder_id());
    for err in [
        free.list(&dir.folder_id()).await.unwrap_err(),
        free.create_folder(&dir.folder_id(), "in")
            .await
            .unwrap_err(),
        free.rename(&dir.as_ref(), "taken").await.unwrap_err(),
        free.rename(&f.as_ref(), "taken.txt").await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    }
    assert_eq!(
        names(&p.list(&dir.folder_id()).await.unwrap()),
        ["private.txt"]
    );
    // A clone of someone's file is the caller's own (what Katfile scripts rely on).
    let mine = free.file_clone(&f.id, &FolderId::Root).await.unwrap();
    assert_eq!(
        names(&free.list(&FolderId::Root).await.unwrap()),
        ["private.txt"]
    );
    assert_eq!(
        free.stat(&EntryRef::file(&mine.code)).await.unwrap().parent,
        FolderId::Root
    );
    let err = free
        .file_clone("zzzzzzzzzzzz", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_trouble_is_transient_or_rate_limited() {
    let e = env(false).await;
    let p = e.client("xfs");
    p.authenticate().await.unwrap();
    e.server.set_faults(haul::emulator::Faults {
        fail_every: Some(1),
        fail_status: 503,
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    one_line(&err);
    e.server.set_faults(haul::emulator::Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(7),
        ..Default::default()
    });
    let err = p.account_info().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
    e.server.set_faults(haul::emulator::Faults::default());
    p.list(&FolderId::Root).await.expect("fine again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_says_auth_for_a_wrong_key() {
    let e = env(false).await;
    let key = "wrongkey0123456789abcd";
    let p = XFileSharing::new(&e.api(), key).unwrap();
    let root = FolderId::Root;
    let results: Vec<(&str, Result<(), ProviderError>)> = vec![
        ("account/info", p.account_info_raw().await.map(drop)),
        ("account/stats", p.account_stats().await.map(drop)),
        ("upload/server", p.upload_server().await.map(drop)),
        (
            "upload/url",
            p.upload_url("http://127.0.0.1:1/x", &root).await.map(drop),
        ),
        (
            "upload/url status",
            p.upload_url_status("zzzzzzzzzzzz").await.map(drop),
        ),
        (
            "file/direct_link",
            p.direct_link("zzzzzzzzzzzz").await.map(drop),
        ),
        ("file/info", p.file_info(&["zzzzzzzzzzzz"]).await.map(drop)),
        ("file/list", p.file_list(None, 1).await.map(drop)),
        ("file/rename", p.file_rename("zzzzzzzzzzzz", "n").await),
        (
            "file/clone",
            p.file_clone("zzzzzzzzzzzz", &root).await.map(drop),
        ),
        (
            "file/set_folder",
            p.file_set_folder("zzzzzzzzzzzz", &root).await,
        ),
        ("folder/list", p.folder_list(&root).await.map(drop)),
        ("folder/create", p.folder_create(&root, "n").await.map(drop)),
        ("folder/rename", p.folder_rename("211601", "n").await),
        ("files/deleted", p.files_deleted(None).await.map(drop)),
    ];
    for (endpoint, result) in results {
        let err = result.expect_err(endpoint);
        assert_eq!(err.kind, ErrorKind::Auth, "{endpoint}: {err}");
        assert!(!err.message.contains(key), "{endpoint}: {err}");
        one_line(&err);
    }
}
