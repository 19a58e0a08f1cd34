//! Into a local folder: `NAME.haul-part`, locked by this job for its whole life, resumed from
//! the bytes it holds with a Range request, hashed inline on another thread, renamed only when
//! size (and md5) match. The listed size is the contract: a body is never written past it, a
//! longer one is refused and a shorter one resumed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use md5::Digest;

use super::conflict::{Clash, Options, Resolution, Sameness};
use super::engine::StopReason;
use super::part_lock;
use super::part_writer::{PartWriter, WRITE_BUFFER};
use super::segments::Segmented;
use super::spec::{FolderAddr, ItemAddr};
use super::worker::{JobCtx, Step, Stop};
use crate::provider::ProviderError;
use crate::sanitize::{NAME_MAX, local_file_name, shorten_name};

/// Suffix of files being downloaded.
pub const PART_SUFFIX: &str = ".haul-part";

/// `DIR/NAME.haul-part` for `DIR/NAME`; when that would pass the 255 bytes a file name may
/// have, NAME is shortened (with a hash of it, so the part of one name is always the same).
pub fn part_path(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let short = shorten_name(&name, NAME_MAX - PART_SUFFIX.len());
    final_path.with_file_name(format!("{short}{PART_SUFFIX}"))
}

/// What a finished stream left in the part file.
struct Fetched {
    /// Bytes in the part file.
    len: u64,
    /// The size the file must have: the listed size, else what the host announced.
    expected: Option<u64>,
    /// The md5 of the part, if the host gave one to check.
    md5: Option<String>,
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
    // Own the part before looking at the destination, so what another haul finished while this
    // job waited is seen (and settled by the conflict policy if it is not the file listed).
    if part_lock::hold(ctx, from, &part_path(&final_path)).await?
        && let Some(note) = done_meanwhile(ctx, from, &final_path).await?
    {
        return Ok(Some(note));
    }
    let mut resume_final = false;
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
            .resolve_clash(&safe, clash, options, || {
                same_content(ctx, from, &existing_path)
            })
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
                final_path = dir.join(shorten_name(&name, NAME_MAX));
                part_lock::hold(ctx, from, &part_path(&final_path)).await?;
            }
            // Continue the existing file: it becomes the part file.
            Resolution::Resume => resume_final = true,
        }
    }
    let part = part_path(&final_path);
    if resume_final {
        tokio::fs::rename(&final_path, &part).await?;
        part_lock::take_renamed(ctx, from, &part).await?;
    }
    let kept = |stop| match stop {
        Stop::Error(mut e) if e.is_retryable() => {
            e.message = format!(
                "{} (what arrived is kept; run the same command again to resume)",
                e.message
            );
            Stop::Error(e)
        }
        other => other,
    };
    let fetched = fetch(ctx, from, &part).await.map_err(kept)?;
    verify_and_finish(from, &part, &final_path, fetched)
        .await
        .map_err(kept)
}

/// After waiting for another haul's part file: the file it finished, if it is the one listed
/// (its size, and its md5 where the host gives one). The empty part this job holds goes with
/// its lock when the job ends.
async fn done_meanwhile(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    final_path: &Path,
) -> Step<Option<String>> {
    let Ok(done) = tokio::fs::metadata(final_path).await else {
        return Ok(None);
    };
    let size_ok = done.is_file() && from.size.is_none_or(|s| s == done.len());
    if !size_ok || same_content(ctx, from, final_path).await? == Sameness::Differs {
        return Ok(None);
    }
    ctx.counter.set_total(Some(done.len()));
    ctx.counter.set_done(done.len());
    let note = format!(
        "downloaded meanwhile by another haul: {}",
        final_path.display()
    );
    ctx.note(format!("{}: {note}", from.shown));
    Ok(Some(note))
}

/// Whether the local file at `path` (of the listed size: only then is this asked) holds the
/// remote file's bytes: compared by md5 where the host gives one, in its listing or else in
/// the file's details; the local file is hashed only then.
async fn same_content(ctx: &JobCtx<'_>, from: &ItemAddr, path: &Path) -> Step<Sameness> {
    let expected = match &from.md5 {
        Some(md5) => Some(md5.clone()),
        None => host_md5(ctx, from).await,
    };
    let Some(expected) = expected else {
        return Ok(Sameness::Likely);
    };
    let ours = crate::checksum::md5_file_async(path).await?;
    Ok(if ours.eq_ignore_ascii_case(&expected) {
        Sameness::Proven
    } else {
        Sameness::Differs
    })
}

/// The file's md5 from the host's details, where it gives one (a failure to ask is no md5).
async fn host_md5(ctx: &JobCtx<'_>, from: &ItemAddr) -> Option<String> {
    let provider = ctx.provider(&from.account).await.ok()?;
    match provider.stat(&from.entry_ref()).await {
        Ok(entry) => entry.md5,
        Err(e) => {
            tracing::debug!("{}: no md5 from the host: {e}", from.shown);
            None
        }
    }
}

/// Stream into `part` (held by this job) from the bytes it holds, never past the expected
/// size.
async fn fetch(ctx: &JobCtx<'_>, from: &ItemAddr, part: &Path) -> Step<Fetched> {
    let Some(held) = ctx.part_lock(|held| {
        held.as_ref()
            .filter(|l| l.path() == part)
            .map(|l| Ok::<_, std::io::Error>((l.handle()?, l.len()?)))
    }) else {
        return Err(Stop::Error(ProviderError::fatal(format!(
            "{}: the part file is not held",
            part.display()
        ))));
    };
    let (file, mut on_disk) = held?;
    let provider = ctx.provider(&from.account).await?;
    let configured = ctx.engine.shared.config.connections_for(&from.account);
    let conns =
        super::segments::connections_for(configured, from.size, on_disk, part, provider.as_ref());
    if let (true, Some(size)) = (conns > 1, from.size) {
        let segmented = file.try_clone()?;
        match super::segments::fetch(ctx, from, part, segmented, size, conns).await? {
            Segmented::Done(md5) => {
                return Ok(Fetched {
                    len: size,
                    expected: Some(size),
                    md5,
                });
            }
            Segmented::RangeIgnored => on_disk = 0,
        }
    }
    let mut offset = on_disk;
    if from.size.is_some_and(|size| offset > size) {
        offset = 0;
    }
    ctx.counter.set_total(from.size);
    ctx.counter.set_done(offset);
    let mut dl = provider.open_download(&from.entry_ref(), offset).await?;
    if dl.offset > offset {
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: asked for the bytes from {offset}, the host sent them from {}",
            from.shown, dl.offset
        ))));
    }
    if offset > 0 && dl.offset != offset {
        ctx.note(format!(
            "{}: the server ignored the resume request; downloading from the start",
            from.shown
        ));
    } else if offset > 0 {
        ctx.note(format!("{}: resuming at byte {offset}", from.shown));
    }
    // The listing's size is the contract; the host's own figure stands in where there is none.
    let expected = from.size.or(dl.total);
    ctx.counter.set_total(expected);
    let mut out = PartWriter::open(file, dl.offset).await?;
    if out.offset() != dl.offset {
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: the part file holds {} bytes, fewer than the {} it held a moment ago",
            from.shown,
            out.offset(),
            dl.offset
        ))));
    }
    ctx.counter.set_done(dl.offset);
    let hasher = from
        .md5
        .as_ref()
        .map(|_| InlineHasher::start(part.to_path_buf(), dl.offset));
    let stall = ctx.engine.shared.config.stall_timeout;
    let throttle = &ctx.engine.shared.throttle;
    let mut at = dl.offset;
    let mut overflowed = false;
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
                let len = chunk.len() as u64;
                if let Some(size) = expected.filter(|&size| at + len > size) {
                    // Nothing past the size reaches the disk; the part is not trusted either.
                    overflowed = true;
                    break Err(Stop::Error(too_long(from, size)));
                }
                throttle.take(chunk.len()).await;
                if let Err(e) = out.write(&chunk) {
                    break Err(e.into());
                }
                at += len;
                ctx.counter.add(len);
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
        let cancelled = matches!(stop, Stop::Stopped) && ctx.running.reason() == StopReason::Cancel;
        if cancelled || overflowed {
            let _ = tokio::fs::remove_file(part).await;
        }
        return Err(stop);
    }
    let md5 = match hasher {
        Some(h) => Some(h.finish().await?),
        None => None,
    };
    Ok(Fetched {
        len: at,
        expected,
        md5,
    })
}

/// A body that went on past the size: refused (the listing and the host disagree on the file).
fn too_long(from: &ItemAddr, size: u64) -> ProviderError {
    let whose = if from.size.is_some() {
        "listed"
    } else {
        "the host announced"
    };
    ProviderError::fatal(format!(
        "{}: the host sent more than the {size} bytes {whose}; discarded",
        from.shown
    ))
}

async fn verify_and_finish(
    from: &ItemAddr,
    part: &Path,
    final_path: &Path,
    fetched: Fetched,
) -> Step<Option<String>> {
    let len = tokio::fs::metadata(part).await?.len();
    if len != fetched.len {
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: the part file holds {len} bytes, {} were written",
            from.shown, fetched.len
        ))));
    }
    if let Some(size) = fetched.expected.filter(|s| *s != len) {
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: the download ended at {len} of {size} bytes",
            from.shown
        ))));
    }
    if let (Some(expected), Some(actual)) = (&from.md5, &fetched.md5)
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
