//! `haul mirror SOURCE ACCOUNT:DIR ACCOUNT:DIR... [--format F]`: one file or folder kept on
//! several hosts. A local SOURCE is uploaded once, to the first DIR; every other host then
//! fetches that first copy itself (remote-URL upload) where it can, or, where it cannot,
//! gets the local bytes uploaded. A remote SOURCE (ACCOUNT:PATH) is copied to every DIR the
//! same way (the host fetching a direct link, else relayed through haul). The jobs are one
//! group in the queue (`haul queue ls`); the command ends with the links of every copy.
//!
//! A failed host is retried alone by running the same command again: `--on-conflict`
//! defaults to `skip-identical` here, so the copies that landed are kept as they are and only
//! what is missing is sent.

use std::path::Path;
use std::sync::Arc;

use super::get::item_addr;
use super::jobs::{self, TransferArgs};
use super::target::{RemoteTarget, Resolved, ensure_folder, resolve, try_resolve};
use super::{CliError, CliResult, Context, link, preflight, progress};
use crate::transfer::{FolderAddr, ItemAddr, JobSpec};

/// `mirror`'s arguments.
#[derive(Debug, Clone)]
pub struct MirrorOptions {
    pub format: String,
    pub transfer: TransferArgs,
}

pub async fn run(ctx: &Arc<Context>, paths: &[String], options: MirrorOptions) -> CliResult {
    let Some((source, dests)) = paths.split_first() else {
        return Err(CliError::usage("mirror needs SOURCE ACCOUNT:DIR..."));
    };
    if dests.is_empty() {
        return Err(CliError::usage("mirror needs SOURCE ACCOUNT:DIR..."));
    }
    ctx.links()
        .format(&options.format)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let mut transfer = options.transfer.clone();
    if transfer.on_conflict.is_none() {
        transfer.on_conflict = Some("skip-identical".to_string());
    }
    let config = transfer.engine_config(ctx, true)?;
    let targets = dests
        .iter()
        .map(|d| RemoteTarget::parse(d))
        .collect::<CliResult<Vec<_>>>()?;
    let from = source_item(ctx, source).await?;
    let mut folders = Vec::new();
    for target in &targets {
        let provider = ctx.provider(&target.account).await?;
        let folder = ensure_folder(provider.as_ref(), target).await?;
        folders.push(FolderAddr {
            account: target.account.clone(),
            id: folder.id().map(str::to_string),
            shown: target.to_string(),
        });
    }
    let copy = |from: &ItemAddr, to: &FolderAddr| JobSpec::Copy {
        from: from.clone(),
        to: to.clone(),
        name: from.name.clone(),
        remove_source: false,
        follow_links: false,
    };
    // The whole mirror is weighed before anything is queued.
    let every: Vec<JobSpec> = folders.iter().map(|to| copy(&from, to)).collect();
    preflight::check(ctx, &every, transfer.force).await?;

    let mut group = None;
    let result = if from.is_local() {
        // Once to the first host, then from there to the others.
        let first = jobs::run_in_group(ctx, config.clone(), vec![every[0].clone()], &mut group);
        if let Err(e) = first.await {
            progress::line(
                "haul: the first copy failed, so no other host was asked; run the same mirror again",
            );
            return Err(e);
        }
        let first = landed(ctx, &targets[0], &from.name).await?;
        let mut rest = Vec::new();
        for to in &folders[1..] {
            let fetches = ctx
                .provider(&to.account)
                .await?
                .capabilities()
                .remote_url_upload;
            rest.push(copy(if fetches { &first } else { &from }, to));
        }
        jobs::run_in_group(ctx, config, rest, &mut group).await
    } else {
        jobs::run_in_group(ctx, config, every, &mut group).await
    };
    // The links of every copy there is, even when a host failed.
    let mut copies = Vec::new();
    for target in &targets {
        let child = child_of(target, &from.name);
        let provider = ctx.provider(&target.account).await?;
        if let Ok(Some(_)) = try_resolve(provider.as_ref(), &child).await {
            copies.push(child.to_string());
        }
    }
    if !copies.is_empty() {
        link::run(ctx, &copies, true, &options.format).await?;
    }
    if result.is_err() {
        progress::line("haul: run the same mirror again to retry the hosts that failed");
    }
    result
}

/// SOURCE as a job address: an existing local path, else ACCOUNT:PATH.
async fn source_item(ctx: &Context, source: &str) -> CliResult<ItemAddr> {
    if Path::new(source).exists() || !source.contains(':') {
        return super::put::local_item(Path::new(source), true);
    }
    let target = RemoteTarget::parse(source)?;
    let provider = ctx.provider(&target.account).await?;
    match resolve(provider.as_ref(), &target).await? {
        Resolved::Root => Err(CliError::new(format!(
            "cannot mirror the root of {target}; name a folder or a file"
        ))),
        Resolved::Entry(e) => Ok(item_addr(&target, &e)),
    }
}

/// `target/name`.
fn child_of(target: &RemoteTarget, name: &str) -> RemoteTarget {
    let mut child = target.clone();
    child.components.push(name.to_string());
    child.dir = false;
    child
}

/// The first copy, as the source of the others.
async fn landed(ctx: &Context, target: &RemoteTarget, name: &str) -> CliResult<ItemAddr> {
    let child = child_of(target, name);
    let provider = ctx.provider(&target.account).await?;
    match resolve(provider.as_ref(), &child).await? {
        Resolved::Entry(e) => Ok(item_addr(&child, &e)),
        Resolved::Root => Err(CliError::new(format!("{child}: not the copy expected"))),
    }
}
