//! The HTTP client every provider uses: timeouts, user agent, and every request through its
//! host's [`Pacer`].

use std::sync::Arc;
use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};

use super::error::{HttpError, HttpErrorKind, retry_after};
use super::pacer::Pacer;

pub const USER_AGENT: &str = concat!("haul/", env!("CARGO_PKG_VERSION"));

/// How long a host may take to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a host may stay silent in the middle of a reply (long transfers are fine).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause every task of a host sits out after a 429 that names no wait.
const DEFAULT_429_PAUSE: Duration = Duration::from_secs(1);

/// How a client treats redirects and slow replies.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Follow up to 10 redirects (http and https only); `false`: hand them back.
    pub follow_redirects: bool,
    /// How long the host may stay silent mid-reply (upload nodes think after the last byte).
    pub read_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            follow_redirects: true,
            read_timeout: READ_TIMEOUT,
        }
    }
}

/// A client for one host: requests wait for the host's pacer, and a "too many requests"
/// answer pauses every task of the host.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    pacer: Arc<Pacer>,
}

impl HttpClient {
    /// A client for `service` (a provider family) on `host` (as in a base URL: "example.com"
    /// or "127.0.0.1:8800"); it shares the host's [`Pacer`].
    pub fn new(service: &str, host: &str, options: ClientOptions) -> Result<HttpClient, HttpError> {
        let redirects = if options.follow_redirects {
            reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 10 {
                    attempt.error("too many redirects")
                } else if matches!(attempt.url().scheme(), "http" | "https") {
                    attempt.follow()
                } else {
                    attempt.error("a redirect to a scheme other than http(s)")
                }
            })
        } else {
            reqwest::redirect::Policy::none()
        };
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(options.read_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(redirects)
            .build()
            .map_err(|e| {
                HttpError::new(HttpErrorKind::Invalid, format!("cannot set up HTTP: {e}"))
            })?;
        Ok(HttpClient {
            client,
            pacer: Pacer::for_host(service, host),
        })
    }

    pub fn pacer(&self) -> &Arc<Pacer> {
        &self.pacer
    }

    pub fn get(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.get(url)
    }

    pub fn post(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.client.post(url)
    }

    /// Send when the host's pacer allows. A 429 (or a 503 naming its wait) pauses the host.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, HttpError> {
        self.pacer.ready().await;
        let response = request.send().await.map_err(HttpError::from)?;
        let status = response.status();
        let wait = retry_after(response.headers());
        match (status, wait) {
            (StatusCode::TOO_MANY_REQUESTS, wait) => {
                self.pacer.pause(wait.unwrap_or(DEFAULT_429_PAUSE));
            }
            (StatusCode::SERVICE_UNAVAILABLE, Some(wait)) => self.pacer.pause(wait),
            _ => {}
        }
        Ok(response)
    }
}
