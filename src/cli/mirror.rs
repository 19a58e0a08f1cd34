//! `haul mirror SOURCE ACCOUNT:DIR ACCOUNT:DIR... [--format F]`: one file or folder kept on
//! several hosts. A local SOURCE is uploaded once, to the first DIR; every other host then
//! fetches that first copy itself (remote-URL upload) where it can, or, where it cannot,
//! gets the local bytes uploaded; when the upload to a DIR fails, the next DIR gets it and
//! the ones after fetch from there (`transfer::mirror`, as the TUI's). A remote SOURCE (ACCOUNT:PATH) is copied to every DIR the
//! same way (the host fetching a direct link, else relayed through haul). The jobs are one
//! group in the queue (`haul queue ls`); the command ends with the links of every copy.
//!
//! A failed host is retried alone by running the same command again: `--on-conflict`
//! defaults to `skip-identical` here, so the copies that landed are kept as they are and only
//! what is missing is sent.

use std::path::Path;
use std::sync::Arc;

use super::get::item_addr;
use super::jobs::{self, ContextAccounts, TransferArgs};
use super::target::{RemoteTarget, Resolved, ensure_folder, resolve, try_resolve};
use super::{CliError, CliResult, Context, link, preflight};
use crate::transfer::{EngineConfig, FolderAddr, ItemAddr, JobSpec, mirror};

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
    // The whole mirror is weighed before anything is queued.
    let items = [from];
    preflight::check(ctx, &mirror::every_copy(&items, &folders), transfer.force).await?;

    let mut runner = GroupRunner {
        ctx: ctx.clone(),
        config,
        group: None,
        first_error: None,
    };
    let accounts = ContextAccounts(ctx.clone());
    let missing = mirror::run(&mut runner, &accounts, &items, &folders).await;
    let [from] = items;
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
    if missing.is_empty() {
        return Ok(());
    }
    // The command's error names the hosts without a copy (and what went wrong first).
    let hosts: Vec<String> = missing.iter().map(|m| m.to.shown.clone()).collect();
    let why = runner
        .first_error
        .map(|e| format!(" ({})", e.message))
        .unwrap_or_default();
    Err(CliError::new(format!(
        "no copy on {}{why}; run the same mirror again to retry {}",
        hosts.join(", "),
        if hosts.len() == 1 { "it" } else { "them" }
    )))
}

/// The mirror's steps, each run to its end in the one group.
struct GroupRunner {
    ctx: Arc<Context>,
    config: EngineConfig,
    group: Option<String>,
    first_error: Option<CliError>,
}

#[async_trait::async_trait]
impl mirror::Runner for GroupRunner {
    async fn run(&mut self, specs: Vec<JobSpec>) -> Vec<bool> {
        let (result, done) =
            jobs::run_in_group(&self.ctx, self.config.clone(), specs, &mut self.group).await;
        if let Err(e) = result {
            self.first_error.get_or_insert(e);
        }
        done
    }
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
