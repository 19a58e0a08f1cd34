//! Progress bars on stderr (only when it is a terminal) and byte formatting.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sanitize::for_terminal;

/// One transfer's bar; invisible when stderr is not a terminal.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(total: Option<u64>, label: &str) -> Bar {
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::no_length(),
        };
        if std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(5));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template(
            "{msg:30!} {bar:25} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(for_terminal(label).into_owned());
        Bar { bar }
    }

    pub fn set_position(&self, pos: u64) {
        self.bar.set_position(pos);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `1.5 MiB`-style sizes.
pub fn human_bytes(n: u64) -> String {
    indicatif::HumanBytes(n).to_string()
}

/// Tell the person something on stderr (one sanitized line).
pub fn note(message: impl AsRef<str>) {
    eprintln!("{}", for_terminal(message.as_ref()));
}

/// On a terminal, each retry of a call to a host shows as one line on stderr
/// ("haul: example.com busy, retrying in 4 s (1/10): ..."); `-v` logs them anywhere.
pub fn show_retries() {
    if !std::io::stderr().is_terminal() {
        return;
    }
    crate::http::retry::set_default_scope(Some(std::sync::Arc::new(
        |notice: &crate::http::RetryNotice| note(format!("haul: {}", notice.line())),
    )));
}
