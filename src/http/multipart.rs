//! Streamed multipart bodies: a file part of known length that is never held in memory.

use bytes::Bytes;
use futures::Stream;
use reqwest::multipart::Part;

use super::error::HttpError;

/// A file part named `file_name`, streamed from `stream` of exactly `len` bytes.
pub fn file_part<S>(stream: S, len: u64, file_name: &str) -> Result<Part, HttpError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
        .file_name(file_name.to_owned())
        .mime_str("application/octet-stream")
        .map_err(HttpError::from)
}
