//! A remote folder downloaded into a local one may hold entries that would land on one local
//! name: two files of one name (YetiShare and XFileSharing allow it), a file and a folder both
//! called `..`, or names that differ only in what a local name cannot hold (`a/b`, `a_b`).
//! None wins at random: every one is downloaded, the first (folders first, then by id, so a
//! re-run picks the same) under the name, the others as `NAME (2).EXT`, `NAME (3).EXT`, ...,
//! with a note naming the ids.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use super::spec::{FolderAddr, ItemAddr};
use super::worker::JobCtx;
use crate::provider::Entry;
use crate::sanitize::{NAME_MAX, local_file_name, shorten_name};

/// The name each child of `from` takes in `dest`: kept apart when `dest` is a local folder
/// (each renaming told in a note), the remote names otherwise.
pub fn names_in(
    ctx: &JobCtx<'_>,
    from: &ItemAddr,
    dest: &FolderAddr,
    children: &[Entry],
) -> Vec<String> {
    if !dest.is_local() {
        return children.iter().map(|c| c.name.clone()).collect();
    }
    let (names, notes) = local_names(children, &from.shown);
    for note in notes {
        ctx.note(note);
    }
    names
}

/// The name each of `children` is saved under (the remote name, or a numbered one for the
/// second and later of a group that shares a local name), and one note per such group.
pub fn local_names(children: &[Entry], shown: &str) -> (Vec<String>, Vec<String>) {
    let keys: Vec<String> = children
        .iter()
        .map(|c| local_file_name(&c.name).0)
        .collect();
    let mut names: Vec<String> = children.iter().map(|c| c.name.clone()).collect();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        groups.entry(key.as_str()).or_default().push(i);
    }
    let mut taken: HashSet<String> = keys.iter().cloned().collect();
    let mut notes = Vec::new();
    for (key, mut group) in groups {
        if group.len() < 2 {
            continue;
        }
        group.sort_by(|&a, &b| first_kept(&children[a], &children[b]));
        let mut renamed = Vec::new();
        for &i in &group[1..] {
            let name = free_name(key, children[i].is_folder(), &mut taken);
            renamed.push(format!("#{} saved as {name:?}", children[i].id));
            names[i] = name;
        }
        let ids: Vec<String> = group
            .iter()
            .map(|&i| format!("#{}", children[i].id))
            .collect();
        notes.push(format!(
            "{shown}: {} entries would be saved as {key:?} ({}); #{} keeps the name, {}",
            group.len(),
            ids.join(", "),
            children[group[0]].id,
            renamed.join(", ")
        ));
    }
    (names, notes)
}

/// Folders before files, then ids in order (numbers by value).
fn first_kept(a: &Entry, b: &Entry) -> Ordering {
    b.is_folder().cmp(&a.is_folder()).then_with(|| {
        match (a.id.parse::<u64>(), b.id.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.id.cmp(&b.id),
        }
    })
}

/// `STEM (N).EXT` for the lowest N from 2 not taken yet (taken from then on).
fn free_name(key: &str, is_folder: bool, taken: &mut HashSet<String>) -> String {
    let (stem, ext) = match key.rfind('.') {
        Some(dot) if dot > 0 && !is_folder => key.split_at(dot),
        _ => (key, ""),
    };
    for n in 2u64.. {
        let name = shorten_name(&format!("{stem} ({n}){ext}"), NAME_MAX);
        if taken.insert(name.clone()) {
            return name;
        }
    }
    unreachable!("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{EntryKind, FolderId};

    fn entry(id: &str, name: &str, kind: EntryKind) -> Entry {
        Entry {
            id: id.into(),
            name: name.into(),
            kind,
            size: Some(1),
            modified: None,
            parent: FolderId::Root,
            md5: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn twins_are_all_kept_apart_the_same_way_every_time() {
        let children = vec![
            entry("12", "twin.txt", EntryKind::File),
            entry("9", "twin.txt", EntryKind::File),
            entry("3", "twin (2).txt", EntryKind::File),
            entry("4", "..", EntryKind::File),
            entry("5", "..", EntryKind::Folder),
            entry("6", "only.txt", EntryKind::File),
        ];
        let (names, notes) = local_names(&children, "ys:/f");
        assert_eq!(
            names,
            [
                "twin (3).txt",
                "twin.txt",
                "twin (2).txt",
                "___ (2)",
                "..",
                "only.txt"
            ]
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("#9, #12") && n.contains("twin (3).txt")),
            "{notes:?}"
        );
        let mut reversed = children.clone();
        reversed.reverse();
        let (again, _) = local_names(&reversed, "ys:/f");
        let again: Vec<_> = again.into_iter().rev().collect();
        assert_eq!(again, names, "listing order does not matter");
    }
}
