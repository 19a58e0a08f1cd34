//! Quota preflight: before a batch starts, its bytes against what each account says is left
//! (storage for uploads, traffic for downloads) and the plan's largest file.
//!
//! Pure: the CLI and the TUI gather the batch and the accounts' facts, and ask [`preflight`].
//! A plan's "one download at a time" is not checked here: the engine learns it from the same
//! account facts and schedules one transfer at a time on that account (a rule, not a failure).

use std::collections::BTreeMap;

use super::queue::human_bytes;
use crate::provider::AccountInfo;

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

/// One reason the batch would not fit, as a person reads it:
/// "48.0 GiB queued, 30.0 GiB of traffic left on k2s".
pub type Shortfall = String;

/// What does not fit: nothing when the batch fits (or the hosts don't say).
pub fn preflight(demand: &BatchDemand, info: &BTreeMap<String, AccountInfo>) -> Vec<Shortfall> {
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
        let short = preflight(&demand, &infos);
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
        assert!(preflight(&small, &infos).is_empty());
    }
}
