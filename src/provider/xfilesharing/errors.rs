//! Reading XFS replies: the `{status, msg, result, server_time}` envelope (always HTTP 200), and
//! failures -> [`ProviderError`]. The host's only error codes are an HTTP-like `status` and a
//! short `msg`, so both are classified here, once.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::site::Site;
use crate::http;
use crate::provider::json::u64_of;
use crate::provider::{ErrorKind, ProviderError, Result};

/// Longest host message we pass on.
const MAX_MESSAGE_CHARS: usize = 300;
/// The envelope's one success status.
const STATUS_OK: u64 = 200;

/// A successful reply.
#[derive(Debug)]
pub(super) struct Reply {
    /// The top-level object (`sess_id`, `server_time`, `msg`); empty for a bare array.
    top: Map<String, Value>,
    /// `result`, or the whole body when the site sent no envelope.
    result: Option<Value>,
    host: String,
}

impl Reply {
    /// `result` as `T`; an error when there is none.
    pub fn result_as<T: DeserializeOwned>(&self) -> Result<T> {
        match &self.result {
            Some(result) => T::deserialize(result).map_err(|e| self.unexpected(e)),
            None => Err(ProviderError::fatal(format!(
                "unexpected reply from {}: no result",
                self.host
            ))),
        }
    }

    /// `result` as `T`, or `T::default()` when it is missing, `null`, `false` or `[]`.
    pub fn result_or_default<T: DeserializeOwned + Default>(&self) -> Result<T> {
        match &self.result {
            Some(Value::Null | Value::Bool(false)) | None => Ok(T::default()),
            Some(Value::Array(items)) if items.is_empty() => Ok(T::default()),
            Some(result) => T::deserialize(result).map_err(|e| self.unexpected(e)),
        }
    }

    /// `result` as sent.
    pub fn result(&self) -> Option<&Value> {
        self.result.as_ref()
    }

    /// A top-level field (`sess_id` sits beside `result` in `upload/server`).
    pub fn top(&self, key: &str) -> Option<&Value> {
        self.top.get(key)
    }

    /// The envelope's message, when it says more than "OK".
    pub fn message(&self) -> Option<&str> {
        self.top
            .get("msg")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|m| !m.is_empty() && !m.eq_ignore_ascii_case("ok"))
    }

    fn unexpected(&self, e: serde_json::Error) -> ProviderError {
        ProviderError::fatal(format!("unexpected reply from {}: {e}", self.host))
    }
}

/// Read an API reply: the JSON envelope first (whatever the HTTP status), then the HTTP status.
pub(super) fn parse_reply(
    endpoint: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    site: &Site,
) -> Result<Reply> {
    let host = site.host.clone();
    match parse_json(body) {
        Some(Value::Object(top)) if top.contains_key("status") || top.contains_key("msg") => {
            let code = top.get("status").map(status_code);
            let msg = top.get("msg").and_then(Value::as_str);
            let succeeded = match code {
                Some(code) => code == Some(STATUS_OK),
                // FileQ samples leave the status out of successful replies.
                None => msg.is_none_or(|m| m.trim().eq_ignore_ascii_case("ok")),
            };
            if !succeeded || !status.is_success() {
                let code = code.flatten().or(Some(u64::from(status.as_u16())));
                return Err(refusal(site, endpoint, code, msg));
            }
            let result = top.get("result").cloned();
            Ok(Reply { top, result, host })
        }
        Some(_) if !status.is_success() => Err(from_http(endpoint, status, headers, body, site)),
        Some(Value::Object(top)) => Ok(Reply {
            result: Some(Value::Object(top)),
            top: Map::new(),
            host,
        }),
        Some(bare) => Ok(Reply {
            top: Map::new(),
            result: Some(bare),
            host,
        }),
        None if !status.is_success() => Err(from_http(endpoint, status, headers, body, site)),
        None => Err(unexpected_reply(&host, endpoint, body)),
    }
}

/// `status` as a number: `200`, `"200"`, or `"OK"`. `None` when it is something else.
fn status_code(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) if s.trim().eq_ignore_ascii_case("ok") => Some(STATUS_OK),
        other => u64_of(other),
    }
}

/// JSON as sent, or with its trailing commas dropped (the vendor page's samples have them).
pub(super) fn parse_json(body: &[u8]) -> Option<Value> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    serde_json::from_slice(body)
        .ok()
        .or_else(|| serde_json::from_slice(&without_trailing_commas(body)).ok())
}

/// `body` without any comma that directly precedes a `}` or `]` (outside strings).
fn without_trailing_commas(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut open_comma: Option<usize> = None;
    for &byte in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            out.push(byte);
            continue;
        }
        match byte {
            b',' => open_comma = Some(out.len()),
            b'}' | b']' => {
                if let Some(at) = open_comma.take() {
                    out.remove(at);
                }
            }
            b if b.is_ascii_whitespace() => {}
            b => {
                in_string = b == b'"';
                open_comma = None;
            }
        }
        out.push(byte);
    }
    out
}

/// The error for an envelope that says no: `action` is the endpoint (or "the upload").
pub(super) fn refusal(
    site: &Site,
    action: &str,
    code: Option<u64>,
    msg: Option<&str>,
) -> ProviderError {
    let text = msg.map(one_line).filter(|m| !m.is_empty());
    let kind = kind_of(text.as_deref().unwrap_or(""), code);
    let text = text.unwrap_or_else(|| match code {
        Some(code) => format!("status {code} without a message"),
        None => "no reason given".to_owned(),
    });
    let message = if action == "file/direct_link" && kind == ErrorKind::Unsupported {
        format!(
            "{} gives this account no direct download links ({text}): downloading through \
             the API needs a premium plan or direct-link traffic",
            site.host
        )
    } else {
        format!("{} refused {action}: {text}", site.host)
    };
    ProviderError::new(kind, message)
}

/// What a host message (and its status, when the message says nothing known) means. Order
/// matters: "Invalid key" is about the key, not the input.
pub(super) fn kind_of(message: &str, code: Option<u64>) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    if has(&["key", "auth", "login", "banned", "suspended"]) {
        ErrorKind::Auth
    } else if has(&[
        "not exist",
        "not found",
        "no file",
        "no such",
        "don't have such",
        "not yours",
    ]) {
        ErrorKind::NotFound
    } else if has(&["not enabled", "disabled", "not supported", "not available"]) {
        ErrorKind::Unsupported
    } else if has(&["too many", "rate limit", "slow down", "flood"]) {
        ErrorKind::RateLimited
    } else if has(&[
        "limit",
        "quota",
        "exceed",
        "not enough",
        "too big",
        "too large",
        "maximum",
        "no space",
    ]) {
        ErrorKind::Quota
    } else if has(&[
        "no name",
        "invalid",
        "wrong",
        "required",
        "missing",
        "empty",
        "null filesize",
        "not allowed",
    ]) {
        ErrorKind::InvalidInput
    } else {
        match code {
            Some(400) => ErrorKind::InvalidInput,
            Some(401 | 403) => ErrorKind::Auth,
            Some(404 | 410) => ErrorKind::NotFound,
            Some(429) => ErrorKind::RateLimited,
            Some(500..=599) => ErrorKind::Transient,
            _ => ErrorKind::Fatal,
        }
    }
}

/// The error for an HTTP failure without an envelope. A 404 page means the site's API has no
/// such endpoint; Cloudflare's 52x pages are transient, as [`http::HttpError::status`] says.
fn from_http(
    endpoint: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    site: &Site,
) -> ProviderError {
    if status == StatusCode::NOT_FOUND && endpoint == "account/info" {
        // Every XFS site has this one: the URL is not an XFS API root.
        return ProviderError::fatal(format!(
            "no XFileSharing API at {} (account/info answered HTTP 404); is that the site's \
             API root, like https://kenfiles.com/api?",
            site.api_root
        ));
    }
    if status == StatusCode::NOT_FOUND {
        return ProviderError::unsupported(format!(
            "{} API has no {endpoint} (HTTP 404 at {})",
            site.possessive(),
            site.api_root
        ));
    }
    let mut error = ProviderError::from(http::HttpError::status(status, headers, &site.host));
    let excerpt = one_line(&http::body_excerpt(body));
    if !excerpt.is_empty() {
        error.message = format!("{}: {excerpt}", error.message);
    }
    error
}

/// A 2xx reply that is not JSON (a maintenance or proxy page): worth trying again later.
pub(super) fn unexpected_reply(host: &str, action: &str, body: &[u8]) -> ProviderError {
    let excerpt = one_line(&http::body_excerpt(body));
    if excerpt.is_empty() {
        ProviderError::transient(format!("{host} sent an empty reply to {action}"))
    } else {
        ProviderError::transient(format!(
            "unexpected reply from {host} to {action}: {excerpt}"
        ))
    }
}

/// Host text made fit to show: one line, no control characters, no query values in URLs or
/// `key=` parameters, and not overly long.
pub(super) fn one_line(raw: &str) -> String {
    let words: Vec<String> = raw
        .split_whitespace()
        .map(|word| {
            if word.starts_with("http://") || word.starts_with("https://") {
                let url = word.trim_end_matches(['.', ',', ';', ':', ')', '"', '\'']);
                format!("{}{}", http::redact_url(url), &word[url.len()..])
            } else {
                without_key_values(word)
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

/// `word` with the value of every `key=` parameter replaced by `***` (relative URLs in pages).
fn without_key_values(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(at) = rest.to_ascii_lowercase().find("key=") {
        let (head, tail) = rest.split_at(at + "key=".len());
        out.push_str(head);
        let value_len = tail
            .find(['&', '"', '\'', '<', '>', ')', ';', ','])
            .unwrap_or(tail.len());
        if value_len > 0 {
            out.push_str("***");
        }
        rest = &tail[value_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site::parse("https://kenfiles.com/api").unwrap()
    }

    fn parse(body: &str) -> Result<Reply> {
        parse_reply(
            "x/y",
            StatusCode::OK,
            &HeaderMap::new(),
            body.as_bytes(),
            &site(),
        )
    }

    #[test]
    fn status_as_number_string_or_missing() {
        for body in [
            r#"{"status":200,"msg":"OK","result":{"a":1},"server_time":"2021-10-22 04:51:54"}"#,
            r#"{"msg":"OK","result":{"a":1},"status":"200"}"#,
            r#"{"result":{"a":1},"msg":"OK"}"#,
        ] {
            let reply = parse(body).unwrap();
            assert_eq!(reply.result().unwrap()["a"], 1, "{body}");
            assert_eq!(reply.message(), None);
        }
        let e = parse(r#"{"status":"400","msg":"Invalid key","server_time":"x"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.message, "kenfiles.com refused x/y: Invalid key");
        let e = parse(r#"{"msg":"Wrong auth"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        let e = parse(r#"{"status":503}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient);
        assert_eq!(
            e.message,
            "kenfiles.com refused x/y: status 503 without a message"
        );
    }

    #[test]
    fn bare_replies_are_results() {
        let reply = parse(r#"[{"file_code":"b578rni0e1ka","file_status":"OK"}]"#).unwrap();
        assert_eq!(reply.result().unwrap()[0]["file_code"], "b578rni0e1ka");
        let reply = parse(r#"{"url":"https://h/abc","filecode":"abc"}"#).unwrap();
        assert_eq!(reply.result().unwrap()["filecode"], "abc");
        let reply = parse(r#""true""#).unwrap();
        assert_eq!(reply.result(), Some(&Value::from("true")));
        assert!(
            parse(r#"{"status":200,"msg":"OK"}"#)
                .unwrap()
                .result()
                .is_none()
        );
    }

    #[test]
    fn vendor_samples_with_trailing_commas_still_parse() {
        let reply = parse("[\n{\n\"file_code\": \"b578rni0e1ka\",\n}\n]").unwrap();
        assert_eq!(reply.result().unwrap()[0]["file_code"], "b578rni0e1ka");
        let repaired = without_trailing_commas(br#"{"a":"x,}","b":[1,2,],}"#);
        assert_eq!(repaired, br#"{"a":"x,}","b":[1,2]}"#);
        // A missing comma is beyond repair: an error, not a panic.
        assert!(parse("{\"result\": [1]\n\"status\": 200}").is_err());
    }

    #[test]
    fn observed_refusals_map_to_kinds() {
        let cases = [
            (400, "Invalid key", ErrorKind::Auth),
            (403, "Invalid key", ErrorKind::Auth),
            (403, "Wrong auth", ErrorKind::Auth),
            (403, "Folder not exist or not yours", ErrorKind::NotFound),
            (
                403,
                "Your account don't have such folder",
                ErrorKind::NotFound,
            ),
            (403, "Not enabled", ErrorKind::Unsupported),
            (404, "no file", ErrorKind::NotFound),
            (400, "No name", ErrorKind::InvalidInput),
            (
                200,
                "null filesize or wrong file path",
                ErrorKind::InvalidInput,
            ),
            (
                200,
                "uploads are not enabled for your account type",
                ErrorKind::Unsupported,
            ),
            (200, "Unauthorized", ErrorKind::Auth),
            (200, "Max filesize limit exceeded", ErrorKind::Quota),
            (429, "Too many requests", ErrorKind::RateLimited),
            (403, "Forbidden", ErrorKind::Auth),
            (404, "gone", ErrorKind::NotFound),
            (500, "DB error", ErrorKind::Transient),
            (418, "teapot", ErrorKind::Fatal),
        ];
        for (code, message, expected) in cases {
            assert_eq!(kind_of(message, Some(code)), expected, "{code} {message}");
        }
    }

    #[test]
    fn direct_link_refusals_say_why() {
        let e = refusal(&site(), "file/direct_link", Some(403), Some("Not enabled"));
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(
            e.message.contains("premium plan or direct-link traffic"),
            "{}",
            e.message
        );
        let e = refusal(&site(), "file/direct_link", Some(404), Some("no file"));
        assert_eq!(e.kind, ErrorKind::NotFound);
    }

    #[test]
    fn http_failures() {
        let h = HeaderMap::new();
        let page = b"<html>\n<h1>Not Found</h1> /api/files/deleted?key=SECRETKEY1234</html>";
        let e = parse_reply("files/deleted", StatusCode::NOT_FOUND, &h, page, &site()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert_eq!(
            e.message,
            "kenfiles' API has no files/deleted (HTTP 404 at https://kenfiles.com/api)"
        );
        let e = parse_reply("account/info", StatusCode::NOT_FOUND, &h, page, &site()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Fatal);
        assert!(
            e.message
                .starts_with("no XFileSharing API at https://kenfiles.com/api")
        );
        let cloudflare = b"<html><title>522: Connection timed out</title>\n</html>";
        let e = parse_reply(
            "a/b",
            StatusCode::from_u16(522).unwrap(),
            &h,
            cloudflare,
            &site(),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient);
        assert!(e.message.contains("522") && !e.message.contains('\n'));
        let e = parse_reply(
            "a/b",
            StatusCode::FORBIDDEN,
            &h,
            br#"{"status":403,"msg":"Not enabled"}"#,
            &site(),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        let e = parse("<html>maintenance</html>").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient);
        assert!(e.message.contains("maintenance"));
        assert_eq!(
            parse("").unwrap_err().message,
            "kenfiles.com sent an empty reply to x/y"
        );
    }

    #[test]
    fn messages_hide_keys_and_stay_on_one_line() {
        let m = one_line("see https://h/api/x?key=SECRET.\nor /api/y?key=SECRET&a=1 \u{1b}[2J");
        assert_eq!(m, "see https://h/api/x?key=***. or /api/y?key=***&a=1 ?[2J");
        assert!(one_line(&"x".repeat(1000)).chars().count() <= MAX_MESSAGE_CHARS + 3);
        assert_eq!(without_key_values("API_KEY=abc\"x"), "API_KEY=***\"x");
    }

    #[test]
    fn results_default_when_empty() {
        let reply = parse(r#"{"status":200,"msg":"OK","result":[]}"#).unwrap();
        let folders: Map<String, Value> = reply.result_or_default().unwrap();
        assert!(folders.is_empty());
        let e = reply.result_as::<Map<String, Value>>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Fatal);
        let reply = parse(r#"{"status":200,"msg":"WORKING","server_time":"x"}"#).unwrap();
        assert_eq!(reply.message(), Some("WORKING"));
        assert_eq!(
            parse(r#"{"msg":"Not enabled"}"#).unwrap_err().kind,
            ErrorKind::Unsupported
        );
    }
}
