//! What the transfer engine tells the TUI: questions become modals, finished jobs mark the
//! panes they touch for a fresh listing, failures reach the status bar.

use tui_input::Input;

use super::modal::{CaptchaTarget, Modal};
use super::update_accounts;
use super::{Effect, State};
use crate::sanitize::for_terminal;
use crate::transfer::{Event, JobSpec, JobState, LOCAL, Question};

pub(super) fn engine_event(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Ask(Question::Conflict {
            job,
            destination,
            existing_size,
            new_size,
            reply,
        }) => {
            let conflict = super::modal::Conflict {
                job,
                destination: for_terminal(&destination).into_owned(),
                existing_size,
                new_size,
                reply: Some(reply),
                choice: 0,
                apply_to_all: false,
            };
            state.modals.push(Modal::Conflict(Box::new(conflict)));
        }
        Event::Ask(Question::Captcha {
            job,
            what,
            challenge,
            message,
            reply,
        }) => {
            let target = CaptchaTarget::Job(job);
            let round = state.captcha_rounds.entry(target.clone()).or_insert(0);
            *round += 1;
            let captcha = super::modal::Captcha {
                target,
                what: for_terminal(&what).into_owned(),
                challenge,
                message: for_terminal(&message).into_owned(),
                reply: Some(reply),
                input: Input::default(),
                round: *round,
                opened_in_browser: false,
                note: None,
            };
            return update_accounts::show_captcha(state, captcha);
        }
        Event::Changed(view) => {
            if view.state.is_finished() {
                state.captcha_rounds.remove(&CaptchaTarget::Job(view.id));
            }
            if matches!(view.state, JobState::Done { .. }) {
                for side in 0..2 {
                    let account = state.panes[side].account.clone();
                    let touches = match &view.spec {
                        JobSpec::Copy { from, to, .. } => {
                            to.account == account
                                || (from.account == account && touches_source(&view.spec))
                        }
                        other => other.accounts().contains(&account.as_str()) || account == LOCAL,
                    };
                    if touches {
                        state.stale[side] = true;
                    }
                }
            }
            if let JobState::Failed { error } = &view.state {
                state.status = Some(format!(
                    "failed: {}",
                    for_terminal(&error.replace('\n', " "))
                ));
            }
            state.queue.apply(&Event::Changed(view));
            clear_finished_work(state);
        }
        Event::Idle => {
            state.queue.apply(&Event::Idle);
        }
        other => state.queue.apply(&other),
    }
    vec![]
}

/// Once nothing is unfinished, a status about queued work is old news.
fn clear_finished_work(state: &mut State) {
    if state.queue.unfinished() == 0 && state.work_status.is_some() {
        if state.status == state.work_status {
            state.status = None;
        }
        state.work_status = None;
    }
}

fn touches_source(spec: &JobSpec) -> bool {
    matches!(
        spec,
        JobSpec::Copy {
            remove_source: true,
            ..
        }
    )
}
