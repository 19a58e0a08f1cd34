//! State fixtures rendered with ratatui's TestBackend, compared with committed insta snapshots
//! at 80x24 and 160x48. No times, ports or temp paths appear in them.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use haul::app::links::LinkItem;
use haul::app::modal::{
    AccountPicker, Captcha, CaptchaTarget, ConfirmAction, Conflict, InputPurpose, Modal,
    SecretPrompt,
};
use haul::app::{AccountEntry, Keymap, Msg, State, update};
use haul::provider::{Availability, ChallengeKind, EntryKind};
use haul::ui::{Images, Theme, render, render_with};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

#[path = "ui_snapshots/fixtures.rs"]
mod fixtures;

use fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

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
            target: CaptchaTarget::Job(2),
            what: "notes.txt".into(),
            challenge: challenge(),
            message: "the host wants a captcha answered first".into(),
            reply: Some(reply),
            input: "ab3".into(),
            round: 2,
            opened_in_browser: false,
            note: None,
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
        s.modals.push(Modal::Help { scroll: 0 });
        s
    });
}

/// At 80x24 the key list does not fit: PgDn twice shows its later part, and the title says
/// which entries are on screen.
#[test]
fn help_modal_scrolled_at_80x24() {
    let mut s = base();
    update(&mut s, Msg::Resize(80, 24));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
    );
    for _ in 0..2 {
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
        );
    }
    insta::assert_snapshot!("help_scrolled_80x24", draw(&mut s, 80, 24));
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
            health: None,
        });
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

#[test]
fn account_picker_modal() {
    snap("accounts", || {
        let mut s = with_accounts();
        s.modals.push(Modal::AccountPicker(AccountPicker {
            cursor: 1,
            note: Some(
                "added k2s-new: no keyring service is running (no D-Bus session), so the secret \
                 is kept for this session only; set HAUL_SECRET_K2S_NEW to keep it"
                    .into(),
            ),
        }));
        s
    });
}

#[test]
fn new_account_form_masks_the_secret() {
    snap("account_form", || {
        let mut s = with_accounts();
        s.modals.push(Modal::AccountPicker(AccountPicker {
            cursor: 0,
            note: None,
        }));
        s.modals.push(Modal::AccountForm(Box::new(form())));
        s
    });
    for (w, h) in SIZES {
        let mut s = base();
        s.modals.push(Modal::AccountForm(Box::new(form())));
        let screen = draw(&mut s, w, h);
        assert!(!screen.contains("hunter2"), "{screen}");
        assert!(
            screen.contains(&"•".repeat("hunter2-not-shown".len())),
            "{screen}"
        );
    }
}

#[test]
fn secret_prompt_masks_the_secret() {
    snap("secret_prompt", || {
        let mut s = with_accounts();
        s.modals.push(Modal::Secret(Box::new(SecretPrompt {
            account: "k2s-old".into(),
            kind: "password",
            input: "s3cret".into(),
            error: Some("the Keep2Share password for me@k2s.example is empty".into()),
            saving: false,
        })));
        s
    });
}

#[test]
fn login_captcha_modal_after_a_wrong_answer() {
    snap("login_captcha", || {
        let mut s = with_accounts();
        s.modals.push(Modal::Captcha(Box::new(login_captcha(
            ChallengeKind::ImageCaptcha,
            false,
            None,
        ))));
        s
    });
}

#[test]
fn login_recaptcha_modal_says_its_page_was_opened() {
    snap("login_recaptcha", || {
        let mut s = with_accounts();
        let mut c = login_captcha(ChallengeKind::ReCaptcha, true, None);
        c.round = 1;
        c.input = "".into();
        c.message =
            "logging in to k2s.example: Please verify your request via re captcha challenge".into();
        s.modals.push(Modal::Captcha(Box::new(c)));
        s
    });
}

/// A cell's colour as a shade, dark to light.
fn shade(c: Color) -> char {
    const RAMP: [char; 6] = ['@', '#', '+', '-', '.', ' '];
    match c {
        Color::Rgb(r, g, b) => {
            let luma = (299 * r as u32 + 587 * g as u32 + 114 * b as u32) / 1000;
            RAMP[(luma as usize * RAMP.len() / 256).min(RAMP.len() - 1)]
        }
        _ => '?',
    }
}

/// The half-block cells of the buffer drawn back as a picture: two rows of shades per row of
/// cells (the upper half is the cell's foreground under `▀`, the lower its background).
fn halfblock_picture(buffer: &Buffer) -> String {
    let area = buffer.area;
    let is_image = |x, y| {
        let c = &buffer[(x, y)];
        matches!(c.fg, Color::Rgb(..)) || matches!(c.bg, Color::Rgb(..))
    };
    let cells: Vec<(u16, u16)> = (area.top()..area.bottom())
        .flat_map(|y| (area.left()..area.right()).map(move |x| (x, y)))
        .filter(|&(x, y)| is_image(x, y))
        .collect();
    let (Some(x0), Some(x1)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.0).max(),
    ) else {
        return String::new();
    };
    let (y0, y1) = (cells[0].1, cells[cells.len() - 1].1);
    let mut out = format!("image cells: x {x0}-{x1}, y {y0}-{y1}\n");
    for y in y0..=y1 {
        let (mut upper, mut lower) = (String::new(), String::new());
        for x in x0..=x1 {
            let c = &buffer[(x, y)];
            let (u, l) = match c.symbol() {
                "▀" => (c.fg, c.bg),
                "▄" => (c.bg, c.fg),
                "█" => (c.fg, c.fg),
                _ => (c.bg, c.bg),
            };
            upper.push(shade(u));
            lower.push(shade(l));
        }
        out.push_str(&format!("{upper}\n{lower}\n"));
    }
    out
}

#[test]
fn login_captcha_draws_its_image_in_half_blocks() {
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/captcha.png"
    ))
    .expect("the fixture");
    // Half blocks at a fixed font size, as with HAUL_NO_GRAPHICS=1: the same on every machine.
    let picker = ratatui_image::picker::Picker::halfblocks();
    let protocol = haul::ui::captcha_protocol(&picker, &png).expect("a PNG the picker takes");
    let mut images = Images::default();
    images.captcha.insert("5b0d1ea7c4f2e".into(), protocol);
    let mut s = with_accounts();
    s.modals.push(Modal::Captcha(Box::new(login_captcha(
        ChallengeKind::ImageCaptcha,
        false,
        Some(png),
    ))));
    let (w, h) = SIZES[0];
    update(&mut s, Msg::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| render_with(&s, &Theme::builtin(), &images, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let picture = halfblock_picture(&buffer);
    assert!(
        picture.contains('@') || picture.contains('#'),
        "the captcha's dark letters are drawn:\n{picture}"
    );
    insta::assert_snapshot!(
        "login_captcha_image_80x24",
        format!("{}\n{picture}", terminal.backend())
    );
}

/// The screen's rows without their first and last column, joined: a URL wrapped in a box as
/// wide as the screen reads whole.
fn joined_rows(screen: &str) -> String {
    screen
        .lines()
        .map(|l| {
            let chars: Vec<char> = l.trim_matches('"').chars().collect();
            chars[1..chars.len().saturating_sub(1).max(1)]
                .iter()
                .collect::<String>()
        })
        .collect()
}

#[test]
fn a_long_captcha_url_wraps_whole_and_the_note_says_no_browser_was_opened() {
    let url = format!(
        "https://k2s.example/api/v2/reCaptcha.html?id=5b0d1ea7c4f2e&site=keep2share&token={}",
        "q1w2e3r4t5".repeat(10)
    );
    let make = || {
        let mut s = with_accounts();
        let mut c = login_captcha(ChallengeKind::ReCaptcha, false, None);
        c.challenge.url = Some(url.clone());
        c.round = 1;
        c.input = "".into();
        c.note =
            Some("no browser here (HAUL_NO_BROWSER is set, or no display): C-y copies it".into());
        s.modals.push(Modal::Captcha(Box::new(c)));
        s
    };
    snap("captcha_long_url", make);
    let screen = draw(&mut make(), 80, 24);
    assert!(
        joined_rows(&screen).contains(&url),
        "the whole URL is on screen:\n{screen}"
    );
    assert!(!screen.contains("was opened"), "{screen}");
}

#[test]
fn a_first_screen_without_accounts_says_how_to_add_one() {
    snap("no_accounts", || {
        let mut s = State::new(
            vec![AccountEntry::local()],
            "local",
            "local",
            PathBuf::from("/home/demo"),
            Keymap::builtin(),
        );
        s.start();
        for side in 0..2 {
            update(
                &mut s,
                Msg::Listed {
                    side,
                    seq: 1,
                    result: Ok(vec![entry("notes.txt", EntryKind::File, 1_234, 3)]),
                },
            );
        }
        s
    });
}

#[test]
fn the_status_bar_says_when_an_apply_to_all_answer_settles_conflicts() {
    let mut s = with_jobs();
    let running = s
        .queue
        .rows
        .iter()
        .find(|r| !r.state.is_finished())
        .map(|r| r.batch)
        .expect("a job still running");
    let before = draw(&mut s, 160, 48);
    assert!(!before.contains("conflicts:"), "{before}");
    haul::app::update(
        &mut s,
        Msg::Engine(haul::transfer::Event::ConflictRule {
            batch: running,
            policy: haul::transfer::ConflictPolicy::Overwrite,
        }),
    );
    let after = draw(&mut s, 160, 48);
    assert!(after.contains("conflicts: overwrite"), "{after}");
}

/// The right pane on a Keep2Share account whose host says some files are not plainly alive.
fn with_badges() -> State {
    let mut s = base();
    s.focus = 1;
    let mut blocked = entry("taken-down.txt", EntryKind::File, 48, 9);
    blocked.set_availability(&Availability::Blocked);
    let mut private = entry("mine-only.zip", EntryKind::File, 7_000_000, 10);
    private.set_availability(&Availability::Private);
    let mut alive = entry("shared.zip", EntryKind::File, 5_000, 11);
    alive.set_availability(&Availability::Alive);
    let entries = vec![
        entry("Shared", EntryKind::Folder, 0, 8),
        alive,
        blocked,
        private,
    ];
    let seq = s.panes[1].begin_listing();
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq,
            result: Ok(entries),
        },
    );
    s
}

#[test]
fn availability_badges() {
    snap("badges", with_badges);
}

#[test]
fn info_after_a_check() {
    snap("info_checked", || {
        let mut s = with_badges();
        s.panes[1].cursor = 3;
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Msg::Link {
                entry_id: "id-taken-down.txt".into(),
                result: Ok("https://k2s.example/file/dead0b10cced0".into()),
            },
        );
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Msg::Checked {
                account: "ys".into(),
                entry_id: "id-taken-down.txt".into(),
                result: Ok(Availability::Blocked),
            },
        );
        s
    });
}

#[test]
fn link_export() {
    snap("export", || {
        let mut s = base();
        s.focus = 1;
        s.panes[1].marks.insert("id-readme.txt".into());
        s.panes[1].marks.insert("id-evil\u{1b}[31mname.txt".into());
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)),
        );
        let item = |name: &str, link: &str, size| {
            LinkItem::new(&format!("ys:/{name}"), link, name, Some(size), "ys")
        };
        update(
            &mut s,
            Msg::Links {
                account: "ys".into(),
                result: Ok(vec![
                    item("readme.txt", "https://ys.example/abc/readme.txt", 404),
                    item("evil\u{1b}[31m[/url]name.txt", "https://ys.example/x[1]", 9),
                    Err("ys:/gone.txt: no such file".into()),
                ]),
            },
        );
        s
    });
}

#[test]
fn access_picker() {
    snap("access", || {
        let mut s = base();
        s.focus = 1;
        s.panes[1].cursor = 2;
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)),
        );
        s
    });
}
