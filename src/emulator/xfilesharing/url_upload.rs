//! `upload/url`: with `url`, queues a remote upload and answers the code its file will get;
//! with only `file_code`, reports that job. The emulator really fetches the URL in a background
//! task that streams it to disk.

use std::sync::Arc;

use futures::StreamExt;
use serde_json::json;

use super::Site;
use super::accounts::Account;
use super::db::{Db, JobState, UrlUpload};
use super::names;
use super::params::{Params, perl_int};
use super::reply::{self, Answer, FOLDER_NOT_YOURS, NO_FILE, NO_URL, Outcome};
use super::upload::{NewFile, store_as};
use crate::emulator::blob::BlobWriter;

/// How often a running job records its progress, in bytes.
const PROGRESS_STEP: u64 = 1 << 20;

/// Jobs a previous run left unfinished cannot resume.
pub(super) fn fail_interrupted(db: &mut Db) {
    for job in db.url_uploads.values_mut() {
        if matches!(job.state, JobState::Pending | JobState::Working) {
            job.state = JobState::Failed;
        }
    }
}

pub(super) fn add_or_check(
    site: &Arc<Site>,
    account: &'static Account,
    params: &Params,
) -> Outcome {
    if let Some(url) = params.provided("url") {
        return add(site, account, url, params);
    }
    match params.provided("file_code") {
        Some(code) => check(site, account, code),
        None => Err(NO_URL),
    }
}

/// The target folder is `fld_id` (KenFiles) or `folder` (FileQ); 0 or none is the root.
fn add(site: &Arc<Site>, account: &'static Account, url: &str, params: &Params) -> Outcome {
    let folder = perl_int(
        params
            .provided("fld_id")
            .or(params.provided("folder"))
            .unwrap_or("0"),
    );
    let (id, code) = site.db.change(|db| {
        if !db.is_own_place(account.id, folder) {
            return Err(FOLDER_NOT_YOURS);
        }
        let (id, code) = db.allocate_file();
        db.url_uploads.insert(
            code.clone(),
            UrlUpload {
                id,
                code: code.clone(),
                owner: account.id,
                url: url.to_string(),
                folder: u64::try_from(folder).unwrap_or_default(),
                state: JobState::Pending,
                created: reply::now(),
                received: 0,
                size: None,
            },
        );
        Ok((id, code))
    })?;
    let job_site = site.clone();
    let job_code = code.clone();
    let job_url = url.to_string();
    tokio::spawn(async move {
        tokio::select! {
            () = job_site.stop.cancelled() => {}
            () = run_job(&job_site, account, id, job_code, job_url) => {}
        }
    });
    Ok(Answer::Result(
        json!({ "file_code": code, "filecode": code }),
    ))
}

/// `status` is PENDING, WORKING, OK or ERROR (no source defines the words).
fn check(site: &Site, account: &Account, code: &str) -> Outcome {
    site.db.read(|db| {
        let job = db
            .url_uploads
            .get(code)
            .filter(|job| job.owner == account.id)
            .ok_or(NO_FILE)?;
        Ok(Answer::Result(json!({
            "file_code": job.code,
            "filecode": job.code,
            "url": job.url,
            "status": job.state.word(),
            "received": job.received,
            "size": job.size,
        })))
    })
}

async fn run_job(site: &Site, account: &Account, id: u64, code: String, url: String) {
    update_job(site, &code, |job| job.state = JobState::Working);
    match fetch(site, account, id, &code, &url).await {
        Ok(size) => update_job(site, &code, |job| {
            job.state = JobState::Done;
            job.received = size;
        }),
        Err(reason) => {
            tracing::info!(job = %code, %reason, "URL upload failed");
            update_job(site, &code, |job| job.state = JobState::Failed);
        }
    }
}

fn update_job(site: &Site, code: &str, change: impl FnOnce(&mut UrlUpload)) {
    let _ = site.db.change(|db| {
        if let Some(job) = db.url_uploads.get_mut(code) {
            change(job);
        }
        Ok::<(), ()>(())
    });
}

/// Downloads the URL into the job's file; returns its size.
async fn fetch(
    site: &Site,
    account: &Account,
    id: u64,
    code: &str,
    url: &str,
) -> Result<u64, String> {
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
    if let Some(len) = response.content_length() {
        update_job(site, code, |job| job.size = Some(len));
    }
    let writer = BlobWriter::create(&site.temp_dir)
        .await
        .map_err(|error| error.to_string())?;
    let mut body = response.bytes_stream();
    let mut received = 0u64;
    let mut reported = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(describe)?;
        received += chunk.len() as u64;
        if !writer.write(chunk).await {
            break;
        }
        if received - reported >= PROGRESS_STEP {
            reported = received;
            update_job(site, code, |job| job.received = received);
        }
    }
    let blob = writer.finish().await.map_err(|error| error.to_string())?;
    // The account's storage counts for fetched files as for uploaded ones.
    if !site.db.read(|db| db.has_room(account, blob.size)) {
        return Err(super::life::NO_DISK_SPACE.to_string());
    }
    let folder = site
        .db
        .read(|db| db.url_uploads.get(code).map(|job| job.folder))
        .unwrap_or_default();
    let new = NewFile {
        owner: account.id,
        folder,
        name: names::stored(&file_name_of(&parsed)),
        public: true,
    };
    let file = store_as(site, id, code.to_string(), new, blob)
        .await
        .map_err(|error| error.to_string())?;
    Ok(file.size)
}

/// A fetch error without its URL, which may carry a token.
fn describe(error: reqwest::Error) -> String {
    error.without_url().to_string()
}

/// The URL's last path segment, percent-decoded; "download" if there is none.
fn file_name_of(url: &reqwest::Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    let name = percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned();
    if name.is_empty() {
        "download".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_path() {
        let name = |url: &str| file_name_of(&reqwest::Url::parse(url).unwrap());
        assert_eq!(name("http://h/dir/My%20File.bin?x=1"), "My File.bin");
        assert_eq!(name("http://h/caf%C3%A9.txt"), "café.txt");
        assert_eq!(name("http://h/"), "download");
    }
}
