//! Quota preflight: before a batch starts, its bytes against what each account says is left
//! (storage for uploads and copies into it, traffic for downloads and copies out of it) and
//! the plan's largest file. The CLI stops on a shortfall unless `--force`; the TUI asks.
//!
//! A plan's "one download at a time" is not checked here: the engine learns it from the same
//! account facts and runs one transfer at a time on that account (a rule, not a failure).

use std::collections::BTreeMap;
use std::path::Path;

use super::engine::{Accounts, Engine};
use super::spec::{ItemAddr, JobSpec, LOCAL};
use crate::provider::{AccountInfo, FolderId, Provider};

/// Folders deeper than this are not walked for the estimate.
const MAX_DEPTH: usize = 32;

/// What a batch asks of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand {
    /// Bytes to be stored on the account (uploads, copies into it).
    pub stored: u64,
    /// Bytes to be read from the account (downloads, copies out of it).
    pub read: u64,
    /// The largest file to be stored on it, with its name.
    pub largest: Option<(String, u64)>,
}

impl Demand {
    pub fn store(&mut self, name: &str, bytes: u64) {
        self.stored += bytes;
        if self.largest.as_ref().is_none_or(|(_, b)| bytes > *b) {
            self.largest = Some((name.to_string(), bytes));
        }
    }
}

/// A batch's demands, per account.
#[derive(Debug, Clone, Default)]
pub struct BatchDemand {
    pub accounts: BTreeMap<String, Demand>,
}

impl BatchDemand {
    pub fn store(&mut self, account: &str, name: &str, bytes: u64) {
        self.accounts
            .entry(account.to_string())
            .or_default()
            .store(name, bytes);
    }
    pub fn read(&mut self, account: &str, bytes: u64) {
        self.accounts.entry(account.to_string()).or_default().read += bytes;
    }
}

/// What does not fit, one line each as a person reads it ("48.0 GiB queued, 30.0 GiB of
/// traffic left on k2s"): nothing when the batch fits (or the hosts don't say).
pub fn shortfalls(demand: &BatchDemand, info: &BTreeMap<String, AccountInfo>) -> Vec<String> {
    let mut out = Vec::new();
    for (account, d) in &demand.accounts {
        let Some(info) = info.get(account) else {
            continue;
        };
        if d.stored > 0
            && let Some(limit) = info.storage_limit
        {
            let left = limit.saturating_sub(info.storage_used.unwrap_or(0));
            if d.stored > left {
                out.push(format!(
                    "{} queued, {} of storage left on {account}",
                    human_bytes(d.stored),
                    human_bytes(left)
                ));
            }
        }
        if let (Some((name, size)), Some(max)) = (&d.largest, info.max_upload_size)
            && *size > max
        {
            out.push(format!(
                "{name} is {}, larger than the {} per file {account}'s plan allows",
                human_bytes(*size),
                human_bytes(max)
            ));
        }
        if d.read > 0
            && let Some(left) = info.traffic_left
            && d.read > left
        {
            out.push(format!(
                "{} queued, {} of traffic left on {account}",
                human_bytes(d.read),
                human_bytes(left)
            ));
        }
    }
    out
}

/// What `specs` would need that their accounts say they don't have (each account asked once;
/// one that cannot be asked says nothing).
pub async fn over_quota(accounts: &dyn Accounts, specs: &[JobSpec]) -> Vec<String> {
    let mut demand = BatchDemand::default();
    for spec in specs {
        add(accounts, spec, &mut demand).await;
    }
    let mut infos = BTreeMap::new();
    for account in demand.accounts.keys() {
        if account == LOCAL {
            continue;
        }
        if let Ok(provider) = accounts.provider(account).await
            && let Ok(info) = provider.account_info().await
        {
            infos.insert(account.clone(), info);
        }
    }
    shortfalls(&demand, &infos)
}

impl Engine {
    /// [`over_quota`] with the engine's accounts.
    pub async fn over_quota(&self, specs: &[JobSpec]) -> Vec<String> {
        over_quota(self.shared.accounts.as_ref(), specs).await
    }

    /// Whether any of `specs` moves file bytes to or from a host (worth a preflight).
    pub fn moves_bytes(specs: &[JobSpec]) -> bool {
        specs.iter().any(
            |s| matches!(s, JobSpec::Copy { from, to, .. } if !from.is_local() || !to.is_local()),
        )
    }
}

/// `12.3 GiB`
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Add one job's bytes (a folder's files, walked) to `demand`.
async fn add(accounts: &dyn Accounts, spec: &JobSpec, demand: &mut BatchDemand) {
    let JobSpec::Copy { from, to, name, .. } = spec else {
        return;
    };
    let files = files_of(accounts, from, name).await;
    for (file, size) in files {
        if !to.is_local() {
            demand.store(&to.account, &file, size);
        }
        if !from.is_local() && from.account != to.account {
            demand.read(&from.account, size);
        }
    }
}

/// The files (name, size) a copy of `from` moves, where they can be known.
async fn files_of(accounts: &dyn Accounts, from: &ItemAddr, name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    if !from.is_folder() {
        if let Some(size) = from.size {
            out.push((name.to_string(), size));
        }
        return out;
    }
    if from.is_local() {
        walk_local(Path::new(&from.id), 0, &mut out);
    } else if let Ok(provider) = accounts.provider(&from.account).await {
        walk_remote(provider.as_ref(), from.as_folder_id(), &mut out).await;
    }
    out
}

fn walk_local(dir: &Path, depth: usize, out: &mut Vec<(String, u64)>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() && depth < MAX_DEPTH {
            walk_local(&entry.path(), depth + 1, out);
        } else if meta.is_file() {
            out.push((entry.file_name().to_string_lossy().into_owned(), meta.len()));
        }
    }
}

async fn walk_remote(provider: &dyn Provider, root: FolderId, out: &mut Vec<(String, u64)>) {
    let mut todo = vec![(root, 0usize)];
    while let Some((folder, depth)) = todo.pop() {
        let Ok(entries) = provider.list(&folder).await else {
            continue;
        };
        for e in entries {
            if e.is_folder() {
                if depth < MAX_DEPTH {
                    todo.push((FolderId::Id(e.id.clone()), depth + 1));
                }
            } else if let Some(size) = e.size {
                out.push((e.name.clone(), size));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(f: impl FnOnce(&mut AccountInfo)) -> AccountInfo {
        let mut i = AccountInfo::default();
        f(&mut i);
        i
    }

    #[test]
    fn traffic_storage_and_file_size_are_checked_per_account() {
        let gib = 1024 * 1024 * 1024;
        let mut demand = BatchDemand::default();
        demand.read("k2s", 48 * gib);
        demand.store("ys", "a.bin", 3 * gib);
        demand.store("ys", "b.bin", 5 * gib);
        demand.store("xfs", "c.bin", 10);
        let mut infos = BTreeMap::new();
        infos.insert("k2s".into(), info(|i| i.traffic_left = Some(30 * gib)));
        infos.insert(
            "ys".into(),
            info(|i| {
                i.storage_limit = Some(10 * gib);
                i.storage_used = Some(4 * gib);
                i.max_upload_size = Some(4 * gib);
            }),
        );
        infos.insert("xfs".into(), AccountInfo::default());
        let short = shortfalls(&demand, &infos);
        assert_eq!(
            short,
            vec![
                "48.0 GiB queued, 30.0 GiB of traffic left on k2s".to_string(),
                "8.0 GiB queued, 6.0 GiB of storage left on ys".to_string(),
                "b.bin is 5.0 GiB, larger than the 4.0 GiB per file ys's plan allows".to_string(),
            ]
        );
        // Within the limits, or a host that says nothing: no word.
        let mut small = BatchDemand::default();
        small.read("k2s", gib);
        small.store("ys", "a.bin", gib);
        small.store("nobody", "x", u64::MAX);
        assert!(shortfalls(&small, &infos).is_empty());
    }
}
