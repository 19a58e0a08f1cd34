//! Writing a command's results to stdout, and messages to stderr, without ever panicking.
//!
//! A reader that goes away early (`haul ls ys: | head -1`) ends the command quietly with
//! [`CLOSED_PIPE_EXIT`]; any other failure to write stdout is a one-line error. A message that
//! cannot be written to stderr is dropped: there is nowhere left to say anything.

use std::fmt::Display;
use std::io::{self, Write};

use super::{CliError, CliResult};

/// The exit status when stdout is closed early: 128 + SIGPIPE, what a shell reports for a
/// program that a closed pipe stopped.
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// One line of results on stdout.
pub fn line(text: impl Display) -> CliResult {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// A JSON value on stdout, on one line (characters a terminal would act on as `\uXXXX`).
pub fn json(value: &serde_json::Value) -> CliResult {
    line(crate::sanitize::json_for_terminal(value))
}

/// Lines of results on stdout, written through one buffer.
pub fn lines(lines: impl IntoIterator<Item = String>) -> CliResult {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let write = || -> io::Result<()> {
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()
    };
    write().map_err(stdout_error)
}

/// A JSON array on stdout, on one line, written item by item as [`json`] writes it whole (a
/// listing of 100,000 entries is never one value in memory).
pub fn json_array(items: impl IntoIterator<Item = serde_json::Value>) -> CliResult {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let write = || -> io::Result<()> {
        out.write_all(b"[")?;
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                out.write_all(b",")?;
            }
            out.write_all(crate::sanitize::json_for_terminal(&item).as_bytes())?;
        }
        out.write_all(b"]\n")?;
        out.flush()
    };
    write().map_err(stdout_error)
}

/// Raw bytes on stdout (generated text: completions, the man page).
pub fn bytes(data: &[u8]) -> CliResult {
    let mut out = io::stdout().lock();
    out.write_all(data)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// One line on stderr; dropped if stderr is gone.
pub fn stderr_line(text: impl Display) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Text on stderr without a newline (a prompt); dropped if stderr is gone.
pub fn stderr_prompt(text: impl Display) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
}

fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::quiet(CLOSED_PIPE_EXIT)
    } else {
        CliError::new(format!("cannot write to standard output: {e}"))
    }
}
