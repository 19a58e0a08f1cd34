//! `update`: messages in, state changed, effects out. Pane and queue keys live here; modal
//! keys in `update_modal`, the mouse in `mouse`.

use crossterm::event::KeyEvent;
use tui_input::Input;

use super::modal::{AccountPicker, ConfirmAction, InputPurpose, Modal};
use super::update_accounts;
use super::{Action, Effect, JobOp, Layer, LoginState, Msg, State};
use crate::sanitize::for_terminal;
use crate::transfer::{JobSpec, LOCAL};

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind == crossterm::event::KeyEventKind::Release {
                return vec![];
            }
            if !state.modals.is_empty() {
                return super::update_modal::key(state, key);
            }
            if state.show_queue {
                queue_key(state, key)
            } else {
                pane_key(state, key)
            }
        }
        Msg::Mouse { event, now_ms } => super::mouse::mouse(state, event, now_ms),
        Msg::Paste(text) => super::update_modal::paste(state, &text),
        Msg::UrlOpened { url, result } => {
            super::update_questions::url_opened(state, &url, result);
            vec![]
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            let height = state.list_height();
            for p in &mut state.panes {
                p.clamp(height);
            }
            vec![]
        }
        Msg::Tick { now_ms } => {
            state.now_ms = now_ms;
            let mut out = vec![];
            for side in 0..2 {
                if state.stale[side] && !state.panes[side].loading {
                    state.stale[side] = false;
                    out.push(state.list(side));
                }
            }
            out
        }
        Msg::Listed { side, seq, result } => {
            let height = state.list_height();
            let Some(pane) = state.panes.get_mut(side) else {
                return vec![];
            };
            if pane.seq != seq {
                return vec![];
            }
            let signed_in = result.is_ok() && !pane.is_local();
            match result {
                Ok(entries) => pane.finish_listing(entries),
                Err(e) => {
                    pane.loading = false;
                    pane.retrying = None;
                    pane.error = Some(for_terminal(&e).into_owned());
                }
            }
            pane.clamp(height);
            let account = pane.account.clone();
            if signed_in && let Some(a) = state.account_mut(&account) {
                a.login = LoginState::SignedIn;
            }
            vec![]
        }
        Msg::ListedPage {
            side,
            seq,
            entries,
            restart,
        } => {
            let height = state.list_height();
            if let Some(pane) = state.panes.get_mut(side).filter(|p| p.seq == seq) {
                pane.add_page(entries, restart);
                pane.clamp(height);
            }
            vec![]
        }
        Msg::ListRetrying {
            side,
            seq,
            host,
            wait_ms,
            attempt,
            of,
            reason,
        } => {
            let until_ms = state.now_ms + wait_ms;
            if let Some(pane) = state
                .panes
                .get_mut(side)
                .filter(|p| p.seq == seq && p.loading)
            {
                pane.retrying = Some(super::PaneRetry {
                    host: for_terminal(&host).into_owned(),
                    until_ms,
                    attempt,
                    of,
                    reason: for_terminal(&reason).into_owned(),
                });
            }
            vec![]
        }
        Msg::Login {
            account,
            pane,
            result,
        } => update_accounts::login_result(state, account, pane, result),
        Msg::AccountSaved {
            name,
            account,
            result,
        } => update_accounts::account_saved(state, name, account, result),
        Msg::SecretSaved { account, result } => {
            update_accounts::secret_saved(state, account, result)
        }
        Msg::Engine(event) => super::update_engine::engine_event(state, event),
        Msg::Link { entry_id, result } => {
            for m in state.modals.iter_mut() {
                if let Modal::Info { entry, link, .. } = m
                    && entry.id == entry_id
                {
                    *link = Some(result.clone());
                }
            }
            vec![]
        }
        Msg::Links { account, result } => {
            super::update_uploader::links_came(state, &account, result);
            vec![]
        }
        Msg::AccessSet {
            account,
            access,
            result,
        } => {
            super::update_uploader::access_set(state, &account, access, result);
            vec![]
        }
        Msg::Checked {
            account,
            entry_id,
            result,
        } => {
            super::update_uploader::checked(state, &account, &entry_id, result);
            vec![]
        }
        Msg::FetchLookedUp(spec) => vec![Effect::Enqueue(vec![spec])],
        msg @ (Msg::OverQuota { .. } | Msg::MirrorOverQuota { .. } | Msg::Grouped { .. }) => {
            super::update_mirror::heard(state, msg)
        }
        Msg::Failed { title, detail } => {
            state.modals.push(Modal::Error {
                title: for_terminal(&title).into_owned(),
                detail: for_terminal(&detail).into_owned(),
            });
            vec![]
        }
    }
}

fn pane_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = state.keymap.lookup(Layer::Panes, &key) else {
        return vec![];
    };
    pane_action(state, action)
}

/// What a pane action does (keys and tests come through here).
pub fn pane_action(state: &mut State, action: Action) -> Vec<Effect> {
    let height = state.list_height();
    state.status = None;
    let pane = state.pane_mut();
    match action {
        Action::Up => pane.cursor = pane.cursor.saturating_sub(1),
        Action::Down => pane.cursor += 1,
        Action::PageUp => pane.cursor = pane.cursor.saturating_sub(height.max(2) - 1),
        Action::PageDown => pane.cursor += height.max(2) - 1,
        Action::First => pane.cursor = 0,
        Action::Last => pane.cursor = pane.view.len().saturating_sub(1),
        Action::Open => return open(state),
        Action::Parent if pane.leave() => {
            let side = state.focus;
            return vec![state.list(side)];
        }
        Action::SwitchPane => state.focus = 1 - state.focus,
        Action::Mark => {
            pane.toggle_mark_current();
            pane.cursor += 1;
        }
        Action::InvertMarks => pane.invert_marks(),
        Action::Copy => return transfer(state, false, None),
        Action::Move => return transfer(state, true, None),
        Action::Rename => {
            if let Some(e) = pane.current() {
                let item = pane.item_addr(e);
                let input = Input::new(e.name.clone());
                state.modals.push(Modal::Input {
                    purpose: InputPurpose::Rename { item },
                    input,
                });
            }
        }
        Action::Mkdir => state.modals.push(Modal::Input {
            purpose: InputPurpose::Mkdir,
            input: Input::default(),
        }),
        Action::ClearFilter if !pane.filter.is_empty() => {
            pane.filter.clear();
            pane.rebuild_view();
            state.status = Some("filter cleared".into());
        }
        Action::Filter => {
            let input = Input::new(pane.filter.clone());
            state.modals.push(Modal::Input {
                purpose: InputPurpose::Filter,
                input,
            });
        }
        Action::Bandwidth => bandwidth_prompt(state),
        Action::ExportLinks => return super::update_uploader::export_links(state),
        Action::SetAccess => return super::update_uploader::set_access(state),
        Action::Mirror => return super::update_mirror::open(state),
        Action::Fetch if !pane.is_local() => {
            state.modals.push(Modal::Input {
                purpose: InputPurpose::Fetch,
                input: Input::default(),
            });
        }
        Action::Delete => {
            let items: Vec<_> = pane
                .selection()
                .into_iter()
                .map(|e| pane.item_addr(e))
                .collect();
            if !items.is_empty() {
                let message = match items.as_slice() {
                    [one] => format!("Delete {}?", for_terminal(&one.shown)),
                    many => format!("Delete {} entries?", many.len()),
                };
                let specs = items
                    .into_iter()
                    .map(|item| JobSpec::Delete { item })
                    .collect();
                state.modals.push(Modal::Confirm {
                    title: "Delete".into(),
                    message,
                    action: ConfirmAction::Enqueue(specs),
                });
            }
        }
        Action::Info => {
            if let Some(e) = pane.current().cloned() {
                let account = pane.account.clone();
                let entry = e.as_ref();
                let remote = account != LOCAL;
                state.modals.push(Modal::Info {
                    entry: Box::new(e),
                    account: account.clone(),
                    link: None,
                    health: None,
                });
                if remote {
                    return vec![Effect::Link { account, entry }];
                }
            }
        }
        Action::Sort => {
            pane.sort = pane.sort.next();
            pane.rebuild_view();
            state.status = Some(format!("sorted by {}", state.pane().sort.label()));
        }
        Action::ToggleHidden => {
            pane.show_hidden = !pane.show_hidden;
            pane.rebuild_view();
        }
        Action::Yank => {
            let items: Vec<_> = pane
                .selection()
                .into_iter()
                .map(|e| pane.item_addr(e))
                .collect();
            pane.marks.clear();
            let paste = state.keymap.first_key(Layer::Panes, Action::Paste);
            state.status = Some(format!(
                "yanked {} entries{}",
                items.len(),
                paste.map(|k| format!("; {k} pastes")).unwrap_or_default()
            ));
            state.yank = items;
        }
        Action::Paste => {
            let items = std::mem::take(&mut state.yank);
            let to = state.pane().folder_addr();
            return enqueue_copies(state, items, to, false);
        }
        Action::Refresh => {
            let side = state.focus;
            return vec![state.list(side)];
        }
        Action::Queue => state.show_queue = true,
        Action::Account => {
            let current = &state.pane().account;
            let cursor = state
                .accounts
                .iter()
                .position(|a| &a.name == current)
                .unwrap_or(0);
            state
                .modals
                .push(Modal::AccountPicker(AccountPicker { cursor, note: None }));
        }
        Action::Help => state.modals.push(Modal::Help { scroll: 0 }),
        Action::Quit => return quit(state),
        _ => {}
    }
    state.pane_mut().clamp(height);
    vec![]
}

pub(super) fn quit(state: &mut State) -> Vec<Effect> {
    let running = state.queue.unfinished();
    if running == 0 {
        state.quit = true;
        return vec![Effect::Quit];
    }
    state.modals.push(Modal::Confirm {
        title: "Quit".into(),
        message: format!(
            "{running} jobs are not finished. Quit anyway? They stay in the journal and resume next time."
        ),
        action: ConfirmAction::Quit,
    });
    vec![]
}

fn open(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let pane = state.pane_mut();
    match pane.current().cloned() {
        Some(e) if e.is_folder() => {
            pane.enter(&e);
            vec![state.list(side)]
        }
        Some(e) => {
            let key = |a| state.keymap.first_key(Layer::Panes, a);
            let what = [(Action::Copy, "copies it"), (Action::Info, "shows info")]
                .into_iter()
                .filter_map(|(a, does)| key(a).map(|k| format!("{k} {does}")))
                .collect::<Vec<_>>()
                .join(", ");
            state.status = Some(format!("{}: {what}", for_terminal(&e.name)));
            vec![]
        }
        None => vec![],
    }
}

/// Copy (or move) the selection of the focused pane into the other pane's folder, or `into`.
pub fn transfer(
    state: &mut State,
    remove_source: bool,
    into: Option<crate::transfer::FolderAddr>,
) -> Vec<Effect> {
    let from = state.pane();
    let items: Vec<_> = from
        .selection()
        .into_iter()
        .map(|e| from.item_addr(e))
        .collect();
    let to = into.unwrap_or_else(|| state.panes[1 - state.focus].folder_addr());
    state.pane_mut().marks.clear();
    enqueue_copies(state, items, to, remove_source)
}

pub(super) fn enqueue_copies(
    state: &mut State,
    items: Vec<crate::transfer::ItemAddr>,
    to: crate::transfer::FolderAddr,
    remove_source: bool,
) -> Vec<Effect> {
    if items.is_empty() {
        state.status = Some("nothing selected".into());
        return vec![];
    }
    let specs: Vec<JobSpec> = items
        .into_iter()
        .map(|from| {
            if remove_source && from.account == to.account {
                JobSpec::Move {
                    name: from.name.clone(),
                    item: from,
                    to: to.clone(),
                }
            } else {
                JobSpec::Copy {
                    name: from.name.clone(),
                    from,
                    to: to.clone(),
                    remove_source,
                    follow_links: false,
                }
            }
        })
        .collect();
    let note = format!(
        "{} {} entries to {}",
        if remove_source { "moving" } else { "copying" },
        specs.len(),
        for_terminal(&to.shown)
    );
    state.status = Some(note.clone());
    state.work_status = Some(note);
    vec![Effect::Enqueue(specs)]
}

/// Ask for a new global bandwidth limit, starting from the current one.
fn bandwidth_prompt(state: &mut State) {
    let current = state.bwlimit.map(human_rate).unwrap_or_default();
    state.modals.push(Modal::Input {
        purpose: InputPurpose::Bandwidth,
        input: Input::new(current),
    });
}

/// `10M`, `1.5G` or `2000`: exactly a rate [`crate::transfer::throttle::parse_rate`] reads back.
pub fn human_rate(rate: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")];
    for (size, unit) in UNITS {
        if rate >= size && rate.is_multiple_of(size) {
            return format!("{}{unit}", rate / size);
        }
        if rate >= size && (u128::from(rate) * 10).is_multiple_of(u128::from(size)) {
            return format!("{:.1}{unit}", rate as f64 / size as f64);
        }
    }
    rate.to_string()
}

/// Rows the full queue view shows at the current size (a page for PgUp/PgDn).
fn queue_page(state: &State) -> usize {
    let s = super::layout::screen(state.size.0, state.size.1, true);
    usize::from(s.queue.height.saturating_sub(2)).max(2) - 1
}

fn queue_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = state.keymap.lookup(Layer::Queue, &key) else {
        return vec![];
    };
    queue_action(state, action)
}

pub fn queue_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = queue_page(state) as isize;
    let q = &mut state.queue;
    let id = q.selected().map(|r| r.id);
    let job = |op| id.map(|id| Effect::Job(id, op)).into_iter().collect();
    match action {
        Action::Up => q.move_cursor(-1),
        Action::Down => q.move_cursor(1),
        Action::PageUp => q.move_cursor(-page),
        Action::PageDown => q.move_cursor(page),
        Action::First => q.cursor = 0,
        Action::Last => q.move_cursor(isize::MAX),
        Action::Pause => return job(JobOp::Pause),
        Action::Resume => return job(JobOp::Resume),
        Action::Cancel => return job(JobOp::Cancel),
        Action::Retry => return job(JobOp::Retry),
        Action::ShiftUp | Action::ShiftDown => {
            let by = if action == Action::ShiftUp { -1 } else { 1 };
            q.shift_selected(by);
            return job(JobOp::Shift(by));
        }
        Action::PauseAll => return vec![Effect::PauseAll],
        Action::Bandwidth => bandwidth_prompt(state),
        Action::ResumeAll => return vec![Effect::ResumeAll],
        Action::ClearFinished => {
            q.clear_finished();
            return vec![Effect::ClearFinished];
        }
        Action::Details => {
            if let Some(r) = q.selected() {
                let detail = format!(
                    "{}\nstate: {}\n{}",
                    for_terminal(&r.spec.to_string()),
                    r.state.label(),
                    r.last_error.clone().unwrap_or_default()
                );
                state.modals.push(Modal::Error {
                    title: format!("Job {}", r.id),
                    detail,
                });
            }
        }
        Action::Close => state.show_queue = false,
        Action::Help => state.modals.push(Modal::Help { scroll: 0 }),
        Action::Quit => return quit(state),
        _ => {}
    }
    vec![]
}
