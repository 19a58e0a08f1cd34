//! Each operation as a small test, gated on the provider's capabilities, run against every
//! emulated provider (through the same retry layer the commands use) and the local disk: what a
//! capability promises works, what it denies answers `Unsupported`, and errors have the kind a
//! caller acts on (a wrong secret, a missing file or folder, an empty folder).

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use haul::cli::open_account::{NetworkSettings, open_account};
use haul::config::secrets::Secret;
use haul::config::{AccountConfig, NetworkConfig, ProviderFamily};
use haul::provider::local::LocalFs;
use haul::provider::{EntryKind, EntryRef, ErrorKind, FolderId, Provider, UploadBody, no_progress};

use crate::common::{self, pattern};

/// The provider under test and the folder it may use.
struct Subject {
    p: Arc<dyn Provider>,
    root: FolderId,
}

fn family(name: &str) -> ProviderFamily {
    match name {
        "yetishare" => ProviderFamily::Yetishare,
        "keep2share" => ProviderFamily::Keep2share,
        _ => ProviderFamily::Xfilesharing,
    }
}

/// An emulator account opened as the commands open it, with `secret` instead of its own if set.
pub(crate) fn open(
    account: &haul::emulator::DemoAccount,
    secret: Option<&str>,
) -> Arc<dyn Provider> {
    let config = AccountConfig {
        provider: family(&account.provider),
        base_url: account.base_url.clone(),
        username: account.username.clone(),
        connections_per_file: None,
    };
    let network = NetworkSettings::new(
        &NetworkConfig {
            requests_per_second: Some(0),
            ..NetworkConfig::default()
        },
        Some(2),
    );
    let secret = Secret::new(secret.unwrap_or(&account.secret).to_string());
    open_account(&config, &secret, &network).expect("the account opens")
}

/// Run `case` on `account` of a fresh emulator ("local": on a temporary folder).
async fn on<F, Fut>(account: &str, case: F)
where
    F: FnOnce(Subject) -> Fut,
    Fut: Future<Output = ()>,
{
    let data = tempfile::tempdir().expect("tempdir");
    if account == "local" {
        let root = FolderId::Id(data.path().display().to_string());
        case(Subject {
            p: Arc::new(LocalFs),
            root,
        })
        .await;
        return;
    }
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .expect("emulator");
    let p = open(&common::account(&server, account), None);
    p.authenticate().await.expect("sign in");
    case(Subject {
        p,
        root: FolderId::Root,
    })
    .await;
    server.shutdown().await;
}

/// One test per provider for each case.
macro_rules! on_every_provider {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn yetishare() {
                super::on("ys", super::cases::$case).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn keep2share() {
                super::on("k2s", super::cases::$case).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn xfilesharing() {
                super::on("xfs", super::cases::$case).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() {
                super::on("local", super::cases::$case).await;
            }
        }
    )*};
}

on_every_provider!(
    create_and_list_a_folder,
    an_empty_folder_lists_nothing,
    upload_and_download_byte_exact,
    download_from_an_offset_where_resumable,
    rename_where_capable,
    move_a_file_where_capable,
    move_a_folder_where_capable,
    copy_where_capable,
    delete_where_capable,
    missing_entries_are_not_found,
);

async fn read_all(p: &dyn Provider, id: &EntryRef, offset: u64) -> (u64, Vec<u8>) {
    let mut dl = p.open_download(id, offset).await.expect("open download");
    let mut out = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    (dl.offset, out)
}

async fn names_in(p: &dyn Provider, folder: &FolderId) -> Vec<String> {
    let mut names: Vec<String> = p
        .list(folder)
        .await
        .expect("list")
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    names
}

async fn upload(s: &Subject, folder: &FolderId, name: &str, data: &[u8]) -> haul::provider::Entry {
    s.p.upload(
        folder,
        name,
        UploadBody::from_bytes(data.to_vec()),
        no_progress(),
    )
    .await
    .expect("upload")
}

mod cases {
    use super::*;

    pub async fn create_and_list_a_folder(s: Subject) {
        let folder = s.p.create_folder(&s.root, "made").await.expect("create");
        assert_eq!(folder.kind, EntryKind::Folder);
        assert_eq!(folder.name, "made");
        let listed = s.p.list(&s.root).await.expect("list");
        assert!(listed.iter().any(|e| e.id == folder.id && e.is_folder()));
    }

    pub async fn an_empty_folder_lists_nothing(s: Subject) {
        let folder = s.p.create_folder(&s.root, "empty").await.expect("create");
        assert!(names_in(s.p.as_ref(), &folder.folder_id()).await.is_empty());
    }

    pub async fn upload_and_download_byte_exact(s: Subject) {
        let data = pattern(3 * 1024 * 1024 + 11, 9);
        let dir = s.p.create_folder(&s.root, "up").await.expect("create");
        let one = upload(&s, &dir.folder_id(), "one.bin", b"z").await;
        let big = upload(&s, &dir.folder_id(), "big.bin", &data).await;
        assert_eq!(one.size, Some(1));
        assert_eq!(big.size, Some(data.len() as u64));
        assert_eq!(
            names_in(s.p.as_ref(), &dir.folder_id()).await,
            ["big.bin", "one.bin"]
        );
        assert_eq!(read_all(s.p.as_ref(), &big.as_ref(), 0).await.1, data);
        assert_eq!(read_all(s.p.as_ref(), &one.as_ref(), 0).await.1, b"z");
        let stat = s.p.stat(&big.as_ref()).await.expect("stat");
        assert_eq!((stat.name.as_str(), stat.size), ("big.bin", big.size));
    }

    pub async fn download_from_an_offset_where_resumable(s: Subject) {
        let data = pattern(1024 * 1024 + 5, 3);
        let file = upload(&s, &s.root, "r.bin", &data).await;
        let start = 700_001;
        let (offset, tail) = read_all(s.p.as_ref(), &file.as_ref(), start).await;
        if s.p.capabilities().resume_download {
            assert_eq!(offset, start);
            assert_eq!(tail, &data[start as usize..]);
            // At the very end: nothing more to read; past it: the caller's mistake, in words.
            let end = data.len() as u64;
            let (offset, rest) = read_all(s.p.as_ref(), &file.as_ref(), end).await;
            assert_eq!((offset, rest.len()), (end, 0));
            let past = s.p.open_download(&file.as_ref(), end + 10).await;
            let err = past.err().expect("an offset past the end is refused");
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
        } else {
            // Without resume the whole file comes, and says so.
            assert_eq!(offset, 0);
            assert_eq!(tail, data);
        }
    }

    pub async fn rename_where_capable(s: Subject) {
        let file = upload(&s, &s.root, "old.txt", b"r").await;
        let result = s.p.rename(&file.as_ref(), "new.txt").await;
        if !s.p.capabilities().rename {
            assert_eq!(result.expect_err("no rename").kind, ErrorKind::Unsupported);
            return;
        }
        result.expect("rename");
        assert_eq!(names_in(s.p.as_ref(), &s.root).await, ["new.txt"]);
    }

    pub async fn move_a_file_where_capable(s: Subject) {
        let dir = s.p.create_folder(&s.root, "to").await.expect("create");
        let file = upload(&s, &s.root, "m.txt", b"m").await;
        let result = s.p.move_entry(&file.as_ref(), &dir.folder_id()).await;
        if !s.p.capabilities().move_files {
            assert_eq!(result.expect_err("no move").kind, ErrorKind::Unsupported);
            return;
        }
        result.expect("move");
        assert_eq!(names_in(s.p.as_ref(), &dir.folder_id()).await, ["m.txt"]);
        assert_eq!(names_in(s.p.as_ref(), &s.root).await, ["to"]);
    }

    pub async fn move_a_folder_where_capable(s: Subject) {
        let a = s.p.create_folder(&s.root, "a").await.expect("create");
        let b = s.p.create_folder(&s.root, "b").await.expect("create");
        let result = s.p.move_entry(&a.as_ref(), &b.folder_id()).await;
        if !s.p.capabilities().move_folders {
            let e = result.expect_err("no folder moves");
            assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
            return;
        }
        result.expect("move a folder");
        assert_eq!(names_in(s.p.as_ref(), &b.folder_id()).await, ["a"]);
        assert_eq!(names_in(s.p.as_ref(), &s.root).await, ["b"]);
    }

    pub async fn copy_where_capable(s: Subject) {
        let dir = s.p.create_folder(&s.root, "copies").await.expect("create");
        let file = upload(&s, &s.root, "c.txt", b"copied").await;
        let result = s.p.copy_entry(&file.as_ref(), &dir.folder_id()).await;
        if !s.p.capabilities().server_side_copy {
            assert_eq!(result.expect_err("no copy").kind, ErrorKind::Unsupported);
            return;
        }
        let copy = result.expect("copy");
        assert_ne!(copy.id, file.id);
        assert_eq!(read_all(s.p.as_ref(), &copy.as_ref(), 0).await.1, b"copied");
        assert_eq!(read_all(s.p.as_ref(), &file.as_ref(), 0).await.1, b"copied");
        assert_eq!(names_in(s.p.as_ref(), &dir.folder_id()).await, ["c.txt"]);
    }

    pub async fn delete_where_capable(s: Subject) {
        let dir = s.p.create_folder(&s.root, "gone").await.expect("create");
        let file = upload(&s, &dir.folder_id(), "d.txt", b"d").await;
        let result = s.p.delete(&file.as_ref()).await;
        if !s.p.capabilities().delete {
            let e = result.expect_err("no delete");
            assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
            return;
        }
        result.expect("delete a file");
        assert!(names_in(s.p.as_ref(), &dir.folder_id()).await.is_empty());
        s.p.delete(&dir.as_ref()).await.expect("delete a folder");
        assert!(names_in(s.p.as_ref(), &s.root).await.is_empty());
    }

    pub async fn missing_entries_are_not_found(s: Subject) {
        let file = s.p.stat(&EntryRef::file("987654321")).await;
        assert_eq!(file.expect_err("missing file").kind, ErrorKind::NotFound);
        let missing_folder = match &s.root {
            FolderId::Id(dir) => FolderId::Id(format!("{dir}/nothing-here")),
            _ => FolderId::Id("987654321".to_string()),
        };
        let listed = s.p.list(&missing_folder).await;
        assert_eq!(
            listed.expect_err("missing folder").kind,
            ErrorKind::NotFound
        );
    }
}

/// A wrong secret is an authentication error on every host, and stops its account: the next
/// call fails at once without asking the host again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_an_auth_error_on_every_host() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .expect("emulator");
    for name in ["ys", "k2s", "xfs"] {
        let account = common::account(&server, name);
        let wrong = match account.provider.as_str() {
            "yetishare" => "a".repeat(64) + ":" + &"b".repeat(64),
            _ => "not-the-secret-at-all".to_string(),
        };
        let p = open(&account, Some(&wrong));
        let e = p.authenticate().await.expect_err("a wrong secret");
        assert_eq!(e.kind, ErrorKind::Auth, "{name}: {e}");
        let before = server.stats()["requests"].as_u64();
        let again = p.list(&FolderId::Root).await.expect_err("stopped");
        assert_eq!(again.kind, ErrorKind::Auth, "{name}: {again}");
        assert_eq!(
            server.stats()["requests"].as_u64(),
            before,
            "{name}: the stopped account is not asked again"
        );
    }
    server.shutdown().await;
}

/// Keep2Share's own client stays under 5 requests a second: so does haul by default, for every
/// task of the host together. Other hosts get no pacing unless configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep2share_is_paced_by_default_and_the_others_are_not() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .expect("emulator");
    let network = NetworkSettings::new(&NetworkConfig::default(), None);
    for (name, paced) in [("k2s", true), ("ys", false)] {
        let account = common::account(&server, name);
        let config = AccountConfig {
            provider: family(&account.provider),
            base_url: account.base_url.clone(),
            username: account.username.clone(),
            connections_per_file: None,
        };
        let p =
            open_account(&config, &Secret::new(account.secret.clone()), &network).expect("opens");
        p.authenticate().await.expect("sign in");
        let before = server.stats()["requests"].as_u64().unwrap_or(0);
        let started = std::time::Instant::now();
        let calls = (0..4).map(|_| {
            let p = p.clone();
            async move {
                for _ in 0..4 {
                    p.list(&FolderId::Root).await.expect("list");
                }
            }
        });
        futures::future::join_all(calls).await;
        let took = started.elapsed();
        let requests = server.stats()["requests"].as_u64().unwrap_or(0) - before;
        let rate = requests as f64 / took.as_secs_f64();
        if paced {
            assert!(rate <= 6.0, "{name}: {requests} requests in {took:?}");
        } else {
            assert!(rate > 20.0, "{name}: {requests} requests in {took:?}");
        }
    }
    server.shutdown().await;
}
