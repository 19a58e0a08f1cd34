//! The transfer engine over real HTTP against the emulator and its fault knobs.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use haul::emulator::{EmulatorHandle, Faults};
use haul::provider::yetishare::{Credentials, YetiShare};
use haul::provider::{Capabilities, EntryKind, FolderId, Provider, ProviderError, UploadBody};
use haul::transfer::retry::RetryPolicy;
use haul::transfer::{
    Accounts, ConflictAnswer, ConflictPolicy, Engine, EngineConfig, Event, FolderAddr, ItemAddr,
    JobSpec, JobState, Journal, LOCAL, Question,
};

struct TestAccounts(HashMap<String, Arc<dyn Provider>>);

#[async_trait::async_trait]
impl Accounts for TestAccounts {
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>, ProviderError> {
        self.0
            .get(account)
            .cloned()
            .ok_or_else(|| ProviderError::fatal(format!("no account {account}")))
    }
}

/// A real provider that pretends its host has no remote-URL upload (to force a relay).
struct WithoutRemoteUpload(Arc<dyn Provider>);

#[async_trait::async_trait]
impl Provider for WithoutRemoteUpload {
    fn family(&self) -> &'static str {
        self.0.family()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            remote_url_upload: false,
            ..self.0.capabilities()
        }
    }
    async fn authenticate(&self) -> haul::provider::Result<()> {
        self.0.authenticate().await
    }
    async fn list(&self, f: &FolderId) -> haul::provider::Result<Vec<haul::provider::Entry>> {
        self.0.list(f).await
    }
    async fn stat(
        &self,
        e: &haul::provider::EntryRef,
    ) -> haul::provider::Result<haul::provider::Entry> {
        self.0.stat(e).await
    }
    async fn create_folder(
        &self,
        p: &FolderId,
        n: &str,
    ) -> haul::provider::Result<haul::provider::Entry> {
        self.0.create_folder(p, n).await
    }
    async fn rename(&self, e: &haul::provider::EntryRef, n: &str) -> haul::provider::Result<()> {
        self.0.rename(e, n).await
    }
    async fn move_entry(
        &self,
        e: &haul::provider::EntryRef,
        d: &FolderId,
    ) -> haul::provider::Result<()> {
        self.0.move_entry(e, d).await
    }
    async fn copy_entry(
        &self,
        e: &haul::provider::EntryRef,
        d: &FolderId,
    ) -> haul::provider::Result<haul::provider::Entry> {
        self.0.copy_entry(e, d).await
    }
    async fn delete(&self, e: &haul::provider::EntryRef) -> haul::provider::Result<()> {
        self.0.delete(e).await
    }
    async fn upload(
        &self,
        p: &FolderId,
        n: &str,
        b: UploadBody,
        pr: haul::provider::ProgressFn,
    ) -> haul::provider::Result<haul::provider::Entry> {
        self.0.upload(p, n, b, pr).await
    }
    async fn open_download(
        &self,
        f: &haul::provider::EntryRef,
        o: u64,
    ) -> haul::provider::Result<haul::provider::DownloadStream> {
        self.0.open_download(f, o).await
    }
    async fn public_link(&self, e: &haul::provider::EntryRef) -> haul::provider::Result<String> {
        self.0.public_link(e).await
    }
    async fn account_info(&self) -> haul::provider::Result<haul::provider::AccountInfo> {
        self.0.account_info().await
    }
}

struct Env {
    server: EmulatorHandle,
    _data: tempfile::TempDir,
    dir: tempfile::TempDir,
}

async fn env() -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .unwrap();
    Env {
        server,
        _data: data,
        dir: tempfile::tempdir().unwrap(),
    }
}

fn yetishare(server: &EmulatorHandle, name: &str) -> Arc<dyn Provider> {
    let acc = common::account(server, name);
    Arc::new(
        YetiShare::new(
            &acc.base_url,
            Credentials::from_secret(None, &acc.secret).unwrap(),
        )
        .unwrap(),
    )
}

fn quick_config() -> EngineConfig {
    EngineConfig {
        retry: RetryPolicy {
            retries: 12,
            base: Duration::from_millis(5),
            max: Duration::from_millis(200),
        },
        ..EngineConfig::default()
    }
}

fn start(
    accounts: Vec<(&str, Arc<dyn Provider>)>,
    config: EngineConfig,
) -> (Engine, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let accounts = accounts
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    Engine::start(
        config,
        Journal::in_memory().unwrap(),
        Arc::new(TestAccounts(accounts)),
    )
    .unwrap()
}

/// Drain events until the engine is idle, answering questions with `answer`.
async fn run_to_idle(
    engine: &Engine,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    answer: impl Fn(Question),
) {
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    let deadline = tokio::time::sleep(Duration::from_secs(120));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut idle => return,
            _ = &mut deadline => panic!("engine did not finish in time"),
            ev = events.recv() => match ev {
                Some(Event::Ask(q)) => answer(q),
                Some(_) => {}
                None => return,
            },
        }
    }
}

fn remote_folder(account: &str, id: Option<String>, shown: &str) -> FolderAddr {
    FolderAddr {
        account: account.into(),
        id,
        shown: shown.into(),
    }
}

fn local_item(path: &Path) -> ItemAddr {
    let meta = std::fs::metadata(path).unwrap();
    ItemAddr {
        account: LOCAL.into(),
        id: path.display().to_string(),
        kind: if meta.is_dir() {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        size: meta.is_file().then_some(meta.len()),
        md5: None,
        shown: path.display().to_string(),
    }
}

fn remote_item(account: &str, e: &haul::provider::Entry) -> ItemAddr {
    ItemAddr {
        account: account.into(),
        id: e.id.clone(),
        kind: e.kind,
        name: e.name.clone(),
        size: e.size,
        md5: e.md5.clone(),
        shown: format!("{account}:/{}", e.name),
    }
}

fn copy(from: ItemAddr, to: FolderAddr) -> JobSpec {
    JobSpec::Copy {
        name: from.name.clone(),
        from,
        to,
        remove_source: false,
    }
}

fn make_tree(root: &Path, files: usize, seed: u64) -> PathBuf {
    let dir = root.join("batch");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..files {
        let len = 1 + (i * 977 + seed as usize) % 4000;
        std::fs::write(
            dir.join(format!("f{i:04}.bin")),
            common::pattern(len, seed + i as u64),
        )
        .unwrap();
    }
    dir
}

async fn all_jobs_done(engine: &Engine) {
    for job in engine.jobs().await {
        assert!(
            matches!(job.state, JobState::Done { .. }),
            "job {} ended {:?}",
            job.spec,
            job.state
        );
    }
}

/// Remote folder named `name` under the root, listed by name.
async fn remote_files(p: &dyn Provider, name: &str) -> Vec<haul::provider::Entry> {
    let root = p.list(&FolderId::Root).await.unwrap();
    let folder = root
        .iter()
        .find(|e| e.name == name)
        .expect("folder uploaded");
    p.list(&folder.folder_id()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_file_folder_upload_with_faults_lands_once_each_byte_exact() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 500, 1);
    e.server.set_faults(Faults {
        fail_every: Some(5),
        fail_status: 503,
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    e.server.set_faults(Faults::default());
    let files = remote_files(ys.as_ref(), "batch").await;
    assert_eq!(files.len(), 500, "every file once, none twice");
    // Byte-exact: bring the folder back and compare.
    let back = e.dir.path().join("back");
    std::fs::create_dir_all(&back).unwrap();
    let root = ys.list(&FolderId::Root).await.unwrap();
    let folder = root.iter().find(|x| x.name == "batch").unwrap();
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(remote_item("ys", folder), FolderAddr::local(&back)))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    for i in 0..500 {
        let name = format!("f{i:04}.bin");
        assert_eq!(
            std::fs::read(back.join("batch").join(&name)).unwrap(),
            std::fs::read(tree.join(&name)).unwrap(),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_survive_503s_and_cut_bodies_byte_exact() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let folder = ys.create_folder(&FolderId::Root, "cut").await.unwrap();
    let mut originals = HashMap::new();
    for i in 0..6 {
        let data = common::pattern(300_000 + i * 1000, 40 + i as u64);
        let name = format!("c{i}.bin");
        ys.upload(
            &folder.folder_id(),
            &name,
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
        originals.insert(name, data);
    }
    e.server.set_faults(Faults {
        fail_every: Some(5),
        fail_status: 503,
        cut_body_after: Some(64 * 1024),
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    let out = e.dir.path().join("out");
    engine
        .enqueue(copy(remote_item("ys", &folder), FolderAddr::local(&out)))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    for (name, data) in originals {
        assert_eq!(
            std::fs::read(out.join("cut").join(&name)).unwrap(),
            data,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_during_a_200_file_batch() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let tree = make_tree(e.dir.path(), 200, 7);
    e.server.set_faults(Faults {
        expire_tokens_after: Some(7),
        ..Default::default()
    });
    let (engine, mut events) = start(vec![("ys", ys.clone())], quick_config());
    engine
        .enqueue(copy(local_item(&tree), remote_folder("ys", None, "ys:/")))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    e.server.set_faults(Faults::default());
    let files = remote_files(ys.as_ref(), "batch").await;
    assert_eq!(files.len(), 200);
    let mut names: Vec<_> = files.iter().map(|f| f.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 200, "no duplicates");
    assert!(
        e.server.stats()["tokens_issued"].as_u64().unwrap() > 10,
        "tokens were renewed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limits_are_respected() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let folder = ys.create_folder(&FolderId::Root, "par").await.unwrap();
    for i in 0..8 {
        ys.upload(
            &folder.folder_id(),
            &format!("p{i}"),
            UploadBody::from_bytes(vec![i as u8; 50_000]),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    }
    for (max_transfers, per_account, expected) in [(2, 8, 2), (4, 1, 1)] {
        e.server.set_faults(Faults::default());
        let out = e
            .dir
            .path()
            .join(format!("par-{max_transfers}-{per_account}"));
        let (engine, mut events) = start(
            vec![("ys", ys.clone())],
            EngineConfig {
                max_transfers,
                per_account,
                ..quick_config()
            },
        );
        let files = ys.list(&folder.folder_id()).await.unwrap();
        // A first transfer makes the engine learn the account's plan limits.
        engine
            .enqueue(copy(
                remote_item("ys", &files[0]),
                FolderAddr::local(&out.join("warm-up")),
            ))
            .unwrap();
        run_to_idle(&engine, &mut events, |_| {}).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        e.server.set_faults(Faults {
            delay_ms: 60,
            ..Default::default()
        });
        reqwest::Client::new()
            .post(format!("{}/__emulator/stats/reset", e.server.base_url()))
            .send()
            .await
            .unwrap();
        for f in &files {
            engine
                .enqueue(copy(remote_item("ys", f), FolderAddr::local(&out)))
                .unwrap();
        }
        run_to_idle(&engine, &mut events, |_| {}).await;
        all_jobs_done(&engine).await;
        let max = e.server.stats()["max_in_flight"].as_u64().unwrap();
        assert_eq!(
            max, expected,
            "at most {expected} at once (and the limit was used)"
        );
    }
}

async fn big_remote_file(ys: &Arc<dyn Provider>, len: usize) -> (haul::provider::Entry, Vec<u8>) {
    let data = common::pattern(len, 99);
    let entry = ys
        .upload(
            &FolderId::Root,
            "big.bin",
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    (entry, data)
}

async fn wait_for_progress(
    engine: &Engine,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
            Ok(Some(Event::Progress { done, .. })) if done > 200_000 => return,
            Ok(Some(_)) => {}
            _ => panic!("no progress"),
        }
        let _ = engine;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_leaves_no_file_and_pause_resumes_where_it_stopped() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 4 * 1024 * 1024).await;
    let out = e.dir.path().join("dl");
    let config = EngineConfig {
        bwlimit: Some(1024 * 1024),
        ..quick_config()
    };

    let (engine, mut events) = start(vec![("ys", ys.clone())], config.clone());
    let id = engine
        .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
        .unwrap();
    wait_for_progress(&engine, &mut events).await;
    engine.cancel(id);
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(engine.jobs().await[0].state, JobState::Cancelled);
    assert!(!out.join("big.bin").exists(), "no final file");
    assert!(!out.join("big.bin.haul-part").exists(), "no part file");

    let (engine, mut events) = start(vec![("ys", ys.clone())], config);
    let id = engine
        .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
        .unwrap();
    wait_for_progress(&engine, &mut events).await;
    engine.pause(id);
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(engine.jobs().await[0].state, JobState::Paused);
    let kept = std::fs::metadata(out.join("big.bin.haul-part"))
        .unwrap()
        .len();
    assert!(kept > 0 && kept < data.len() as u64);
    engine.set_bwlimit(None);
    engine.resume(id);
    let mut resumed_at = None;
    loop {
        match tokio::time::timeout(Duration::from_secs(60), events.recv()).await {
            Ok(Some(Event::Note { message, .. })) if message.contains("resuming at byte") => {
                resumed_at = Some(message);
            }
            Ok(Some(Event::Changed(v))) if v.state.is_finished() => break,
            Ok(Some(_)) => {}
            _ => panic!("resume did not finish"),
        }
    }
    assert_eq!(engine.jobs().await[0].state, JobState::Done { note: None });
    assert!(resumed_at.unwrap().ends_with(&format!("byte {kept}")));
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_follow_each_policy() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let data = common::pattern(200_000, 3);
    let entry = ys
        .upload(
            &FolderId::Root,
            "c.bin",
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();
    let item = remote_item("ys", &entry);
    let case = |policy: ConflictPolicy, existing: Vec<u8>| {
        let dir = e.dir.path().join(format!("{policy:?}-{}", existing.len()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("c.bin"), &existing).unwrap();
        (dir, policy)
    };
    let run = async |dir: &Path, policy: ConflictPolicy| {
        let (engine, mut events) = start(
            vec![("ys", ys.clone())],
            EngineConfig {
                on_conflict: policy,
                ..quick_config()
            },
        );
        engine
            .enqueue(copy(item.clone(), FolderAddr::local(dir)))
            .unwrap();
        run_to_idle(&engine, &mut events, |q| {
            if let Question::Conflict { reply, .. } = q {
                let _ = reply.send(ConflictAnswer {
                    choice: ConflictPolicy::Overwrite,
                    apply_to_all: true,
                });
            }
        })
        .await;
        engine.jobs().await.remove(0).state
    };
    let other = b"someone else's file".to_vec();

    let (d, p) = case(ConflictPolicy::Fail, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Failed { .. }));
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);

    let (d, p) = case(ConflictPolicy::Skip, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Done { .. }));
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);

    let (d, p) = case(ConflictPolicy::Overwrite, other.clone());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::Rename, other.clone());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), other);
    assert_eq!(std::fs::read(d.join("c (1).bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::Resume, data[..77_777].to_vec());
    run(&d, p).await;
    assert_eq!(std::fs::read(d.join("c.bin")).unwrap(), data);

    let (d, p) = case(ConflictPolicy::SkipIdentical, data.clone());
    assert!(matches!(run(&d, p).await, JobState::Done { note: Some(n) } if n.contains("complete")));
    let (d, p) = case(ConflictPolicy::SkipIdentical, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Failed { .. }));

    let (d, p) = case(ConflictPolicy::Ask, other.clone());
    assert!(matches!(run(&d, p).await, JobState::Done { .. }));
    assert_eq!(
        std::fs::read(d.join("c.bin")).unwrap(),
        data,
        "answered: overwrite"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_account_copies_by_remote_url_and_by_relay() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let free = yetishare(&e.server, "ys-free");
    let data = common::pattern(500_000, 8);
    let entry = ys
        .upload(
            &FolderId::Root,
            "x.bin",
            UploadBody::from_bytes(data.clone()),
            haul::provider::no_progress(),
        )
        .await
        .unwrap();

    // ys -> ys-free: the destination host fetches a direct link.
    let (engine, mut events) = start(
        vec![("ys", ys.clone()), ("ys-free", free.clone())],
        quick_config(),
    );
    engine
        .enqueue(copy(
            remote_item("ys", &entry),
            remote_folder("ys-free", None, "ys-free:/"),
        ))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(
        engine.jobs().await[0].state,
        JobState::Done {
            note: Some("fetched by the destination host".into())
        }
    );
    let copied = free.list(&FolderId::Root).await.unwrap();
    let copied = copied
        .iter()
        .find(|f| f.name == "x.bin")
        .expect("named like the source");
    let back = common_read(free.as_ref(), copied).await;
    assert_eq!(back, data);

    // ys-free -> ys, with the destination unable to fetch URLs: streamed relay.
    let relay_ys: Arc<dyn Provider> = Arc::new(WithoutRemoteUpload(ys.clone()));
    let dest = ys.create_folder(&FolderId::Root, "relayed").await.unwrap();
    let (engine, mut events) = start(
        vec![("ys", relay_ys), ("ys-free", free.clone())],
        quick_config(),
    );
    engine
        .enqueue(copy(
            remote_item("ys-free", copied),
            remote_folder("ys", Some(dest.id.clone()), "ys:/relayed"),
        ))
        .unwrap();
    run_to_idle(&engine, &mut events, |_| {}).await;
    assert_eq!(
        engine.jobs().await[0].state,
        JobState::Done {
            note: Some("relayed".into())
        }
    );
    let relayed = ys.list(&dest.folder_id()).await.unwrap();
    assert_eq!(relayed.len(), 1);
    assert_eq!(common_read(ys.as_ref(), &relayed[0]).await, data);
}

async fn common_read(p: &dyn Provider, e: &haul::provider::Entry) -> Vec<u8> {
    use futures::StreamExt;
    let mut dl = p.open_download(&e.as_ref(), 0).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = dl.body.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_brings_unfinished_jobs_back() {
    let e = env().await;
    let ys = yetishare(&e.server, "ys");
    let (entry, data) = big_remote_file(&ys, 8 * 1024 * 1024).await;
    let path = e.dir.path().join("queue.sqlite");
    let out = e.dir.path().join("j");
    let accounts = || {
        Arc::new(TestAccounts(
            [("ys".to_string(), ys.clone())].into_iter().collect(),
        ))
    };
    {
        let (engine, mut events) = Engine::start(
            EngineConfig {
                bwlimit: Some(512 * 1024),
                ..quick_config()
            },
            Journal::open(&path).unwrap(),
            accounts(),
        )
        .unwrap();
        engine
            .enqueue(copy(remote_item("ys", &entry), FolderAddr::local(&out)))
            .unwrap();
        wait_for_progress(&engine, &mut events).await;
        engine.pause_all();
        run_to_idle(&engine, &mut events, |_| {}).await;
    }
    let (engine, mut events) = Engine::start(
        EngineConfig {
            resume_unfinished: true,
            ..quick_config()
        },
        Journal::open(&path).unwrap(),
        accounts(),
    )
    .unwrap();
    // Paused by a person stays paused; resume_all brings it back.
    assert_eq!(engine.jobs().await[0].state, JobState::Paused);
    engine.resume_all();
    run_to_idle(&engine, &mut events, |_| {}).await;
    all_jobs_done(&engine).await;
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), data);
    assert_eq!(engine.clear_finished().await, 1);
    assert!(Journal::open(&path).unwrap().load().unwrap().is_empty());
}

/// A folder of 100,000 files starts at once: its first file lands while the folder job is
/// still queueing the rest, not after all of them are journaled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100000_file_folder_starts_copying_before_it_is_fully_queued() {
    const FILES: usize = 100_000;
    let e = env().await;
    let src = e.dir.path().join("huge");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..FILES {
        std::fs::write(src.join(format!("f{i:06}")), b"x").unwrap();
    }
    let out = e.dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (engine, mut events) = start(vec![], quick_config());
    let started = std::time::Instant::now();
    let parent = engine
        .enqueue(copy(local_item(&src), FolderAddr::local(&out)))
        .unwrap();
    let deadline = tokio::time::sleep(Duration::from_secs(120));
    tokio::pin!(deadline);
    let first_child = loop {
        tokio::select! {
            _ = &mut deadline => panic!("no file was copied in time"),
            ev = events.recv() => match ev.expect("engine running") {
                Event::Changed(v) if v.parent == Some(parent)
                    && matches!(v.state, JobState::Done { .. }) => break started.elapsed(),
                Event::Changed(v) if v.id == parent => assert!(
                    !matches!(v.state, JobState::Done { .. }),
                    "the folder job finished queueing before any file was copied"
                ),
                _ => {}
            },
        }
    };
    let jobs = engine.jobs().await;
    let queued = jobs.iter().filter(|j| j.parent == Some(parent)).count();
    let parent_state = jobs
        .iter()
        .find(|j| j.id == parent)
        .map(|j| j.state.clone());
    assert!(
        queued < FILES,
        "all {queued} children were queued before the first file landed ({first_child:?}); \
         the folder job is {parent_state:?}"
    );
    let landed: Vec<_> = std::fs::read_dir(out.join("huge"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none())
        .collect();
    assert!(!landed.is_empty(), "a finished child left no file");
    for file in &landed {
        assert_eq!(std::fs::read(file).unwrap(), b"x");
    }
    eprintln!("first file after {first_child:?}, {queued} of {FILES} queued by then");
    engine.cancel(parent);
}
