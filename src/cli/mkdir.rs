//! `haul mkdir ACCOUNT:PATH` (creates missing parents)

use super::target::{RemoteTarget, ensure_folder};
use super::{CliResult, Context, output};

pub async fn run(ctx: &Context, target: &str) -> CliResult {
    let target = RemoteTarget::parse(target)?;
    let provider = ctx.provider(&target.account).await?;
    let folder = ensure_folder(provider.as_ref(), &target).await?;
    output::line(folder)
}
