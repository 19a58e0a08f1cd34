//! Mirroring from the TUI (`M`): the marked entries copied to several accounts at once, one
//! group in the queue. Space ticks an account, Enter starts; the queue view then opens.

use super::keymap::Action;
use super::modal::{ConfirmAction, MirrorPicker, Modal};
use super::update_modal::Handled;
use super::{Effect, Msg, State};
use crate::sanitize::for_terminal;
use crate::transfer::{FolderAddr, LOCAL};

/// `M`: pick the accounts to mirror the marked entries (or the one under the cursor) to.
pub fn open(state: &mut State) -> Vec<Effect> {
    let pane = state.pane();
    let selection = pane.selection();
    let what = match selection.as_slice() {
        [] => {
            state.status = Some("nothing selected".into());
            return vec![];
        }
        [one] => for_terminal(&one.name).into_owned(),
        many => format!("{} entries", many.len()),
    };
    let items: Vec<_> = selection.iter().map(|e| pane.item_addr(e)).collect();
    let source = pane.account.clone();
    let other = &state.panes[1 - state.focus];
    let targets: Vec<(FolderAddr, bool)> = state
        .accounts
        .iter()
        .filter(|a| a.name != LOCAL && a.name != source)
        .map(|a| {
            let to = if other.account == a.name {
                other.folder_addr()
            } else {
                FolderAddr {
                    account: a.name.clone(),
                    id: None,
                    shown: format!("{}:/", a.name),
                }
            };
            (to, false)
        })
        .collect();
    if targets.is_empty() {
        state.status = Some("no other account to mirror to".into());
        return vec![];
    }
    state.modals.push(Modal::Mirror(Box::new(MirrorPicker {
        items,
        what,
        targets,
        cursor: 0,
    })));
    vec![]
}

/// A key while the mirror picker is on top (layer `modal`).
pub fn mirror_key(state: &mut State, picker: &mut MirrorPicker, action: Option<Action>) -> Handled {
    let n = picker.targets.len();
    match action {
        Some(Action::Up) => picker.cursor = (picker.cursor + n - 1) % n.max(1),
        Some(Action::Down) => picker.cursor = (picker.cursor + 1) % n.max(1),
        Some(Action::NextChoice | Action::PrevChoice) => {
            if let Some((_, on)) = picker.targets.get_mut(picker.cursor) {
                *on = !*on;
            }
        }
        Some(Action::Confirm) => {
            let to = picker.chosen();
            if to.is_empty() {
                state.status = Some("tick at least one account (Space)".into());
                return Handled::stay();
            }
            state.status = Some(format!(
                "mirroring {} to {}",
                picker.what,
                to.iter()
                    .map(|t| for_terminal(&t.shown).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            state.pane_mut().marks.clear();
            state.show_queue = true;
            return Handled::close_with(vec![Effect::Mirror {
                items: std::mem::take(&mut picker.items),
                to,
                force: false,
            }]);
        }
        Some(Action::Cancel | Action::Close) => return Handled::close(),
        _ => {}
    }
    Handled::stay()
}

/// What the driver says of a batch it weighed or a mirror it queued.
pub fn heard(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::OverQuota { specs, shortfalls } => super::update_uploader::over_quota(
            state,
            ConfirmAction::EnqueueAnyway(specs),
            shortfalls,
        ),
        Msg::MirrorOverQuota {
            items,
            to,
            shortfalls,
        } => super::update_uploader::over_quota(
            state,
            ConfirmAction::MirrorAnyway { items, to },
            shortfalls,
        ),
        Msg::Grouped { batch, name } => {
            state.queue.set_group(batch, name);
            vec![]
        }
        _ => vec![],
    }
}
