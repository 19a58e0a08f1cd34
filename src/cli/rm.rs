//! `haul rm [-r] ACCOUNT:PATH`

use super::target::{RemoteTarget, Resolved, resolve};
use super::{CliError, CliResult, Context};

pub async fn run(ctx: &Context, target: &str, recursive: bool) -> CliResult {
    let target = RemoteTarget::parse(target)?;
    let provider = ctx.provider(&target.account).await?;
    if !provider.capabilities().delete {
        return Err(CliError::new(format!(
            "{}: this host's API has no delete; remove it on the website",
            target.account
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
    provider
        .delete(&entry.as_ref())
        .await
        .map_err(|e| e.context(&target))?;
    Ok(())
}
