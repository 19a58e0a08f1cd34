//! The XFS transport: GET calls carrying the key as the `key` query parameter, the streamed
//! multipart upload to `upload.cgi`, and ranged downloads. Every error leaving here is one line
//! without the key.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use reqwest::multipart::Form;
use serde_json::Value;

use super::errors::{Reply, one_line, parse_json, parse_reply, refusal, unexpected_reply};
use super::site::Site;
use super::types::{UploadServer, UploadedFileDto, real_code};
use crate::http::{self, ClientOptions, HttpClient};
use crate::provider::json::u64_of;
use crate::provider::ranged::{self, Ranged};
use crate::provider::{ErrorKind, ProviderError, Result, UploadBody};

/// One account's way to its site. No Debug: it holds the key.
pub(super) struct Transport {
    client: HttpClient,
    pub site: Site,
    key: String,
}

impl Transport {
    pub fn new(base_url: &str, api_key: &str) -> Result<Transport> {
        let site = Site::parse(base_url)?;
        let key = api_key.trim();
        if key.is_empty() {
            return Err(ProviderError::invalid("the XFileSharing API key is empty"));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ProviderError::invalid(
                "the XFileSharing API key must be one word (no spaces or line breaks)",
            ));
        }
        Ok(Transport {
            client: HttpClient::new("xfilesharing", &site.host, ClientOptions::default())?,
            site,
            key: key.to_owned(),
        })
    }

    /// GET `<api root>/<endpoint>?key=...&<params>` and read its envelope.
    pub async fn call(&self, endpoint: &str, params: &[(&str, &str)]) -> Result<Reply> {
        let mut query = Vec::with_capacity(params.len() + 1);
        query.push(("key", self.key.as_str()));
        query.extend_from_slice(params);
        let result = async {
            let request = self
                .client
                .get(self.site.endpoint_url(endpoint))
                .query(&query);
            let response = self.client.send(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = http::read_reply(response).await?;
            parse_reply(endpoint, status, &headers, &body, &self.site)
        }
        .await;
        result.map_err(|e| self.scrub(e))
    }

    /// Send `body` to the session's `upload.cgi` as the part `file_0` (the name XFS's own
    /// uploader uses), streamed with its length; returns the new file's code. The body is spent
    /// once sending starts, so a failure that may pass says the upload must be restarted.
    pub async fn upload(
        &self,
        server: &UploadServer,
        utype: &str,
        name: &str,
        body: UploadBody,
    ) -> Result<String> {
        let url = url::Url::parse(&server.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                ProviderError::fatal(format!("{} gave an unusable upload URL", self.site.host))
            })?;
        let part = http::multipart::file_part(body.stream, body.len, name)?;
        let form = Form::new()
            .text("sess_id", server.sess_id.clone())
            .text("utype", utype.to_owned())
            .part("file_0", part);
        let sent = async {
            let request = self.client.post(url).multipart(form);
            let response = self.client.send(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let reply = http::read_reply(response).await?;
            self.read_upload_reply(status, &headers, &reply)
        };
        sent.await.map_err(|e| {
            let e = self.scrub(e);
            if e.kind == ErrorKind::Transient {
                e.context("the upload failed; it must be restarted from its source")
            } else {
                e
            }
        })
    }

    /// `upload.cgi`'s answer: an array with one `{file_code, file_status}` per file part, where
    /// `"undef"` is a failure even when the status says OK.
    fn read_upload_reply(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<String> {
        let host = &self.site.host;
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Err(ProviderError::quota(format!(
                "{host} refused the upload as too large"
            )));
        }
        if !status.is_success() {
            let mut error = ProviderError::from(http::HttpError::status(status, headers, host));
            let excerpt = one_line(&http::body_excerpt(body));
            if !excerpt.is_empty() {
                error.message = format!("{}: {excerpt}", error.message);
            }
            return Err(error);
        }
        let first = match parse_json(body) {
            Some(Value::Array(mut items)) if !items.is_empty() => items.swap_remove(0),
            Some(Value::Object(object)) if object.contains_key("file_code") => {
                Value::Object(object)
            }
            Some(Value::Object(envelope)) => {
                let code = envelope.get("status").and_then(u64_of);
                let msg = envelope.get("msg").and_then(Value::as_str);
                return Err(refusal(&self.site, "the upload", code, msg));
            }
            _ => return Err(unexpected_reply(host, "the upload", body)),
        };
        let file: UploadedFileDto = serde_json::from_value(first).map_err(|e| {
            ProviderError::fatal(format!("unexpected reply from {host} to the upload: {e}"))
        })?;
        let status = file
            .file_status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let accepted = status.is_none_or(|s| s.eq_ignore_ascii_case("ok"));
        if !accepted {
            return Err(refusal(&self.site, "the upload", None, status));
        }
        real_code(file.file_code).ok_or_else(|| {
            ProviderError::fatal(format!(
                "{host} discarded the upload (its file code is \"undef\")"
            ))
        })
    }

    /// GET a direct link from byte `offset` (redirects are followed by the client).
    pub async fn get_from(&self, link: &str, offset: u64) -> Result<Ranged> {
        let url = url::Url::parse(link)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                ProviderError::fatal(format!("{} gave an unusable download link", self.site.host))
            })?;
        ranged::get(&self.client, url, offset)
            .await
            .map_err(|e| self.scrub(e))
    }

    /// `e` without the key in its message.
    fn scrub(&self, mut e: ProviderError) -> ProviderError {
        e.message = http::scrub(&e.message, [self.key.as_str()]);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport() -> Transport {
        Transport::new("https://kenfiles.com/api", "k3yK3yK3y").unwrap()
    }

    fn upload_reply(body: &str) -> Result<String> {
        transport().read_upload_reply(StatusCode::OK, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn keys_must_be_one_word() {
        assert!(Transport::new("https://h/api", " ").is_err());
        assert!(Transport::new("https://h/api", "a b").is_err());
        assert_eq!(
            Transport::new("https://h/api", " abc\n").unwrap().key,
            "abc"
        );
    }

    #[test]
    fn upload_replies() {
        let code = upload_reply(r#"[{"file_code":"b578rni0e1ka","file_status":"OK"}]"#);
        assert_eq!(code.unwrap(), "b578rni0e1ka");
        let e = upload_reply(
            r#"[{"file_code":"undef","file_status":"null filesize or wrong file path"}]"#,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert_eq!(
            e.message,
            "kenfiles.com refused the upload: null filesize or wrong file path"
        );
        let e = upload_reply(r#"[{"file_code":"undef","file_status":"uploads are not enabled for your account type"}]"#)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        let e = upload_reply(r#"[{"file_code":"b578rni0e1ka","file_status":"Unauthorized"}]"#)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        // DataVaults: OK, yet nothing was kept.
        let e = upload_reply(r#"[{"file_code":"undef","file_status":"OK"}]"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Fatal);
        assert!(e.message.contains("discarded"));
        let e = upload_reply(r#"{"status":403,"msg":"Wrong auth"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        for odd in ["<html>Bad gateway</html>", "[]", "", "[1]"] {
            let e = upload_reply(odd).unwrap_err();
            assert!(!e.message.contains('\n'), "{odd}: {}", e.message);
        }
        let e = transport()
            .read_upload_reply(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"<h1>502</h1>")
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient);
    }

    #[test]
    fn the_key_never_shows() {
        let t = transport();
        let e = t.scrub(ProviderError::fatal("echo k3yK3yK3y back"));
        assert_eq!(e.message, "echo *** back");
    }
}
