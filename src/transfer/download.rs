//! Into a local folder: `NAME.haul-part`, resumed from its length with a Range request,
//! hashed inline on another thread, renamed only when size (and md5) match.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use md5::Digest;

use super::conflict::{Clash, Options, Resolution};
use super::engine::StopReason;
use super::part_writer::{PartWriter, WRITE_BUFFER};
use super::spec::{FolderAddr, ItemAddr};
use super::worker::{JobCtx, Step, Stop};
use crate::provider::ProviderError;
use crate::sanitize::local_file_name;

/// Suffix of files being downloaded.
pub const PART_SUFFIX: &str = ".haul-part";

/// `DIR/NAME.haul-part` for `DIR/NAME`.
pub fn part_path(final_path: &Path) -> PathBuf {
    let mut s = final_path.as_os_str().to_os_string();
    s.push(PART_SUFFIX);
    PathBuf::from(s)
}

pub async fn to_local(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
) -> Step<Option<String>> {
    let dir = PathBuf::from(to.id.as_deref().unwrap_or("/"));
    tokio::fs::create_dir_all(&dir).await?;
    let (safe, changed) = local_file_name(name);
    if changed {
        ctx.note(format!(
            "{}: saved as {safe:?} because the remote name is not a safe local file name",
            from.shown
        ));
    }
    let mut final_path = dir.join(&safe);
    let mut part = part_path(&final_path);
    if let Ok(existing) = tokio::fs::metadata(&final_path).await {
        let clash = Clash {
            shown: final_path.display().to_string(),
            existing_size: Some(existing.len()).filter(|_| existing.is_file()),
            existing_is_folder: existing.is_dir(),
            new_size: from.size,
        };
        let taken = |n: &str| dir.join(n).exists();
        let options = Options {
            can_replace: true,
            can_resume: existing.is_file() && from.size.is_some_and(|s| existing.len() < s),
            taken: &taken,
        };
        let existing_path = final_path.clone();
        match ctx
            .resolve_clash(&safe, clash, options, || same_md5(from, &existing_path))
            .await?
        {
            Resolution::Skip(note) => {
                if existing.is_file() {
                    ctx.counter.set_done(existing.len());
                }
                return Ok(Some(note));
            }
            // Replacing: the new file is renamed over the old one once it is complete.
            Resolution::Write { name, .. } => {
                final_path = dir.join(name);
                part = part_path(&final_path);
            }
            // Continue the existing file: it becomes the part file.
            Resolution::Resume => tokio::fs::rename(&final_path, &part).await?,
        }
    }
    let written = fetch(ctx, from, &part).await.map_err(|stop| match stop {
        Stop::Error(mut e) if e.is_retryable() => {
            e.message = format!(
                "{} (what arrived is kept; run the same command again to resume)",
                e.message
            );
            Stop::Error(e)
        }
        other => other,
    })?;
    verify_and_finish(ctx, from, &part, &final_path, written).await
}

async fn same_md5(from: &ItemAddr, path: &Path) -> Step<bool> {
    match &from.md5 {
        None => Ok(true),
        Some(expected) => Ok(crate::checksum::md5_file_async(path)
            .await?
            .eq_ignore_ascii_case(expected)),
    }
}

/// Stream into `part` from its current length; returns the md5 if the host gave one to check.
async fn fetch(ctx: &JobCtx<'_>, from: &ItemAddr, part: &Path) -> Step<Option<String>> {
    let mut offset = tokio::fs::metadata(part)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    if from.size.is_some_and(|size| offset > size) {
        offset = 0;
    }
    ctx.counter.set_total(from.size);
    ctx.counter.set_done(offset);
    let provider = ctx.provider(&from.account).await?;
    let mut dl = provider.open_download(&from.entry_ref(), offset).await?;
    if offset > 0 && dl.offset != offset {
        ctx.note(format!(
            "{}: the server ignored the resume request; downloading from the start",
            from.shown
        ));
    } else if offset > 0 {
        ctx.note(format!("{}: resuming at byte {offset}", from.shown));
    }
    if dl.total.is_some() {
        ctx.counter.set_total(dl.total);
    }
    ctx.counter.set_done(dl.offset);
    let mut out = PartWriter::open(part, dl.offset).await?;
    let hasher = from
        .md5
        .as_ref()
        .map(|_| InlineHasher::start(part.to_path_buf(), dl.offset));
    let stall = ctx.engine.shared.config.stall_timeout;
    let throttle = &ctx.engine.shared.throttle;
    // One timer for the whole transfer, pushed forward as bytes arrive (not one per chunk).
    let mut last_byte = tokio::time::Instant::now();
    let watchdog = tokio::time::sleep(stall);
    tokio::pin!(watchdog);
    let outcome: Step<()> = loop {
        let next = tokio::select! {
            biased;
            _ = ctx.running.cancel.cancelled() => break Err(Stop::Stopped),
            next = dl.body.next() => next,
            _ = &mut watchdog => {
                if last_byte.elapsed() >= stall {
                    break Err(Stop::Error(ProviderError::transient(format!(
                        "stalled: no data for {}s",
                        stall.as_secs()
                    ))));
                }
                watchdog.as_mut().reset(last_byte + stall);
                continue;
            }
        };
        match next {
            None => break Ok(()),
            Some(Err(e)) => break Err(Stop::Error(e)),
            Some(Ok(chunk)) => {
                last_byte = tokio::time::Instant::now();
                throttle.take(chunk.len()).await;
                if let Err(e) = out.write(&chunk) {
                    break Err(e.into());
                }
                ctx.counter.add(chunk.len() as u64);
                if let Some(h) = &hasher {
                    h.feed(chunk);
                }
            }
        }
    };
    // Whatever arrived stays in the part file for the next attempt. No fsync: the page cache
    // outlives a killed process, and forcing a gigabyte to disk would triple the wall time.
    out.flush()?;
    drop(out);
    if let Err(stop) = outcome {
        if matches!(stop, Stop::Stopped) && ctx.running.reason() == StopReason::Cancel {
            let _ = tokio::fs::remove_file(part).await;
        }
        return Err(stop);
    }
    match hasher {
        Some(h) => Ok(Some(h.finish().await?)),
        None => Ok(None),
    }
}

async fn verify_and_finish(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    part: &Path,
    final_path: &Path,
    md5: Option<String>,
) -> Step<Option<String>> {
    let len = tokio::fs::metadata(part).await?.len();
    let expected = ctx.counter.total().or(from.size);
    if let Some(size) = expected.filter(|s| *s != len) {
        if len > size {
            let _ = tokio::fs::remove_file(part).await;
            return Err(Stop::Error(ProviderError::fatal(format!(
                "{}: got {len} bytes, more than the {size} the host reported; discarded",
                from.shown
            ))));
        }
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: the download ended at {len} of {size} bytes",
            from.shown
        ))));
    }
    if let (Some(expected), Some(actual)) = (&from.md5, &md5)
        && !expected.eq_ignore_ascii_case(actual)
    {
        let _ = tokio::fs::remove_file(part).await;
        return Err(Stop::Error(ProviderError::fatal(format!(
            "{}: md5 mismatch (got {actual}, the host says {expected}); discarded",
            from.shown
        ))));
    }
    tokio::fs::rename(part, final_path).await?;
    Ok(None)
}

/// md5 computed on a blocking thread as chunks arrive (after the part's existing prefix).
struct InlineHasher {
    tx: std::sync::mpsc::SyncSender<Bytes>,
    done: tokio::sync::oneshot::Receiver<std::io::Result<String>>,
}

impl InlineHasher {
    fn start(part: PathBuf, prefix: u64) -> InlineHasher {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(64);
        let (done_tx, done) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let result = (|| {
                let mut hasher = md5::Md5::new();
                if prefix > 0 {
                    use std::io::Read;
                    let mut f = std::fs::File::open(&part)?.take(prefix);
                    let mut buf = vec![0u8; WRITE_BUFFER];
                    loop {
                        let n = f.read(&mut buf)?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&buf[..n]);
                    }
                }
                for chunk in rx {
                    hasher.update(&chunk);
                }
                Ok(hex::encode(hasher.finalize()))
            })();
            let _ = done_tx.send(result);
        });
        InlineHasher { tx, done }
    }

    fn feed(&self, chunk: Bytes) {
        let _ = self.tx.send(chunk);
    }

    async fn finish(self) -> std::io::Result<String> {
        drop(self.tx);
        tokio::time::timeout(Duration::from_secs(3600), self.done)
            .await
            .map_err(|_| std::io::Error::other("hashing timed out"))?
            .map_err(|_| std::io::Error::other("hashing stopped"))?
    }
}
