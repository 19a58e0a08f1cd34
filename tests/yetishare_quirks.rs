//! YetiShare edges over real HTTP: tokens, HTTP-200 errors, faults, the `null` root, remote upload.

mod common;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use haul::emulator::{EmulatorHandle, Faults};
use haul::provider::yetishare::{Credentials, YetiShare};
use haul::provider::{
    EntryKind, ErrorKind, FolderId, Provider, RemoteJobState, UploadBody, no_progress,
};

struct Env {
    server: EmulatorHandle,
    _data: tempfile::TempDir,
}

async fn env() -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .unwrap();
    Env {
        server,
        _data: data,
    }
}

fn client(server: &EmulatorHandle, account: &str) -> YetiShare {
    let acc = common::account(server, account);
    YetiShare::new(
        &acc.base_url,
        Credentials::from_secret(None, &acc.secret).unwrap(),
    )
    .unwrap()
}

async fn stats(server: &EmulatorHandle, key: &str) -> u64 {
    server.stats()[key].as_u64().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_renewed_once_and_transparently() {
    let e = env().await;
    let p = client(&e.server, "ys");
    p.create_folder(&FolderId::Root, "x").await.unwrap();
    e.server.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Default::default()
    });
    for _ in 0..7 {
        let listed = p
            .list(&FolderId::Root)
            .await
            .expect("listing survives expiry");
        assert_eq!(listed.len(), 1);
    }
    assert!(
        stats(&e.server, "tokens_issued").await >= 3,
        "re-authorized"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_login_revoking_our_token_is_survived() {
    let e = env().await;
    let a = client(&e.server, "ys");
    let b = client(&e.server, "ys");
    a.list(&FolderId::Root).await.unwrap();
    b.list(&FolderId::Root).await.unwrap(); // revokes a's token
    a.list(&FolderId::Root).await.expect("a re-authorizes");
    assert_eq!(stats(&e.server, "tokens_issued").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_is_shared_by_concurrent_tasks() {
    let e = env().await;
    let p = Arc::new(client(&e.server, "ys"));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.list(&FolderId::Root).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("list");
    }
    assert_eq!(stats(&e.server, "tokens_issued").await, 1, "one authorize");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_token_met_by_many_tasks_is_renewed_once_for_everyone() {
    let e = env().await;
    let p = Arc::new(client(&e.server, "ys"));
    p.list(&FolderId::Root).await.unwrap();
    // Another client logs in: our token is revoked. A slow host lets all four tasks meet the
    // dead token before the first renewal comes back; each renewal would revoke the last one.
    client(&e.server, "ys").list(&FolderId::Root).await.unwrap();
    e.server.set_faults(Faults {
        latency_ms: 100,
        ..Default::default()
    });
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.list(&FolderId::Root).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("list after the renewal");
    }
    assert_eq!(stats(&e.server, "tokens_issued").await, 3, "one renewal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_is_never_replayed_after_token_expiry() {
    let e = env().await;
    let p = client(&e.server, "ys");
    p.list(&FolderId::Root).await.unwrap();
    e.server.set_faults(Faults {
        expire_tokens_after: Some(1),
        ..Default::default()
    });
    let err = p
        .upload(
            &FolderId::Root,
            "once.txt",
            UploadBody::from_bytes(&b"payload"[..]),
            no_progress(),
        )
        .await
        .expect_err("the spent stream is not replayed");
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    assert!(err.message.contains("restart"), "{err}");
    e.server.set_faults(Faults::default());
    p.upload(
        &FolderId::Root,
        "once.txt",
        UploadBody::from_bytes(&b"payload"[..]),
        no_progress(),
    )
    .await
    .expect("a fresh upload works");
    let files = p.list(&FolderId::Root).await.unwrap();
    assert_eq!(files.iter().filter(|f| f.name == "once.txt").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_are_auth_errors_with_the_hosts_words() {
    let e = env().await;
    let acc = common::account(&e.server, "ys");
    let wrong = YetiShare::new(
        &acc.base_url,
        Credentials::from_secret(None, &format!("{}:{}", "a".repeat(64), "b".repeat(64))).unwrap(),
    )
    .unwrap();
    let err = wrong.authenticate().await.expect_err("wrong keys");
    assert_eq!(err.kind, ErrorKind::Auth);
    assert!(err.message.contains("Could not authenticate user"), "{err}");
    assert!(Credentials::from_secret(None, "short:keys").is_err());

    let by_password = YetiShare::new(
        &acc.base_url,
        Credentials::from_secret(Some("demo"), "demo-password").unwrap(),
    )
    .unwrap();
    by_password.authenticate().await.expect("password mode");
    let bad_password = YetiShare::new(
        &acc.base_url,
        Credentials::from_secret(Some("demo"), "nope").unwrap(),
    )
    .unwrap();
    assert_eq!(
        bad_password.authenticate().await.unwrap_err().kind,
        ErrorKind::Auth
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_things_are_not_found() {
    let e = env().await;
    let p = client(&e.server, "ys");
    for r in [
        haul::provider::EntryRef::folder("424242"),
        haul::provider::EntryRef::file("424242"),
    ] {
        assert_eq!(p.stat(&r).await.unwrap_err().kind, ErrorKind::NotFound);
    }
    let err = p.list(&FolderId::Id("424242".into())).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_and_copies_to_the_root_use_null() {
    let e = env().await;
    let p = client(&e.server, "ys");
    let dir = p.create_folder(&FolderId::Root, "d").await.unwrap();
    let inner = p.create_folder(&dir.folder_id(), "inner").await.unwrap();
    let f = p
        .upload(
            &dir.folder_id(),
            "f.txt",
            UploadBody::from_bytes(&b"f"[..]),
            no_progress(),
        )
        .await
        .unwrap();
    let copy = p.copy_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(copy.parent, FolderId::Root);
    p.move_entry(&f.as_ref(), &FolderId::Root).await.unwrap();
    p.move_entry(&inner.as_ref(), &FolderId::Root)
        .await
        .unwrap();
    let root = p.list(&FolderId::Root).await.unwrap();
    assert_eq!(root.iter().filter(|x| x.name == "f.txt").count(), 2);
    assert!(
        root.iter()
            .any(|x| x.name == "inner" && x.kind == EntryKind::Folder)
    );
    assert_eq!(
        p.stat(&inner.as_ref()).await.unwrap().parent,
        FolderId::Root
    );
    assert!(p.list(&dir.folder_id()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_trouble_is_classified() {
    let e = env().await;
    let p = client(&e.server, "ys");
    p.authenticate().await.unwrap();
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 503,
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    assert!(err.is_retryable());
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(7),
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_wrong_urls_are_clear_errors() {
    let app = axum::Router::new().fallback(|| async {
        axum::response::Html("<html><body><h1>Welcome to nginx!</h1></body></html>")
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let p = YetiShare::new(
        &format!("http://{addr}/api/v2"),
        Credentials::from_secret(None, &format!("{}:{}", "a".repeat(64), "b".repeat(64))).unwrap(),
    )
    .unwrap();
    let err = p.authenticate().await.unwrap_err();
    assert!(!err.message.contains('\n'));
    assert!(
        err.message.to_lowercase().contains("html") || err.message.contains("Welcome"),
        "{err}"
    );

    let e = env().await;
    let wrong = format!("{}/nowhere/api/v2", e.server.base_url());
    let p = YetiShare::new(
        &wrong,
        Credentials::from_secret(None, &format!("{}:{}", "a".repeat(64), "b".repeat(64))).unwrap(),
    )
    .unwrap();
    let err = p.authenticate().await.unwrap_err();
    assert!(
        !err.message.is_empty() && !err.message.contains('\n'),
        "{err}"
    );
    let creds = Credentials::Password {
        username: "u".into(),
        password: "p".into(),
    };
    assert!(
        YetiShare::new("ftp://x/api", creds).is_err(),
        "only http(s) base URLs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_resumes_from_an_offset_and_zero_bytes_are_refused() {
    let e = env().await;
    let p = client(&e.server, "ys");
    let data = common::pattern(300_000, 5);
    let f = p
        .upload(
            &FolderId::Root,
            "r.bin",
            UploadBody::from_bytes(data.clone()),
            no_progress(),
        )
        .await
        .unwrap();
    let mut dl = p.open_download(&f.as_ref(), 123_456).await.unwrap();
    assert_eq!(dl.offset, 123_456);
    assert_eq!(dl.total, Some(300_000));
    let mut got = Vec::new();
    while let Some(c) = dl.body.next().await {
        got.extend_from_slice(&c.unwrap());
    }
    assert_eq!(got, &data[123_456..]);
    let at_end = p.open_download(&f.as_ref(), 300_000).await.unwrap();
    assert_eq!(at_end.offset, 300_000);

    let err = p
        .upload(
            &FolderId::Root,
            "z",
            UploadBody::from_bytes(Vec::new()),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("Filesize received was zero."), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_info_reads_the_package() {
    let e = env().await;
    let info = client(&e.server, "ys-free").account_info().await.unwrap();
    assert_eq!(info.username.as_deref(), Some("free"));
    assert_eq!(info.plan.as_deref(), Some("Free Account"));
    assert_eq!(info.max_upload_size, Some(10 * 1024 * 1024));
    assert_eq!(info.concurrent_uploads, Some(2));
    let premium = client(&e.server, "ys").account_info().await.unwrap();
    assert_eq!(premium.username.as_deref(), Some("demo"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_url_upload_fetches_and_finishes() {
    let payload = common::pattern(200_000, 9);
    let served = payload.clone();
    let app = axum::Router::new().route(
        "/files/remote.bin",
        axum::routing::get(move || {
            let body = served.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let e = env().await;
    let p = client(&e.server, "ys");
    assert!(p.capabilities().remote_url_upload);
    let job = p
        .remote_upload(&format!("http://{addr}/files/remote.bin"), &FolderId::Root)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        match p.remote_upload_status(&job).await.unwrap() {
            RemoteJobState::Done { .. } => break,
            RemoteJobState::Failed(why) => panic!("remote upload failed: {why}"),
            _ if std::time::Instant::now() > deadline => panic!("remote upload stuck"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let root = p.list(&FolderId::Root).await.unwrap();
    let file = root
        .iter()
        .find(|f| f.name == "remote.bin")
        .expect("fetched file listed");
    assert_eq!(file.size, Some(payload.len() as u64));
    let mut dl = p.open_download(&file.as_ref(), 0).await.unwrap();
    let mut got = Vec::new();
    while let Some(c) = dl.body.next().await {
        got.extend_from_slice(&c.unwrap());
    }
    assert_eq!(got, payload);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_links_and_disabling_the_token() {
    let e = env().await;
    let p = client(&e.server, "ys");
    let f = p
        .upload(
            &FolderId::Root,
            "l.txt",
            UploadBody::from_bytes(&b"l"[..]),
            no_progress(),
        )
        .await
        .unwrap();
    let link = p.public_link(&f.as_ref()).await.unwrap();
    assert!(link.starts_with(&e.server.base_url()), "{link}");
    let d = p.create_folder(&FolderId::Root, "shared").await.unwrap();
    assert!(
        p.public_link(&d.as_ref())
            .await
            .unwrap()
            .contains("/folder/")
    );
    p.disable_access_token().await.unwrap();
    p.list(&FolderId::Root)
        .await
        .expect("logs in again after disabling");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_the_plan_limit_are_refused_before_sending() {
    let e = env().await;
    let p = client(&e.server, "ys-free");
    p.authenticate().await.unwrap();
    let uploads = || e.server.stats()["by_route"]["yetishare/file/upload"].as_u64();
    let before = uploads();
    // 11 MiB declared on a 10 MiB plan: refused before a byte is sent.
    let body = UploadBody::new(11 << 20, Box::pin(futures::stream::empty()));
    let err = p
        .upload(&FolderId::Root, "big.iso", body, no_progress())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("allows uploads up to"), "{err}");
    assert_eq!(uploads(), before, "nothing was sent");
    // The counter counts: a small upload is one request.
    p.upload(
        &FolderId::Root,
        "small.txt",
        UploadBody::from_bytes(&b"s"[..]),
        no_progress(),
    )
    .await
    .unwrap();
    assert_eq!(uploads(), Some(before.unwrap_or(0) + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_ignores_range_sends_the_whole_file_and_says_so() {
    let e = env().await;
    let p = client(&e.server, "ys");
    let f = p
        .upload(
            &FolderId::Root,
            "whole.txt",
            UploadBody::from_bytes(&b"hello world"[..]),
            no_progress(),
        )
        .await
        .unwrap();
    e.server.set_faults(Faults {
        ignore_range: true,
        ..Faults::default()
    });
    let mut dl = p.open_download(&f.as_ref(), 6).await.unwrap();
    assert_eq!((dl.offset, dl.total), (0, Some(11)));
    let mut got = Vec::new();
    while let Some(c) = dl.body.next().await {
        got.extend_from_slice(&c.unwrap());
    }
    assert_eq!(got, b"hello world");
}
