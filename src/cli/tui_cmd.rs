//! `haul` without a command: the two-pane terminal UI on the configured (or demo) accounts.

use std::io::IsTerminal;
use std::sync::Arc;

use super::jobs::{ContextAccounts, TransferArgs, open_journal};
use super::{CliError, CliResult, Context};
use crate::app::{Keymap, State};
use crate::transfer::{ConflictPolicy, Engine, Journal, LOCAL};

pub fn has_terminal() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

pub async fn run(ctx: &Arc<Context>, demo: bool) -> CliResult {
    if !has_terminal() {
        return Err(CliError::usage(
            "the terminal UI needs a terminal; run `haul --help` for the scripting commands",
        ));
    }
    let keymap = Keymap::load(ctx.keys()).map_err(CliError::new)?;
    let mut config = TransferArgs::default().engine_config(ctx, true)?;
    if ctx.transfers().on_conflict.is_none() {
        config.on_conflict = ConflictPolicy::Ask;
    }
    // The demo's accounts are new every run: its jobs are not kept.
    let (journal, _lock) = if demo {
        (
            Journal::in_memory().map_err(|e| CliError::new(e.to_string()))?,
            None,
        )
    } else {
        open_journal()?
    };
    let accounts = Arc::new(ContextAccounts(ctx.clone()));
    let (engine, events) = Engine::start(config, journal, accounts.clone())
        .map_err(|e| CliError::new(e.to_string()))?;
    let configured = ctx.account_names();
    let mut names = vec![LOCAL.to_string()];
    names.extend(configured.iter().cloned());
    // The demo opens on its first account (the emulator lists YetiShare's first).
    let right = if demo {
        configured
            .iter()
            .find(|n| n.as_str() == "ys")
            .or_else(|| configured.first())
    } else {
        configured.first()
    }
    .cloned()
    .unwrap_or_else(|| LOCAL.to_string());
    let home = std::env::current_dir()
        .or_else(|_| std::env::var("HOME").map(std::path::PathBuf::from))
        .unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let state = State::new(names, LOCAL, &right, home, keymap);
    crate::tui::run(state, engine, events, accounts)
        .await
        .map_err(|e| CliError::new(format!("terminal: {e}")))
}
