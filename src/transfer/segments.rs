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
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use md5::Digest;
use serde::{Deserialize, Serialize};

use super::spec::ItemAddr;
use super::worker::{JobCtx, Step, Stop};
use crate::provider::{ErrorKind, Provider, ProviderError};

/// No segment smaller than this: below it, another connection costs more than it brings.
pub const MIN_SEGMENT: u64 = 4 * 1024 * 1024;

/// The state is written after at least this many new bytes of a segment, or this long.
const SAVE_EVERY: u64 = 1024 * 1024;
const SAVE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Why segments end early: the host sends whole files whatever the Range asked.
const RANGE_IGNORED: &str = "the host ignores Range requests";

/// How a segmented download ended.
pub enum Segmented {
    /// The part is whole; its md5 if the host gave one to check.
    Done(Option<String>),
    /// The host ignores Range: the part was emptied, to be fetched over one connection.
    RangeIgnored,
}

/// Failures of one segment in a row, without a byte of progress, before the job gives up.
const SEGMENT_TRIES: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Segment {
    start: u64,
    end: u64,
    done: u64,
}

impl Segment {
    fn next_byte(&self) -> u64 {
        self.start + self.done
    }

    fn finished(&self) -> bool {
        self.next_byte() >= self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    size: u64,
    segments: Vec<Segment>,
}

/// Where the state of `part` is kept: a short hidden name in the same folder (the part's own
/// name may already use the 255 bytes a name can have).
pub fn state_path(part: &Path) -> PathBuf {
    let name = part.file_name().map(|n| n.to_string_lossy().into_owned());
    let digest = sha2::Sha256::digest(name.unwrap_or_default().as_bytes());
    let short = hex::encode(&digest[..8]);
    part.with_file_name(format!(".{short}.haul-segments"))
}

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

/// The state to go on with: the saved one if it is for this part, else new segments over what
/// the part does not hold yet (its first `on_disk` bytes are kept).
fn load_or_plan(part: &Path, file: &std::fs::File, size: u64, conns: usize) -> io::Result<State> {
    let path = state_path(part);
    if let Ok(text) = std::fs::read(&path) {
        let saved: Option<State> = serde_json::from_slice(&text).ok();
        let len = file.metadata()?.len();
        if let Some(saved) = saved.filter(|s| s.size == size && len == size && valid(s)) {
            return Ok(saved);
        }
        // Not for this part (or the part changed): none of its holes can be trusted.
        file.set_len(0)?;
        let _ = std::fs::remove_file(&path);
    }
    let mut on_disk = file.metadata()?.len();
    if on_disk > size {
        // Longer than the file: not this file's bytes.
        file.set_len(0)?;
        on_disk = 0;
    }
    let left = size - on_disk;
    let n = (conns as u64).clamp(1, (left / MIN_SEGMENT).max(1));
    let step = left.div_ceil(n);
    let mut segments = Vec::new();
    let mut start = on_disk;
    while start < size {
        let end = (start + step).min(size);
        segments.push(Segment {
            start,
            end,
            done: 0,
        });
        start = end;
    }
    let state = State { size, segments };
    save(&path, &state)?;
    // Only now may the part have holes: the state says which bytes are real.
    file.set_len(size)?;
    Ok(state)
}

fn valid(state: &State) -> bool {
    state
        .segments
        .iter()
        .all(|s| s.start <= s.end && s.end <= state.size && s.done <= s.end - s.start)
}

fn save(path: &Path, state: &State) -> io::Result<()> {
    let tmp = path.with_extension("haul-segments-new");
    std::fs::write(&tmp, serde_json::to_vec(state).map_err(io::Error::other)?)?;
    std::fs::rename(&tmp, path)
}

/// The part file of a segmented download and its segments' state, shared by the connections:
/// each writes its segment's bytes through a [`SegmentWriter`].
pub struct PartSegments {
    file: std::fs::File,
    state_path: PathBuf,
    state: Mutex<State>,
}

impl PartSegments {
    /// The held `file` of `part` (of `size` bytes) split over up to `conns` connections, or the
    /// split saved beside it by an earlier run.
    pub fn open(
        part: &Path,
        file: std::fs::File,
        size: u64,
        conns: usize,
    ) -> io::Result<PartSegments> {
        let state = load_or_plan(part, &file, size, conns)?;
        Ok(PartSegments {
            file,
            state_path: state_path(part),
            state: Mutex::new(state),
        })
    }

    /// How many segments the part is cut into.
    pub fn count(&self) -> usize {
        self.lock().segments.len()
    }

    /// The bytes written so far (with those the part held before it was split).
    pub fn done(&self) -> u64 {
        let state = self.lock();
        let kept = state
            .segments
            .first()
            .map(|s| s.start)
            .unwrap_or(state.size);
        (kept + state.segments.iter().map(|s| s.done).sum::<u64>()).min(state.size)
    }

    /// The segments with bytes still to come.
    fn unfinished(&self) -> Vec<usize> {
        let state = self.lock();
        (0..state.segments.len())
            .filter(|&i| !state.segments[i].finished())
            .collect()
    }

    /// A writer for segment `index` from where its bytes end (`None`: no such segment).
    pub fn writer(&self, index: usize) -> Option<SegmentWriter<'_>> {
        let seg = self.segment(index)?;
        Some(SegmentWriter {
            part: self,
            index,
            start: seg.start,
            end: seg.end,
            at: seg.next_byte(),
            saved_at: seg.next_byte(),
            saved_when: std::time::Instant::now(),
            buf: Vec::with_capacity(super::part_writer::WRITE_BUFFER),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, index: usize, done: u64) -> io::Result<()> {
        let mut state = self.lock();
        if let Some(s) = state.segments.get_mut(index) {
            s.done = done;
        }
        save(&self.state_path, &state)
    }

    fn segment(&self, index: usize) -> Option<Segment> {
        self.lock().segments.get(index).copied()
    }
}

/// One connection's bytes of one segment: gathered, written at their offset in the part, and
/// the segment's progress saved every [`SAVE_EVERY`] bytes or [`SAVE_AFTER`], and at its end.
pub struct SegmentWriter<'a> {
    part: &'a PartSegments,
    index: usize,
    start: u64,
    end: u64,
    /// The byte of the file the next byte taken lands on.
    at: u64,
    saved_at: u64,
    saved_when: std::time::Instant,
    buf: Vec<u8>,
}

impl SegmentWriter<'_> {
    /// The byte of the file the next byte lands on.
    pub fn at(&self) -> u64 {
        self.at
    }

    /// How many more bytes belong to this segment.
    pub fn room(&self) -> u64 {
        self.end - self.at
    }

    /// Takes the bytes of `chunk` that belong to the segment (the rest is the next one's) and
    /// returns how many that is.
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<usize> {
        let take = chunk.len().min(self.room() as usize);
        self.buf.extend_from_slice(&chunk[..take]);
        self.at += take as u64;
        let due = self.saved_when.elapsed() >= SAVE_AFTER;
        if self.buf.len() >= super::part_writer::WRITE_BUFFER || self.at >= self.end || due {
            self.flush()?;
            if self.at - self.saved_at >= SAVE_EVERY || self.at >= self.end || due {
                self.save()?;
            }
        }
        Ok(take)
    }

    /// Writes what is gathered and saves the segment's progress; the byte it ends at.
    pub fn finish(mut self) -> io::Result<u64> {
        self.flush()?;
        self.save()?;
        Ok(self.at)
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            write_at(&self.part.file, &self.buf, self.at - self.buf.len() as u64)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn save(&mut self) -> io::Result<()> {
        self.saved_when = std::time::Instant::now();
        self.part.record(self.index, self.at - self.start)?;
        self.saved_at = self.at;
        Ok(())
    }
}

/// Shared by the connections of one download.
struct Run<'a> {
    ctx: &'a JobCtx<'a>,
    from: &'a ItemAddr,
    provider: &'a dyn Provider,
    part: PartSegments,
    pending: Mutex<VecDeque<usize>>,
    active: AtomicUsize,
}

impl Run<'_> {
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
        };
        // What arrived is kept and recorded, for the next attempt.
        let at = writer.finish()?;
        outcome?;
        if at < end {
            return Err(Stop::Error(ProviderError::transient(format!(
                "{}: a connection ended at byte {at} of its part ending at {end}",
                self.from.shown
            ))));
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, buf: &[u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(buf, offset)
}

#[cfg(windows)]
fn write_at(file: &std::fs::File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, offset)?;
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
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
    };
    let results = futures::future::join_all((0..workers).map(|_| run.connection())).await;
    if let Some(stop) = results.into_iter().find_map(Result::err) {
        if let Stop::Error(e) = &stop
            && e.kind == ErrorKind::Unsupported
            && e.message == RANGE_IGNORED
        {
            run.part.file.set_len(0)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_plan_keeps_the_bytes_on_disk_and_covers_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("f.haul-part");
        std::fs::write(&part, vec![1u8; 1000]).unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&part)
            .unwrap();
        let size = 3 * MIN_SEGMENT + 1000;
        let state = load_or_plan(&part, &file, size, 4).unwrap();
        assert_eq!(state.segments.len(), 3);
        assert_eq!(state.segments[0].start, 1000);
        assert_eq!(state.segments.last().unwrap().end, size);
        for w in state.segments.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert_eq!(std::fs::metadata(&part).unwrap().len(), size);
        // Saved first, so a restart goes on from it.
        let again = load_or_plan(&part, &file, size, 4).unwrap();
        assert_eq!(again, state);
        // A state for another size is not trusted: the part starts over.
        let other = load_or_plan(&part, &file, size + 1, 4).unwrap();
        assert_eq!(other.segments[0].start, 0);
    }

    #[test]
    fn the_state_name_is_short_and_beside_the_part() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join(format!("{}.haul-part", "x".repeat(240)));
        let state = state_path(&part);
        assert_eq!(state.parent(), part.parent());
        assert!(state.file_name().unwrap().len() < 40);
    }
}
