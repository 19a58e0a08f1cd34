//! Segmented downloads: one file over several Range connections at once, as JDownloader and
//! `aria2c -x` do against hosts that cap each connection's speed. Each segment writes at its
//! own offset into the one locked part file.
//!
//! The part file then has holes until every segment is done, so what is on disk is known from a
//! small state file beside it (`.HASH.haul-segments`: the size and each segment's start, end and
//! bytes done), written before the part is given its full length and after each write of a
//! segment's bytes. A part without that file is only ever trusted up to its length (the plain
//! resume in `download.rs`); with it, a restart after a crash resumes each segment where its
//! bytes end. A host that refuses another connection (429, 503, "one file at a time") gets
//! fewer: the refused segment goes back to the others.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures::StreamExt;

use super::segment_writer::{MIN_SEGMENT, PartSegments, state_path};
use super::spec::ItemAddr;
use super::worker::{JobCtx, Step, Stop};
use crate::provider::{ErrorKind, Provider, ProviderError};

/// Why segments end early: the host sends whole files whatever the Range asked.
const RANGE_IGNORED: &str = "the host ignores Range requests";

/// How a segmented download ended.
pub enum Segmented {
    /// The part is whole; its md5 if the host gave one to check.
    Done(Option<String>),
    /// The host ignores Range: the part was emptied, to be fetched over one connection.
    RangeIgnored,
}

/// How long the connections run before their speed is judged.
const PROBE: std::time::Duration = std::time::Duration::from_millis(300);
/// Faster than this together (bytes per second), nothing caps a connection: one goes on alone
/// (several then only cost CPU, on loopback or a fast LAN), the others hand their parts back.
const UNCAPPED: u64 = 256 * 1024 * 1024;

/// Failures of one segment in a row, without a byte of progress, before the job gives up.
const SEGMENT_TRIES: u32 = 4;

/// How many connections a download of `size` bytes gets, with `on_disk` bytes already in a
/// part without segment state: 1 means the plain, single-connection path.
pub fn connections_for(
    configured: usize,
    size: Option<u64>,
    on_disk: u64,
    part: &Path,
    provider: &dyn Provider,
) -> usize {
    let Some(size) = size else { return 1 };
    if configured <= 1 || !provider.capabilities().resume_download {
        return 1;
    }
    if state_path(part).exists() {
        return configured;
    }
    let left = size.saturating_sub(on_disk);
    (left / MIN_SEGMENT).clamp(1, configured as u64) as usize
}

/// Shared by the connections of one download.
struct Run<'a> {
    ctx: &'a JobCtx<'a>,
    from: &'a ItemAddr,
    provider: &'a dyn Provider,
    part: PartSegments,
    pending: Mutex<VecDeque<usize>>,
    active: AtomicUsize,
    /// Set when the connections together are fast enough that one will do.
    one_will_do: AtomicBool,
}

impl Run<'_> {
    /// Ends this connection if another one goes on (never the last one).
    fn leave_if_not_last(&self) -> bool {
        self.active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > 1).then(|| n - 1)
            })
            .is_ok()
    }

    /// After [`PROBE`]: the bytes moved since `from` against [`UNCAPPED`].
    async fn judge_speed(&self, from: u64) {
        let started = std::time::Instant::now();
        tokio::time::sleep(PROBE).await;
        let moved = self.ctx.counter.done().saturating_sub(from);
        let rate = moved as f64 / started.elapsed().as_secs_f64();
        if rate > UNCAPPED as f64 && self.active.load(Ordering::SeqCst) > 1 {
            tracing::info!("{:.0} MiB/s: one connection will do", rate / 1048576.0);
            self.one_will_do.store(true, Ordering::SeqCst);
        }
    }

    fn done_of(&self, index: usize) -> u64 {
        self.part.segment(index).map(|s| s.done).unwrap_or(0)
    }

    fn next_pending(&self) -> Option<usize> {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }

    fn give_back(&self, index: usize) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(index);
    }

    /// One connection: segments from the queue until none is left. A refused connection
    /// (when others still run) gives its segment back and ends: the host gets fewer.
    async fn connection(&self) -> Step<()> {
        while let Some(index) = self.next_pending() {
            let mut failures = 0;
            loop {
                let before = self.done_of(index);
                match self.fetch_segment(index).await {
                    Ok(()) if self.part.segment(index).is_some_and(|s| !s.finished()) => {
                        // Stopped early because one connection will do.
                        self.give_back(index);
                        if self.leave_if_not_last() {
                            return Ok(());
                        }
                        break;
                    }
                    Ok(()) => break,
                    Err(Stop::Error(e)) => {
                        let moved = self.done_of(index) > before;
                        let refused = matches!(e.kind, ErrorKind::RateLimited) || e.never_sent;
                        if !moved && refused && self.active.load(Ordering::SeqCst) > 1 {
                            self.give_back(index);
                            self.active.fetch_sub(1, Ordering::SeqCst);
                            tracing::info!("a connection refused ({e}); going on with fewer");
                            return Ok(());
                        }
                        failures = if moved { 0 } else { failures + 1 };
                        if !e.is_retryable() || failures >= SEGMENT_TRIES {
                            self.active.fetch_sub(1, Ordering::SeqCst);
                            return Err(Stop::Error(e));
                        }
                    }
                    Err(stop) => {
                        self.active.fetch_sub(1, Ordering::SeqCst);
                        return Err(stop);
                    }
                }
            }
        }
        self.active.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }

    /// The bytes of segment `index` from where they end, written at their offsets.
    async fn fetch_segment(&self, index: usize) -> Step<()> {
        let Some(mut writer) = self.part.writer(index) else {
            return Ok(());
        };
        if writer.room() == 0 {
            return Ok(());
        }
        let (from_byte, end) = (writer.at(), writer.at() + writer.room());
        // Only this segment's bytes are asked for (and sent, and counted by the host).
        let entry = self.from.entry_ref();
        let mut dl =
            crate::http::range::up_to(end, self.provider.open_download(&entry, from_byte)).await?;
        if dl.offset == 0 && from_byte > 0 {
            return Err(Stop::Error(ProviderError::unsupported(RANGE_IGNORED)));
        }
        if dl.offset != from_byte {
            return Err(Stop::Error(ProviderError::transient(format!(
                "{}: asked for the bytes from {from_byte}, the host sent them from {}",
                self.from.shown, dl.offset
            ))));
        }
        let stall = self.ctx.engine.shared.config.stall_timeout;
        let throttle = &self.ctx.engine.shared.throttle;
        let outcome: Step<()> = loop {
            let next = tokio::select! {
                biased;
                _ = self.ctx.running.cancel.cancelled() => break Err(Stop::Stopped),
                next = tokio::time::timeout(stall, dl.body.next()) => next,
            };
            let chunk = match next {
                Err(_) => {
                    break Err(Stop::Error(ProviderError::transient(format!(
                        "stalled: no data for {}s",
                        stall.as_secs()
                    ))));
                }
                Ok(None) => break Ok(()),
                Ok(Some(Err(e))) => break Err(Stop::Error(e)),
                Ok(Some(Ok(chunk))) => chunk,
            };
            // Only this segment's bytes: the rest belongs to the next one.
            let take = chunk.len().min(writer.room() as usize);
            throttle.take(take).await;
            if let Err(e) = writer.write(&chunk[..take]) {
                break Err(e.into());
            }
            self.ctx.counter.add(take as u64);
            if writer.room() == 0 {
                break Ok(());
            }
            if self.one_will_do.load(Ordering::Relaxed) && self.active.load(Ordering::SeqCst) > 1 {
                break Ok(());
            }
        };
        // What arrived is kept and recorded, for the next attempt.
        let at = writer.finish()?;
        outcome?;
        if at < end && self.one_will_do.load(Ordering::Relaxed) {
            return Ok(());
        }
        if at < end {
            return Err(Stop::Error(ProviderError::transient(format!(
                "{}: a connection ended at byte {at} of its part ending at {end}",
                self.from.shown
            ))));
        }
        Ok(())
    }
}

/// Download into the held `file` of `part` over up to `conns` connections; returns the md5
/// of the whole part (hashed once it is complete) when the host gave one to check.
pub async fn fetch(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    part: &Path,
    file: std::fs::File,
    size: u64,
    conns: usize,
) -> Step<Segmented> {
    let provider = ctx.provider(&from.account).await?;
    let part_segments = {
        let part = part.to_path_buf();
        tokio::task::spawn_blocking(move || PartSegments::open(&part, file, size, conns))
            .await
            .map_err(|e| io::Error::other(format!("planning the segments: {e}")))??
    };
    let done = part_segments.done();
    ctx.counter.set_total(Some(size));
    ctx.counter.set_done(done);
    let pending: VecDeque<usize> = part_segments.unfinished().into();
    let workers = pending.len().min(conns).max(1);
    if done > 0 && !pending.is_empty() {
        ctx.note(format!(
            "{}: resuming {} parts over {workers} connections",
            from.shown,
            pending.len()
        ));
    }
    let run = Run {
        ctx,
        from,
        provider: provider.as_ref(),
        part: part_segments,
        pending: Mutex::new(pending),
        active: AtomicUsize::new(workers),
        one_will_do: AtomicBool::new(false),
    };
    let connections = futures::future::join_all((0..workers).map(|_| run.connection()));
    tokio::pin!(connections);
    // The speed is judged once, while the connections run (never holding up their end).
    let results = tokio::select! {
        results = &mut connections => results,
        () = run.judge_speed(done), if workers > 1 => connections.await,
    };
    if let Some(stop) = results.into_iter().find_map(Result::err) {
        if let Stop::Error(e) = &stop
            && e.kind == ErrorKind::Unsupported
            && e.message == RANGE_IGNORED
        {
            run.part.empty()?;
            let _ = tokio::fs::remove_file(state_path(part)).await;
            ctx.note(format!(
                "{}: the server ignores Range requests; downloading over one connection",
                from.shown
            ));
            return Ok(Segmented::RangeIgnored);
        }
        if matches!(stop, Stop::Stopped)
            && ctx.running.reason() == super::engine::StopReason::Cancel
        {
            let _ = tokio::fs::remove_file(part).await;
            let _ = tokio::fs::remove_file(state_path(part)).await;
        }
        return Err(stop);
    }
    // Every segment ended at its end: the part is whole and the state no longer needed.
    let unfinished = run.part.unfinished().len();
    if unfinished > 0 {
        return Err(Stop::Error(ProviderError::transient(format!(
            "{}: {unfinished} parts of the download are not done",
            from.shown
        ))));
    }
    let _ = tokio::fs::remove_file(state_path(part)).await;
    match &from.md5 {
        Some(_) => Ok(Segmented::Done(Some(
            crate::checksum::md5_file_async(part).await?,
        ))),
        None => Ok(Segmented::Done(None)),
    }
}
