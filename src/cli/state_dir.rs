//! Where haul keeps its state: the queue journal.

use std::path::PathBuf;

/// `$HAUL_STATE_DIR/queue.sqlite`, else the XDG state dir (`~/.local/state/haul/`).
pub fn journal_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("HAUL_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("queue.sqlite");
    }
    directories::ProjectDirs::from("", "", "haul")
        .map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .join("queue.sqlite")
        })
        .unwrap_or_else(|| PathBuf::from("haul-queue.sqlite"))
}
