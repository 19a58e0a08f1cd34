//! `haul get [-r] ACCOUNT:PATH... LOCALDIR`
//!
//! Each file lands as `NAME.haul-part` and is renamed only once complete and checked; an
//! interrupted download resumes from the part file when the command runs again.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::captcha;
use super::progress::{Bar, note};
use super::target::{RemoteTarget, Resolved, resolve};
use super::transfer_report::{Report, conflict_name};
use super::{CliError, CliResult, Context, OnConflict};
use crate::provider::{DownloadStream, Entry, ErrorKind, FolderId, Provider};
use crate::sanitize::local_file_name;

/// Suffix of files being downloaded.
pub const PART_SUFFIX: &str = ".haul-part";

/// Captcha rounds and waits before we give up on opening one download.
const MAX_OPEN_ROUNDS: usize = 6;

/// Disk writes of at least this size.
const WRITE_BUFFER: usize = 1024 * 1024;

pub async fn run(
    ctx: &Context,
    paths: &[String],
    recursive: bool,
    policy: OnConflict,
) -> CliResult {
    let Some((dest, sources)) = paths.split_last() else {
        return Err(CliError::usage("get needs ACCOUNT:PATH... LOCALDIR"));
    };
    let targets = sources
        .iter()
        .map(|s| RemoteTarget::parse(s))
        .collect::<CliResult<Vec<_>>>()?;
    let dir = PathBuf::from(dest);
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::new(format!("{dest} exists and is not a folder")));
    }
    let mut report = Report::new("download");
    for target in &targets {
        let provider = ctx.provider(&target.account).await?;
        let mut job = Downloader {
            ctx,
            provider: provider.as_ref(),
            policy,
            report: &mut report,
        };
        let result = match resolve(provider.as_ref(), target).await {
            Ok(Resolved::Entry(e)) if !e.is_folder() => {
                std::fs::create_dir_all(&dir)?;
                job.file(&e, &dir, target).await
            }
            Ok(_) if !recursive => Err(CliError::new(format!("{target} is a folder; use get -r"))),
            Ok(resolved) => {
                let (folder, name) = match resolved {
                    Resolved::Entry(e) => (e.folder_id(), e.name),
                    Resolved::Root => (FolderId::Root, target.account.clone()),
                };
                std::fs::create_dir_all(&dir)?;
                job.folder(&folder, &name, &dir, target).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            report.failed(&target.to_string(), &e);
        }
    }
    report.finish()
}

/// Downloads from one account into local folders.
struct Downloader<'a> {
    ctx: &'a Context,
    provider: &'a dyn Provider,
    policy: OnConflict,
    report: &'a mut Report,
}

impl Downloader<'_> {
    async fn folder(
        &mut self,
        folder: &FolderId,
        name: &str,
        parent_dir: &Path,
        shown: &RemoteTarget,
    ) -> CliResult {
        let dir = parent_dir.join(safe_name(name, shown));
        std::fs::create_dir_all(&dir)?;
        let entries = self
            .provider
            .list(folder)
            .await
            .map_err(|e| e.context(shown))?;
        for entry in entries {
            let child = shown.child(&entry.name);
            let result = if entry.is_folder() {
                Box::pin(self.folder(&entry.folder_id(), &entry.name, &dir, &child)).await
            } else {
                self.file(&entry, &dir, &child).await
            };
            if let Err(e) = result {
                self.report.failed(&child.to_string(), &e);
            }
        }
        Ok(())
    }
}

/// A local name for a remote one, telling the person when it had to change.
fn safe_name(name: &str, shown: &RemoteTarget) -> String {
    let (safe, changed) = local_file_name(name);
    if changed {
        note(format!(
            "{shown}: saved as {safe:?} because the remote name is not a safe local file name"
        ));
    }
    safe
}

/// `DIR/NAME.haul-part` for `DIR/NAME`.
pub fn part_path(final_path: &Path) -> PathBuf {
    let mut s = final_path.as_os_str().to_os_string();
    s.push(PART_SUFFIX);
    PathBuf::from(s)
}

impl Downloader<'_> {
    async fn file(&mut self, entry: &Entry, dir: &Path, shown: &RemoteTarget) -> CliResult {
        let (ctx, provider, policy) = (self.ctx, self.provider, self.policy);
        let name = safe_name(&entry.name, shown);
        let mut final_path = dir.join(&name);
        if final_path.exists() {
            match policy {
                OnConflict::Fail => {
                    return Err(CliError::new(format!(
                        "{} already exists (use --on-conflict skip, overwrite or rename)",
                        final_path.display()
                    )));
                }
                OnConflict::Skip => {
                    note(format!("skipped {shown}: {} exists", final_path.display()));
                    self.report.skipped();
                    return Ok(());
                }
                OnConflict::Overwrite => {}
                OnConflict::Rename => {
                    final_path = dir.join(conflict_name(&name, |n| dir.join(n).exists()));
                }
            }
        }
        let part = part_path(&final_path);
        let mut offset = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        if entry.size.is_some_and(|size| offset > size) {
            offset = 0;
        }
        let bar = Bar::new(entry.size, &name);
        let result = fetch_into(ctx, provider, entry, &part, offset, &bar).await;
        bar.finish();
        let written = result.map_err(|e| e.context(shown))?;
        verify(entry, &part).await?;
        tokio::fs::rename(&part, &final_path).await?;
        self.report.done(written);
        Ok(())
    }
}

/// Stream the file into `part` from `offset`; returns the bytes written now.
async fn fetch_into(
    ctx: &Context,
    provider: &dyn Provider,
    entry: &Entry,
    part: &Path,
    offset: u64,
    bar: &Bar,
) -> CliResult<u64> {
    let mut dl = open_with_help(ctx, provider, entry, offset).await?;
    if offset > 0 && dl.offset != offset {
        note(format!(
            "{}: the server ignored the resume request; downloading from the start",
            entry.name
        ));
    }
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(part)
        .await
        .map_err(|e| CliError::new(format!("{}: {e}", part.display())))?;
    file.set_len(dl.offset).await?;
    file.seek(std::io::SeekFrom::Start(dl.offset)).await?;
    bar.set_position(dl.offset);
    let progress = bar.callback();
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut written = 0u64;
    while let Some(chunk) = dl.body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                out.flush().await?;
                return Err(e.into());
            }
        };
        out.write_all(&chunk).await?;
        written += chunk.len() as u64;
        progress(chunk.len() as u64);
    }
    out.flush().await?;
    out.get_ref().sync_data().await?;
    Ok(written)
}

/// Open the download, answering captchas and sitting out the host's short waits.
async fn open_with_help(
    ctx: &Context,
    provider: &dyn Provider,
    entry: &Entry,
    offset: u64,
) -> CliResult<DownloadStream> {
    for _ in 0..MAX_OPEN_ROUNDS {
        match provider.open_download(&entry.as_ref(), offset).await {
            Ok(dl) => return Ok(dl),
            Err(e) if e.kind == ErrorKind::CaptchaRequired => {
                if let Some(wait) = captcha::solve(ctx, provider, e, &entry.name).await? {
                    captcha::countdown(wait, "the host's wait before a free download").await;
                }
            }
            Err(e) if e.kind == ErrorKind::RateLimited => match e.retry_after {
                Some(wait) if wait <= captcha::MAX_AUTO_WAIT => {
                    captcha::countdown(wait, &e.message).await;
                }
                _ => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        }
    }
    Err(CliError::new(format!(
        "{}: the host kept refusing the download; try again later",
        entry.name
    )))
}

/// The part file must have the size (and md5, where known) the host reported.
async fn verify(entry: &Entry, part: &Path) -> CliResult {
    let len = tokio::fs::metadata(part).await?.len();
    if let Some(size) = entry.size.filter(|size| len != *size) {
        if len > size {
            let _ = tokio::fs::remove_file(part).await;
        }
        return Err(CliError::new(format!(
            "{}: got {len} bytes, expected {size}; run the same command again to resume",
            entry.name
        )));
    }
    if let Some(expected) = &entry.md5 {
        let actual = crate::checksum::md5_file_async(part).await?;
        if !actual.eq_ignore_ascii_case(expected) {
            let _ = tokio::fs::remove_file(part).await;
            return Err(CliError::new(format!(
                "{}: md5 mismatch (got {actual}, host says {expected}); the download was discarded",
                entry.name
            )));
        }
    }
    Ok(())
}
