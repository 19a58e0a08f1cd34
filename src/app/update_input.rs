//! The one-line text input modal: new folder, rename, filter, fetch by id, bandwidth limit.

use crossterm::event::KeyEvent;
use tui_input::Input;

use super::modal::{InputPurpose, Modal};
use super::queue::human_bytes;
use super::update_modal::{Handled, type_into};
use super::{Action, Effect, State};
use crate::transfer::JobSpec;

/// A key for the input modal: Enter submits, Esc cancels (a filter is cleared), the rest types.
pub fn key(
    state: &mut State,
    purpose: &mut InputPurpose,
    input: &mut Input,
    action: Option<Action>,
    key: &KeyEvent,
) -> Handled {
    match action {
        Some(Action::Cancel) => {
            if *purpose == InputPurpose::Filter {
                set_filter(state, String::new());
            }
            Handled::close()
        }
        Some(Action::Confirm) => {
            let value = input.value().trim().to_string();
            Handled::close_with(submit(state, purpose.clone(), value))
        }
        _ => {
            type_into(input, key);
            if *purpose == InputPurpose::Filter {
                set_filter(state, input.value().to_string());
            }
            Handled::stay()
        }
    }
}

/// Filter the focused pane as the person types.
pub fn set_filter(state: &mut State, filter: String) {
    let height = state.list_height();
    let p = state.pane_mut();
    p.filter = filter;
    p.rebuild_view();
    p.clamp(height);
}

fn submit(state: &mut State, purpose: InputPurpose, value: String) -> Vec<Effect> {
    if value.is_empty() && !matches!(purpose, InputPurpose::Filter | InputPurpose::Bandwidth) {
        return vec![];
    }
    match purpose {
        InputPurpose::Filter => {
            set_filter(state, value);
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
        InputPurpose::Bandwidth => bandwidth(state, &value),
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

/// A new global bandwidth limit (empty, 0 or `off` for none).
fn bandwidth(state: &mut State, value: &str) -> Vec<Effect> {
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
