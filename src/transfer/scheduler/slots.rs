//! Transfer slots: the global and per-account limits (learnt from each account's plan) and
//! who holds a slot.

use super::{Command, MAX_LIGHT_JOBS, PlanLimit, Scheduler};
use crate::transfer::spec::JobSpec;
use crate::transfer::state::JobId;

impl Scheduler {
    pub(super) fn limit_for(&self, account: &str) -> usize {
        let plan = self
            .engine
            .shared
            .plan_limits
            .lock()
            .ok()
            .and_then(|l| l.get(account).copied());
        let configured = self.engine.shared.config.per_account.max(1);
        match plan {
            Some(PlanLimit::Pending) => 1,
            Some(PlanLimit::Known(Some(p))) => p.clamp(1, configured),
            _ => configured,
        }
    }

    /// Ask each new account's plan how many transfers it allows (in the background).
    pub(super) fn learn_plan_limits(&self, spec: &JobSpec) {
        let Ok(mut limits) = self.engine.shared.plan_limits.lock() else {
            return;
        };
        for account in spec.accounts() {
            if limits.contains_key(account) {
                continue;
            }
            limits.insert(account.to_string(), PlanLimit::Pending);
            let engine = self.engine.clone();
            let account = account.to_string();
            tokio::spawn(async move {
                let limit = match engine.shared.accounts.provider(&account).await {
                    Ok(p) => p.account_info().await.ok().and_then(|info| {
                        [info.concurrent_downloads, info.concurrent_uploads]
                            .into_iter()
                            .flatten()
                            .min()
                            .map(|n| n as usize)
                    }),
                    Err(_) => None,
                };
                let _ = engine.commands.send(Command::PlanLimit(account, limit));
            });
        }
    }

    pub(super) fn has_slot(&self, spec: &JobSpec) -> bool {
        if !spec.is_transfer() {
            return self.light_running < MAX_LIGHT_JOBS;
        }
        self.running_total < self.engine.shared.config.max_transfers.max(1)
            && spec
                .accounts()
                .iter()
                .all(|a| self.running_per_account.get(*a).copied().unwrap_or(0) < self.limit_for(a))
    }

    pub(super) fn take_slot(&mut self, id: JobId) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if job.holds_slot || !job.spec.is_transfer() {
            return;
        }
        job.holds_slot = true;
        self.running_total += 1;
        for a in job.spec.accounts() {
            *self.running_per_account.entry(a.to_string()).or_default() += 1;
        }
    }

    pub(super) fn release_slot(&mut self, id: JobId) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if !job.holds_slot {
            return;
        }
        job.holds_slot = false;
        self.running_total = self.running_total.saturating_sub(1);
        for a in job.spec.accounts() {
            if let Some(n) = self.running_per_account.get_mut(a) {
                *n = n.saturating_sub(1);
            }
        }
    }
}
