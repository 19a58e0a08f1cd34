//! `haul` without a command: the two-pane terminal UI on the configured (or demo) accounts.

use std::io::IsTerminal;
use std::sync::Arc;

use async_trait::async_trait;

use super::context::OpenError;
use super::jobs::{ContextAccounts, TransferArgs, try_open_journal};
use super::{CliError, CliResult, Context};
use crate::app::{AccountEntry, Keymap, Modal, State};
use crate::config::AccountConfig;
use crate::config::new_account::AccountError;
use crate::config::secrets::{Secret, SecretKept};
use crate::provider::Provider;
use crate::transfer::{ConflictPolicy, Engine, Journal, LOCAL};
use crate::tui::{AccountBook, OpenFailure};

pub fn has_terminal() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

pub async fn run(ctx: &Arc<Context>, demo: bool) -> CliResult {
    if !has_terminal() {
        return Err(CliError::usage(
            "the terminal UI needs a terminal; run `haul --help` for the scripting commands",
        ));
    }
    let keymap =
        Keymap::load(ctx.keys(), &ctx.config_path.display().to_string()).map_err(CliError::new)?;
    let theme = crate::ui::Theme::from_config(ctx.theme())
        .map_err(|e| CliError::new(format!("{}: {e}", ctx.config_path.display())))?;
    let mut config = TransferArgs::default().engine_config(ctx, true)?;
    if ctx.transfers().on_conflict.is_none() {
        config.on_conflict = ConflictPolicy::Ask;
    }
    // The terminal UI owns the queue: what an earlier run left comes back, paused, or
    // running again with `resume_on_start`.
    config.resume_unfinished = ctx.transfers().resume_on_start.unwrap_or(false);
    // The demo's accounts are new every run: its jobs are not kept.
    let (journal, lock) = if demo {
        (
            Journal::in_memory().map_err(|e| CliError::new(e.to_string()))?,
            Ok(None),
        )
    } else {
        let (journal, lock) = try_open_journal()?;
        (journal, lock.map(Some))
    };
    let _lock = lock.as_ref().ok();
    let bwlimit = config.bwlimit;
    let (engine, events) = Engine::start(config, journal, Arc::new(ContextAccounts(ctx.clone())))
        .map_err(|e| CliError::new(e.to_string()))?;
    let configured = ctx.accounts();
    let mut accounts = vec![AccountEntry::local()];
    accounts.extend(configured.iter().map(|(n, a)| AccountEntry::remote(n, a)));
    // The demo opens on its first account (the emulator lists YetiShare's first).
    let names: Vec<&String> = configured.iter().map(|(n, _)| n).collect();
    let right = if demo {
        names
            .iter()
            .find(|n| n.as_str() == "ys")
            .or_else(|| names.first())
    } else {
        names.first()
    }
    .map(|n| n.to_string())
    .unwrap_or_else(|| LOCAL.to_string());
    let home = std::env::current_dir()
        .or_else(|_| std::env::var("HOME").map(std::path::PathBuf::from))
        .unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let mut state = State::new(accounts, LOCAL, &right, home, keymap);
    state.opens_browser = crate::tui::browser_available();
    state.bwlimit = bwlimit;
    state.link_formats = ctx.links().clone();
    if demo {
        // Where the demo's captcha is, since no listing can show another account's file.
        let key = |a| {
            state
                .keymap
                .first_key(crate::app::Layer::Panes, a)
                .unwrap_or_default()
        };
        state.status = Some(format!(
            "demo: to see a captcha, open k2s-free ({}) and fetch file {} ({})",
            key(crate::app::Action::Account),
            crate::emulator::keep2share::SHARED_FILE_ID,
            key(crate::app::Action::Fetch),
        ));
    }
    if let Err(in_use) = &lock {
        state.modals.push(Modal::Error {
            title: "Queue journal in use".into(),
            detail: format!(
                "{in_use}.\nThis session's jobs are not kept, and that haul's jobs are not \
                 shown here: quit it and start haul again to get them."
            ),
        });
    }
    let book = Arc::new(ContextAccounts(ctx.clone()));
    crate::tui::run(state, engine, events, book, theme)
        .await
        .map_err(|e| CliError::new(format!("terminal: {e}")))
}

#[async_trait]
impl AccountBook for ContextAccounts {
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>, OpenFailure> {
        self.0.open_provider(account).await.map_err(|e| match e {
            OpenError::NoSecret { env_var, .. } => OpenFailure::NoSecret { env_var },
            OpenError::Other(e) => OpenFailure::Failed(e.message),
        })
    }

    async fn add_account(
        &self,
        name: &str,
        account: AccountConfig,
        secret: Option<Secret>,
    ) -> Result<Option<SecretKept>, AccountError> {
        self.0.add_account(name, account, secret).await
    }

    async fn replace_secret(&self, account: &str, secret: Secret) -> Result<SecretKept, String> {
        self.0.replace_secret(account, secret).await
    }
}
