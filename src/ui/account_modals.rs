//! The account picker and its forms. Secrets are drawn masked, one dot per character.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::modals::boxed;
use super::{Theme, fit};
use crate::app::account_form::{AccountForm, AccountPicker, FORM_FIELDS, SecretPrompt, masked};
use crate::app::{Action, Layer, LoginState, State};
use crate::config::new_account::{AccountField, secret_kind};
use crate::sanitize::for_terminal;

/// `keys action` pairs from the live keymap, for a hint line.
fn hint(state: &State, layer: Layer, actions: &[(Action, &str)]) -> String {
    actions
        .iter()
        .filter_map(|(a, label)| {
            let keys = state.keymap.keys_label(layer, *a);
            (!keys.is_empty()).then(|| format!("{keys} {label}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

pub fn picker(state: &State, picker: &AccountPicker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let name_w = state
        .accounts
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 20);
    let host_w = state
        .accounts
        .iter()
        .map(|a| a.host.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(10, 28);
    let w = 110u16.min(area.width);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (i, a) in state.accounts.iter().enumerate() {
        let family = a.provider.map(|p| p.as_str()).unwrap_or("local disk");
        let login = if a.is_local() {
            String::new()
        } else {
            a.login.label()
        };
        let text = format!(
            " {:<name_w$}  {:<12}  {:<host_w$}  ",
            fit(&for_terminal(&a.name), name_w),
            family,
            fit(&a.host, host_w),
        );
        let room = inner_w.saturating_sub(text.chars().count());
        let login_style = match &a.login {
            LoginState::SignedIn => theme.ok,
            LoginState::Failed(_) | LoginState::NoSecret { .. } | LoginState::Cancelled => {
                theme.error
            }
            LoginState::CaptchaWaiting => theme.badge,
            _ => theme.dim,
        };
        let line = if i == picker.cursor {
            Line::from(format!("{text}{}", fit(&login, room))).style(theme.cursor)
        } else {
            Line::from(vec![
                Span::raw(text),
                Span::styled(fit(&login, room), login_style),
            ])
        };
        lines.push(line);
    }
    lines.push(Line::from(""));
    if let Some(note) = &picker.note {
        lines.push(Line::from(format!(" {}", for_terminal(note))).style(theme.file));
    }
    lines.push(
        Line::from(
            " ".to_string()
                + &hint(
                    state,
                    Layer::Picker,
                    &[
                        (Action::Confirm, "show here"),
                        (Action::NewAccount, "new account"),
                        (Action::EnterSecret, "type secret"),
                        (Action::SignIn, "sign in again"),
                        (Action::Cancel, "close"),
                    ],
                ),
        )
        .style(theme.dim),
    );
    let note_rows = picker
        .note
        .as_ref()
        .map(|n| (n.chars().count() + 1).div_ceil(inner_w.max(1)) as u16)
        .unwrap_or(0);
    let h = state.accounts.len() as u16 + 4 + note_rows;
    boxed(frame, theme, area, "Accounts", w, h, lines);
}

/// One labelled text field on row `y`; returns where the cursor goes if it is focused.
#[allow(clippy::too_many_arguments)]
fn field_row(
    frame: &mut Frame,
    theme: &Theme,
    r: Rect,
    y: u16,
    label: &str,
    input: &Input,
    secret: bool,
    focused: bool,
    after: &str,
) -> Option<(u16, u16)> {
    const LABEL_W: u16 = 11;
    frame.render_widget(
        Paragraph::new(format!("{label}:")).style(if focused { theme.header } else { theme.file }),
        Rect::new(r.x, y, LABEL_W, 1),
    );
    let after_w = after.chars().count() as u16;
    let field_w = r.width.saturating_sub(LABEL_W + after_w + 1).max(1);
    let field = Rect::new(r.x + LABEL_W, y, field_w, 1);
    let (text, cursor) = if secret {
        (masked(input), input.cursor())
    } else {
        (input.value().to_string(), input.visual_cursor())
    };
    let scroll = cursor.saturating_sub(field_w.saturating_sub(1) as usize);
    frame.render_widget(
        Paragraph::new(text)
            .scroll((0, scroll as u16))
            .style(theme.cursor_unfocused),
        field,
    );
    if !after.is_empty() {
        frame.render_widget(
            Paragraph::new(after.to_string()).style(theme.dim),
            Rect::new(field.x + field_w + 1, y, after_w, 1),
        );
    }
    focused.then(|| (field.x + (cursor - scroll) as u16, y))
}

pub fn form(state: &State, form: &AccountForm, theme: &Theme, frame: &mut Frame, area: Rect) {
    let title = if form.saving {
        "New account: saving…"
    } else {
        "New account"
    };
    let r = boxed(frame, theme, area, title, 76, 13, vec![]);
    let focused = form.field();
    let provider = form.provider();
    let mut cursor = None;
    for (row, field) in FORM_FIELDS.iter().enumerate() {
        let y = r.y + row as u16;
        if y >= r.y + r.height {
            break;
        }
        let is_focused = *field == focused;
        let choice = match field {
            AccountField::Provider => Some(provider.as_str().to_string()),
            AccountField::Site => Some(match form.site() {
                Some(site) => format!("{} ({})", site.host, site.about),
                None => "another site: type provider and URL".to_string(),
            }),
            _ => None,
        };
        if let Some(choice) = choice {
            let label_style = if is_focused { theme.header } else { theme.file };
            let choice = format!("‹ {choice} ›");
            let line = Line::from(vec![
                Span::styled(
                    format!("{:<11}", format!("{}:", field.label())),
                    label_style,
                ),
                Span::styled(
                    choice,
                    if is_focused {
                        theme.cursor
                    } else {
                        theme.cursor_unfocused
                    },
                ),
                Span::styled(
                    format!(
                        "  {}/{} to change",
                        state.keymap.keys_label(Layer::Modal, Action::PrevChoice),
                        state.keymap.keys_label(Layer::Modal, Action::NextChoice)
                    ),
                    theme.dim,
                ),
            ]);
            frame.render_widget(Paragraph::new(line), Rect::new(r.x, y, r.width, 1));
            continue;
        }
        let Some(input) = form.input(*field) else {
            continue;
        };
        let after = match field {
            AccountField::BaseUrl => "the API root",
            AccountField::Username => "optional",
            AccountField::Secret => secret_kind(provider, !form.username.value().trim().is_empty()),
            _ => "",
        };
        let secret = *field == AccountField::Secret;
        if let Some(at) = field_row(
            frame,
            theme,
            r,
            y,
            field.label(),
            input,
            secret,
            is_focused,
            after,
        ) {
            cursor = Some(at);
        }
    }
    let mut y = r.y + FORM_FIELDS.len() as u16 + 1;
    let note = "Secrets go to the OS keyring (or memory), never to the config file.";
    frame.render_widget(
        Paragraph::new(fit(note, r.width as usize)).style(theme.dim),
        Rect::new(r.x, y, r.width, 1),
    );
    y += 1;
    if let Some(e) = &form.error {
        let text = match e.field {
            Some(f) => format!("{}: {}", f.label(), e.message),
            None => e.message.clone(),
        };
        frame.render_widget(
            Paragraph::new(for_terminal(&text).into_owned())
                .style(theme.error)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            Rect::new(r.x, y, r.width, 2),
        );
    }
    y += 2;
    let keys = hint(
        state,
        Layer::Modal,
        &[
            (Action::NextField, "next"),
            (Action::PrevField, "previous"),
            (Action::Confirm, "save"),
            (Action::Cancel, "cancel"),
        ],
    );
    frame.render_widget(
        Paragraph::new(fit(&keys, r.width as usize)).style(theme.dim),
        Rect::new(r.x, y.min(r.y + r.height.saturating_sub(1)), r.width, 1),
    );
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x, y));
    }
}

pub fn secret(state: &State, prompt: &SecretPrompt, theme: &Theme, frame: &mut Frame, area: Rect) {
    let account = for_terminal(&prompt.account).into_owned();
    let title = if prompt.saving {
        format!("Secret for {account}: checking…")
    } else {
        format!("Secret for {account}")
    };
    let r = boxed(frame, theme, area, &title, 70, 8, vec![]);
    let host = state
        .account(&prompt.account)
        .map(|a| format!(" for {}", a.host))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(fit(
            &format!("Type the {}{host}; signing in follows.", prompt.kind),
            r.width as usize,
        ))
        .style(theme.file),
        Rect::new(r.x, r.y, r.width, 1),
    );
    let cursor = field_row(
        frame,
        theme,
        r,
        r.y + 2,
        "secret",
        &prompt.input,
        true,
        true,
        "",
    );
    if let Some(e) = &prompt.error {
        frame.render_widget(
            Paragraph::new(fit(&for_terminal(e), r.width as usize)).style(theme.error),
            Rect::new(r.x, r.y + 3, r.width, 1),
        );
    }
    let keys = hint(
        state,
        Layer::Modal,
        &[
            (Action::Confirm, "save and sign in"),
            (Action::Cancel, "cancel"),
        ],
    );
    frame.render_widget(
        Paragraph::new(fit(&keys, r.width as usize)).style(theme.dim),
        Rect::new(r.x, r.y + 5, r.width, 1),
    );
    if let Some(at) = cursor {
        frame.set_cursor_position(at);
    }
}
