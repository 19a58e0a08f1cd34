//! The queue: a strip under the panes and the full view (`t`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Theme, fit};
use crate::app::JobState;
use crate::app::queue::{JobRow, human_bytes, human_duration};
use crate::app::{Action, Layer, State};

/// The strip: unfinished jobs first, then the latest finished ones.
pub fn strip(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.height < 3 {
        return;
    }
    let q = &state.queue;
    let key = state
        .keymap
        .first_key(crate::app::Layer::Panes, crate::app::Action::Queue)
        .unwrap_or_default();
    let block = Block::bordered()
        .border_style(theme.border)
        .title(format!(" Queue ({}) · {key} full view ", q.rows.len()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Unfinished jobs first, then failures, then the latest finished.
    let mut rows: Vec<&JobRow> = q.rows.iter().filter(|r| !r.state.is_finished()).collect();
    rows.extend(
        q.rows
            .iter()
            .rev()
            .filter(|r| matches!(r.state, JobState::Failed { .. })),
    );
    rows.extend(
        q.rows
            .iter()
            .rev()
            .filter(|r| r.state.is_finished() && !matches!(r.state, JobState::Failed { .. })),
    );
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_strip_text(state)).style(theme.dim),
            inner,
        );
        return;
    }
    for (i, r) in rows.iter().take(inner.height as usize).enumerate() {
        let line = job_line(
            r,
            &state.queue.row_title(r),
            theme,
            inner.width as usize,
            false,
        );
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(inner.x, inner.y + i as u16, inner.width, 1),
        );
    }
}

/// What the strip says with no jobs: how to add an account while there is none, else how to
/// start a transfer.
fn empty_strip_text(state: &State) -> String {
    let key = |layer, a| state.keymap.first_key(layer, a).unwrap_or_default();
    if state.accounts.iter().all(|a| a.is_local()) {
        format!(
            "no accounts yet: {} then {} adds one; or try haul --demo",
            key(Layer::Panes, Action::Account),
            key(Layer::Picker, Action::NewAccount)
        )
    } else {
        format!(
            "no jobs: {} copies, or drag entries to the other pane",
            key(Layer::Panes, Action::Copy)
        )
    }
}

/// The full view: every job, a cursor, the keys.
pub fn full(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let q = &state.queue;
    let t = q.totals();
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(format!(
            " Queue: {} active, {} done, {} failed{} ",
            t.active,
            t.done,
            t.failed,
            t.eta()
                .map(|eta| format!(", all done in {}", human_duration(eta)))
                .unwrap_or_default()
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if q.rows.is_empty() {
        frame.render_widget(Paragraph::new("the queue is empty").style(theme.dim), inner);
        return;
    }
    let h = inner.height as usize;
    let offset = q.cursor.saturating_sub(h.saturating_sub(1));
    for (i, r) in q.rows.iter().enumerate().skip(offset).take(h) {
        let line = job_line(
            r,
            &q.row_title(r),
            theme,
            inner.width as usize,
            i == q.cursor,
        );
        let line = if i == q.cursor {
            line.style(theme.cursor)
        } else {
            line
        };
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(inner.x, inner.y + (i - offset) as u16, inner.width, 1),
        );
    }
}

fn state_style(theme: &Theme, s: &JobState) -> ratatui::style::Style {
    match s {
        JobState::Failed { .. } => theme.error,
        JobState::Done { .. } => theme.ok,
        JobState::NeedsPerson => theme.badge,
        _ => theme.file,
    }
}

/// `state  name  [#####.....]  42%  1.2 MiB/s  eta 0:05  last error`
fn job_line(r: &JobRow, title: &str, theme: &Theme, width: usize, selected: bool) -> Line<'static> {
    let label = format!("{:<9}", r.state.label());
    let bar_w = if width >= 100 { 20 } else { 10 };
    let filled = (r.ratio() * bar_w as f64).round() as usize;
    let bar = format!("{}{}", "█".repeat(filled), "░".repeat(bar_w - filled));
    let pct = format!("{:>3.0}%", r.ratio() * 100.0);
    let mut tail = String::new();
    if matches!(r.state, JobState::Running) && r.speed > 0.0 {
        tail.push_str(&format!(" {}/s", human_bytes(r.speed as u64)));
        if let Some(eta) = r.eta {
            tail.push_str(&format!(" eta {}", human_duration(eta)));
        }
    }
    let why = match &r.state {
        JobState::Waiting { why } => Some(why.clone()),
        JobState::Done { note: Some(n) } => Some(n.clone()),
        _ => r.last_error.clone(),
    };
    if let Some(why) = why {
        tail.push_str(&format!(
            " · {}",
            crate::sanitize::for_terminal(&why.replace('\n', " "))
        ));
    }
    let fixed = 9 + 1 + bar_w + 1 + pct.len() + 1;
    let title_w = width
        .saturating_sub(fixed)
        .min(if width < 100 { 26 } else { 40 });
    let title = format!("{:<title_w$}", fit(title, title_w));
    let used = fixed + title_w;
    let tail = fit(&tail, width.saturating_sub(used));
    let gauge = if selected {
        ratatui::style::Style::default()
    } else {
        theme.gauge
    };
    Line::from(vec![
        Span::styled(label, state_style(theme, &r.state)),
        Span::raw(" "),
        Span::raw(title),
        Span::raw(" "),
        Span::styled(bar, gauge),
        Span::raw(format!(" {pct}")),
        Span::raw(tail),
    ])
}
