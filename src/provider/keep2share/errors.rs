//! Keep2Share's error replies in words: every `errorCode` and download sub-code in the protocol
//! notes, mapped to an [`ErrorKind`] here and nowhere else.

use std::time::Duration;

use serde_json::Value;

use crate::http::redact_url;
use crate::provider::json::{string_of, u64_of};
use crate::provider::{ChallengeKind, ErrorKind, ProviderError};

/// The wait the notes give for HTTP 429 without `Retry-After` ("please wait 1 minute").
pub(super) const RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);
/// Longest wait we pass on from a host field, so a silly value can't park a task for days.
const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);
/// Longest host message we quote.
const MAX_QUOTE: usize = 200;

const ONE_AT_A_TIME: &str =
    "free accounts download one file at a time: wait for the running download to finish";

/// An `errorCode`: a number (also sent as a numeric string) or one of the string codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ErrorCode {
    Number(i64),
    Text(String),
}

impl ErrorCode {
    fn of(v: &Value) -> Option<ErrorCode> {
        match v {
            Value::Number(n) => n.as_i64().map(ErrorCode::Number),
            Value::String(s) => Some(match s.trim().parse::<i64>() {
                Ok(n) => ErrorCode::Number(n),
                Err(_) => ErrorCode::Text(s.trim().to_string()),
            }),
            _ => None,
        }
    }
}

/// One entry of `errors`: a download sub-code (`{code, message, timeRemaining}`) or a plain string.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Detail {
    code: Option<i64>,
    message: Option<String>,
    time_remaining: Option<Duration>,
}

/// An error reply from the API or the upload node, with host text already made safe to show.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ApiError {
    /// The body's `code` (or `status_code`), else the HTTP status.
    pub status: u16,
    pub error_code: Option<ErrorCode>,
    pub message: Option<String>,
    details: Vec<Detail>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<Duration>,
}

/// What to do about an error reply.
#[derive(Debug)]
pub(super) enum Reaction {
    /// The session token was refused (10, 11, a bare 403): log in again once and repeat the
    /// request. Fail with this error when that is impossible or did not help.
    Relogin(ProviderError),
    /// The session can't be used from here any more (75): forget it, fail, don't retry.
    EndSession(ProviderError),
    /// A person must answer a captcha: the caller fetches a fresh challenge.
    Captcha(CaptchaDemand),
    Fail(ProviderError),
}

/// A captcha the host asks for (30, 33), or a refused answer or key that needs a new one (31, 40).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CaptchaDemand {
    /// The kind of challenge to fetch; `None` for "another of the kind just answered" (31).
    pub kind: Option<ChallengeKind>,
    pub message: String,
}

/// Host text as one safe line: no control characters, no query strings, not too long, and none
/// of the `secrets` (password, tokens) the request carried.
pub(super) fn safe_text(text: &str, secrets: &[&str]) -> String {
    let mut line = text
        .split_whitespace()
        .map(|word| {
            if word.starts_with("http://") || word.starts_with("https://") {
                redact_url(word)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        line = line.replace(secret, "***");
    }
    let mut line = crate::sanitize::for_terminal(&line).into_owned();
    if line.chars().count() > MAX_QUOTE {
        line = line.chars().take(MAX_QUOTE).collect::<String>() + "...";
    }
    line
}

/// A seconds field that may be a number or a string like `"2521.000000"`.
pub(super) fn seconds_of(v: &Value) -> Option<Duration> {
    let secs = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.ceil()).min(MAX_WAIT))
}

/// A wait in words: "45 s", "12 min", "1 h 5 min".
pub(super) fn human_wait(wait: Duration) -> String {
    let secs = wait.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

impl ApiError {
    /// Read an error body (`{status, code, errorCode, message, errors}`; the upload node says
    /// `status_code`). `http_status` is used when the body has no code of its own.
    pub fn parse(
        http_status: u16,
        body: &Value,
        retry_after: Option<Duration>,
        secrets: &[&str],
    ) -> ApiError {
        let body_code = ["code", "status_code"]
            .iter()
            .find_map(|k| body.get(*k).and_then(u64_of))
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| *c >= 400);
        let status = if http_status >= 400 {
            http_status
        } else {
            body_code.unwrap_or(406)
        };
        let details = match body.get("errors") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| Detail {
                    code: item.get("code").and_then(u64_of).map(|c| c as i64),
                    message: item
                        .get("message")
                        .and_then(string_of)
                        .or_else(|| item.as_str().map(str::to_string))
                        .map(|m| safe_text(&m, secrets)),
                    time_remaining: item.get("timeRemaining").and_then(seconds_of),
                })
                .collect(),
            _ => Vec::new(),
        };
        ApiError {
            status,
            error_code: body.get("errorCode").and_then(ErrorCode::of),
            message: body
                .get("message")
                .and_then(string_of)
                .map(|m| safe_text(&m, secrets))
                .filter(|m| !m.is_empty()),
            details,
            retry_after,
        }
    }

    /// `words`, followed by what the host said when that adds something.
    fn quoting(&self, words: &str) -> String {
        let said: Vec<&str> = self
            .message
            .iter()
            .chain(self.details.iter().filter_map(|d| d.message.as_ref()))
            .map(String::as_str)
            .collect();
        if said.is_empty() {
            words.to_string()
        } else {
            format!("{words} (the host says: {})", said.join("; "))
        }
    }

    fn message_mentions(&self, word: &str) -> bool {
        self.message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains(word))
    }
}

/// The mapping: what an error reply means and what to do about it.
pub(super) fn classify(e: &ApiError) -> Reaction {
    if e.status == 429 {
        let wait = e.retry_after.unwrap_or(RATE_LIMIT_WAIT);
        return fail(ProviderError::rate_limited(
            format!(
                "too many requests: the host asks to wait {}",
                human_wait(wait)
            ),
            Some(wait),
        ));
    }
    match &e.error_code {
        Some(ErrorCode::Number(code)) => by_number(*code, e),
        Some(ErrorCode::Text(code)) => by_text(code, e),
        None => by_status(e),
    }
}

fn fail(error: ProviderError) -> Reaction {
    Reaction::Fail(error)
}

fn captcha(kind: Option<ChallengeKind>, message: &str) -> Reaction {
    Reaction::Captcha(CaptchaDemand {
        kind,
        message: message.to_string(),
    })
}

fn by_number(code: i64, e: &ApiError) -> Reaction {
    use ErrorKind::*;
    let error = |kind: ErrorKind, words: &str| fail(ProviderError::new(kind, words));
    match code {
        2..=4 => error(
            InvalidInput,
            &e.quoting("the host refused the request's parameters"),
        ),
        10 => Reaction::Relogin(ProviderError::auth(
            "the host refused the session (not logged in, or the session expired)",
        )),
        11 => Reaction::Relogin(ProviderError::auth("the session expired")),
        20 => error(NotFound, "file not found"),
        21 | 42 => download_refused(code, e),
        22 => error(Fatal, "the file is blocked"),
        23 => error(
            InvalidInput,
            "this is a folder: only files can be downloaded",
        ),
        30 => captcha(
            Some(ChallengeKind::ImageCaptcha),
            "the host wants a captcha answered first",
        ),
        31 => captcha(None, "wrong captcha answer: here is a new one"),
        33 => captcha(
            Some(ChallengeKind::ReCaptcha),
            "the host wants a reCaptcha solved first",
        ),
        40 => captcha(
            Some(ChallengeKind::ImageCaptcha),
            "the free-download key is no longer valid: answer a new captcha",
        ),
        41 => error(
            RateLimited,
            "the free download is not ready yet: wait for the countdown",
        ),
        43 => error(Quota, "this download is for premium users only"),
        50 => error(Fatal, "the host has no reseller codes available"),
        51 => error(Fatal, &e.quoting("buying a reseller code failed")),
        53 => error(
            Auth,
            "the host denies access to this account from your IP address",
        ),
        60 => error(Fatal, &e.quoting("could not create the folder")),
        61 if e.message.is_none() || e.message_mentions("limit") => error(
            Quota,
            "the folder is full: a folder holds at most 50,000 items",
        ),
        61 => error(Fatal, &e.quoting("could not create the file")),
        62 => error(InvalidInput, &e.quoting("could not copy the file")),
        63 if e.message_mentions("node") => error(
            Transient,
            "no upload server is available right now: try again later",
        ),
        63 => error(Fatal, &e.quoting("could not update the file")),
        64 => error(Quota, "disk quota exceeded: the account's storage is full"),
        70 => error(Auth, "invalid login or password"),
        71 => error(
            Auth,
            "too many login attempts: wait about 30 minutes, or answer the captcha the host asks for at the next login",
        ),
        72 => error(Auth, "the account is banned"),
        73 => error(Auth, "the account may not be used from this network"),
        74 => error(Auth, &e.quoting("the host refused the login")),
        75 => Reaction::EndSession(ProviderError::auth(
            "the session or access token is not allowed from this IP address: log in again from here",
        )),
        76 => error(
            Auth,
            "the host locked the account as possibly stolen: reset the password on the website",
        ),
        77 => error(Auth, "the host bans your network"),
        80 => error(Auth, "the billing API key was refused"),
        81 => error(NotFound, "billing transaction not found"),
        _ => by_status(e),
    }
}

fn by_text(code: &str, e: &ApiError) -> Reaction {
    use ErrorKind::*;
    let error = |kind: ErrorKind, words: &str| fail(ProviderError::new(kind, words));
    match code {
        "captcha_need_wait" => error(
            RateLimited,
            "too many wrong captcha answers: the host blocks logins from this IP address for a while; wait, then try again",
        ),
        "captcha_need_wait_daily" => error(
            Auth,
            "too many wrong captcha answers: the host blocks logins from this IP address for the day",
        ),
        "not_found" => error(NotFound, "file not found"),
        "deleted" => error(NotFound, "the file was deleted"),
        "abused" => error(Fatal, "the file was removed after an abuse report"),
        "blocked" => error(Fatal, "the file is blocked"),
        _ => by_status(e),
    }
}

/// An error reply without an error code we know: judge by its status.
fn by_status(e: &ApiError) -> Reaction {
    use ErrorKind::*;
    // The upload node says what went wrong in words only.
    if e.message_mentions("disk quota") {
        return by_number(64, e);
    }
    if e.message_mentions("limit files") {
        return by_number(61, e);
    }
    let error = |kind: ErrorKind, words: &str| fail(ProviderError::new(kind, e.quoting(words)));
    match e.status {
        400 => error(InvalidInput, "the host refused the request as invalid"),
        401 => error(Auth, "the host wants authorization"),
        403 => Reaction::Relogin(ProviderError::auth(
            e.quoting("the host refused the session"),
        )),
        404 | 410 => error(NotFound, "not found"),
        408 | 500..=599 => error(
            Transient,
            &format!("the host failed (HTTP {}): try again later", e.status),
        ),
        _ => error(
            Fatal,
            &format!("the host refused the request (HTTP {})", e.status),
        ),
    }
}

/// 21/42: the download is refused, and the sub-codes say why.
fn download_refused(code: i64, e: &ApiError) -> Reaction {
    use ErrorKind::*;
    let explained = e.details.iter().find_map(|detail| {
        let error = |kind: ErrorKind, words: &str| Some(ProviderError::new(kind, words));
        match detail.code? {
            1 => error(Quota, "download count limit reached"),
            2 => error(Quota, "traffic limit reached"),
            3 => error(Quota, "free accounts can't download files this large"),
            4 => error(Auth, "you have no access to this file"),
            5 => {
                let wait = detail.time_remaining;
                let words = match wait {
                    Some(w) => format!("wait {} before the next free download", human_wait(w)),
                    None => "wait before the next free download".to_string(),
                };
                Some(ProviderError::rate_limited(words, wait))
            }
            6 => error(RateLimited, ONE_AT_A_TIME),
            7 => error(Quota, "this file can be downloaded by premium users only"),
            8 => error(Auth, "this is a private file"),
            9 => error(
                Quota,
                "this file can be downloaded by the store's subscribers only",
            ),
            _ => None,
        }
    });
    let words = if code == 21 {
        "the file is not available for download"
    } else {
        "the download is not available"
    };
    fail(explained.unwrap_or_else(|| ProviderError::fatal(e.quoting(words))))
}

/// An error reply to a call that has no session to renew and no captcha to show (anonymous
/// calls, the upload node): just the error.
pub(super) fn plain_error(method: &str, e: &ApiError) -> ProviderError {
    match classify(e) {
        Reaction::Captcha(demand) => unexpected_captcha(method, &demand),
        Reaction::Relogin(e) | Reaction::EndSession(e) | Reaction::Fail(e) => e,
    }
}

/// A captcha demand from a call that has no challenge purpose (only login and download have).
pub(super) fn unexpected_captcha(method: &str, demand: &CaptchaDemand) -> ProviderError {
    ProviderError::auth(format!(
        "{} (on {method}, where haul can't show one): log in on the website once, then try again",
        demand.message
    ))
}

/// The download server sent a web page where the file should be.
pub(super) fn web_page_instead_of_file(page_text: &str) -> ProviderError {
    let lower = page_text.to_ascii_lowercase();
    if lower.contains("tariff") || lower.contains("more files") {
        ProviderError::rate_limited(ONE_AT_A_TIME, None)
    } else if lower.contains("daily limit") {
        ProviderError::quota("the premium daily download limit is reached")
    } else {
        ProviderError::fatal(format!(
            "the download server sent a web page instead of the file: {}",
            safe_text(page_text, &[])
        ))
    }
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
