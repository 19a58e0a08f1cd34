//! Before a batch is enqueued: does it fit in what the accounts say is left? If not, stop
//! with one line per shortfall ("48.0 GiB queued, 30.0 GiB of traffic left on k2s"), nothing
//! enqueued, unless `--force`.

use std::sync::Arc;

use super::jobs::ContextAccounts;
use super::{CliError, CliResult, Context, progress};
use crate::transfer::JobSpec;
use crate::transfer::preflight::over_quota;

/// Check `specs` against the accounts' quotas; `force` turns a stop into a warning.
pub async fn check(ctx: &Arc<Context>, specs: &[JobSpec], force: bool) -> CliResult {
    let short = over_quota(&ContextAccounts(ctx.clone()), specs).await;
    let Some((last, earlier)) = short.split_last() else {
        return Ok(());
    };
    if force {
        for s in &short {
            progress::line(format!("haul: warning: {s} (starting anyway: --force)"));
        }
        return Ok(());
    }
    for s in earlier {
        progress::line(format!("haul: {s}"));
    }
    Err(CliError::new(format!(
        "{last}; nothing was queued (--force starts it anyway)"
    )))
}
