//! `haul check [-r] [--json] ACCOUNT:PATH...`: whether each file still lives on its host and,
//! if not, why; one line per file, exit 1 when any is dead.

use serde_json::{Value, json};

use super::picked::{Folders, by_account, pick};
use super::{CliError, CliResult, Context, output};
use crate::provider::Availability;
use crate::sanitize::for_terminal;

pub async fn run(ctx: &Context, targets: &[String], recursive: bool, as_json: bool) -> CliResult {
    let folders = if recursive {
        Folders::Expand
    } else {
        Folders::Refuse
    };
    let picked = pick(ctx, targets, folders, true).await?;
    let mut answers: Vec<Option<Availability>> = vec![None; picked.len()];
    for (account, indexes) in by_account(&picked) {
        let provider = ctx.provider(&account).await?;
        let files: Vec<_> = indexes
            .iter()
            .map(|&i| picked[i].reference.clone())
            .collect();
        let found = provider
            .check(&files)
            .await
            .map_err(|e| e.context(&account))?;
        if found.len() != files.len() {
            return Err(CliError::new(format!(
                "{account}: asked about {} files, heard about {}",
                files.len(),
                found.len()
            )));
        }
        for (&i, availability) in indexes.iter().zip(found) {
            answers[i] = Some(availability);
        }
    }
    let results: Vec<(usize, Availability)> = answers
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| Some((i, a?)))
        .collect();
    if as_json {
        let rows: Vec<Value> = results
            .iter()
            .map(|(i, a)| {
                let p = &picked[*i];
                json!({
                    "target": p.shown,
                    "id": p.reference.id,
                    "name": p.entry.as_ref().map(|e| &e.name),
                    "state": a.word(),
                    "dead": a.is_dead(),
                    "detail": a.detail(),
                })
            })
            .collect();
        output::json(&Value::Array(rows))?;
    } else {
        for (i, a) in &results {
            let detail = a
                .detail()
                .map(|d| format!("  ({})", for_terminal(d)))
                .unwrap_or_default();
            output::line(format_args!(
                "{:<12} {}{detail}",
                a.word(),
                for_terminal(&picked[*i].shown)
            ))?;
        }
    }
    let dead = results.iter().filter(|(_, a)| a.is_dead()).count();
    match dead {
        0 => Ok(()),
        n => Err(CliError::new(format!(
            "{n} of {} files are dead",
            results.len()
        ))),
    }
}
