//! `ACCOUNT:PATH` and `ACCOUNT:#ID` addresses, and resolving them to entries by name.

use std::fmt;

use super::{CliError, CliResult};
use crate::provider::{Entry, EntryKind, EntryRef, ErrorKind, FolderId, Provider};
use crate::sanitize::for_terminal;

/// How the entry is named inside the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// From the account's root.
    Root,
    /// From an entry given by id (`#ID`, `#file:ID`, `#folder:ID`).
    Id { id: String, kind: Option<EntryKind> },
}

/// A parsed remote address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTarget {
    pub account: String,
    pub anchor: Anchor,
    /// Name components below the anchor.
    pub components: Vec<String>,
    /// Written with a trailing `/` (or `/.`, `/..`): the address means a folder.
    pub dir: bool,
}

impl RemoteTarget {
    pub fn parse(s: &str) -> CliResult<RemoteTarget> {
        let Some((account, path)) = s.split_once(':') else {
            return Err(CliError::usage(format!(
                "expected ACCOUNT:PATH (like ys:/Documents), got {:?}",
                for_terminal(s)
            )));
        };
        crate::config::check_account_name(account)
            .map_err(|e| CliError::usage(format!("{s:?}: {e}")))?;
        let (anchor, rest) = match path.strip_prefix('#') {
            Some(after) => {
                let (head, rest) = after.split_once('/').unwrap_or((after, ""));
                let (kind, id) = match head.split_once(':') {
                    Some(("file", id)) => (Some(EntryKind::File), id),
                    Some(("folder", id)) => (Some(EntryKind::Folder), id),
                    Some(_) => {
                        return Err(CliError::usage(format!(
                            "{s:?}: use #ID, #file:ID or #folder:ID"
                        )));
                    }
                    None => (None, head),
                };
                if id.is_empty() {
                    return Err(CliError::usage(format!("{s:?}: empty id after #")));
                }
                (
                    Anchor::Id {
                        id: id.to_string(),
                        kind,
                    },
                    rest,
                )
            }
            None => (Anchor::Root, path),
        };
        let dir = matches!(rest.rsplit('/').next(), Some("" | "." | ".."));
        let mut components: Vec<String> = Vec::new();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    components.pop();
                }
                name => components.push(name.to_string()),
            }
        }
        Ok(RemoteTarget {
            account: account.to_string(),
            anchor,
            components,
            dir,
        })
    }

    /// The same address one level up, and the last name (None at the anchor itself).
    pub fn split_last(&self) -> Option<(RemoteTarget, String)> {
        let mut parent = self.clone();
        let last = parent.components.pop()?;
        parent.dir = false;
        Some((parent, last))
    }

    /// The first `n` components of this address.
    fn prefix(&self, n: usize) -> RemoteTarget {
        RemoteTarget {
            components: self.components[..n.min(self.components.len())].to_vec(),
            dir: false,
            ..self.clone()
        }
    }
}

impl fmt::Display for RemoteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.account)?;
        match &self.anchor {
            Anchor::Root => {}
            Anchor::Id { id, kind: None } => write!(f, "#{id}")?,
            Anchor::Id {
                id,
                kind: Some(EntryKind::File),
            } => write!(f, "#file:{id}")?,
            Anchor::Id {
                id,
                kind: Some(EntryKind::Folder),
            } => write!(f, "#folder:{id}")?,
        }
        if self.components.is_empty() && self.anchor == Anchor::Root {
            return f.write_str("/");
        }
        for c in &self.components {
            write!(f, "/{}", for_terminal(c))?;
        }
        Ok(())
    }
}

/// What an address points at.
#[derive(Debug, Clone)]
pub enum Resolved {
    Root,
    Entry(Entry),
}

impl Resolved {
    /// The folder id, if this is a folder (or the root).
    pub fn folder(&self) -> Option<FolderId> {
        match self {
            Resolved::Root => Some(FolderId::Root),
            Resolved::Entry(e) if e.is_folder() => Some(e.folder_id()),
            Resolved::Entry(_) => None,
        }
    }
}

/// The one child of `folder` named `name`; an error naming the ids if there are several.
pub async fn find_child(
    provider: &dyn Provider,
    folder: &FolderId,
    name: &str,
    shown: &dyn fmt::Display,
) -> CliResult<Option<Entry>> {
    let entries = provider.list(folder).await.map_err(|e| e.context(shown))?;
    pick_by_name(entries, name, shown)
}

/// From a listing, the one entry named `name`.
pub fn pick_by_name(
    entries: Vec<Entry>,
    name: &str,
    shown: &dyn fmt::Display,
) -> CliResult<Option<Entry>> {
    let mut matches: Vec<Entry> = entries.into_iter().filter(|e| e.name == name).collect();
    match matches.len() {
        0 => Ok(None),
        1 => Ok(matches.pop()),
        n => {
            let ids: Vec<String> = matches
                .iter()
                .map(|e| {
                    let kind = if e.is_folder() { "folder" } else { "file" };
                    format!("#{kind}:{}", e.id)
                })
                .collect();
            Err(CliError::new(format!(
                "{shown} is ambiguous: {n} entries are named {:?} ({}); address one by id, e.g. ACCOUNT:{}",
                for_terminal(name),
                ids.join(", "),
                ids[0]
            )))
        }
    }
}

async fn resolve_anchor(provider: &dyn Provider, target: &RemoteTarget) -> CliResult<Resolved> {
    let (id, kind) = match &target.anchor {
        Anchor::Root => return Ok(Resolved::Root),
        Anchor::Id { id, kind } => (id, *kind),
    };
    let stat = |kind: EntryKind| async move {
        let r = EntryRef {
            id: id.clone(),
            kind,
        };
        match provider.stat(&r).await {
            Ok(e) => Ok(Some(e)),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CliError::from(
                e.context(format!("{}:#{id}", target.account)),
            )),
        }
    };
    let found = match kind {
        Some(k) => stat(k).await?,
        None => match (stat(EntryKind::File).await?, stat(EntryKind::Folder).await?) {
            (Some(_), Some(_)) => {
                return Err(CliError::new(format!(
                    "{}:#{id} is both a file and a folder id; say #file:{id} or #folder:{id}",
                    target.account
                )));
            }
            (a, b) => a.or(b),
        },
    };
    found
        .map(Resolved::Entry)
        .ok_or_else(|| CliError::new(format!("{}:#{id}: no such file or folder", target.account)))
}

/// Walk the address from its anchor, by name, as far as it exists: the last entry found, and
/// how many components it took to get there.
pub async fn walk_existing(
    provider: &dyn Provider,
    target: &RemoteTarget,
) -> CliResult<(Resolved, usize)> {
    let mut here = resolve_anchor(provider, target).await?;
    for (i, name) in target.components.iter().enumerate() {
        let Some(folder) = here.folder() else {
            return Err(CliError::new(format!(
                "{} is a file, not a folder",
                target.prefix(i)
            )));
        };
        match find_child(provider, &folder, name, &target.prefix(i + 1)).await? {
            Some(e) => here = Resolved::Entry(e),
            None => return Ok((here, i)),
        }
    }
    Ok((here, target.components.len()))
}

/// Walk the address from its anchor, by name. `Ok(None)` if some component does not exist.
pub async fn try_resolve(
    provider: &dyn Provider,
    target: &RemoteTarget,
) -> CliResult<Option<Resolved>> {
    let (here, found) = walk_existing(provider, target).await?;
    Ok((found == target.components.len()).then_some(here))
}

/// Like [`try_resolve`], with "no such file or folder" as the error.
pub async fn resolve(provider: &dyn Provider, target: &RemoteTarget) -> CliResult<Resolved> {
    try_resolve(provider, target)
        .await?
        .ok_or_else(|| CliError::new(format!("{target}: no such file or folder")))
}

/// Resolve a folder address, creating missing folders on the way (`mkdir -p`).
pub async fn ensure_folder(provider: &dyn Provider, target: &RemoteTarget) -> CliResult<FolderId> {
    let (here, found) = walk_existing(provider, target).await?;
    let mut folder = here.folder().ok_or_else(|| {
        CliError::new(format!("{} is a file, not a folder", target.prefix(found)))
    })?;
    for (i, name) in target.components.iter().enumerate().skip(found) {
        folder = provider
            .create_folder(&folder, name)
            .await
            .map_err(|e| e.context(target.prefix(i + 1)))?
            .folder_id();
    }
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_ids() {
        let t = RemoteTarget::parse("ys:/Documents/./a/../report.pdf").unwrap();
        assert_eq!(t.account, "ys");
        assert_eq!(t.components, vec!["Documents", "report.pdf"]);
        assert_eq!(t.to_string(), "ys:/Documents/report.pdf");
        assert!(!t.dir);
        for folder in [
            "ys:/Documents/",
            "ys:/Documents/.",
            "ys:/a/Documents/..",
            "ys:",
        ] {
            assert!(RemoteTarget::parse(folder).unwrap().dir, "{folder}");
        }
        assert_eq!(
            RemoteTarget::parse("ys:/Documents/").unwrap().components,
            vec!["Documents"]
        );
        let t = RemoteTarget::parse("ys:#folder:12/sub").unwrap();
        assert_eq!(
            t.anchor,
            Anchor::Id {
                id: "12".into(),
                kind: Some(EntryKind::Folder)
            }
        );
        assert_eq!(t.components, vec!["sub"]);
        assert_eq!(RemoteTarget::parse("ys:").unwrap().to_string(), "ys:/");
        assert!(RemoteTarget::parse("nocolon").is_err());
        assert!(RemoteTarget::parse("ys:#").is_err());
        assert!(RemoteTarget::parse("bad name:/x").is_err());
    }
}
