//! The provider interface every host (and the local filesystem) implements, and the shared types.

pub mod error;
pub mod health;
pub mod json;
pub mod keep2share;
pub mod landing;
pub mod local;
pub mod ranged;
pub mod retrying;
pub mod types;
mod upload_body;
pub mod xfilesharing;
pub mod yetishare;

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

pub use crate::http::redact_url;
pub use error::{ErrorKind, ProviderError, Result};
pub use health::{AVAILABILITY_KEY, Access, Availability};
pub use types::*;
pub use upload_body::{CHUNK_SIZE, Reopen, StreamMap, UploadBody};

/// A stream of body chunks.
pub type ByteStream<E> =
    Pin<Box<dyn Stream<Item = std::result::Result<Bytes, E>> + Send + 'static>>;

/// An open download: the body from `offset` on.
pub struct DownloadStream {
    /// Where the body starts in the file: the requested offset, or 0 when the host ignored the
    /// range request and sends the whole file again.
    pub offset: u64,
    /// The whole file's size, when the host says.
    pub total: Option<u64>,
    pub body: ByteStream<ProviderError>,
}

/// What a finished download wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadOutcome {
    /// Offset the written bytes started at (0 if the host restarted from the beginning).
    pub offset: u64,
    /// Bytes written in this call.
    pub written: u64,
    pub total: Option<u64>,
}

/// Where a listing's pages go as they arrive: `(entries, restart)`.
pub type PageSink<'a> = dyn Fn(Vec<Entry>, bool) + Send + Sync + 'a;

/// The pages of a listing gathered into one list (for [`Provider::list`] of a host whose
/// listing hands on pages).
#[derive(Default)]
pub struct Gathered(std::sync::Mutex<Vec<Entry>>);

impl Gathered {
    /// Take in a page (a restart drops what came before).
    pub fn page(&self, entries: Vec<Entry>, restart: bool) {
        let mut got = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if restart {
            got.clear();
        }
        got.extend(entries);
    }

    /// Every entry: the pages, then `rest`.
    pub fn with(self, rest: Vec<Entry>) -> Vec<Entry> {
        let mut all = self
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.extend(rest);
        all
    }
}

/// One interface for every host and for the local disk.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Short provider family name ("yetishare", "local", ...).
    fn family(&self) -> &'static str;

    fn capabilities(&self) -> Capabilities;

    /// Log in (or check the credentials). Other calls authenticate lazily as needed.
    async fn authenticate(&self) -> Result<()>;

    /// Folders and files directly inside `folder`. A provider implements this or
    /// [`Provider::list_pages`] (each one's default is made of the other): hosts that page
    /// implement `list_pages`, and this gathers their pages.
    async fn list(&self, folder: &FolderId) -> Result<Vec<Entry>> {
        let got = Gathered::default();
        let rest = self
            .list_pages(folder, &|entries, restart| got.page(entries, restart))
            .await?;
        Ok(got.with(rest))
    }

    /// [`Provider::list`], handing the entries to `page` as the host's pages arrive (hosts
    /// that page fetch them concurrently); returns the entries no page brought. `page` is told
    /// `restart` (with no entries) when the listing starts over after a failure.
    async fn list_pages(&self, folder: &FolderId, page: &PageSink<'_>) -> Result<Vec<Entry>> {
        let _ = page;
        self.list(folder).await
    }

    /// Details of one entry.
    async fn stat(&self, entry: &EntryRef) -> Result<Entry>;

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry>;

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()>;

    /// Move into another folder on the same account.
    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()>;

    /// Server-side copy into `dest`; returns the new entry.
    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry>;

    async fn delete(&self, entry: &EntryRef) -> Result<()>;

    /// Upload `body` as `name` into `parent`, reporting bytes sent to `progress`.
    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry>;

    /// Finish placing a file the host already holds as `landed` (an upload or a copy whose
    /// later step failed: see [`ProviderError::landed`]): into `parent`, as `name`, checked to
    /// hold `size` bytes when given. Never sends the bytes again; safe to repeat. Errors while
    /// the file is still there carry it as `landed` again; a file the host no longer has is
    /// `NotFound` without it.
    async fn finish_landed(
        &self,
        landed: &Entry,
        parent: &FolderId,
        name: &str,
        size: Option<u64>,
    ) -> Result<Entry> {
        let keep = |e: ProviderError| match e.kind {
            ErrorKind::NotFound => e,
            _ => e.landed_as(landed.clone()),
        };
        let mut now = self.stat(&landed.as_ref()).await.map_err(keep)?;
        if let Some(size) = size
            && let Some(held) = now.size.filter(|held| *held != size)
        {
            return Err(keep(ProviderError::fatal(format!(
                "the host holds {held} of the {size} bytes sent as #{}",
                landed.id
            ))));
        }
        if now.parent != *parent {
            self.move_entry(&landed.as_ref(), parent)
                .await
                .map_err(keep)?;
            now.parent = parent.clone();
        }
        if now.name != name {
            self.rename(&landed.as_ref(), name).await.map_err(keep)?;
            now.name = name.to_owned();
        }
        Ok(now)
    }

    /// The file an upload of `name` (`size` bytes) left that the account did not hold when it
    /// started (`before`, as the provider told through [`landing::announce_sending`]): a
    /// `kill -9` may end haul between the host storing the bytes and its reply. `None` when
    /// there is none, more than one, or the host cannot tell.
    async fn find_landed(
        &self,
        _name: &str,
        _size: u64,
        _before: &std::collections::HashSet<String>,
    ) -> Result<Option<Entry>> {
        Ok(None)
    }

    /// Open a file for reading from byte `offset`.
    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream>;

    /// The public (share) link of an entry.
    async fn public_link(&self, entry: &EntryRef) -> Result<String>;

    async fn account_info(&self) -> Result<AccountInfo>;

    /// A URL that serves the file's bytes to anyone holding it for a while (for another
    /// host's remote-URL upload). `Ok(None)` when the host can't give one without a person.
    /// The URL grants access: never log or store it.
    async fn direct_url(&self, _file: &EntryRef) -> Result<Option<String>> {
        Ok(None)
    }

    /// Place a file the host already has (same md5 and size) without sending its bytes.
    /// `Ok(None)` when the host does not have it (or cannot do this): upload normally then.
    async fn upload_by_hash(
        &self,
        _parent: &FolderId,
        _name: &str,
        _md5: &str,
        _size: u64,
    ) -> Result<Option<Entry>> {
        Ok(None)
    }

    /// Give a person's answer to the challenge of a [`ErrorKind::CaptchaRequired`] error.
    ///
    /// On success the operation that raised it can be retried; the returned duration is how
    /// long the host wants us to wait first (Keep2Share's free-download countdown). A wrong
    /// answer comes back as a new `CaptchaRequired` error carrying a fresh challenge.
    async fn answer_challenge(
        &self,
        _challenge: &Challenge,
        _answer: &str,
    ) -> Result<Option<std::time::Duration>> {
        Err(ProviderError::unsupported(format!(
            "{} never asks for a captcha",
            self.family()
        )))
    }

    /// Ask the host to fetch `url` itself into `parent`; returns the host's job id.
    async fn remote_upload(&self, _url: &str, _parent: &FolderId) -> Result<String> {
        Err(ProviderError::unsupported(format!(
            "{} has no remote-URL upload",
            self.family()
        )))
    }

    async fn remote_upload_status(&self, _job: &str) -> Result<RemoteJobState> {
        Err(ProviderError::unsupported(format!(
            "{} has no remote-URL upload",
            self.family()
        )))
    }

    /// Whether each file still lives on the host, and if not why: one answer per file, in the
    /// order asked. Hosts whose API can asks in batches; this default asks about each file
    /// (a file the host can't find is [`Availability::Deleted`]).
    async fn check(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            out.push(match self.stat(file).await {
                Ok(entry) => entry.availability().unwrap_or(Availability::Alive),
                Err(e) if e.kind == ErrorKind::NotFound => Availability::Deleted,
                Err(e) => return Err(e),
            });
        }
        Ok(out)
    }

    /// The access levels [`Provider::set_access`] can give entries of `kind` here (none: the
    /// host's API can't change who may download them).
    fn access_levels(&self, _kind: EntryKind) -> &'static [Access] {
        &[]
    }

    /// Set who may download each entry: one outcome per entry, in the order given (the whole
    /// call fails when the host could not be asked at all).
    async fn set_access(&self, _entries: &[EntryRef], _access: Access) -> Result<Vec<Result<()>>> {
        Err(ProviderError::unsupported(format!(
            "{}'s API can't change access",
            self.family()
        )))
    }

    /// The public links of listed entries, one outcome per entry in order: the listing's own
    /// link where it has one, else [`Provider::public_link`].
    async fn public_links(&self, entries: &[Entry]) -> Result<Vec<Result<String>>> {
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            out.push(self.public_link(&entry.as_ref()).await);
        }
        Ok(out)
    }

    /// Stream a file from `offset` into `sink`, reporting bytes written to `progress`.
    async fn download(
        &self,
        file: &EntryRef,
        offset: u64,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
        progress: ProgressFn,
    ) -> Result<DownloadOutcome> {
        let mut dl = self.open_download(file, offset).await?;
        let mut written = 0u64;
        while let Some(chunk) = dl.body.next().await {
            let chunk = chunk?;
            sink.write_all(&chunk).await?;
            written += chunk.len() as u64;
            progress(chunk.len() as u64);
        }
        sink.flush().await?;
        if let Some(total) = dl.total.filter(|t| dl.offset + written != *t) {
            return Err(ProviderError::transient(format!(
                "download ended early: got {} of {total} bytes",
                dl.offset + written
            )));
        }
        Ok(DownloadOutcome {
            offset: dl.offset,
            written,
            total: dl.total,
        })
    }
}
