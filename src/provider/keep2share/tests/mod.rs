//! The client against a scripted host: one login shared by concurrent tasks, one re-login on a
//! refused session, login and download captchas, uploads never replayed, ranged downloads.

mod fake_host;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;

use super::*;
use crate::provider::{ChallengeKind, ErrorKind, no_progress};
use fake_host::*;

fn password() -> Credentials {
    Credentials::from_secret(Some(USER), PASSWORD).unwrap()
}

async fn client(creds: Credentials) -> (Arc<fake_host::Fake>, Keep2Share) {
    let (fake, base) = start().await;
    (fake, Keep2Share::new(&base, creds).unwrap())
}

async fn read_all(p: &Keep2Share, id: &str, offset: u64) -> Result<(u64, Option<u64>, Vec<u8>)> {
    let mut dl = p.open_download(&EntryRef::file(id), offset).await?;
    let mut out = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok((dl.offset, dl.total, out))
}

fn challenge_of(e: &ProviderError) -> &Challenge {
    assert_eq!(e.kind, ErrorKind::CaptchaRequired, "{e}");
    e.challenge.as_deref().expect("a challenge")
}

#[test]
fn only_http_base_urls() {
    assert!(Keep2Share::new("https://k2s.cc/api/v2", password()).is_ok());
    for bad in ["ftp://k2s.cc/api/v2", "k2s.cc", ""] {
        let e = Keep2Share::new(bad, password()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
    }
}

#[test]
fn debug_never_shows_secrets() {
    let p = Keep2Share::new("https://k2s.cc/api/v2", password()).unwrap();
    let t = Keep2Share::new(
        "https://k2s.cc/api/v2",
        Credentials::AccessToken(ACCESS_TOKEN.into()),
    )
    .unwrap();
    let shown = format!("{p:?} {t:?}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(ACCESS_TOKEN),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_share_one_login() {
    let (fake, p) = client(password()).await;
    let p = Arc::new(p);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.list(&FolderId::Root).await })
        })
        .collect();
    for t in tasks {
        let entries = t.await.unwrap().unwrap();
        assert_eq!(entries.len(), 2);
    }
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_session_logs_in_again_once() {
    let (fake, p) = client(password()).await;
    p.list(&FolderId::Root).await.unwrap();
    fake.revoke_session();
    p.list(&FolderId::Root).await.unwrap();
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 2);
    fake.refuse_sessions.store(true, Ordering::SeqCst);
    let e = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 3, "no loop");
}

#[tokio::test]
async fn an_access_token_is_never_replaced() {
    let (fake, p) = client(Credentials::AccessToken(ACCESS_TOKEN.into())).await;
    p.authenticate().await.unwrap();
    assert_eq!(
        fake.calls_to("accountInfo")[0]["access_token"],
        ACCESS_TOKEN
    );
    fake.refuse_sessions.store(true, Ordering::SeqCst);
    let e = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.contains("access token"), "{e}");
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn wrong_password_is_not_retried_behind_the_users_back() {
    let creds = Credentials::from_secret(Some(USER), "wrong").unwrap();
    let (fake, p) = client(creds).await;
    let e = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.contains("invalid login or password"), "{e}");
    assert!(!e.message.contains("wrong"), "{e}");
    p.stat(&EntryRef::file("prem")).await.unwrap_err();
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 1);
    p.authenticate().await.unwrap_err();
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn login_recaptcha_is_answered_then_login_goes_on() {
    let (fake, p) = client(password()).await;
    *fake.login_wants.lock().unwrap() = Some("recaptcha");
    let e = p.list(&FolderId::Root).await.unwrap_err();
    let first = challenge_of(&e).clone();
    assert_eq!(first.kind, ChallengeKind::ReCaptcha);
    assert_eq!(first.purpose, ChallengePurpose::Login);
    assert!(first.url.as_deref().unwrap().contains("reCaptcha.html?id="));
    // Other calls wait for the answer instead of logging in again.
    let again = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(challenge_of(&again).id, first.id);
    assert_eq!(fake.login_attempts.load(Ordering::SeqCst), 1);

    let wrong = p.answer_challenge(&first, "nope").await.unwrap_err();
    let second = challenge_of(&wrong).clone();
    assert_ne!(second.id, first.id);
    assert_eq!(second.kind, ChallengeKind::ReCaptcha);
    assert_eq!(p.answer_challenge(&second, "solved").await.unwrap(), None);
    assert_eq!(p.list(&FolderId::Root).await.unwrap().len(), 2);
}

#[tokio::test]
async fn login_image_captcha_comes_with_its_image() {
    let (fake, p) = client(password()).await;
    *fake.login_wants.lock().unwrap() = Some("captcha");
    let e = p.authenticate().await.unwrap_err();
    let challenge = challenge_of(&e).clone();
    assert_eq!(challenge.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(challenge.image.as_deref(), Some(CAPTCHA_IMAGE));
    p.answer_challenge(&challenge, "solved").await.unwrap();
    p.authenticate().await.unwrap();
}

#[tokio::test]
async fn free_download_through_captcha_and_countdown() {
    let (fake, p) = client(password()).await;
    let e = p
        .open_download(&EntryRef::file("free1"), 0)
        .await
        .err()
        .unwrap();
    let challenge = challenge_of(&e).clone();
    assert_eq!(
        challenge.purpose,
        ChallengePurpose::Download {
            file_id: "free1".into()
        }
    );
    assert_eq!(challenge.image.as_deref(), Some(CAPTCHA_IMAGE));

    let wrong = p.answer_challenge(&challenge, "wrong").await.unwrap_err();
    let fresh = challenge_of(&wrong).clone();
    assert_ne!(fresh.id, challenge.id);

    fake.time_wait.store(1, Ordering::SeqCst);
    let wait = p.answer_challenge(&fresh, "right").await.unwrap();
    assert_eq!(wait, Some(Duration::from_secs(1)));
    let early = p
        .open_download(&EntryRef::file("free1"), 0)
        .await
        .err()
        .unwrap();
    assert_eq!(early.kind, ErrorKind::RateLimited);
    assert!(early.retry_after.unwrap() <= Duration::from_secs(1));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, _, bytes) = read_all(&p, "free1", 0).await.unwrap();
    assert_eq!(bytes, CONTENT);
    let sent = fake.calls_to("getUrl");
    assert!(sent.last().unwrap()["free_download_key"].is_string());
    // The key is spent: the next download asks again.
    let e = p
        .open_download(&EntryRef::file("free1"), 0)
        .await
        .err()
        .unwrap();
    challenge_of(&e);
}

#[tokio::test]
async fn a_refused_free_key_asks_for_a_new_captcha() {
    let (fake, p) = client(password()).await;
    let e = p
        .open_download(&EntryRef::file("free1"), 0)
        .await
        .err()
        .unwrap();
    p.answer_challenge(challenge_of(&e), "right").await.unwrap();
    fake.spoil_free_key();
    let e = p
        .open_download(&EntryRef::file("free1"), 0)
        .await
        .err()
        .unwrap();
    challenge_of(&e);
}

#[tokio::test]
async fn ranged_downloads() {
    let (_, p) = client(password()).await;
    assert_eq!(
        read_all(&p, "prem", 0).await.unwrap(),
        (0, Some(10), CONTENT.to_vec())
    );
    assert_eq!(
        read_all(&p, "prem", 4).await.unwrap(),
        (4, Some(10), CONTENT[4..].to_vec())
    );
    assert_eq!(
        read_all(&p, "prem", 10).await.unwrap(),
        (10, Some(10), vec![])
    );
    // A server that ignores the range sends it all again, from 0.
    assert_eq!(
        read_all(&p, "norange", 4).await.unwrap(),
        (0, Some(10), CONTENT.to_vec())
    );
}

#[tokio::test]
async fn a_web_page_instead_of_the_file_is_explained() {
    let (_, p) = client(password()).await;
    let e = read_all(&p, "html", 0).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(e.message.contains("one file at a time"), "{e}");
    assert!(!e.message.contains("s3cret"));
}

#[tokio::test]
async fn upload_forwards_every_form_field_and_streams_the_file() {
    let (fake, p) = client(password()).await;
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let entry = p
        .upload(
            &FolderId::Root,
            "ä \"b\".txt",
            UploadBody::from_bytes(&b"hello"[..]),
            Arc::new(move |n| {
                counter.fetch_add(n, Ordering::SeqCst);
            }),
        )
        .await
        .unwrap();
    assert_eq!(entry.id, "new1");
    assert_eq!(sent.load(Ordering::SeqCst), 5);
    let mut fields = fake.node_fields.lock().unwrap().clone();
    fields.sort();
    let expected: Vec<(String, String)> = [
        ("ajax", "true"),
        ("n", "5"),
        ("params", "{\"a\":1}"),
        ("signature", "sig"),
        ("upfile", "file:ä \"b\".txt:5"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(fields, expected);
}

#[tokio::test]
async fn a_failed_upload_is_never_replayed() {
    let (fake, p) = client(password()).await;
    for (folder, kind) in [
        ("redirect", ErrorKind::Transient),
        ("down", ErrorKind::Transient),
    ] {
        let before = fake.node_posts.load(Ordering::SeqCst);
        let e = p
            .upload(
                &FolderId::Id(folder.into()),
                "a.txt",
                UploadBody::from_bytes(&b"hello"[..]),
                no_progress(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind, kind, "{folder}: {e}");
        assert!(e.message.contains("must restart"), "{e}");
        assert_eq!(fake.node_posts.load(Ordering::SeqCst), before + 1);
    }
    assert_eq!(fake.followed_redirects.load(Ordering::SeqCst), 0);
    let e = p
        .upload(
            &FolderId::Id("full".into()),
            "a.txt",
            UploadBody::from_bytes(&b"hello"[..]),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Quota, "{e}");
}

#[tokio::test]
async fn listing_pages_until_a_short_page() {
    let (fake, p) = client(password()).await;
    let big = FolderId::Id("big".into());
    let entries = p.list(&big).await.unwrap();
    assert_eq!(entries.len(), BIG_FOLDER);
    assert!(entries.iter().all(|e| e.parent == big && e.size == Some(1)));
    let mut offsets: Vec<u64> = fake
        .calls_to("getFilesList")
        .iter()
        .filter_map(|c| c["offset"].as_u64())
        .collect();
    offsets.sort_unstable();
    // A small first page alone, then the next four at once (the first of them is short: the
    // last).
    assert_eq!(offsets, [0, 500, 10_500, 20_500, 30_500]);
    let root = p.list(&FolderId::Root).await.unwrap();
    assert!(root.iter().any(|e| e.id == "dir1" && e.is_folder()));
    assert_eq!(fake.calls_to("getFilesList").last().unwrap()["parent"], "/");
}

#[tokio::test]
async fn stat_copy_delete_and_links() {
    let (fake, p) = client(password()).await;
    let e = p.stat(&EntryRef::file("prem")).await.unwrap();
    assert_eq!((e.name.as_str(), e.size), ("prem.bin", Some(10)));
    for missing in ["nope", "bad!"] {
        let e = p.stat(&EntryRef::file(missing)).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{missing}");
    }
    let copy = p
        .copy_entry(&EntryRef::file("prem"), &FolderId::Id("dir1".into()))
        .await
        .unwrap();
    assert_eq!(copy.id, "copy1");
    let sent = &fake.calls_to("createFileByHash")[0];
    assert_eq!(
        (&sent["hash"], &sent["parent"], &sent["name"]),
        (&json!(KNOWN_MD5), &json!("dir1"), &json!("prem.bin"))
    );
    let folder_copy = p
        .copy_entry(&EntryRef::folder("dir1"), &FolderId::Root)
        .await;
    assert_eq!(folder_copy.unwrap_err().kind, ErrorKind::Unsupported);

    p.move_entry(&EntryRef::file("prem"), &FolderId::Root)
        .await
        .unwrap();
    assert_eq!(fake.calls_to("updateFile")[0]["new_parent"], "/");
    p.delete(&EntryRef::file("prem")).await.unwrap();
    let gone = p.delete(&EntryRef::file("other")).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);

    let base = fake.base.lock().unwrap().clone();
    assert_eq!(
        p.public_link(&EntryRef::file("prem")).await.unwrap(),
        format!("{base}/file/prem")
    );
}

#[tokio::test]
async fn upload_by_hash_only_when_the_host_has_it() {
    let (_, p) = client(password()).await;
    let placed = p
        .upload_by_hash(&FolderId::Root, "x.bin", KNOWN_MD5, 10)
        .await
        .unwrap();
    assert_eq!(placed.unwrap().id, "copy1");
    let absent = p
        .upload_by_hash(
            &FolderId::Root,
            "x.bin",
            "00000000000000000000000000000000",
            10,
        )
        .await
        .unwrap();
    assert_eq!(absent, None);
}

#[tokio::test]
async fn account_facts() {
    let (fake, p) = client(password()).await;
    *fake.account_expires.lock().unwrap() = json!(4102444800u64);
    let info = p.account_info().await.unwrap();
    assert_eq!(info.username.as_deref(), Some(USER));
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(
        info.premium_until.as_deref(),
        Some("2100-01-01 00:00:00 UTC")
    );
    assert_eq!(info.traffic_left, Some(53_687_091_200));
    assert_eq!(info.extra["balance"], "0.20");
    *fake.account_expires.lock().unwrap() = json!(false);
    assert_eq!(
        p.account_info().await.unwrap().plan.as_deref(),
        Some("free")
    );
    *fake.account_expires.lock().unwrap() = json!("2022-04-24T00:00:00.000Z");
    let expired = p.account_info().await.unwrap();
    assert_eq!(expired.plan.as_deref(), Some("free"));
    assert_eq!(expired.extra["premium ended"], "2022-04-24 00:00:00 UTC");
}

#[tokio::test]
async fn remote_upload_round_trip() {
    let (fake, p) = client(password()).await;
    let job = p
        .remote_upload("http://example.com/a.iso", &FolderId::Id("dir1".into()))
        .await
        .unwrap();
    assert_eq!(job, "46564421");
    // The call takes only URLs; the file is moved into the folder once fetched, once.
    let added = &fake.calls_to("remoteUploadAdd")[0];
    assert_eq!(added["urls"], json!(["http://example.com/a.iso"]));
    assert!(added.get("parent_id").is_none(), "{added}");
    for _ in 0..2 {
        assert_eq!(
            p.remote_upload_status(&job).await.unwrap(),
            RemoteJobState::Done {
                file_id: Some("27dddcb772fec".into())
            }
        );
    }
    let moves = fake.calls_to("updateFile");
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0]["id"], "27dddcb772fec");
    assert_eq!(moves[0]["new_parent"], "dir1");
}

#[tokio::test]
async fn busy_host_and_echoed_secrets() {
    let (_, p) = client(password()).await;
    let e = p.api.call("crowded", json!({})).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
    let e = p.api.call("echo", json!({})).await.unwrap_err();
    assert!(!e.message.contains("tok1"), "{e}");
    assert!(e.message.contains("bad token *** here"), "{e}");
}
