//! The emulator's metadata on disk: one JSON document, replaced atomically (temp file + rename).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

/// Where one emulated site keeps its things under the data dir: `NAME/blobs/` (file bytes),
/// `NAME/tmp/` (uploads being received; emptied on start, as half-received uploads from a
/// previous run are garbage) and `NAME/metadata.json`.
pub(crate) struct SiteDirs {
    pub(crate) blob_dir: PathBuf,
    pub(crate) temp_dir: PathBuf,
    pub(crate) metadata: JsonFile,
}

impl SiteDirs {
    pub(crate) async fn prepare(data_dir: &Path, site: &str) -> io::Result<SiteDirs> {
        let root = data_dir.join(site);
        let blob_dir = root.join("blobs");
        let temp_dir = root.join("tmp");
        tokio::fs::create_dir_all(&blob_dir).await?;
        let _ = tokio::fs::remove_dir_all(&temp_dir).await;
        tokio::fs::create_dir_all(&temp_dir).await?;
        Ok(SiteDirs {
            blob_dir,
            temp_dir,
            metadata: JsonFile::new(root.join("metadata.json")),
        })
    }
}

/// The client a site fetches remote-URL uploads with.
pub(crate) fn fetcher() -> io::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent("haul-emulator")
        .build()
        .map_err(io::Error::other)
}

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

/// A site's metadata in memory, saved to its [`JsonFile`] by a background saver after every
/// change (bursts coalesce: a write covers every change made before it starts) and once more
/// when the emulator stops.
pub(crate) struct SavedState<T> {
    state: std::sync::Mutex<Versioned<T>>,
    /// Signals the saver that the state changed.
    dirty: Notify,
    file: JsonFile,
}

struct Versioned<T> {
    value: T,
    /// Bumped by every change; the file knows which generation it holds.
    generation: u64,
}

impl<T> SavedState<T>
where
    T: Clone + Serialize + Send + 'static,
{
    pub(crate) fn new(file: JsonFile, value: T) -> Self {
        Self {
            // Generation 1 is newer than "nothing written yet", so the first flush writes.
            state: std::sync::Mutex::new(Versioned {
                value,
                generation: 1,
            }),
            dirty: Notify::new(),
            file,
        }
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.lock().value)
    }

    /// Like [`Self::read`], with the state's generation (bumped by every change), for what is
    /// derived from the state and kept until it changes.
    pub(crate) fn read_versioned<R>(&self, f: impl FnOnce(&T, u64) -> R) -> R {
        let state = self.lock();
        f(&state.value, state.generation)
    }

    /// Applies a change; when it succeeds, the saver writes the state right after.
    pub(crate) fn change<R, E>(&self, f: impl FnOnce(&mut T) -> Result<R, E>) -> Result<R, E> {
        let value = {
            let mut state = self.lock();
            let value = f(&mut state.value)?;
            state.generation += 1;
            value
        };
        self.dirty.notify_one();
        Ok(value)
    }

    /// Writes the current state unless it is already on disk.
    pub(crate) async fn flush(&self) {
        let (generation, value) = {
            let state = self.lock();
            (state.generation, state.value.clone())
        };
        let serialized = tokio::task::spawn_blocking(move || serde_json::to_vec(&value))
            .await
            .map_err(io::Error::other)
            .and_then(|bytes| bytes.map_err(io::Error::other));
        let saved = match serialized {
            Ok(bytes) => self.file.save(generation, bytes).await,
            Err(error) => Err(error),
        };
        if let Err(error) = saved {
            tracing::warn!(%error, path = %self.file.path.display(), "could not save the emulator's metadata");
        }
    }

    /// Saves after changes until `stop`, then once more.
    pub(crate) fn spawn_saver(self: &Arc<Self>, stop: CancellationToken) {
        let state = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = state.dirty.notified() => state.flush().await,
                    () = stop.cancelled() => {
                        state.flush().await;
                        return;
                    }
                }
            }
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Versioned<T>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
