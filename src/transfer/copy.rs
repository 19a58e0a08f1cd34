//! One file from anywhere to anywhere: picks download, upload, server-side copy, the
//! destination host fetching a direct link, or a streamed relay.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::destination::{Destination, Incoming, Landed, Plan};
use super::landing::Mark;
use super::spec::{FolderAddr, ItemAddr};
use super::upload::throttled;
use super::worker::{JobCtx, Step, Stop};
use super::{download, upload};
use crate::provider::{
    Entry, EntryRef, ErrorKind, Provider, ProviderError, RemoteJobState, UploadBody,
};

pub async fn file(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
    attempt: u32,
) -> Step<Option<String>> {
    if to.is_local() {
        return download::to_local(ctx, from, to, name).await;
    }
    if from.is_local() {
        return upload::from_local(ctx, from, to, name, attempt).await;
    }
    let src = ctx.provider(&from.account).await?;
    let dst = ctx.provider(&to.account).await?;
    let dest = Destination {
        provider: dst.as_ref(),
        to,
    };
    match between_hosts(ctx, src.as_ref(), &dest, from, name, attempt).await {
        Err(stop) => Err(dest.abandon(ctx, stop, attempt).await),
        ok => ok,
    }
}

/// A copy from one host (or account) to another, or within one.
async fn between_hosts(
    ctx: &JobCtx<'_>,
    src: &dyn Provider,
    dest: &Destination<'_>,
    from: &ItemAddr,
    name: &str,
    attempt: u32,
) -> Step<Option<String>> {
    let (dst, to) = (dest.provider, dest.to);
    let incoming = Incoming {
        name,
        // A server-side copy or a host's fetch lands under the source's name first.
        landing_name: Some(&from.name),
        size: from.size,
        md5: from.md5.as_deref(),
        local_path: None,
        moving_id: None,
    };
    let (name, replace) = match dest.plan(ctx, &incoming).await? {
        Plan::Skip(note) => return Ok(Some(note)),
        Plan::Write { name, replace } => (name, replace),
    };
    // What an earlier attempt made and could not finish: finish it, never copy again.
    if let Some(entry) = dest.finish_sent(ctx, &name, from.size).await? {
        ctx.counter.set_done(from.size.unwrap_or(0));
        dest.finish(ctx, &entry, &replace).await?;
        return Ok(Some(format!(
            "the interrupted attempt had copied it (#{})",
            entry.id
        )));
    }
    if let Some(landed) = dest.landed(ctx, &incoming, attempt).await? {
        // An interrupted attempt got the bytes there: finish it instead of copying again.
        let entry = match landed {
            Landed::Done(entry) => entry,
            Landed::NeedsRename(entry) => renamed(dst, entry, &name)
                .await
                .map_err(|e| dest.kept(ctx, e))?,
        };
        ctx.counter.set_done(from.size.unwrap_or(0));
        dest.finish(ctx, &entry, &replace).await?;
        return Ok(Some(format!(
            "the interrupted attempt had copied it (#{})",
            entry.id
        )));
    }
    let (entry, note) = if from.account == to.account && src.capabilities().server_side_copy {
        let copy = src
            .copy_entry(&from.entry_ref(), &to.folder_id())
            .await
            .map_err(|e| dest.kept(ctx, e))?;
        let copy = renamed(src, copy, &name)
            .await
            .map_err(|e| dest.kept(ctx, e))?;
        ctx.counter.set_done(from.size.unwrap_or(0));
        (Some(copy), "copied on the server")
    } else if dst.capabilities().remote_url_upload
        // Only where a fetch that comes out wrong can be removed again: a host whose API
        // cannot delete gets the bytes relayed (a short or cut source body then never lands).
        && dst.capabilities().delete
        && let Some(job) = fetch_job(ctx, src, dst, from, to).await?
    {
        let entry = fetched_by_host(ctx, dst, &job, from, to, &name)
            .await
            .map_err(|e| match e {
                Stop::Error(e) => dest.kept(ctx, e),
                stopped => stopped,
            })?;
        match entry {
            Some(fetched) if !same_content(from, &fetched) => {
                // The host fetched something else (a cut or padded body): never kept as the
                // copy. Removed where the host can, and the bytes relayed instead.
                discard(ctx, dst, &fetched, from).await?;
                let entry = relay(ctx, src, dst, from, to, &name)
                    .await
                    .map_err(|e| match e {
                        Stop::Error(e) => dest.kept(ctx, e),
                        stopped => stopped,
                    })?;
                (
                    Some(entry),
                    "relayed (the destination host's own fetch came out wrong)",
                )
            }
            entry => (entry, "fetched by the destination host"),
        }
    } else {
        let entry = relay(ctx, src, dst, from, to, &name)
            .await
            .map_err(|e| match e {
                Stop::Error(e) => dest.kept(ctx, e),
                stopped => stopped,
            })?;
        (Some(entry), "relayed")
    };
    match entry {
        Some(entry) => dest.finish(ctx, &entry, &replace).await?,
        None => ctx
            .engine
            .shared
            .folders
            .forget_folder(&to.account, &to.folder_id()),
    }
    Ok(Some(note.to_string()))
}

/// Whether `copy` has the source's bytes, as far as the hosts tell: the same size, and the same
/// md5 where both give one.
fn same_content(from: &ItemAddr, copy: &Entry) -> bool {
    let size_ok = match (from.size, copy.size) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let md5_ok = match (&from.md5, &copy.md5) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    size_ok && md5_ok
}

/// A wrong copy goes: deleted where the host can, else named (it must not pass for the copy).
async fn discard(ctx: &JobCtx<'_>, dst: &dyn Provider, wrong: &Entry, from: &ItemAddr) -> Step<()> {
    let what = format!(
        "{}: the destination host fetched {} bytes for a file of {}",
        from.shown,
        wrong
            .size
            .map_or_else(|| "?".to_string(), |s| s.to_string()),
        from.size.map_or_else(|| "?".to_string(), |s| s.to_string()),
    );
    if dst.capabilities().delete {
        dst.delete(&wrong.as_ref()).await?;
        ctx.set_sent(None);
        ctx.note(format!(
            "{what}; removed #{} and relayed the bytes",
            wrong.id
        ));
        return Ok(());
    }
    Err(Stop::Error(ProviderError::fatal(format!(
        "{what}; the wrong copy is #{} (the API cannot delete it: remove it on the site)",
        wrong.id
    ))))
}

/// `entry` under `name` (renamed on the host when it is not already). A failed rename carries
/// the entry as landed: it exists, only its name is wrong.
async fn renamed(
    provider: &dyn Provider,
    mut entry: Entry,
    name: &str,
) -> Result<Entry, ProviderError> {
    if entry.name != name {
        if let Err(e) = provider.rename(&entry.as_ref(), name).await {
            return Err(e.landed_as(entry));
        }
        entry.name = name.to_string();
    }
    Ok(entry)
}

/// Download piped into upload: no temporary file, memory bounded by the chunk size.
async fn relay(
    ctx: &JobCtx<'_>,
    src: &dyn Provider,
    dst: &dyn Provider,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
) -> Step<Entry> {
    let size = match from.size {
        Some(s) => s,
        None => src.stat(&from.entry_ref()).await?.size.ok_or_else(|| {
            ProviderError::fatal(format!("{}: the host gives no size", from.shown))
        })?,
    };
    ctx.counter.set_total(Some(size));
    ctx.counter.set_done(0);
    let dl = src.open_download(&from.entry_ref(), 0).await?;
    let stream = dl
        .body
        .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.message)));
    let body = throttled(UploadBody::new(size, Box::pin(stream)), ctx);
    let counter = ctx.counter.clone();
    let progress = Arc::new(move |n| counter.add(n));
    let folder = to.folder_id();
    tokio::select! {
        _ = ctx.running.cancel.cancelled() => Err(Stop::Stopped),
        r = crate::provider::landing::watching(
            ctx.landed_hook(),
            dst.upload(&folder, name, body, progress),
        ) => r.map_err(Stop::from),
    }
}

/// The destination host's job fetching the source: the one an interrupted attempt asked for
/// (kept in the journal), else a new one, kept in the journal before anything else happens.
/// `None`: the source host gives no direct link without a person (relay instead).
async fn fetch_job(
    ctx: &JobCtx<'_>,
    src: &dyn Provider,
    dst: &dyn Provider,
    from: &ItemAddr,
    to: &FolderAddr,
) -> Step<Option<String>> {
    if let Some(Mark::Fetching { job }) = ctx.mark() {
        ctx.note(format!(
            "{}: following the fetch an interrupted attempt asked the host for (job {job})",
            from.shown
        ));
        return Ok(Some(job));
    }
    let Some(url) = src.direct_url(&from.entry_ref()).await? else {
        return Ok(None);
    };
    let job = dst.remote_upload(&url, &to.folder_id()).await?;
    ctx.set_mark(Some(&Mark::Fetching { job: job.clone() }));
    Ok(Some(job))
}

/// The destination host fetches a direct link of the source itself; we follow its `job`,
/// then put what it fetched in place as `name` (the host names it after the link, and may
/// leave it in the root). What is not the source's content is returned where it landed.
async fn fetched_by_host(
    ctx: &JobCtx<'_>,
    dst: &dyn Provider,
    job: &str,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
) -> Step<Option<Entry>> {
    let mut delay = Duration::from_millis(200);
    let file_id = loop {
        tokio::select! {
            _ = ctx.running.cancel.cancelled() => return Err(Stop::Stopped),
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
        let state = match dst.remote_upload_status(job).await {
            Ok(state) => state,
            Err(e) if e.kind == ErrorKind::NotFound => {
                // The host no longer knows the job: nothing of it to finish; ask again.
                ctx.set_mark(None);
                return Err(Stop::Error(ProviderError::transient(format!(
                    "the destination host no longer knows its fetch job {job} ({e})"
                ))));
            }
            Err(e) => {
                if !e.is_retryable() {
                    // Not to be followed (a host that gives no job code to follow): a later
                    // run starts over rather than failing on this job for ever.
                    ctx.set_mark(None);
                }
                return Err(Stop::Error(e));
            }
        };
        match state {
            RemoteJobState::Done { file_id } => break file_id,
            RemoteJobState::Failed(why) => {
                ctx.set_mark(None);
                return Err(Stop::Error(ProviderError::fatal(format!(
                    "the destination host could not fetch the file: {why}"
                ))));
            }
            RemoteJobState::Running { done, total } => {
                if let Some(d) = done {
                    ctx.counter.set_done(d);
                }
                if total.is_some() {
                    ctx.counter.set_total(total);
                }
            }
            RemoteJobState::Pending => {}
        }
    };
    let created = match file_id {
        Some(id) => {
            let fetched = dst.stat(&EntryRef::file(id)).await?;
            // From here the file is known: an error leaves it to be finished, never fetched
            // again.
            ctx.set_sent(Some(fetched.clone()));
            if !same_content(from, &fetched) {
                return Ok(Some(fetched));
            }
            let placed = dst
                .finish_landed(&fetched, &to.folder_id(), name, from.size)
                .await?;
            ctx.set_sent(None);
            Some(placed)
        }
        None => {
            ctx.set_mark(None);
            None
        }
    };
    if let Some(total) = ctx.counter.total() {
        ctx.counter.set_done(total);
    }
    Ok(created)
}
