//! The Keep2Share transport: a JSON POST to `<base>/<method>` for every call, the one session an
//! account shares (logged in lazily, once, whatever the number of tasks), one re-login when the
//! host refuses the session, and fresh captcha challenges when the host asks for one.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use url::Url;

use super::credentials::Credentials;
use super::errors::{self, ApiError, CaptchaDemand, Reaction};
use super::types::{CaptchaChallenge, read};
use crate::http::{self, BaseUrl, ClientOptions, HttpClient};
use crate::provider::{
    Challenge, ChallengeKind, ChallengePurpose, ErrorKind, ProviderError, Result,
};

/// Largest captcha image we accept.
const MAX_CAPTCHA_IMAGE: usize = 2 * 1024 * 1024;
/// How long the upload node may think after the last byte before it answers.
const UPLOAD_REPLY_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Body fields whose values must never show up in a message.
const SECRET_FIELDS: [&str; 4] = [
    "password",
    "auth_token",
    "access_token",
    "free_download_key",
];

/// Why a raw POST failed: an error reply to classify, or anything else (network, not JSON).
enum Failure {
    Api(ApiError),
    Other(ProviderError),
}

/// Why an authenticated call failed: a captcha to show, or an error.
#[derive(Debug)]
pub(super) enum Refusal {
    Captcha(CaptchaDemand),
    Error(ProviderError),
}

impl From<ProviderError> for Refusal {
    fn from(e: ProviderError) -> Self {
        Refusal::Error(e)
    }
}

#[derive(Default)]
struct Session {
    token: Option<String>,
    /// Why the last login failed (refused credentials, a captcha to answer): calls that log in
    /// lazily get this instead of trying again; `authenticate` and captcha answers do try again.
    refused: Option<ProviderError>,
}

/// One account on one Keep2Share site.
pub(super) struct Transport {
    pub client: HttpClient,
    /// For the multipart POST to the upload node: redirects are not followed.
    pub upload_client: HttpClient,
    /// `https://host/api/v2/`, always ending with a slash.
    base: Url,
    /// The host (and port), for messages.
    host: String,
    credentials: Credentials,
    session: Mutex<Session>,
}

impl Transport {
    pub fn new(base_url: &str, credentials: Credentials) -> Result<Transport> {
        let parsed = BaseUrl::parse(base_url).map_err(|why| {
            ProviderError::invalid(format!(
                "Keep2Share base URL {}: {why}",
                http::redact_url(base_url.trim())
            ))
        })?;
        let host = parsed.host.clone();
        let path = parsed.trimmed_path();
        let base = parsed.with_path(&format!("{path}/"));
        let upload_client = HttpClient::new(
            "keep2share",
            &host,
            ClientOptions {
                follow_redirects: false,
                read_timeout: UPLOAD_REPLY_TIMEOUT,
            },
        )?;
        Ok(Transport {
            client: HttpClient::new("keep2share", &host, ClientOptions::default())?,
            upload_client,
            base,
            host,
            credentials,
            session: Mutex::default(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The site itself (`https://k2s.cc`), for public links.
    pub fn site(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// A URL the host sent (absolute, or relative to the API), if it is http(s).
    pub fn resolve(&self, link: &str) -> Result<Url> {
        match self.base.join(link.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
            _ => Err(ProviderError::fatal(format!(
                "{} sent a link haul can't use",
                self.host
            ))),
        }
    }

    /// One POST with a JSON body; an error reply comes back unclassified.
    async fn post(&self, method: &str, body: &Value) -> Result<Value, Failure> {
        let url = self.base.join(method).map_err(|_| {
            Failure::Other(ProviderError::fatal(format!(
                "bad API method name {method}"
            )))
        })?;
        let request = self.client.post(url).json(body);
        let resp = self
            .client
            .send(request)
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = http::read_reply(resp)
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        let secrets: Vec<&str> = SECRET_FIELDS
            .iter()
            .filter_map(|k| body.get(*k).and_then(Value::as_str))
            .chain([self.credentials.secret()])
            .collect();
        let reply = match serde_json::from_slice::<Value>(&bytes) {
            Ok(reply @ Value::Object(_)) => reply,
            _ => {
                return Err(Failure::Other(
                    self.not_json(method, status, &headers, &bytes),
                ));
            }
        };
        let said_error = reply.get("status").and_then(Value::as_str) == Some("error")
            || reply
                .get("code")
                .and_then(crate::provider::json::u64_of)
                .is_some_and(|c| c >= 400);
        if !status.is_success() || said_error {
            return Err(Failure::Api(ApiError::parse(
                status.as_u16(),
                &reply,
                http::retry_after(&headers),
                &secrets,
            )));
        }
        Ok(reply)
    }

    fn not_json(
        &self,
        method: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> ProviderError {
        if status.is_success() {
            return ProviderError::fatal(format!(
                "{} answered {method} with something that is not JSON: {}",
                self.host,
                http::body_excerpt(body)
            ));
        }
        let e = ProviderError::from(http::HttpError::status(status, headers, &self.host));
        if e.kind == ErrorKind::RateLimited && e.retry_after.is_none() {
            return e.with_retry_after(Some(errors::RATE_LIMIT_WAIT));
        }
        e
    }

    /// A call that needs no session (`requestCaptcha`, `requestReCaptcha`).
    async fn call_anonymous(&self, method: &str, params: Value) -> Result<Value> {
        self.post(method, &params).await.map_err(|f| match f {
            Failure::Other(e) => e,
            Failure::Api(e) => errors::plain_error(method, &e),
        })
    }

    /// An authenticated call: the session token (or access token) goes in the body.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.call_or_captcha(method, params)
            .await
            .map_err(|refusal| match refusal {
                Refusal::Captcha(demand) => errors::unexpected_captcha(method, &demand),
                Refusal::Error(e) => e,
            })
    }

    /// An authenticated call that may be answered with a captcha demand (`getUrl`). A refused
    /// session is renewed by logging in once more, and the request repeated once.
    pub async fn call_or_captcha(&self, method: &str, params: Value) -> Result<Value, Refusal> {
        let mut renewed = false;
        // Refusals of a token another task had already replaced (concurrent calls): tried again
        // with the new one without counting as this call's renewal.
        let mut replaced_meanwhile = 0;
        loop {
            let token = self.token().await?;
            let mut body = params.clone();
            let key = match self.credentials {
                Credentials::Password { .. } => "auth_token",
                Credentials::AccessToken(_) => "access_token",
            };
            if let Value::Object(fields) = &mut body {
                fields.insert(key.into(), json!(token));
            }
            let error = match self.post(method, &body).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Other(e)) => return Err(e.into()),
                Err(Failure::Api(e)) => e,
            };
            match errors::classify(&error) {
                Reaction::Relogin(_)
                    if self.credentials.username().is_some()
                        && replaced_meanwhile < 4
                        && !self.forget(&token).await =>
                {
                    replaced_meanwhile += 1;
                }
                Reaction::Relogin(_) if !renewed && self.credentials.username().is_some() => {
                    renewed = true;
                }
                Reaction::Relogin(e) if renewed => {
                    return Err(e.context("logging in again did not help").into());
                }
                Reaction::Relogin(e) => {
                    return Err(e.context("the access token was refused").into());
                }
                Reaction::EndSession(e) => {
                    self.forget(&token).await;
                    return Err(e.into());
                }
                Reaction::Captcha(demand) => return Err(Refusal::Captcha(demand)),
                Reaction::Fail(e) => return Err(e.into()),
            }
        }
    }

    /// The session token, logging in first if there is none. The lock is held while logging
    /// in, so concurrent callers wait for that one login instead of each starting their own.
    async fn token(&self) -> Result<String> {
        if let Credentials::AccessToken(token) = &self.credentials {
            return Ok(token.clone());
        }
        let mut session = self.session.lock().await;
        if let Some(token) = &session.token {
            return Ok(token.clone());
        }
        if let Some(refused) = &session.refused {
            return Err(refused.clone());
        }
        self.log_in(&mut session, None).await
    }

    /// Drop a token the host refused, unless another task has already replaced it; whether
    /// it was the current one.
    async fn forget(&self, stale: &str) -> bool {
        let mut session = self.session.lock().await;
        if session.token.as_deref() == Some(stale) {
            session.token = None;
            return true;
        }
        false
    }

    /// Log in now (or check the access token), even after an earlier refusal.
    pub async fn authenticate(&self) -> Result<()> {
        if let Credentials::AccessToken(_) = self.credentials {
            return self.call("accountInfo", json!({})).await.map(drop);
        }
        let mut session = self.session.lock().await;
        if session.token.is_some() {
            return Ok(());
        }
        session.refused = None;
        self.log_in(&mut session, None).await.map(drop)
    }

    /// Repeat the login with a person's answer to its captcha.
    pub async fn answer_login(&self, challenge: &Challenge, answer: &str) -> Result<()> {
        if self.credentials.username().is_none() {
            return Err(ProviderError::invalid(
                "this account signs in with an access token: there is no login captcha to answer",
            ));
        }
        let mut session = self.session.lock().await;
        self.log_in(&mut session, Some((challenge, answer)))
            .await
            .map(drop)
    }

    async fn log_in(
        &self,
        session: &mut Session,
        answer: Option<(&Challenge, &str)>,
    ) -> Result<String> {
        let Credentials::Password { username, password } = &self.credentials else {
            return Err(ProviderError::invalid("an access token needs no login"));
        };
        let mut body = json!({"username": username, "password": password});
        if let Some((challenge, response)) = answer {
            let (id_field, answer_field) = match challenge.kind {
                ChallengeKind::ImageCaptcha => ("captcha_challenge", "captcha_response"),
                ChallengeKind::ReCaptcha => ("re_captcha_challenge", "re_captcha_response"),
            };
            body[id_field] = json!(challenge.id);
            body[answer_field] = json!(response);
        }
        let result = match self.post("login", &body).await {
            Ok(reply) => reply
                .get("auth_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .ok_or_else(|| {
                    ProviderError::fatal("the host accepted the login but sent no token")
                }),
            Err(Failure::Other(e)) => Err(e),
            Err(Failure::Api(e)) => Err(match errors::classify(&e) {
                Reaction::Captcha(demand) => {
                    let answered = answer.map(|(c, _)| c.kind);
                    let kind = demand
                        .kind
                        .or(answered)
                        .unwrap_or(ChallengeKind::ImageCaptcha);
                    self.challenge_error(kind, ChallengePurpose::Login, &demand.message)
                        .await
                }
                Reaction::Relogin(e) | Reaction::EndSession(e) | Reaction::Fail(e) => e,
            }),
        };
        match result {
            Ok(token) => {
                session.token = Some(token.clone());
                session.refused = None;
                Ok(token)
            }
            Err(e) => {
                let mut e = e.context(format!("logging in to {}", self.host));
                if e.kind == ErrorKind::InvalidInput {
                    e.message.push_str(
                        " (the host also says this while it blocks logins from your IP address for a while)",
                    );
                }
                if matches!(e.kind, ErrorKind::Auth | ErrorKind::CaptchaRequired) {
                    session.refused = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    /// A `CaptchaRequired` error carrying a fresh challenge of `kind` (or, if fetching one
    /// fails, that failure).
    pub async fn challenge_error(
        &self,
        kind: ChallengeKind,
        purpose: ChallengePurpose,
        message: &str,
    ) -> ProviderError {
        let challenge = match kind {
            ChallengeKind::ImageCaptcha => match self.request_captcha().await {
                Ok(c) => self
                    .captcha_image(&c.challenge)
                    .await
                    .map(|image| (c, Some(image))),
                Err(e) => Err(e),
            },
            ChallengeKind::ReCaptcha => self.request_re_captcha().await.map(|c| (c, None)),
        };
        match challenge {
            Ok((c, image)) => ProviderError::captcha(
                message,
                Challenge {
                    kind,
                    purpose,
                    id: c.challenge,
                    url: c.captcha_url,
                    image,
                },
            ),
            Err(e) => e.context(format!("{message}, but fetching the captcha failed")),
        }
    }

    pub async fn request_captcha(&self) -> Result<CaptchaChallenge> {
        let reply = self.call_anonymous("requestCaptcha", json!({})).await?;
        read(reply, "requestCaptcha")
    }

    pub async fn request_re_captcha(&self) -> Result<CaptchaChallenge> {
        let reply = self.call_anonymous("requestReCaptcha", json!({})).await?;
        read(reply, "requestReCaptcha")
    }

    /// The image of an image-captcha challenge (`GET captcha?id=`).
    pub async fn captcha_image(&self, challenge: &str) -> Result<Vec<u8>> {
        let mut url = self
            .base
            .join("captcha")
            .map_err(|_| ProviderError::fatal("bad captcha URL"))?;
        url.query_pairs_mut().append_pair("id", challenge);
        let resp = self.client.send(self.client.get(url)).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let is_image = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.trim().starts_with("image/"));
        let bytes = http::read_limited(resp, MAX_CAPTCHA_IMAGE + 1).await?;
        if status.is_success() && is_image && bytes.len() <= MAX_CAPTCHA_IMAGE {
            return Ok(bytes);
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(reply) if !status.is_success() => {
                let e = ApiError::parse(status.as_u16(), &reply, http::retry_after(&headers), &[]);
                Err(errors::plain_error("captcha", &e).context("fetching the captcha image"))
            }
            _ if !status.is_success() => Err(self.not_json("captcha", status, &headers, &bytes)),
            _ => Err(ProviderError::fatal(format!(
                "{} sent no usable captcha image",
                self.host
            ))),
        }
    }
}
