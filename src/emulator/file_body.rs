//! Serving a stored file over HTTP: `Content-Length`, byte ranges (206/416), HEAD, and a body
//! read in large chunks on a blocking thread and handed to hyper without further copies, so a
//! loopback download runs at disk/socket speed with flat memory.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::hostile::{self, HostileCase};
use super::shaping::{FileSlot, hold_while_sending};

/// Bytes read from disk per chunk.
const CHUNK: usize = 1 << 20;
/// Chunks read ahead of the socket.
const READ_AHEAD: usize = 4;
/// How long a cut body (fault) waits before it ends the connection.
const CUT_PAUSE: Duration = Duration::from_millis(50);

/// One file to send.
pub(crate) struct Download<'a> {
    pub(crate) file: File,
    pub(crate) len: u64,
    pub(crate) content_type: &'a str,
    pub(crate) filename: &'a str,
}

/// How the network and the faults treat one download (from `Shared::delivery`).
pub(crate) struct Delivery {
    /// Fault: the body stops after this many bytes, short of what `Content-Length` promised.
    pub(crate) cut_after: Option<u64>,
    /// A hostile body instead of the file as asked.
    pub(crate) hostile: Option<HostileCase>,
    /// Keeps the download counted against the file's connection cap while it is sent.
    pub(crate) slot: Option<FileSlot>,
}

/// The part of the file a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

impl Span {
    /// What to send: the whole file when the `ignore_range` fault is on, else as
    /// [`Span::from_headers`] reads the request.
    pub(crate) fn requested(headers: &HeaderMap, len: u64, ignore_range: bool) -> Self {
        if ignore_range {
            Span::Whole
        } else {
            Span::from_headers(headers, len)
        }
    }

    /// Reads the `Range` header; anything other than one `bytes=` range is ignored, as
    /// RFC 9110 allows, and the whole file is sent.
    pub(crate) fn from_headers(headers: &HeaderMap, len: u64) -> Self {
        let Some(spec) = headers
            .get(header::RANGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().strip_prefix("bytes="))
        else {
            return Span::Whole;
        };
        if spec.contains(',') {
            return Span::Whole;
        }
        let Some((first, last)) = spec.trim().split_once('-') else {
            return Span::Whole;
        };
        let (first, last) = (first.trim(), last.trim());
        let number = |text: &str| -> Option<u64> {
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
        };
        match (first.is_empty(), number(first), number(last)) {
            // bytes=-N: the last N bytes.
            (true, _, Some(suffix)) => {
                if suffix == 0 || len == 0 {
                    Span::Unsatisfiable
                } else {
                    Span::Part(len.saturating_sub(suffix), len - 1)
                }
            }
            (false, Some(start), end) if last.is_empty() || end.is_some() => {
                let end = end.unwrap_or(u64::MAX);
                if end < start {
                    Span::Whole
                } else if start >= len {
                    Span::Unsatisfiable
                } else {
                    Span::Part(start, end.min(len - 1))
                }
            }
            _ => Span::Whole,
        }
    }

    /// Bytes sent of a file `total` long.
    pub(crate) fn len(self, total: u64) -> u64 {
        match self {
            Span::Whole => total,
            Span::Part(first, last) => last.saturating_sub(first) + 1,
            Span::Unsatisfiable => 0,
        }
    }

    /// The first byte sent, if any.
    pub(crate) fn start(self) -> Option<u64> {
        match self {
            Span::Whole => Some(0),
            Span::Part(start, _) => Some(start),
            Span::Unsatisfiable => None,
        }
    }
}

impl Download<'_> {
    /// The answer to a request for `span` of the file, as `delivery` says to send it.
    pub(crate) fn respond(self, method: &Method, span: Span, delivery: Delivery) -> Response {
        let response = match delivery.hostile {
            Some(case) => hostile::hostile_body(case, self.file, self.len),
            None => self.honest(method, span, delivery.cut_after),
        };
        match delivery.slot {
            Some(slot) => hold_while_sending(response, slot),
            None => response,
        }
    }

    fn honest(self, method: &Method, span: Span, cut_after: Option<u64>) -> Response {
        let (status, start, count) = match span {
            Span::Whole => (StatusCode::OK, 0, self.len),
            Span::Part(first, last) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
            Span::Unsatisfiable => {
                let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                let headers = response.headers_mut();
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", self.len)) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
                headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
                return response;
            }
        };
        let sent = cut_after.map_or(count, |cut| cut.min(count));
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            stream_file(self.file, start, sent, sent < count)
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Ok(value) = HeaderValue::from_str(self.content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        if let Ok(value) = HeaderValue::from_str(&content_disposition(self.filename)) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        if status == StatusCode::PARTIAL_CONTENT {
            let last = start + count - 1;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{last}/{}", self.len))
            {
                headers.insert(header::CONTENT_RANGE, value);
            }
        }
        response
    }
}

/// `count` bytes from `start`, read on a blocking thread.
pub(crate) fn file_chunks(
    file: File,
    start: u64,
    count: u64,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let (chunks, mut receiver) = mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        if let Err(error) = read_span(file, start, count, &chunks) {
            let _ = chunks.blocking_send(Err(error));
        }
    });
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// A body of `count` bytes from `start`. A `cut` body pauses before it ends, so the bytes sent
/// so far reach the client before the connection drops.
pub(crate) fn stream_file(file: File, start: u64, count: u64, cut: bool) -> Body {
    let read = file_chunks(file, start, count);
    if !cut {
        return Body::from_stream(read);
    }
    let pause = futures::stream::once(tokio::time::sleep(CUT_PAUSE))
        .filter_map(|()| std::future::ready(None::<io::Result<Bytes>>));
    Body::from_stream(read.chain(pause))
}

fn read_span(
    mut file: File,
    start: u64,
    count: u64,
    chunks: &mpsc::Sender<io::Result<Bytes>>,
) -> io::Result<()> {
    file.seek(SeekFrom::Start(start))?;
    let mut left = count;
    while left > 0 {
        let want = usize::try_from(left).map_or(CHUNK, |left| left.min(CHUNK));
        // read_to_end fills spare capacity without zeroing it first.
        let mut buffer = Vec::with_capacity(want);
        (&mut file).take(want as u64).read_to_end(&mut buffer)?;
        let filled = buffer.len();
        if filled == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stored file is shorter than recorded",
            ));
        }
        left -= filled as u64;
        if chunks.blocking_send(Ok(Bytes::from(buffer))).is_err() {
            // The client went away.
            return Ok(());
        }
    }
    Ok(())
}

/// `attachment; filename="..."; filename*=UTF-8''...` with a plain-ASCII fallback name.
fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(filename.len());
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(range: &str, len: u64) -> Span {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        Span::from_headers(&headers, len)
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(span("bytes=0-", 10), Span::Part(0, 9));
        assert_eq!(span("bytes=2-4", 10), Span::Part(2, 4));
        assert_eq!(span("bytes=5-100", 10), Span::Part(5, 9));
        assert_eq!(span("bytes=-3", 10), Span::Part(7, 9));
        assert_eq!(span("bytes=-30", 10), Span::Part(0, 9));
        assert_eq!(span("bytes=10-", 10), Span::Unsatisfiable);
        assert_eq!(span("bytes=-0", 10), Span::Unsatisfiable);
        assert_eq!(span("bytes=0-", 0), Span::Unsatisfiable);
        assert_eq!(span("bytes=4-2", 10), Span::Whole);
        assert_eq!(span("bytes=0-1,4-5", 10), Span::Whole);
        assert_eq!(span("items=0-1", 10), Span::Whole);
        assert_eq!(span("bytes=x-1", 10), Span::Whole);
        assert_eq!(Span::from_headers(&HeaderMap::new(), 10), Span::Whole);
    }

    #[test]
    fn disposition_keeps_a_safe_fallback() {
        assert_eq!(
            content_disposition("a \"b\".txt"),
            "attachment; filename=\"a _b_.txt\"; filename*=UTF-8''a%20%22b%22.txt"
        );
        assert!(content_disposition("été.png").contains("filename=\"_t_.png\""));
    }
}
