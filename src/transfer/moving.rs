//! Moving (and renaming) on one account, server-side, or on the local disk: the destination's
//! conflicts settled like every other job's.

use super::destination::{Destination, Incoming, Plan};
use super::spec::{FolderAddr, ItemAddr};
use super::worker::{JobCtx, Step};
use crate::provider::{Entry, EntryRef, FolderId};

pub async fn within_account(
    ctx: &JobCtx<'_>,
    item: &ItemAddr,
    to: &FolderAddr,
    name: &str,
) -> Step<Option<String>> {
    let p = &ctx.provider(&item.account).await?;
    let dest = Destination {
        provider: p.as_ref(),
        to,
    };
    let incoming = Incoming {
        name,
        landing_name: None,
        size: item.size,
        md5: item.md5.as_deref(),
        local_path: None,
        moving_id: Some(&item.id),
    };
    let (name, replace) = match dest.plan(ctx, &incoming).await? {
        Plan::Skip(note) => return Ok(Some(note)),
        Plan::Write { name, replace } => (name, replace),
    };
    let name = name.as_str();
    let moved = ctx
        .with_retries(&item.account, &item.name, |_| async move {
            let current = p.stat(&item.entry_ref()).await?;
            let mut entry_ref = item.entry_ref();
            if current.parent != to.folder_id() {
                p.move_entry(&entry_ref, &to.folder_id()).await?;
                if item.is_local() {
                    // Local ids are paths: after a move the entry lives under the new folder.
                    entry_ref = EntryRef {
                        id: local_child(to, &current.name),
                        kind: item.kind,
                    };
                }
            }
            if current.name != name {
                p.rename(&entry_ref, name).await?;
                if item.is_local() {
                    entry_ref.id = local_child(to, name);
                }
            }
            Ok(Entry {
                id: entry_ref.id,
                name: name.to_string(),
                parent: to.folder_id(),
                ..current
            })
        })
        .await?;
    dest.finish(ctx, &moved, &replace).await?;
    Ok(None)
}

/// The local path of `name` in the local folder `to`.
fn local_child(to: &FolderAddr, name: &str) -> String {
    let folder = match to.folder_id() {
        FolderId::Id(path) => path,
        FolderId::Root => "/".to_string(),
    };
    std::path::Path::new(&folder)
        .join(name)
        .display()
        .to_string()
}
