//! The account picker, its forms, signing in and the login captcha, through `update` only.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::account_form::masked;
use super::modal::{CaptchaTarget, Modal};
use super::tests::{account, key, state};
use super::*;
use crate::config::new_account::{AccountError, AccountField};
use crate::config::secrets::SecretKept;
use crate::config::{AccountConfig, ProviderFamily};
use crate::provider::{Challenge, ChallengeKind, ChallengePurpose};

/// The fixture with a Keep2Share account: `local`, `k2s`, `ys`.
pub(super) fn with_k2s() -> State {
    let mut s = state();
    s.accounts
        .insert(1, account("k2s", ProviderFamily::Keep2share));
    s
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

pub(super) fn challenge(id: &str, kind: ChallengeKind) -> Challenge {
    Challenge {
        kind,
        purpose: ChallengePurpose::Login,
        id: id.into(),
        url: Some(format!("https://k2s.example/api/v2/captcha?id={id}")),
        image: None,
    }
}

fn login_state(s: &State, name: &str) -> LoginState {
    s.account(name).expect("listed").login.clone()
}

/// `a`, the cursor to `name`, Enter: the effects.
fn switch_to(s: &mut State, name: &str) -> Vec<Effect> {
    key(s, KeyCode::Char('a'));
    let at = s.accounts.iter().position(|a| a.name == name).unwrap();
    key(s, KeyCode::Home);
    for _ in 0..at {
        key(s, KeyCode::Down);
    }
    key(s, KeyCode::Enter)
}

/// Ctrl-r on the focused pane: whether its listing signs in first.
fn reload_signs_in(s: &mut State) -> bool {
    let fx = update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    match &fx[..] {
        [Effect::List { sign_in, .. }] => *sign_in,
        other => panic!("reload gave {other:?}"),
    }
}

fn picker_note(s: &State) -> String {
    match s.modals.last() {
        Some(Modal::AccountPicker(p)) => p.note.clone().unwrap_or_default(),
        _ => panic!("the picker is not on top"),
    }
}

#[test]
fn picker_switches_the_pane_and_signs_in_only_until_signed_in() {
    let mut s = with_k2s();
    key(&mut s, KeyCode::Char('a'));
    let Some(Modal::AccountPicker(p)) = s.modals.last() else {
        panic!("no picker")
    };
    assert_eq!(p.cursor, 0, "on the focused pane's account (local)");
    key(&mut s, KeyCode::Esc);
    assert!(s.modals.is_empty());

    let fx = switch_to(&mut s, "k2s");
    assert!(s.modals.is_empty());
    assert_eq!(s.panes[0].account, "k2s");
    let [
        Effect::List {
            side: 0,
            seq,
            sign_in: true,
            account,
            ..
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(account, "k2s");
    assert_eq!(login_state(&s, "k2s"), LoginState::SigningIn);
    let seq = *seq;
    update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: Some((0, seq)),
            result: Ok(()),
        },
    );
    assert_eq!(login_state(&s, "k2s"), LoginState::SignedIn);
    assert!(s.panes[0].loading, "the listing goes on after signing in");
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq,
            result: Ok(vec![super::tests::entry(
                "a.bin",
                crate::provider::EntryKind::File,
                1,
            )]),
        },
    );
    assert_eq!(s.panes[0].entries.len(), 1);

    // Signed in: listing again does not sign in again.
    assert!(!reload_signs_in(&mut s));
}

#[test]
fn a_missing_secret_names_the_variable_in_the_pane_and_the_picker() {
    let mut s = with_k2s();
    let fx = switch_to(&mut s, "k2s");
    let [Effect::List { seq, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: Some((0, *seq)),
            result: Err(LoginProblem::NoSecret {
                env_var: "HAUL_SECRET_K2S".into(),
            }),
        },
    );
    let p = &s.panes[0];
    assert!(!p.loading);
    let text = p.error.as_deref().unwrap();
    assert!(text.contains("set HAUL_SECRET_K2S"), "{text}");
    assert!(text.contains("press a then e"), "{text}");
    assert_eq!(
        login_state(&s, "k2s").label(),
        "no secret: set HAUL_SECRET_K2S"
    );
    // Trying again signs in again.
    assert!(reload_signs_in(&mut s));
}

#[test]
fn a_refused_sign_in_shows_one_line_and_an_old_listing_cannot_end_a_new_one() {
    let mut s = with_k2s();
    let fx = switch_to(&mut s, "k2s");
    let [Effect::List { seq: old, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    let old = *old;
    let fx = switch_to(&mut s, "k2s");
    let [Effect::List { seq: new, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    let new = *new;
    let refused = |seq| Msg::Login {
        account: "k2s".into(),
        pane: Some((0, seq)),
        result: Err(LoginProblem::Failed(
            "logging in to k2s.example:\n Invalid login or password".into(),
        )),
    };
    update(&mut s, refused(old));
    assert!(
        s.panes[0].loading,
        "the older listing's answer is not this pane's"
    );
    update(&mut s, refused(new));
    assert!(!s.panes[0].loading);
    assert_eq!(
        login_state(&s, "k2s"),
        LoginState::Failed("logging in to k2s.example: Invalid login or password".into())
    );
    let text = s.panes[0].error.clone().unwrap();
    assert!(text.starts_with("signing in to k2s failed: "), "{text}");
    assert!(!text.contains('\n'));
}

#[test]
fn login_captcha_wrong_answer_asks_again_then_the_right_one_lists() {
    let mut s = with_k2s();
    s.focus = 1;
    let fx = switch_to(&mut s, "k2s");
    let [Effect::List { side: 1, seq, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    let seq = *seq;
    let first = challenge("c1", ChallengeKind::ImageCaptcha);
    let fx = update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: Some((1, seq)),
            result: Err(LoginProblem::Captcha {
                challenge: first.clone(),
                message: "logging in to k2s.example: Captcha required".into(),
            }),
        },
    );
    assert!(
        fx.is_empty(),
        "an image captcha opens in a browser only on `o`"
    );
    assert_eq!(s.pending_questions(), 1, "the badge counts login captchas");
    let Some(Modal::Captcha(c)) = s.modals.last() else {
        panic!("no captcha modal")
    };
    assert_eq!(c.target, CaptchaTarget::Login("k2s".into()));
    assert_eq!((c.round, c.what.as_str()), (1, "signing in to k2s"));
    assert_eq!(login_state(&s, "k2s"), LoginState::CaptchaWaiting);
    assert!(!s.panes[1].loading);
    assert!(
        s.panes[1]
            .error
            .as_deref()
            .unwrap()
            .contains("needs a captcha")
    );

    // The other pane meets the same challenge: no second modal.
    update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: None,
            result: Err(LoginProblem::Captcha {
                challenge: first.clone(),
                message: "again".into(),
            }),
        },
    );
    assert_eq!(s.modals.len(), 1);

    typed(&mut s, "bad");
    let fx = key(&mut s, KeyCode::Enter);
    let [
        Effect::AnswerLogin {
            account,
            challenge,
            answer,
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!((account.as_str(), answer.as_str()), ("k2s", "bad"));
    assert_eq!(challenge.id, "c1");
    assert!(s.modals.is_empty());
    assert_eq!(login_state(&s, "k2s"), LoginState::CheckingAnswer);

    // The host wants a new one: asked again, as a second try.
    update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: None,
            result: Err(LoginProblem::Captcha {
                challenge: challenge_with("c2"),
                message: "Invalid captcha code".into(),
            }),
        },
    );
    let Some(Modal::Captcha(c)) = s.modals.last() else {
        panic!("not asked again")
    };
    assert_eq!((c.round, c.challenge.id.as_str()), (2, "c2"));
    typed(&mut s, "good");
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::AnswerLogin { answer, challenge, .. }] if answer == "good" && challenge.id == "c2")
    );
    let fx = update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: None,
            result: Ok(()),
        },
    );
    assert_eq!(login_state(&s, "k2s"), LoginState::SignedIn);
    assert_eq!(s.status.as_deref(), Some("signed in to k2s"));
    assert!(s.captcha_rounds.is_empty());
    assert!(
        matches!(&fx[..], [Effect::List { side: 1, sign_in: false, account, .. }] if account == "k2s"),
        "the pane lists once signed in: {fx:?}"
    );
}

fn challenge_with(id: &str) -> Challenge {
    challenge(id, ChallengeKind::ImageCaptcha)
}

#[test]
fn esc_on_a_login_captcha_cancels_signing_in_and_the_pane_says_so() {
    let mut s = with_k2s();
    let fx = switch_to(&mut s, "k2s");
    let [Effect::List { seq, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    update(
        &mut s,
        Msg::Login {
            account: "k2s".into(),
            pane: Some((0, *seq)),
            result: Err(LoginProblem::Captcha {
                challenge: challenge_with("c1"),
                message: "Captcha required".into(),
            }),
        },
    );
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.modals.is_empty());
    assert_eq!(s.pending_questions(), 0);
    assert_eq!(login_state(&s, "k2s"), LoginState::Cancelled);
    let text = s.panes[0].error.clone().unwrap();
    assert!(text.contains("was cancelled"), "{text}");
    assert!(text.contains("C-r tries again"), "{text}");
    // Trying again signs in afresh.
    assert!(reload_signs_in(&mut s));
}

fn form(s: &State) -> &account_form::AccountForm {
    match s.modals.last() {
        Some(Modal::AccountForm(f)) => f,
        _ => panic!("the form is not on top"),
    }
}

#[test]
fn new_account_form_checks_fields_like_the_cli_and_masks_the_secret() {
    let mut s = with_k2s();
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('n'));
    assert_eq!(form(&s).field(), AccountField::Name);

    typed(&mut s, "bad name");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let e = form(&s).error.clone().unwrap();
    assert_eq!(e.field, Some(AccountField::Name));
    assert!(e.message.contains("1-64 letters"), "{e}");
    for _ in 0.."bad name".len() {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "k2s-new");

    // The site is a choice; "another site" leaves provider and base URL to type.
    key(&mut s, KeyCode::Tab);
    assert_eq!(form(&s).field(), AccountField::Site);
    assert!(form(&s).site().is_none());
    // The provider cycles on its own field; letters don't type into it.
    key(&mut s, KeyCode::Tab);
    assert_eq!(form(&s).provider(), ProviderFamily::Keep2share);
    key(&mut s, KeyCode::Right);
    assert_eq!(form(&s).provider(), ProviderFamily::Yetishare);
    key(&mut s, KeyCode::Left);
    key(&mut s, KeyCode::Left);
    assert_eq!(form(&s).provider(), ProviderFamily::Xfilesharing);
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(form(&s).provider(), ProviderFamily::Keep2share);

    key(&mut s, KeyCode::Tab);
    typed(&mut s, "ftp://k2s.test");
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    assert_eq!(form(&s).field(), AccountField::Secret);
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let e = form(&s).error.clone().unwrap();
    assert_eq!(e.field, Some(AccountField::BaseUrl));
    assert!(e.message.contains("http or https"), "{e}");
    assert_eq!(
        form(&s).field(),
        AccountField::BaseUrl,
        "the focus goes to the field at fault"
    );
    for _ in 0.."ftp://k2s.test".len() {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "https://k2s.test/api/v2/");
    key(&mut s, KeyCode::Tab);
    typed(&mut s, "me@k2s.test");
    let shift_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    update(&mut s, Msg::Key(shift_tab));
    assert_eq!(form(&s).field(), AccountField::BaseUrl);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    typed(&mut s, "hunter2");
    assert_eq!(masked(&form(&s).secret), "•••••••");

    let fx = key(&mut s, KeyCode::Enter);
    let [
        Effect::AddAccount {
            name,
            account,
            secret,
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(name, "k2s-new");
    assert_eq!(
        account,
        &AccountConfig {
            provider: ProviderFamily::Keep2share,
            base_url: "https://k2s.test/api/v2".into(),
            username: Some("me@k2s.test".into()),
            connections_per_file: None,
        }
    );
    assert_eq!(secret.as_ref().map(|s| s.expose()), Some("hunter2"));
    assert!(
        !format!("{fx:?}").contains("hunter2"),
        "effects never print a secret"
    );
    assert!(form(&s).saving);
    assert!(key(&mut s, KeyCode::Enter).is_empty(), "saved once");

    // The secret's shape is the provider's to judge: the form shows what came back.
    let saved = |result| Msg::AccountSaved {
        name: "k2s-new".into(),
        account: account.clone(),
        result,
    };
    update(
        &mut s,
        saved(Err(AccountError::at(
            AccountField::Secret,
            "the Keep2Share password\nis empty",
        ))),
    );
    assert!(!form(&s).saving);
    assert_eq!(form(&s).field(), AccountField::Secret);
    assert_eq!(
        form(&s).error.as_ref().unwrap().message,
        "the Keep2Share password is empty"
    );

    key(&mut s, KeyCode::Enter);
    update(
        &mut s,
        saved(Ok(Some(SecretKept::Session {
            why: "no keyring service is running (no D-Bus)".into(),
            env_var: "HAUL_SECRET_K2S_NEW".into(),
        }))),
    );
    let names: Vec<&str> = s.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["local", "k2s", "k2s-new", "ys"]);
    let note = picker_note(&s);
    assert!(note.contains("kept for this session only"), "{note}");
    assert!(note.contains("set HAUL_SECRET_K2S_NEW"), "{note}");
    let Some(Modal::AccountPicker(p)) = s.modals.last() else {
        panic!()
    };
    assert_eq!(p.cursor, 2, "on the new account");
    assert_eq!(s.account("k2s-new").unwrap().host, "k2s.test");
    assert_eq!(login_state(&s, "k2s-new"), LoginState::NotTried);
}

#[test]
fn typing_a_secret_again_keeps_it_then_signs_in_and_lists() {
    let mut s = with_k2s();
    s.focus = 1; // the right pane shows ys
    key(&mut s, KeyCode::Char('a'));
    assert!(key(&mut s, KeyCode::Char('e')).is_empty());
    let Some(Modal::Secret(p)) = s.modals.last() else {
        panic!("no secret prompt")
    };
    assert_eq!(
        (p.account.as_str(), p.kind),
        ("ys", "API keys as KEY1:KEY2")
    );
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(s.modals.last(), Some(Modal::Secret(p)) if p.error.is_some()));
    typed(&mut s, "k1:k2");
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::SetSecret { account, secret }] if account == "ys" && secret.expose() == "k1:k2")
    );
    update(
        &mut s,
        Msg::SecretSaved {
            account: "ys".into(),
            result: Err("YetiShare API keys must be 64 characters each".into()),
        },
    );
    assert!(
        matches!(s.modals.last(), Some(Modal::Secret(p)) if !p.saving && p.error.as_deref().unwrap().contains("64"))
    );
    key(&mut s, KeyCode::Enter);
    update(
        &mut s,
        Msg::SecretSaved {
            account: "ys".into(),
            result: Ok(SecretKept::Keyring),
        },
    );
    assert!(picker_note(&s).contains("the secret is in the OS keyring"));
    assert_eq!(login_state(&s, "ys"), LoginState::SigningIn);
    let fx = update(
        &mut s,
        Msg::Login {
            account: "ys".into(),
            pane: None,
            result: Ok(()),
        },
    );
    assert!(matches!(&fx[..], [Effect::List { side: 1, .. }]), "{fx:?}");

    // `l` signs in again with what is there; the local disk has nothing to sign in to.
    let fx = key(&mut s, KeyCode::Char('l'));
    assert!(matches!(&fx[..], [Effect::SignIn { account }] if account == "ys"));
    key(&mut s, KeyCode::Home);
    assert!(key(&mut s, KeyCode::Char('e')).is_empty());
    assert!(picker_note(&s).contains("needs no sign-in"));
}
