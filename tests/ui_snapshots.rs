//! State fixtures rendered with ratatui's TestBackend, compared with committed insta snapshots
//! at 80x24 and 160x48. No times, ports or temp paths appear in them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use haul::app::modal::{Captcha, ConfirmAction, Conflict, InputPurpose, Modal};
use haul::app::{Keymap, Msg, State, update};
use haul::provider::{Challenge, ChallengeKind, ChallengePurpose, Entry, EntryKind, FolderId};
use haul::transfer::{Event, JobSpec, JobState, JobView};
use haul::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn entry(name: &str, kind: EntryKind, size: u64, day: u32) -> Entry {
    let mut extra = BTreeMap::new();
    extra.insert("downloads".to_string(), "3".to_string());
    extra.insert("access".to_string(), "public".to_string());
    Entry {
        id: format!("id-{name}"),
        name: name.into(),
        kind,
        size: (kind == EntryKind::File).then_some(size),
        modified: Some(format!("2024-03-{day:02} 10:20:30")),
        parent: FolderId::Root,
        md5: None,
        extra,
    }
}

fn base() -> State {
    let mut s = State::new(
        vec!["local".into(), "k2s".into(), "ys".into()],
        "local",
        "ys",
        PathBuf::from("/home/demo/Downloads"),
        Keymap::builtin(),
    );
    s.start();
    let left = vec![
        entry("Projects", EntryKind::Folder, 0, 1),
        entry("holiday.jpg", EntryKind::File, 2_400_000, 2),
        entry("notes.txt", EntryKind::File, 1_234, 3),
        entry("report-final-final-v3.pdf", EntryKind::File, 88_000, 4),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(left),
        },
    );
    let right = vec![
        entry("Documents", EntryKind::Folder, 0, 5),
        entry("Music", EntryKind::Folder, 0, 6),
        entry("readme.txt", EntryKind::File, 404, 7),
        entry("evil\u{1b}[31mname.txt", EntryKind::File, 9, 8),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq: 1,
            result: Ok(right),
        },
    );
    s.panes[0].marks.insert("id-notes.txt".into());
    s
}

fn job(id: i64, name: &str, state: JobState, done: u64, total: u64) -> JobView {
    let s = base();
    let from = s.panes[0].item_addr(&entry(name, EntryKind::File, total, 1));
    JobView {
        id,
        parent: None,
        spec: JobSpec::Copy {
            from,
            to: s.panes[1].folder_addr(),
            name: name.into(),
            remove_source: false,
        },
        state,
        done,
        total: Some(total),
        speed: 0.0,
        eta: None,
    }
}

fn with_jobs() -> State {
    let mut s = base();
    let jobs = [
        job(1, "holiday.jpg", JobState::Running, 1_200_000, 2_400_000),
        job(2, "notes.txt", JobState::Queued, 0, 1_234),
        job(
            3,
            "report-final-final-v3.pdf",
            JobState::Failed {
                error: "host said: quota exceeded".into(),
            },
            10,
            88_000,
        ),
        job(4, "readme.txt", JobState::Done { note: None }, 404, 404),
    ];
    for j in jobs {
        update(&mut s, Msg::Engine(Event::Added(j)));
    }
    update(
        &mut s,
        Msg::Engine(Event::Progress {
            id: 1,
            done: 1_200_000,
            total: Some(2_400_000),
            speed: 512_000.0,
            eta: Some(Duration::from_secs(3)),
        }),
    );
    s
}

fn draw(state: &mut State, w: u16, h: u16) -> String {
    update(state, Msg::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| render(state, &Theme::builtin(), f))
        .unwrap();
    terminal.backend().to_string()
}

fn snap(name: &str, make: impl Fn() -> State) {
    for (w, h) in SIZES {
        let mut s = make();
        let screen = draw(&mut s, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn challenge() -> Challenge {
    Challenge {
        kind: ChallengeKind::ImageCaptcha,
        purpose: ChallengePurpose::Download {
            file_id: "f1".into(),
        },
        id: "c0ffee".into(),
        url: Some("https://k2s.example/api/v2/captcha?id=c0ffee".into()),
        image: None,
    }
}

#[test]
fn main_screen() {
    snap("main", base);
}

#[test]
fn main_screen_with_jobs() {
    snap("main_jobs", with_jobs);
}

#[test]
fn queue_view() {
    snap("queue", || {
        let mut s = with_jobs();
        s.show_queue = true;
        s
    });
}

#[test]
fn confirm_modal() {
    snap("confirm", || {
        let mut s = base();
        s.modals.push(Modal::Confirm {
            title: "Delete".into(),
            message: "Delete /home/demo/Downloads/notes.txt?".into(),
            action: ConfirmAction::Quit,
        });
        s
    });
}

#[test]
fn input_modal() {
    snap("input", || {
        let mut s = base();
        s.modals.push(Modal::Input {
            purpose: InputPurpose::Mkdir,
            input: "New folder".into(),
        });
        s
    });
}

#[test]
fn conflict_modal() {
    snap("conflict", || {
        let mut s = with_jobs();
        let (reply, _) = tokio::sync::oneshot::channel();
        s.modals.push(Modal::Conflict(Box::new(Conflict {
            job: 2,
            destination: "ys:/notes.txt".into(),
            existing_size: Some(1_000),
            new_size: Some(1_234),
            reply: Some(reply),
            choice: 1,
            apply_to_all: false,
        })));
        s
    });
}

#[test]
fn captcha_modal() {
    snap("captcha", || {
        let mut s = with_jobs();
        let (reply, _) = tokio::sync::oneshot::channel();
        s.modals.push(Modal::Captcha(Box::new(Captcha {
            job: 2,
            what: "notes.txt".into(),
            challenge: challenge(),
            message: "the host wants a captcha answered first".into(),
            reply: Some(reply),
            input: "ab3".into(),
            round: 2,
        })));
        s
    });
}

#[test]
fn error_modal() {
    snap("error", || {
        let mut s = base();
        s.modals.push(Modal::Error {
            title: "Cannot list".into(),
            detail: "ys: the host did not answer\n(after 3 tries)".into(),
        });
        s
    });
}

#[test]
fn help_modal() {
    snap("help", || {
        let mut s = base();
        s.modals.push(Modal::Help);
        s
    });
}

#[test]
fn info_modal() {
    snap("info", || {
        let mut s = base();
        s.focus = 1;
        s.modals.push(Modal::Info {
            entry: Box::new(entry("readme.txt", EntryKind::File, 404, 7)),
            account: "ys".into(),
            link: Some(Ok("https://ys.example/abc/readme.txt".into())),
        });
        s
    });
}

#[test]
fn account_picker_modal() {
    snap("accounts", || {
        let mut s = base();
        s.modals.push(Modal::AccountPicker { cursor: 2 });
        s
    });
}

#[test]
fn loading_and_error_panes() {
    snap("loading", || {
        let mut s = base();
        s.panes[0].begin_listing();
        s.panes[0].entries.clear();
        s.panes[0].rebuild_view();
        update(
            &mut s,
            Msg::Listed {
                side: 1,
                seq: 1,
                result: Err("ys: connection refused".into()),
            },
        );
        s
    });
}
