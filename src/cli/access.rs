//! `haul access public|private|premium ACCOUNT:PATH...`: who may download files and folders,
//! where the host's API can set it.

use super::picked::{Failures, Folders, by_account, pick};
use super::{CliResult, Context, output};
use crate::provider::Access;
use crate::sanitize::for_terminal;

pub async fn run(ctx: &Context, access: Access, targets: &[String]) -> CliResult {
    let picked = pick(ctx, targets, Folders::Keep, false).await?;
    let mut failed = Failures::default();
    for (account, indexes) in by_account(&picked) {
        let provider = ctx.provider(&account).await?;
        let entries: Vec<_> = indexes
            .iter()
            .map(|&i| picked[i].reference.clone())
            .collect();
        let outcomes = provider
            .set_access(&entries, access)
            .await
            .map_err(|e| e.context(&account))?;
        for (&i, outcome) in indexes.iter().zip(outcomes) {
            let shown = for_terminal(&picked[i].shown);
            match outcome {
                Ok(()) => output::line(format_args!("{:<8} {shown}", access.as_str()))?,
                Err(e) => failed.note(&picked[i].shown, &e.message),
            }
        }
    }
    failed.finish(picked.len(), |n| {
        format!("{n} of {} entries were not made {access}", picked.len())
    })
}
