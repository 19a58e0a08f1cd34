//! A busy host in the TUI: the pane says "retrying in N s" instead of an error, then lists.

use super::Session;
use super::harness::{EmulatorProcess, have_tmux, http_post_json};

#[test]
fn a_pane_waits_out_a_busy_host_and_then_lists() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let session = Session::new(home, &emu);
    // Every second request: 429 with a wait long enough to be seen.
    http_post_json(
        &format!("{}/__emulator/faults", emu.origin),
        &serde_json::json!({ "fail_every": 2, "fail_status": 429, "retry_after_secs": 3 }),
    );
    let tmux = session.tui_started("busy", home);
    let s = tmux.wait_text("busy, retrying in");
    assert!(!s.contains("cannot list"), "a retry is not an error:\n{s}");
    let s = tmux.wait_for("the listing after the waits", |s| {
        s.contains("emu-ys:/") && s.contains("readme.txt")
    });
    assert!(!s.contains("cannot list"), "{s}");
    tmux.keys(&["q"]);
    tmux.wait_text("HAUL_EXIT=0");
}
