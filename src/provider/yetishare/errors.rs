//! Reading YetiShare replies: the `_status` envelope, and failures -> [`ProviderError`]. The
//! host's messages are its only error codes, so they are classified here, once.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::http;
use crate::provider::{ErrorKind, ProviderError, Result};

/// Longest host message we pass on; some wrap a whole upstream reply.
const MAX_MESSAGE_CHARS: usize = 300;

/// Why an API call failed.
#[derive(Debug)]
pub(super) enum CallError {
    /// The host no longer accepts our access token (expired, or revoked by a newer authorize):
    /// authorizing again can fix it.
    SessionRejected(ProviderError),
    /// Anything else; authorizing again would not help.
    Failed(ProviderError),
}

impl From<ProviderError> for CallError {
    fn from(e: ProviderError) -> Self {
        CallError::Failed(e)
    }
}

impl From<http::HttpError> for CallError {
    fn from(e: http::HttpError) -> Self {
        CallError::Failed(e.into())
    }
}

impl From<CallError> for ProviderError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::SessionRejected(e) | CallError::Failed(e) => e,
        }
    }
}

/// A successful reply: the whole JSON object (`file/copy` has no top-level `data`).
#[derive(Debug)]
pub(super) struct Reply(pub Map<String, Value>);

impl Reply {
    /// The `data` member as `T`.
    pub fn data<T: DeserializeOwned>(&self, host: &str) -> Result<T> {
        match self.0.get("data") {
            Some(data) => from_value(data, host),
            None => Err(ProviderError::fatal(format!(
                "unexpected reply from {host}: no data"
            ))),
        }
    }

    /// The `data` member as `T`, or `T::default()` when the host sent no object (`null`, `false`,
    /// `[]` or nothing: what PHP makes of an empty result).
    pub fn data_or_default<T: DeserializeOwned + Default>(&self, host: &str) -> Result<T> {
        match self.0.get("data") {
            Some(data @ Value::Object(_)) => from_value(data, host),
            _ => Ok(T::default()),
        }
    }

    /// The whole reply as `T`.
    pub fn whole<T: DeserializeOwned>(&self, host: &str) -> Result<T> {
        T::deserialize(Value::Object(self.0.clone()))
            .map_err(|e| ProviderError::fatal(format!("unexpected reply from {host}: {e}")))
    }
}

fn from_value<T: DeserializeOwned>(value: &Value, host: &str) -> Result<T> {
    T::deserialize(value)
        .map_err(|e| ProviderError::fatal(format!("unexpected reply from {host}: {e}")))
}

/// Read an API reply: HTTP status, then the `_status` envelope (or `status`, as the vendor page
/// spells it).
pub(super) fn parse_reply(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    host: &str,
) -> Result<Reply, CallError> {
    if !status.is_success() {
        return Err(from_http(status, headers, body, host));
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(unexpected_reply(host, body).into());
    };
    let outcome = map
        .get("_status")
        .or_else(|| map.get("status"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    match outcome.as_deref() {
        Some("success") => Ok(Reply(map)),
        Some("error") => {
            let message = message_of(&Value::Object(map))
                .unwrap_or_else(|| format!("{host} reported an error without a message"));
            Err(from_message(&message))
        }
        _ => Err(unexpected_reply(host, body).into()),
    }
}

/// The error for a host message from an `_status: "error"` reply.
pub(super) fn from_message(raw: &str) -> CallError {
    let message = one_line(raw);
    if is_session_rejected(raw) {
        return CallError::SessionRejected(ProviderError::auth(message));
    }
    CallError::Failed(ProviderError::new(kind_of(raw), message))
}

/// "Could not validate access_token and account_id, ..." (and the older "access_token"-only form).
fn is_session_rejected(message: &str) -> bool {
    message
        .to_ascii_lowercase()
        .contains("could not validate access_token")
}

/// What a host message means. Order matters: the auth messages contain "please provide" too, and
/// "Filesize received was zero." would otherwise look like a size limit.
pub(super) fn kind_of(message: &str) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    if has(&[
        "could not validate access_token",
        "could not authenticate user",
        "must be 64 characters",
        "please provide a username",
        "please provide a password",
        "does not have access to the file upload api",
        "must be an admin user",
    ]) {
        ErrorKind::Auth
    } else if has(&["not available in demo mode", "curl module does not exist"]) {
        ErrorKind::Unsupported
    } else if has(&["filesize received was zero"]) {
        ErrorKind::InvalidInput
    } else if has(&["could not find"]) {
        ErrorKind::NotFound
    } else if has(&["too many requests", "rate limit", "request limit"]) {
        ErrorKind::RateLimited
    } else if has(&[
        "too large",
        "too big",
        "exceed",
        "maximum",
        "max_",
        "storage",
        "quota",
        "limit",
        "not enough space",
        "filesize",
        "file size",
    ]) {
        ErrorKind::Quota
    } else if has(&[
        "no response received from",
        "error uploading file to",
        "failed reading response from",
        "failed issuing access token",
    ]) {
        ErrorKind::Transient
    } else if has(&[
        "please provide",
        "can not match",
        "could not parse",
        "not allowed",
        "not permitted",
        "invalid",
    ]) {
        ErrorKind::InvalidInput
    } else {
        ErrorKind::Fatal
    }
}

/// The error for a reply that is not HTTP 2xx. A 404 carrying the API's own JSON ("No endpoint
/// found for: ..." as a bare string, or `{"0": "No method found within endpoint ..."}`) means the
/// host has no such API call; anything else goes through [`http::HttpError::status`] with a short
/// excerpt of the body.
pub(super) fn from_http(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    host: &str,
) -> CallError {
    let api_message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| message_of(&v));
    if status == StatusCode::NOT_FOUND
        && let Some(message) = &api_message
    {
        return CallError::Failed(ProviderError::unsupported(format!(
            "{host} does not offer this API call: {}",
            one_line(message)
        )));
    }
    let mut error = ProviderError::from(http::HttpError::status(status, headers, host));
    let detail = api_message.map_or_else(|| http::body_excerpt(body), |m| one_line(&m));
    if !detail.is_empty() {
        error.message = format!("{}: {detail}", error.message);
    }
    if status == StatusCode::NOT_FOUND {
        // Not the API's own 404: this URL is no YetiShare API, whatever the call asked for.
        error.kind = ErrorKind::Fatal;
        error.message = format!("{} (is the account's base URL right?)", error.message);
    }
    if status == StatusCode::UNAUTHORIZED {
        CallError::SessionRejected(error)
    } else {
        CallError::Failed(error)
    }
}

/// The message of an error body: a bare JSON string, `response`, or the `"0"` key.
pub(super) fn message_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => ["response", "0"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_str))
            .map(str::to_owned),
        _ => None,
    }
}

/// A reply that is not the JSON we expect (an HTML page, a proxy error, malformed JSON).
pub(super) fn unexpected_reply(host: &str, body: &[u8]) -> ProviderError {
    let excerpt = http::body_excerpt(body);
    if excerpt.is_empty() {
        ProviderError::fatal(format!("{host} sent an empty reply"))
    } else {
        ProviderError::fatal(format!("unexpected reply from {host}: {excerpt}"))
    }
}

/// A host message made fit to show: one line, no control characters, URLs without their query
/// values, and not overly long.
pub(super) fn one_line(raw: &str) -> String {
    let words: Vec<String> = raw
        .split_whitespace()
        .map(|word| {
            if word.starts_with("http://") || word.starts_with("https://") {
                let url = word.trim_end_matches(['.', ',', ';', ':', ')']);
                format!("{}{}", http::redact_url(url), &word[url.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect();
    let line = words.join(" ");
    let line = crate::sanitize::for_terminal(&line);
    if line.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = line.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}...")
    } else {
        line.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(e: CallError) -> (bool, ErrorKind, String) {
        match e {
            CallError::SessionRejected(e) => (true, e.kind, e.message),
            CallError::Failed(e) => (false, e.kind, e.message),
        }
    }

    #[test]
    fn host_messages_map_to_kinds() {
        let cases = [
            (
                "Could not authenticate user. The key pair may be invalid or your account may be locked from too many failed logins.",
                ErrorKind::Auth,
            ),
            (
                "Could not authenticate user. The username and password may be invalid or your account may be locked from too many failed logins..",
                ErrorKind::Auth,
            ),
            (
                "Please provide key1. It must be 64 characters in length.",
                ErrorKind::Auth,
            ),
            ("Please provide a password.", ErrorKind::Auth),
            (
                "Your account level does not have access to the file upload API. Please contact site support for more information.",
                ErrorKind::Auth,
            ),
            ("Could not find file based on file_id.", ErrorKind::NotFound),
            (
                "Could not find the destination folder id defined by new_parent_folder_id.",
                ErrorKind::NotFound,
            ),
            ("Filesize received was zero.", ErrorKind::InvalidInput),
            (
                "Error on: https://h/api_upload_handler. File is too large.",
                ErrorKind::Quota,
            ),
            (
                "Error on: https://h/x. You have reached the maximum permitted storage.",
                ErrorKind::Quota,
            ),
            (
                "This API feature is not available in demo mode.",
                ErrorKind::Unsupported,
            ),
            (
                "Error uploading file. No response received from: https://h/up",
                ErrorKind::Transient,
            ),
            (
                "Please provide the folder_name param.",
                ErrorKind::InvalidInput,
            ),
            (
                "Param folder_id can not match new_parent_folder_id.",
                ErrorKind::InvalidInput,
            ),
            ("Failed deleting the folder.", ErrorKind::Fatal),
        ];
        for (message, expected) in cases {
            let (rejected, got, text) = kind(from_message(message));
            assert!(!rejected, "{message}");
            assert_eq!(got, expected, "{message}");
            assert!(text.starts_with(&message[..20]), "host text kept: {text}");
        }
    }

    #[test]
    fn token_rejection_is_recognised() {
        for message in [
            "Could not validate access_token and account_id, please reauthenticate or try again.",
            "Could not validate access_token, please reauthenticate or try again.",
        ] {
            let (rejected, kind_, _) = kind(from_message(message));
            assert!(rejected);
            assert_eq!(kind_, ErrorKind::Auth);
        }
    }

    #[test]
    fn unknown_routes_are_unsupported() {
        let h = HeaderMap::new();
        let (_, k, m) = kind(from_http(
            StatusCode::NOT_FOUND,
            &h,
            br#""No endpoint found for: nope""#,
            "h",
        ));
        assert_eq!(k, ErrorKind::Unsupported);
        assert!(m.contains("No endpoint found for: nope"));
        let (_, k, m) = kind(from_http(
            StatusCode::NOT_FOUND,
            &h,
            br#"{"0":"No method found within endpoint (file): xyz","_status":"error","_datetime":"2024-09-12 05:49:34"}"#,
            "h",
        ));
        assert_eq!(k, ErrorKind::Unsupported);
        assert!(m.contains("No method found within endpoint (file): xyz"));
    }

    #[test]
    fn http_failures_keep_status_kinds() {
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "30".parse().unwrap());
        let e = ProviderError::from(from_http(
            StatusCode::TOO_MANY_REQUESTS,
            &h,
            b"<html>\n<body>slow down</body></html>",
            "h",
        ));
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(30)));
        assert!(!e.message.contains('\n'));
        let h = HeaderMap::new();
        let (_, k, _) = kind(from_http(StatusCode::BAD_GATEWAY, &h, b"", "h"));
        assert_eq!(k, ErrorKind::Transient);
        let (rejected, k, _) = kind(from_http(StatusCode::UNAUTHORIZED, &h, b"", "h"));
        assert!(rejected);
        assert_eq!(k, ErrorKind::Auth);
        let (_, k, m) = kind(from_http(
            StatusCode::NOT_FOUND,
            &h,
            b"<html>404</html>",
            "h",
        ));
        assert_eq!(k, ErrorKind::Fatal);
        assert!(m.contains("<html>404</html>") && m.contains("base URL"));
    }

    #[test]
    fn messages_are_one_safe_line() {
        let m = one_line(
            "Failed reading response from: https://h/up?api_key=SECRET.\nResponse: \u{1b}[2J<b>x</b>",
        );
        assert_eq!(
            m,
            "Failed reading response from: https://h/up?api_key=***. Response: ?[2J<b>x</b>"
        );
        assert!(one_line(&"x".repeat(1000)).chars().count() <= MAX_MESSAGE_CHARS + 3);
    }

    #[test]
    fn envelopes() {
        let h = HeaderMap::new();
        let ok = StatusCode::OK;
        let reply = parse_reply(ok, &h, br#"{"data":{"a":"1"},"_status":"success"}"#, "h");
        assert!(reply.is_ok());
        let e: ProviderError = parse_reply(
            ok,
            &h,
            br#"{"status":"error","response":"Could not find file based on file_id.","_datetime":"x"}"#,
            "h",
        )
        .unwrap_err()
        .into();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.message, "Could not find file based on file_id.");
        let rejected = parse_reply(
            ok,
            &h,
            br#"{"response":"Could not validate access_token and account_id, please reauthenticate or try again.","_status":"error"}"#,
            "h",
        );
        assert!(matches!(rejected, Err(CallError::SessionRejected(_))));
        for body in [
            &b"<!DOCTYPE html>\n<html><head><title>Maintenance</title>"[..],
            b"{\"_status\":\"success\",",
            b"",
            b"\"just a string\"",
            b"{\"data\":{}}",
        ] {
            let e: ProviderError = parse_reply(ok, &h, body, "h").unwrap_err().into();
            assert_eq!(e.kind, ErrorKind::Fatal);
            assert!(!e.message.contains('\n'), "{}", e.message);
        }
    }
}
