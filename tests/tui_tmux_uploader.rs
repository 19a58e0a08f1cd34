//! End to end in tmux: the uploader's workflow in the TUI on `--demo`. The Keep2Share demo
//! account's blocked file shows its badge, its info asks the host again (`c`), the export
//! (`E`) shows its link as BBCode and copies it with OSC 52, and `A` makes it private. Skips,
//! saying why, where tmux is missing (CI installs it).

// The harness serves the other tmux tests too: not all of it is used here.
#[allow(dead_code)]
#[path = "tui_tmux/harness.rs"]
mod harness;

use harness::{EmulatorProcess, Tmux, demo_script, have_tmux, http_post_json};
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
    quit(&tmux, home);
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
    mirror_m_txt_to_k2s_xfs_ys(&tmux);
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
    quit(&tmux, home);
}

#[test]
fn a_file_fetched_by_link_past_the_traffic_left_asks_first() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let listed = emu.haul(home, &["ls", "--json", "k2s:/readme.txt"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_string();
    // One byte of traffic left on k2s.
    http_post_json(
        &format!("{}/__emulator/keep2share/quota", emu.origin),
        &serde_json::json!({"account": "k2s", "available_traffic": 1}),
    );
    let tmux = Tmux::start("fetch-quota", &emu.tui_script(home));
    tmux.wait_for("both panes", |s| {
        s.contains("k2s:/") && s.contains("readme.txt")
    });
    // The right pane (k2s) focused; L takes the file's link, into the local pane.
    tmux.keys(&["Tab"]);
    let fetch = || {
        tmux.keys(&["L"]);
        tmux.wait_text("Download a file id or link");
        tmux.literal(&format!("{}/file/{id}", emu.origin));
        tmux.keys(&["Enter"]);
        tmux.wait_text("Over quota")
    };
    let s = fetch();
    assert!(s.contains("of traffic left on k2s"), "{s}");
    assert!(s.contains("Start anyway?"), "{s}");
    // Cancelled: nothing queued, nothing written.
    tmux.keys(&["Escape"]);
    let s = tmux.wait_for("the question gone", |s| !s.contains("Over quota"));
    assert!(s.contains("Queue (0)"), "{s}");
    assert!(!home.join("readme.txt").exists());
    // Asked again and started anyway: queued, and the host has its own say.
    fetch();
    tmux.keys(&["Enter"]);
    tmux.wait_for("the download, refused by the host", |s| {
        s.contains("Queue (1)")
            && s.lines()
                .any(|l| l.contains("readme.txt") && l.contains("failed"))
    });
    quit(&tmux, home);
}

#[test]
fn a_mirror_whose_first_host_refuses_uploads_still_fills_the_others() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let body = b"mirrored past a host that refuses\n";
    std::fs::write(home.join("m.txt"), body).unwrap();
    // k2s, the first host ticked, refuses every upload.
    http_post_json(
        &format!("{}/__emulator/faults", emu.origin),
        &serde_json::json!({"route_faults": [{"route": "keep2share/upload", "status": 500}]}),
    );
    let tmux = Tmux::start("mirror-refused", &emu.tui_script(home));
    tmux.wait_for("both panes", |s| s.contains("k2s:/") && s.contains("m.txt"));
    mirror_m_txt_to_k2s_xfs_ys(&tmux);
    let row = |s: &str, state: &str, what: &str| {
        s.lines()
            .any(|l| l.contains(state) && l.contains("[mirror #") && l.contains(what))
    };
    // xfs gets the upload in k2s's place, and ys fetches xfs's copy.
    // k2s's job ends only once its retries are spent: allow for a loaded machine.
    let s = tmux.wait_for_within(
        "the group, ended",
        std::time::Duration::from_secs(120),
        |s| {
            row(s, "failed", "upload m.txt -> k2s:/")
                && row(s, "done", "upload m.txt -> xfs:/")
                && row(s, "done", "copy m.txt -> ys:/")
        },
    );
    assert!(s.contains("fetched by the destination host"), "{s}");
    quit(&tmux, home);
    for account in ["xfs", "ys"] {
        let back = home.join(format!("back-{account}"));
        std::fs::create_dir_all(&back).unwrap();
        let from = format!("{account}:/m.txt");
        emu.haul(home, &["get", &from, back.to_str().unwrap()]);
        assert_eq!(std::fs::read(back.join("m.txt")).unwrap(), body, "{from}");
    }
    let listed = emu.haul(home, &["ls", "--json", "k2s:/"]);
    assert!(!listed.contains("m.txt"), "{listed}");
}

#[test]
fn a_new_account_from_a_site_name() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let tmux = Tmux::start("site-account", &emu.tui_script(home));
    tmux.wait_for("both panes", |s| {
        s.contains("k2s:/") && s.contains("readme.txt")
    });
    tmux.keys(&["a"]);
    tmux.wait_text("Accounts");
    tmux.keys(&["n"]);
    tmux.wait_text("New account");
    tmux.literal("kf");
    // The site field: back from "another site" past katfile.biz to kenfiles.com.
    tmux.keys(&["Tab", "Left", "Left"]);
    let s = tmux.wait_text("https://kenfiles.com/api");
    assert!(
        s.contains("kenfiles.com") && s.contains("xfilesharing"),
        "{s}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("the form closed", |s| !s.contains("New account"));
    let config = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(
        config.contains(
            "[accounts.kf]\nprovider = \"xfilesharing\"\nbase_url = \"https://kenfiles.com/api\"\n"
        ),
        "{config}"
    );
    let s = tmux.screen();
    assert!(
        s.lines()
            .any(|l| l.contains(" kf ") && l.contains("xfilesharing")),
        "{s}"
    );
    assert!(s.contains("added kf: no secret given"), "{s}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the picker closed", |s| !s.contains("n new account"));
    quit(&tmux, home);
}

/// In the local pane: m.txt under the cursor, `M`, and k2s, xfs, ys ticked (the picker lists
/// k2s, k2s-free, xfs, xfs-free, ys, ys-free), in that order.
fn mirror_m_txt_to_k2s_xfs_ys(tmux: &Tmux) {
    tmux.keys(&["/"]);
    tmux.literal("m.txt");
    tmux.keys(&["Enter", "M"]);
    tmux.wait_text("Mirror m.txt to:");
    tmux.keys(&[
        "Space", "Down", "Down", "Space", "Down", "Down", "Space", "Enter",
    ]);
}

/// `q`: haul ends well, and never panicked.
fn quit(tmux: &Tmux, home: &std::path::Path) {
    tmux.keys(&["q"]);
    tmux.wait_text("HAUL_EXIT=0");
    let stderr = std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_folder_uploaded_to_one_account_is_mirrored_to_two_others() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let emu = EmulatorProcess::start(&home.join("emulator-data"));
    let album = home.join("album");
    std::fs::create_dir_all(album.join("deep")).unwrap();
    let files = [
        ("one.txt", &b"first\n"[..]),
        ("deep/two.bin", &[7u8; 70_000][..]),
    ];
    for (name, body) in files {
        std::fs::write(album.join(name), body).unwrap();
    }
    let tmux = Tmux::start("mirror-folder", &emu.tui_script(home));
    tmux.wait_for("both panes", |s| {
        s.contains("k2s:/") && s.contains("/album")
    });
    // The folder to k2s (the right pane), with F5.
    tmux.keys(&["/"]);
    tmux.literal("album");
    tmux.keys(&["Enter", "F5"]);
    tmux.wait_for("the upload, done", |s| s.contains("jobs 0 active 4 done"));
    // On k2s: album under the cursor, M, then xfs and ys ticked
    // (k2s-free, xfs, xfs-free, ys, ys-free).
    tmux.keys(&["Tab", "/"]);
    tmux.literal("album");
    tmux.keys(&["Enter"]);
    tmux.wait_for("album in both panes", |s| {
        s.matches("/album 1 · name").count() == 2
    });
    tmux.keys(&["M"]);
    tmux.wait_text("Mirror album to:");
    tmux.keys(&["Down", "Space", "Down", "Down", "Space", "Enter"]);
    let row = |s: &str, what: &str| {
        s.lines()
            .any(|l| l.contains("done") && l.contains("[mirror #") && l.contains(what))
    };
    // Done: the folders' rows, and every file in them (nothing active).
    tmux.wait_for("the group, done", |s| {
        row(s, "copy album -> xfs:/") && row(s, "copy album -> ys:/") && s.contains("jobs 0 active")
    });
    quit(&tmux, home);
    for account in ["xfs", "ys"] {
        let back = home.join(format!("back-{account}"));
        std::fs::create_dir_all(&back).unwrap();
        let from = format!("{account}:/album");
        emu.haul(home, &["get", "-r", &from, back.to_str().unwrap()]);
        for (name, body) in files {
            let got = std::fs::read(back.join("album").join(name)).unwrap();
            assert!(got == body, "{from}/{name} differs");
        }
    }
}
