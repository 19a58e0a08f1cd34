//! The HTTP client every provider uses: timeouts, user agent, error mapping, redaction.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::provider::{ErrorKind, ProviderError};

pub const USER_AGENT: &str = concat!("haul/", env!("CARGO_PKG_VERSION"));

/// Largest API (JSON) response we accept: a hostile server can't make us buffer more.
pub const MAX_API_RESPONSE: usize = 64 * 1024 * 1024;

/// A client with sane timeouts. Reads time out per read, so long transfers are fine.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Classify a transport error.
pub fn from_reqwest(e: reqwest::Error) -> ProviderError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "connection broke while reading"
    } else if e.is_request() {
        "request failed"
    } else {
        "HTTP error"
    };
    // reqwest's Display includes the URL, which may carry tokens: strip it.
    let e = e.without_url();
    ProviderError::transient(format!("{what}: {e}"))
}

/// The wait a server asked for in `Retry-After` (seconds form).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(24 * 3600)))
}

/// Map an HTTP status that carries no usable API body to an error.
pub fn status_error(status: StatusCode, headers: &HeaderMap, host: &str) -> ProviderError {
    let wait = retry_after(headers);
    let kind = match status.as_u16() {
        429 => ErrorKind::RateLimited,
        401 | 403 => ErrorKind::Auth,
        404 | 410 => ErrorKind::NotFound,
        408 | 500..=599 => ErrorKind::Transient,
        _ => ErrorKind::Fatal,
    };
    ProviderError::new(kind, format!("{host} answered HTTP {status}")).with_retry_after(wait)
}

/// Read a whole (API-sized) body, refusing anything larger than [`MAX_API_RESPONSE`].
pub async fn read_limited(mut resp: reqwest::Response) -> Result<Vec<u8>, ProviderError> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(from_reqwest)? {
        if buf.len() + chunk.len() > MAX_API_RESPONSE {
            return Err(ProviderError::fatal("server response too large"));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// A short, printable excerpt of a body that was not what we expected (HTML error pages...).
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::sanitize::for_terminal(&one_line).into_owned()
}

/// A URL with every query value removed, safe for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.query().is_some() {
                let keys: Vec<String> = u.query_pairs().map(|(k, _)| format!("{k}=***")).collect();
                u.set_query(Some(&keys.join("&")));
            }
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "<url>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_values() {
        assert_eq!(
            redact_url("http://h/x?access_token=abc&account_id=1"),
            "http://h/x?access_token=***&account_id=***"
        );
    }
}
