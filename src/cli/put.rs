//! `haul put [-r] LOCAL... ACCOUNT:DIR`

use std::path::Path;

use super::progress::{Bar, note};
use super::remote_upload as remote;
use super::target::{RemoteTarget, ensure_folder, pick_by_name};
use super::transfer_report::{Report, conflict_name};
use super::{CliError, CliResult, Context, OnConflict};
use crate::provider::{Entry, EntryKind, FolderId, Provider, UploadBody};

/// How `put` behaves.
#[derive(Debug, Clone, Copy)]
pub struct PutOptions {
    pub recursive: bool,
    /// Try the host's upload-by-hash before sending bytes.
    pub dedupe: bool,
    pub policy: OnConflict,
}

/// An http(s) URL given as a source: the host fetches it itself.
fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

pub async fn run(ctx: &Context, paths: &[String], options: PutOptions) -> CliResult {
    let Some((dest, sources)) = paths.split_last() else {
        return Err(CliError::usage("put needs LOCAL... ACCOUNT:DIR"));
    };
    let target = RemoteTarget::parse(dest)?;
    for s in sources.iter().filter(|s| !is_url(s)) {
        let meta = std::fs::metadata(s).map_err(|e| CliError::new(format!("{s}: {e}")))?;
        if meta.is_dir() && !options.recursive {
            return Err(CliError::new(format!("{s} is a folder; use put -r")));
        }
    }
    let provider = ctx.provider(&target.account).await?;
    let folder = ensure_folder(provider.as_ref(), &target).await?;
    let mut listing = provider
        .list(&folder)
        .await
        .map_err(|e| e.context(&target))?;
    let mut report = Report::new("upload");
    let mut into = DestFolder {
        folder: &folder,
        shown: &target,
        listing: &mut listing,
    };
    for s in sources {
        if is_url(s) {
            match remote::fetch(provider.as_ref(), s, &folder, &target).await {
                Ok(()) => report.done(0),
                Err(e) => report.failed(s, &e),
            }
            continue;
        }
        upload_path(
            provider.as_ref(),
            &mut into,
            Path::new(s),
            options,
            &mut report,
        )
        .await;
    }
    report.finish()
}

/// The last component of a local path as UTF-8.
fn local_name(path: &Path) -> CliResult<String> {
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_os_string()))
        .or_else(|| path.file_name().map(|n| n.to_os_string()))
        .ok_or_else(|| CliError::new(format!("{}: has no file name", path.display())))?;
    name.into_string()
        .map_err(|_| CliError::new(format!("{}: the name is not valid UTF-8", path.display())))
}

/// The remote folder being filled, with its current listing (kept up to date as we upload).
struct DestFolder<'a> {
    folder: &'a FolderId,
    shown: &'a RemoteTarget,
    listing: &'a mut Vec<Entry>,
}

async fn upload_path(
    provider: &dyn Provider,
    into: &mut DestFolder<'_>,
    path: &Path,
    options: PutOptions,
    report: &mut Report,
) {
    let result = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Box::pin(upload_dir(provider, into, path, options, report)).await,
        Ok(m) if m.is_file() => upload_file(provider, into, path, options, report).await,
        Ok(_) => Err(CliError::new("not a regular file; skipped")),
        Err(e) => Err(CliError::from(e)),
    };
    if let Err(e) = result {
        report.failed(&path.display().to_string(), &e);
    }
}

async fn upload_dir(
    provider: &dyn Provider,
    into: &mut DestFolder<'_>,
    path: &Path,
    options: PutOptions,
    report: &mut Report,
) -> CliResult {
    let name = local_name(path)?;
    let here = into.shown.child(&name);
    let (sub, mut listing) = match pick_by_name(into.listing.clone(), &name, &here)? {
        Some(e) if e.is_folder() => {
            let listing = provider
                .list(&e.folder_id())
                .await
                .map_err(|err| err.context(&here))?;
            (e.folder_id(), listing)
        }
        Some(_) => return Err(CliError::new(format!("{here} exists and is a file"))),
        None => {
            let created = provider
                .create_folder(into.folder, &name)
                .await
                .map_err(|e| e.context(&here))?;
            into.listing.push(created.clone());
            (created.folder_id(), Vec::new())
        }
    };
    let mut children: Vec<_> = std::fs::read_dir(path)?
        .filter_map(|d| d.ok().map(|d| d.path()))
        .collect();
    children.sort();
    let mut sub_into = DestFolder {
        folder: &sub,
        shown: &here,
        listing: &mut listing,
    };
    for child in children {
        upload_path(provider, &mut sub_into, &child, options, report).await;
    }
    Ok(())
}

async fn upload_file(
    provider: &dyn Provider,
    into: &mut DestFolder<'_>,
    path: &Path,
    options: PutOptions,
    report: &mut Report,
) -> CliResult {
    let (folder, shown) = (into.folder, into.shown);
    let mut name = local_name(path)?;
    let listing = &*into.listing;
    let same: Vec<Entry> = listing.iter().filter(|e| e.name == name).cloned().collect();
    let mut replace = Vec::new();
    if !same.is_empty() {
        let there = shown.child(&name);
        match options.policy {
            OnConflict::Fail => {
                return Err(CliError::new(format!(
                    "{there} already exists (use --on-conflict skip, overwrite or rename)"
                )));
            }
            OnConflict::Skip => {
                note(format!("skipped {}: {there} exists", path.display()));
                report.skipped();
                return Ok(());
            }
            OnConflict::Overwrite => {
                if same.iter().any(|e| e.kind == EntryKind::Folder) {
                    return Err(CliError::new(format!("{there} is a folder; not replaced")));
                }
                replace = same;
            }
            OnConflict::Rename => {
                let taken: Vec<&str> = listing.iter().map(|e| e.name.as_str()).collect();
                name = conflict_name(&name, |n| taken.contains(&n));
            }
        }
    }
    let size = std::fs::metadata(path)?.len();
    if options.dedupe && provider.capabilities().upload_by_hash && size > 0 {
        let md5 = crate::checksum::md5_file_async(path).await?;
        if let Some(entry) = provider
            .upload_by_hash(folder, &name, &md5, size)
            .await
            .map_err(|e| e.context(shown.child(&name)))?
        {
            note(format!(
                "instant: {} (the host already had these bytes)",
                shown.child(&name)
            ));
            return finish_upload(provider, into, replace, entry, size, report).await;
        }
    }
    let body = UploadBody::from_file(path).await?;
    let bar = Bar::new(Some(size), &name);
    let uploaded = provider
        .upload(folder, &name, body, bar.callback())
        .await
        .map_err(|e| e.context(shown.child(&name)));
    bar.finish();
    let entry = uploaded?;
    finish_upload(provider, into, replace, entry, size, report).await
}

/// The new file is safely there: only now remove what it replaces.
async fn finish_upload(
    provider: &dyn Provider,
    into: &mut DestFolder<'_>,
    replace: Vec<Entry>,
    entry: Entry,
    size: u64,
    report: &mut Report,
) -> CliResult {
    for old in &replace {
        provider.delete(&old.as_ref()).await.map_err(|e| {
            e.context(format!(
                "removing the replaced {}",
                into.shown.child(&entry.name)
            ))
        })?;
    }
    into.listing.retain(|e| {
        !replace
            .iter()
            .any(|old| old.id == e.id && old.kind == e.kind)
    });
    report.done(entry.size.unwrap_or(size));
    into.listing.push(entry);
    Ok(())
}
