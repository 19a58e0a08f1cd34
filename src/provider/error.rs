//! Errors every provider returns, classified by kind and retryability.

use std::time::Duration;

use super::types::{Challenge, Entry};
use crate::http::{HttpError, HttpErrorKind};

/// What went wrong, in the terms the rest of haul acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Bad credentials, expired session that re-login could not fix, locked account.
    Auth,
    /// The file or folder does not exist (or is not ours).
    NotFound,
    /// The host asks us to slow down; `retry_after` says for how long when known.
    RateLimited,
    /// A person must answer a challenge before the operation can go on.
    CaptchaRequired,
    /// Storage, traffic or plan limit reached.
    Quota,
    /// The host (or its API) cannot do this at all.
    Unsupported,
    /// Network trouble, timeouts, 5xx: worth retrying.
    Transient,
    /// The request was wrong (bad name, bad argument); retrying won't help.
    InvalidInput,
    /// Anything else that will not get better by retrying.
    Fatal,
}

impl ErrorKind {
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Auth => "authentication failed",
            ErrorKind::NotFound => "not found",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::CaptchaRequired => "captcha required",
            ErrorKind::Quota => "quota exceeded",
            ErrorKind::Unsupported => "not supported",
            ErrorKind::Transient => "temporary failure",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Fatal => "error",
        }
    }
}

/// An error from a provider: a kind, a one-line message in words, and what the caller needs to act.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub kind: ErrorKind,
    pub message: String,
    /// How long the host asked us to wait (Retry-After, or the provider's own wait field).
    pub retry_after: Option<Duration>,
    /// The challenge a person must answer, for [`ErrorKind::CaptchaRequired`].
    pub challenge: Option<Box<Challenge>>,
    /// The host surely did not act on the request (no connection, turned away with 429, or
    /// looked for afterwards and not found): sending it again is safe.
    pub never_sent: bool,
    /// Retries the retry layer already made for this call (0 when it made none): whoever gets
    /// the error must not start another round of them.
    pub retried: u32,
    /// The host holds the bytes already, as this entry (where and as what it sits now): a
    /// step after sending them (a check, a move into place, a rename) failed. Finish it with
    /// `Provider::finish_landed`; never send the bytes again.
    pub landed: Option<Box<Entry>>,
}

impl ProviderError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            message: message.into(),
            retry_after: None,
            challenge: None,
            never_sent: false,
            retried: 0,
            landed: None,
        }
    }
    pub fn auth(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, m)
    }
    pub fn rate_limited(m: impl Into<String>, wait: Option<Duration>) -> Self {
        Self::new(ErrorKind::RateLimited, m).with_retry_after(wait)
    }
    pub fn quota(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Quota, m)
    }
    pub fn unsupported(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, m)
    }
    pub fn transient(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, m)
    }
    pub fn invalid(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, m)
    }
    pub fn fatal(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Fatal, m)
    }
    pub fn captcha(m: impl Into<String>, challenge: Challenge) -> Self {
        let mut e = Self::new(ErrorKind::CaptchaRequired, m);
        e.challenge = Some(Box::new(challenge));
        e
    }
    pub fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }
    /// Prefix the message with what we were doing ("listing /Docs: ...").
    pub fn context(mut self, what: impl std::fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// The bytes are on the host as `entry` (see [`ProviderError::landed`]).
    pub fn landed_as(mut self, entry: Entry) -> Self {
        self.landed = Some(Box::new(entry));
        // Whatever the failed step was, the bytes are there: they must not be sent again.
        self.never_sent = false;
        self
    }

    /// Whether trying the same request again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Transient | ErrorKind::RateLimited)
    }
}

impl From<HttpError> for ProviderError {
    fn from(e: HttpError) -> Self {
        let kind = match e.kind {
            HttpErrorKind::Connect | HttpErrorKind::Broken => ErrorKind::Transient,
            HttpErrorKind::Status(429) => ErrorKind::RateLimited,
            HttpErrorKind::Status(401 | 403) => ErrorKind::Auth,
            HttpErrorKind::Status(404 | 410) => ErrorKind::NotFound,
            HttpErrorKind::Status(408 | 500..=599) => ErrorKind::Transient,
            HttpErrorKind::Status(_) | HttpErrorKind::TooLarge | HttpErrorKind::Invalid => {
                ErrorKind::Fatal
            }
        };
        let never_sent = e.never_sent();
        let mut out = ProviderError::new(kind, e.message).with_retry_after(e.retry_after);
        out.never_sent = never_sent;
        out
    }
}

impl From<std::io::Error> for ProviderError {
    fn from(e: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let kind = match e.kind() {
            K::NotFound => ErrorKind::NotFound,
            K::PermissionDenied => ErrorKind::Auth,
            K::InvalidInput | K::InvalidData | K::AlreadyExists => ErrorKind::InvalidInput,
            K::StorageFull | K::QuotaExceeded => ErrorKind::Quota,
            K::TimedOut
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::UnexpectedEof
            | K::Interrupted => ErrorKind::Transient,
            _ => ErrorKind::Fatal,
        };
        ProviderError::new(kind, e.to_string())
    }
}

pub type Result<T, E = ProviderError> = std::result::Result<T, E>;
