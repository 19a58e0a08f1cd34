//! `haul get [-r] ACCOUNT:PATH... LOCALDIR`, through the transfer engine.
//!
//! Each file lands as `NAME.haul-part` and is renamed only once complete and checked; running
//! the same command after an interruption resumes from the part file.

use std::path::PathBuf;
use std::sync::Arc;

use super::jobs::{self, TransferArgs};
use super::target::{RemoteTarget, Resolved, resolve};
use super::{CliError, CliResult, Context};
use crate::provider::{Entry, EntryKind};
use crate::transfer::{FolderAddr, ItemAddr, JobSpec};

/// The job address of a resolved remote entry.
pub fn item_addr(target: &RemoteTarget, entry: &Entry) -> ItemAddr {
    ItemAddr {
        account: target.account.clone(),
        id: entry.id.clone(),
        kind: entry.kind,
        name: entry.name.clone(),
        size: entry.size,
        md5: entry.md5.clone(),
        shown: target.to_string(),
    }
}

/// The job address of an account's root folder.
pub fn root_addr(target: &RemoteTarget) -> ItemAddr {
    ItemAddr {
        account: target.account.clone(),
        id: String::new(),
        kind: EntryKind::Folder,
        name: target.account.clone(),
        size: None,
        md5: None,
        shown: target.to_string(),
    }
}

pub async fn run(
    ctx: &Arc<Context>,
    paths: &[String],
    recursive: bool,
    args: &TransferArgs,
) -> CliResult {
    let Some((dest, sources)) = paths.split_last() else {
        return Err(CliError::usage("get needs ACCOUNT:PATH... LOCALDIR"));
    };
    let targets = sources
        .iter()
        .map(|s| RemoteTarget::parse(s))
        .collect::<CliResult<Vec<_>>>()?;
    let config = args.engine_config(ctx, true)?;
    let dir = PathBuf::from(dest);
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::new(format!("{dest} exists and is not a folder")));
    }
    let mut specs = Vec::new();
    for target in &targets {
        let provider = ctx.provider(&target.account).await?;
        let from = match resolve(provider.as_ref(), target).await? {
            Resolved::Entry(e) if !e.is_folder() => item_addr(target, &e),
            _ if !recursive => {
                return Err(CliError::new(format!("{target} is a folder; use get -r")));
            }
            Resolved::Entry(e) => item_addr(target, &e),
            Resolved::Root => root_addr(target),
        };
        specs.push(from);
    }
    std::fs::create_dir_all(&dir).map_err(|e| CliError::new(format!("{dest}: {e}")))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| CliError::new(format!("{dest}: {e}")))?;
    let to = FolderAddr::local(&dir);
    let specs = specs
        .into_iter()
        .map(|from| JobSpec::Copy {
            name: from.name.clone(),
            from,
            to: to.clone(),
            remove_source: false,
            follow_links: false,
        })
        .collect::<Vec<_>>();
    super::preflight::check(ctx, &specs, args.force).await?;
    jobs::run(ctx, config, specs).await
}
