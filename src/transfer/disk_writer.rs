//! The download's disk side: received chunks are gathered (without copying) and written with
//! one vectored write per megabyte; the md5, when the host gives one to check against, is
//! computed on another thread from the same chunks.

use std::io::{IoSlice, Read, Seek, SeekFrom, Write};
use std::path::Path;

use bytes::Bytes;
use md5::Digest;
use tokio::sync::oneshot;

/// Disk writes are at least this large (except the last).
const WRITE_SIZE: usize = 1024 * 1024;

pub struct DiskWriter {
    file: std::fs::File,
    pending: Vec<Bytes>,
    pending_len: usize,
    hasher: Option<InlineHasher>,
}

impl DiskWriter {
    /// Open `part`, cut it to `offset` and write from there. With `hash`, the md5 of the whole
    /// file (the existing prefix included) is computed along the way.
    pub fn start(part: &Path, offset: u64, hash: bool) -> std::io::Result<DiskWriter> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(part)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        let hasher = if hash {
            Some(InlineHasher::start(part, offset)?)
        } else {
            None
        };
        Ok(DiskWriter {
            file,
            pending: Vec::new(),
            pending_len: 0,
            hasher,
        })
    }

    /// Take a chunk; writes once a megabyte has gathered.
    pub fn write(&mut self, chunk: Bytes) -> std::io::Result<()> {
        if let Some(h) = &self.hasher {
            h.feed(chunk.clone());
        }
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.pending_len >= WRITE_SIZE {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let (file, pending) = (&mut self.file, &self.pending);
        blocking(|| write_all_vectored(file, pending))?;
        self.pending.clear();
        self.pending_len = 0;
        Ok(())
    }

    /// Write what is left and close: the md5, when asked for.
    pub async fn finish(mut self) -> std::io::Result<Option<String>> {
        self.flush()?;
        match self.hasher.take() {
            Some(h) => h.finish().await.map(Some),
            None => Ok(None),
        }
    }
}

/// Run blocking disk work without stalling the other tasks of a multi-threaded runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn write_all_vectored(file: &mut std::fs::File, chunks: &[Bytes]) -> std::io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
    let mut rest: &mut [IoSlice<'_>] = &mut slices;
    while !rest.is_empty() {
        let n = file.write_vectored(rest)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut rest, n);
    }
    Ok(())
}

/// md5 on a thread of its own, fed the same chunks (after the part's existing prefix).
struct InlineHasher {
    tx: std::sync::mpsc::SyncSender<Bytes>,
    done: oneshot::Receiver<std::io::Result<String>>,
}

impl InlineHasher {
    fn start(part: &Path, prefix: u64) -> std::io::Result<InlineHasher> {
        let mut existing = std::fs::File::open(part)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(256);
        let (done_tx, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("haul-md5".into())
            .spawn(move || {
                let result = (|| {
                    let mut hasher = md5::Md5::new();
                    let mut head = (&mut existing).take(prefix);
                    let mut buf = vec![0u8; WRITE_SIZE];
                    loop {
                        let n = head.read(&mut buf)?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&buf[..n]);
                    }
                    for chunk in rx {
                        hasher.update(&chunk);
                    }
                    Ok(hex::encode(hasher.finalize()))
                })();
                let _ = done_tx.send(result);
            })?;
        Ok(InlineHasher { tx, done })
    }

    fn feed(&self, chunk: Bytes) {
        let _ = self.tx.send(chunk);
    }

    async fn finish(self) -> std::io::Result<String> {
        drop(self.tx);
        self.done
            .await
            .map_err(|_| std::io::Error::other("hashing stopped"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_after_the_offset_and_hashes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.haul-part");
        std::fs::write(&part, b"abcGARBAGE").unwrap();
        let mut w = DiskWriter::start(&part, 3, true).unwrap();
        w.write(Bytes::from_static(b"def")).unwrap();
        w.write(Bytes::from(vec![b'g'; 2 * WRITE_SIZE])).unwrap();
        w.write(Bytes::from_static(b"h")).unwrap();
        let md5 = w.finish().await.unwrap().unwrap();
        let mut expected = b"abcdef".to_vec();
        expected.extend(vec![b'g'; 2 * WRITE_SIZE]);
        expected.push(b'h');
        assert_eq!(std::fs::read(&part).unwrap(), expected);
        assert_eq!(md5, hex::encode(md5::Md5::digest(&expected)));
    }
}
