//! Bytes to upload: a one-shot stream of known length, and, when it comes from a local file,
//! the means to read it again from the start.

use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};

use super::{ByteStream, ProgressFn};

/// Read size for local files: large reads keep syscalls and chunk overhead low.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// A change applied to a body's stream (pacing, counting), kept for the body's replays.
pub type StreamMap =
    Arc<dyn Fn(ByteStream<std::io::Error>) -> ByteStream<std::io::Error> + Send + Sync>;

/// Opens a body's bytes again from the start.
pub type Reopen = Arc<dyn Fn() -> BoxFuture<'static, std::io::Result<UploadBody>> + Send + Sync>;

/// Bytes to upload. The stream is spent once sent; a body read from a local file can be opened
/// again ([`UploadBody::reopen`]) so the retry layer can send it again after the host refused
/// it. Anything else (a relayed download) must be restarted from its source by the caller.
pub struct UploadBody {
    pub len: u64,
    pub stream: ByteStream<std::io::Error>,
    reopen: Option<Reopen>,
}

impl UploadBody {
    /// A body that cannot be read again.
    pub fn new(len: u64, stream: ByteStream<std::io::Error>) -> Self {
        UploadBody {
            len,
            stream,
            reopen: None,
        }
    }

    /// Stream a local file without reading it into memory.
    pub async fn from_file(path: &std::path::Path) -> std::io::Result<Self> {
        let (len, stream) = open_file(path).await?;
        Ok(UploadBody {
            len,
            stream,
            reopen: Some(reopen_file(path.to_path_buf(), len)),
        })
    }

    /// An in-memory body (small payloads and tests); it can be sent again.
    pub fn from_bytes(data: impl Into<Bytes>) -> Self {
        let data: Bytes = data.into();
        let again = data.clone();
        let reopen: Reopen = Arc::new(move || {
            let data = again.clone();
            async move { Ok(UploadBody::from_bytes(data)) }.boxed()
        });
        UploadBody {
            len: data.len() as u64,
            stream: Box::pin(futures::stream::once(async move { Ok(data) })),
            reopen: Some(reopen),
        }
    }

    /// Whether [`UploadBody::reopen`] can give the bytes again.
    pub fn can_reopen(&self) -> bool {
        self.reopen.is_some()
    }

    /// The same bytes from the start, as a new body (with the same changes applied), where the
    /// body can be read again.
    pub fn reopener(&self) -> Option<Reopen> {
        self.reopen.clone()
    }

    /// The stream changed by `map`, here and in every replay.
    pub fn map_stream(self, map: StreamMap) -> Self {
        let reopen = self.reopen.map(|reopen| {
            let map = map.clone();
            Arc::new(move || {
                let reopen = reopen.clone();
                let map = map.clone();
                async move { reopen().await.map(|body| body.map_stream(map)) }.boxed()
            }) as Reopen
        });
        UploadBody {
            len: self.len,
            stream: map(self.stream),
            reopen,
        }
    }

    /// The same body, reporting each chunk to `progress` as it is taken by the sender.
    pub fn counting(self, progress: ProgressFn) -> Self {
        self.map_stream(Arc::new(move |stream| {
            let progress = progress.clone();
            Box::pin(stream.map(move |chunk| {
                if let Ok(c) = &chunk {
                    progress(c.len() as u64);
                }
                chunk
            }))
        }))
    }
}

async fn open_file(path: &std::path::Path) -> std::io::Result<(u64, ByteStream<std::io::Error>)> {
    let file = tokio::fs::File::open(path).await?;
    let len = file.metadata().await?.len();
    let stream = tokio_util::io::ReaderStream::with_capacity(file, CHUNK_SIZE);
    Ok((len, Box::pin(stream)))
}

/// Opens `path` again, insisting it still has `len` bytes.
fn reopen_file(path: std::path::PathBuf, len: u64) -> Reopen {
    Arc::new(move || {
        let path = path.clone();
        async move {
            let (now, stream) = open_file(&path).await?;
            if now != len {
                return Err(std::io::Error::other(format!(
                    "{} changed while being uploaded ({len} bytes, now {now}); run again",
                    path.display()
                )));
            }
            Ok(UploadBody {
                len,
                stream,
                reopen: Some(reopen_file(path, len)),
            })
        }
        .boxed()
    })
}

impl std::fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UploadBody({} bytes)", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(body: UploadBody) -> Vec<u8> {
        let mut out = Vec::new();
        let mut stream = body.stream;
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn a_file_body_reopens_with_its_changes_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let upper: StreamMap =
            Arc::new(|s| Box::pin(s.map(|c| c.map(|b| Bytes::from(b.to_ascii_uppercase())))));
        let body = UploadBody::from_file(&path)
            .await
            .unwrap()
            .map_stream(upper);
        let again = body.reopener().unwrap();
        assert_eq!(read(body).await, b"ABC");
        assert_eq!(read(again().await.unwrap()).await, b"ABC");
        std::fs::write(&path, b"abcd").unwrap();
        let err = again().await.unwrap_err().to_string();
        assert!(err.contains("changed while being uploaded"), "{err}");
    }

    #[test]
    fn a_relayed_body_cannot_reopen() {
        let body = UploadBody::new(0, Box::pin(futures::stream::empty()));
        assert!(!body.can_reopen());
    }
}
