//! A mirror from the TUI, as `haul mirror` does it: local entries are uploaded once, to the
//! first account; once that is done every other account fetches the first copy itself
//! (remote-URL upload) where it can, else gets the local bytes. Entries already on a host are
//! copied to every account at once. One batch, one group in the queue.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::driver::OpenFailure;
use crate::app::Msg;
use crate::provider::Provider;
use crate::transfer::{Engine, FolderAddr, ItemAddr, JobId, JobSpec};

fn copy(from: &ItemAddr, to: &FolderAddr) -> JobSpec {
    JobSpec::Copy {
        from: from.clone(),
        to: to.clone(),
        name: from.name.clone(),
        remove_source: false,
        follow_links: false,
    }
}

/// What to mirror where.
pub struct Mirror {
    pub items: Vec<ItemAddr>,
    pub to: Vec<FolderAddr>,
    /// Without the quota preflight (a person chose to go on).
    pub force: bool,
}

/// Run a mirror; `first_host` opens the first account's provider.
pub async fn run(
    engine: Engine,
    tx: UnboundedSender<Msg>,
    mirror: Mirror,
    first_host: impl Future<Output = Result<Arc<dyn Provider>, OpenFailure>>,
) {
    let Mirror { items, to, force } = mirror;
    let Some((first, rest)) = to.split_first() else {
        return;
    };
    let every: Vec<JobSpec> = items
        .iter()
        .flat_map(|from| to.iter().map(|to| copy(from, to)))
        .collect();
    if !force {
        let shortfalls = engine.over_quota(&every).await;
        if !shortfalls.is_empty() {
            let _ = tx.send(Msg::MirrorOverQuota {
                items,
                to,
                shortfalls,
            });
            return;
        }
    }
    let (local, remote): (Vec<_>, Vec<_>) = items.iter().partition(|i| i.is_local());
    let now: Vec<JobSpec> = local
        .iter()
        .map(|from| copy(from, first))
        .chain(
            remote
                .iter()
                .flat_map(|from| to.iter().map(|to| copy(from, to))),
        )
        .collect();
    let Some(batch) = queue(&engine, &tx, now, None) else {
        return;
    };
    if local.is_empty() || rest.is_empty() {
        return;
    }
    // The first copies must be there before the other hosts can fetch them.
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let jobs = engine.jobs().await;
        if jobs
            .iter()
            .filter(|j| j.batch == batch)
            .all(|j| j.state.is_finished())
        {
            break;
        }
    }
    let listed = match first_host.await {
        Ok(p) => p.list(&first.folder_id()).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut later = Vec::new();
    for from in local {
        let landed = listed
            .iter()
            .find(|e| e.name == from.name && e.kind == from.kind)
            .map(|e| ItemAddr {
                account: first.account.clone(),
                id: e.id.clone(),
                kind: e.kind,
                name: e.name.clone(),
                size: e.size,
                md5: e.md5.clone(),
                shown: first.child_shown(&e.name),
            });
        for to in rest {
            // Every API haul speaks can fetch a URL; without the first copy, the local bytes.
            later.push(copy(landed.as_ref().unwrap_or(from), to));
        }
    }
    queue(&engine, &tx, later, Some(batch));
}

/// Queue `specs` as (or into) one batch named `mirror #N`; returns the batch.
fn queue(
    engine: &Engine,
    tx: &UnboundedSender<Msg>,
    specs: Vec<JobSpec>,
    batch: Option<JobId>,
) -> Option<JobId> {
    match engine.enqueue_batch(specs) {
        Ok(ids) => {
            let batch = batch.or_else(|| ids.first().copied())?;
            engine.join_batch(batch, &ids);
            let name = format!("mirror #{batch}");
            let _ = engine.journal().set_group(&ids, &name);
            let _ = tx.send(Msg::Grouped { batch, name });
            Some(batch)
        }
        Err(e) => {
            let _ = tx.send(Msg::Failed {
                title: "Cannot queue".into(),
                detail: e.to_string(),
            });
            None
        }
    }
}
