//! `update` as a pure function: messages in, state and effects out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::modal::{InputPurpose, Modal};
use super::*;
use crate::provider::{EntryKind, FolderId};
use crate::transfer::JobSpec;

pub(super) fn entry(name: &str, kind: EntryKind, size: u64) -> Entry {
    Entry {
        id: format!("id-{name}"),
        name: name.into(),
        kind,
        size: Some(size),
        modified: Some("2024-01-02 03:04:05".into()),
        parent: FolderId::Root,
        md5: None,
        extra: BTreeMap::new(),
    }
}

/// An account entry as the config would give it.
pub(super) fn account(name: &str, provider: crate::config::ProviderFamily) -> AccountEntry {
    let config = crate::config::AccountConfig {
        provider,
        base_url: format!("https://{name}.example/api"),
        username: None,
        connections_per_file: None,
    };
    AccountEntry::remote(name, &config)
}

pub(super) fn state() -> State {
    let mut s = State::new(
        vec![
            AccountEntry::local(),
            account("ys", crate::config::ProviderFamily::Yetishare),
        ],
        "local",
        "ys",
        PathBuf::from("/home/me"),
        Keymap::builtin(),
    );
    s.size = (80, 24);
    let effects = s.start();
    assert_eq!(effects.len(), 2);
    let left = vec![
        entry("b.txt", EntryKind::File, 10),
        entry("a.txt", EntryKind::File, 20),
        entry("Docs", EntryKind::Folder, 0),
        entry(".hidden", EntryKind::File, 1),
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
        entry("Remote", EntryKind::Folder, 0),
        entry("r.bin", EntryKind::File, 5),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq: 1,
            result: Ok(right),
        },
    );
    s
}

/// Ctrl and a character.
pub(super) fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub(super) fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn names(p: &PaneState) -> Vec<&str> {
    p.view.iter().map(|&i| p.entries[i].name.as_str()).collect()
}

#[test]
fn listing_sorts_folders_first_and_hides_dotfiles() {
    let mut s = state();
    assert_eq!(names(&s.panes[0]), ["Docs", "a.txt", "b.txt"]);
    key(&mut s, KeyCode::Char('.'));
    assert_eq!(names(&s.panes[0]), ["Docs", ".hidden", "a.txt", "b.txt"]);
    key(&mut s, KeyCode::Char('s'));
    assert_eq!(s.panes[0].sort, pane::SortKey::Size);
    assert_eq!(names(&s.panes[0]), ["Docs", "a.txt", "b.txt", ".hidden"]);
}

#[test]
fn stale_listing_results_are_dropped() {
    let mut s = state();
    let fx = key(&mut s, KeyCode::Enter); // into Docs
    assert!(
        matches!(&fx[..], [Effect::List { side: 0, seq: 2, folder: FolderId::Id(p), .. }] if p == "id-Docs")
    );
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(vec![]),
        },
    );
    assert!(
        s.panes[0].loading,
        "an old result must not end the new listing"
    );
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq: 2,
            result: Err("boom".into()),
        },
    );
    assert_eq!(s.panes[0].error.as_deref(), Some("boom"));
    let fx = key(&mut s, KeyCode::Backspace);
    assert!(matches!(
        &fx[..],
        [Effect::List {
            side: 0,
            seq: 3,
            ..
        }]
    ));
}

#[test]
fn copy_marked_entries_to_the_other_pane() {
    let mut s = state();
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Char(' ')); // mark a.txt, cursor to b.txt
    key(&mut s, KeyCode::Insert); // mark b.txt
    let fx = key(&mut s, KeyCode::F(5));
    let [Effect::Enqueue(specs)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(specs.len(), 2);
    let JobSpec::Copy {
        from,
        to,
        remove_source,
        ..
    } = &specs[0]
    else {
        panic!()
    };
    assert_eq!(from.name, "a.txt");
    assert_eq!(to.account, "ys");
    assert_eq!(to.id, None);
    assert!(!remove_source);
    assert!(s.panes[0].marks.is_empty());
}

#[test]
fn tab_switches_and_move_on_one_account_is_server_side() {
    let mut s = state();
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, 1);
    s.panes[0].account = "ys".into();
    key(&mut s, KeyCode::Down);
    let fx = key(&mut s, KeyCode::F(6));
    assert!(matches!(&fx[..], [Effect::Enqueue(v)] if matches!(&v[0], JobSpec::Move { .. })));
}

#[test]
fn delete_asks_first_and_esc_does_nothing() {
    let mut s = state();
    key(&mut s, KeyCode::Down);
    assert!(key(&mut s, KeyCode::F(8)).is_empty());
    assert!(matches!(s.modals.last(), Some(Modal::Confirm { .. })));
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.modals.is_empty());
    key(&mut s, KeyCode::Delete);
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(matches!(&fx[..], [Effect::Enqueue(v)] if matches!(&v[0], JobSpec::Delete { .. })));
}

#[test]
fn filter_as_you_type_and_escape_clears_it() {
    let mut s = state();
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Char('b'));
    assert_eq!(names(&s.panes[0]), ["b.txt"]);
    key(&mut s, KeyCode::Esc);
    assert_eq!(names(&s.panes[0]).len(), 3);
}

#[test]
fn quit_asks_only_when_jobs_run() {
    let mut s = state();
    assert!(matches!(
        &key(&mut s, KeyCode::Char('q'))[..],
        [Effect::Quit]
    ));
    let mut s = state();
    s.queue.rows.push(queue::JobRow {
        id: 1,
        parent: None,
        batch: 1,
        spec: JobSpec::Mkdir {
            parent: s.panes[1].folder_addr(),
            name: "x".into(),
        },
        state: crate::transfer::JobState::Running,
        done: 0,
        total: None,
        speed: 0.0,
        eta: None,
        last_error: None,
    });
    assert!(key(&mut s, KeyCode::F(10)).is_empty());
    assert!(matches!(&key(&mut s, KeyCode::Enter)[..], [Effect::Quit]));
}

#[test]
fn captcha_answer_goes_back_through_the_reply_and_esc_drops_it() {
    let mut s = state();
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let challenge = crate::provider::Challenge {
        kind: crate::provider::ChallengeKind::ImageCaptcha,
        purpose: crate::provider::ChallengePurpose::Login,
        id: "c1".into(),
        url: Some("http://example.test/c.png".into()),
        image: None,
    };
    let ask = crate::transfer::Question::Captcha {
        job: 7,
        what: "download x".into(),
        challenge: challenge.clone(),
        message: "captcha".into(),
        reply: tx,
    };
    let fx = update(&mut s, Msg::Engine(crate::transfer::Event::Ask(ask)));
    assert!(
        fx.is_empty(),
        "an image captcha opens in a browser only on `o`: {fx:?}"
    );
    assert_eq!(s.pending_questions(), 1);
    let fx = ctrl(&mut s, 'o');
    assert!(matches!(&fx[..], [Effect::OpenUrl(u)] if u == "http://example.test/c.png"));
    // Every character is the answer's, `o` and `c` included.
    for c in "ocb1".chars() {
        assert!(key(&mut s, KeyCode::Char(c)).is_empty());
    }
    let fx = key(&mut s, KeyCode::Enter);
    let mut fx = fx.into_iter();
    let Some(Effect::AnswerCaptcha(reply, text)) = fx.next() else {
        panic!("no answer")
    };
    assert_eq!(text, "ocb1");
    reply.send(text).unwrap();
    assert_eq!(rx.try_recv().unwrap(), "ocb1");

    let (tx, mut rx) = tokio::sync::oneshot::channel::<String>();
    let ask = crate::transfer::Question::Captcha {
        job: 7,
        what: "x".into(),
        challenge,
        message: "wrong".into(),
        reply: tx,
    };
    update(&mut s, Msg::Engine(crate::transfer::Event::Ask(ask)));
    assert!(matches!(s.modals.last(), Some(Modal::Captcha(c)) if c.round == 2));
    key(&mut s, KeyCode::Esc);
    assert!(s.modals.is_empty());
    assert!(
        rx.try_recv().is_err(),
        "the reply is dropped: the job is cancelled"
    );
}

#[test]
fn drag_from_left_dropped_on_a_right_folder_row_copies_into_it() {
    let mut s = state();
    let at = |kind, column, row| Msg::Mouse {
        event: MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        },
        now_ms: 1000,
    };
    // Left pane list starts at row 2; row 3 is the second entry (a.txt).
    update(&mut s, at(MouseEventKind::Down(MouseButton::Left), 5, 3));
    assert_eq!(s.panes[0].current().map(|e| e.name.as_str()), Some("a.txt"));
    update(&mut s, at(MouseEventKind::Drag(MouseButton::Left), 30, 3));
    update(&mut s, at(MouseEventKind::Drag(MouseButton::Left), 50, 2));
    let fx = update(&mut s, at(MouseEventKind::Up(MouseButton::Left), 50, 2));
    let [Effect::Enqueue(specs)] = &fx[..] else {
        panic!("{fx:?}")
    };
    let JobSpec::Copy { to, .. } = &specs[0] else {
        panic!()
    };
    assert_eq!(to.id.as_deref(), Some("id-Remote"));
    assert_eq!(to.shown, "ys:/Remote");
}

#[test]
fn hundred_thousand_entries_page_down_stays_cheap() {
    let mut s = state();
    let many: Vec<Entry> = (0..100_000)
        .map(|i| entry(&format!("f{i:06}"), EntryKind::File, i))
        .collect();
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(many),
        },
    );
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.panes[0].cursor, 99_999);
    let h = s.list_height();
    assert_eq!(s.panes[0].offset, 100_000 - h);
}

#[test]
fn bandwidth_limit_changes_live_and_bad_rates_are_refused() {
    let mut s = state();
    key(&mut s, KeyCode::Char('b'));
    assert!(matches!(
        s.modals.last(),
        Some(Modal::Input {
            purpose: InputPurpose::Bandwidth,
            ..
        })
    ));
    for c in "2M".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let effects = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        &effects[..],
        [Effect::SetBandwidth(Some(r))] if *r == 2 * 1024 * 1024
    ));
    assert_eq!(s.bwlimit, Some(2 * 1024 * 1024));
    assert!(s.modals.is_empty());

    // The prompt starts from the limit in force; a typo is refused and changes nothing.
    key(&mut s, KeyCode::Char('b'));
    match s.modals.last() {
        Some(Modal::Input { input, .. }) => assert_eq!(input.value(), "2M"),
        _ => panic!("no bandwidth prompt"),
    }
    for c in "fast".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        matches!(s.modals.last(), Some(Modal::Error { detail, .. }) if detail.contains("not a rate"))
    );
    assert_eq!(s.bwlimit, Some(2 * 1024 * 1024));
    key(&mut s, KeyCode::Esc);

    // From the queue view too; emptied, it lifts the limit.
    key(&mut s, KeyCode::Char('t'));
    key(&mut s, KeyCode::Char('b'));
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    assert!(matches!(
        &key(&mut s, KeyCode::Enter)[..],
        [Effect::SetBandwidth(None)]
    ));
    assert_eq!(s.bwlimit, None);
}

#[test]
fn rates_read_back_as_typed() {
    use super::update::human_rate;
    for rate in [2000, 512 * 1024, 10 * 1024 * 1024, 1_610_612_736, u64::MAX] {
        assert_eq!(
            crate::transfer::throttle::parse_rate(&human_rate(rate)),
            Some(rate)
        );
    }
}
