//! `haul mv SRC DST` and `haul cp SRC DST`, through the transfer engine.
//!
//! DST an existing folder, or written with a trailing slash (`ys:/dir/`, made if missing): into
//! it, keeping the name. Otherwise DST's parent must exist and the entry lands there under DST's
//! last name. On one account both happen server-side where the
//! host can; between accounts the destination host fetches a direct link, or the bytes are
//! relayed through haul (a move then deletes the source once the copy is done).

use std::sync::Arc;

use super::get::item_addr;
use super::jobs::{self, TransferArgs};
use super::target::{RemoteTarget, Resolved, ensure_folder, resolve, try_resolve, walk_existing};
use super::{CliError, CliResult, Context};
use crate::provider::{EntryRef, FolderId, Provider};
use crate::transfer::{FolderAddr, JobSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Move,
    Copy,
}

pub async fn run(
    ctx: &Arc<Context>,
    src: &str,
    dst: &str,
    op: Op,
    args: &TransferArgs,
) -> CliResult {
    let src = RemoteTarget::parse(src)?;
    let dst = RemoteTarget::parse(dst)?;
    let verb = if op == Op::Move { "mv" } else { "cp" };
    let config = args.engine_config(ctx, true)?;
    let from_provider = ctx.provider(&src.account).await?;
    let to_provider = ctx.provider(&dst.account).await?;
    let (sp, dp) = (from_provider.as_ref(), to_provider.as_ref());
    let entry = match try_resolve(sp, &src).await? {
        Some(Resolved::Root) => {
            return Err(CliError::new(format!("cannot {verb} the root of {src}")));
        }
        Some(Resolved::Entry(e)) => e,
        // Gone: moved by an earlier run of this command (killed, or failed after the move)?
        // Then that job runs again, finding the move done (or finishing it).
        None => match moved_before(op, &src, &dst)? {
            Some(spec) => {
                super::progress::line(format!(
                    "{src} was moved by an earlier run; checking that run's move"
                ));
                return jobs::run(ctx, config, vec![spec]).await;
            }
            None => return Err(CliError::new(format!("{src}: no such file or folder"))),
        },
    };
    let same_account = src.account == dst.account;
    // Refused before anything is created at the destination.
    match (op, same_account) {
        (Op::Move, true) => check_can_move(sp, &entry)?,
        (Op::Move, false) if entry.is_folder() => {
            return Err(CliError::new(format!(
                "moving a folder between accounts is not supported: cp -r it, then rm -r {src}"
            )));
        }
        (Op::Move, false) if !sp.capabilities().delete => {
            return Err(CliError::new(format!(
                "{src}: its host's API cannot delete, so it cannot be moved away; use cp"
            )));
        }
        _ => {}
    }
    let into_itself = || CliError::new(format!("cannot {verb} {src} into itself"));
    let (dest_folder, new_name, dest_shown) = match try_resolve(dp, &dst).await? {
        Some(Resolved::Root) => (FolderId::Root, entry.name.clone(), dst.clone()),
        Some(Resolved::Entry(e)) if e.is_folder() => {
            (e.folder_id(), entry.name.clone(), dst.clone())
        }
        Some(Resolved::Entry(_)) if dst.dir => {
            return Err(CliError::new(format!("{dst} is a file, not a folder")));
        }
        // An existing file: the new one takes its name; `--on-conflict` settles the clash
        // in the engine, as for every job kind.
        Some(Resolved::Entry(_)) => {
            let Some((parent, name)) = dst.split_last() else {
                return Err(CliError::new(format!("{dst}: no such folder")));
            };
            let folder = resolve(dp, &parent)
                .await?
                .folder()
                .ok_or_else(|| CliError::new(format!("{parent} is a file, not a folder")))?;
            (folder, name, parent)
        }
        // `DST/` is a folder: made with any missing parents, as put makes its DIR.
        None if dst.dir => {
            if same_account && entry.is_folder() {
                let (deepest, _) = walk_existing(dp, &dst).await?;
                if let Some(folder) = deepest.folder()
                    && is_inside(sp, &folder, &entry.id).await?
                {
                    return Err(into_itself());
                }
            }
            let folder = ensure_folder(dp, &dst).await?;
            (folder, entry.name.clone(), dst.clone())
        }
        None => {
            let Some((parent, name)) = dst.split_last() else {
                return Err(CliError::new(format!("{dst}: no such folder")));
            };
            let folder = resolve(dp, &parent)
                .await?
                .folder()
                .ok_or_else(|| CliError::new(format!("{parent} is a file, not a folder")))?;
            (folder, name, parent)
        }
    };
    if same_account && entry.is_folder() && is_inside(sp, &dest_folder, &entry.id).await? {
        return Err(into_itself());
    }
    let to = FolderAddr {
        account: dst.account.clone(),
        id: dest_folder.id().map(str::to_string),
        shown: dest_shown.to_string(),
    };
    let item = item_addr(&src, &entry);
    let spec = match (op, same_account) {
        (Op::Move, true) => JobSpec::Move {
            item,
            to,
            name: new_name,
        },
        (Op::Move, false) | (Op::Copy, _) => JobSpec::Copy {
            from: item,
            to,
            name: new_name,
            remove_source: op == Op::Move,
            follow_links: false,
        },
    };
    super::preflight::check(ctx, std::slice::from_ref(&spec), args.force).await?;
    jobs::run(ctx, config, vec![spec]).await
}

/// The journal's move of `src` into `dst` (as this command would have queued it), if a run
/// of it made one.
fn moved_before(op: Op, src: &RemoteTarget, dst: &RemoteTarget) -> CliResult<Option<JobSpec>> {
    if op != Op::Move {
        return Ok(None);
    }
    let (journal, _lock) = jobs::open_journal()?;
    let specs = journal
        .moves_of(&src.to_string())
        .map_err(|e| CliError::new(e.to_string()))?;
    let into = dst.to_string();
    let renamed = dst.split_last().map(|(p, n)| (p.to_string(), n));
    Ok(specs.into_iter().find(|spec| {
        let (to, name) = match spec {
            JobSpec::Move { to, name, .. } | JobSpec::Copy { to, name, .. } => (to, name),
            _ => return false,
        };
        to.account == dst.account
            && (to.shown == into
                || renamed
                    .as_ref()
                    .is_some_and(|(parent, last)| to.shown == *parent && name == last))
    }))
}

fn check_can_move(p: &dyn Provider, entry: &crate::provider::Entry) -> CliResult {
    let caps = p.capabilities();
    let can = if entry.is_folder() {
        caps.move_folders
    } else {
        caps.move_files
    };
    if can {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "this host's API cannot move {}s",
            if entry.is_folder() { "folder" } else { "file" }
        )))
    }
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
