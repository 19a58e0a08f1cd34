//! A pane: path, column header, only the visible rows, marks, scrollbar, spinner.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::{Theme, fit};
use crate::app::queue::human_bytes;
use crate::app::{Availability, Entry};
use crate::app::{State, layout};
use crate::sanitize::for_terminal;

pub fn pane(state: &State, theme: &Theme, frame: &mut Frame, side: usize, area: Rect) {
    if area.width < 4 || area.height < 4 {
        return;
    }
    let p = &state.panes[side];
    let focused = state.focus == side;
    let dropping = state
        .drag
        .as_ref()
        .is_some_and(|d| d.moving && d.from != side && hit_side(state, d.at) == Some(side));
    let border = if dropping {
        theme.drop_target
    } else if focused {
        theme.border_focused
    } else {
        theme.border
    };
    let mut title = format!(" {} ", for_terminal(&p.shown_path()));
    if p.loading {
        title = format!(" {} {}", state.spinner(), title.trim_start());
    }
    let marks = if p.marks.is_empty() {
        String::new()
    } else {
        format!(
            " {} marked, {} ",
            p.marks.len(),
            human_bytes(p.marked_bytes())
        )
    };
    let mut bottom = format!(" {} · {} ", p.view.len(), p.sort.label());
    if !p.filter.is_empty() {
        bottom = format!(" /{} {}", for_terminal(&p.filter), bottom.trim_start());
    }
    let block = Block::bordered()
        .border_style(border)
        .title(Line::from(fit(&title, area.width as usize - 2)).style(theme.title))
        .title_bottom(Line::from(bottom).style(theme.dim))
        .title_bottom(Line::from(marks).style(theme.marked).right_aligned());
    frame.render_widget(block, area);

    let inner = Rect::new(area.x + 1, area.y + 1, area.width - 2, 1);
    let w = inner.width as usize;
    let (size_w, date_w) = columns(w);
    let name_w = w.saturating_sub(size_w + date_w + 1);
    let mut header = format!(" {:<name_w$}{:>size_w$}", "Name", "Size");
    if date_w > 0 {
        header.push_str(&format!(" {:<width$}", "Modified", width = date_w - 1));
    }
    frame.render_widget(Paragraph::new(fit(&header, w)).style(theme.header), inner);

    let list = layout::list_area(area);
    if let Some(err) = &p.error {
        let text = format!("cannot list: {err}");
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.error)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            list,
        );
        return;
    }
    if p.view.is_empty() {
        if let Some(retry) = p.retrying.as_ref().filter(|_| p.loading) {
            frame.render_widget(
                Paragraph::new(retry.line(state.now_ms))
                    .style(theme.dim)
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                list,
            );
            return;
        }
        let text = if p.loading { "loading…" } else { "(empty)" };
        frame.render_widget(Paragraph::new(text).style(theme.dim), list);
        return;
    }
    let drop_row = state.drag.as_ref().and_then(|d| {
        let (s, row) = layout::hit(
            &layout::screen(state.size.0, state.size.1, false),
            d.at.0,
            d.at.1,
        )?;
        (d.moving && s == side && d.from != side).then_some(row)?
    });
    let rows = list.height as usize;
    for (i, &index) in p.view.iter().enumerate().skip(p.offset).take(rows) {
        let Some(e) = p.entries.get(index) else {
            continue;
        };
        let y = list.y + (i - p.offset) as u16;
        let marked = p.marks.contains(&e.id);
        let mut style = if e.is_folder() {
            theme.folder
        } else {
            theme.file
        };
        if marked {
            style = style.patch(theme.marked);
        }
        if i == p.cursor {
            style = style.patch(if focused {
                theme.cursor
            } else {
                theme.cursor_unfocused
            });
        }
        if drop_row == Some(i - p.offset) && e.is_folder() {
            style = style.patch(theme.drop_target);
        }
        // A pane too narrow for name and badge shows the name.
        let badge = badge_of(e).filter(|(text, _)| text.chars().count() * 2 <= name_w);
        let badge_w = badge.as_ref().map_or(0, |(text, _)| text.chars().count());
        let (name, rest) = row_text(e, marked, name_w, size_w, date_w, badge_w);
        let mut spans = vec![Span::styled(name, style)];
        if let Some((text, dead)) = badge {
            let look = if dead { theme.error } else { theme.badge };
            spans.push(Span::styled(text, style.patch(look)));
        }
        spans.push(Span::styled(rest, style));
        frame.render_widget(
            Paragraph::new(Line::from(spans)),
            Rect::new(list.x, y, list.width, 1),
        );
    }
    if p.view.len() > rows {
        let mut sb = ScrollbarState::new(p.view.len().saturating_sub(rows)).position(p.offset);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(theme.dim),
            Rect::new(area.x, list.y, area.width, list.height),
            &mut sb,
        );
    }
}

/// Widths of the size and date columns for a list `w` columns wide.
fn columns(w: usize) -> (usize, usize) {
    let size_w = if w >= 24 { 10 } else { 0 };
    let date_w = if w >= 56 { 17 } else { 0 };
    (size_w, date_w)
}

/// What the host said of a file that is not plainly alive, as a badge (` blocked`), and
/// whether the link is dead.
fn badge_of(e: &Entry) -> Option<(String, bool)> {
    let a = e.availability().filter(|a| *a != Availability::Alive)?;
    Some((format!(" {}", a.word()), a.is_dead()))
}

/// A row's name column (mark and name, `badge_w` columns short for the badge that follows it)
/// and the rest (size, date).
fn row_text(
    e: &Entry,
    marked: bool,
    name_w: usize,
    size_w: usize,
    date_w: usize,
    badge_w: usize,
) -> (String, String) {
    let mark = if marked { '*' } else { ' ' };
    let name = for_terminal(&e.name);
    let name = if e.is_folder() {
        format!("/{name}")
    } else {
        name.into_owned()
    };
    let size = if e.is_folder() {
        "<DIR>".to_string()
    } else {
        e.size.map(human_bytes).unwrap_or_default()
    };
    let room = name_w.saturating_sub(1);
    let name_room = room.saturating_sub(badge_w);
    let head = format!("{mark}{:<name_room$}", fit(&name, name_room));
    let mut out = " ".repeat(room.saturating_sub(name_room + badge_w));
    if size_w > 0 {
        out.push_str(&format!("{:>size_w$}", fit(&size, size_w)));
    }
    if date_w > 0 {
        let date: String = e
            .modified
            .as_deref()
            .map(|d| for_terminal(d).chars().take(16).collect())
            .unwrap_or_default();
        out.push_str(&format!(" {:<width$}", date, width = date_w - 1));
    }
    (head, out)
}

fn hit_side(state: &State, at: (u16, u16)) -> Option<usize> {
    layout::hit(
        &layout::screen(state.size.0, state.size.1, false),
        at.0,
        at.1,
    )
    .map(|(s, _)| s)
}

/// While dragging: what is carried and where it lands, next to the pointer.
pub fn drag_label(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(d) = state.drag.as_ref().filter(|d| d.moving) else {
        return;
    };
    let what = match d.items.as_slice() {
        [one] => for_terminal(&one.name).into_owned(),
        many => format!("{} entries", many.len()),
    };
    let target = match hit_side(state, d.at) {
        Some(side) if side != d.from => {
            let row = layout::hit(
                &layout::screen(state.size.0, state.size.1, false),
                d.at.0,
                d.at.1,
            )
            .and_then(|(_, r)| r);
            let to = crate::app::drop_target(state, side, row);
            format!("→ {}", for_terminal(&to.shown))
        }
        _ => "(drop on the other pane)".to_string(),
    };
    let text = format!(" {what} {target} ");
    let area = frame.area();
    let w = (text.chars().count() as u16).min(area.width);
    let x = d.at.0.saturating_add(2).min(area.width.saturating_sub(w));
    let y = d.at.1.saturating_add(1).min(area.height.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(fit(&text, w as usize)).style(theme.drag),
        Rect::new(x, y, w, 1),
    );
}
