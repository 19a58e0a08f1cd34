//! The entries several `ACCOUNT:PATH` arguments name, for the commands that act on many at
//! once (`link`, `check`, `access`): folders refused, kept, or opened for their files (`-r`).

use std::sync::Arc;

use super::target::{Anchor, RemoteTarget, Resolved, resolve};
use super::{CliError, CliResult, Context, output};
use crate::provider::{Entry, EntryKind, EntryRef, FolderId, Provider};
use crate::sanitize::for_terminal;

/// A file or folder named on the command line, or found inside one with `-r`.
#[derive(Debug, Clone)]
pub struct Picked {
    pub account: String,
    /// How it is shown: `ys:/Documents/report.pdf`.
    pub shown: String,
    pub reference: EntryRef,
    /// The entry as its host describes it (`None` for a bare `#ID` taken as it is).
    pub entry: Option<Entry>,
}

impl Picked {
    /// The entry's name, or how it was addressed.
    pub fn name(&self) -> &str {
        self.entry.as_ref().map_or(&self.shown, |e| e.name.as_str())
    }
}

/// What a command does with a folder it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folders {
    /// An error: the command is about files (`-r` opens folders).
    Refuse,
    /// The folder itself.
    Keep,
    /// Every file in it, all the way down.
    Expand,
}

/// The accounts of `picked` in the order they first appear, each with its entries' indexes.
pub fn by_account(picked: &[Picked]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in picked.iter().enumerate() {
        match groups.iter_mut().find(|(a, _)| *a == p.account) {
            Some((_, indexes)) => indexes.push(i),
            None => groups.push((p.account.clone(), vec![i])),
        }
    }
    groups
}

/// Every entry the arguments name. A bare `ACCOUNT:#ID` is taken as it is, without asking the
/// host, when `bare_ids` (a file the host lost can't be looked up, and `check` is asked exactly
/// about such files).
pub async fn pick(
    ctx: &Context,
    targets: &[String],
    folders: Folders,
    bare_ids: bool,
) -> CliResult<Vec<Picked>> {
    let mut picked = Vec::new();
    for text in targets {
        let target = RemoteTarget::parse(text)?;
        let provider = ctx.provider(&target.account).await?;
        if bare_ids
            && target.components.is_empty()
            && let Anchor::Id { id, kind } = &target.anchor
            && *kind != Some(EntryKind::Folder)
        {
            picked.push(Picked {
                account: target.account.clone(),
                shown: target.to_string(),
                reference: EntryRef::file(id.clone()),
                entry: None,
            });
            continue;
        }
        let shown = target.to_string();
        let (folder, entry) = match resolve(provider.as_ref(), &target).await? {
            Resolved::Root => (FolderId::Root, None),
            Resolved::Entry(e) if e.is_folder() => (e.folder_id(), Some(e)),
            Resolved::Entry(e) => {
                picked.push(Picked {
                    account: target.account.clone(),
                    shown,
                    reference: e.as_ref(),
                    entry: Some(e),
                });
                continue;
            }
        };
        match (folders, entry) {
            (Folders::Keep, Some(e)) => picked.push(Picked {
                account: target.account.clone(),
                shown,
                reference: e.as_ref(),
                entry: Some(e),
            }),
            (Folders::Keep, None) => {
                return Err(CliError::new(format!(
                    "{shown}: the root has no settings of its own; name the files or folders in it"
                )));
            }
            (Folders::Refuse, _) => {
                return Err(CliError::new(format!(
                    "{shown} is a folder: add -r for the files in it"
                )));
            }
            (Folders::Expand, _) => {
                let base = shown.trim_end_matches('/').to_string();
                files_below(&provider, &target.account, &base, folder, &mut picked).await?;
            }
        }
    }
    Ok(picked)
}

/// Every file below `folder` (shown as `base`): each folder's files by name, then its
/// subfolders by name.
async fn files_below(
    provider: &Arc<dyn Provider>,
    account: &str,
    base: &str,
    folder: FolderId,
    out: &mut Vec<Picked>,
) -> CliResult {
    let mut pending = vec![(base.to_string(), folder)];
    while let Some((shown, folder)) = pending.pop() {
        let mut entries = provider
            .list(&folder)
            .await
            .map_err(|e| e.context(&shown))?;
        entries.sort_by(|a, b| (a.kind, &a.name, &a.id).cmp(&(b.kind, &b.name, &b.id)));
        let mut subfolders = Vec::new();
        for e in entries {
            let path = format!("{shown}/{}", e.name);
            if e.is_folder() {
                subfolders.push((path, e.folder_id()));
            } else {
                out.push(Picked {
                    account: account.to_string(),
                    shown: path,
                    reference: e.as_ref(),
                    entry: Some(e),
                });
            }
        }
        // Popped from the end: the first subfolder is walked first.
        pending.extend(subfolders.into_iter().rev());
    }
    Ok(())
}

/// What failed of a command over many entries: with one entry, its failure is the command's
/// one-line error; with more, a line per failure on stderr, then the count.
#[derive(Debug, Default)]
pub struct Failures {
    lines: Vec<String>,
}

impl Failures {
    pub fn note(&mut self, shown: &str, why: &str) {
        self.lines
            .push(format!("{}: {}", for_terminal(shown), for_terminal(why)));
    }

    /// `Ok` when nothing failed; else the error, `summary` saying how many of `total`.
    pub fn finish(self, total: usize, summary: impl FnOnce(usize) -> String) -> CliResult {
        match self.lines.as_slice() {
            [] => Ok(()),
            [one] if total == 1 => Err(CliError::new(one.clone())),
            lines => {
                for line in lines {
                    output::stderr_line(format_args!("haul: {line}"));
                }
                Err(CliError::new(summary(lines.len())))
            }
        }
    }
}
