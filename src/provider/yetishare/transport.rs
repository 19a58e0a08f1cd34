//! The YetiShare API transport: the one access token an account shares, form calls
//! that re-authorize once, the streamed multipart upload and the ranged download.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use reqwest::multipart::Form;
use tokio::sync::{Mutex, OnceCell};

use super::credentials::Credentials;
use super::errors::{CallError, Reply, parse_reply};
use super::types::AuthorizeData;
use crate::http::{self, BaseUrl, ClientOptions, HttpClient};
use crate::provider::ranged::{self, Ranged};
use crate::provider::{FolderId, ProviderError, Result, UploadBody};

/// Hosts drop a token after an hour without use, and only look at it once an upload's whole body
/// has arrived: an upload starting with an older token revives it first.
const REVIVE_BEFORE_UPLOAD: Duration = Duration::from_secs(30 * 60);
/// How often a running upload touches its token so that it is still valid when the body ends.
const KEEPALIVE_EVERY: Duration = Duration::from_secs(15 * 60);

/// An access token and the account it belongs to.
#[derive(Clone)]
pub(super) struct Session {
    access_token: String,
    account_id: String,
    /// Which authorization produced it, to tell a stale token from the current one.
    generation: u64,
    /// When the host last accepted it (tokens expire after an hour without use).
    last_used: Instant,
}

#[derive(Default)]
struct SessionSlot {
    current: Option<Session>,
    authorizations: u64,
}

/// One account on one host. Shared (behind an `Arc`) by every clone of the provider, so that all
/// tasks use one token: a new `authorize` revokes the account's older tokens.
pub(super) struct Transport {
    client: HttpClient,
    /// `https://host/api/v2/`, always ending with a slash.
    base: String,
    /// The host (and port) for messages.
    host: String,
    credentials: Credentials,
    session: Mutex<SessionSlot>,
    /// The plan's upload size limit, fetched once when first needed.
    pub upload_limit: OnceCell<Option<u64>>,
}

impl Transport {
    pub fn new(base_url: &str, credentials: Credentials) -> Result<Transport> {
        let (base, host) = api_base(base_url)?;
        Ok(Transport {
            client: HttpClient::new("yetishare", &host, ClientOptions::default())?,
            base,
            host,
            credentials,
            session: Mutex::default(),
            upload_limit: OnceCell::new(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The current session, authorizing first if there is none. The lock is held while
    /// authorizing, so concurrent callers wait for that one token instead of each getting one.
    pub async fn session(&self) -> Result<Session> {
        let mut slot = self.session.lock().await;
        match &slot.current {
            Some(session) => Ok(session.clone()),
            None => self.authorize(&mut slot).await,
        }
    }

    /// A session to replace `failed`, which the host rejected. If another task already replaced
    /// it, that newer token is used: authorizing again would revoke it.
    async fn reauthorize(&self, failed: &Session) -> Result<Session> {
        let mut slot = self.session.lock().await;
        match &slot.current {
            Some(current) if current.generation != failed.generation => Ok(current.clone()),
            _ => self.authorize(&mut slot).await,
        }
    }

    async fn authorize(&self, slot: &mut SessionSlot) -> Result<Session> {
        slot.current = None;
        let reply = self
            .post("authorize", None, &self.credentials.form())
            .await
            .map_err(|e| self.scrub(e.into(), None))?;
        let data: AuthorizeData = reply.data(&self.host)?;
        let (Some(access_token), Some(account_id)) = (data.access_token, data.account_id) else {
            return Err(ProviderError::fatal(format!(
                "{} accepted the login but sent no access token",
                self.host
            )));
        };
        slot.authorizations += 1;
        let session = Session {
            access_token,
            account_id,
            generation: slot.authorizations,
            last_used: Instant::now(),
        };
        slot.current = Some(session.clone());
        Ok(session)
    }

    /// Note that the host just accepted `session`.
    async fn touch(&self, session: &Session) {
        let mut slot = self.session.lock().await;
        if let Some(current) = slot.current.as_mut()
            && current.generation == session.generation
        {
            current.last_used = Instant::now();
        }
    }

    /// Revoke the token on the host and forget it. Without a token this does nothing.
    pub async fn disable_token(&self) -> Result<()> {
        let mut slot = self.session.lock().await;
        let Some(session) = slot.current.take() else {
            return Ok(());
        };
        match self.post("disable_access_token", Some(&session), &[]).await {
            // A token the host no longer knows is as disabled as it gets.
            Ok(_) | Err(CallError::SessionRejected(_)) => Ok(()),
            Err(CallError::Failed(e)) => Err(self.scrub(e, Some(&session))),
        }
    }

    /// Call an authenticated endpoint with form `params`. If the host rejects the token, authorize
    /// again (once) and repeat the call (once).
    pub async fn call(&self, endpoint: &str, params: &[(&str, &str)]) -> Result<Reply> {
        let mut session = self.session().await?;
        let mut result = self.post(endpoint, Some(&session), params).await;
        if let Err(CallError::SessionRejected(_)) = result {
            session = self.reauthorize(&session).await?;
            result = self.post(endpoint, Some(&session), params).await;
        }
        match result {
            Ok(reply) => {
                self.touch(&session).await;
                Ok(reply)
            }
            // The keys were just accepted, so this is a session that died again at once (another
            // client logging in, a short-lived token): worth retrying later, not a bad login.
            Err(CallError::SessionRejected(e)) => Err(self.scrub(
                ProviderError::transient(e.message).with_retry_after(e.retry_after),
                Some(&session),
            )),
            Err(e) => Err(self.scrub(e.into(), Some(&session))),
        }
    }

    /// One form POST; `session` is `None` only for `authorize`.
    async fn post(
        &self,
        endpoint: &str,
        session: Option<&Session>,
        params: &[(&str, &str)],
    ) -> Result<Reply, CallError> {
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        if let Some(session) = session {
            form.push(("access_token", &session.access_token));
            form.push(("account_id", &session.account_id));
        }
        form.extend_from_slice(params);
        let request = self
            .client
            .post(format!("{}{endpoint}", self.base))
            .form(&form);
        let response = self.client.send(request).await?;
        self.read_reply(response).await
    }

    async fn read_reply(&self, response: reqwest::Response) -> Result<Reply, CallError> {
        let status = response.status();
        let headers = response.headers().clone();
        let body = http::read_reply(response).await?;
        parse_reply(status, &headers, &body, &self.host)
    }

    /// Send `body` to `file/upload` as `name` in `folder`, streamed. The body is never replayed:
    /// if the host rejects the token, a new one is fetched for the next attempt and the upload
    /// fails as Transient, to be restarted from its source.
    pub async fn upload(&self, folder: &FolderId, name: &str, body: UploadBody) -> Result<Reply> {
        let mut session = self.session().await?;
        if session.last_used.elapsed() >= REVIVE_BEFORE_UPLOAD {
            // A cheap call revives the token, or replaces it if it has already expired.
            self.call("account/info", &[]).await?;
            session = self.session().await?;
        }
        let part = http::multipart::file_part(body.stream, body.len, name)?;
        let mut form = Form::new()
            .text("access_token", session.access_token.clone())
            .text("account_id", session.account_id.clone());
        if let Some(id) = folder.id() {
            form = form.text("folder_id", id.to_owned());
        }
        let form = form.part("upload_file", part);
        let send = async {
            let request = self
                .client
                .post(format!("{}file/upload", self.base))
                .multipart(form);
            let response = self.client.send(request).await?;
            self.read_reply(response).await
        };
        let result = tokio::select! {
            result = send => result,
            never = self.keep_alive(&session) => match never {},
        };
        match result {
            Ok(reply) => {
                self.touch(&session).await;
                Ok(reply)
            }
            Err(CallError::SessionRejected(_)) => {
                self.reauthorize(&session)
                    .await
                    .map_err(|e| e.context("the host rejected the access token of an upload"))?;
                Err(ProviderError::transient(
                    "the host rejected the access token at the end of the upload; logged in \
                     again, the upload must be restarted",
                ))
            }
            Err(CallError::Failed(e)) => Err(self.scrub(e, Some(&session))),
        }
    }

    /// Touch `session` every [`KEEPALIVE_EVERY`] for as long as the caller polls this.
    async fn keep_alive(&self, session: &Session) -> Infallible {
        loop {
            tokio::time::sleep(KEEPALIVE_EVERY).await;
            // Never authorize here: a new token would revoke the one the upload carries.
            match self.post("account/info", Some(session), &[]).await {
                Ok(_) => self.touch(session).await,
                Err(e) => tracing::debug!(
                    "keep-alive during an upload failed: {}",
                    self.scrub(e.into(), Some(session))
                ),
            }
        }
    }

    /// GET a `download_url` from byte `offset` (redirects are followed by the client).
    pub async fn get_from(&self, download_url: &str, offset: u64) -> Result<Ranged> {
        let url = url::Url::parse(&self.base)
            .and_then(|base| base.join(download_url))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                ProviderError::fatal(format!("{} sent an unusable download link", self.host))
            })?;
        ranged::get(&self.client, url, offset).await
    }

    /// `e` without any credential or token in its message.
    fn scrub(&self, mut e: ProviderError, session: Option<&Session>) -> ProviderError {
        let token = session.map(|s| s.access_token.as_str());
        e.message = http::scrub(
            &e.message,
            self.credentials.secrets().into_iter().chain(token),
        );
        e
    }
}

/// The API base (`.../api/v2/`) and the host name for messages. The site URL may be given with or
/// without the `/api/v2` path (cyberfile's API lives on its own host).
fn api_base(base_url: &str) -> Result<(String, String)> {
    let base = BaseUrl::parse(base_url)
        .map_err(|why| ProviderError::invalid(format!("YetiShare site URL: {why}")))?;
    let path = base.trimmed_path();
    let url = if path.ends_with("/api/v2") {
        base.with_path(&format!("{path}/"))
    } else {
        base.with_path(&format!("{path}/api/v2/"))
    };
    Ok((url.to_string(), base.host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let base = |u: &str| api_base(u).map(|(b, h)| format!("{b} {h}"));
        assert_eq!(
            base("https://www.zippyshare.cloud").unwrap(),
            "https://www.zippyshare.cloud/api/v2/ www.zippyshare.cloud"
        );
        assert_eq!(
            base("https://api.cyberfile.me/api/v2/").unwrap(),
            "https://api.cyberfile.me/api/v2/ api.cyberfile.me"
        );
        assert_eq!(
            base("http://127.0.0.1:8080/api/v2?x=1").unwrap(),
            "http://127.0.0.1:8080/api/v2/ 127.0.0.1:8080"
        );
        assert_eq!(base("https://h/sub/").unwrap(), "https://h/sub/api/v2/ h");
        assert!(base("ftp://h").is_err());
        assert!(base("not a url").is_err());
        assert!(base("https://u:p@h/").is_err());
    }
}
