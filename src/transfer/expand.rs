//! Folder jobs: make the destination folder, then queue one job per child, lazily, so the
//! first files start while a huge folder is still being read.

use std::collections::HashSet;

use super::spec::{FolderAddr, ItemAddr, JobSpec};
use super::worker::{JobCtx, Step, Stop};
use crate::provider::{EntryKind, ProviderError};
use crate::sanitize::local_file_name;

/// Children queued per journal transaction.
const QUEUE_BATCH: usize = 256;

pub async fn folder(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
    remove_source: bool,
    follow_links: bool,
) -> Step<Option<String>> {
    let dest = ctx
        .with_retries(&to.account, name, |_| destination(ctx, to, name))
        .await?;
    let children = if from.is_local() {
        local_children(ctx, from, follow_links).await?
    } else {
        let src = &ctx.provider(&from.account).await?;
        ctx.with_retries(&from.account, &from.name, |_| async move {
            Ok(src.list(&from.as_folder_id()).await?)
        })
        .await?
    };
    // After a restart, children queued before the crash are not queued twice.
    let queued: HashSet<String> = ctx
        .engine
        .shared
        .journal
        .children(ctx.id)
        .map_err(|e| ProviderError::fatal(e.to_string()))?
        .into_iter()
        .filter_map(|spec| match spec {
            JobSpec::Copy { from, .. } => Some(from.id),
            _ => None,
        })
        .collect();
    let mut added = 0usize;
    let mut batch = Vec::with_capacity(QUEUE_BATCH);
    let names = super::twins::names_in(ctx, from, &dest, &children);
    for (child, name) in children.into_iter().zip(names) {
        if queued.contains(&child.id) {
            continue;
        }
        batch.push(JobSpec::Copy {
            from: ItemAddr {
                account: from.account.clone(),
                shown: format!("{}/{}", from.shown.trim_end_matches('/'), child.name),
                id: child.id,
                kind: child.kind,
                name: child.name.clone(),
                size: child.size,
                md5: child.md5,
            },
            to: dest.clone(),
            name,
            remove_source,
            follow_links,
        });
        if batch.len() == QUEUE_BATCH {
            added += queue(ctx, &mut batch).await?;
        }
    }
    added += queue(ctx, &mut batch).await?;
    Ok(Some(format!("{added} item(s) queued")))
}

/// A local folder's children, symbolic links skipped (and said) unless followed.
async fn local_children(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    follow_links: bool,
) -> Step<Vec<crate::provider::Entry>> {
    let dir = std::path::PathBuf::from(&from.id);
    let (children, skipped) =
        tokio::task::spawn_blocking(move || super::local_tree::children(&dir, follow_links))
            .await
            .map_err(|e| ProviderError::fatal(format!("reading {}: {e}", from.shown)))?
            .map_err(|e| ProviderError::from(e).context(&from.shown))?;
    for s in skipped {
        ctx.note(format!("skipped {}: {}", s.path.display(), s.why));
    }
    Ok(children)
}

/// Queue `batch` (emptying it) in one journal transaction, then let the first children start.
async fn queue(ctx: &JobCtx<'_>, batch: &mut Vec<JobSpec>) -> Step<usize> {
    if ctx.stopped() {
        return Err(Stop::Stopped);
    }
    let n = batch.len();
    if n > 0 {
        ctx.engine
            .enqueue_children(std::mem::take(batch), ctx.id)
            .map_err(|e| ProviderError::fatal(e.to_string()))?;
        tokio::task::yield_now().await;
    }
    Ok(n)
}

/// The folder to fill: an existing one of that name, or a new one.
async fn destination(ctx: &JobCtx<'_>, to: &FolderAddr, name: &str) -> Step<FolderAddr> {
    if to.is_local() {
        let (safe, changed) = local_file_name(name);
        if changed {
            ctx.note(format!("{name:?} saved as {safe:?}: not a safe local name"));
        }
        let dir = std::path::Path::new(to.id.as_deref().unwrap_or("/")).join(safe);
        tokio::fs::create_dir_all(&dir).await?;
        return Ok(FolderAddr::local(&dir));
    }
    let p = ctx.provider(&to.account).await?;
    let existing = p.list(&to.folder_id()).await?;
    let found = existing
        .into_iter()
        .find(|e| e.kind == EntryKind::Folder && e.name == name);
    let folder = match found {
        Some(f) => f,
        None => p.create_folder(&to.folder_id(), name).await?,
    };
    Ok(FolderAddr {
        account: to.account.clone(),
        id: Some(folder.id),
        shown: to.child_shown(name),
    })
}
