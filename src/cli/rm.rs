//! `haul rm [-r] ACCOUNT:PATH`, through the transfer engine.

use std::sync::Arc;

use super::get::item_addr;
use super::jobs::{self, TransferArgs};
use super::target::{RemoteTarget, Resolved, resolve};
use super::{CliError, CliResult, Context};
use crate::transfer::JobSpec;

pub async fn run(
    ctx: &Arc<Context>,
    target: &str,
    recursive: bool,
    args: &TransferArgs,
) -> CliResult {
    let target = RemoteTarget::parse(target)?;
    let provider = ctx.provider(&target.account).await?;
    if !provider.capabilities().delete {
        let base = ctx.account(&target.account)?.base_url;
        let host = url::Url::parse(&base)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_string())
            })
            .unwrap_or_else(|| target.account.clone());
        return Err(CliError::new(format!(
            "{target}: {host}'s API has no delete; remove it on the website"
        )));
    }
    let entry = match resolve(provider.as_ref(), &target).await? {
        Resolved::Root => {
            return Err(CliError::new(format!(
                "refusing to delete the root of {target}"
            )));
        }
        Resolved::Entry(e) => e,
    };
    if entry.is_folder() && !recursive {
        return Err(CliError::new(format!(
            "{target} is a folder; use rm -r to delete it with everything in it"
        )));
    }
    let spec = JobSpec::Delete {
        item: item_addr(&target, &entry),
    };
    jobs::run(ctx, args.engine_config(ctx, false)?, vec![spec]).await
}
