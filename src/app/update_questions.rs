//! Keys of the questions that wait for a person: a conflict (layer `conflict`) and a captcha
//! (layer `captcha`, a job's or a login's). Closing one without an answer drops its reply,
//! which cancels that one job.

use crossterm::event::KeyEvent;

use super::modal::{CONFLICT_CHOICES, Captcha, CaptchaTarget, Conflict};
use super::update_accounts as accounts;
use super::update_modal::{Handled, open_url, type_into};
use super::{Action, Effect, Layer, State};
use crate::transfer::ConflictAnswer;

pub fn conflict_key(c: &mut Conflict, action: Option<Action>) -> Handled {
    let last = CONFLICT_CHOICES.len() - 1;
    let picked = match action {
        Some(Action::Cancel) => return Handled::close(),
        Some(Action::Confirm) => Some(c.choice),
        Some(Action::PrevChoice) => {
            c.choice = c.choice.saturating_sub(1);
            None
        }
        Some(Action::NextChoice) => {
            c.choice = (c.choice + 1).min(last);
            None
        }
        Some(Action::ApplyToAll) => {
            c.apply_to_all = !c.apply_to_all;
            None
        }
        Some(a) => CONFLICT_CHOICES
            .iter()
            .position(|(choice, ..)| *choice == a),
        None => None,
    };
    match (picked, c.reply.take()) {
        (Some(i), Some(reply)) => {
            let answer = ConflictAnswer {
                choice: CONFLICT_CHOICES[i].2,
                apply_to_all: c.apply_to_all,
            };
            Handled::close_with(vec![Effect::AnswerConflict(reply, answer)])
        }
        (_, reply) => {
            c.reply = reply;
            Handled::stay()
        }
    }
}

pub fn captcha_key(
    state: &mut State,
    c: &mut Captcha,
    action: Option<Action>,
    key: &KeyEvent,
) -> Handled {
    match (action, c.target.clone()) {
        (Some(Action::Cancel), CaptchaTarget::Job(_)) => {
            state.status = Some(format!("captcha dropped: {} is cancelled", c.what));
            Handled::close()
        }
        (Some(Action::Cancel), CaptchaTarget::Login(account)) => {
            Handled::close_with(accounts::cancel_login(state, account))
        }
        (Some(Action::Confirm), target) => {
            let answer = c.input.value().trim().to_string();
            if answer.is_empty() {
                return Handled::stay();
            }
            match target {
                CaptchaTarget::Login(account) => {
                    Handled::close_with(accounts::answer_login(state, c, account, answer))
                }
                CaptchaTarget::Job(_) => match c.reply.take() {
                    Some(reply) => {
                        state.status = Some("captcha answer sent".into());
                        Handled::close_with(vec![Effect::AnswerCaptcha(reply, answer)])
                    }
                    None => Handled::stay(),
                },
            }
        }
        (Some(Action::OpenUrl), _) => {
            let Some(url) = c.challenge.url.clone() else {
                c.note = Some("this captcha has no URL to open".into());
                return Handled::stay();
            };
            let effects = open_url(state, &url, Layer::Captcha);
            c.note = match effects.is_empty() {
                true => state.status.take(),
                false => Some("opening it in the browser…".into()),
            };
            Handled::stay_with(effects)
        }
        (Some(Action::CopyLink), _) => match c.challenge.url.clone() {
            Some(url) => {
                c.note = Some("URL copied to the clipboard (OSC 52)".into());
                Handled::stay_with(vec![Effect::Clipboard(url)])
            }
            None => {
                c.note = Some("this captcha has no URL to copy".into());
                Handled::stay()
            }
        },
        _ => {
            type_into(&mut c.input, key);
            Handled::stay()
        }
    }
}

/// How opening a URL in the browser went: a captcha showing it says so (and only then that
/// its page was opened); otherwise the status bar.
pub fn url_opened(state: &mut State, url: &str, result: Result<(), String>) {
    let note = match &result {
        Ok(()) => "opened in the browser".to_string(),
        Err(why) => format!(
            "no browser could be opened: {}{}",
            crate::sanitize::for_terminal(why),
            state
                .keymap
                .first_key(Layer::Captcha, Action::CopyLink)
                .map(|k| format!("; {k} copies the URL"))
                .unwrap_or_default()
        ),
    };
    let mut shown = false;
    for m in state.modals.iter_mut() {
        if let super::Modal::Captcha(c) = m
            && c.challenge.url.as_deref() == Some(url)
        {
            c.opened_in_browser = result.is_ok();
            c.note = Some(note.clone());
            shown = true;
        }
    }
    if !shown {
        state.status = Some(note);
    }
}
