//! The retry layer every provider call goes through, whoever makes it (CLI, TUI, engine).
//!
//! - Reads (listings, info, links, direct URLs, account info, remote-upload status, opening a
//!   download, signing in) are tried again after transient failures (connect errors, resets,
//!   timeouts, 5xx, 429, the hosts' own "try again" replies), with backoff and full jitter,
//!   honouring the host's waits, within the policy's count and time budget.
//! - Writes (create folder, rename, move, delete) are never sent twice blindly: after a
//!   failure whose outcome is unknown, the layer first looks whether the first attempt took
//!   effect, and only then sends again. Uploads, copies, placing by hash and remote-upload
//!   requests are sent again only when the host surely did not act (no connection, a 429);
//!   otherwise their error goes back to the transfer engine, which listed the destination
//!   before and checks it (`transfer::destination`).
//! - Refused credentials, lockouts and bans stop the account: every later call fails at once
//!   with the same reason, until signing in again succeeds. Quota, not-found and unsupported
//!   fail at once.
//! - A host's short wait (a 429, "try again in N seconds") pauses every task of that host.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use super::{
    Access, AccountInfo, Availability, Capabilities, Challenge, DownloadStream, Entry, EntryKind,
    EntryRef, ErrorKind, FolderId, PageSink, ProgressFn, Provider, ProviderError, RemoteJobState,
    Result, UploadBody,
};
use crate::http::retry::{Attempts, RetryNotice, wait_out};
use crate::http::{Pacer, RetryPolicy};

/// Host waits up to this long pause every task of the host; longer ones are about this
/// account (a plan's limit) and only hold the call that got them.
const HOST_WIDE_WAIT: Duration = Duration::from_secs(60);

/// A provider whose every call goes through the retry layer.
pub struct Retrying {
    inner: Arc<dyn Provider>,
    policy: RetryPolicy,
    pacer: Arc<Pacer>,
    /// Why the account stopped (refused credentials, a lockout): every call fails with it until
    /// signing in again succeeds.
    stopped: Mutex<Option<ProviderError>>,
}

impl std::fmt::Debug for Retrying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Retrying({} at {})",
            self.inner.family(),
            self.pacer.host()
        )
    }
}

/// What a failed attempt means for the next one.
enum Next {
    /// Sit out the notice's wait, then try again (or give up with the error if told to stop).
    Retry(RetryNotice, ProviderError),
    Fail(ProviderError),
}

impl Next {
    /// Sit out a retry's wait: `Ok` to try again, or the error to give up with.
    async fn sit_out(self) -> Result<()> {
        match self {
            Next::Retry(notice, error) => {
                if wait_out(&notice).await {
                    Ok(())
                } else {
                    Err(error)
                }
            }
            Next::Fail(error) => Err(error),
        }
    }
}

impl Retrying {
    /// `inner` behind the retry layer; `host` names it in notices and, with its family, picks
    /// its pacer.
    pub fn new(inner: Arc<dyn Provider>, host: &str, policy: RetryPolicy) -> Retrying {
        Retrying {
            policy,
            pacer: Pacer::for_host(inner.family(), host),
            stopped: Mutex::new(None),
            inner,
        }
    }

    /// The host's pacer (its request rate is set by whoever opens the provider).
    pub fn pacer(&self) -> &Arc<Pacer> {
        &self.pacer
    }

    fn check_stopped(&self) -> Result<()> {
        match &*self.stopped.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// After a failed attempt at `what`: wait and retry, or give up (stopping the account when
    /// the host refused it).
    fn judge(&self, mut error: ProviderError, attempts: &mut Attempts, what: &str) -> Next {
        if error.kind == ErrorKind::Auth {
            *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
        }
        if !error.is_retryable() || error.retried > 0 {
            return Next::Fail(error);
        }
        if error.kind == ErrorKind::RateLimited
            && let Some(wait) = error.retry_after.filter(|w| *w <= HOST_WIDE_WAIT)
        {
            self.pacer.pause(wait);
        }
        match attempts.next_wait(error.retry_after) {
            Ok(wait) => Next::Retry(
                RetryNotice {
                    host: self.pacer.host().to_string(),
                    what: what.to_string(),
                    reason: error.message.clone(),
                    wait,
                    attempt: attempts.retried(),
                    of: self.policy.retries,
                },
                error,
            ),
            Err(give_up) => {
                error.retried = attempts.retried().max(1);
                if attempts.retried() > 0 {
                    error.message = format!("{} ({give_up})", error.message);
                }
                Next::Fail(error)
            }
        }
    }

    /// A call that can be repeated as it is.
    async fn read<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.check_stopped()?;
        let mut attempts = self.policy.attempts();
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) => self.judge(e, &mut attempts, what).sit_out().await?,
            }
        }
    }

    /// A call that changes something: after a failure whose outcome is unknown, `took_effect`
    /// looks whether it did (its answer stands for the call's), before sending it again.
    async fn write<T, F, Fut, C, CFut>(
        &self,
        what: &str,
        mut call: F,
        mut took_effect: C,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
        C: FnMut() -> CFut,
        CFut: Future<Output = Result<Option<T>>>,
    {
        self.check_stopped()?;
        let mut attempts = self.policy.attempts();
        loop {
            let error = match call().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let surely_not_done = error.landed.is_none()
                && (error.never_sent || error.kind == ErrorKind::RateLimited);
            self.judge(error, &mut attempts, what).sit_out().await?;
            if !surely_not_done {
                let checking = format!("checking whether {what} took effect");
                if let Some(done) = self.read(&checking, &mut took_effect).await? {
                    tracing::info!("{what}: the interrupted attempt had taken effect");
                    return Ok(done);
                }
            }
        }
    }

    /// A call whose effect only its caller can check (uploads and the like): sent again only
    /// when the host surely did not act on it.
    async fn send_once<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.check_stopped()?;
        let mut attempts = self.policy.attempts();
        loop {
            let error = match call().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let surely_not_done = error.landed.is_none()
                && (error.never_sent || error.kind == ErrorKind::RateLimited);
            if !surely_not_done {
                // Unknown outcome: the caller checks before it sends again.
                if error.kind == ErrorKind::Auth {
                    *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(error.clone());
                }
                return Err(error);
            }
            self.judge(error, &mut attempts, what).sit_out().await?;
        }
    }

    /// The entries named `name` in `folder`.
    async fn named(&self, folder: &FolderId, name: &str) -> Result<Vec<Entry>> {
        let entries = self.inner.list(folder).await?;
        Ok(entries.into_iter().filter(|e| e.name == name).collect())
    }
}

#[async_trait]
impl Provider for Retrying {
    fn family(&self) -> &'static str {
        self.inner.family()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn authenticate(&self) -> Result<()> {
        // A person asked to sign in: try again even after a refusal.
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.read("signing in", || self.inner.authenticate()).await
    }

    async fn list(&self, folder: &FolderId) -> Result<Vec<Entry>> {
        self.read(&format!("listing folder {folder}"), || {
            self.inner.list(folder)
        })
        .await
    }

    async fn list_pages(&self, folder: &FolderId, page: &PageSink<'_>) -> Result<Vec<Entry>> {
        let tries = std::sync::atomic::AtomicU32::new(0);
        self.read(&format!("listing folder {folder}"), || {
            if tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) > 0 {
                page(Vec::new(), true);
            }
            self.inner.list_pages(folder, page)
        })
        .await
    }

    async fn stat(&self, entry: &EntryRef) -> Result<Entry> {
        self.read(&format!("reading #{}", entry.id), || self.inner.stat(entry))
            .await
    }

    async fn create_folder(&self, parent: &FolderId, name: &str) -> Result<Entry> {
        self.write(
            &format!("creating folder {name:?}"),
            || self.inner.create_folder(parent, name),
            || async move {
                let found = self.named(parent, name).await?;
                Ok(found.into_iter().find(Entry::is_folder))
            },
        )
        .await
    }

    async fn rename(&self, entry: &EntryRef, new_name: &str) -> Result<()> {
        self.write(
            &format!("renaming #{} to {new_name:?}", entry.id),
            || self.inner.rename(entry, new_name),
            || async move {
                let now = self.inner.stat(entry).await?;
                Ok((now.name == new_name).then_some(()))
            },
        )
        .await
    }

    async fn move_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<()> {
        self.write(
            &format!("moving #{} into folder {dest}", entry.id),
            || self.inner.move_entry(entry, dest),
            || async move {
                let now = self.inner.stat(entry).await?;
                Ok((now.parent == *dest).then_some(()))
            },
        )
        .await
    }

    async fn copy_entry(&self, entry: &EntryRef, dest: &FolderId) -> Result<Entry> {
        // Hosts allow two entries of one name: only the caller, who listed the destination
        // before, can tell a copy an interrupted attempt made (the engine does).
        let copied = self
            .send_once(&format!("copying #{}", entry.id), || {
                self.inner.copy_entry(entry, dest)
            })
            .await;
        match copied {
            // The copy exists but a later step failed: finish it, never copy again. It keeps
            // the name the host gave it; the caller renames it.
            Err(e) if e.is_retryable() => match e.landed.as_deref() {
                Some(landed) => {
                    let name = landed.name.clone();
                    self.finish_landed(landed, dest, &name, None).await
                }
                None => Err(e),
            },
            other => other,
        }
    }

    async fn delete(&self, entry: &EntryRef) -> Result<()> {
        self.write(
            &format!("deleting #{}", entry.id),
            || self.inner.delete(entry),
            || async move {
                match self.inner.stat(entry).await {
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(Some(())),
                    Err(e) => Err(e),
                    Ok(_) => Ok(None),
                }
            },
        )
        .await
    }

    async fn upload(
        &self,
        parent: &FolderId,
        name: &str,
        body: UploadBody,
        progress: ProgressFn,
    ) -> Result<Entry> {
        // A body that can be read again is sent again when the host surely did not take it
        // (no connection, 429, or the provider looked and found nothing). Bytes the host kept are finished here (checked, moved into
        // place), never sent again. Any other failure goes back to the engine, which checks the
        // destination for what landed before it starts again from the source.
        self.check_stopped()?;
        let len = body.len;
        let mut attempts = self.policy.attempts();
        let what = format!("uploading {name:?}");
        let progress = MonotonicProgress::new(progress);
        let mut body = body;
        loop {
            let reopen = body.reopener();
            let error = match self
                .inner
                .upload(parent, name, body, progress.attempt())
                .await
            {
                Ok(entry) => return Ok(entry),
                Err(e) => e,
            };
            if error.kind == ErrorKind::Auth {
                *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
                return Err(error);
            }
            if error.is_retryable()
                && let Some(landed) = error.landed.as_deref()
            {
                return self.finish_landed(landed, parent, name, Some(len)).await;
            }
            let Some(reopen) = reopen.filter(|_| error.never_sent && error.landed.is_none()) else {
                return Err(error);
            };
            self.judge(error, &mut attempts, &what).sit_out().await?;
            body = reopen().await.map_err(ProviderError::from)?;
        }
    }

    /// Finishing is the same however often it is done: repeated as a read.
    async fn finish_landed(
        &self,
        landed: &Entry,
        parent: &FolderId,
        name: &str,
        size: Option<u64>,
    ) -> Result<Entry> {
        self.read(&format!("finishing #{}", landed.id), || {
            self.inner.finish_landed(landed, parent, name, size)
        })
        .await
    }

    async fn find_landed(
        &self,
        name: &str,
        size: u64,
        before: &std::collections::HashSet<String>,
    ) -> Result<Option<Entry>> {
        self.read(
            &format!("looking for an upload of {name} that landed"),
            || self.inner.find_landed(name, size, before),
        )
        .await
    }

    async fn open_download(&self, file: &EntryRef, offset: u64) -> Result<DownloadStream> {
        self.check_stopped()?;
        let mut attempts = self.policy.attempts();
        let what = format!("opening #{} for download", file.id);
        loop {
            match self.inner.open_download(file, offset).await {
                Ok(stream) => return Ok(stream),
                // A refused file is not a refused account.
                Err(e) if e.kind == ErrorKind::Auth => return Err(e),
                Err(e) => self.judge(e, &mut attempts, &what).sit_out().await?,
            }
        }
    }

    async fn public_link(&self, entry: &EntryRef) -> Result<String> {
        self.read(&format!("getting the link of #{}", entry.id), || {
            self.inner.public_link(entry)
        })
        .await
    }

    async fn account_info(&self) -> Result<AccountInfo> {
        self.read("reading the account", || self.inner.account_info())
            .await
    }

    async fn direct_url(&self, file: &EntryRef) -> Result<Option<String>> {
        self.read(&format!("getting a direct link of #{}", file.id), || {
            self.inner.direct_url(file)
        })
        .await
    }

    async fn upload_by_hash(
        &self,
        parent: &FolderId,
        name: &str,
        md5: &str,
        size: u64,
    ) -> Result<Option<Entry>> {
        let placed = self
            .send_once(&format!("placing {name:?} by its hash"), || {
                self.inner.upload_by_hash(parent, name, md5, size)
            })
            .await;
        match placed {
            Err(e) if e.is_retryable() => match e.landed.as_deref() {
                Some(landed) => self
                    .finish_landed(landed, parent, name, Some(size))
                    .await
                    .map(Some),
                None => Err(e),
            },
            other => other,
        }
    }

    async fn answer_challenge(
        &self,
        challenge: &Challenge,
        answer: &str,
    ) -> Result<Option<Duration>> {
        // An answer is good once: never sent twice.
        let result = self.inner.answer_challenge(challenge, answer).await;
        if result.is_ok() {
            *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        result
    }

    async fn remote_upload(&self, url: &str, parent: &FolderId) -> Result<String> {
        self.send_once("asking the host to fetch a URL", || {
            self.inner.remote_upload(url, parent)
        })
        .await
    }

    async fn remote_upload_status(&self, job: &str) -> Result<RemoteJobState> {
        self.read(&format!("reading remote upload {job}"), || {
            self.inner.remote_upload_status(job)
        })
        .await
    }

    async fn check(&self, files: &[EntryRef]) -> Result<Vec<Availability>> {
        self.read(&format!("checking {} files", files.len()), || {
            self.inner.check(files)
        })
        .await
    }

    fn access_levels(&self, kind: EntryKind) -> &'static [Access] {
        self.inner.access_levels(kind)
    }

    /// Setting access to a level is the same however often it is sent: repeated as a read.
    async fn set_access(&self, entries: &[EntryRef], access: Access) -> Result<Vec<Result<()>>> {
        self.read(
            &format!("making {} entries {access}", entries.len()),
            || self.inner.set_access(entries, access),
        )
        .await
    }

    /// Every link the host could not give for a passing reason is asked for again, alone.
    async fn public_links(&self, entries: &[Entry]) -> Result<Vec<Result<String>>> {
        let mut links = self
            .read(&format!("getting {} links", entries.len()), || {
                self.inner.public_links(entries)
            })
            .await?;
        for (link, entry) in links.iter_mut().zip(entries) {
            if link.as_ref().is_err_and(ProviderError::is_retryable) {
                *link = self.public_link(&entry.as_ref()).await;
            }
        }
        Ok(links)
    }
}

/// Upload progress over several attempts of one body: bytes count once, however often they
/// are sent, so a bar never runs past the file's size.
struct MonotonicProgress {
    outer: ProgressFn,
    reported: Arc<std::sync::atomic::AtomicU64>,
}

impl MonotonicProgress {
    fn new(outer: ProgressFn) -> Self {
        MonotonicProgress {
            outer,
            reported: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    /// The progress function for one attempt: it reports only bytes past the furthest any
    /// attempt got.
    fn attempt(&self) -> ProgressFn {
        use std::sync::atomic::Ordering;
        let outer = self.outer.clone();
        let reported = self.reported.clone();
        let sent = std::sync::atomic::AtomicU64::new(0);
        Arc::new(move |n| {
            let now = sent.fetch_add(n, Ordering::Relaxed) + n;
            let before = reported.fetch_max(now, Ordering::Relaxed);
            if now > before {
                outer(now - before);
            }
        })
    }
}
