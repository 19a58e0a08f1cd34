//! The uploader's keys and answers: exporting the marked entries' links (`E`), setting who may
//! download them (`A`), and asking a file's host again whether it lives (`c` in its info).

use super::modal::{AccessPicker, ConfirmAction, ExportedLinks, LinkExport, Modal};
use super::update_modal::{Handled, open_url};
use super::{Action, Effect, Layer, State};
use crate::provider::{Access, Availability};
use crate::sanitize::for_terminal;

/// `E`: a modal with the links of the marked entries (or the one under the cursor).
pub fn export_links(state: &mut State) -> Vec<Effect> {
    let pane = state.pane();
    if pane.is_local() {
        state.status = Some("local files have no public links".into());
        return vec![];
    }
    let selection: Vec<_> = pane.selection().into_iter().cloned().collect();
    if selection.is_empty() {
        state.status = Some("nothing selected".into());
        return vec![];
    }
    let shown = selection.iter().map(|e| pane.item_addr(e).shown).collect();
    let account = pane.account.clone();
    state.modals.push(Modal::Export(Box::new(LinkExport {
        account: account.clone(),
        asked: selection.len(),
        formats: state.link_formats.names(),
        choice: 0,
        links: None,
        scroll: 0,
    })));
    vec![Effect::ExportLinks {
        account,
        entries: selection,
        shown,
    }]
}

/// `A`: pick who may download the marked entries.
pub fn set_access(state: &mut State) -> Vec<Effect> {
    let pane = state.pane();
    if pane.is_local() {
        state.status = Some("local files have no access levels".into());
        return vec![];
    }
    let selection = pane.selection();
    let what = match selection.as_slice() {
        [] => {
            state.status = Some("nothing selected".into());
            return vec![];
        }
        [one] => for_terminal(&one.name).into_owned(),
        many => format!("{} entries", many.len()),
    };
    let picker = AccessPicker {
        account: pane.account.clone(),
        entries: selection
            .iter()
            .map(|e| (for_terminal(&e.name).into_owned(), e.as_ref()))
            .collect(),
        what,
        choice: 0,
    };
    state.pane_mut().marks.clear();
    state.modals.push(Modal::Access(Box::new(picker)));
    vec![]
}

/// A batch larger than its accounts' quotas: continue or cancel, in a modal.
pub fn over_quota(
    state: &mut State,
    action: ConfirmAction,
    shortfalls: Vec<String>,
) -> Vec<Effect> {
    let lines: Vec<String> = shortfalls
        .iter()
        .map(|s| for_terminal(s).into_owned())
        .collect();
    state.modals.push(Modal::Confirm {
        title: "Over quota".into(),
        message: format!("{}. Start anyway?", lines.join("; ")),
        action,
    });
    vec![]
}

/// The export's text in its chosen format, once the links are there.
pub fn export_text(state: &State, export: &LinkExport) -> Option<Result<String, String>> {
    let links = match export.links.as_ref()? {
        Ok(links) => links,
        Err(e) => return Some(Err(e.clone())),
    };
    let name = export.formats.get(export.choice)?;
    Some(
        state
            .link_formats
            .format(name)
            .map(|format| super::links::render(&format, &links.items))
            .map_err(|e| e.to_string()),
    )
}

fn cycle(choice: &mut usize, len: usize, step: isize) {
    if len > 0 {
        *choice = (*choice as isize + step).rem_euclid(len as isize) as usize;
    }
}

/// A key while the export is on top (layer `modal`).
pub fn export_key(state: &mut State, export: &mut LinkExport, action: Option<Action>) -> Handled {
    match action {
        Some(Action::PrevChoice) => cycle(&mut export.choice, export.formats.len(), -1),
        Some(Action::NextChoice) => cycle(&mut export.choice, export.formats.len(), 1),
        Some(Action::Up) => export.scroll = export.scroll.saturating_sub(1),
        Some(Action::Down) => export.scroll += 1,
        Some(Action::CopyLink | Action::Confirm) => match export_text(state, export) {
            Some(Ok(text)) if !text.is_empty() => {
                let count = export
                    .links
                    .as_ref()
                    .map_or(0, |l| l.as_ref().map_or(0, |l| l.items.len()));
                state.status = Some(format!(
                    "{count} links copied to the clipboard as {} (OSC 52)",
                    export.formats.get(export.choice).map_or("", String::as_str)
                ));
                return Handled::stay_with(vec![Effect::Clipboard(text)]);
            }
            Some(Err(e)) => state.status = Some(for_terminal(&e).into_owned()),
            _ => state.status = Some("no links to copy yet".into()),
        },
        Some(Action::Cancel | Action::Close) => return Handled::close(),
        _ => {}
    }
    Handled::stay()
}

/// A key while the access picker is on top (layer `modal`).
pub fn access_key(state: &mut State, picker: &mut AccessPicker, action: Option<Action>) -> Handled {
    match action {
        Some(Action::PrevChoice | Action::Up) => cycle(&mut picker.choice, Access::ALL.len(), -1),
        Some(Action::NextChoice | Action::Down) => cycle(&mut picker.choice, Access::ALL.len(), 1),
        Some(Action::Confirm) => {
            let access = picker.access();
            state.status = Some(format!("making {} {access}…", picker.what));
            return Handled::close_with(vec![Effect::SetAccess {
                account: picker.account.clone(),
                entries: std::mem::take(&mut picker.entries),
                access,
            }]);
        }
        Some(Action::Cancel | Action::Close) => return Handled::close(),
        _ => {}
    }
    Handled::stay()
}

/// A key while an entry's info is on top (layer `info`).
pub fn info_key(
    state: &mut State,
    entry: &crate::provider::Entry,
    account: &str,
    link: Option<&Result<String, String>>,
    health: &mut Option<Option<Result<Availability, String>>>,
    action: Option<Action>,
) -> Handled {
    match (action, link) {
        (Some(Action::CopyLink), Some(Ok(url))) => {
            state.status = Some("link copied to the clipboard (OSC 52)".into());
            Handled::stay_with(vec![Effect::Clipboard(url.clone())])
        }
        (Some(Action::OpenUrl), Some(Ok(url))) => {
            Handled::stay_with(open_url(state, url, Layer::Info))
        }
        (Some(Action::Check), _) if account == crate::transfer::LOCAL || entry.is_folder() => {
            state.status = Some("only a host's files can be checked".into());
            Handled::stay()
        }
        (Some(Action::Check), _) => {
            *health = Some(None);
            Handled::stay_with(vec![Effect::Check {
                account: account.to_string(),
                entry: entry.as_ref(),
            }])
        }
        (Some(Action::Cancel | Action::Confirm | Action::Close), _) => Handled::close(),
        _ => Handled::stay(),
    }
}

/// The links an export asked for came back.
pub fn links_came(
    state: &mut State,
    account: &str,
    result: Result<Vec<Result<super::links::LinkItem, String>>, String>,
) {
    let Some(export) = state.modals.iter_mut().rev().find_map(|m| match m {
        Modal::Export(e) if e.account == account && e.links.is_none() => Some(e),
        _ => None,
    }) else {
        return;
    };
    export.links = Some(result.map(|links| {
        let mut out = ExportedLinks::default();
        for link in links {
            match link {
                Ok(item) => out.items.push(item),
                Err(why) => out.failed.push(for_terminal(&why).into_owned()),
            }
        }
        out
    }));
}

/// How setting access went: a status line, and the account's panes listed again.
pub fn access_set(
    state: &mut State,
    account: &str,
    access: Access,
    result: Result<Vec<super::AccessOutcome>, String>,
) {
    let text = match result {
        Err(e) => format!("{account}: {e}"),
        Ok(outcomes) => {
            let failed: Vec<_> = outcomes
                .iter()
                .filter_map(|(name, r)| Some((name, r.as_ref().err()?)))
                .collect();
            let done = outcomes.len() - failed.len();
            match failed.first() {
                None => format!("{account}: {done} made {access}"),
                Some((name, why)) => format!(
                    "{account}: {done} of {} made {access}; {name}: {why}",
                    outcomes.len()
                ),
            }
        }
    };
    state.status = Some(for_terminal(&text.replace('\n', " ")).into_owned());
    for side in state.sides_on(account) {
        state.stale[side] = true;
    }
}

/// What the host said when a file was checked again: in its info, and as its badge.
pub fn checked(
    state: &mut State,
    account: &str,
    entry_id: &str,
    result: Result<Availability, String>,
) {
    if let Ok(availability) = &result {
        for side in state.sides_on(account) {
            let pane = &mut state.panes[side];
            for e in pane.entries.iter_mut().filter(|e| e.id == entry_id) {
                e.set_availability(availability);
            }
        }
    }
    for m in state.modals.iter_mut() {
        if let Modal::Info {
            entry,
            account: a,
            health,
            ..
        } = m
            && a == account
            && entry.id == entry_id
        {
            if let Ok(availability) = &result {
                entry.set_availability(availability);
            }
            *health = Some(Some(result.clone()));
        }
    }
}
