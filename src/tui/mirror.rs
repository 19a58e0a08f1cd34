//! A mirror from the TUI, as `haul mirror` does it (`transfer::mirror`): local entries are
//! uploaded once, to the first account (the next, where that upload fails); every other
//! account then fetches that copy itself where it can, else gets the local bytes. Entries
//! already on a host are copied to every account at once. One batch, one group in the queue.

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::Msg;
use crate::transfer::mirror::{Runner, every_copy, outcomes};
use crate::transfer::{Engine, FolderAddr, ItemAddr, JobId, JobSpec};

/// What to mirror where.
pub struct Mirror {
    pub items: Vec<ItemAddr>,
    pub to: Vec<FolderAddr>,
    /// Without the quota preflight (a person chose to go on).
    pub force: bool,
}

/// Run a mirror (`transfer::mirror`, as `haul mirror` does), its steps in the queue.
pub async fn run(engine: Engine, tx: UnboundedSender<Msg>, mirror: Mirror) {
    let Mirror { items, to, force } = mirror;
    if !force {
        let shortfalls = engine.over_quota(&every_copy(&items, &to)).await;
        if !shortfalls.is_empty() {
            let _ = tx.send(Msg::MirrorOverQuota {
                items,
                to,
                shortfalls,
            });
            return;
        }
    }
    let mut runner = QueueRunner {
        engine: engine.clone(),
        tx,
        batch: None,
    };
    // Each failure shows on its row in the queue.
    engine.mirror(&mut runner, &items, &to).await;
}

/// The mirror's steps, queued as one batch and followed until they end.
struct QueueRunner {
    engine: Engine,
    tx: UnboundedSender<Msg>,
    batch: Option<JobId>,
}

#[async_trait]
impl Runner for QueueRunner {
    async fn run(&mut self, specs: Vec<JobSpec>) -> Vec<bool> {
        let n = specs.len();
        let Some(ids) = queue(&self.engine, &self.tx, specs, &mut self.batch) else {
            return vec![false; n];
        };
        let sets: Vec<Vec<JobId>> = ids.into_iter().map(|id| vec![id]).collect();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = outcomes(&self.engine.jobs().await, &sets);
            if now.iter().all(Option::is_some) {
                return now.into_iter().map(|o| o == Some(true)).collect();
            }
        }
    }
}

/// Queue `specs` as (or into) one batch named `mirror #N`; returns their ids.
fn queue(
    engine: &Engine,
    tx: &UnboundedSender<Msg>,
    specs: Vec<JobSpec>,
    batch: &mut Option<JobId>,
) -> Option<Vec<JobId>> {
    match engine.enqueue_batch(specs) {
        Ok(ids) => {
            let first = (*batch).or_else(|| ids.first().copied())?;
            *batch = Some(first);
            engine.join_batch(first, &ids);
            let name = format!("mirror #{first}");
            let _ = engine.journal().set_group(&ids, &name);
            let _ = tx.send(Msg::Grouped { batch: first, name });
            Some(ids)
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
