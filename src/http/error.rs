//! What can go wrong on the wire, before any host's API has had its say.
//!
//! The providers map these to their own error type once (`ProviderError: From<HttpError>`).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Where an HTTP exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// No connection could be made: the request never reached the host.
    Connect,
    /// Timed out, reset, or cut off while sending or reading: the host may have acted on it.
    Broken,
    /// The host answered with this status and no body its API could explain.
    Status(u16),
    /// The reply was larger than haul accepts for its kind.
    TooLarge,
    /// A URL or request haul could not build (a bad link from a host).
    Invalid,
}

/// An HTTP failure: its kind, one line in words (never a URL with its query), and the wait the
/// host asked for.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HttpError {
    pub kind: HttpErrorKind,
    pub message: String,
    /// `Retry-After`, where the host sent one.
    pub retry_after: Option<Duration>,
}

impl HttpError {
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        HttpError {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// An HTTP status without a usable body, as "HOST answered HTTP 503 Service Unavailable".
    pub fn status(status: StatusCode, headers: &HeaderMap, host: &str) -> Self {
        HttpError {
            kind: HttpErrorKind::Status(status.as_u16()),
            message: format!("{host} answered HTTP {status}"),
            retry_after: retry_after(headers),
        }
    }

    /// Whether the host surely did not act on the request (safe to send again): no connection
    /// was made, or the host turned it away with 429 Too Many Requests. (A 503 may come from a
    /// proxy after the host acted: its outcome is unknown.)
    pub fn never_sent(&self) -> bool {
        matches!(
            self.kind,
            HttpErrorKind::Connect | HttpErrorKind::Status(429)
        )
    }
}

impl From<reqwest::Error> for HttpError {
    fn from(e: reqwest::Error) -> Self {
        let (kind, what) = if e.is_connect() {
            (HttpErrorKind::Connect, "could not connect")
        } else if e.is_timeout() {
            (HttpErrorKind::Broken, "timed out")
        } else if e.is_body() || e.is_decode() {
            (HttpErrorKind::Broken, "connection broke while reading")
        } else if e.is_builder() {
            (HttpErrorKind::Invalid, "could not build the request")
        } else if e.is_redirect() {
            (HttpErrorKind::Invalid, "too many or bad redirects")
        } else {
            (HttpErrorKind::Broken, "request failed")
        };
        // reqwest's Display includes the URL, which may carry tokens: strip it.
        let e = e.without_url();
        HttpError::new(kind, format!("{what}: {}", detail(&e)))
    }
}

/// The innermost cause of a reqwest error in one line ("connection reset by peer").
fn detail(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    let text = source.to_string();
    if text.is_empty() { e.to_string() } else { text }
}

/// The wait a server asked for in `Retry-After` (seconds form), at most a day.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_are_read_and_capped() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(reqwest::header::RETRY_AFTER, "99999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(24 * 3600)));
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
