//! Downloads: `getUrl` for a direct link (at once for owners and premium accounts; after a
//! captcha and a countdown for free ones), then a ranged GET of that link.
//!
//! The free flow across calls: `open_download` meets 406/30 and returns `CaptchaRequired` with a
//! download challenge; `answer_challenge` sends the answer to `getUrl`, keeps the
//! `free_download_key` it gets here with the time it becomes usable, and returns the wait; the
//! next `open_download` of that file spends the key.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use serde_json::json;

use super::errors::{self, seconds_of};
use super::transport::{Refusal, Transport};
use super::types::{UrlReply, read};
use crate::http;
use crate::provider::{
    Challenge, ChallengeKind, ChallengePurpose, DownloadStream, ErrorKind, ProviderError, Result,
};

/// How long to wait when the host says the countdown isn't over although ours is.
const COUNTDOWN_MARGIN: Duration = Duration::from_secs(2);
/// How much of a web page we read to say why it came instead of the file.
const MAX_PAGE: usize = 64 * 1024;

/// A free-download key from an answered captcha, usable from `ready_at`.
struct FreeKey {
    key: String,
    ready_at: Instant,
}

/// Free-download keys by file id. The keys themselves never leave this type's methods.
#[derive(Default)]
pub(super) struct FreeKeys(Mutex<HashMap<String, FreeKey>>);

impl FreeKeys {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, FreeKey>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn store(&self, file_id: &str, key: String, wait: Duration) {
        let ready_at = Instant::now() + wait;
        self.lock()
            .insert(file_id.to_string(), FreeKey { key, ready_at });
    }

    /// The key for `file_id` if it is ready; `RateLimited` with the rest of the countdown if not.
    fn ready(&self, file_id: &str) -> Result<Option<String>> {
        let keys = self.lock();
        let Some(k) = keys.get(file_id) else {
            return Ok(None);
        };
        let left = k.ready_at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Some(k.key.clone()));
        }
        Err(ProviderError::rate_limited(
            format!("the free download starts in {}", errors::human_wait(left)),
            Some(left),
        ))
    }

    fn drop_key(&self, file_id: &str) {
        self.lock().remove(file_id);
    }
}

/// A direct link for `file_id`, spending a ready free-download key if there is one.
pub(super) async fn direct_url(api: &Transport, keys: &FreeKeys, file_id: &str) -> Result<String> {
    let key = keys.ready(file_id)?;
    let mut params = json!({"file_id": file_id});
    if let Some(key) = &key {
        params["free_download_key"] = json!(key);
    }
    let purpose = ChallengePurpose::Download {
        file_id: file_id.to_string(),
    };
    match api.call_or_captcha("getUrl", params).await {
        Ok(reply) => {
            keys.drop_key(file_id);
            let reply: UrlReply = read(reply, "getUrl")?;
            reply.url.ok_or_else(|| {
                ProviderError::fatal("the host answered getUrl without a download link")
            })
        }
        Err(Refusal::Captcha(demand)) => {
            keys.drop_key(file_id);
            let kind = demand.kind.unwrap_or(ChallengeKind::ImageCaptcha);
            Err(api.challenge_error(kind, purpose, &demand.message).await)
        }
        // 41 with our countdown over: the host's clock runs a little behind.
        Err(Refusal::Error(e)) if key.is_some() && e.kind == ErrorKind::RateLimited => {
            let wait = e.retry_after.unwrap_or(COUNTDOWN_MARGIN);
            Err(e.with_retry_after(Some(wait)))
        }
        Err(Refusal::Error(e)) => {
            if !e.is_retryable() {
                keys.drop_key(file_id);
            }
            Err(e)
        }
    }
}

/// Send a person's answer to a download captcha: keep the free-download key the host gives and
/// say how long until it can be used. A wrong answer comes back with a new challenge.
pub(super) async fn answer_captcha(
    api: &Transport,
    keys: &FreeKeys,
    challenge: &Challenge,
    file_id: &str,
    answer: &str,
) -> Result<Option<Duration>> {
    let params = json!({
        "file_id": file_id,
        "captcha_challenge": challenge.id,
        "captcha_response": answer,
    });
    match api.call_or_captcha("getUrl", params).await {
        Ok(reply) => {
            let reply: UrlReply = read(reply, "getUrl")?;
            match reply.free_download_key {
                Some(key) => {
                    let wait = seconds_of(&reply.time_wait).unwrap_or(Duration::ZERO);
                    keys.store(file_id, key, wait);
                    Ok(Some(wait))
                }
                // A link right away: the next getUrl gets one too.
                None if reply.url.is_some() => Ok(None),
                None => Err(ProviderError::fatal(
                    "the host accepted the captcha but sent no free-download key",
                )),
            }
        }
        Err(Refusal::Captcha(demand)) => {
            let kind = demand.kind.unwrap_or(challenge.kind);
            Err(api
                .challenge_error(kind, challenge.purpose.clone(), &demand.message)
                .await)
        }
        Err(Refusal::Error(e)) => Err(e),
    }
}

/// GET a direct link from `offset` on. The link grants access: it never appears in messages.
pub(super) async fn fetch(api: &Transport, link: &str, offset: u64) -> Result<DownloadStream> {
    let url = api.resolve(link)?;
    let server = url.host_str().unwrap_or("the download server").to_string();
    let request = http::range::from_offset(api.client.get(url), offset);
    let resp = api.client.send(request).await?;
    let headers = resp.headers().clone();
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (range_start, range_total) = header(CONTENT_RANGE)
        .map(http::range::parse_content_range)
        .unwrap_or_default();
    let length: Option<u64> = header(CONTENT_LENGTH).and_then(|v| v.trim().parse().ok());
    let start = match resp.status() {
        StatusCode::PARTIAL_CONTENT => {
            if range_start.is_some_and(|s| s != offset) {
                return Err(ProviderError::transient(format!(
                    "{server} sent another part of the file than asked for"
                )));
            }
            offset
        }
        StatusCode::OK => 0,
        StatusCode::RANGE_NOT_SATISFIABLE => {
            if range_total.is_some_and(|total| offset > total) {
                return Err(ProviderError::invalid(format!(
                    "cannot resume at byte {offset}: the file is shorter"
                )));
            }
            return Ok(DownloadStream {
                offset,
                total: range_total.or(Some(offset)),
                body: Box::pin(futures::stream::empty()),
            });
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            return Err(ProviderError::transient(format!(
                "{server} refused the download link (it expires quickly): try again"
            )));
        }
        status => return Err(http::HttpError::status(status, &headers, &server).into()),
    };
    let is_page = header(CONTENT_TYPE).is_some_and(|t| t.trim_start().starts_with("text/html"))
        && !header(CONTENT_DISPOSITION).is_some_and(|d| d.contains("attachment"));
    if is_page {
        let page = read_page(resp).await?;
        return Err(errors::web_page_instead_of_file(&page));
    }
    let total = range_total.or_else(|| length.map(|len| start + len));
    Ok(DownloadStream {
        offset: start,
        total,
        body: Box::pin(
            resp.bytes_stream()
                .map(|r| r.map_err(|e| http::HttpError::from(e).into())),
        ),
    })
}

/// The visible text of (the start of) a web page.
async fn read_page(mut resp: reqwest::Response) -> Result<String> {
    let mut html = Vec::new();
    while html.len() < MAX_PAGE {
        match resp.chunk().await.map_err(http::HttpError::from)? {
            Some(chunk) => html.extend_from_slice(&chunk),
            None => break,
        }
    }
    let html = String::from_utf8_lossy(&html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn free_key_countdown() {
        let keys = FreeKeys::default();
        assert_eq!(keys.ready("f").unwrap(), None);
        keys.store("f", "k".into(), Duration::from_secs(30));
        let e = keys.ready("f").unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert!(e.retry_after.unwrap() > Duration::from_secs(28));
        assert!(
            e.message.starts_with("the free download starts in"),
            "{}",
            e.message
        );
        keys.store("f", "k".into(), Duration::ZERO);
        assert_eq!(keys.ready("f").unwrap(), Some("k".into()));
        keys.drop_key("f");
        assert_eq!(keys.ready("f").unwrap(), None);
    }

    fn url_reply(v: Value) -> UrlReply {
        read(v, "getUrl").unwrap()
    }

    #[test]
    fn get_url_replies() {
        let r = url_reply(
            json!({"status":"success","code":200,"message":"Captcha accepted, please wait","free_download_key":"abc","time_wait":30}),
        );
        assert_eq!(r.free_download_key.as_deref(), Some("abc"));
        assert_eq!(seconds_of(&r.time_wait), Some(Duration::from_secs(30)));
        let r = url_reply(
            json!({"status":"success","code":200,"url":"https://prx-214.keep2share.cc/x?temp_url_sig=1"}),
        );
        assert!(r.url.is_some());
    }
}
