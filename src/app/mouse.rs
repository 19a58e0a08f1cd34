//! The mouse: click focuses and selects, double-click opens, the wheel scrolls, and a drag
//! from one pane dropped on the other copies (Shift-drop moves; a folder row is the target).

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::update::pane_action;
use super::{Action, Click, Drag, Effect, State, layout};

const DOUBLE_CLICK_MS: u64 = 500;
const WHEEL_ROWS: usize = 3;

pub fn mouse(state: &mut State, ev: MouseEvent, now_ms: u64) -> Vec<Effect> {
    if !state.modals.is_empty() || state.show_queue {
        return vec![];
    }
    let screen = layout::screen(state.size.0, state.size.1, false);
    let hit = layout::hit(&screen, ev.column, ev.row);
    let height = state.list_height();
    match ev.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            if let Some((side, _)) = hit {
                let p = &mut state.panes[side];
                let max = p.view.len().saturating_sub(height);
                if ev.kind == MouseEventKind::ScrollDown {
                    p.offset = (p.offset + WHEEL_ROWS).min(max);
                } else {
                    p.offset = p.offset.saturating_sub(WHEEL_ROWS);
                }
                p.cursor = p
                    .cursor
                    .clamp(p.offset, p.offset + height.saturating_sub(1));
                p.clamp(height);
            }
            vec![]
        }
        MouseEventKind::Down(MouseButton::Left) => {
            let Some((side, row)) = hit else {
                return vec![];
            };
            state.focus = side;
            let double = state.last_click.is_some_and(|c| {
                c.at == (ev.column, ev.row) && now_ms.saturating_sub(c.ms) <= DOUBLE_CLICK_MS
            });
            state.last_click = Some(Click {
                at: (ev.column, ev.row),
                ms: now_ms,
            });
            let Some(row) = row else {
                return vec![];
            };
            let p = &mut state.panes[side];
            let index = p.offset + row;
            if index >= p.view.len() {
                return vec![];
            }
            p.cursor = index;
            // What a drag from here carries: the marks if this row is marked, else this row.
            let carried = match p.current() {
                Some(e) if p.marks.contains(&e.id) => p.selection(),
                Some(e) => vec![e],
                None => vec![],
            };
            let items = carried.into_iter().map(|e| p.item_addr(e)).collect();
            state.drag = Some(Drag {
                from: side,
                items,
                at: (ev.column, ev.row),
                moving: false,
            });
            if double {
                state.drag = None;
                state.last_click = None;
                return pane_action(state, Action::Open);
            }
            vec![]
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let Some(d) = state.drag.as_mut() {
                d.moving = d.moving || d.at != (ev.column, ev.row);
                d.at = (ev.column, ev.row);
            }
            vec![]
        }
        MouseEventKind::Up(MouseButton::Left) => {
            let Some(drag) = state.drag.take() else {
                return vec![];
            };
            let Some((side, row)) = hit else {
                return vec![];
            };
            if !drag.moving || side == drag.from || drag.items.is_empty() {
                return vec![];
            }
            let into = drop_target(state, side, row);
            state.focus = drag.from;
            state.panes[drag.from].marks.clear();
            let moving = ev.modifiers.contains(KeyModifiers::SHIFT);
            super::update::enqueue_copies(state, drag.items, into, moving)
        }
        _ => vec![],
    }
}

/// Where a drop on `side` at `row` lands: a folder row is that folder, else the pane's folder.
pub fn drop_target(state: &State, side: usize, row: Option<usize>) -> crate::transfer::FolderAddr {
    let p = &state.panes[side];
    let folder_row = row
        .and_then(|r| p.view.get(p.offset + r))
        .and_then(|&i| p.entries.get(i))
        .filter(|e| e.is_folder());
    match folder_row {
        Some(e) => {
            let base = p.folder_addr();
            crate::transfer::FolderAddr {
                account: p.account.clone(),
                id: Some(e.id.clone()),
                shown: base.child_shown(&e.name),
            }
        }
        None => p.folder_addr(),
    }
}
