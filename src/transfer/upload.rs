//! From the local disk to a host: conflict policy, instant upload by hash, a throttled stream,
//! and retries that never leave a second copy behind.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;

use super::download::conflict_name;
use super::spec::{FolderAddr, ItemAddr};
use super::state::ConflictPolicy;
use super::worker::{JobCtx, Step, Stop};
use crate::provider::{Entry, Provider, ProviderError, UploadBody};

pub async fn from_local(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
    attempt: u32,
) -> Step<Option<String>> {
    let path = PathBuf::from(&from.id);
    let size = tokio::fs::metadata(&path)
        .await
        .map_err(|e| ProviderError::from(e).context(&from.shown))?
        .len();
    ctx.counter.set_total(Some(size));
    ctx.counter.set_done(0);
    let provider = ctx.provider(&to.account).await?;
    let folder = to.folder_id();
    let account = to.account.as_str();
    let folders = &ctx.engine.shared.folders;
    // A retry lists afresh: the interrupted attempt may have completed on the host.
    {
        let _one_at_a_time = folders.listing_lock(account, &folder).await;
        if attempt > 0 || !folders.is_fresh(account, &folder) {
            folders.put(account, &folder, provider.list(&folder).await?);
        }
    }
    let same: Vec<Entry> = folders.named(account, &folder, name);

    // A retry after a failure the host may still have completed: never upload twice.
    let before = remember_existing(ctx, &same);
    if attempt > 0
        && let Some(done) = same
            .iter()
            .find(|e| !before.contains(&e.id) && e.size == Some(size))
    {
        ctx.counter.set_done(size);
        ctx.note(format!(
            "{}: the interrupted attempt had completed on the host (#{})",
            to.child_shown(name),
            done.id
        ));
        return Ok(None);
    }
    let old: Vec<Entry> = same
        .into_iter()
        .filter(|e| before.contains(&e.id))
        .collect();
    let mut name = name.to_string();
    let mut replace = Vec::new();
    if let Some(existing) = old.first() {
        let shown = to.child_shown(&name);
        match ctx.conflict(&shown, existing.size, Some(size)).await? {
            ConflictPolicy::Skip => return Ok(Some(format!("skipped: {shown} exists"))),
            // Replacing means deleting the old one after the upload: refuse before uploading.
            ConflictPolicy::Overwrite if !provider.capabilities().delete => {
                return Err(Stop::Error(ProviderError::unsupported(format!(
                    "{shown} already exists, and its host's API cannot delete, so it cannot be \
                     overwritten (use --on-conflict skip or rename)"
                ))));
            }
            ConflictPolicy::Overwrite if old.iter().all(|e| !e.is_folder()) => replace = old,
            ConflictPolicy::Rename => {
                name = conflict_name(&name, |n| folders.is_taken(account, &folder, n));
            }
            ConflictPolicy::SkipIdentical | ConflictPolicy::Resume
                if existing.size == Some(size) && identical(existing, &path).await? =>
            {
                ctx.counter.set_done(size);
                return Ok(Some(format!("skipped: {shown} is identical")));
            }
            _ => {
                return Err(Stop::Error(ProviderError::invalid(format!(
                    "{shown} already exists (use --on-conflict skip, overwrite or rename)"
                ))));
            }
        }
    }

    let shared = &ctx.engine.shared;
    let mut note = None;
    let entry = match instant(ctx, provider.as_ref(), &path, to, &name, size).await? {
        Some(entry) => {
            ctx.counter.set_done(size);
            note = Some("instant: the host already had these bytes".to_string());
            ctx.note(format!("{}: instant upload", to.child_shown(&name)));
            entry
        }
        None => {
            let body = throttled(UploadBody::from_file(&path).await?, ctx);
            let counter = ctx.counter.clone();
            let progress = Arc::new(move |n| counter.add(n));
            tokio::select! {
                _ = ctx.running.cancel.cancelled() => return Err(Stop::Stopped),
                r = provider.upload(&folder, &name, body, progress) => r?,
            }
        }
    };
    folders.added(account, &folder, entry.clone());
    for old in &replace {
        provider.delete(&old.as_ref()).await.map_err(|e| {
            e.context(format!(
                "uploaded #{}, but removing the replaced one",
                entry.id
            ))
        })?;
        folders.removed(account, &folder, &old.name, &old.id);
    }
    let _ = shared;
    Ok(note)
}

/// The ids already at the destination name when the job first looked.
fn remember_existing(ctx: &JobCtx<'_>, same: &[Entry]) -> HashSet<String> {
    let Ok(mut memo) = ctx.existing_before.lock() else {
        return HashSet::new();
    };
    memo.get_or_insert_with(|| same.iter().map(|e| e.id.clone()).collect())
        .clone()
}

/// Same content, as far as the host lets us tell (size was checked; md5 when it gives one).
async fn identical(existing: &Entry, path: &std::path::Path) -> Step<bool> {
    match &existing.md5 {
        None => Ok(true),
        Some(md5) => Ok(crate::checksum::md5_file_async(path)
            .await?
            .eq_ignore_ascii_case(md5)),
    }
}

/// Upload by hash, where the host can and the engine is allowed to.
async fn instant(
    ctx: &JobCtx<'_>,
    provider: &dyn Provider,
    path: &std::path::Path,
    to: &FolderAddr,
    name: &str,
    size: u64,
) -> Step<Option<Entry>> {
    if !ctx.engine.shared.config.dedupe || !provider.capabilities().upload_by_hash || size == 0 {
        return Ok(None);
    }
    let md5 = crate::checksum::md5_file_async(path).await?;
    Ok(provider
        .upload_by_hash(&to.folder_id(), name, &md5, size)
        .await?)
}

/// The body, paced by the global bandwidth limit.
pub fn throttled(body: UploadBody, ctx: &JobCtx<'_>) -> UploadBody {
    let shared = ctx.engine.shared.clone();
    let stream = body.stream.then(move |chunk| {
        let shared = shared.clone();
        async move {
            if let Ok(c) = &chunk {
                shared.throttle.take(c.len()).await;
            }
            chunk
        }
    });
    UploadBody {
        len: body.len,
        stream: Box::pin(stream),
    }
}
