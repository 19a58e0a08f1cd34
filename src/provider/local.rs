//! The local filesystem behind the same interface as a remote host. Ids are absolute paths.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use async_trait::async_trait;
use futures::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::{
    AccountInfo, CHUNK_SIZE, Capabilities, DownloadStream, Entry, EntryKind, EntryRef, FolderId,
    ProgressFn, Provider, ProviderError, Result, UploadBody,
};

/// The local disk. `FolderId::Root` is the filesystem root.
#[derive(Debug, Clone, Default)]
pub struct LocalFs;

fn path_of(folder: &FolderId) -> PathBuf {
    match folder {
        FolderId::Root => PathBuf::from("/"),
        FolderId::Id(p) => PathBuf::from(p),
    }
}

fn io_err(e: std::io::Error, path: &Path) -> ProviderError {
    ProviderError::from(e).context(path.display())
}

fn format_time(t: SystemTime) -> Option<String> {
    let dt: chrono::DateTime<chrono::Local> = t.into();
    Some(dt.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn entry_for(path: &Path, meta: &std::fs::Metadata) -> Entry {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let parent = path
        .parent()
        .map(|p| FolderId::Id(p.display().to_string()))
        .unwrap_or(FolderId::Root);
    let kind = if meta.is_dir() {
        EntryKind::Folder
    } else {
        EntryKind::File
    };
    Entry {
        id: path.display().to_string(),
        name,
        kind,
        size: (kind == EntryKind::File).then_some(meta.len()),
        modified: meta.modified().ok().and_then(format_time),
        parent,
        md5: None,
        extra: Default::default(),
    }
}

/// A name that must stay one component inside its folder.
fn child(parent: &Path, name: &str) -> Result<PathBuf> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(ProviderError::invalid(format!(
            "not a valid file name: {name:?}"
        )));
    }
    Ok(parent.join(name))
}

#[async_trait]
impl Provider for LocalFs {
    fn family(&self) -> &'static str {
        "local"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            server_side_copy: true,
            delete: true,
            rename: true,
            move_files: true,
            move_folders: true,
            remote_url_upload: false,
            upload_by_hash: false,
            resume_download: true,
            duplicate_names: false,
        }
    }

    async fn authenticate(&self) -> Result<()> {
        Ok(())
    }

    async fn list(&self, folder: &FolderId) -> Result<Vec<Entry>> {
        let dir = path_of(folder);
        // One blocking task for the whole folder: a hop per entry is slow on 100,000 of them.
        tokio::task::spawn_blocking(move || list_blocking(&dir))
            .await
            .map_err(|e| ProviderError::fatal(format!("listing a folder: {e}")))?
    }

    async fn stat(&self, entry: &EntryRef) -> Result<Entry> {
        let path = PathBuf::from(&entry.id);
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| io_err(e, &path))?;
        Ok(entry_for(&path, &meta))
    }

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry> {
        let path = child(&path_of(parent), name)?;
        tokio::fs::create_dir(&path)
            .await
            .map_err(|e| io_err(e, &path))?;
        self.stat(&EntryRef::folder(path.display().to_string()))
            .await
    }

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()> {
        let from = PathBuf::from(&entry.id);
        let parent = from.parent().unwrap_or(Path::new("/"));
        let to = child(parent, new_name)?;
        if tokio::fs::try_exists(&to).await.unwrap_or(false) {
            return Err(ProviderError::invalid(format!(
                "{} already exists",
                to.display()
            )));
        }
        tokio::fs::rename(&from, &to)
            .await
            .map_err(|e| io_err(e, &from))
    }

    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()> {
        let from = PathBuf::from(&entry.id);
        let name = from
            .file_name()
            .ok_or_else(|| ProviderError::invalid("cannot move the root"))?;
        let to = path_of(dest).join(name);
        if tokio::fs::try_exists(&to).await.unwrap_or(false) {
            return Err(ProviderError::invalid(format!(
                "{} already exists",
                to.display()
            )));
        }
        tokio::fs::rename(&from, &to)
            .await
            .map_err(|e| io_err(e, &from))
    }

    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry> {
        let from = PathBuf::from(&entry.id);
        if entry.kind == EntryKind::Folder {
            return Err(ProviderError::unsupported(
                "copying a local folder is done file by file",
            ));
        }
        let name = from
            .file_name()
            .ok_or_else(|| ProviderError::invalid("cannot copy the root"))?;
        let to = path_of(dest).join(name);
        tokio::fs::copy(&from, &to)
            .await
            .map_err(|e| io_err(e, &from))?;
        self.stat(&EntryRef::file(to.display().to_string())).await
    }

    async fn delete(&self, entry: &EntryRef) -> Result<()> {
        let path = PathBuf::from(&entry.id);
        let r = if entry.kind == EntryKind::Folder {
            tokio::fs::remove_dir_all(&path).await
        } else {
            tokio::fs::remove_file(&path).await
        };
        r.map_err(|e| io_err(e, &path))
    }

    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry> {
        let dir = path_of(parent);
        let final_path = child(&dir, name)?;
        let tmp = tempfile::Builder::new()
            .prefix(".haul-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| io_err(e, &dir))?;
        let (std_file, tmp_path) = tmp.into_parts();
        let mut file = tokio::fs::File::from_std(std_file);
        let mut stream = body.counting(progress).stream;
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk?).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        tmp_path
            .persist(&final_path)
            .map_err(|e| io_err(e.error, &final_path))?;
        self.stat(&EntryRef::file(final_path.display().to_string()))
            .await
    }

    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream> {
        let path = PathBuf::from(&file.id);
        let mut f = tokio::fs::File::open(&path)
            .await
            .map_err(|e| io_err(e, &path))?;
        let total = f.metadata().await?.len();
        if offset >= total {
            return crate::provider::ranged::past_end(offset, Some(total));
        }
        f.seek(std::io::SeekFrom::Start(offset)).await?;
        let body = tokio_util::io::ReaderStream::with_capacity(f, CHUNK_SIZE)
            .map(|r| r.map_err(ProviderError::from));
        Ok(DownloadStream {
            offset,
            total: Some(total),
            body: Box::pin(body),
        })
    }

    async fn public_link(&self, _entry: &EntryRef) -> Result<String> {
        Err(ProviderError::unsupported(
            "local files have no public link",
        ))
    }

    async fn account_info(&self) -> Result<AccountInfo> {
        Ok(AccountInfo {
            username: std::env::var("USER").ok(),
            ..Default::default()
        })
    }
}

/// The entries of `dir`, folders first, by name.
fn list_blocking(dir: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for de in std::fs::read_dir(dir).map_err(|e| io_err(e, dir))? {
        let de = de.map_err(|e| io_err(e, dir))?;
        let path = de.path();
        // Follow symlinks for the kind; a dangling link still shows, as a file.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(_) => match de.metadata() {
                Ok(m) => m,
                Err(_) => continue,
            },
        };
        out.push(entry_for(&path, &meta));
    }
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    Ok(out)
}
