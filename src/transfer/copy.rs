//! One file from anywhere to anywhere: picks download, upload, server-side copy, the
//! destination host fetching a direct link, or a streamed relay.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::spec::{FolderAddr, ItemAddr};
use super::upload::throttled;
use super::worker::{JobCtx, Step, Stop};
use super::{download, upload};
use crate::provider::{EntryRef, Provider, ProviderError, RemoteJobState, UploadBody};

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
    if from.account == to.account && src.capabilities().server_side_copy {
        let copy = src.copy_entry(&from.entry_ref(), &to.folder_id()).await?;
        if copy.name != name {
            src.rename(&copy.as_ref(), name).await?;
        }
        ctx.counter.set_done(from.size.unwrap_or(0));
        return Ok(Some("copied on the server".into()));
    }
    if dst.capabilities().remote_url_upload
        && let Some(url) = src.direct_url(&from.entry_ref()).await?
    {
        return fetched_by_host(ctx, dst.as_ref(), &url, to, name).await;
    }
    relay(ctx, src.as_ref(), dst.as_ref(), from, to, name).await
}

/// Download piped into upload: no temporary file, memory bounded by the chunk size.
async fn relay(
    ctx: &JobCtx<'_>,
    src: &dyn Provider,
    dst: &dyn Provider,
    from: &ItemAddr,
    to: &FolderAddr,
    name: &str,
) -> Step<Option<String>> {
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
    let body = throttled(
        UploadBody {
            len: size,
            stream: Box::pin(stream),
        },
        ctx,
    );
    let counter = ctx.counter.clone();
    let progress = Arc::new(move |n| counter.add(n));
    let folder = to.folder_id();
    tokio::select! {
        _ = ctx.running.cancel.cancelled() => Err(Stop::Stopped),
        r = dst.upload(&folder, name, body, progress) => {
            r.map(|_| Some("relayed".to_string())).map_err(Stop::from)
        }
    }
}

/// The destination host fetches a direct link of the source itself; we follow its job.
async fn fetched_by_host(
    ctx: &JobCtx<'_>,
    dst: &dyn Provider,
    url: &str,
    to: &FolderAddr,
    name: &str,
) -> Step<Option<String>> {
    let job = dst.remote_upload(url, &to.folder_id()).await?;
    let mut delay = Duration::from_millis(200);
    let file_id = loop {
        tokio::select! {
            _ = ctx.running.cancel.cancelled() => return Err(Stop::Stopped),
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
        match dst.remote_upload_status(&job).await? {
            RemoteJobState::Done { file_id } => break file_id,
            RemoteJobState::Failed(why) => {
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
    // The host names the file after the URL: give it the intended name.
    let created = match file_id {
        Some(id) => Some(dst.stat(&EntryRef::file(id)).await?),
        None => None,
    };
    if let Some(entry) = created.filter(|e| e.name != name) {
        dst.rename(&entry.as_ref(), name).await?;
    }
    if let Some(total) = ctx.counter.total() {
        ctx.counter.set_done(total);
    }
    Ok(Some("fetched by the destination host".into()))
}
