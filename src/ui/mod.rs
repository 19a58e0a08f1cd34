//! Rendering only: `render(&State, &Theme, &mut Frame)`. Nothing here touches the network or
//! changes state.

mod modals;
mod panes;
mod queue;
mod status;
pub mod theme;

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui_image::protocol::Protocol;

pub use theme::Theme;

use crate::app::{State, layout};
use crate::transfer::JobId;

/// Images prepared by the driver for the terminal's graphics protocol (captchas by job).
#[derive(Default)]
pub struct Images {
    pub captcha: HashMap<JobId, Protocol>,
}

/// Draw the whole screen.
pub fn render(state: &State, theme: &Theme, frame: &mut Frame) {
    render_with(state, theme, &Images::default(), frame);
}

/// Draw the whole screen, with images where the driver prepared them.
pub fn render_with(state: &State, theme: &Theme, images: &Images, frame: &mut Frame) {
    let area = frame.area();
    let screen = layout::screen(area.width, area.height, state.show_queue);
    if state.show_queue {
        queue::full(state, theme, frame, screen.queue);
    } else {
        for side in 0..2 {
            panes::pane(state, theme, frame, side, screen.panes[side]);
        }
        queue::strip(state, theme, frame, screen.queue);
        panes::drag_label(state, theme, frame);
    }
    status::status_bar(state, theme, frame, screen.status);
    status::hints(state, theme, frame, screen.hints);
    if let Some(top) = state.modals.last() {
        modals::modal(state, top, theme, images, frame, area);
    }
}

/// A centered rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Cut `s` to `width` columns (by chars; names are sanitized before), with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    let count = s.chars().count();
    if count <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}
