//! `haul mv SRC DST` and `haul cp SRC DST` on one account, server-side.
//!
//! DST an existing folder: into it, keeping the name. Otherwise DST's parent must exist and the
//! entry lands there under DST's last name.

use super::target::{RemoteTarget, Resolved, find_child, resolve, try_resolve};
use super::{CliError, CliResult, Context};
use crate::provider::{Entry, EntryKind, EntryRef, FolderId, Provider};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Move,
    Copy,
}

pub async fn run(ctx: &Context, src: &str, dst: &str, op: Op) -> CliResult {
    let src = RemoteTarget::parse(src)?;
    let dst = RemoteTarget::parse(dst)?;
    let verb = if op == Op::Move { "mv" } else { "cp" };
    if src.account != dst.account {
        return Err(CliError::new(format!(
            "{verb} between two accounts ({} -> {}) is not available yet; use get then put",
            src.account, dst.account
        )));
    }
    let provider = ctx.provider(&src.account).await?;
    let p = provider.as_ref();
    let entry = match resolve(p, &src).await? {
        Resolved::Root => return Err(CliError::new(format!("cannot {verb} the root of {src}"))),
        Resolved::Entry(e) => e,
    };
    let (dest_folder, new_name) = match try_resolve(p, &dst).await? {
        Some(Resolved::Root) => (FolderId::Root, entry.name.clone()),
        Some(Resolved::Entry(e)) if e.is_folder() => (e.folder_id(), entry.name.clone()),
        Some(Resolved::Entry(_)) => {
            return Err(CliError::new(format!("{dst} already exists")));
        }
        None => {
            let Some((parent, name)) = dst.split_last() else {
                return Err(CliError::new(format!("{dst}: no such folder")));
            };
            let folder = resolve(p, &parent)
                .await?
                .folder()
                .ok_or_else(|| CliError::new(format!("{parent} is a file, not a folder")))?;
            (folder, name)
        }
    };
    let landing = dst.child(&new_name);
    if find_child(p, &dest_folder, &new_name, &landing)
        .await?
        .is_some()
    {
        return Err(CliError::new(format!("{landing} already exists")));
    }
    if entry.is_folder() && is_inside(p, &dest_folder, &entry.id).await? {
        return Err(CliError::new(format!("cannot {verb} {src} into itself")));
    }
    match op {
        Op::Move => move_entry(p, &entry, &dest_folder, &new_name, &src).await,
        Op::Copy => copy_entry(p, &entry, &dest_folder, &new_name, &src).await,
    }
}

async fn move_entry(
    p: &dyn Provider,
    entry: &Entry,
    dest: &FolderId,
    new_name: &str,
    shown: &RemoteTarget,
) -> CliResult {
    let caps = p.capabilities();
    let can_move = if entry.is_folder() {
        caps.move_folders
    } else {
        caps.move_files
    };
    if entry.parent != *dest {
        if !can_move {
            return Err(CliError::new(format!(
                "this host's API cannot move {}s",
                if entry.is_folder() { "folder" } else { "file" }
            )));
        }
        p.move_entry(&entry.as_ref(), dest)
            .await
            .map_err(|e| e.context(shown))?;
    }
    if entry.name != new_name {
        p.rename(&entry.as_ref(), new_name)
            .await
            .map_err(|e| e.context(shown))?;
    }
    Ok(())
}

async fn copy_entry(
    p: &dyn Provider,
    entry: &Entry,
    dest: &FolderId,
    new_name: &str,
    shown: &RemoteTarget,
) -> CliResult {
    if !p.capabilities().server_side_copy {
        return Err(CliError::new(
            "this host's API cannot copy server-side; use get then put",
        ));
    }
    if entry.kind == EntryKind::File {
        let copy = p
            .copy_entry(&entry.as_ref(), dest)
            .await
            .map_err(|e| e.context(shown))?;
        if copy.name != new_name {
            p.rename(&copy.as_ref(), new_name)
                .await
                .map_err(|e| e.context(shown))?;
        }
        return Ok(());
    }
    // Folders: make the folder, then copy what is inside, file by file.
    let made = p
        .create_folder(dest, new_name)
        .await
        .map_err(|e| e.context(shown))?;
    let children = p
        .list(&entry.folder_id())
        .await
        .map_err(|e| e.context(shown))?;
    for child in children {
        let name = child.name.clone();
        Box::pin(copy_entry(
            p,
            &child,
            &made.folder_id(),
            &name,
            &shown.child(&name),
        ))
        .await?;
    }
    Ok(())
}

/// Whether `folder` is `ancestor_id` or lies somewhere below it.
async fn is_inside(p: &dyn Provider, folder: &FolderId, ancestor_id: &str) -> CliResult<bool> {
    let mut here = folder.clone();
    for _ in 0..256 {
        let FolderId::Id(id) = &here else {
            return Ok(false);
        };
        if id == ancestor_id {
            return Ok(true);
        }
        here = p.stat(&EntryRef::folder(id.clone())).await?.parent;
    }
    Ok(false)
}
