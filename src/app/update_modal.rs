//! Keys while a modal is open: the top of the stack gets them.

use crossterm::event::{Event as CtEvent, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use super::modal::{CONFLICT_CHOICES, CaptchaTarget, ConfirmAction, InputPurpose, Modal};
use super::queue::human_bytes;
use super::update_accounts as accounts;
use super::{Action, Effect, Layer, State};
use crate::transfer::{ConflictAnswer, JobSpec};

pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let action = state.keymap.lookup(Layer::Modal, &key);
    let Some(top) = state.modals.pop() else {
        return vec![];
    };
    match top {
        Modal::AccountPicker(picker) => accounts::picker_key(state, picker, &key),
        Modal::AccountForm(form) => accounts::form_key(state, form, action, &key),
        Modal::Secret(prompt) => accounts::secret_key(state, prompt, action, &key),
        Modal::Input { purpose, mut input } => match action {
            Some(Action::Cancel) => {
                if purpose == InputPurpose::Filter {
                    let p = state.pane_mut();
                    p.filter.clear();
                    p.rebuild_view();
                }
                vec![]
            }
            Some(Action::Confirm) => submit_input(state, purpose, input.value().trim().to_string()),
            _ => {
                input.handle_event(&CtEvent::Key(key));
                if purpose == InputPurpose::Filter {
                    let p = state.pane_mut();
                    p.filter = input.value().to_string();
                    p.rebuild_view();
                }
                state.modals.push(Modal::Input { purpose, input });
                vec![]
            }
        },
        Modal::Confirm {
            title,
            message,
            action: on_yes,
        } => match action {
            Some(Action::Confirm | Action::Yes) => match on_yes {
                ConfirmAction::Enqueue(specs) => vec![Effect::Enqueue(specs)],
                ConfirmAction::Quit => {
                    state.quit = true;
                    vec![Effect::Quit]
                }
            },
            Some(Action::Cancel | Action::No) => vec![],
            _ => {
                state.modals.push(Modal::Confirm {
                    title,
                    message,
                    action: on_yes,
                });
                vec![]
            }
        },
        Modal::Conflict(mut c) => {
            let picked = match (action, key.code) {
                (Some(Action::Cancel), _) => return vec![], // dropping the reply cancels the job
                (Some(Action::Confirm), _) => Some(c.choice),
                (Some(Action::Up), _) | (_, KeyCode::Left) => {
                    c.choice = c.choice.saturating_sub(1);
                    None
                }
                (Some(Action::Down), _) | (_, KeyCode::Right) | (_, KeyCode::Tab) => {
                    c.choice = (c.choice + 1).min(CONFLICT_CHOICES.len() - 1);
                    None
                }
                (_, KeyCode::Char('a')) => {
                    c.apply_to_all = !c.apply_to_all;
                    None
                }
                (_, KeyCode::Char(ch)) => CONFLICT_CHOICES.iter().position(|(k, ..)| *k == ch),
                _ => None,
            };
            match (picked, c.reply.take()) {
                (Some(i), Some(reply)) => {
                    let answer = ConflictAnswer {
                        choice: CONFLICT_CHOICES[i].2,
                        apply_to_all: c.apply_to_all,
                    };
                    vec![Effect::AnswerConflict(reply, answer)]
                }
                (_, reply) => {
                    c.reply = reply;
                    state.modals.push(Modal::Conflict(c));
                    vec![]
                }
            }
        }
        Modal::Captcha(mut c) => match (action, c.target.clone()) {
            (Some(Action::Cancel), CaptchaTarget::Job(_)) => {
                state.status = Some(format!("captcha dropped: {} is cancelled", c.what));
                vec![]
            }
            (Some(Action::Cancel), CaptchaTarget::Login(account)) => {
                accounts::cancel_login(state, account)
            }
            (Some(Action::Confirm), CaptchaTarget::Login(account)) => {
                accounts::answer_login(state, c, account)
            }
            (Some(Action::Confirm), CaptchaTarget::Job(_)) => {
                let answer = c.input.value().trim().to_string();
                match c.reply.take() {
                    Some(reply) if !answer.is_empty() => {
                        state.status = Some("captcha answer sent".into());
                        vec![Effect::AnswerCaptcha(reply, answer)]
                    }
                    reply => {
                        c.reply = reply;
                        state.modals.push(Modal::Captcha(c));
                        vec![]
                    }
                }
            }
            // `o` opens the URL only while nothing is typed yet (captchas can hold an 'o').
            (Some(Action::OpenUrl), _) if c.input.value().is_empty() => {
                let url = c.challenge.url.clone();
                state.modals.push(Modal::Captcha(c));
                url.filter(|u| is_web_url(u))
                    .map(Effect::OpenUrl)
                    .into_iter()
                    .collect()
            }
            _ => {
                c.input.handle_event(&CtEvent::Key(key));
                state.modals.push(Modal::Captcha(c));
                vec![]
            }
        },
        Modal::Info {
            entry,
            account,
            link,
        } => {
            let out = match (action, &link) {
                (Some(Action::CopyLink), Some(Ok(url))) => {
                    state.status = Some("link copied to the clipboard (OSC 52)".into());
                    vec![Effect::Clipboard(url.clone())]
                }
                (Some(Action::OpenUrl), Some(Ok(url))) if is_web_url(url) => {
                    vec![Effect::OpenUrl(url.clone())]
                }
                (Some(Action::Cancel | Action::Confirm), _) => return vec![],
                _ => vec![],
            };
            state.modals.push(Modal::Info {
                entry,
                account,
                link,
            });
            out
        }
        Modal::Help { scroll } => {
            let close = matches!(action, Some(Action::Cancel | Action::Confirm))
                || key.code == KeyCode::Char('q');
            if !close {
                let last = help_len(state).saturating_sub(1);
                let page = usize::from(state.size.1.saturating_sub(6)).max(1);
                let scroll = match key.code {
                    KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => scroll + 1,
                    KeyCode::PageUp => scroll.saturating_sub(page),
                    KeyCode::PageDown | KeyCode::Char(' ') => scroll + page,
                    KeyCode::Home | KeyCode::Char('g') => 0,
                    KeyCode::End | KeyCode::Char('G') => last,
                    _ => scroll,
                };
                state.modals.push(Modal::Help {
                    scroll: scroll.min(last),
                });
            }
            vec![]
        }
        top @ Modal::Error { .. } => {
            let close = matches!(action, Some(Action::Cancel | Action::Confirm))
                || key.code == KeyCode::Char('q');
            if !close {
                state.modals.push(top);
            }
            vec![]
        }
    }
}

/// Lines of the help screen: a heading per layer and a line per action.
fn help_len(state: &State) -> usize {
    Layer::ALL
        .iter()
        .map(|&layer| 1 + state.keymap.bindings(layer).len())
        .sum()
}

fn submit_input(state: &mut State, purpose: InputPurpose, value: String) -> Vec<Effect> {
    if value.is_empty() && !matches!(purpose, InputPurpose::Filter | InputPurpose::Bandwidth) {
        return vec![];
    }
    match purpose {
        InputPurpose::Filter => {
            let p = state.pane_mut();
            p.filter = value;
            p.rebuild_view();
            vec![]
        }
        InputPurpose::Mkdir => vec![Effect::Enqueue(vec![JobSpec::Mkdir {
            parent: state.pane().folder_addr(),
            name: value,
        }])],
        InputPurpose::Rename { item } => {
            if value == item.name {
                return vec![];
            }
            vec![Effect::Enqueue(vec![JobSpec::Move {
                item,
                to: state.pane().folder_addr(),
                name: value,
            }])]
        }
        InputPurpose::Bandwidth => {
            let value = value.trim();
            let rate = if value.is_empty() || value == "0" || value.eq_ignore_ascii_case("off") {
                None
            } else {
                match crate::transfer::throttle::parse_rate(value) {
                    Some(rate) => Some(rate),
                    None => {
                        state.modals.push(Modal::Error {
                            title: "Bandwidth limit".into(),
                            detail: format!(
                                "{:?} is not a rate like 500K or 10M (empty for no limit)",
                                crate::sanitize::for_terminal(value)
                            ),
                        });
                        return vec![];
                    }
                }
            };
            state.bwlimit = rate;
            state.status = Some(match rate {
                Some(r) => format!("transfers limited to {}/s", human_bytes(r)),
                None => "no bandwidth limit".into(),
            });
            vec![Effect::SetBandwidth(rate)]
        }
        InputPurpose::Fetch => {
            // A link's last path segment is the file id on Keep2Share-style hosts.
            let id = value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(&value)
                .to_string();
            vec![Effect::Fetch {
                account: state.pane().account.clone(),
                id,
                to: state.panes[1 - state.focus].folder_addr(),
            }]
        }
    }
}

/// Only http and https URLs from servers are ever opened.
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url)
        .map(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or(false)
}
