//! The Keep2Share provider against the Keep2Share emulator over real HTTP: every call the
//! provider makes and every error path it maps, login and download captchas answered through the
//! emulator's test hook, the free countdown, token expiry in the middle of a 25,000-item
//! listing, dedupe, quotas and remote uploads from a loopback server.

mod common;

use std::time::{Duration, Instant};

use futures::StreamExt;
use haul::emulator::keep2share::{
    CAPTCHA_PASSWORD, CAPTCHA_USERNAME, FREE_PASSWORD, FREE_USERNAME, PREMIUM_ACCESS_TOKEN,
    PREMIUM_PASSWORD, PREMIUM_USERNAME, SHARED_FILE_ID, SHARED_FILE_NAME, SHARED_FOLDER_ID,
};
use haul::emulator::{EmulatorHandle, Faults};
use haul::provider::keep2share::{Access, Credentials, FileChanges, Keep2Share};
use haul::provider::{
    Challenge, ChallengeKind, ChallengePurpose, EntryKind, EntryRef, ErrorKind, FolderId, Provider,
    ProviderError, RemoteJobState, UploadBody, no_progress,
};
use md5::{Digest, Md5};
use serde_json::{Value, json};

struct Env {
    server: EmulatorHandle,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

/// An emulator; `seed` fills the demo accounts (and puts the captcha-gated file in /Shared).
async fn env(seed: bool) -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), seed))
        .await
        .unwrap();
    Env {
        server,
        http: reqwest::Client::new(),
        _data: data,
    }
}

impl Env {
    fn api(&self) -> String {
        format!("{}/keep2share/api/v2", self.server.base_url())
    }

    fn client(&self, username: &str, password: &str) -> Keep2Share {
        Keep2Share::new(
            &self.api(),
            Credentials::from_secret(Some(username), password).unwrap(),
        )
        .unwrap()
    }

    fn premium(&self) -> Keep2Share {
        self.client(PREMIUM_USERNAME, PREMIUM_PASSWORD)
    }

    fn free(&self) -> Keep2Share {
        self.client(FREE_USERNAME, FREE_PASSWORD)
    }

    fn hook(&self, path: &str) -> String {
        format!("{}/__emulator/keep2share/{path}", self.server.base_url())
    }

    /// The answer to a captcha (or a reCaptcha's token), from the test hook.
    async fn answer(&self, challenge: &Challenge) -> String {
        let reply: Value = self
            .http
            .get(self.hook(&format!("captcha/{}", challenge.id)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["answer"]
            .as_str()
            .expect("the hook knows it")
            .to_string()
    }

    /// Change some settings, keeping the others (the hook resets what a body leaves out).
    async fn settings(&self, changes: Value) {
        let mut current: Value = self
            .http
            .get(self.hook("settings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (k, v) in changes.as_object().unwrap() {
            current[k] = v.clone();
        }
        let status = self
            .http
            .post(self.hook("settings"))
            .json(&current)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    }

    /// `count` empty files `<prefix>NNNNN.txt` in one step.
    async fn fill(&self, account: &str, parent: &FolderId, count: usize, prefix: &str) {
        let parent = parent.id().unwrap_or("/");
        let response = self
            .http
            .post(self.hook("fill"))
            .json(&json!({"account": account, "parent": parent, "count": count, "prefix": prefix}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{:?}",
            response.text().await
        );
    }

    fn stat(&self, key: &str) -> u64 {
        self.server.stats()[key].as_u64().unwrap_or_default()
    }

    fn calls(&self, method: &str) -> u64 {
        self.server.stats()["by_route"][format!("keep2share/{method}")]
            .as_u64()
            .unwrap_or_default()
    }
}

async fn read_all(p: &dyn Provider, file: &EntryRef, offset: u64) -> Vec<u8> {
    let mut dl = p.open_download(file, offset).await.expect("open download");
    assert_eq!(dl.offset, offset);
    let mut out = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    out
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The challenge of a `CaptchaRequired` error.
fn challenge_of(e: ProviderError) -> Challenge {
    assert_eq!(e.kind, ErrorKind::CaptchaRequired, "{e}");
    *e.challenge.expect("a challenge comes with the error")
}

async fn upload(
    p: &Keep2Share,
    folder: &FolderId,
    name: &str,
    data: &[u8],
) -> haul::provider::Entry {
    p.upload(
        folder,
        name,
        UploadBody::from_bytes(data.to_vec()),
        no_progress(),
    )
    .await
    .unwrap_or_else(|e| panic!("upload {name}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_access_tokens_and_account_calls() {
    let e = env(false).await;
    let p = e.premium();
    p.test().await.expect("test with a session");
    assert_eq!(e.stat("tokens_issued"), 1);
    let info = p.account_info().await.unwrap();
    assert_eq!(info.username.as_deref(), Some(PREMIUM_USERNAME));
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(
        info.premium_until.as_deref(),
        Some("2100-01-01 00:00:00 UTC")
    );
    assert_eq!(info.traffic_left, Some(50 << 30));
    assert_eq!(info.extra.get("balance").map(String::as_str), Some("12.50"));
    assert_eq!(p.get_balance().await.unwrap(), 12.5);
    assert_eq!(p.get_domains_list().await.unwrap(), ["k2s.cc"]);
    assert_eq!(e.stat("tokens_issued"), 1, "one login serves every call");

    let free = e.free().account_info().await.unwrap();
    assert_eq!(free.plan.as_deref(), Some("free"));
    assert_eq!(free.premium_until, None);
    assert_eq!(free.extra.get("balance").map(String::as_str), Some("0.00"));

    // The permanent API token: no login at all.
    let before = e.stat("tokens_issued");
    let t = Keep2Share::new(
        &e.api(),
        Credentials::from_secret(None, PREMIUM_ACCESS_TOKEN).unwrap(),
    )
    .unwrap();
    t.authenticate().await.expect("access token");
    t.test().await.unwrap();
    assert_eq!(t.get_balance().await.unwrap(), 12.5);
    assert_eq!(e.stat("tokens_issued"), before);
    let bad = Keep2Share::new(&e.api(), Credentials::from_secret(None, "nope").unwrap()).unwrap();
    let err = bad.authenticate().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("access token"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_then_the_lockout_then_a_recaptcha() {
    let e = env(false).await;
    let wrong = e.client(FREE_USERNAME, "not-the-password");
    for _ in 0..2 {
        let err = wrong.authenticate().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(err.message.contains("invalid login or password"), "{err}");
        assert!(!err.message.contains("not-the-password"), "{err}");
    }
    // A lazy login does not try again behind the user's back.
    let logins = e.calls("login");
    assert_eq!(
        wrong.list(&FolderId::Root).await.unwrap_err().kind,
        ErrorKind::Auth
    );
    assert_eq!(e.calls("login"), logins);
    // The third wrong password: 71, in words.
    let err = wrong.authenticate().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("too many login attempts"), "{err}");
    assert!(err.message.contains("30 minutes"), "{err}");

    // Now even the right password needs a reCaptcha (33).
    let right = e.free();
    let first = challenge_of(right.authenticate().await.unwrap_err());
    assert_eq!(first.kind, ChallengeKind::ReCaptcha);
    assert_eq!(first.purpose, ChallengePurpose::Login);
    let url = first.url.clone().expect("a page to solve it on");
    assert!(url.contains("reCaptcha.html?id="), "{url}");
    assert!(url.ends_with(&first.id), "{url}");
    let page = e.http.get(&url).send().await.unwrap().text().await.unwrap();
    let token = e.answer(&first).await;
    assert!(page.contains(&token), "the page shows the token");
    // A wrong token: a new reCaptcha.
    let second = challenge_of(right.answer_challenge(&first, "wrong").await.unwrap_err());
    assert_eq!(second.kind, ChallengeKind::ReCaptcha);
    assert_ne!(second.id, first.id);
    let token = e.answer(&second).await;
    assert_eq!(right.answer_challenge(&second, &token).await.unwrap(), None);
    right.list(&FolderId::Root).await.expect("logged in");
    // The lockout is over: a plain login works again.
    e.free().authenticate().await.expect("no captcha any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_image_captcha_is_answered_through_the_hook() {
    let e = env(false).await;
    let p = e.client(CAPTCHA_USERNAME, CAPTCHA_PASSWORD);
    let first = challenge_of(p.authenticate().await.unwrap_err());
    assert_eq!(first.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(first.purpose, ChallengePurpose::Login);
    let image = first.image.clone().expect("the image is fetched");
    assert!(image.starts_with(b"\x89PNG"), "a PNG");
    assert!(first.url.as_deref().unwrap().contains(&first.id));
    // Calls that log in lazily get the same demand, without another login.
    let logins = e.calls("login");
    let again = challenge_of(p.list(&FolderId::Root).await.unwrap_err());
    assert_eq!(again.id, first.id);
    assert_eq!(e.calls("login"), logins);

    let second = challenge_of(p.answer_challenge(&first, "zzzzzz").await.unwrap_err());
    assert_eq!(second.kind, ChallengeKind::ImageCaptcha);
    assert_ne!(second.id, first.id, "a wrong answer brings a new captcha");
    assert!(second.image.is_some());
    let answer = e.answer(&second).await;
    assert_eq!(p.answer_challenge(&second, &answer).await.unwrap(), None);
    assert_eq!(
        p.account_info().await.unwrap().plan.as_deref(),
        Some("free")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captcha_calls_and_images() {
    let e = env(false).await;
    let p = e.free();
    let c = p.request_captcha().await.unwrap();
    assert_eq!(c.challenge.len(), 13);
    assert!(c.challenge.bytes().all(|b| b.is_ascii_hexdigit()));
    let url = c.captcha_url.clone().unwrap();
    assert!(url.contains("/captcha?id="), "{url}");
    let image = p.captcha_image(&c.challenge).await.unwrap();
    assert!(image.starts_with(b"\x89PNG"));
    let answer: Value = e
        .http
        .get(e.hook(&format!("captcha/{}", c.challenge)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["answer"].as_str().unwrap().len(), 6);
    let r = p.request_re_captcha().await.unwrap();
    assert!(r.captcha_url.unwrap().contains("reCaptcha.html?id="));
    let err = p.captcha_image("0000000000000").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("Id not found"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_and_files_are_created_renamed_moved_and_deleted_by_id() {
    let e = env(false).await;
    let p = e.premium();
    let docs = p.create_folder(&FolderId::Root, "Docs").await.unwrap();
    assert_eq!(docs.kind, EntryKind::Folder);
    let old = p.create_folder(&docs.folder_id(), "Old").await.unwrap();
    let private = p
        .create_folder_with(&FolderId::Root, "Private", Access::Private, false)
        .await
        .unwrap();

    // getFoldersList: every folder from the root, only the children below.
    let all = p.get_folders_list(&FolderId::Root).await.unwrap();
    let mut shown: Vec<(String, FolderId)> = all
        .iter()
        .map(|f| (f.name.clone(), f.parent.clone()))
        .collect();
    shown.sort();
    assert_eq!(
        shown,
        [
            ("/Docs".to_string(), FolderId::Root),
            ("/Docs/Old".to_string(), docs.folder_id()),
            ("/Private".to_string(), FolderId::Root),
        ]
    );
    let below = p.get_folders_list(&docs.folder_id()).await.unwrap();
    assert_eq!(below.len(), 1);
    assert_eq!(below[0].id, old.id);

    // A private folder isn't public: stat finds it through getFoldersList.
    let stat = p.stat(&EntryRef::folder(private.clone())).await.unwrap();
    assert_eq!(stat.name, "Private");
    assert_eq!(stat.kind, EntryKind::Folder);
    let stat = p.stat(&old.as_ref()).await.unwrap();
    assert_eq!(
        (stat.name.as_str(), &stat.parent),
        ("Old", &docs.folder_id())
    );

    let a = upload(&p, &docs.folder_id(), "a.txt", b"alpha").await;
    let b = upload(&p, &FolderId::Root, "b.txt", b"beta").await;
    assert_eq!(a.parent, docs.folder_id());
    assert_eq!(a.md5.as_deref(), Some(md5_hex(b"alpha").as_str()));
    assert_eq!(a.extra.get("access").map(String::as_str), Some("public"));

    // updateFile: rename, move, access.
    p.rename(&a.as_ref(), "renamed.txt").await.unwrap();
    p.move_entry(&a.as_ref(), &old.folder_id()).await.unwrap();
    p.update_file(
        &a.id,
        &FileChanges {
            new_access: Some(Access::Premium),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let moved = p.stat(&a.as_ref()).await.unwrap();
    assert_eq!(moved.name, "renamed.txt");
    assert_eq!(moved.parent, old.folder_id());
    assert_eq!(
        moved.extra.get("access").map(String::as_str),
        Some("premium")
    );
    p.move_entry(&a.as_ref(), &FolderId::Root).await.unwrap();
    assert_eq!(p.stat(&a.as_ref()).await.unwrap().parent, FolderId::Root);
    // Folders move too, but never into themselves.
    p.move_entry(&old.as_ref(), &FolderId::Root).await.unwrap();
    p.move_entry(&docs.as_ref(), &old.folder_id())
        .await
        .unwrap();
    let err = p
        .move_entry(&old.as_ref(), &docs.folder_id())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Fatal, "{err}");
    assert!(err.message.contains("into itself"), "{err}");
    let err = p.rename(&b.as_ref(), "a/b").await.unwrap_err();
    assert!(err.message.contains("invalid characters"), "{err}");
    let err = p
        .rename(&EntryRef::file("0000000000000"), "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");

    // updateFiles: each file's outcome.
    let results = p
        .update_files(
            &[&a.id, &b.id, "0000000000000"],
            &FileChanges {
                new_parent: Some(docs.folder_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert!(results[0].errors.is_empty() && results[1].errors.is_empty());
    assert_eq!(results[2].id, "0000000000000");
    assert_eq!(results[2].errors, ["File not found"]);
    let mut in_docs: Vec<String> = p
        .list(&docs.folder_id())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    in_docs.sort();
    assert_eq!(in_docs, ["b.txt", "renamed.txt"]);

    // getFilesInfo: many ids at once, unknown ones simply absent; md5 for the owner only.
    let infos = p
        .get_files_info(&[&a.id, "0000000000000", &b.id])
        .await
        .unwrap();
    assert_eq!(infos.len(), 2);
    assert!(infos.iter().all(|i| i.md5.is_some()));
    let seen_by_other = e.free().get_files_info(&[&b.id]).await.unwrap();
    assert_eq!(seen_by_other.len(), 1);
    assert_eq!(seen_by_other[0].md5, None);
    assert_eq!(
        seen_by_other[0]
            .extra
            .get("free download")
            .map(String::as_str),
        Some("yes")
    );

    // deleteFiles: how many went; a folder takes what it holds.
    assert_eq!(p.delete_files(&[&b.id, "0000000000000"]).await.unwrap(), 1);
    p.delete(&old.as_ref()).await.unwrap();
    let err = p.delete(&old.as_ref()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(
        p.stat(&a.as_ref()).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    let root: Vec<String> = p
        .list(&FolderId::Root)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(root, ["Private"]);

    // Links are to files only.
    let f = upload(&p, &FolderId::Root, "linked.txt", b"l").await;
    let link = p.public_link(&f.as_ref()).await.unwrap();
    assert_eq!(link, format!("{}/file/{}", e.server.base_url(), f.id));
    assert_eq!(
        p.public_link(&EntryRef::folder(private))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Unsupported
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_by_limit_and_offset() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "paged").await.unwrap();
    e.fill("k2s", &dir.folder_id(), 23, "p-").await;
    let mut seen = Vec::new();
    for (offset, expected) in [(0, 10), (10, 10), (20, 3), (30, 0)] {
        let page = p
            .get_files_list(&dir.folder_id(), 10, offset)
            .await
            .unwrap();
        assert_eq!(page.len(), expected, "offset {offset}");
        assert!(page.iter().all(|e| e.parent == dir.folder_id()));
        seen.extend(page.into_iter().map(|e| e.name));
    }
    let expected: Vec<String> = (1..=23).map(|n| format!("p-{n:05}.txt")).collect();
    assert_eq!(seen, expected, "pages in order, no gaps or repeats");
    let all = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(all.len(), 23);
    assert!(
        all.iter()
            .all(|f| f.size == Some(0) && f.kind == EntryKind::File)
    );
    // A folder id the host doesn't know.
    let err = p
        .list(&FolderId::Id("0000000000000".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_five_thousand_items_list_completely_across_a_token_expiry() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "big").await.unwrap();
    e.fill("k2s", &dir.folder_id(), 25_000, "item-").await;
    let fresh = e.premium();
    let tokens = e.stat("tokens_issued");
    let pages = e.calls("getFilesList");
    // The session dies after two calls: in the middle of the three pages.
    e.server.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Default::default()
    });
    let all = fresh
        .list(&dir.folder_id())
        .await
        .expect("listing survives");
    e.server.set_faults(Faults::default());
    assert_eq!(all.len(), 25_000);
    let names: std::collections::BTreeSet<&str> = all.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 25_000, "no repeats");
    assert!(names.contains("item-00001.txt") && names.contains("item-25000.txt"));
    assert_eq!(
        e.stat("tokens_issued") - tokens,
        2,
        "one login, one re-login"
    );
    assert_eq!(
        e.calls("getFilesList") - pages,
        4,
        "three pages, one repeated"
    );

    // An idle session that ran out (token_lifetime_ms) is renewed the same way.
    e.settings(json!({"token_lifetime_ms": 200})).await;
    fresh.get_balance().await.unwrap();
    let tokens = e.stat("tokens_issued");
    tokio::time::sleep(Duration::from_millis(300)).await;
    fresh.get_balance().await.expect("renewed");
    assert_eq!(e.stat("tokens_issued") - tokens, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_go_through_the_node_and_download_byte_exact() {
    let e = env(false).await;
    let p = e.premium();
    let dir = p.create_folder(&FolderId::Root, "up").await.unwrap();
    let data = common::pattern(700_001, 3);
    let f = upload(&p, &dir.folder_id(), "data.bin", &data).await;
    assert_eq!(f.size, Some(data.len() as u64));
    assert_eq!(f.md5.as_deref(), Some(md5_hex(&data).as_str()));
    assert_eq!(f.parent, dir.folder_id());
    assert_eq!(read_all(&p, &f.as_ref(), 0).await, data);
    assert_eq!(read_all(&p, &f.as_ref(), 654_321).await, &data[654_321..]);
    let url = p.direct_url(&f.as_ref()).await.unwrap().expect("a link");
    assert!(url.contains("rate_limit=0"), "premium is unlimited");
    assert_eq!(p.direct_url(&dir.as_ref()).await.unwrap(), None);
    let err = p.open_download(&dir.as_ref(), 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    let err = p
        .open_download(&EntryRef::file("0000000000000"), 0)
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    // A premium account gets others' public files without a captcha.
    let theirs = upload(&e.free(), &FolderId::Root, "theirs.bin", b"free user's").await;
    assert_eq!(read_all(&p, &theirs.as_ref(), 0).await, b"free user's");
    // Empty files are fine too.
    let empty = upload(&p, &FolderId::Root, "empty.txt", b"").await;
    assert_eq!(empty.size, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_download_through_captcha_and_countdown_is_byte_exact() {
    let e = env(true).await;
    e.settings(json!({"free_wait_ms": 1000})).await;
    let owner = e.premium();
    let shared = EntryRef::file(SHARED_FILE_ID);
    let original = read_all(&owner, &shared, 0).await;
    assert!(original.len() > 100_000);

    let free = e.free();
    let info = free.stat(&shared).await.unwrap();
    assert_eq!(info.name, SHARED_FILE_NAME);
    assert_eq!(info.parent, FolderId::Id(SHARED_FOLDER_ID.into()));
    assert_eq!(info.md5, None, "md5 is for the owner");
    // No link without a person: relay, don't hand a URL to another host.
    assert_eq!(free.direct_url(&shared).await.unwrap(), None);

    let challenge = challenge_of(free.open_download(&shared, 0).await.err().unwrap());
    assert_eq!(challenge.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(
        challenge.purpose,
        ChallengePurpose::Download {
            file_id: SHARED_FILE_ID.into()
        }
    );
    assert!(challenge.image.as_deref().unwrap().starts_with(b"\x89PNG"));
    let url = challenge.url.clone().unwrap();
    assert!(url.ends_with(&format!("?id={}", challenge.id)), "{url}");
    let answer = e.answer(&challenge).await;
    let wait = free
        .answer_challenge(&challenge, &answer)
        .await
        .unwrap()
        .expect("a countdown");
    assert_eq!(wait, Duration::from_secs(1));
    let started = Instant::now();
    // Too early: the rest of the countdown, without asking the host.
    let early = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(early.kind, ErrorKind::RateLimited, "{early}");
    assert!(early.retry_after.unwrap() <= wait);
    tokio::time::sleep(wait.saturating_sub(started.elapsed())).await;
    let got = read_all(&free, &shared, 0).await;
    assert_eq!(md5_hex(&got), md5_hex(&original));
    assert_eq!(got, original);
    // The key is spent: the next download asks again (once the host has seen the first one
    // end: free users get one at a time).
    let mut again = free.open_download(&shared, 0).await.err().unwrap();
    for _ in 0..50 {
        if again.kind != ErrorKind::RateLimited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        again = free.open_download(&shared, 0).await.err().unwrap();
    }
    assert_eq!(again.kind, ErrorKind::CaptchaRequired, "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_download_captcha_answer_brings_a_new_challenge() {
    let e = env(true).await;
    e.settings(json!({"free_wait_ms": 0})).await;
    let free = e.free();
    let shared = EntryRef::file(SHARED_FILE_ID);
    let first = challenge_of(free.open_download(&shared, 0).await.err().unwrap());
    let second = challenge_of(free.answer_challenge(&first, "wrong1").await.unwrap_err());
    assert_ne!(second.id, first.id);
    assert_eq!(second.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(second.purpose, first.purpose);
    assert!(second.image.is_some());
    let answer = e.answer(&second).await;
    let wait = free.answer_challenge(&second, &answer).await.unwrap();
    assert_eq!(wait, Some(Duration::ZERO));
    let got = read_all(&free, &shared, 1000).await;
    assert!(got.len() > 100_000);

    // An anonymous-looking refusal: files too big for free users, and private files.
    e.settings(json!({"free_max_file_size": 10})).await;
    let err = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("free accounts"), "{err}");
    e.settings(json!({"free_max_file_size": 1u64 << 30})).await;
    e.premium()
        .update_file(
            SHARED_FILE_ID,
            &FileChanges {
                new_access: Some(Access::Private),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = free.open_download(&shared, 0).await.err().unwrap();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("private"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedupe_hits_and_misses() {
    let e = env(false).await;
    let premium = e.premium();
    let data = common::pattern(123_457, 11);
    let md5 = md5_hex(&data);
    upload(&premium, &FolderId::Root, "original.bin", &data).await;

    let free = e.free();
    assert!(free.find_file(&md5).await.unwrap());
    assert!(!free.find_file(&md5_hex(b"nobody has this")).await.unwrap());
    let dir = free.create_folder(&FolderId::Root, "mine").await.unwrap();
    let nodes = e.calls("upload");
    let placed = free
        .upload_by_hash(&dir.folder_id(), "copy.bin", &md5, data.len() as u64)
        .await
        .unwrap()
        .expect("a hit");
    assert_eq!(e.calls("upload"), nodes, "no bytes sent");
    assert_eq!(placed.name, "copy.bin");
    assert_eq!(placed.parent, dir.folder_id());
    assert_eq!(placed.size, Some(data.len() as u64));
    assert_eq!(read_all(&free, &placed.as_ref(), 0).await, data);
    // A miss: upload normally.
    assert!(
        free.upload_by_hash(&dir.folder_id(), "new.bin", &md5_hex(b"new"), 3)
            .await
            .unwrap()
            .is_none()
    );
    // createFileByHash wants names of three characters or more: shorter ones are placed too.
    let short = free
        .upload_by_hash(&dir.folder_id(), "ab", &md5, data.len() as u64)
        .await
        .unwrap()
        .expect("a hit with a short name");
    assert_eq!(short.name, "ab");
    assert_eq!(e.calls("upload"), nodes, "no bytes sent");
    let mut names: Vec<String> = free
        .list(&dir.folder_id())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    names.sort();
    assert_eq!(names, ["ab", "copy.bin"], "no interim name left behind");
    // createFileByHash itself: unknown content, bad names.
    let err = free
        .create_file_by_hash(&md5_hex(b"nope"), "x.bin", &FolderId::Root, Access::Public)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = free
        .create_file_by_hash(&md5, "ab", &FolderId::Root, Access::Public)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("minimum is 3 characters"), "{err}");
    let made = free
        .create_file_by_hash(&md5, "direct.bin", &FolderId::Root, Access::Private)
        .await
        .unwrap();
    assert!(made.link.unwrap().ends_with(&made.id));

    // Server-side copies are made by hash too, short names included.
    let short = upload(&premium, &FolderId::Root, "s", b"short name").await;
    let copy = premium
        .copy_entry(&short.as_ref(), &FolderId::Root)
        .await
        .expect("copy of a one-letter name");
    assert_ne!(copy.id, short.id);
    assert_eq!(copy.name, "s");
    assert_eq!(read_all(&premium, &copy.as_ref(), 0).await, b"short name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_quota_and_full_folders_are_quota_errors() {
    let e = env(false).await;
    let p = e.premium();
    let kept = upload(&p, &FolderId::Root, "kept.bin", &common::pattern(60_000, 1)).await;
    e.settings(json!({"disk_quota": 100_000})).await;
    let err = p
        .upload(
            &FolderId::Root,
            "too-big.bin",
            UploadBody::from_bytes(common::pattern(50_000, 2)),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("disk quota exceeded"), "{err}");
    let err = p
        .copy_entry(&kept.as_ref(), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Quota, "{err}");
    assert!(err.message.contains("disk quota exceeded"), "{err}");
    e.settings(json!({"disk_quota": null})).await;

    // 61: a folder holds at most 50,000 items.
    let full = p.create_folder(&FolderId::Root, "full").await.unwrap();
    e.fill("k2s", &full.folder_id(), 50_000, "f-").await;
    let folder_full = |err: ProviderError| {
        assert_eq!(err.kind, ErrorKind::Quota, "{err}");
        assert!(err.message.contains("50,000"), "{err}");
    };
    folder_full(
        p.create_folder(&full.folder_id(), "one more")
            .await
            .unwrap_err(),
    );
    folder_full(
        p.upload(
            &full.folder_id(),
            "x.bin",
            UploadBody::from_bytes(&b"x"[..]),
            no_progress(),
        )
        .await
        .unwrap_err(),
    );
    folder_full(
        p.move_entry(&kept.as_ref(), &full.folder_id())
            .await
            .unwrap_err(),
    );
    folder_full(
        p.copy_entry(&kept.as_ref(), &full.folder_id())
            .await
            .unwrap_err(),
    );
    let results = p
        .update_files(
            &[&kept.id],
            &FileChanges {
                new_parent: Some(full.folder_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        results[0].errors,
        ["Limit files in specified folder reached"]
    );
}

/// A tiny HTTP server on loopback: `/files/remote.bin` serves `body`, anything else is 404.
async fn source_server(body: Vec<u8>) -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        "/files/remote.bin",
        axum::routing::get(move || {
            let body = body.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn follow(p: &Keep2Share, job: &str) -> RemoteJobState {
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
async fn remote_uploads_from_a_loopback_server_land_in_the_folder() {
    let payload = common::pattern(300_000, 9);
    let addr = source_server(payload.clone()).await;
    let e = env(false).await;
    let p = e.premium();
    assert!(p.capabilities().remote_url_upload);
    let dir = p.create_folder(&FolderId::Root, "fetched").await.unwrap();
    let job = p
        .remote_upload(&format!("http://{addr}/files/remote.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert!(job.bytes().all(|b| b.is_ascii_digit()), "{job}");
    let RemoteJobState::Done {
        file_id: Some(file_id),
    } = follow(&p, &job).await
    else {
        panic!("the job did not finish with a file");
    };
    let file = p.stat(&EntryRef::file(file_id)).await.unwrap();
    assert_eq!(file.name, "remote.bin");
    assert_eq!(file.size, Some(payload.len() as u64));
    assert_eq!(file.parent, dir.folder_id(), "where it was asked to go");
    let listed = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(read_all(&p, &file.as_ref(), 0).await, payload);
    // Asking again about a finished job does no harm.
    assert!(matches!(
        p.remote_upload_status(&job).await.unwrap(),
        RemoteJobState::Done { .. }
    ));

    // At the root, no move is needed.
    let job = p
        .remote_upload(&format!("http://{addr}/files/remote.bin"), &FolderId::Root)
        .await
        .unwrap();
    assert!(matches!(
        follow(&p, &job).await,
        RemoteJobState::Done { .. }
    ));
    assert!(
        p.list(&FolderId::Root)
            .await
            .unwrap()
            .iter()
            .any(|f| f.name == "remote.bin")
    );

    // A URL the source doesn't have fails on the host; a non-http URL is refused at once.
    let job = p
        .remote_upload(&format!("http://{addr}/missing.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert!(matches!(follow(&p, &job).await, RemoteJobState::Failed(_)));
    let err = p
        .remote_upload("ftp://example.com/x", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("Invalid url"), "{err}");
    let err = p.remote_upload_status("1").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_hosts_and_missing_sessions() {
    let e = env(false).await;
    let p = e.premium();
    p.authenticate().await.unwrap();
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(3),
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(3)));
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 503,
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    e.server.set_faults(Faults::default());
    p.list(&FolderId::Root).await.expect("fine again");

    // A session that can't be renewed (the fault kills every token at once) fails once, in words.
    e.server.set_faults(Faults {
        expire_tokens_after: Some(0),
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(
        err.message.contains("logging in again did not help"),
        "{err}"
    );
    e.server.set_faults(Faults::default());
}
