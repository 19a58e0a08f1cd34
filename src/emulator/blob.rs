//! Receiving file bytes: chunks go straight from the network to a temp file on a blocking
//! thread that also computes the MD5 (and the SHA-1 of the first 5 MiB, which Keep2Share's
//! dedupe asks about), so a large upload never sits in memory.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use md5::{Digest, Md5};
use sha1::Sha1;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Chunks queued between the network and the disk (each a few KiB to a few hundred KiB).
const QUEUED_CHUNKS: usize = 32;
/// How much of the start of a file [`WrittenBlob::head_sha1`] covers.
pub(crate) const HEAD_HASH_LEN: u64 = 5 * 1024 * 1024;

/// A file under the data dir that is removed when dropped, unless kept by [`TempBlob::keep_as`].
pub(crate) struct TempBlob {
    path: Option<PathBuf>,
}

impl TempBlob {
    /// Moves the bytes to their final place.
    pub(crate) async fn keep_as(mut self, target: &Path) -> io::Result<()> {
        let Some(path) = self.path.take() else {
            return Err(io::Error::other("temp blob already kept"));
        };
        if let Err(error) = tokio::fs::rename(&path, target).await {
            self.path = Some(path);
            return Err(error);
        }
        Ok(())
    }
}

impl Drop for TempBlob {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What was written: the file and the facts about its content.
pub(crate) struct WrittenBlob {
    pub(crate) file: TempBlob,
    pub(crate) size: u64,
    pub(crate) md5: String,
    /// SHA-1 of the first [`HEAD_HASH_LEN`] bytes (of all of them in a smaller file).
    pub(crate) head_sha1: String,
}

pub(crate) struct BlobWriter {
    chunks: mpsc::Sender<Bytes>,
    worker: JoinHandle<io::Result<Digests>>,
    file: TempBlob,
}

impl BlobWriter {
    /// Creates a fresh temp file in `dir`.
    pub(crate) async fn create(dir: &Path) -> io::Result<Self> {
        let path = dir.join(format!("{}.part", hex::encode(rand::random::<[u8; 16]>())));
        let file = tokio::fs::File::create(&path).await?.into_std().await;
        let (chunks, receiver) = mpsc::channel(QUEUED_CHUNKS);
        let worker = tokio::task::spawn_blocking(move || write_all_chunks(file, receiver));
        Ok(Self {
            chunks,
            worker,
            file: TempBlob { path: Some(path) },
        })
    }

    /// Queues a chunk; `false` when the writer has stopped on an error ([`Self::finish`] says
    /// which).
    pub(crate) async fn write(&self, chunk: Bytes) -> bool {
        self.chunks.send(chunk).await.is_ok()
    }

    /// Waits until every queued chunk is on disk.
    pub(crate) async fn finish(self) -> io::Result<WrittenBlob> {
        drop(self.chunks);
        let digests = self
            .worker
            .await
            .map_err(|error| io::Error::other(format!("blob writer failed: {error}")))??;
        Ok(WrittenBlob {
            file: self.file,
            size: digests.size,
            md5: digests.md5,
            head_sha1: digests.head_sha1,
        })
    }
}

struct Digests {
    size: u64,
    md5: String,
    head_sha1: String,
}

fn write_all_chunks(mut file: File, mut chunks: mpsc::Receiver<Bytes>) -> io::Result<Digests> {
    let mut md5 = Md5::new();
    let mut head_sha1 = Sha1::new();
    let mut size = 0u64;
    while let Some(chunk) = chunks.blocking_recv() {
        md5.update(&chunk);
        let head_left = usize::try_from(HEAD_HASH_LEN.saturating_sub(size)).unwrap_or(usize::MAX);
        head_sha1.update(&chunk[..chunk.len().min(head_left)]);
        file.write_all(&chunk)?;
        size += chunk.len() as u64;
    }
    file.flush()?;
    Ok(Digests {
        size,
        md5: hex::encode(md5.finalize()),
        head_sha1: hex::encode(head_sha1.finalize()),
    })
}
