//! Reading a local folder for a recursive upload or copy, as rsync and rclone do: symbolic
//! links are skipped (and said) unless the job follows them; when it does, a folder reached
//! again through a link in its own chain (same device and inode as a folder above it) is a
//! loop and is not entered. Anything that is neither a file nor a folder (a socket, a FIFO, a
//! device) is skipped too: reading it could block for ever.

use std::path::{Path, PathBuf};

use crate::provider::{Entry, EntryKind, FolderId};

/// A child left out, and why (one line for a person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
}

/// The children of `dir` to copy, sorted (folders first), and what was left out.
pub fn children(dir: &Path, follow_links: bool) -> std::io::Result<(Vec<Entry>, Vec<Skipped>)> {
    let chain = if follow_links {
        chain_of(dir)
    } else {
        Vec::new()
    };
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for de in std::fs::read_dir(dir)? {
        let de = de?;
        let path = de.path();
        let skip = |why: String| Skipped {
            path: path.clone(),
            why,
        };
        let own = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                skipped.push(skip(format!("not readable: {e}")));
                continue;
            }
        };
        let meta = if own.file_type().is_symlink() {
            let target = std::fs::read_link(&path)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            if !follow_links {
                skipped.push(skip(format!("a symbolic link (to {target}), not followed")));
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(_) => {
                    skipped.push(skip(format!("a broken symbolic link (to {target})")));
                    continue;
                }
            }
        } else {
            own
        };
        if meta.is_dir() && follow_links && chain.contains(&identity(&meta)) {
            skipped.push(skip(
                "a symbolic link loop: it leads back to a folder above it".into(),
            ));
            continue;
        }
        if !meta.is_dir() && !meta.is_file() {
            skipped.push(skip("not a regular file or folder".into()));
            continue;
        }
        entries.push(entry(&path, &meta));
    }
    entries.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Ok((entries, skipped))
}

/// The (device, inode) of `dir` and of every folder above it, as the path reaches them (a
/// link in the path counts as the folder it leads to).
fn chain_of(dir: &Path) -> Vec<(u64, u64)> {
    dir.ancestors()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| identity(&m))
        .collect()
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    // No inode numbers: no loop detection, so links are never followed into folders twice
    // deeper than this (the caller still skips links unless asked).
    (0, 0)
}

fn entry(path: &Path, meta: &std::fs::Metadata) -> Entry {
    let kind = if meta.is_dir() {
        EntryKind::Folder
    } else {
        EntryKind::File
    };
    Entry {
        id: path.display().to_string(),
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        kind,
        size: (kind == EntryKind::File).then_some(meta.len()),
        modified: None,
        parent: path
            .parent()
            .map(|p| FolderId::Id(p.display().to_string()))
            .unwrap_or(FolderId::Root),
        md5: None,
        extra: Default::default(),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn links_are_skipped_unless_followed_and_loops_are_never_entered() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), b"s").unwrap();
        let top = dir.path().join("top");
        std::fs::create_dir_all(top.join("sub")).unwrap();
        std::fs::write(top.join("a.txt"), b"a").unwrap();
        symlink(&top, top.join("sub/back")).unwrap();
        symlink(outside.path(), top.join("out")).unwrap();
        symlink(top.join("a.txt"), top.join("a-link.txt")).unwrap();
        symlink(top.join("missing"), top.join("broken")).unwrap();

        let (entries, skipped) = children(&top, false).unwrap();
        assert_eq!(names(&entries), ["sub", "a.txt"]);
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped.iter().all(|s| s.why.contains("not followed")));

        let (entries, skipped) = children(&top, true).unwrap();
        assert_eq!(names(&entries), ["out", "sub", "a-link.txt", "a.txt"]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].why.contains("broken"));
        // Inside sub, `back` leads to top, a folder above it.
        let (entries, skipped) = children(&top.join("sub"), true).unwrap();
        assert!(entries.is_empty(), "{entries:?}");
        assert!(skipped[0].why.contains("loop"), "{skipped:?}");
        // Reached through the link, the loop shows at the next level all the same.
        let (_, skipped) = children(&top.join("out"), true).unwrap();
        assert!(skipped.is_empty());
    }
}
