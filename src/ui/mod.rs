//! Rendering only: `render(&State, &Theme, &mut Frame)`. Nothing here touches the network or
//! changes state.

mod account_modals;
mod modals;
mod panes;
mod queue;
mod status;
pub mod theme;
mod uploader_modals;

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui_image::protocol::Protocol;

pub use theme::Theme;

use crate::app::{State, layout};

/// Images prepared by the driver for the terminal's graphics protocol: captchas by challenge id.
#[derive(Default)]
pub struct Images {
    pub captcha: HashMap<String, Protocol>,
}

/// A captcha image made ready for the terminal's graphics protocol (`None` if it is not an
/// image we can read), scaled to fill 72 x 8 cells: a captcha is small, and in half blocks at
/// its own size its letters would be a few cells high.
pub fn captcha_protocol(picker: &ratatui_image::picker::Picker, bytes: &[u8]) -> Option<Protocol> {
    let img = image::load_from_memory(bytes).ok()?;
    // Where the scaled image does not fill whole cells, pad with its own corner's colour rather
    // than black: a captcha's background runs on instead of a dark edge.
    let mut picker = picker.clone();
    let corner = image::GenericImageView::get_pixel(&img, 0, 0);
    picker.set_background_color(Some(corner));
    picker
        .new_protocol(
            img,
            ratatui::layout::Size::new(72, 8),
            ratatui_image::Resize::Scale(Some(image::imageops::FilterType::Triangle)),
        )
        .ok()
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
