//! `haul put URL ACCOUNT:DIR`: the host fetches the URL itself; we follow the job to its end.

use std::time::Duration;

use super::progress;
use super::target::RemoteTarget;
use super::{CliError, CliResult};
use crate::provider::{FolderId, Provider, RemoteJobState};

/// Status polls that may fail in a row before we stop following the job.
const MAX_POLL_FAILURES: u32 = 5;

pub async fn fetch(
    provider: &dyn Provider,
    url: &str,
    folder: &FolderId,
    shown: &RemoteTarget,
) -> CliResult {
    if !provider.capabilities().remote_url_upload {
        return Err(CliError::new(format!(
            "{}: this host's API has no remote-URL upload",
            shown.account
        )));
    }
    let job = provider
        .remote_upload(url, folder)
        .await
        .map_err(|e| e.context(crate::http::redact_url(url)))?;
    let shown_url = crate::http::redact_url(url);
    progress::line(format!(
        "{shown}: the host is fetching {shown_url} (job {job})"
    ));
    let bar = progress::unsized_bar(&shown_url);
    let mut delay = Duration::from_millis(250);
    let mut failures = 0;
    let outcome = loop {
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
        match provider.remote_upload_status(&job).await {
            Ok(RemoteJobState::Done { file_id }) => break Ok(file_id),
            Ok(RemoteJobState::Failed(why)) => {
                break Err(CliError::new(format!(
                    "{shown_url}: the host could not fetch it: {why}"
                )));
            }
            Ok(RemoteJobState::Running { done, .. }) => {
                failures = 0;
                if let Some(done) = done {
                    bar.set_position(done);
                }
            }
            Ok(RemoteJobState::Pending) => failures = 0,
            Err(e) if e.is_retryable() && failures < MAX_POLL_FAILURES => failures += 1,
            Err(e) => break Err(e.context(format!("remote upload job {job}")).into()),
        }
    };
    bar.finish_and_clear();
    let file_id = outcome?;
    progress::line(format!(
        "{shown}: fetched {shown_url}{}",
        file_id.map(|id| format!(" as #{id}")).unwrap_or_default()
    ));
    Ok(())
}
