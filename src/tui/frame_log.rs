//! `HAUL_FRAME_LOG=PATH`: the TUI writes one line per key it reads, per listing page or end it
//! takes in and per frame it draws, each at its time in microseconds since 1970 (the clock a
//! script reads with `date +%s%6N`, so it can time from the key it sends), so that the benchmarks (`bench/cases/listing_*.sh`, `tui_*.sh`) time what a person waits for:
//! a key to the frame that shows it, a folder opened to its first screenful and to its end.
//!
//! ```text
//! start 1000 51000     the process started; the TUI's loop began
//! key 52311 Enter       a key read from the terminal
//! page 52600 0 100      a listing page taken in: side, entries
//! listed 98000 0        a listing ended: side
//! frame 52700 12        a frame drawn (and flushed): how long the draw took, in µs
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::app::Msg;

static PROCESS_START: OnceLock<u128> = OnceLock::new();

/// Called first thing in `main`: the time the log's `start` line gives for the process.
pub fn note_process_start() {
    PROCESS_START.get_or_init(micros);
}

fn micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// The log, when `HAUL_FRAME_LOG` names a file that can be created; otherwise every call does
/// nothing.
pub(super) struct FrameLog {
    out: Option<BufWriter<File>>,
}

impl FrameLog {
    pub(super) fn from_env() -> FrameLog {
        let out = std::env::var_os("HAUL_FRAME_LOG")
            .filter(|p| !p.is_empty())
            .and_then(|p| File::create(p).ok())
            .map(BufWriter::new);
        let mut log = FrameLog { out };
        let started = *PROCESS_START.get_or_init(micros);
        log.line(format_args!("start {started} {}", micros()));
        log
    }

    fn line(&mut self, args: std::fmt::Arguments) {
        if let Some(out) = &mut self.out {
            // Written at once: the log is read while the TUI runs; a failed write is dropped.
            let _ = writeln!(out, "{args}").and_then(|()| out.flush());
        }
    }

    /// A message about to go through the update (only keys and listings are logged).
    pub(super) fn message(&mut self, msg: &Msg) {
        if self.out.is_none() {
            return;
        }
        match msg {
            Msg::Key(k) => {
                let t = micros();
                self.line(format_args!("key {t} {:?}", k.code));
            }
            Msg::ListedPage { side, entries, .. } => {
                let t = micros();
                self.line(format_args!("page {t} {side} {}", entries.len()));
            }
            Msg::Listed { side, .. } => {
                let t = micros();
                self.line(format_args!("listed {t} {side}"));
            }
            _ => {}
        }
    }

    /// Times a frame's draw.
    pub(super) fn frame<T>(&mut self, draw: impl FnOnce() -> T) -> T {
        if self.out.is_none() {
            return draw();
        }
        let t = micros();
        let result = draw();
        let end = micros();
        self.line(format_args!("frame {end} {}", end - t));
        result
    }
}
