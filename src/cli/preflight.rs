//! Before a batch is enqueued: does it fit in what the accounts say is left? If not, stop
//! with one line per shortfall ("48.0 GiB queued, 30.0 GiB of traffic left on k2s"), nothing
//! enqueued, unless `--force`.

use std::collections::BTreeMap;
use std::path::Path;

use super::{CliError, CliResult, Context, progress};
use crate::app::quota::{BatchDemand, preflight};
use crate::provider::{FolderId, Provider};
use crate::transfer::{ItemAddr, JobSpec};

/// Folders deeper than this are not walked for the estimate.
const MAX_DEPTH: usize = 32;

/// Check `specs` against the accounts' quotas; `force` turns a stop into a warning.
pub async fn check(ctx: &Context, specs: &[JobSpec], force: bool) -> CliResult {
    let mut demand = BatchDemand::default();
    for spec in specs {
        add(ctx, spec, &mut demand).await;
    }
    let short = shortfalls(ctx, &demand).await;
    if short.is_empty() {
        return Ok(());
    }
    if force {
        for s in &short {
            progress::line(format!("haul: warning: {s} (starting anyway: --force)"));
        }
        return Ok(());
    }
    let last = short.len() - 1;
    for s in &short[..last] {
        progress::line(format!("haul: {s}"));
    }
    Err(CliError::new(format!(
        "{}; nothing was queued (--force starts it anyway)",
        short[last]
    )))
}

/// What the accounts of `demand` say does not fit (an account that cannot be asked says nothing).
pub async fn shortfalls(ctx: &Context, demand: &BatchDemand) -> Vec<String> {
    let mut infos = BTreeMap::new();
    for account in demand.accounts.keys() {
        if let Ok(provider) = ctx.provider(account).await
            && let Ok(info) = provider.account_info().await
        {
            infos.insert(account.clone(), info);
        }
    }
    preflight(demand, &infos)
}

/// Add one job's bytes (a folder's files, walked) to `demand`.
pub async fn add(ctx: &Context, spec: &JobSpec, demand: &mut BatchDemand) {
    let JobSpec::Copy { from, to, name, .. } = spec else {
        return;
    };
    let files = files_of(ctx, from, name).await;
    for (file, size) in files {
        if !to.is_local() {
            demand.store(&to.account, &file, size);
        }
        if !from.is_local() && from.account != to.account {
            demand.read(&from.account, size);
        }
    }
}

/// The files (name, size) a copy of `from` moves, where they can be known.
async fn files_of(ctx: &Context, from: &ItemAddr, name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    if !from.is_folder() {
        if let Some(size) = from.size {
            out.push((name.to_string(), size));
        }
        return out;
    }
    if from.is_local() {
        walk_local(Path::new(&from.id), 0, &mut out);
    } else if let Ok(provider) = ctx.provider(&from.account).await {
        walk_remote(provider.as_ref(), from.as_folder_id(), &mut out).await;
    }
    out
}

fn walk_local(dir: &Path, depth: usize, out: &mut Vec<(String, u64)>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() && depth < MAX_DEPTH {
            walk_local(&entry.path(), depth + 1, out);
        } else if meta.is_file() {
            out.push((entry.file_name().to_string_lossy().into_owned(), meta.len()));
        }
    }
}

async fn walk_remote(provider: &dyn Provider, root: FolderId, out: &mut Vec<(String, u64)>) {
    let mut todo = vec![(root, 0usize)];
    while let Some((folder, depth)) = todo.pop() {
        let Ok(entries) = provider.list(&folder).await else {
            continue;
        };
        for e in entries {
            if e.is_folder() {
                if depth < MAX_DEPTH {
                    todo.push((FolderId::Id(e.id.clone()), depth + 1));
                }
            } else if let Some(size) = e.size {
                out.push((e.name.clone(), size));
            }
        }
    }
}
