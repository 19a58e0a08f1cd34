//! `haul put [-r] LOCAL... ACCOUNT:DIR`, through the transfer engine. http(s) URLs as sources
//! are fetched by the host itself (remote upload).

use std::path::Path;
use std::sync::Arc;

use super::jobs::{self, TransferArgs};
use super::progress;
use super::remote_upload as remote;
use super::target::{RemoteTarget, ensure_folder};
use super::{CliError, CliResult, Context};
use crate::provider::EntryKind;
use crate::transfer::{FolderAddr, ItemAddr, JobSpec, LOCAL};

/// How `put` behaves.
#[derive(Debug, Clone)]
pub struct PutOptions {
    pub recursive: bool,
    /// Follow symbolic links inside folders.
    pub follow_links: bool,
    /// Try the host's upload-by-hash before sending bytes.
    pub dedupe: bool,
    pub transfer: TransferArgs,
}

/// An http(s) URL given as a source: the host fetches it itself.
fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

pub async fn run(ctx: &Arc<Context>, paths: &[String], options: PutOptions) -> CliResult {
    let Some((dest, sources)) = paths.split_last() else {
        return Err(CliError::usage("put needs LOCAL... ACCOUNT:DIR"));
    };
    let target = RemoteTarget::parse(dest)?;
    let config = options.transfer.engine_config(ctx, options.dedupe)?;
    let mut local = Vec::new();
    for s in sources.iter().filter(|s| !is_url(s)) {
        local.push(local_item(Path::new(s), options.recursive)?);
    }
    let provider = ctx.provider(&target.account).await?;
    let folder = ensure_folder(provider.as_ref(), &target).await?;
    let to = FolderAddr {
        account: target.account.clone(),
        id: folder.id().map(str::to_string),
        shown: target.to_string(),
    };
    // Each failure is said once: the last one as the command's error, earlier ones as they come.
    let mut failed: Option<CliError> = None;
    for url in sources.iter().filter(|s| is_url(s)) {
        if let Err(e) = remote::fetch(provider.as_ref(), url, &folder, &target).await
            && let Some(earlier) = failed.replace(e)
        {
            progress::line(format!("haul: {earlier}"));
        }
    }
    if !local.is_empty() {
        let specs = local
            .into_iter()
            .map(|from| JobSpec::Copy {
                name: from.name.clone(),
                from,
                to: to.clone(),
                remove_source: false,
                follow_links: options.follow_links,
            })
            .collect::<Vec<_>>();
        super::preflight::check(ctx, &specs, options.transfer.force).await?;
        if let Err(e) = jobs::run(ctx, config, specs).await {
            if let Some(earlier) = failed {
                progress::line(format!("haul: {earlier}"));
            }
            return Err(e);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// A local file or folder as a job address.
pub(super) fn local_item(path: &Path, recursive: bool) -> CliResult<ItemAddr> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| CliError::new(format!("{shown}: {e}")))?;
    if meta.is_dir() && !recursive {
        return Err(CliError::new(format!("{shown} is a folder; use put -r")));
    }
    if !meta.is_dir() && !meta.is_file() {
        return Err(CliError::new(format!("{shown}: not a regular file")));
    }
    let absolute = path
        .canonicalize()
        .map_err(|e| CliError::new(format!("{shown}: {e}")))?;
    let name = absolute
        .file_name()
        .ok_or_else(|| CliError::new(format!("{shown}: has no file name")))?
        .to_str()
        .ok_or_else(|| CliError::new(format!("{shown}: the name is not valid UTF-8")))?
        .to_string();
    Ok(ItemAddr {
        account: LOCAL.to_string(),
        id: absolute.display().to_string(),
        kind: if meta.is_dir() {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        name,
        size: meta.is_file().then_some(meta.len()),
        md5: None,
        shown,
    })
}
