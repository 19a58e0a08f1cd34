//! From the local disk to a host: conflict policy, instant upload by hash, a throttled stream,
//! and retries that never leave a second copy behind.

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;

use super::destination::{Destination, Incoming, Landed, Plan};
use super::spec::{FolderAddr, ItemAddr};
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
    let dest = Destination {
        provider: provider.as_ref(),
        to,
    };
    let incoming = Incoming {
        name,
        landing_name: None,
        size: Some(size),
        md5: None,
        local_path: Some(&path),
        moving_id: None,
    };
    // A retry after a failure the host may still have completed: never upload twice.
    if let Some(Landed::Done(done) | Landed::NeedsRename(done)) =
        dest.landed(ctx, &incoming, attempt).await?
    {
        ctx.counter.set_done(size);
        ctx.note(format!(
            "{}: the interrupted attempt had completed on the host (#{})",
            to.child_shown(name),
            done.id
        ));
        if let Plan::Write { replace, .. } = dest.plan(ctx, &incoming).await? {
            dest.finish(ctx, &done, &replace).await?;
        }
        return Ok(None);
    }
    let (name, replace) = match dest.plan(ctx, &incoming).await? {
        Plan::Skip(note) => {
            ctx.counter.set_done(size);
            return Ok(Some(note));
        }
        Plan::Write { name, replace } => (name, replace),
    };
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
            let folder = to.folder_id();
            tokio::select! {
                _ = ctx.running.cancel.cancelled() => return Err(Stop::Stopped),
                r = provider.upload(&folder, &name, body, progress) => r?,
            }
        }
    };
    dest.finish(ctx, &entry, &replace).await?;
    Ok(note)
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

/// The body, paced by the global bandwidth limit (its replays too).
pub fn throttled(body: UploadBody, ctx: &JobCtx<'_>) -> UploadBody {
    let shared = ctx.engine.shared.clone();
    body.map_stream(Arc::new(move |stream| {
        let shared = shared.clone();
        Box::pin(stream.then(move |chunk| {
            let shared = shared.clone();
            async move {
                if let Ok(c) = &chunk {
                    shared.throttle.take(c.len()).await;
                }
                chunk
            }
        }))
    }))
}
