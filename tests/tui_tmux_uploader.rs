//! End to end in tmux: the uploader's workflow in the TUI on `--demo`. The Keep2Share demo
//! account's blocked file shows its badge, its info asks the host again (`c`), the export
//! (`E`) shows its link as BBCode and copies it with OSC 52, and `A` makes it private. Skips,
//! saying why, where tmux is missing (CI installs it).

// The harness serves the other tmux tests too: not all of it is used here.
#[allow(dead_code)]
#[path = "tui_tmux/harness.rs"]
mod harness;

use harness::{Tmux, demo_script, have_tmux};
use haul::emulator::keep2share::{DEAD_FILE_ID, DEAD_FILE_NAME};

#[test]
fn demo_shows_the_dead_file_exports_its_link_and_makes_it_private() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let script = demo_script(home);
    let tmux = Tmux::start("uploader", &script);
    tmux.wait_for("both panes", |s| {
        s.contains("ys:/") && s.contains("readme.txt")
    });

    // The right pane to k2s (the picker lists local, then the accounts by name).
    tmux.keys(&["Tab", "a"]);
    tmux.wait_text("k2s-free");
    tmux.keys(&["Home", "Down", "Enter"]);
    tmux.wait_for("k2s's root", |s| {
        s.contains("k2s:/") && s.contains("/Shared")
    });
    tmux.keys(&["/"]);
    tmux.literal("Shared");
    tmux.keys(&["Enter", "Enter"]);
    let s = tmux.wait_text(DEAD_FILE_NAME);
    let row = s
        .lines()
        .find(|l| l.contains(DEAD_FILE_NAME))
        .unwrap_or_default();
    assert!(row.contains("blocked"), "the badge:\n{s}");

    // Its info, asked again.
    tmux.keys(&["End", "i"]);
    tmux.wait_text("Info");
    tmux.keys(&["c"]);
    tmux.wait_text("checked:  blocked (the host says now)");
    tmux.keys(&["Escape"]);

    // Its link as BBCode, copied.
    tmux.keys(&["E"]);
    tmux.wait_text("Links of 1 entries on k2s");
    tmux.keys(&["Right", "Right"]);
    let s = tmux.wait_text(&format!("/file/{DEAD_FILE_ID}]{DEAD_FILE_NAME}[/url]"));
    assert!(s.contains("[url=http"), "{s}");
    tmux.keys(&["c"]);
    tmux.wait_text("1 links copied to the clipboard as bbcode");
    let copied = tmux.clipboard();
    assert!(
        copied.starts_with("[url=http") && copied.contains(DEAD_FILE_NAME),
        "{copied}"
    );
    tmux.keys(&["Escape"]);

    // Private, then listed again with the badge it now has.
    tmux.keys(&["A"]);
    tmux.wait_text("Who may download");
    tmux.keys(&["Right", "Enter"]);
    tmux.wait_text("k2s: 1 made private");
    tmux.keys(&["q"]);
    tmux.wait_text("HAUL_EXIT=0");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_mirrors_a_local_file_to_three_accounts_as_one_group() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::write(home.join("m.txt"), b"mirrored by the TUI\n").unwrap();
    let script = demo_script(home);
    let tmux = Tmux::start("mirror", &script);
    tmux.wait_for("both panes", |s| s.contains("ys:/") && s.contains("m.txt"));
    // The local pane: m.txt under the cursor, then M.
    tmux.keys(&["/"]);
    tmux.literal("m.txt");
    tmux.keys(&["Enter", "M"]);
    tmux.wait_text("Mirror m.txt to:");
    // k2s, k2s-free, xfs, xfs-free, ys (the other pane's folder), ys-free: tick k2s, xfs, ys.
    tmux.keys(&[
        "Space", "Down", "Down", "Space", "Down", "Down", "Space", "Enter",
    ]);
    let done = |s: &str, what: &str| {
        s.lines()
            .any(|l| l.contains("done") && l.contains("[mirror #") && l.contains(what))
    };
    let s = tmux.wait_for("the group, done", |s| {
        done(s, "upload m.txt -> k2s:/")
            && done(s, "copy m.txt -> xfs:/")
            && done(s, "copy m.txt -> ys:/")
    });
    assert!(s.contains("0 failed"), "{s}");
    assert!(s.contains("fetched by the destination host"), "{s}");
    tmux.keys(&["q"]);
    tmux.wait_text("HAUL_EXIT=0");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
