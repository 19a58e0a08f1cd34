//! Counting what a multi-file command did, and naming around conflicts.

use std::time::Instant;

use super::progress::{human_bytes, note};
use super::{CliError, CliResult};

/// Tally of a put/get run; failures are reported as they happen and summed at the end.
pub struct Report {
    verb: &'static str,
    started: Instant,
    files: u64,
    bytes: u64,
    skipped: u64,
    failures: u64,
}

impl Report {
    pub fn new(verb: &'static str) -> Report {
        Report {
            verb,
            started: Instant::now(),
            files: 0,
            bytes: 0,
            skipped: 0,
            failures: 0,
        }
    }

    pub fn done(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    pub fn skipped(&mut self) {
        self.skipped += 1;
    }

    pub fn failed(&mut self, what: &str, error: &CliError) {
        self.failures += 1;
        note(format!("haul: {}: {what}: {error}", self.verb));
    }

    /// Ok if nothing failed; a summary on stderr when there was more than one file.
    pub fn finish(self) -> CliResult {
        let total = self.files + self.skipped + self.failures;
        if total > 1 {
            let secs = self.started.elapsed().as_secs_f64();
            note(format!(
                "{} {} file(s), {} in {secs:.1}s; {} skipped, {} failed",
                match self.verb {
                    "upload" => "uploaded",
                    _ => "downloaded",
                },
                self.files,
                human_bytes(self.bytes),
                self.skipped,
                self.failures
            ));
        }
        if self.failures > 0 {
            Err(CliError::new(format!(
                "{} of {total} {}s failed",
                self.failures, self.verb
            )))
        } else {
            Ok(())
        }
    }
}

/// `name (1).ext`, `name (2).ext`, ... the first that `taken` says is free.
pub fn conflict_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (1u32..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::conflict_name;

    #[test]
    fn numbers_around_the_extension() {
        assert_eq!(conflict_name("a.txt", |_| false), "a (1).txt");
        assert_eq!(conflict_name("a.txt", |n| n == "a (1).txt"), "a (2).txt");
        assert_eq!(conflict_name(".bashrc", |_| false), ".bashrc (1)");
        assert_eq!(conflict_name("noext", |_| false), "noext (1)");
    }
}
