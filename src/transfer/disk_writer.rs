//! The download's disk side: a dedicated thread that coalesces received chunks into large
//! writes and hashes them inline, fed through a bounded channel (so a slow disk slows the
//! network side instead of filling memory).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use bytes::Bytes;
use md5::Digest;
use tokio::sync::{mpsc, oneshot};

/// Disk writes are at least this large (except the last).
const WRITE_SIZE: usize = 1024 * 1024;

/// Chunks in flight between the network and the disk.
const QUEUE: usize = 64;

pub struct DiskWriter {
    chunks: mpsc::Sender<Bytes>,
    done: oneshot::Receiver<std::io::Result<Option<String>>>,
}

impl DiskWriter {
    /// Open `part`, cut it to `offset` and write from there. With `hash`, the md5 of the whole
    /// file (the existing prefix included) is computed along the way.
    pub fn start(part: &Path, offset: u64, hash: bool) -> std::io::Result<DiskWriter> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(part)?;
        file.set_len(offset)?;
        let (chunks, mut rx) = mpsc::channel::<Bytes>(QUEUE);
        let (done_tx, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("haul-disk".into())
            .spawn(move || {
                let result = (|| {
                    let mut hasher = hash.then(md5::Md5::new);
                    if let Some(h) = hasher.as_mut() {
                        hash_prefix(&mut file, offset, h)?;
                    }
                    file.seek(SeekFrom::Start(offset))?;
                    let mut buf: Vec<u8> = Vec::with_capacity(WRITE_SIZE);
                    while let Some(chunk) = rx.blocking_recv() {
                        if let Some(h) = hasher.as_mut() {
                            h.update(&chunk);
                        }
                        if buf.len() + chunk.len() > WRITE_SIZE && !buf.is_empty() {
                            file.write_all(&buf)?;
                            buf.clear();
                        }
                        if chunk.len() >= WRITE_SIZE {
                            file.write_all(&chunk)?;
                        } else {
                            buf.extend_from_slice(&chunk);
                        }
                    }
                    file.write_all(&buf)?;
                    file.flush()?;
                    Ok(hasher.map(|h| hex::encode(h.finalize())))
                })();
                let _ = done_tx.send(result);
            })?;
        Ok(DiskWriter { chunks, done })
    }

    /// Queue a chunk; `false` if the writer stopped (its error comes from [`finish`]).
    pub async fn write(&self, chunk: Bytes) -> bool {
        self.chunks.send(chunk).await.is_ok()
    }

    /// Write what is queued and close: the md5, when asked for.
    pub async fn finish(self) -> std::io::Result<Option<String>> {
        drop(self.chunks);
        self.done
            .await
            .map_err(|_| std::io::Error::other("the disk writer stopped"))?
    }
}

fn hash_prefix(file: &mut std::fs::File, len: u64, hasher: &mut md5::Md5) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut prefix = file.take(len);
    let mut buf = vec![0u8; WRITE_SIZE];
    loop {
        let n = prefix.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
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
        let w = DiskWriter::start(&part, 3, true).unwrap();
        assert!(w.write(Bytes::from_static(b"def")).await);
        assert!(w.write(Bytes::from(vec![b'g'; 2 * WRITE_SIZE])).await);
        let md5 = w.finish().await.unwrap().unwrap();
        let mut expected = b"abcdef".to_vec();
        expected.extend(vec![b'g'; 2 * WRITE_SIZE]);
        assert_eq!(std::fs::read(&part).unwrap(), expected);
        assert_eq!(md5, hex::encode(md5::Md5::digest(&expected)));
    }
}
