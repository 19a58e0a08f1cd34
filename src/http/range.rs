//! Ranged GETs: the `Range` request header, `Content-Range` replies, and telling an HTML page
//! (an expired link) from a file.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap, RANGE};
use reqwest::{RequestBuilder, Response, StatusCode};

use super::error::HttpError;

/// Where a ranged GET landed.
#[derive(Debug)]
pub enum RangeReply {
    /// The body starts at `start` of a file of `total` bytes (where the server says).
    Body {
        response: Response,
        start: u64,
        total: Option<u64>,
    },
    /// HTTP 416: the offset is at or past the end; `total` is the size if the server said.
    PastEnd { total: Option<u64> },
}

tokio::task_local! {
    /// Where ranged GETs made inside [`up_to`] stop (exclusive).
    static END: u64;
}

/// Run `fut` with every ranged GET it makes asking for bytes before `end` only (a segment of
/// a segmented download: the host sends, and counts against the account's traffic, only the
/// segment, not the rest of the file). The providers' download calls stay as they are.
pub async fn up_to<F: std::future::Future>(end: u64, fut: F) -> F::Output {
    END.scope(end, fut).await
}

/// `request` asking for the bytes from `offset` on (no header at 0), up to the end set by
/// [`up_to`] where there is one.
pub fn from_offset(request: RequestBuilder, offset: u64) -> RequestBuilder {
    match END.try_with(|end| *end).ok().filter(|end| *end > offset) {
        Some(end) => request.header(RANGE, format!("bytes={offset}-{}", end - 1)),
        None if offset > 0 => request.header(RANGE, format!("bytes={offset}-")),
        None => request,
    }
}

/// Read the status and headers of a reply to a ranged GET from `offset`. `host` names the
/// server in messages (never the URL: it grants access).
pub fn read(response: Response, offset: u64, host: &str) -> Result<RangeReply, HttpError> {
    let status = response.status();
    let headers = response.headers();
    let (range_start, range_total) = headers
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or((None, None), parse_content_range);
    let (start, total) = match status {
        StatusCode::PARTIAL_CONTENT => (range_start.unwrap_or(offset), range_total),
        StatusCode::RANGE_NOT_SATISFIABLE if offset > 0 => {
            return Ok(RangeReply::PastEnd { total: range_total });
        }
        s if s.is_success() => (0, response.content_length()),
        _ => return Err(HttpError::status(status, headers, host)),
    };
    Ok(RangeReply::Body {
        response,
        start,
        total,
    })
}

/// `Content-Range: bytes START-END/TOTAL` (or `bytes */TOTAL`) -> (start, total).
pub fn parse_content_range(value: &str) -> (Option<u64>, Option<u64>) {
    let Some(range) = value.trim().strip_prefix("bytes") else {
        return (None, None);
    };
    let (span, total) = range.trim().split_once('/').unwrap_or((range, "*"));
    let start = span
        .split_once('-')
        .and_then(|(start, _)| start.trim().parse().ok());
    (start, total.trim().parse().ok())
}

/// An HTML page without an attachment header where a file was expected.
pub fn is_web_page(headers: &HeaderMap) -> bool {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    html && !headers.contains_key(CONTENT_DISPOSITION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scoped_end_closes_the_range() {
        let client = reqwest::Client::new();
        let header = |r: RequestBuilder| {
            r.build()
                .unwrap()
                .headers()
                .get(RANGE)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let get = || client.get("http://127.0.0.1/f");
        assert_eq!(header(from_offset(get(), 0)), None);
        assert_eq!(header(from_offset(get(), 5)).as_deref(), Some("bytes=5-"));
        let inside = up_to(100, async { header(from_offset(get(), 5)) }).await;
        assert_eq!(inside.as_deref(), Some("bytes=5-99"));
        let first = up_to(100, async { header(from_offset(get(), 0)) }).await;
        assert_eq!(first.as_deref(), Some("bytes=0-99"));
    }

    #[test]
    fn content_ranges() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            (Some(100), Some(1000))
        );
        assert_eq!(parse_content_range("bytes */1000"), (None, Some(1000)));
        assert_eq!(parse_content_range("bytes 0-9/*"), (Some(0), None));
        assert_eq!(parse_content_range("items 1-2/3"), (None, None));
    }

    #[test]
    fn web_pages_are_told_from_files() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, "text/html; charset=utf-8".parse().unwrap());
        assert!(is_web_page(&h));
        h.insert(CONTENT_DISPOSITION, "attachment".parse().unwrap());
        assert!(!is_web_page(&h));
    }
}
