//! Remote-URL upload: the host fetches a URL itself (`remoteUploadAdd`) and reports how far it
//! got (`remoteUploadStatus`). `remoteUploadAdd` takes nothing but the URLs, so the host puts
//! the file where it likes (the root); the provider moves it into the wanted folder once the
//! job is done.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

use super::errors::safe_text;
use super::transport::Transport;
use crate::http::redact_url;
use crate::provider::json::{string_of, u64_of};
use crate::provider::{FolderId, ProviderError, RemoteJobState, Result};

/// Ask the host to fetch `url`; returns the job id.
pub(super) async fn add(api: &Transport, url: &str) -> Result<String> {
    let reply = api.call("remoteUploadAdd", json!({"urls": [url]})).await?;
    accepted_job(&reply, url)
}

/// Where finished jobs' files must go, by job id (only jobs for a folder other than the root).
#[derive(Default)]
pub(super) struct Destinations(Mutex<HashMap<String, FolderId>>);

impl Destinations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, FolderId>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn remember(&self, job: &str, folder: &FolderId) {
        if !folder.is_root() {
            self.lock().insert(job.to_string(), folder.clone());
        }
    }

    pub fn of(&self, job: &str) -> Option<FolderId> {
        self.lock().get(job).cloned()
    }

    pub fn forget(&self, job: &str) {
        self.lock().remove(job);
    }
}

pub(super) async fn status(api: &Transport, job: &str) -> Result<RemoteJobState> {
    let reply = api
        .call("remoteUploadStatus", json!({"ids": [job]}))
        .await?;
    job_state(&reply, job)
}

fn list<'a>(reply: &'a Value, field: &str) -> &'a [Value] {
    reply
        .get(field)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The job id from `acceptedUrls: [{url, id}]`, or why the URL was refused.
fn accepted_job(reply: &Value, url: &str) -> Result<String> {
    let accepted = list(reply, "acceptedUrls");
    if let Some(id) = accepted
        .iter()
        .find_map(|a| a.get("id").and_then(string_of))
    {
        return Ok(id);
    }
    if !accepted.is_empty() {
        return Err(ProviderError::fatal(
            "the host accepted the URL but gave no job id to follow it by",
        ));
    }
    let reason = list(reply, "rejectedUrls")
        .iter()
        .find_map(|r| r.get("message").and_then(string_of))
        .map(|m| format!(": {}", safe_text(&m, &[])))
        .unwrap_or_default();
    Err(ProviderError::invalid(format!(
        "the host refused to fetch {}{reason}",
        redact_url(url)
    )))
}

/// A job's state from `uploads`, which is either keyed by job id or a plain list.
fn job_state(reply: &Value, job: &str) -> Result<RemoteJobState> {
    let entry = match reply.get("uploads") {
        Some(Value::Object(by_id)) => by_id.get(job),
        Some(Value::Array(items)) => items
            .iter()
            .find(|item| item.get("id").and_then(string_of).as_deref() == Some(job))
            .or(match items.as_slice() {
                [only] => Some(only),
                _ => None,
            }),
        _ => None,
    };
    let entry =
        entry.ok_or_else(|| ProviderError::not_found(format!("no remote upload job {job}")))?;
    let code = match entry.get("status") {
        Some(Value::String(s)) => match s.trim() {
            "new" => Some(1),
            "processing" => Some(2),
            "completed" => Some(3),
            "error" => Some(4),
            "accepted" => Some(5),
            other => other.parse().ok(),
        },
        Some(v) => u64_of(v),
        None => None,
    };
    let progress = entry.get("progress").and_then(u64_of).map(|p| p.min(100));
    match code {
        Some(1 | 5) => Ok(RemoteJobState::Pending),
        // `progress` is a percentage.
        Some(2) => Ok(RemoteJobState::Running {
            done: progress,
            total: progress.map(|_| 100),
        }),
        Some(3) => Ok(RemoteJobState::Done {
            file_id: entry.get("file_id").and_then(string_of),
        }),
        Some(4) => Ok(RemoteJobState::Failed(
            entry
                .get("message")
                .and_then(string_of)
                .map(|m| safe_text(&m, &[]))
                .unwrap_or_else(|| "the host could not fetch the URL".to_string()),
        )),
        _ => Err(ProviderError::fatal(format!(
            "remote upload job {job} has a status haul doesn't know"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ErrorKind;

    #[test]
    fn accepted_and_rejected_urls() {
        let ok = json!({"status":"success","code":200,"acceptedUrls":[{"url":"http://google.com","id":"46564421"}],"rejectedUrls":[]});
        assert_eq!(accepted_job(&ok, "http://google.com").unwrap(), "46564421");
        let old = json!({"acceptedUrls":["http://google.com"],"rejectedUrls":[]});
        assert_eq!(
            accepted_job(&old, "http://google.com").unwrap_err().kind,
            ErrorKind::Fatal
        );
        let refused = json!({"acceptedUrls":[],"rejectedUrls":[{"url":"http://x/?key=s3cret","message":"Bad url"}]});
        let e = accepted_job(&refused, "http://x/?key=s3cret").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("Bad url"), "{}", e.message);
        assert!(!e.message.contains("s3cret"), "{}", e.message);
    }

    #[test]
    fn status_as_documented_list() {
        let r = json!({"status":"success","code":200,"uploads":[{"status":3,"progress":100,"file_id":"27dddcb772fec"}]});
        assert_eq!(
            job_state(&r, "46564421").unwrap(),
            RemoteJobState::Done {
                file_id: Some("27dddcb772fec".into())
            }
        );
    }

    #[test]
    fn status_as_keyed_object() {
        let r = json!({"uploads":{"11522884":{"status":"2","progress":"40","file_id":null},"7":{"status":4}}});
        assert_eq!(
            job_state(&r, "11522884").unwrap(),
            RemoteJobState::Running {
                done: Some(40),
                total: Some(100)
            }
        );
        assert!(matches!(
            job_state(&r, "7").unwrap(),
            RemoteJobState::Failed(_)
        ));
        assert_eq!(job_state(&r, "8").unwrap_err().kind, ErrorKind::NotFound);
    }

    #[test]
    fn every_status() {
        for (status, state) in [
            (json!(1), RemoteJobState::Pending),
            (json!(5), RemoteJobState::Pending),
            (json!("new"), RemoteJobState::Pending),
            (json!("accepted"), RemoteJobState::Pending),
            (
                json!("processing"),
                RemoteJobState::Running {
                    done: None,
                    total: None,
                },
            ),
            (json!("completed"), RemoteJobState::Done { file_id: None }),
        ] {
            let r = json!({"uploads":{"1":{"status":status}}});
            assert_eq!(job_state(&r, "1").unwrap(), state, "{status}");
        }
        let r = json!({"uploads":{"1":{"status":9}}});
        assert_eq!(job_state(&r, "1").unwrap_err().kind, ErrorKind::Fatal);
    }
}
