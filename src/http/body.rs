//! Reading whole API replies with a size cap, and excerpts of replies that were not what we
//! expected.

use super::error::{HttpError, HttpErrorKind};

/// Largest API (JSON) reply accepted: a hostile server can't make us buffer more.
pub const MAX_API_RESPONSE: usize = 64 * 1024 * 1024;

/// Read a whole (API-sized) body, refusing anything larger than `limit` bytes.
pub async fn read_limited(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, HttpError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(HttpError::from)? {
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// An API reply: [`read_limited`] to [`MAX_API_RESPONSE`].
pub async fn read_reply(resp: reqwest::Response) -> Result<Vec<u8>, HttpError> {
    read_limited(resp, MAX_API_RESPONSE).await
}

fn too_large() -> HttpError {
    HttpError::new(HttpErrorKind::TooLarge, "the server's reply is too large")
}

/// A short, printable, one-line excerpt of a body that was not what we expected (HTML error
/// pages...): control characters and escape sequences can't reach the terminal.
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::sanitize::for_terminal(&one_line).into_owned()
}
