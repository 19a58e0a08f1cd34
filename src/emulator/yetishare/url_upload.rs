//! `file/url_upload_add` and `file/url_upload_status`: the emulator really fetches the URL, in a
//! background task that streams it to disk (pending -> downloading -> complete or failed).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use futures::StreamExt;
use serde_json::{Value, json};

use super::Site;
use super::accounts::Account;
use super::db::{Db, JobStatus, UrlUpload};
use super::reply::{self, Outcome};
use super::request::{Params, clean, lookup_id};
use super::upload::{store, target_folder};
use crate::emulator::blob::BlobWriter;

/// Jobs a previous run left unfinished cannot resume.
pub(super) fn fail_interrupted(db: &mut Db, now: &str) {
    for job in db.url_uploads.values_mut() {
        if matches!(job.status, JobStatus::Pending | JobStatus::Downloading) {
            job.status = JobStatus::Failed;
            job.finished = Some(now.to_string());
        }
    }
}

fn decode_url(encoded: &str) -> Option<String> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(encoded).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|url| url.trim().to_string())
        .filter(|url| !url.is_empty())
}

pub(super) async fn add(site: &Arc<Site>, account: &'static Account, params: &Params) -> Outcome {
    let encoded = params
        .provided("file_url_base64")
        .ok_or("Please provide the file_url_base64 param.")?;
    let url = decode_url(encoded)
        .ok_or("Could not parse the file_url_base64 parameter. Ensure it's base64 encoded.")?;
    let folder_id = target_folder(site, account, params.text("folder_id"));
    let (id, is_new) = site.change(|db| {
        // The queue does not take a URL that is already waiting for the same user.
        let waiting = db.url_uploads.values().find(|job| {
            job.account_id == account.id
                && job.url == url
                && matches!(job.status, JobStatus::Pending | JobStatus::Downloading)
        });
        if let Some(job) = waiting {
            return Ok::<_, String>((job.id, false));
        }
        let id = db.allocate_url_upload_id();
        db.url_uploads.insert(
            id,
            UrlUpload {
                id,
                account_id: account.id,
                url: url.clone(),
                folder_id,
                status: JobStatus::Pending,
                created: reply::now(),
                started: None,
                finished: None,
                total_size: 0,
                file_id: None,
            },
        );
        Ok((id, true))
    })?;
    if is_new {
        let job_site = site.clone();
        let job_url = url.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = job_site.stop.cancelled() => {}
                () = run_job(&job_site, account, id, job_url, folder_id) => {}
            }
        });
    }
    Ok(reply::keys(json!({
        "response": "File download from URL scheduled",
        "data": { "scheduled_item_id": id, "url": url },
    })))
}

pub(super) fn status(site: &Site, account: &Account, params: &Params) -> Outcome {
    let id = params
        .provided("scheduled_item_id")
        .ok_or("Please provide the scheduled_item_id param.")?;
    site.read(|db| {
        let job = lookup_id(id)
            .and_then(|id| db.url_uploads.get(&id))
            .filter(|job| job.account_id == account.id)
            .ok_or("Could not find scheduled item.")?;
        let mut data = json!({
            "scheduled_item_id": job.id,
            "status": job.status.as_str(),
            "created": job.created,
            "started": job.started,
            "finished": job.finished,
            "total_size": job.total_size,
        });
        let file = db.file(account.id, job.file_id);
        if let (Some(file), Value::Object(map)) = (file, &mut data) {
            map.insert(
                "downloaded_file".into(),
                json!({
                    "file_id": file.id,
                    "name": file.filename,
                    "size": file.size,
                    "url": format!("{}/{}", site.urls.file(file), file.filename),
                }),
            );
        }
        Ok(reply::keys(json!({
            "response": "Scheduled URL file download found",
            "data": data,
        })))
    })
}

async fn run_job(site: &Site, account: &Account, id: u64, url: String, folder_id: Option<u64>) {
    let update = |status: JobStatus, total_size: Option<u64>, file_id: Option<u64>| {
        let _ = site.change(|db| {
            if let Some(job) = db.url_uploads.get_mut(&id) {
                let now = reply::now();
                match status {
                    JobStatus::Downloading => job.started = Some(now),
                    JobStatus::Complete | JobStatus::Failed => job.finished = Some(now),
                    JobStatus::Pending => {}
                }
                job.status = status;
                if let Some(size) = total_size {
                    job.total_size = size;
                }
                job.file_id = file_id.or(job.file_id);
            }
            Ok::<(), ()>(())
        });
    };
    update(JobStatus::Downloading, None, None);
    let announce_size = |size| update(JobStatus::Downloading, Some(size), None);
    match fetch(site, account, &url, folder_id, announce_size).await {
        Ok((size, file_id)) => update(JobStatus::Complete, Some(size), Some(file_id)),
        Err(reason) => {
            tracing::info!(job = id, %reason, "URL upload failed");
            update(JobStatus::Failed, None, None);
        }
    }
}

/// Downloads the URL into a new file; returns its size and id. The size is announced as soon
/// as the response states it.
async fn fetch(
    site: &Site,
    account: &Account,
    url: &str,
    folder_id: Option<u64>,
    announce_size: impl FnOnce(u64),
) -> Result<(u64, u64), String> {
    let parsed = reqwest::Url::parse(url).map_err(|error| format!("bad URL: {error}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("unsupported scheme {}", parsed.scheme()));
    }
    let response = site
        .fetcher
        .get(parsed.clone())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(describe)?;
    let limit = Some(account.package.max_upload_size).filter(|&limit| limit > 0);
    if let Some(len) = response.content_length() {
        if limit.is_some_and(|limit| len > limit) {
            return Err("file too large".to_string());
        }
        announce_size(len);
    }
    let writer = BlobWriter::create(&site.temp_dir)
        .await
        .map_err(|error| error.to_string())?;
    let mut body = response.bytes_stream();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(describe)?;
        size += chunk.len() as u64;
        if limit.is_some_and(|limit| size > limit) {
            return Err("file too large".to_string());
        }
        if !writer.write(chunk).await {
            break;
        }
    }
    let blob = writer.finish().await.map_err(|error| error.to_string())?;
    let file = store(
        site,
        account,
        folder_id,
        &file_name_of(&parsed),
        blob,
        "remote",
    )
    .await
    .map_err(|error| error.to_string())?;
    Ok((file.size, file.id))
}

/// A fetch error without its URL, which may carry a token.
fn describe(error: reqwest::Error) -> String {
    error.without_url().to_string()
}

/// The URL's last path segment, percent-decoded and cleaned; "download" if there is none.
fn file_name_of(url: &reqwest::Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    let decoded: Vec<u8> = percent_decode(segment.as_bytes());
    let name = clean(&String::from_utf8_lossy(&decoded));
    if name.is_empty() {
        "download".to_string()
    } else {
        name
    }
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let hex = input.get(i + 1..i + 3).and_then(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        });
        match (input[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_decode_from_either_base64_alphabet() {
        let url = "http://127.0.0.1:9/a b.txt?x=1";
        assert_eq!(decode_url(&STANDARD.encode(url)).as_deref(), Some(url));
        assert_eq!(
            decode_url(&URL_SAFE_NO_PAD.encode(url)).as_deref(),
            Some(url)
        );
        assert_eq!(decode_url("***"), None);
        assert_eq!(decode_url(""), None);
    }

    #[test]
    fn file_names_come_from_the_path() {
        let name = |url: &str| file_name_of(&reqwest::Url::parse(url).unwrap());
        assert_eq!(name("http://h/dir/My%20File.bin?x=1"), "My File.bin");
        assert_eq!(name("http://h/"), "download");
        assert_eq!(name("http://h/100%"), "100%");
    }
}
