//! A mirror: entries kept on several hosts, for `haul mirror` and the TUI's `M` alike. A
//! local entry is uploaded once, to the first host; every other host then fetches that copy
//! itself (remote-URL upload) where it can, else (or where that fetch fails) gets the local
//! bytes. When the upload to a
//! host fails, the next host gets the upload instead, and the hosts after it fetch from there:
//! a host that fails never leaves the others without a copy. An entry already on a host is
//! copied to every host at once.
//!
//! The caller runs the jobs ([`Runner`]): the CLI to their end in its own engine, the TUI in
//! the queue it shows. Run again with "skip if identical", a mirror sends only what is missing.

use std::collections::HashMap;

use async_trait::async_trait;

use super::engine::{Accounts, Engine};
use super::spec::{FolderAddr, ItemAddr, JobSpec};
use super::state::{JobId, JobState, JobView};

/// Runs a mirror's jobs: each step's jobs together, in the mirror's group.
#[async_trait]
pub trait Runner: Send {
    /// Run `specs` to their end; for each, whether it (and all it expanded into) ended done.
    async fn run(&mut self, specs: Vec<JobSpec>) -> Vec<bool>;
}

/// A copy of `from` into `to`, under its own name.
pub fn copy(from: &ItemAddr, to: &FolderAddr) -> JobSpec {
    JobSpec::Copy {
        from: from.clone(),
        to: to.clone(),
        name: from.name.clone(),
        remove_source: false,
        follow_links: false,
    }
}

/// Every copy the mirror makes, as the quota preflight weighs it.
pub fn every_copy(items: &[ItemAddr], to: &[FolderAddr]) -> Vec<JobSpec> {
    items
        .iter()
        .flat_map(|from| to.iter().map(move |to| copy(from, to)))
        .collect()
}

/// A copy the mirror could not make: the entry's name and the folder it is missing from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: String,
    pub to: FolderAddr,
}

/// Where a local entry is.
enum Local {
    /// Being uploaded to host `to[.0]`.
    Uploading(usize),
    /// Landed on host `to[.0]` (as `.1`, where it could be found): the hosts after it next.
    Landed(usize, Option<ItemAddr>),
    /// Nothing left to do for it.
    Settled,
}

/// What one job of a step was for.
enum Step {
    /// Entry `.0` uploaded to host `.1`.
    Upload(usize, usize),
    /// Entry `.0` fetched by host `.1` from the copy that landed (the local bytes next, if not).
    Fetch(usize, usize),
    /// Entry `.0` copied to host `.1`: its last job there.
    Last(usize, usize),
}

/// Mirror `items` to every folder of `to`; the copies that failed (none: all there).
pub async fn run(
    runner: &mut dyn Runner,
    accounts: &dyn Accounts,
    items: &[ItemAddr],
    to: &[FolderAddr],
) -> Vec<Missing> {
    let mut state: Vec<Local> = items
        .iter()
        .map(|i| {
            if i.is_local() && !to.is_empty() {
                Local::Uploading(0)
            } else {
                Local::Settled
            }
        })
        .collect();
    let mut missing = Vec::new();
    // Entries already on a host: to every host at once, in the first step.
    let mut steps: Vec<Step> = Vec::new();
    let mut specs = Vec::new();
    for (i, item) in items.iter().enumerate().filter(|(_, i)| !i.is_local()) {
        for (h, dest) in to.iter().enumerate() {
            steps.push(Step::Last(i, h));
            specs.push(copy(item, dest));
        }
    }
    // Hosts whose fetch failed: the local bytes, in the next step.
    let mut again: Vec<(usize, usize)> = Vec::new();
    loop {
        for (i, h) in std::mem::take(&mut again) {
            steps.push(Step::Last(i, h));
            specs.push(copy(&items[i], &to[h]));
        }
        for (i, s) in state.iter_mut().enumerate() {
            match s {
                Local::Uploading(h) => {
                    steps.push(Step::Upload(i, *h));
                    specs.push(copy(&items[i], &to[*h]));
                }
                Local::Landed(h, landed) => {
                    for (after, dest) in to.iter().enumerate().skip(*h + 1) {
                        match landed {
                            Some(landed) if fetches(accounts, &dest.account).await => {
                                steps.push(Step::Fetch(i, after));
                                specs.push(copy(landed, dest));
                            }
                            _ => {
                                steps.push(Step::Last(i, after));
                                specs.push(copy(&items[i], dest));
                            }
                        }
                    }
                    *s = Local::Settled;
                }
                Local::Settled => {}
            }
        }
        if specs.is_empty() {
            return missing;
        }
        let done = runner.run(std::mem::take(&mut specs)).await;
        for (step, ok) in std::mem::take(&mut steps).into_iter().zip(done) {
            match step {
                Step::Upload(i, h) if ok => {
                    state[i] = Local::Landed(h, landed(accounts, &items[i], &to[h]).await);
                }
                Step::Fetch(i, h) if !ok => again.push((i, h)),
                Step::Upload(i, h) | Step::Last(i, h) if !ok => {
                    missing.push(Missing {
                        name: items[i].name.clone(),
                        to: to[h].clone(),
                    });
                    if matches!(step, Step::Upload(..)) {
                        // The next host gets the upload, and the hosts after it its copy.
                        state[i] = if h + 1 < to.len() {
                            Local::Uploading(h + 1)
                        } else {
                            Local::Settled
                        };
                    }
                }
                _ => {}
            }
        }
    }
}

impl Engine {
    /// [`run`] with the engine's accounts.
    pub async fn mirror(
        &self,
        runner: &mut dyn Runner,
        items: &[ItemAddr],
        to: &[FolderAddr],
    ) -> Vec<Missing> {
        run(runner, self.shared.accounts.as_ref(), items, to).await
    }
}

/// For each set of jobs: `None` while any of them (or of what they expanded into) is not
/// finished, else whether all ended done. A job no longer in `jobs` counts as not done.
pub fn outcomes(jobs: &[JobView], sets: &[Vec<JobId>]) -> Vec<Option<bool>> {
    let by_id: HashMap<JobId, &JobView> = jobs.iter().map(|j| (j.id, j)).collect();
    let mut children: HashMap<JobId, Vec<&JobView>> = HashMap::new();
    for job in jobs {
        if let Some(parent) = job.parent {
            children.entry(parent).or_default().push(job);
        }
    }
    sets.iter()
        .map(|ids| {
            let mut todo = Vec::new();
            for id in ids {
                match by_id.get(id) {
                    Some(job) => todo.push(*job),
                    None => return Some(false),
                }
            }
            let mut done = true;
            while let Some(job) = todo.pop() {
                if !job.state.is_finished() {
                    return None;
                }
                done &= matches!(job.state, JobState::Done { .. });
                todo.extend(children.get(&job.id).into_iter().flatten().copied());
            }
            Some(done)
        })
        .collect()
}

/// Whether `account`'s host can fetch a URL itself (remote-URL upload).
async fn fetches(accounts: &dyn Accounts, account: &str) -> bool {
    match accounts.provider(account).await {
        Ok(p) => p.capabilities().remote_url_upload,
        Err(_) => false,
    }
}

/// The copy of `item` that landed in `folder`, as the source of the next hosts' copies.
async fn landed(accounts: &dyn Accounts, item: &ItemAddr, folder: &FolderAddr) -> Option<ItemAddr> {
    let provider = accounts.provider(&folder.account).await.ok()?;
    let listed = provider.list(&folder.folder_id()).await.ok()?;
    let e = listed
        .into_iter()
        .find(|e| e.name == item.name && e.kind == item.kind)?;
    Some(ItemAddr {
        account: folder.account.clone(),
        shown: folder.child_shown(&e.name),
        id: e.id,
        kind: e.kind,
        name: e.name,
        size: e.size,
        md5: e.md5,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::provider::{EntryKind, Provider, ProviderError};
    use crate::transfer::LOCAL;

    /// Accounts that cannot be opened: no host fetches, no landed copy is found.
    struct NoHosts;

    #[async_trait]
    impl Accounts for NoHosts {
        async fn provider(&self, _: &str) -> Result<Arc<dyn Provider>, ProviderError> {
            Err(ProviderError::fatal("not here"))
        }
    }

    /// Fails every job into the accounts named; remembers each step's jobs.
    struct Failing {
        on: Vec<&'static str>,
        steps: Vec<Vec<String>>,
    }

    #[async_trait]
    impl Runner for Failing {
        async fn run(&mut self, specs: Vec<JobSpec>) -> Vec<bool> {
            self.steps
                .push(specs.iter().map(|s| s.to_string()).collect());
            specs
                .iter()
                .map(|s| match s {
                    JobSpec::Copy { to, .. } => !self.on.contains(&to.account.as_str()),
                    _ => true,
                })
                .collect()
        }
    }

    fn folder(account: &str) -> FolderAddr {
        FolderAddr {
            account: account.into(),
            id: None,
            shown: format!("{account}:/"),
        }
    }

    fn local(name: &str) -> ItemAddr {
        ItemAddr {
            account: LOCAL.into(),
            id: format!("/tmp/{name}"),
            kind: EntryKind::File,
            name: name.into(),
            size: Some(1),
            md5: None,
            shown: format!("/tmp/{name}"),
        }
    }

    #[test]
    fn a_failed_first_host_hands_the_upload_to_the_next() {
        let to = [folder("a"), folder("b"), folder("c")];
        let mut runner = Failing {
            on: vec!["a"],
            steps: vec![],
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let missing = rt.block_on(run(&mut runner, &NoHosts, &[local("x")], &to));
        assert_eq!(
            missing,
            [Missing {
                name: "x".into(),
                to: folder("a")
            }]
        );
        let accounts = |step: &Vec<String>| -> Vec<String> {
            step.iter()
                .map(|s| s.rsplit(' ').next().unwrap_or_default().to_string())
                .collect()
        };
        let steps: Vec<Vec<String>> = runner.steps.iter().map(accounts).collect();
        // Once to a (refused), once to b, then c alone.
        assert_eq!(steps, [vec!["a:/x"], vec!["b:/x"], vec!["c:/x"]]);
    }

    #[test]
    fn every_host_failing_ends_with_every_host_missing() {
        let to = [folder("a"), folder("b")];
        let mut runner = Failing {
            on: vec!["a", "b"],
            steps: vec![],
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let missing = rt.block_on(run(&mut runner, &NoHosts, &[local("x")], &to));
        let hosts: Vec<&str> = missing.iter().map(|m| m.to.account.as_str()).collect();
        assert_eq!(hosts, ["a", "b"]);
        assert_eq!(runner.steps.len(), 2);
    }
}
