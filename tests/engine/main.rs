//! The transfer engine over real HTTP against the emulator and its fault knobs.

#[path = "../common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use haul::emulator::{EmulatorHandle, Faults};
use haul::http::RetryPolicy;
use haul::provider::yetishare::{Credentials, YetiShare};
use haul::provider::{Capabilities, EntryKind, FolderId, Provider, ProviderError, UploadBody};
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
            ..RetryPolicy::default()
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
        follow_links: false,
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

mod control_and_conflicts;
mod cross_account_and_journal;
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

mod faults_and_limits;
mod integrity_copy;
mod integrity_download;
mod integrity_names;
mod integrity_upload;
