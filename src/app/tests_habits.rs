//! Habits: the queue view's keys and reordering, pastes into modals, the captcha's URL keys,
//! Esc and Ctrl-C, the first screen without accounts, and keys remapped in every dialog.

use std::time::Duration;

use crossterm::event::KeyCode;

use super::modal::Modal;
use super::tests::{ctrl, key, state};
use super::tests_accounts::{challenge, with_k2s};
use super::*;
use crate::provider::{Challenge, ChallengeKind, ChallengePurpose};
use crate::transfer::{ConflictPolicy, Event as EngineEvent, FolderAddr, JobState, JobView};

fn job(id: JobId, state: JobState, done: u64, total: u64) -> JobView {
    let to = FolderAddr::local(std::path::Path::new("/tmp"));
    let from = crate::transfer::ItemAddr {
        account: "ys".into(),
        id: format!("f{id}"),
        kind: crate::provider::EntryKind::File,
        name: format!("file{id}.bin"),
        size: Some(total),
        md5: None,
        shown: format!("ys:/file{id}.bin"),
    };
    JobView {
        id,
        parent: None,
        batch: id,
        spec: JobSpec::Copy {
            name: from.name.clone(),
            from,
            to,
            remove_source: false,
            follow_links: false,
        },
        state,
        done,
        total: Some(total),
        speed: 0.0,
        eta: None,
    }
}

fn engine(s: &mut State, event: EngineEvent) -> Vec<Effect> {
    update(s, Msg::Engine(event))
}

fn row_ids(s: &State) -> Vec<JobId> {
    s.queue.rows.iter().map(|r| r.id).collect()
}

fn with_queue(n: JobId) -> State {
    let mut s = state();
    for id in 1..=n {
        engine(
            &mut s,
            EngineEvent::Added(job(id, JobState::Queued, 0, 100)),
        );
    }
    key(&mut s, KeyCode::Char('t'));
    assert!(s.show_queue);
    s
}

#[test]
fn reordering_moves_the_row_on_screen_with_the_cursor_and_tells_the_engine() {
    let mut s = with_queue(4);
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.queue.cursor, 3);
    let fx = key(&mut s, KeyCode::Char('K'));
    assert!(
        matches!(&fx[..], [Effect::Job(4, JobOp::Shift(-1))]),
        "{fx:?}"
    );
    assert_eq!(row_ids(&s), [1, 2, 4, 3]);
    assert_eq!(s.queue.cursor, 2, "the cursor stays on the moved job");
    key(&mut s, KeyCode::Char('K'));
    key(&mut s, KeyCode::Char('K'));
    assert_eq!(row_ids(&s), [4, 1, 2, 3]);
    // At the top it stays, as the engine's order does.
    key(&mut s, KeyCode::Char('K'));
    assert_eq!(row_ids(&s), [4, 1, 2, 3]);
    let fx = key(&mut s, KeyCode::Char('J'));
    assert!(
        matches!(&fx[..], [Effect::Job(4, JobOp::Shift(1))]),
        "{fx:?}"
    );
    assert_eq!(row_ids(&s), [1, 4, 2, 3]);
    // Later events land on the moved rows.
    engine(
        &mut s,
        EngineEvent::Changed(job(4, JobState::Running, 0, 100)),
    );
    assert_eq!(s.queue.rows[1].state, JobState::Running);
    assert_eq!(s.queue.rows.len(), 4);
}

#[test]
fn queue_view_pages_and_jumps() {
    let mut s = with_queue(60);
    s.size = (80, 24);
    key(&mut s, KeyCode::End);
    assert_eq!(s.queue.cursor, 59);
    key(&mut s, KeyCode::Home);
    assert_eq!(s.queue.cursor, 0);
    key(&mut s, KeyCode::PageDown);
    let page = s.queue.cursor;
    assert!(
        (15..=21).contains(&page),
        "a page is the view's rows: {page}"
    );
    key(&mut s, KeyCode::PageDown);
    assert_eq!(s.queue.cursor, 2 * page);
    key(&mut s, KeyCode::PageUp);
    assert_eq!(s.queue.cursor, page);
    key(&mut s, KeyCode::Char('G'));
    key(&mut s, KeyCode::PageDown);
    assert_eq!(s.queue.cursor, 59, "clamped at the end");
    key(&mut s, KeyCode::Char('g'));
    key(&mut s, KeyCode::PageUp);
    assert_eq!(s.queue.cursor, 0);
}

#[test]
fn the_total_eta_is_the_bytes_left_over_the_current_speed() {
    let mut s = with_queue(3);
    engine(
        &mut s,
        EngineEvent::Changed(job(1, JobState::Running, 0, 1000)),
    );
    engine(
        &mut s,
        EngineEvent::Changed(job(2, JobState::Queued, 0, 3000)),
    );
    engine(
        &mut s,
        EngineEvent::Changed(job(3, JobState::Done { note: None }, 500, 500)),
    );
    assert_eq!(s.queue.totals().eta(), None, "no speed, no guess");
    engine(
        &mut s,
        EngineEvent::Progress {
            id: 1,
            done: 200,
            total: Some(1000),
            speed: 100.0,
            eta: None,
        },
    );
    let t = s.queue.totals();
    assert_eq!(t.bytes_left, 800 + 3000, "finished jobs owe nothing");
    assert_eq!(t.eta(), Some(Duration::from_secs(38)));
}

#[test]
fn the_status_about_queued_work_goes_once_the_work_is_done() {
    let mut s = state();
    let fx = key(&mut s, KeyCode::F(5));
    assert!(matches!(&fx[..], [Effect::Enqueue(_)]));
    let status = s.status.clone().unwrap_or_default();
    assert!(status.starts_with("copying 1 entries"), "{status}");
    engine(&mut s, EngineEvent::Added(job(1, JobState::Queued, 0, 10)));
    engine(
        &mut s,
        EngineEvent::Changed(job(1, JobState::Running, 0, 10)),
    );
    assert_eq!(s.status.as_deref(), Some(status.as_str()));
    engine(
        &mut s,
        EngineEvent::Changed(job(1, JobState::Done { note: None }, 10, 10)),
    );
    assert_eq!(s.status, None);
    // A newer message is not the queued work's: it stays.
    key(&mut s, KeyCode::F(5));
    s.status = Some("sorted by size".into());
    engine(&mut s, EngineEvent::Added(job(2, JobState::Queued, 0, 10)));
    engine(
        &mut s,
        EngineEvent::Changed(job(2, JobState::Done { note: None }, 10, 10)),
    );
    assert_eq!(s.status.as_deref(), Some("sorted by size"));
}

#[test]
fn esc_clears_an_applied_filter_in_the_pane() {
    let mut s = state();
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Char('b'));
    key(&mut s, KeyCode::Enter);
    assert!(s.modals.is_empty());
    assert_eq!(s.panes[0].filter, "b");
    assert_eq!(s.panes[0].view.len(), 1);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.panes[0].filter, "");
    assert_eq!(s.panes[0].view.len(), 3);
    assert_eq!(s.status.as_deref(), Some("filter cleared"));
}

#[test]
fn ctrl_c_quits_as_q_does_asking_while_jobs_run() {
    let mut s = state();
    assert!(matches!(&ctrl(&mut s, 'c')[..], [Effect::Quit]));
    assert!(s.quit);

    let mut s = state();
    engine(&mut s, EngineEvent::Added(job(1, JobState::Running, 0, 10)));
    // From a modal too (here the help screen); a second Ctrl-C says yes.
    key(&mut s, KeyCode::F(1));
    assert!(ctrl(&mut s, 'c').is_empty());
    assert!(matches!(s.modals.last(), Some(Modal::Confirm { .. })));
    assert!(!s.quit);
    assert!(matches!(&ctrl(&mut s, 'c')[..], [Effect::Quit]));
    assert!(s.quit);

    // In the queue view, and `n` keeps haul running.
    let mut s = with_queue(1);
    assert!(ctrl(&mut s, 'c').is_empty());
    assert!(key(&mut s, KeyCode::Char('n')).is_empty());
    assert!(s.modals.is_empty() && !s.quit);
}

#[test]
fn a_first_screen_without_accounts_says_how_to_add_one() {
    let mut s = State::new(
        vec![AccountEntry::local()],
        "local",
        "local",
        "/home/me".into(),
        Keymap::builtin(),
    );
    s.start();
    assert_eq!(
        s.status.as_deref(),
        Some("no accounts yet: press a, then n to add one, or try haul --demo")
    );
    // With an account configured, nothing to say.
    let s = state();
    assert_eq!(s.status, None);
}

fn captcha_with(url: Option<&str>) -> State {
    let mut s = state();
    let (reply, _rx) = tokio::sync::oneshot::channel();
    let ask = crate::transfer::Question::Captcha {
        job: 9,
        what: "download x".into(),
        challenge: Challenge {
            kind: ChallengeKind::ReCaptcha,
            purpose: ChallengePurpose::Login,
            id: "c9".into(),
            url: url.map(String::from),
            image: None,
        },
        message: "verify".into(),
        reply,
    };
    s.opens_browser = false;
    let fx = engine(&mut s, EngineEvent::Ask(ask));
    assert!(fx.is_empty(), "no browser here: nothing is opened {fx:?}");
    s
}

fn top_captcha(s: &State) -> &modal::Captcha {
    match s.modals.last() {
        Some(Modal::Captcha(c)) => c,
        _ => panic!("no captcha on top"),
    }
}

#[test]
fn without_a_browser_the_captcha_says_so_and_its_url_copies_with_osc52() {
    let url = "https://k2s.example/api/v2/reCaptcha.html?id=c9";
    let mut s = captcha_with(Some(url));
    assert!(!top_captcha(&s).opened_in_browser);
    assert!(ctrl(&mut s, 'o').is_empty());
    let note = top_captcha(&s).note.clone().unwrap_or_default();
    assert_eq!(
        note, "no browser here (HAUL_NO_BROWSER is set, or no display): C-y copies it",
        "it says how to copy the URL instead"
    );
    let fx = ctrl(&mut s, 'y');
    assert!(
        matches!(&fx[..], [Effect::Clipboard(u)] if u == url),
        "{fx:?}"
    );
    assert_eq!(
        top_captcha(&s).note.as_deref(),
        Some("URL copied to the clipboard (OSC 52)")
    );
    // No URL: nothing to copy, and it says so.
    let mut s = captcha_with(None);
    assert!(ctrl(&mut s, 'y').is_empty());
    assert_eq!(
        top_captcha(&s).note.as_deref(),
        Some("this captcha has no URL to copy")
    );
}

#[test]
fn pastes_reach_the_input_of_any_modal_with_one() {
    // The captcha's token, its trailing newline dropped.
    let mut s = captcha_with(Some("https://k2s.example/r"));
    update(&mut s, Msg::Paste("03AGdBq2-token\n".into()));
    assert_eq!(top_captcha(&s).input.value(), "03AGdBq2-token");
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::AnswerCaptcha(_, t)] if t == "03AGdBq2-token"),
        "{fx:?}"
    );
    assert!(matches!(
        top_of(&s),
        None | Some(Modal::Captcha(_)) | Some(Modal::Conflict(_))
    ));

    // The filter, which follows the paste.
    let mut s = state();
    key(&mut s, KeyCode::Char('/'));
    update(&mut s, Msg::Paste("a.t".into()));
    assert_eq!(s.panes[0].filter, "a.t");
    assert_eq!(s.panes[0].view.len(), 1);
    key(&mut s, KeyCode::Esc);

    // The secret prompt and the new-account form's focused field.
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('n'));
    update(&mut s, Msg::Paste("my-acc\tount".into()));
    let Some(Modal::AccountForm(f)) = s.modals.last() else {
        panic!("the form is on top")
    };
    assert_eq!(f.name.value(), "my-account");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Char('e'));
    update(&mut s, Msg::Paste("KEY1:KEY2".into()));
    let Some(Modal::Secret(p)) = s.modals.last() else {
        panic!("the secret prompt is on top")
    };
    assert_eq!(p.input.value(), "KEY1:KEY2");

    // No modal: a paste does nothing.
    let mut s = state();
    assert!(update(&mut s, Msg::Paste("x".into())).is_empty());
    assert!(s.modals.is_empty() && s.panes[0].filter.is_empty());
}

fn top_of(s: &State) -> Option<&Modal> {
    s.modals.last()
}

fn conflict(s: &mut State) -> tokio::sync::oneshot::Receiver<crate::transfer::ConflictAnswer> {
    let (reply, rx) = tokio::sync::oneshot::channel();
    engine(
        s,
        EngineEvent::Ask(crate::transfer::Question::Conflict {
            job: 5,
            destination: "/tmp/x".into(),
            existing_size: Some(1),
            new_size: Some(2),
            reply,
        }),
    );
    rx
}

fn remapped(layer: &str, action: &str, keys: &[&str]) -> State {
    let mut o = keymap::Overrides::new();
    o.entry(layer.into())
        .or_default()
        .insert(action.into(), keys.iter().map(|k| k.to_string()).collect());
    let mut s = state();
    s.keymap = Keymap::load(&o, "haul.toml").unwrap();
    s
}

#[test]
fn the_conflict_dialog_answers_with_its_keys_from_the_keymap() {
    let mut s = remapped("conflict", "overwrite", &["w"]);
    let _rx = conflict(&mut s);
    assert!(
        key(&mut s, KeyCode::Char('o')).is_empty(),
        "o is unbound now"
    );
    key(&mut s, KeyCode::Char('a'));
    let Some(Modal::Conflict(c)) = s.modals.last() else {
        panic!("the question stays")
    };
    assert!(c.apply_to_all);
    let fx = key(&mut s, KeyCode::Char('w'));
    let [Effect::AnswerConflict(_, answer)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(answer.choice, ConflictPolicy::Overwrite);
    assert!(answer.apply_to_all);
    assert!(s.modals.is_empty());

    // Moving the highlight, then Enter; Esc drops the reply (the job is cancelled).
    let mut s = state();
    let _rx = conflict(&mut s);
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Left);
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::AnswerConflict(_, a)] if a.choice == ConflictPolicy::Skip),
        "{fx:?}"
    );
    let mut rx = conflict(&mut s);
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.modals.is_empty());
    assert!(rx.try_recv().is_err());
}

#[test]
fn help_and_errors_take_their_keys_from_the_keymap() {
    let mut s = remapped("help", "down", &["n"]);
    key(&mut s, KeyCode::F(1));
    key(&mut s, KeyCode::Char('j'));
    assert!(matches!(s.modals.last(), Some(Modal::Help { scroll: 0 })));
    key(&mut s, KeyCode::Char('n'));
    assert!(matches!(s.modals.last(), Some(Modal::Help { scroll: 1 })));
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Char('g'));
    assert!(matches!(s.modals.last(), Some(Modal::Help { scroll: 0 })));
    key(&mut s, KeyCode::Char('q'));
    assert!(s.modals.is_empty());

    let mut s = state();
    update(
        &mut s,
        Msg::Failed {
            title: "Oops".into(),
            detail: "it broke".into(),
        },
    );
    key(&mut s, KeyCode::Char('x'));
    assert_eq!(s.modals.len(), 1, "other keys keep it open");
    key(&mut s, KeyCode::Char('q'));
    assert!(s.modals.is_empty());
}

#[test]
fn a_modal_opened_from_a_modal_goes_on_top_and_closing_it_goes_back() {
    let mut s = state();
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('n'));
    assert!(matches!(
        &s.modals[..],
        [Modal::AccountPicker(_), Modal::AccountForm(_)]
    ));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(&s.modals[..], [Modal::AccountPicker(_)]));
    // A bad bandwidth limit closes the input and shows why.
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('b'));
    update(&mut s, Msg::Paste("lots".into()));
    key(&mut s, KeyCode::Enter);
    assert!(matches!(&s.modals[..], [Modal::Error { .. }]));
}

#[test]
fn a_recaptcha_opens_its_page_once_as_its_modal_comes_up_and_o_reopens_it() {
    let mut s = with_k2s();
    let mut re = challenge("r1", ChallengeKind::ReCaptcha);
    re.url = Some("https://k2s.example/api/v2/reCaptcha.html?id=r1".into());
    let login = |c: Challenge| Msg::Login {
        account: "k2s".into(),
        pane: None,
        result: Err(LoginProblem::Captcha {
            challenge: c,
            message: "verify".into(),
        }),
    };
    let fx = update(&mut s, login(re.clone()));
    assert!(
        matches!(&fx[..], [Effect::OpenUrl(u)] if u.ends_with("reCaptcha.html?id=r1")),
        "{fx:?}"
    );
    // Said to be opened only once the driver says it was.
    assert!(matches!(s.modals.last(), Some(Modal::Captcha(c)) if !c.opened_in_browser));
    let url = "https://k2s.example/api/v2/reCaptcha.html?id=r1".to_string();
    update(
        &mut s,
        Msg::UrlOpened {
            url: url.clone(),
            result: Ok(()),
        },
    );
    assert!(matches!(s.modals.last(), Some(Modal::Captcha(c)) if c.opened_in_browser));
    // The same challenge again does not open it again.
    assert!(update(&mut s, login(re.clone())).is_empty());
    let fx = ctrl(&mut s, 'o');
    assert!(matches!(&fx[..], [Effect::OpenUrl(_)]), "{fx:?}");
    // The browser did not come up this time: the modal says so, and no longer that it was opened.
    update(
        &mut s,
        Msg::UrlOpened {
            url,
            result: Err("no display".into()),
        },
    );
    let Some(Modal::Captcha(c)) = s.modals.last() else {
        panic!("the captcha stays")
    };
    assert!(!c.opened_in_browser);
    let note = c.note.clone().unwrap_or_default();
    assert!(
        note.starts_with("no browser could be opened: no display") && note.contains("C-y"),
        "{note}"
    );
    key(&mut s, KeyCode::Esc);

    // A job's reCaptcha too; never a URL that is not http(s); not when the browser is off.
    let (reply, _rx) = tokio::sync::oneshot::channel();
    let ask = crate::transfer::Question::Captcha {
        job: 3,
        what: "download x".into(),
        challenge: Challenge {
            purpose: ChallengePurpose::Download {
                file_id: "f".into(),
            },
            ..re.clone()
        },
        message: "verify".into(),
        reply,
    };
    let fx = update(&mut s, Msg::Engine(crate::transfer::Event::Ask(ask)));
    assert!(matches!(&fx[..], [Effect::OpenUrl(_)]), "{fx:?}");
    key(&mut s, KeyCode::Esc);

    let mut evil = re.clone();
    evil.url = Some("file:///etc/passwd".into());
    assert!(update(&mut s, login(evil)).is_empty());
    key(&mut s, KeyCode::Esc);
    s.opens_browser = false;
    assert!(update(&mut s, login(re)).is_empty());
    assert!(matches!(s.modals.last(), Some(Modal::Captcha(c)) if !c.opened_in_browser));
}
