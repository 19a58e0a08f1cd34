//! The emulator's metadata on disk: one JSON document, replaced atomically (temp file + rename).

use std::io;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

pub(crate) struct JsonFile {
    path: PathBuf,
    /// The generation of the snapshot last written (0: none), so an older snapshot that
    /// finishes serializing late never overwrites a newer one.
    written: Mutex<u64>,
}

impl JsonFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            written: Mutex::new(0),
        }
    }

    /// The saved document, or `None` when nothing was saved yet.
    pub(crate) async fn load<T: DeserializeOwned>(&self) -> io::Result<Option<T>> {
        match tokio::fs::read(&self.path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|error| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {error}", self.path.display()),
                )
            }),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Writes the snapshot taken at `generation` unless a newer one is already on disk.
    pub(crate) async fn save(&self, generation: u64, bytes: Vec<u8>) -> io::Result<()> {
        let mut written = self.written.lock().await;
        if generation <= *written {
            return Ok(());
        }
        let temp = self.path.with_extension("json.tmp");
        tokio::fs::write(&temp, &bytes).await?;
        tokio::fs::rename(&temp, &self.path).await?;
        *written = generation;
        Ok(())
    }
}
