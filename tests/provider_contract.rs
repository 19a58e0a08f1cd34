//! One suite every provider must pass, run against each emulated provider and the local disk.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use haul::provider::{
    EntryKind, ErrorKind, FolderId, Provider, UploadBody, local::LocalFs, no_progress,
};
use sha2::Digest;

async fn read_all(p: &dyn Provider, id: &haul::provider::EntryRef, offset: u64) -> (u64, Vec<u8>) {
    let mut dl = p.open_download(id, offset).await.expect("open download");
    let mut out = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    (dl.offset, out)
}

fn sha(data: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(data))
}

/// The contract: browse, create, upload, download (whole and from an offset), rename, move,
/// copy, delete, stat, not-found errors.
async fn contract(p: Arc<dyn Provider>, root: FolderId) {
    let p = p.as_ref();
    p.authenticate().await.expect("authenticate");
    let caps = p.capabilities();

    let folder = p
        .create_folder(&root, "contract")
        .await
        .expect("create folder");
    assert_eq!(folder.kind, EntryKind::Folder);
    assert_eq!(folder.name, "contract");
    let listed = p.list(&root).await.expect("list root");
    assert!(listed.iter().any(|e| e.id == folder.id && e.is_folder()));
    let dir = folder.folder_id();

    // Upload: 1 byte and 10 MiB, streamed, with progress.
    let small = p
        .upload(
            &dir,
            "one.bin",
            UploadBody::from_bytes(&b"z"[..]),
            no_progress(),
        )
        .await
        .expect("upload 1 byte");
    assert_eq!(small.size, Some(1));
    let big_data = common::pattern(10 * 1024 * 1024, 42);
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &big_data).unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let big = p
        .upload(
            &dir,
            "big.bin",
            UploadBody::from_file(tmp.path()).await.unwrap(),
            Arc::new(move |n| {
                counter.fetch_add(n, Ordering::Relaxed);
            }),
        )
        .await
        .expect("upload 10 MiB");
    assert_eq!(big.size, Some(big_data.len() as u64));
    assert_eq!(sent.load(Ordering::Relaxed), big_data.len() as u64);

    let mut names: Vec<(String, Option<u64>)> = p
        .list(&dir)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.size))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("big.bin".to_string(), Some(big_data.len() as u64)),
            ("one.bin".to_string(), Some(1))
        ]
    );

    // Download whole, and from an offset (resume).
    let (off, whole) = read_all(p, &big.as_ref(), 0).await;
    assert_eq!(off, 0);
    assert_eq!(sha(&whole), sha(&big_data));
    let (_, tiny) = read_all(p, &small.as_ref(), 0).await;
    assert_eq!(tiny, b"z");
    if caps.resume_download {
        let start = 5 * 1024 * 1024 + 3;
        let (off, tail) = read_all(p, &big.as_ref(), start).await;
        assert_eq!(off, start);
        assert_eq!(sha(&tail), sha(&big_data[start as usize..]));
    }

    // Stat, rename, move, copy, delete.
    let info = p.stat(&small.as_ref()).await.expect("stat");
    assert_eq!(info.name, "one.bin");
    p.rename(&small.as_ref(), "uno.bin").await.expect("rename");
    // Ids may change on rename and move for path-addressed providers: find entries by name.
    let renamed = p
        .list(&dir)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name == "uno.bin")
        .expect("renamed entry listed");
    assert!(
        !p.list(&dir)
            .await
            .unwrap()
            .iter()
            .any(|e| e.name == "one.bin")
    );
    let sub = p.create_folder(&dir, "sub").await.unwrap();
    p.move_entry(&renamed.as_ref(), &sub.folder_id())
        .await
        .expect("move");
    let in_sub = p.list(&sub.folder_id()).await.unwrap();
    assert_eq!(
        in_sub.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["uno.bin"]
    );
    assert!(
        !p.list(&dir)
            .await
            .unwrap()
            .iter()
            .any(|e| e.name == "uno.bin")
    );
    let moved = in_sub[0].clone();
    if caps.server_side_copy {
        let copy = p.copy_entry(&moved.as_ref(), &dir).await.expect("copy");
        assert_ne!(copy.id, moved.id);
        assert_eq!(read_all(p, &copy.as_ref(), 0).await.1, b"z");
        assert_eq!(read_all(p, &moved.as_ref(), 0).await.1, b"z");
    }
    if caps.delete {
        p.delete(&moved.as_ref()).await.expect("delete file");
        assert!(p.list(&sub.folder_id()).await.unwrap().is_empty());
        p.delete(&sub.as_ref()).await.expect("delete folder");
        assert!(!p.list(&dir).await.unwrap().iter().any(|e| e.name == "sub"));
    }
    let missing = p.stat(&haul::provider::EntryRef::file("987654321")).await;
    assert_eq!(missing.expect_err("missing file").kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn local_filesystem_passes_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(
        Arc::new(LocalFs),
        FolderId::Id(dir.path().display().to_string()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yetishare_passes_the_contract() {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .unwrap();
    let acc = common::account(&server, "ys");
    let creds = haul::provider::yetishare::Credentials::from_secret(None, &acc.secret).unwrap();
    let p = haul::provider::yetishare::YetiShare::new(&acc.base_url, creds).unwrap();
    contract(Arc::new(p), FolderId::Root).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep2share_passes_the_contract() {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .unwrap();
    let acc = common::account(&server, "k2s");
    let creds =
        haul::provider::keep2share::Credentials::from_secret(acc.username.as_deref(), &acc.secret)
            .unwrap();
    let p = haul::provider::keep2share::Keep2Share::new(&acc.base_url, creds).unwrap();
    contract(Arc::new(p), FolderId::Root).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xfilesharing_passes_the_contract() {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .unwrap();
    let acc = common::account(&server, "xfs");
    let p = haul::provider::xfilesharing::XFileSharing::new(&acc.base_url, &acc.secret).unwrap();
    contract(Arc::new(p), FolderId::Root).await;
    server.shutdown().await;
}
