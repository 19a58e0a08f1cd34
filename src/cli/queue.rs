//! `haul queue [ls|resume|clear]`: what the journal holds.

use std::sync::Arc;

use serde_json::json;

use super::jobs::{self, TransferArgs};
use super::progress::{self, human_bytes};
use super::{CliError, CliResult, Context, QueueCommand, output};
use crate::sanitize::for_terminal;
use crate::transfer::JobState;
use crate::transfer::journal::{Journal, RECENT_FINISHED};

pub async fn run(ctx: &Arc<Context>, action: Option<QueueCommand>) -> CliResult {
    match action.unwrap_or(QueueCommand::Ls {
        json: false,
        all: false,
    }) {
        QueueCommand::Ls { json, all } => list(json, all),
        QueueCommand::Resume { transfer } => resume(ctx, &transfer).await,
        QueueCommand::Clear => {
            let (journal, lock) = jobs::open_journal()?;
            if lock.is_none() {
                return Err(CliError::new(
                    "another haul is running the queue; try again later",
                ));
            }
            let n = journal
                .clear_finished()
                .map_err(|e| CliError::new(e.to_string()))?;
            progress::line(format!("cleared {n} finished job(s)"));
            Ok(())
        }
    }
}

fn list(as_json: bool, all: bool) -> CliResult {
    let path = super::state_dir::journal_path();
    if !path.exists() {
        return if as_json {
            output::json(&serde_json::Value::Array(Vec::new()))
        } else {
            Ok(())
        };
    }
    let journal = Journal::open(&path).map_err(|e| CliError::new(e.to_string()))?;
    let jobs = if all {
        journal.load()
    } else {
        journal.load_recent(RECENT_FINISHED)
    }
    .map_err(|e| CliError::new(e.to_string()))?;
    if !all
        && !as_json
        && journal
            .finished_beyond(RECENT_FINISHED)
            .map_err(|e| CliError::new(e.to_string()))?
    {
        progress::line(format!(
            "only the last {RECENT_FINISHED} finished jobs are shown (haul queue ls --all)"
        ));
    }
    let groups = journal.groups().unwrap_or_default();
    if as_json {
        let items: Vec<_> = jobs
            .iter()
            .map(|j| {
                json!({
                    "id": j.id,
                    "parent": j.parent,
                    "group": groups.get(&j.id),
                    "op": j.spec.verb(),
                    "what": j.spec.to_string(),
                    "state": j.state.label(),
                    "error": match &j.state { JobState::Failed { error } => Some(error.clone()), _ => None },
                    "done": j.done,
                    "total": j.total,
                })
            })
            .collect();
        return output::json(&serde_json::Value::Array(items));
    }
    for j in &jobs {
        let done = match j.total {
            Some(t) => format!("{}/{}", human_bytes(j.done), human_bytes(t)),
            None if j.done > 0 => human_bytes(j.done),
            None => String::new(),
        };
        let detail = match &j.state {
            JobState::Failed { error } => format!("  ({error})"),
            JobState::Waiting { why } => format!("  ({why})"),
            _ => String::new(),
        };
        let group = groups
            .get(&j.id)
            .map(|g| format!("[{g}] "))
            .unwrap_or_default();
        output::line(format_args!(
            "{:>6}  {:<10} {:>21}  {}{}{}",
            j.id,
            j.state.label(),
            done,
            for_terminal(&group),
            for_terminal(&j.spec.to_string()),
            for_terminal(&detail)
        ))?;
    }
    Ok(())
}

async fn resume(ctx: &Arc<Context>, transfer: &TransferArgs) -> CliResult {
    let config = transfer.engine_config(ctx, true)?;
    jobs::resume_all(ctx, config).await
}
