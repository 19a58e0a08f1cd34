//! What the CLI shows on stderr while it works, and byte formatting.
//!
//! On a terminal: a bar per running file and a total bar, redrawn in place ([`Mode::Bars`]).
//! Elsewhere: one plain line per finished file, no escape codes ([`Mode::Lines`]). With
//! `--quiet`: neither ([`Mode::Quiet`]). Messages go through [`line`], which prints them above
//! the bars without breaking them.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, IsTerminal};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output;
use crate::sanitize::for_terminal;
use crate::transfer::{JobId, JobSpec, JobState, JobView};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bars on stderr, which is a terminal.
    Bars,
    /// One line per finished file on stderr, which is not a terminal.
    Lines,
    /// `--quiet`: no progress at all.
    Quiet,
}

static MODE: OnceLock<Mode> = OnceLock::new();
static MULTI: OnceLock<MultiProgress> = OnceLock::new();

/// Inside [`suspend`]: the bars are off the screen and their lock is held (while a person
/// types), so messages go straight to stderr instead of waiting for it.
static SUSPENDED: AtomicBool = AtomicBool::new(false);

/// Choose the mode once, from `--quiet` and whether stderr is a terminal.
pub fn init(quiet: bool) {
    let _ = MODE.set(detect(quiet));
}

fn detect(quiet: bool) -> Mode {
    if quiet {
        Mode::Quiet
    } else if std::io::stderr().is_terminal() {
        Mode::Bars
    } else {
        Mode::Lines
    }
}

pub fn mode() -> Mode {
    *MODE.get_or_init(|| detect(false))
}

/// Every bar of this process, drawn together.
fn multi() -> &'static MultiProgress {
    MULTI.get_or_init(|| {
        let target = match mode() {
            Mode::Bars => ProgressDrawTarget::stderr_with_hz(5),
            Mode::Lines | Mode::Quiet => ProgressDrawTarget::hidden(),
        };
        MultiProgress::with_draw_target(target)
    })
}

/// One line on stderr, above any progress bars and without breaking them; made safe for the
/// terminal. Every message the CLI prints while it works goes through here.
pub fn line(message: impl AsRef<str>) {
    print_above(&for_terminal(message.as_ref()));
}

/// `text` (one or more lines, already safe) above the bars, or straight to stderr.
fn print_above(text: &str) {
    let drawn =
        mode() == Mode::Bars && !SUSPENDED.load(Ordering::SeqCst) && multi().println(text).is_ok();
    if !drawn {
        output::stderr_line(text);
    }
}

/// Where log lines go (`-v`, `HAUL_LOG`): above the bars like any message, and a line that
/// cannot be written is dropped.
#[derive(Default)]
pub struct LogWriter {
    buffer: Vec<u8>,
}

impl std::io::Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            let text = String::from_utf8_lossy(&self.buffer).into_owned();
            self.buffer.clear();
            // Written as formatted (colours included), as before there were bars.
            print_above(text.trim_end_matches('\n'));
        }
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Run `f` (a prompt, a captcha image) with the bars out of the way; they are drawn again after.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    if mode() != Mode::Bars || SUSPENDED.load(Ordering::SeqCst) {
        return f();
    }
    multi().suspend(|| {
        SUSPENDED.store(true, Ordering::SeqCst);
        let result = f();
        SUSPENDED.store(false, Ordering::SeqCst);
        result
    })
}

/// Ask on the terminal with the bars out of the way; the line typed (empty if none).
pub async fn prompt(question: String) -> String {
    tokio::task::spawn_blocking(move || {
        suspend(|| {
            output::stderr_prompt(&question);
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            answer
        })
    })
    .await
    .unwrap_or_default()
}

/// `1.5 MiB`-style sizes.
pub fn human_bytes(n: u64) -> String {
    indicatif::HumanBytes(n).to_string()
}

/// What a bar shows; `{prefix}` is the file, `{msg}` why it waits.
const BYTES: &str = "{prefix:24!} {wide_bar} {percent:>3}% {bytes:>9}/{total_bytes:<9} {bytes_per_sec:>11} ETA {eta:<3}";
const UNSIZED: &str = "{prefix:24!} {spinner} {bytes:>9} {bytes_per_sec:>11}";
const WAITING: &str = "{prefix:24!} {wide_msg}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Bytes,
    Unsized,
    Waiting,
}

/// A bar set up before it is shown, so it never draws half-made.
fn new_bar(length: Option<u64>, look: Look, prefix: String) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::hidden());
    set_look(&bar, look);
    bar.set_prefix(prefix);
    bar
}

fn set_look(bar: &ProgressBar, look: Look) {
    let template = match look {
        Look::Bytes => BYTES,
        Look::Unsized => UNSIZED,
        Look::Waiting => WAITING,
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
}

/// A bar for one piece of work of unknown size (a remote upload the host runs), on the bars.
pub fn unsized_bar(label: &str) -> ProgressBar {
    multi().add(new_bar(
        None,
        Look::Unsized,
        for_terminal(label).into_owned(),
    ))
}

/// One transfer's bar.
struct FileBar {
    bar: ProgressBar,
    look: Look,
}

/// How far one transfer is.
#[derive(Debug, Clone, Copy, Default)]
struct Sizes {
    done: u64,
    total: Option<u64>,
}

impl Sizes {
    /// What this transfer adds to the total's length: its size, or what it moved so far.
    fn length(self) -> u64 {
        self.total.unwrap_or(self.done).max(self.done)
    }
}

/// The progress of a run of transfer jobs: a bar per running file and a total bar, or a line
/// per finished file.
pub struct Transfers {
    files: HashMap<JobId, FileBar>,
    total: Option<ProgressBar>,
    sizes: HashMap<JobId, Sizes>,
    /// Sums over `sizes`: (done, length).
    sum_done: u64,
    sum_length: u64,
    finished: usize,
    started: HashMap<JobId, Instant>,
    /// Jobs whose last state was a wait (so a wait is said once in lines).
    waiting: HashSet<JobId>,
}

impl Default for Transfers {
    fn default() -> Self {
        Transfers::new()
    }
}

impl Transfers {
    pub fn new() -> Transfers {
        Transfers {
            files: HashMap::new(),
            total: None,
            sizes: HashMap::new(),
            sum_done: 0,
            sum_length: 0,
            finished: 0,
            started: HashMap::new(),
            waiting: HashSet::new(),
        }
    }

    /// A job of this run became known (given on the command line, or expanded from a folder).
    pub fn added(&mut self, id: JobId, spec: &JobSpec) {
        if spec.is_transfer() && !self.sizes.contains_key(&id) {
            self.set_sizes(
                id,
                Sizes {
                    done: 0,
                    total: spec.size(),
                },
            );
        }
    }

    /// Bytes moved by a job.
    pub fn progress(&mut self, id: JobId, spec: &JobSpec, done: u64, total: Option<u64>) {
        if !spec.is_transfer() {
            return;
        }
        self.started.entry(id).or_insert_with(Instant::now);
        let total = total.or(self.sizes.get(&id).and_then(|s| s.total));
        self.set_sizes(id, Sizes { done, total });
        if mode() != Mode::Bars {
            return;
        }
        let look = if total.is_some() {
            Look::Bytes
        } else {
            Look::Unsized
        };
        let file = self.file_bar(id, spec, total, look);
        if let Some(t) = total {
            file.bar.set_length(t);
        }
        file.bar.set_position(done);
        if file.look != look {
            set_look(&file.bar, look);
            file.look = look;
        }
    }

    /// A job's state changed.
    pub fn state(&mut self, view: &JobView) {
        if !view.spec.is_transfer() {
            return;
        }
        match &view.state {
            state if state.is_finished() => self.finished(view),
            JobState::Waiting { why } => {
                let first = self.waiting.insert(view.id);
                match mode() {
                    Mode::Bars => {
                        let file = self.file_bar(view.id, &view.spec, None, Look::Waiting);
                        if file.look != Look::Waiting {
                            set_look(&file.bar, Look::Waiting);
                            file.look = Look::Waiting;
                        }
                        file.bar.set_message(for_terminal(why).into_owned());
                    }
                    Mode::Lines if first => {
                        line(format!("waiting  {}  {why}", remote_end(&view.spec)));
                    }
                    Mode::Lines | Mode::Quiet => {}
                }
            }
            JobState::Running => {
                self.waiting.remove(&view.id);
                self.started.entry(view.id).or_insert_with(Instant::now);
            }
            _ => {}
        }
    }

    fn finished(&mut self, view: &JobView) {
        self.waiting.remove(&view.id);
        if let Some(file) = self.files.remove(&view.id) {
            file.bar.finish_and_clear();
            multi().remove(&file.bar);
        }
        let sizes = self.sizes.get(&view.id).copied().unwrap_or_default();
        if let JobState::Done { note } = &view.state {
            let moved = view
                .total
                .or(sizes.total)
                .unwrap_or(view.done.max(sizes.done));
            self.set_sizes(
                view.id,
                Sizes {
                    done: moved,
                    total: Some(moved),
                },
            );
            if mode() == Mode::Lines && note.is_none() {
                let took = self
                    .started
                    .get(&view.id)
                    .map(Instant::elapsed)
                    .unwrap_or_default();
                line(done_line(&view.spec, moved, took));
            }
        }
        self.started.remove(&view.id);
        self.finished += 1;
        self.update_total();
    }

    fn file_bar(
        &mut self,
        id: JobId,
        spec: &JobSpec,
        length: Option<u64>,
        look: Look,
    ) -> &mut FileBar {
        let total = self.total.clone();
        self.files.entry(id).or_insert_with(|| {
            let bar = new_bar(length, look, bar_label(spec));
            let bar = match &total {
                Some(t) => multi().insert_before(t, bar),
                None => multi().add(bar),
            };
            FileBar { bar, look }
        })
    }

    fn set_sizes(&mut self, id: JobId, new: Sizes) {
        let old = self.sizes.insert(id, new).unwrap_or_default();
        self.sum_done = self.sum_done - old.done + new.done;
        self.sum_length = self.sum_length - old.length() + new.length();
        self.update_total();
    }

    /// The total bar, once the run has more than one file.
    fn update_total(&mut self) {
        if mode() != Mode::Bars || self.sizes.len() < 2 {
            return;
        }
        let prefix = format!("total: {} of {} files", self.finished, self.sizes.len());
        let length = self.sum_length;
        let total = self
            .total
            .get_or_insert_with(|| multi().add(new_bar(Some(length), Look::Bytes, prefix.clone())));
        total.set_prefix(prefix);
        total.set_length(length);
        total.set_position(self.sum_done);
    }

    /// Take every bar off the screen.
    pub fn clear(&mut self) {
        for (_, file) in self.files.drain() {
            file.bar.finish_and_clear();
        }
        if let Some(total) = self.total.take() {
            total.finish_and_clear();
        }
        let _ = multi().clear();
    }
}

impl Drop for Transfers {
    fn drop(&mut self) {
        self.clear();
    }
}

/// What a transfer's bar is called: the file's name.
fn bar_label(spec: &JobSpec) -> String {
    let label = match spec {
        JobSpec::Copy { name, .. } => name.clone(),
        other => other.to_string(),
    };
    for_terminal(&label).into_owned()
}

/// Where a transfer is, as a person knows it: the remote end (an upload's destination, a
/// download's source, a copy's destination).
fn remote_end(spec: &JobSpec) -> String {
    match spec {
        JobSpec::Copy { from, to, .. } if to.is_local() => from.shown.clone(),
        JobSpec::Copy { to, name, .. } => to.child_shown(name),
        other => other.to_string(),
    }
}

/// `done  ys:/x.bin  12.0 MiB  3.1 s`
fn done_line(spec: &JobSpec, bytes: u64, took: Duration) -> String {
    format!(
        "done  {}  {}  {:.1} s",
        remote_end(spec),
        human_bytes(bytes),
        took.as_secs_f64()
    )
}

/// On a terminal, each retry of a call to a host shows as one line on stderr
/// ("haul: example.com busy, retrying in 4 s (1/10): ..."); `-v` logs them anywhere.
pub fn show_retries() {
    if mode() != Mode::Bars {
        return;
    }
    crate::http::retry::set_default_scope(Some(std::sync::Arc::new(
        |notice: &crate::http::RetryNotice| line(format!("haul: {}", notice.line())),
    )));
}
