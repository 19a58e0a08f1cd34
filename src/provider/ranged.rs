//! Ranged GETs of file bytes, shared by every host: `Range: bytes=N-`, 206/200/416, and an HTML
//! page where a file was expected (an expired link) told apart from the file.

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, RANGE};

use super::{DownloadStream, ProviderError, Result};
use crate::http;

/// Where a ranged GET landed.
pub enum Ranged {
    Body(DownloadStream),
    /// HTTP 416: the offset is at or past the end; `total` is the size if the host said.
    PastEnd {
        total: Option<u64>,
    },
}

/// GET `url` from byte `offset` (redirects are followed by the client). `url` grants access:
/// it never appears in an error.
pub async fn get(client: &reqwest::Client, url: url::Url, offset: u64) -> Result<Ranged> {
    let file_host = url.host_str().unwrap_or("the download server").to_owned();
    let mut request = client.get(url);
    if offset > 0 {
        request = request.header(RANGE, format!("bytes={offset}-"));
    }
    let response = request.send().await.map_err(http::from_reqwest)?;
    let status = response.status();
    let headers = response.headers();
    let (range_start, range_total) = headers
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or((None, None), parse_content_range);
    let (start, total) = match status {
        StatusCode::PARTIAL_CONTENT => (range_start.unwrap_or(offset), range_total),
        StatusCode::RANGE_NOT_SATISFIABLE if offset > 0 => {
            return Ok(Ranged::PastEnd { total: range_total });
        }
        s if s.is_success() => (0, response.content_length()),
        _ => return Err(http::status_error(status, headers, &file_host)),
    };
    if is_web_page(headers) {
        return Err(ProviderError::fatal(format!(
            "{file_host} sent a web page instead of the file (the download link may have expired)"
        )));
    }
    let body = response
        .bytes_stream()
        .map(|c| c.map_err(http::from_reqwest));
    Ok(Ranged::Body(DownloadStream {
        offset: start,
        total,
        body: Box::pin(body),
    }))
}

/// After a 416: an empty download when `offset` is exactly the end, else an error in words.
pub fn past_end(offset: u64, size: Option<u64>) -> Result<DownloadStream> {
    if size == Some(offset) {
        return Ok(DownloadStream {
            offset,
            total: size,
            body: Box::pin(futures::stream::empty()),
        });
    }
    Err(ProviderError::invalid(format!(
        "cannot resume at byte {offset}: the file has {} bytes",
        size.map_or_else(|| "an unknown number of".to_owned(), |s| s.to_string())
    )))
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

    #[test]
    fn past_the_end() {
        assert_eq!(past_end(10, Some(10)).unwrap().offset, 10);
        assert!(past_end(11, Some(10)).is_err());
        assert!(past_end(5, None).is_err());
    }
}
