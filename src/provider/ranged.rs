//! Ranged downloads of file bytes, shared by every host: a GET from an offset through the
//! host's client (and pacer), 206/200/416 read by [`crate::http::range`], and an HTML page
//! where a file was expected (an expired link) told apart from the file.

use futures::StreamExt;

use super::{DownloadStream, ProviderError, Result};
use crate::http::{HttpClient, HttpError, range};

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
pub async fn get(client: &HttpClient, url: url::Url, offset: u64) -> Result<Ranged> {
    let file_host = url.host_str().unwrap_or("the download server").to_owned();
    let response = client
        .send(range::from_offset(client.get(url), offset))
        .await?;
    let (response, start, total) = match range::read(response, offset, &file_host)? {
        range::RangeReply::PastEnd { total } => return Ok(Ranged::PastEnd { total }),
        range::RangeReply::Body {
            response,
            start,
            total,
        } => (response, start, total),
    };
    if range::is_web_page(response.headers()) {
        return Err(ProviderError::fatal(format!(
            "{file_host} sent a web page instead of the file (the download link may have expired)"
        )));
    }
    let body = response
        .bytes_stream()
        .map(|c| c.map_err(|e| ProviderError::from(HttpError::from(e))));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_end() {
        assert_eq!(past_end(10, Some(10)).unwrap().offset, 10);
        assert!(past_end(11, Some(10)).is_err());
        assert!(past_end(5, None).is_err());
    }
}
