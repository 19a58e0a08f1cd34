//! One owner per part file: an OS advisory lock (`flock` on Unix, `LockFileEx` on Windows) on
//! `NAME.haul-part`, taken before the first byte is written and held until the job ends (its
//! retries and waits included). A second downloader of the same part (another haul process, or
//! a duplicate job in this one) waits for it, then finds the file done or resumes what was left;
//! it never writes into a part file someone else is writing.
//!
//! The lock is on the part file itself, which is renamed to the final name when complete: after
//! locking, the path must still lead to the locked file, else it was renamed or removed
//! meanwhile and the lock is taken again on what the path holds now.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::spec::ItemAddr;
use super::worker::{JobCtx, Step, Stop};
use crate::provider::ProviderError;

/// How often a waiting job tries the lock again.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// A locked part file; the lock goes when this is dropped (or the process ends, however).
#[derive(Debug)]
pub struct PartLock {
    path: PathBuf,
    file: File,
}

impl PartLock {
    /// Open (creating if missing) and lock `part` without waiting: `None` if another holder
    /// has it. A filesystem without locks gives an unlocked handle (and a log line).
    pub fn try_acquire(part: &Path) -> io::Result<Option<PartLock>> {
        for _ in 0..16 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(part)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => {
                    tracing::warn!(
                        "cannot lock {}: {e}; downloading without the lock",
                        part.display()
                    );
                }
            }
            if leads_to(part, &file)? {
                return Ok(Some(PartLock {
                    path: part.to_path_buf(),
                    file,
                }));
            }
        }
        Err(io::Error::other(format!(
            "{}: the part file keeps being replaced",
            part.display()
        )))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second handle on the locked file, to write through.
    pub fn handle(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// Bytes in the locked file.
    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

/// An empty part file (nothing arrived: the job failed, was skipped or moved to another name)
/// goes with its lock, so none is left behind; one with bytes stays for the next attempt.
impl Drop for PartLock {
    fn drop(&mut self) {
        let empty = self.file.metadata().is_ok_and(|m| m.len() == 0);
        if empty && leads_to(&self.path, &self.file).unwrap_or(false) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` still names `file` (not renamed away, removed or replaced).
#[cfg(unix)]
fn leads_to(path: &Path, file: &File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    Ok(match std::fs::metadata(path) {
        Ok(now) => now.dev() == held.dev() && now.ino() == held.ino(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    })
}

/// Elsewhere an open file cannot be renamed or removed, so the path still names it.
#[cfg(not(unix))]
fn leads_to(_path: &Path, _file: &File) -> io::Result<bool> {
    Ok(true)
}

/// Make this job the owner of `part` for the rest of its life (kept across its retries):
/// waits, its slot given up meanwhile, while another haul writes it. Returns whether it had
/// to wait (the other one may have finished the file meanwhile).
pub async fn hold(ctx: &JobCtx<'_>, from: &ItemAddr, part: &Path) -> Step<bool> {
    if ctx.part_lock(|held| held.as_ref().is_some_and(|l| l.path() == part)) {
        return Ok(false);
    }
    // A part of another name (a retry that chose another name) is let go first.
    ctx.part_lock(|held| *held = None);
    let mut waited = false;
    loop {
        let path = part.to_path_buf();
        let got = tokio::task::spawn_blocking(move || PartLock::try_acquire(&path))
            .await
            .map_err(|e| ProviderError::fatal(format!("locking the part file: {e}")))??;
        if let Some(lock) = got {
            ctx.part_lock(|held| *held = Some(lock));
            return Ok(waited);
        }
        if !waited {
            ctx.note(format!(
                "{}: being downloaded by another haul ({} is locked); waiting for it to finish",
                from.shown,
                part.display()
            ));
            waited = true;
        }
        if ctx.stopped() {
            return Err(Stop::Stopped);
        }
        ctx.sit_out(RETRY_EVERY, "being downloaded by another haul".into())
            .await?;
    }
}

/// After `final_path` was renamed onto the held part (resuming a short final file): hold the
/// file the part path names now.
pub async fn take_renamed(ctx: &JobCtx<'_>, from: &ItemAddr, part: &Path) -> Step<()> {
    let path = part.to_path_buf();
    let got = tokio::task::spawn_blocking(move || PartLock::try_acquire(&path))
        .await
        .map_err(|e| ProviderError::fatal(format!("locking the part file: {e}")))??;
    match got {
        Some(lock) => {
            ctx.part_lock(|held| *held = Some(lock));
            Ok(())
        }
        None => Err(Stop::Error(ProviderError::transient(format!(
            "{}: being downloaded by another haul ({} is locked)",
            from.shown,
            part.display()
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_even_in_one_process() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.haul-part");
        let first = PartLock::try_acquire(&part).unwrap().expect("free");
        assert!(PartLock::try_acquire(&part).unwrap().is_none(), "held");
        drop(first);
        assert!(
            PartLock::try_acquire(&part).unwrap().is_some(),
            "free again"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_renamed_part_is_not_the_one_locked_again() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.haul-part");
        let first = PartLock::try_acquire(&part).unwrap().expect("free");
        // The holder finished: its file went to the final name; the path is new.
        std::fs::rename(&part, dir.path().join("x")).unwrap();
        let second = PartLock::try_acquire(&part).unwrap().expect("a new file");
        assert_eq!(second.len().unwrap(), 0);
        drop(first);
        assert!(dir.path().join("x").exists(), "the finished file stays");
        drop(second);
        assert!(!part.exists(), "an empty part goes with its lock");
    }

    #[test]
    fn a_part_with_bytes_stays_when_its_lock_goes() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.haul-part");
        std::fs::write(&part, b"kept").unwrap();
        drop(PartLock::try_acquire(&part).unwrap().expect("free"));
        assert_eq!(std::fs::read(&part).unwrap(), b"kept");
    }
}
