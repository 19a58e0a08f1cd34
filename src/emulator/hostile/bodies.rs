//! Download bodies that disagree with the listed size: short, long, endless, with a
//! Content-Length that lies, or with one that is honest about the wrong size. They ignore
//! `Range` and answer 200 with the file's bytes from the start.

use std::fs::File;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;

use super::HostileCase;
use crate::emulator::file_body::{file_chunks, stream_file};

/// How far `body-long` goes past the listed size.
const EXTRA: usize = 64 * 1024;

/// The answer to a download of a file of `len` bytes under a `body-*` case.
pub(crate) fn respond(case: HostileCase, file: File, len: u64) -> Response {
    let half = len / 2;
    let (body, content_length) = match case {
        HostileCase::BodyShort => (stream_file(file, 0, half, false), None),
        HostileCase::BodyLong => {
            let extra = futures::stream::once(async { Ok(Bytes::from(vec![b'X'; EXTRA])) });
            let body = file_chunks(file, 0, len).chain(extra);
            (Body::from_stream(body), None)
        }
        HostileCase::BodyEndless => {
            let zeros = Bytes::from(vec![0u8; EXTRA]);
            let forever = futures::stream::repeat_with(move || Ok(zeros.clone()));
            (
                Body::from_stream(file_chunks(file, 0, len).chain(forever)),
                None,
            )
        }
        HostileCase::BodyLyingLength => (stream_file(file, 0, half, true), Some(len)),
        _ => (stream_file(file, 0, half, false), Some(half)),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(length) = content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}
