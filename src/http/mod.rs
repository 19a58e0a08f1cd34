//! HTTP plumbing every provider shares: the client (timeouts, user agent, redirects), the
//! per-host pacer, the retry policy and its notices, capped API replies, ranged GETs,
//! streamed multipart parts, base URLs and redaction.
//!
//! It has its own error type, [`HttpError`], which the provider layer maps to its errors once;
//! nothing here knows a provider.

pub mod base_url;
pub mod body;
pub mod client;
pub mod error;
pub mod multipart;
pub mod pacer;
pub mod range;
pub mod redact;
pub mod retry;

pub use base_url::BaseUrl;
pub use body::{MAX_API_RESPONSE, body_excerpt, read_limited, read_reply};
pub use client::{ClientOptions, HttpClient, USER_AGENT};
pub use error::{HttpError, HttpErrorKind, retry_after};
pub use pacer::Pacer;
pub use redact::{redact_url, scrub};
pub use retry::{RetryNotice, RetryPolicy};
