//! The status bar (where you are, totals, the pending-question badge) and the key hints,
//! both built from the live state and keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, fit};
use crate::app::queue::{human_bytes, human_duration};
use crate::app::{Action, Layer, Modal, State};

pub fn status_bar(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let t = state.queue.totals();
    let mut right = String::new();
    if t.active + t.done + t.failed > 0 {
        right = format!("jobs {} active {} done", t.active, t.done);
        if t.failed > 0 {
            right.push_str(&format!(" {} failed", t.failed));
        }
        if t.bytes_total > 0 {
            right.push_str(&format!(
                " · {}/{}",
                human_bytes(t.bytes_done),
                human_bytes(t.bytes_total)
            ));
        }
        if t.speed > 0.0 {
            right.push_str(&format!(" · {}/s", human_bytes(t.speed as u64)));
        }
        if let Some(eta) = t.eta() {
            right.push_str(&format!(" · eta {}", human_duration(eta)));
        }
        right.push(' ');
    }
    if let Some(rate) = state.bwlimit {
        right.push_str(&format!("≤ {}/s ", human_bytes(rate)));
    }
    if let Some(policy) = state.queue.conflict_rule() {
        // An "apply to all" answer is settling this batch's conflicts: say so.
        right.push_str(&format!("conflicts: {} ", policy.name()));
    }
    let left = match &state.status {
        Some(s) => format!(" {s}"),
        None => {
            let p = state.pane();
            format!(
                " {} ⇄ {}",
                crate::sanitize::for_terminal(&state.panes[0].account),
                crate::sanitize::for_terminal(&state.panes[1].account)
            ) + &match p.current() {
                Some(e) => format!(" · {}", crate::sanitize::for_terminal(&e.name)),
                None => String::new(),
            }
        }
    };
    let pending = state.pending_questions();
    let badge = if pending > 0 {
        format!(" ⚠ {pending} waiting for you ")
    } else {
        String::new()
    };
    let w = area.width as usize;
    let fixed = badge.chars().count() + right.chars().count();
    let left = fit(&left, w.saturating_sub(fixed));
    let pad = w.saturating_sub(left.chars().count() + fixed);
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::styled(badge, theme.badge),
        Span::raw(right),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.status), area);
}

/// Key hints for the layer in use, from the live keymap.
pub fn hints(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (layer, actions): (Layer, &[Action]) = if let Some(top) = state.modals.last() {
        match top {
            Modal::AccountPicker(_) => (
                Layer::Picker,
                &[
                    Action::Confirm,
                    Action::NewAccount,
                    Action::EnterSecret,
                    Action::SignIn,
                    Action::Cancel,
                ],
            ),
            Modal::AccountForm(_) => (
                Layer::Modal,
                &[
                    Action::NextField,
                    Action::PrevField,
                    Action::Confirm,
                    Action::Cancel,
                ],
            ),
            Modal::Secret(_) | Modal::Input { .. } | Modal::Confirm { .. } => {
                (Layer::Modal, &[Action::Confirm, Action::Cancel])
            }
            Modal::Captcha(_) => (
                Layer::Captcha,
                &[
                    Action::Confirm,
                    Action::Cancel,
                    Action::OpenUrl,
                    Action::CopyLink,
                ],
            ),
            Modal::Conflict(_) => (
                Layer::Conflict,
                &[
                    Action::Confirm,
                    Action::Cancel,
                    Action::PrevChoice,
                    Action::NextChoice,
                    Action::ApplyToAll,
                ],
            ),
            Modal::Help { .. } => (
                Layer::Help,
                &[Action::Close, Action::Down, Action::PageDown, Action::Last],
            ),
            Modal::Info { .. } => (
                Layer::Info,
                &[
                    Action::Close,
                    Action::Check,
                    Action::OpenUrl,
                    Action::CopyLink,
                ],
            ),
            Modal::Export(_) => (
                Layer::Modal,
                &[Action::NextChoice, Action::CopyLink, Action::Cancel],
            ),
            Modal::Access(_) => (
                Layer::Modal,
                &[Action::NextChoice, Action::Confirm, Action::Cancel],
            ),
            Modal::Mirror(_) => (
                Layer::Modal,
                &[Action::NextChoice, Action::Confirm, Action::Cancel],
            ),
            Modal::Error { .. } => (Layer::Modal, &[Action::Confirm, Action::Cancel]),
        }
    } else if state.show_queue {
        (
            Layer::Queue,
            &[
                Action::Help,
                Action::Pause,
                Action::Resume,
                Action::Cancel,
                Action::Retry,
                Action::ShiftUp,
                Action::ShiftDown,
                Action::ClearFinished,
                Action::Close,
            ],
        )
    } else {
        (
            Layer::Panes,
            &[
                Action::Help,
                Action::Rename,
                Action::Info,
                Action::Copy,
                Action::Move,
                Action::Mkdir,
                Action::Delete,
                Action::Queue,
                Action::Account,
                Action::Quit,
            ],
        )
    };
    let mut spans = Vec::new();
    let mut used = 0usize;
    for &a in actions {
        let Some(key) = state.keymap.first_key(layer, a) else {
            continue;
        };
        let label = a.name().replace('_', " ");
        let len = key.chars().count() + label.chars().count() + 2;
        if used + len > area.width as usize {
            break;
        }
        used += len;
        spans.push(Span::styled(key, theme.hint_key));
        spans.push(Span::styled(format!(" {label}"), theme.hint_label));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
