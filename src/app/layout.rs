//! Screen geometry, shared by rendering and by mouse hit-testing (pure arithmetic).

use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// The two panes (or, with the queue view open, both empty).
    pub panes: [Rect; 2],
    /// The full queue view (when open) or the strip under the panes.
    pub queue: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// How many job lines the strip shows at this height.
pub fn strip_jobs(height: u16) -> u16 {
    if height >= 36 { 5 } else { 3 }
}

pub fn screen(width: u16, height: u16, full_queue: bool) -> Screen {
    let width = width.max(20);
    let height = height.max(8);
    let status = Rect::new(0, height - 2, width, 1);
    let hints = Rect::new(0, height - 1, width, 1);
    let body = height - 2;
    if full_queue {
        return Screen {
            panes: [Rect::default(), Rect::default()],
            queue: Rect::new(0, 0, width, body),
            status,
            hints,
        };
    }
    let strip = (strip_jobs(height) + 2).min(body / 2);
    let pane_h = body - strip;
    let left_w = width / 2;
    Screen {
        panes: [
            Rect::new(0, 0, left_w, pane_h),
            Rect::new(left_w, 0, width - left_w, pane_h),
        ],
        queue: Rect::new(0, pane_h, width, strip),
        status,
        hints,
    }
}

/// Inside a pane's border, below the column header: where entry rows go.
pub fn list_area(pane: Rect) -> Rect {
    if pane.width < 3 || pane.height < 4 {
        return Rect::new(pane.x, pane.y, 0, 0);
    }
    Rect::new(pane.x + 1, pane.y + 2, pane.width - 2, pane.height - 3)
}

/// Which pane and which row (from the first shown) a point falls on.
pub fn hit(screen: &Screen, x: u16, y: u16) -> Option<(usize, Option<usize>)> {
    for (side, pane) in screen.panes.iter().enumerate() {
        if pane.width == 0 || !contains(*pane, x, y) {
            continue;
        }
        let list = list_area(*pane);
        let row = contains(list, x, y).then(|| (y - list.y) as usize);
        return Some((side, row));
    }
    None
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}
