//! Keys and pastes while a modal is open: the top of the stack gets them. Each kind of modal
//! has its own handler, which works on the modal in place and says whether it closes; the
//! simple dialogs (confirm, error, info, help) are here, the text input in `update_input`,
//! the engine's questions in `update_questions`, the account picker and its forms in
//! `update_accounts`.

use crossterm::event::KeyEvent;
use tui_input::{Input, InputRequest};

use super::modal::{ConfirmAction, Modal};
use super::update::quit;
use super::{
    Action, Effect, Layer, State, update_accounts, update_input, update_questions, update_uploader,
};

/// What a modal's key handler did: whether the modal closes, and the work it asks for.
#[derive(Debug, Default)]
pub struct Handled {
    pub close: bool,
    pub effects: Vec<Effect>,
}

impl Handled {
    /// The modal stays open.
    pub fn stay() -> Handled {
        Handled::default()
    }
    /// The modal closes.
    pub fn close() -> Handled {
        Handled {
            close: true,
            effects: vec![],
        }
    }
    /// The modal stays open, asking for `effects`.
    pub fn stay_with(effects: Vec<Effect>) -> Handled {
        Handled {
            close: false,
            effects,
        }
    }
    /// The modal closes, asking for `effects`.
    pub fn close_with(effects: Vec<Effect>) -> Handled {
        Handled {
            close: true,
            effects,
        }
    }
}

/// A key for the top modal. Its layer's `quit` key quits from anywhere (asking while jobs run;
/// pressed again on that question, it says yes).
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(top) = state.modals.last() else {
        return vec![];
    };
    let action = state.keymap.lookup(top.layer(), &key);
    let on_quit_question = matches!(
        top,
        Modal::Confirm {
            action: ConfirmAction::Quit,
            ..
        }
    );
    if action == Some(Action::Quit) && !on_quit_question {
        return quit(state);
    }
    on_top(state, |top, state| match top {
        Modal::Confirm { action: on_yes, .. } => confirm(state, on_yes, action),
        Modal::Input { purpose, input } => update_input::key(state, purpose, input, action, &key),
        Modal::Conflict(c) => update_questions::conflict_key(c, action),
        Modal::Captcha(c) => update_questions::captcha_key(state, c, action, &key),
        Modal::Error { .. } => Handled {
            close: matches!(
                action,
                Some(Action::Cancel | Action::Confirm | Action::Close)
            ),
            effects: vec![],
        },
        Modal::Help { scroll } => help(state, scroll, action),
        Modal::Info {
            entry,
            account,
            link,
            health,
        } => update_uploader::info_key(state, entry, account, link.as_ref(), health, action),
        Modal::Export(export) => update_uploader::export_key(state, export, action),
        Modal::Access(picker) => update_uploader::access_key(state, picker, action),
        Modal::Mirror(picker) => super::update_mirror::mirror_key(state, picker, action),
        Modal::AccountPicker(picker) => update_accounts::picker_key(state, picker, action),
        Modal::AccountForm(form) => update_accounts::form_key(form, action, &key),
        Modal::Secret(prompt) => update_accounts::secret_key(prompt, action, &key),
    })
}

/// Pasted text (bracketed paste) goes to the top modal's text field, if it has one; control
/// characters and line breaks are dropped (a token copied with its newline still fits).
pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let Some(input) = state.modals.last_mut().and_then(Modal::input_mut) else {
        return vec![];
    };
    for c in text.chars().filter(|c| !c.is_control()) {
        input.handle(InputRequest::InsertChar(c));
    }
    // The filter follows what is typed, pasted text included.
    if let Some(Modal::Input {
        purpose: super::modal::InputPurpose::Filter,
        input,
    }) = state.modals.last()
    {
        let value = input.value().to_string();
        update_input::set_filter(state, value);
    }
    vec![]
}

/// Run `handle` on the top modal, in place, with the rest of the state. While it runs,
/// `state.modals` holds only the modals it opens; they go on top of the stack afterwards
/// (above the top modal, or in its place when it closes).
fn on_top(
    state: &mut State,
    handle: impl FnOnce(&mut Modal, &mut State) -> Handled,
) -> Vec<Effect> {
    let mut stack = std::mem::take(&mut state.modals);
    let Some(top) = stack.last_mut() else {
        return vec![];
    };
    let handled = handle(top, state);
    if handled.close {
        stack.pop();
    }
    stack.append(&mut state.modals);
    state.modals = stack;
    handled.effects
}

fn confirm(state: &mut State, on_yes: &mut ConfirmAction, action: Option<Action>) -> Handled {
    match action {
        Some(Action::Confirm | Action::Yes | Action::Quit) => match on_yes {
            ConfirmAction::Enqueue(specs) => {
                Handled::close_with(vec![Effect::Enqueue(std::mem::take(specs))])
            }
            ConfirmAction::EnqueueAnyway(specs) => {
                Handled::close_with(vec![Effect::EnqueueAnyway(std::mem::take(specs))])
            }
            ConfirmAction::MirrorAnyway { items, to } => {
                Handled::close_with(vec![Effect::Mirror {
                    items: std::mem::take(items),
                    to: std::mem::take(to),
                    force: true,
                }])
            }
            ConfirmAction::Quit => {
                state.quit = true;
                Handled::close_with(vec![Effect::Quit])
            }
        },
        Some(Action::Cancel | Action::No) => Handled::close(),
        _ => Handled::stay(),
    }
}

/// Open a server's URL in the browser, or say why not (no browser here, or not a web URL);
/// `layer` is where the key that copies the URL instead is looked up.
pub(super) fn open_url(state: &mut State, url: &str, layer: Layer) -> Vec<Effect> {
    if !is_web_url(url) {
        state.status = Some("not opened: only http and https links are".into());
        return vec![];
    }
    if !state.opens_browser {
        let copy = state
            .keymap
            .first_key(layer, Action::CopyLink)
            .map(|k| format!(": {k} copies it"))
            .unwrap_or_default();
        state.status = Some(format!(
            "no browser here (HAUL_NO_BROWSER is set, or no display){copy}"
        ));
        return vec![];
    }
    vec![Effect::OpenUrl(url.to_string())]
}

fn help(state: &State, scroll: &mut usize, action: Option<Action>) -> Handled {
    let last = help_len(state).saturating_sub(1);
    let page = usize::from(state.size.1.saturating_sub(6)).max(1);
    *scroll = match action {
        Some(Action::Close | Action::Cancel | Action::Confirm) => return Handled::close(),
        Some(Action::Up) => scroll.saturating_sub(1),
        Some(Action::Down) => *scroll + 1,
        Some(Action::PageUp) => scroll.saturating_sub(page),
        Some(Action::PageDown) => *scroll + page,
        Some(Action::First) => 0,
        Some(Action::Last) => last,
        _ => *scroll,
    }
    .min(last);
    Handled::stay()
}

/// Lines of the help screen: a heading per layer and a line per action.
fn help_len(state: &State) -> usize {
    Layer::ALL
        .iter()
        .map(|&layer| 1 + state.keymap.bindings(layer).len())
        .sum()
}

/// Only http and https URLs from servers are ever opened.
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url)
        .map(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or(false)
}

/// Typing into a text field: the key as the field's editor reads it.
pub(super) fn type_into(input: &mut Input, key: &KeyEvent) {
    use tui_input::backend::crossterm::EventHandler;
    input.handle_event(&crossterm::event::Event::Key(*key));
}
