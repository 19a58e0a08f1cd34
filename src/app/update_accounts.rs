//! The account picker, its forms, and signing in: keys of the picker (layer `picker`), the
//! new-account form and the secret prompt, and what comes back from signing in (including the
//! login captcha, asked in the same modal as a job's).

use crossterm::event::KeyEvent;
use tui_input::Input;

use super::account_form::{AccountForm, AccountPicker, SecretPrompt};
use super::accounts::{AccountEntry, LoginProblem, LoginState, one_line, secret_kept_note};
use super::modal::{Captcha, CaptchaTarget, Modal};
use super::update_modal::{Handled, type_into};
use super::{Action, Effect, Layer, State, is_web_url};
use crate::config::AccountConfig;
use crate::config::new_account::{AccountError, AccountField, secret_kind};
use crate::config::secrets::SecretKept;
use crate::provider::ChallengeKind;

/// A key while the picker is on top (layer `picker`).
pub fn picker_key(
    state: &mut State,
    picker: &mut AccountPicker,
    action: Option<Action>,
) -> Handled {
    let last = state.accounts.len().saturating_sub(1);
    let chosen = state.accounts.get(picker.cursor.min(last)).cloned();
    match (action, chosen) {
        (Some(Action::Up), _) => picker.cursor = picker.cursor.saturating_sub(1),
        (Some(Action::Down), _) => picker.cursor = (picker.cursor + 1).min(last),
        (Some(Action::First), _) => picker.cursor = 0,
        (Some(Action::Last), _) => picker.cursor = last,
        (Some(Action::Cancel), _) => return Handled::close(),
        (Some(Action::Confirm), Some(account)) => {
            let home = state.home.clone();
            state.pane_mut().switch_account(&account.name, &home);
            let side = state.focus;
            return Handled::close_with(vec![state.list(side)]);
        }
        (Some(Action::NewAccount), _) => state.modals.push(Modal::AccountForm(Box::default())),
        (Some(Action::EnterSecret | Action::SignIn), Some(a)) if a.is_local() => {
            picker.note = Some("the local disk needs no sign-in".into());
        }
        (Some(Action::EnterSecret), Some(a)) => {
            let kind = a
                .provider
                .map(|p| secret_kind(p, a.has_username))
                .unwrap_or("secret");
            state.modals.push(Modal::Secret(Box::new(SecretPrompt {
                account: a.name,
                kind,
                input: Input::default(),
                error: None,
                saving: false,
            })));
        }
        (Some(Action::SignIn), Some(a)) => {
            if let Some(entry) = state.account_mut(&a.name) {
                entry.login = LoginState::SigningIn;
            }
            state
                .captcha_rounds
                .remove(&CaptchaTarget::Login(a.name.clone()));
            return Handled::stay_with(vec![Effect::SignIn { account: a.name }]);
        }
        _ => {}
    }
    Handled::stay()
}

/// A key while the new-account form is on top (layer `modal`; its fields take the rest).
pub fn form_key(form: &mut AccountForm, action: Option<Action>, key: &KeyEvent) -> Handled {
    let field = form.field();
    match action {
        Some(Action::Cancel) => return Handled::close(),
        Some(Action::Confirm) if form.saving => {}
        Some(Action::Confirm) => match form.checked() {
            Ok((name, account, secret)) => {
                form.error = None;
                form.saving = true;
                return Handled::stay_with(vec![Effect::AddAccount {
                    name,
                    account,
                    secret,
                }]);
            }
            Err(e) => {
                if let Some(f) = e.field {
                    form.focus_on(f);
                }
                form.error = Some(e);
            }
        },
        Some(Action::NextField | Action::Down) => form.move_focus(1),
        Some(Action::PrevField | Action::Up) => form.move_focus(-1),
        Some(Action::PrevChoice) if field == AccountField::Site => form.cycle_site(-1),
        Some(Action::NextChoice) if field == AccountField::Site => form.cycle_site(1),
        Some(Action::PrevChoice) if field == AccountField::Provider => form.cycle_provider(-1),
        Some(Action::NextChoice) if field == AccountField::Provider => form.cycle_provider(1),
        _ => {
            if let Some(input) = form.input_mut(field) {
                type_into(input, key);
            }
        }
    }
    Handled::stay()
}

/// A key while the secret prompt is on top (layer `modal`; the field takes the rest).
pub fn secret_key(prompt: &mut SecretPrompt, action: Option<Action>, key: &KeyEvent) -> Handled {
    match action {
        Some(Action::Cancel) => return Handled::close(),
        Some(Action::Confirm) if prompt.saving => {}
        Some(Action::Confirm) => {
            let secret = prompt.input.value().trim().to_string();
            if secret.is_empty() {
                prompt.error = Some(format!("type the {} first", prompt.kind));
            } else {
                prompt.error = None;
                prompt.saving = true;
                return Handled::stay_with(vec![Effect::SetSecret {
                    account: prompt.account.clone(),
                    secret: crate::config::secrets::Secret::new(secret),
                }]);
            }
        }
        _ => type_into(&mut prompt.input, key),
    }
    Handled::stay()
}

/// The form's account was saved (or not).
pub fn account_saved(
    state: &mut State,
    name: String,
    account: AccountConfig,
    result: Result<Option<SecretKept>, AccountError>,
) -> Vec<Effect> {
    let form = state
        .modals
        .iter()
        .rposition(|m| matches!(m, Modal::AccountForm(_)));
    let kept = match result {
        Ok(kept) => kept,
        Err(e) => {
            match form.and_then(|i| state.modals.get_mut(i)) {
                Some(Modal::AccountForm(f)) => {
                    f.saving = false;
                    if let Some(field) = e.field {
                        f.focus_on(field);
                    }
                    f.error = Some(AccountError {
                        field: e.field,
                        message: one_line(&e.message),
                    });
                }
                _ => state.status = Some(format!("{name} was not added: {}", one_line(&e.message))),
            }
            return vec![];
        }
    };
    if let Some(i) = form {
        state.modals.remove(i);
    }
    let entry = AccountEntry::remote(&name, &account);
    let at = match state.accounts.iter().position(|a| a.name == name) {
        Some(i) => {
            state.accounts[i] = entry;
            i
        }
        None => {
            // `local` first, then by name (as the config file's table is).
            let i = state
                .accounts
                .iter()
                .position(|a| !a.is_local() && a.name > name)
                .unwrap_or(state.accounts.len());
            state.accounts.insert(i, entry);
            i
        }
    };
    let note = format!("added {}", secret_kept_note(&name, &kept));
    state.status = Some(note.clone());
    if let Some(Modal::AccountPicker(p)) = state.modals.last_mut() {
        p.cursor = at;
        p.note = Some(note);
    }
    vec![]
}

/// A secret typed again was kept (or not).
pub fn secret_saved(
    state: &mut State,
    account: String,
    result: Result<SecretKept, String>,
) -> Vec<Effect> {
    let prompt = state
        .modals
        .iter()
        .rposition(|m| matches!(m, Modal::Secret(p) if p.account == account));
    match result {
        Err(e) => match prompt.and_then(|i| state.modals.get_mut(i)) {
            Some(Modal::Secret(p)) => {
                p.saving = false;
                p.error = Some(one_line(&e));
            }
            _ => state.status = Some(format!("{account}: {}", one_line(&e))),
        },
        Ok(kept) => {
            if let Some(i) = prompt {
                state.modals.remove(i);
            }
            if let Some(entry) = state.account_mut(&account) {
                entry.login = LoginState::SigningIn;
            }
            state
                .captcha_rounds
                .remove(&CaptchaTarget::Login(account.clone()));
            let note = format!("{}; signing in…", secret_kept_note(&account, &Some(kept)));
            state.status = Some(note.clone());
            if let Some(Modal::AccountPicker(p)) = state.modals.last_mut() {
                p.note = Some(note);
            }
        }
    }
    vec![]
}

/// What the pane of an account says when signing in stopped it.
fn pane_text(state: &State, account: &str, login: &LoginState) -> String {
    let picker = state
        .keymap
        .first_key(Layer::Panes, Action::Account)
        .unwrap_or_else(|| "a".into());
    let enter = state
        .keymap
        .first_key(Layer::Picker, Action::EnterSecret)
        .unwrap_or_else(|| "e".into());
    let refresh = state
        .keymap
        .first_key(Layer::Panes, Action::Refresh)
        .unwrap_or_else(|| "C-r".into());
    match login {
        LoginState::NoSecret { env_var } => format!(
            "no secret for {account}: set {env_var}, or press {picker} then {enter} to type it"
        ),
        LoginState::Failed(why) => format!("signing in to {account} failed: {why}"),
        LoginState::CaptchaWaiting | LoginState::CheckingAnswer => {
            format!("signing in to {account} needs a captcha: answer it in its window")
        }
        LoginState::Cancelled => format!(
            "signing in to {account} was cancelled (the captcha was not answered); {refresh} tries again"
        ),
        other => other.label(),
    }
}

/// Stop the panes on `account` with what signing in said: the pane whose listing this was
/// (`Some((side, seq))`, if still current), or every pane on the account showing an error.
fn stop_panes(state: &mut State, account: &str, pane: Option<(usize, u64)>, login: &LoginState) {
    let text = pane_text(state, account, login);
    for side in state.sides_on(account) {
        let p = &mut state.panes[side];
        let ours = match pane {
            Some((s, seq)) => s == side && p.seq == seq && p.loading,
            None => p.error.is_some(),
        };
        if ours {
            p.loading = false;
            p.error = Some(text.clone());
        }
    }
}

/// How signing in went.
pub fn login_result(
    state: &mut State,
    account: String,
    pane: Option<(usize, u64)>,
    result: Result<(), LoginProblem>,
) -> Vec<Effect> {
    let target = CaptchaTarget::Login(account.clone());
    let current = state.account(&account).map(|a| a.login.clone());
    let problem = match result {
        Ok(()) => {
            if let Some(a) = state.account_mut(&account) {
                a.login = LoginState::SignedIn;
            }
            state.captcha_rounds.remove(&target);
            // Signed in on its own (not for a listing): say so, and list what the panes could not.
            if pane.is_none() {
                state.status = Some(format!("signed in to {account}"));
                return state
                    .sides_on(&account)
                    .into_iter()
                    .map(|side| state.list(side))
                    .collect();
            }
            return vec![];
        }
        Err(problem) => problem,
    };
    let mut out = vec![];
    let login = match problem {
        LoginProblem::NoSecret { env_var } => LoginState::NoSecret { env_var },
        LoginProblem::Failed(why) => LoginState::Failed(one_line(&why)),
        // A listing that met the challenge while an answer is on its way: the answer decides.
        LoginProblem::Captcha { .. }
            if pane.is_some() && current == Some(LoginState::CheckingAnswer) =>
        {
            LoginState::CheckingAnswer
        }
        LoginProblem::Captcha { challenge, message } => {
            if !state
                .modals
                .iter()
                .any(|m| m.captcha_for(&target).is_some())
            {
                let round = state.captcha_rounds.entry(target.clone()).or_insert(0);
                *round += 1;
                let captcha = Captcha {
                    target,
                    what: format!("signing in to {account}"),
                    challenge,
                    message: one_line(&message),
                    reply: None,
                    input: Input::default(),
                    round: *round,
                    opened_in_browser: false,
                    note: None,
                };
                out = show_captcha(state, captcha);
            }
            LoginState::CaptchaWaiting
        }
    };
    if !matches!(
        login,
        LoginState::CaptchaWaiting | LoginState::CheckingAnswer
    ) {
        state
            .captcha_rounds
            .remove(&CaptchaTarget::Login(account.clone()));
    }
    stop_panes(state, &account, pane, &login);
    if let Some(a) = state.account_mut(&account) {
        a.login = login;
    }
    out
}

/// Push a captcha modal; a reCaptcha's page is opened in the browser as it comes up (the
/// modal says it was once the driver reports it was).
pub fn show_captcha(state: &mut State, captcha: Captcha) -> Vec<Effect> {
    let mut out = vec![];
    if captcha.challenge.kind == ChallengeKind::ReCaptcha
        && state.opens_browser
        && let Some(url) = captcha.challenge.url.clone().filter(|u| is_web_url(u))
    {
        out.push(Effect::OpenUrl(url));
    }
    state.modals.push(Modal::Captcha(Box::new(captcha)));
    out
}

/// The person answered a login captcha (the modal closes).
pub fn answer_login(
    state: &mut State,
    captcha: &Captcha,
    account: String,
    answer: String,
) -> Vec<Effect> {
    if let Some(a) = state.account_mut(&account) {
        a.login = LoginState::CheckingAnswer;
    }
    state.status = Some("captcha answer sent".into());
    vec![Effect::AnswerLogin {
        account,
        challenge: captcha.challenge.clone(),
        answer,
    }]
}

/// The person closed a login captcha: signing in stops, and the account's panes say so.
pub fn cancel_login(state: &mut State, account: String) -> Vec<Effect> {
    state
        .captcha_rounds
        .remove(&CaptchaTarget::Login(account.clone()));
    let login = LoginState::Cancelled;
    stop_panes(state, &account, None, &login);
    if let Some(a) = state.account_mut(&account) {
        a.login = login;
    }
    state.status = Some(format!("signing in to {account} cancelled"));
    vec![]
}
