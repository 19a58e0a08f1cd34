//! `remoteUploadAdd` and `remoteUploadStatus`: the emulator really fetches each URL, in a
//! background task that streams it to disk. Jobs go new (1) -> accepted (5) -> processing (2)
//! -> completed (3), or error (4).

use std::sync::Arc;

use futures::StreamExt;
use serde_json::{Map, Value, json};

use super::Site;
use super::accounts::Account;
use super::auth::account;
use super::db::{Db, Job, JobStatus};
use super::reply::{self, Failure, Outcome};
use super::request::Params;
use super::upload::{quota, store};
use crate::emulator::blob::BlobWriter;

/// Jobs a previous run left unfinished cannot resume.
pub(super) fn fail_interrupted(db: &mut Db) {
    for job in db.jobs.values_mut() {
        if !matches!(job.status, JobStatus::Completed | JobStatus::Error) {
            job.status = JobStatus::Error;
        }
    }
}

pub(super) fn add(site: &Arc<Site>, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let urls = params.required_list("urls")?;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for url in urls {
        let parsed = reqwest::Url::parse(url.trim())
            .ok()
            .filter(|parsed| matches!(parsed.scheme(), "http" | "https"));
        let Some(parsed) = parsed else {
            rejected.push(json!({ "url": url, "message": "Invalid url" }));
            continue;
        };
        let id = site.change(|db| {
            let id = db.allocate_job_id();
            db.jobs.insert(
                id,
                Job {
                    id,
                    account_id: account.id,
                    url: url.clone(),
                    status: JobStatus::New,
                    progress: 0,
                    file_id: None,
                },
            );
            Ok::<_, Failure>(id)
        })?;
        let job_site = site.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = job_site.stop.cancelled() => {}
                () = run_job(&job_site, account, id, parsed) => {}
            }
        });
        accepted.push(json!({ "url": url, "id": id.to_string() }));
    }
    reply::ok(json!({ "acceptedUrls": accepted, "rejectedUrls": rejected }))
}

/// `uploads` keyed by job id; ids that aren't the caller's jobs are left out.
pub(super) fn status(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let ids = params.required_list("ids")?;
    let uploads: Map<String, Value> = site.read(|db| {
        ids.iter()
            .filter_map(|id| db.jobs.get(&id.trim().parse::<u64>().ok()?))
            .filter(|job| job.account_id == account.id)
            .map(|job| {
                let state = json!({
                    "status": job.status.code(),
                    "progress": job.progress,
                    "file_id": job.file_id,
                });
                (job.id.to_string(), state)
            })
            .collect()
    });
    reply::ok(json!({ "uploads": uploads }))
}

fn update(site: &Site, id: u64, status: JobStatus, progress: u8, file_id: Option<String>) {
    let _ = site.change(|db| {
        if let Some(job) = db.jobs.get_mut(&id) {
            job.status = status;
            job.progress = progress;
            job.file_id = file_id;
        }
        Ok::<(), ()>(())
    });
}

async fn run_job(site: &Site, account: &Account, id: u64, url: reqwest::Url) {
    update(site, id, JobStatus::Accepted, 0, None);
    match fetch(site, account, id, url).await {
        Ok(file_id) => update(site, id, JobStatus::Completed, 100, Some(file_id)),
        Err(reason) => {
            tracing::info!(job = id, %reason, "remote upload failed");
            update(site, id, JobStatus::Error, 0, None);
        }
    }
}

/// Downloads the URL into a new file at the account's root; returns the file's id.
async fn fetch(
    site: &Site,
    account: &Account,
    id: u64,
    url: reqwest::Url,
) -> Result<String, String> {
    let response = site
        .fetcher
        .get(url.clone())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        // Without the URL, which may carry a token.
        .map_err(|error| error.without_url().to_string())?;
    let room = quota(site, account).saturating_sub(site.read(|db| db.used_bytes(account.id)));
    let total = response.content_length();
    if total.is_some_and(|total| total > room) {
        return Err("disk quota exceeded".to_string());
    }
    update(site, id, JobStatus::Processing, 0, None);
    let writer = BlobWriter::create(&site.temp_dir)
        .await
        .map_err(|error| error.to_string())?;
    let mut body = response.bytes_stream();
    let mut size = 0u64;
    let mut shown = 0u8;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|error| error.without_url().to_string())?;
        size += chunk.len() as u64;
        if size > room {
            return Err("disk quota exceeded".to_string());
        }
        if !writer.write(chunk).await {
            break;
        }
        // Progress below 100 until the file is stored; only changes are saved.
        if let Some(total) = total.filter(|&total| total > 0) {
            let percent = u8::try_from((size.saturating_mul(99) / total).min(99)).unwrap_or(99);
            if percent != shown {
                shown = percent;
                update(site, id, JobStatus::Processing, percent, None);
            }
        }
    }
    let blob = writer.finish().await.map_err(|error| error.to_string())?;
    store(site, account, None, &file_name_of(&url), blob)
        .await
        .map_err(|refusal| format!("{refusal:?}"))
}

/// The URL's last path segment, percent-decoded; "download" if there is none.
fn file_name_of(url: &reqwest::Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    let name = String::from_utf8_lossy(&percent_decode(segment.as_bytes()))
        .trim()
        .to_string();
    if name.is_empty() {
        "download".to_string()
    } else {
        name
    }
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = (byte == b'%')
            .then(|| tail.get(..2))
            .flatten()
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                rest = &tail[2..];
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_path() {
        let name = |url: &str| file_name_of(&reqwest::Url::parse(url).unwrap());
        assert_eq!(name("http://h/dir/My%20File.bin?x=1"), "My File.bin");
        assert_eq!(name("http://h/"), "download");
        assert_eq!(name("http://h/100%"), "100%");
        assert_eq!(name("http://h/a%2"), "a%2");
    }
}
