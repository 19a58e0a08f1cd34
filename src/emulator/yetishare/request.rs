//! Reading a YetiShare API request the way the PHP server does: the route from the lowercased
//! path, parameters from the query (GET) or from a form or multipart body (POST; JSON bodies
//! are not parsed), every value trimmed and tag-stripped, and the `upload_file` part streamed
//! to disk.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use axum::body::{Body, to_bytes};
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, header};

use crate::emulator::blob::{BlobWriter, WrittenBlob};

/// Largest form body or text field read; anything beyond is dropped, like PHP's post limits.
const TEXT_LIMIT: usize = 8 << 20;

/// `/<endpoint>/<action>` after the API root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Route {
    pub(super) endpoint: String,
    pub(super) action: String,
}

impl Route {
    /// Lowercases, trims trailing slashes; a missing action is `index`; extra segments are
    /// ignored.
    pub(super) fn parse(rest: &str) -> Self {
        let lowered = rest.trim_start_matches('/').to_lowercase();
        let mut segments = lowered.trim_end_matches('/').split('/');
        let endpoint = segments.next().unwrap_or_default().to_string();
        let action = segments.next().unwrap_or("index").to_string();
        Self { endpoint, action }
    }
}

/// The request's parameters after cleaning. Later duplicates win, as in PHP.
#[derive(Debug, Default)]
pub(super) struct Params(HashMap<String, String>);

impl Params {
    fn insert(&mut self, name: &str, raw: &str) {
        self.0.insert(name.to_string(), clean(raw));
    }

    /// The value if the parameter was sent, even empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value if it was sent and is not empty (PHP's `strlen(...) > 0`).
    pub(super) fn provided(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }

    /// The value, or `""` when absent.
    pub(super) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

/// Trim (PHP's character set) after stripping tags: `a<b>c.txt` becomes `ac.txt`.
pub(super) fn clean(raw: &str) -> String {
    strip_tags(raw)
        .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0B'))
        .to_string()
}

/// Removes `<...>` tags (quotes inside a tag may hold `>`); a `<` followed by whitespace or at
/// the end is text, as in PHP's `strip_tags`.
fn strip_tags(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if depth == 0 {
            if c == '<' && chars.peek().is_some_and(|next| !next.is_whitespace()) {
                depth = 1;
            } else {
                out.push(c);
            }
            continue;
        }
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(open)) if c == open => quote = None,
            (_, Some(_)) => {}
            ('<', None) => depth += 1,
            ('>', None) => depth -= 1,
            _ => {}
        }
    }
    out
}

/// PHP's `(int)` cast: leading sign and digits, anything else is 0.
pub(super) fn php_int(value: &str) -> i64 {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let magnitude = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, digit| {
            acc.saturating_mul(10)
                .saturating_add(i64::from(digit - b'0'))
        });
    if negative { -magnitude } else { magnitude }
}

/// A positive id as a row is looked up by it (`WHERE id = :id`, MySQL casting the text).
pub(super) fn lookup_id(value: &str) -> Option<u64> {
    u64::try_from(php_int(value)).ok().filter(|&id| id > 0)
}

/// An id as a PHP array key: canonical digits only (`isset($folders[$id])`).
pub(super) fn exact_id(value: &str) -> Option<u64> {
    let canonical = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    canonical.then(|| value.parse().ok()).flatten()
}

/// The `upload_file` part of a `file/upload` request.
pub(super) struct ReceivedFile {
    /// The part's filename, cleaned, without any directory.
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) bytes: ReceivedBytes,
}

pub(super) enum ReceivedBytes {
    Stored(WrittenBlob),
    /// More than the account may upload: the bytes were counted and dropped.
    OverLimit,
    Failed(io::Error),
}

/// Where an upload goes and how much of it is worth keeping.
pub(super) struct UploadSink<'a> {
    pub(super) temp_dir: &'a Path,
    /// The size limit of the account named by the fields read so far, if known.
    pub(super) limit: &'a (dyn Fn(&Params) -> Option<u64> + Sync),
}

pub(super) struct Incoming {
    pub(super) params: Params,
    pub(super) upload: Option<ReceivedFile>,
}

/// Reads the parameters (and, with a sink, the uploaded file).
pub(super) async fn read(request: Request, sink: Option<UploadSink<'_>>) -> Incoming {
    let mut incoming = Incoming {
        params: Params::default(),
        upload: None,
    };
    if request.method() == Method::GET {
        if let Some(query) = request.uri().query() {
            for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
                incoming.params.insert(&name, &value);
            }
        }
        return incoming;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        if let Ok(multipart) = Multipart::from_request(request, &()).await {
            read_multipart(multipart, sink, &mut incoming).await;
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        if let Ok(body) = to_bytes(request.into_body(), TEXT_LIMIT).await {
            for (name, value) in url::form_urlencoded::parse(&body) {
                incoming.params.insert(&name, &value);
            }
        }
    } else {
        // PHP fills `$_POST` only from forms: a JSON (or any other) body is read and ignored.
        drain(request.into_body()).await;
    }
    incoming
}

async fn drain(body: Body) {
    let _ = to_bytes(body, TEXT_LIMIT).await;
}

async fn read_multipart(
    mut multipart: Multipart,
    sink: Option<UploadSink<'_>>,
    incoming: &mut Incoming,
) {
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return,
            Err(_) => {
                // A broken body (the client went away): whatever file was half received is
                // not an upload.
                incoming.upload = None;
                return;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(base_name);
        match (file_name, &sink) {
            (Some(file_name), Some(sink))
                if name == "upload_file" && !file_name.is_empty() && incoming.upload.is_none() =>
            {
                let limit = (sink.limit)(&incoming.params);
                match receive_file(&mut field, sink.temp_dir, limit).await {
                    Some((size, bytes)) => {
                        incoming.upload = Some(ReceivedFile {
                            name: file_name,
                            size,
                            bytes,
                        })
                    }
                    None => return,
                }
            }
            (Some(_), _) => {
                if skip_field(&mut field).await.is_none() {
                    return;
                }
            }
            (None, _) => match read_text(&mut field).await {
                Some(text) => incoming.params.insert(&name, &text),
                None => return,
            },
        }
    }
}

/// The last path component of a client's filename, cleaned like every value.
fn base_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    clean(last)
}

async fn read_text(field: &mut Field<'_>) -> Option<String> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        let room = TEXT_LIMIT.saturating_sub(text.len());
        text.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Some(String::from_utf8_lossy(&text).into_owned())
}

async fn skip_field(field: &mut Field<'_>) -> Option<()> {
    while field.chunk().await.ok()?.is_some() {}
    Some(())
}

/// Streams the part to a temp file while counting; past `limit` the bytes are only counted.
/// `None` when the body broke off.
async fn receive_file(
    field: &mut Field<'_>,
    temp_dir: &Path,
    limit: Option<u64>,
) -> Option<(u64, ReceivedBytes)> {
    let mut writer = match BlobWriter::create(temp_dir).await {
        Ok(writer) => Some(writer),
        Err(error) => {
            let size = count_rest(field).await?;
            return Some((size, ReceivedBytes::Failed(error)));
        }
    };
    let mut size = 0u64;
    let mut over_limit = false;
    while let Some(chunk) = field.chunk().await.ok()? {
        size += chunk.len() as u64;
        if limit.is_some_and(|limit| size > limit) {
            over_limit = true;
            writer = None;
        }
        if let Some(open) = &writer
            && !open.write(chunk).await
        {
            // The disk side failed; keep reading so the reply can say so.
            let failed = writer.take()?;
            let error = match failed.finish().await {
                Err(error) => error,
                Ok(_) => io::Error::other("upload writer stopped early"),
            };
            let rest = count_rest(field).await?;
            return Some((size + rest, ReceivedBytes::Failed(error)));
        }
    }
    let bytes = match writer {
        Some(writer) => match writer.finish().await {
            Ok(blob) => ReceivedBytes::Stored(blob),
            Err(error) => ReceivedBytes::Failed(error),
        },
        None if over_limit => ReceivedBytes::OverLimit,
        None => ReceivedBytes::Failed(io::Error::other("upload writer missing")),
    };
    Some((size, bytes))
}

async fn count_rest(field: &mut Field<'_>) -> Option<u64> {
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.ok()? {
        size += chunk.len() as u64;
    }
    Some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_lowercased_and_trimmed() {
        let route = Route::parse("/File/Info/");
        assert_eq!(
            (route.endpoint.as_str(), route.action.as_str()),
            ("file", "info")
        );
        let route = Route::parse("/authorize");
        assert_eq!(
            (route.endpoint.as_str(), route.action.as_str()),
            ("authorize", "index")
        );
        let route = Route::parse("/folder/listing/extra/segments");
        assert_eq!(route.action, "listing");
        assert_eq!(Route::parse("").endpoint, "");
    }

    #[test]
    fn values_are_tag_stripped_and_trimmed() {
        assert_eq!(clean("  a<b>c.txt \n"), "ac.txt");
        assert_eq!(clean("<script>alert(1)</script>x"), "alert(1)x");
        assert_eq!(clean("a < b"), "a < b");
        assert_eq!(clean("x<a title=\"1>2\">y"), "xy");
        assert_eq!(clean("tail <unclosed"), "tail");
        assert_eq!(clean("\0\x0Bname\t"), "name");
    }

    #[test]
    fn ids_follow_php_casts() {
        assert_eq!(php_int("12abc"), 12);
        assert_eq!(php_int("abc"), 0);
        assert_eq!(php_int("-5"), -5);
        assert_eq!(php_int(""), 0);
        assert_eq!(php_int("99999999999999999999999"), i64::MAX);
        assert_eq!(lookup_id("12abc"), Some(12));
        assert_eq!(lookup_id("0"), None);
        assert_eq!(lookup_id("-3"), None);
        assert_eq!(exact_id("12"), Some(12));
        assert_eq!(exact_id("012"), None);
        assert_eq!(exact_id("12abc"), None);
        assert_eq!(exact_id(""), None);
    }
}
