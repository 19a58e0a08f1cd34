//! From the local disk to a host: conflict policy, instant upload by hash, a throttled stream,
//! and retries that never leave a second copy behind: bytes the host kept are finished, never
//! sent again, and a source that changes while it is read fails the job instead of landing as
//! a mix of old and new bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use futures::StreamExt;

use super::destination::{Destination, Incoming, Landed, Plan};
use super::spec::{FolderAddr, ItemAddr};
use super::worker::{JobCtx, Step, Stop};
use crate::provider::{Entry, Provider, ProviderError, UploadBody};

/// A local file's size and modification time: the same before and after reading it, or it
/// changed meanwhile.
type Seen = (u64, Option<SystemTime>);

async fn seen(path: &Path, shown: &str) -> Step<Seen> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| ProviderError::from(e).context(shown))?;
    Ok((meta.len(), meta.modified().ok()))
}

fn changed(shown: &str) -> ProviderError {
    ProviderError::fatal(format!("{shown} changed while being uploaded; run again"))
}

pub async fn from_local(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
    attempt: u32,
) -> Step<Option<String>> {
    let path = PathBuf::from(&from.id);
    let now = seen(&path, &from.shown).await?;
    let first = ctx.destination_memory(|m| *m.source_seen.get_or_insert(now));
    let size = now.0;
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
    let result = upload(
        ctx,
        provider.as_ref(),
        &dest,
        &incoming,
        &path,
        from,
        attempt,
        first,
    )
    .await;
    match result {
        Err(stop) => Err(dest.abandon(ctx, stop, attempt).await),
        ok => ok,
    }
}

#[allow(clippy::too_many_arguments)]
async fn upload(
    ctx: &JobCtx<'_>,
    provider: &dyn Provider,
    dest: &Destination<'_>,
    incoming: &Incoming<'_>,
    path: &Path,
    from: &ItemAddr,
    attempt: u32,
    first: Seen,
) -> Step<Option<String>> {
    let (to, size) = (dest.to, first.0);
    if seen(path, &from.shown).await? != first {
        // Changed between attempts: what an earlier attempt sent is not this file.
        return Err(Stop::Error(changed(&from.shown)));
    }
    // Bytes an earlier attempt got onto the host: finish them, never send them again.
    if let Plan::Write { name, replace } = dest.plan(ctx, incoming).await?
        && let Some(entry) = dest.finish_sent(ctx, &name, Some(size)).await?
    {
        ctx.counter.set_done(size);
        dest.finish(ctx, &entry, &replace).await?;
        return Ok(Some(format!(
            "the host had kept the interrupted attempt's bytes (#{})",
            entry.id
        )));
    }
    // A retry after a failure the host may still have completed: never upload twice.
    if let Some(Landed::Done(done) | Landed::NeedsRename(done)) =
        dest.landed(ctx, incoming, attempt).await?
    {
        ctx.counter.set_done(size);
        ctx.note(format!(
            "{}: the interrupted attempt had completed on the host (#{})",
            to.child_shown(incoming.name),
            done.id
        ));
        if let Plan::Write { replace, .. } = dest.plan(ctx, incoming).await? {
            dest.finish(ctx, &done, &replace).await?;
        }
        return Ok(None);
    }
    let (name, replace) = match dest.plan(ctx, incoming).await? {
        Plan::Skip(note) => {
            ctx.counter.set_done(size);
            return Ok(Some(note));
        }
        Plan::Write { name, replace } => (name, replace),
    };
    let mut note = None;
    let sent = match instant(ctx, provider, path, to, &name, size).await {
        Ok(Some(entry)) => {
            ctx.counter.set_done(size);
            note = Some("instant: the host already had these bytes".to_string());
            ctx.note(format!("{}: instant upload", to.child_shown(&name)));
            Ok(entry)
        }
        Ok(None) => {
            let body = guarded(UploadBody::from_file(path).await?, path, first, &from.shown);
            let body = throttled(body, ctx);
            let counter = ctx.counter.clone();
            let progress = Arc::new(move |n| counter.add(n));
            let folder = to.folder_id();
            tokio::select! {
                _ = ctx.running.cancel.cancelled() => return Err(Stop::Stopped),
                r = crate::provider::landing::watching(
                    ctx.landed_hook(),
                    provider.upload(&folder, &name, body, progress),
                ) => r,
            }
        }
        Err(e) => Err(e),
    };
    // Whatever the host said: a source that changed meanwhile was not sent as it is.
    let unchanged = seen(path, &from.shown).await? == first;
    let entry = match sent {
        Ok(entry) if unchanged => entry,
        Ok(entry) => {
            ctx.set_sent(Some(entry));
            return Err(Stop::Error(changed(&from.shown)));
        }
        Err(e) if !unchanged => {
            let mut e = e;
            e.message = changed(&from.shown).message;
            e.kind = crate::provider::ErrorKind::Fatal;
            return Err(dest.kept(ctx, e));
        }
        Err(e) => return Err(dest.kept(ctx, e)),
    };
    dest.finish(ctx, &entry, &replace).await?;
    Ok(note)
}

/// Upload by hash, where the host can and the engine is allowed to.
async fn instant(
    ctx: &JobCtx<'_>,
    provider: &dyn Provider,
    path: &Path,
    to: &FolderAddr,
    name: &str,
    size: u64,
) -> Result<Option<Entry>, ProviderError> {
    if !ctx.engine.shared.config.dedupe || !provider.capabilities().upload_by_hash || size == 0 {
        return Ok(None);
    }
    let md5 = crate::checksum::md5_file_async(path).await?;
    provider
        .upload_by_hash(&to.folder_id(), name, &md5, size)
        .await
}

/// The file's bytes, failing the stream (so the host never gets a whole body) if the file
/// grows past the size it had, or ends with another size or modification time.
fn guarded(body: UploadBody, path: &Path, first: Seen, shown: &str) -> UploadBody {
    let path = path.to_path_buf();
    let shown = shown.to_string();
    body.map_stream(Arc::new(move |stream| {
        guard(stream, path.clone(), first, shown.clone())
    }))
}

/// `stream` of the file at `path`, failing as [`guarded`] says.
fn guard(
    stream: crate::provider::ByteStream<std::io::Error>,
    path: PathBuf,
    first: Seen,
    shown: String,
) -> crate::provider::ByteStream<std::io::Error> {
    struct Reading {
        inner: crate::provider::ByteStream<std::io::Error>,
        read: u64,
        path: PathBuf,
        first: Seen,
        shown: String,
        over: bool,
    }
    let state = Reading {
        inner: stream,
        read: 0,
        path,
        first,
        shown,
        over: false,
    };
    let stream = futures::stream::unfold(state, |mut s| async move {
        if s.over {
            return None;
        }
        let changed = |s: &Reading| std::io::Error::other(changed(&s.shown).message);
        match s.inner.next().await {
            Some(Ok(chunk)) => {
                s.read += chunk.len() as u64;
                if s.read > s.first.0 {
                    s.over = true;
                    let e = changed(&s);
                    return Some((Err(e), s));
                }
                Some((Ok(chunk), s))
            }
            Some(Err(e)) => {
                s.over = true;
                Some((Err(e), s))
            }
            None => {
                s.over = true;
                let now = tokio::fs::metadata(&s.path)
                    .await
                    .map(|m| (m.len(), m.modified().ok()));
                if s.read == s.first.0 && now.is_ok_and(|now| now == s.first) {
                    return None;
                }
                let e = changed(&s);
                Some((Err(e), s))
            }
        }
    });
    Box::pin(stream)
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
