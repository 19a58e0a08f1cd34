//! The part file of a segmented download: each segment's bytes written at their own offset,
//! and what is on disk known from a small state file beside the part (`.HASH.haul-segments`:
//! the size and each segment's start, end and bytes done), written before the part is given its
//! full length and as each segment's bytes are written. `segments.rs` runs the connections.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use md5::Digest;
use serde::{Deserialize, Serialize};

/// No segment smaller than this: below it, another connection costs more than it brings.
pub const MIN_SEGMENT: u64 = 4 * 1024 * 1024;

/// The state is written after at least this many new bytes of a segment, or this long.
const SAVE_EVERY: u64 = 1024 * 1024;
const SAVE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Segment {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) done: u64,
}

impl Segment {
    pub(super) fn next_byte(&self) -> u64 {
        self.start + self.done
    }

    pub(super) fn finished(&self) -> bool {
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

    /// Empties the part (its bytes are to be fetched again over one connection).
    pub(super) fn empty(&self) -> io::Result<()> {
        self.file.set_len(0)
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
    pub(super) fn unfinished(&self) -> Vec<usize> {
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

    pub(super) fn segment(&self, index: usize) -> Option<Segment> {
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
