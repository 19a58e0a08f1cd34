//! The uploader's dialogs: the link export (format, text, copy) and the access picker; and the
//! lines an entry's info gets about what its host says of it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::modals::boxed;
use super::{Theme, fit};
use crate::app::modal::{AccessPicker, LinkExport, MirrorPicker};
use crate::app::{Access, Action, Availability, Layer, State};
use crate::sanitize::for_terminal;

/// What a level means, for the picker.
fn meaning(access: Access) -> &'static str {
    match access {
        Access::Public => "anyone with the link",
        Access::Private => "only you",
        Access::Premium => "premium users only",
    }
}

/// A row of choices, the chosen one highlighted.
fn choices<'a>(
    names: impl Iterator<Item = &'a str>,
    chosen: usize,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, name) in names.enumerate() {
        let style = if i == chosen {
            theme.cursor
        } else {
            theme.hint_label
        };
        spans.push(Span::styled(format!(" {} ", for_terminal(name)), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

pub fn export(state: &State, export: &LinkExport, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Modal, a);
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(2).min(20);
    let inner_w = usize::from(w.saturating_sub(2));
    let mut lines = vec![
        choices(
            export.formats.iter().map(String::as_str),
            export.choice,
            theme,
        ),
        Line::from(""),
    ];
    // Rows for the text: the box less its border, the format row, two blank rows, the hint.
    let rows = usize::from(h.saturating_sub(6));
    match crate::app::update_uploader_text(state, export) {
        None => lines.push(Line::from("asking the host for the links…").style(theme.dim)),
        Some(Err(e)) => lines.push(Line::from(for_terminal(&e).into_owned()).style(theme.error)),
        Some(Ok(text)) => {
            let failed = export
                .links
                .as_ref()
                .and_then(|l| l.as_ref().ok())
                .map_or(&[][..], |l| l.failed.as_slice());
            let all: Vec<Line<'static>> =
                text.lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| Line::from(fit(&for_terminal(l), inner_w)))
                    .chain(failed.iter().map(|f| {
                        Line::from(fit(&format!("no link: {f}"), inner_w)).style(theme.error)
                    }))
                    .collect();
            let scroll = export.scroll.min(all.len().saturating_sub(rows));
            lines.extend(all.into_iter().skip(scroll).take(rows));
        }
    }
    while lines.len() < rows + 2 {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(""));
    lines.push(
        Line::from(format!(
            "{}/{} format   {}/{} scroll   {} copy (OSC 52)   {} close",
            keys(Action::PrevChoice),
            keys(Action::NextChoice),
            keys(Action::Up),
            keys(Action::Down),
            keys(Action::CopyLink),
            keys(Action::Cancel)
        ))
        .style(theme.dim),
    );
    let title = format!(
        "Links of {} entries on {}",
        export.asked,
        for_terminal(&export.account)
    );
    boxed(frame, theme, area, &title, w, h, lines);
}

pub fn access(state: &State, picker: &AccessPicker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Modal, a);
    let lines = vec![
        Line::from(format!("Who may download {}?", picker.what)),
        Line::from(""),
        choices(Access::ALL.iter().map(|a| a.as_str()), picker.choice, theme),
        Line::from(format!("{}: {}", picker.access(), meaning(picker.access()))),
        Line::from(""),
        Line::from(format!(
            "{}/{} choose   {} set   {} cancel",
            keys(Action::PrevChoice),
            keys(Action::NextChoice),
            keys(Action::Confirm),
            keys(Action::Cancel)
        ))
        .style(theme.dim),
    ];
    boxed(frame, theme, area, "Access", 60, 8, lines);
}

/// The accounts a mirror goes to: one row each, ticked or not, the cursor's highlighted.
pub fn mirror(state: &State, picker: &MirrorPicker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Modal, a);
    let mut lines = vec![
        Line::from(format!("Mirror {} to:", for_terminal(&picker.what))),
        Line::from(""),
    ];
    for (i, (to, on)) in picker.targets.iter().enumerate() {
        let text = format!(
            " [{}] {} ",
            if *on { "x" } else { " " },
            for_terminal(&to.shown)
        );
        let style = if i == picker.cursor {
            theme.cursor
        } else {
            theme.hint_label
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    lines.push(Line::from(""));
    lines.push(
        Line::from(format!(
            "{}/{} move   {} tick   {} start   {} cancel",
            keys(Action::Up),
            keys(Action::Down),
            keys(Action::NextChoice),
            keys(Action::Confirm),
            keys(Action::Cancel)
        ))
        .style(theme.dim),
    );
    let h = (lines.len() as u16 + 2).min(area.height);
    boxed(frame, theme, area, "Mirror", 64, h, lines);
}

/// The info view's line about asking the host again.
pub fn health_line(health: &Option<Option<Result<Availability, String>>>) -> Option<String> {
    Some(match health.as_ref()? {
        None => "checked:  asking the host…".to_string(),
        Some(Ok(a)) => format!(
            "checked:  {} (the host says now)",
            for_terminal(&a.to_extra())
        ),
        Some(Err(e)) => format!("checked:  could not ask: {}", for_terminal(e)),
    })
}
