//! A remote destination folder, as every job that writes into one sees it: what the folder
//! held before the first attempt, what an interrupted attempt left there, and the conflict
//! resolution, decided once per job and kept across its retries.
//!
//! Uploads, copies (same account, across accounts, relayed) and moves all come through here,
//! so a name that exists is settled the same way whatever the job kind.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::conflict::{Clash, Options, Resolution, Sameness};
use super::spec::FolderAddr;
use super::worker::{JobCtx, Step};
use crate::provider::{Entry, Provider};

/// A retry scope that waits in place (the default wait) instead of parking the job.
struct KeepSlot;

impl crate::http::retry::RetryScope for KeepSlot {
    fn heard(&self, _notice: &crate::http::RetryNotice) {}
}

/// What the new entry will be, for comparing with what is there.
pub struct Incoming<'a> {
    /// The name the job wants at the destination.
    pub name: &'a str,
    /// The name the host gives the entry before haul renames it (a server-side copy or a
    /// remote fetch keeps the source's name); an interrupted attempt may have left it so.
    pub landing_name: Option<&'a str>,
    pub size: Option<u64>,
    pub md5: Option<&'a str>,
    /// A local source, hashed when the host gives an md5 to compare with.
    pub local_path: Option<&'a Path>,
    /// The entry being moved (never a clash with itself).
    pub moving_id: Option<&'a str>,
}

/// What to do, decided once per job.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Write as `name`; `replace` are the entries that go once the new one is in place.
    Write { name: String, replace: Vec<Entry> },
    /// Nothing to write; the note says why.
    Skip(String),
}

/// What an interrupted attempt of this job left at the destination.
pub enum Landed {
    /// Under the wanted name: the job is done (but for removing what it replaces).
    Done(Entry),
    /// Under the landing name: it only needs renaming.
    NeedsRename(Entry),
}

/// Per-job memory, kept across retries.
#[derive(Default)]
pub struct Memory {
    /// Ids at the wanted (and landing) names before the first attempt.
    before: Option<HashSet<String>>,
    plan: Option<Plan>,
}

/// The destination folder of a job on `provider`.
pub struct Destination<'a> {
    pub provider: &'a dyn Provider,
    pub to: &'a FolderAddr,
}

impl Destination<'_> {
    /// The folder's entries named `name` (from the kept listing; a retry lists afresh).
    async fn named(&self, ctx: &JobCtx<'_>, name: &str, fresh: bool) -> Step<Vec<Entry>> {
        let folders = &ctx.engine.shared.folders;
        let (account, folder) = (self.to.account.as_str(), self.to.folder_id());
        {
            let _one_at_a_time = folders.listing_lock(account, &folder).await;
            if fresh || !folders.is_fresh(account, &folder) {
                // Its retries wait with the job's slot kept: parked, the job would need a slot
                // back while holding this lock, and the slots may all be held by jobs waiting
                // for the lock (a deadlock seen with 503s during a folder upload).
                let listing =
                    crate::http::retry::scoped(Arc::new(KeepSlot), self.provider.list(&folder))
                        .await?;
                folders.put(account, &folder, listing);
            }
        }
        Ok(folders.named(account, &folder, name))
    }

    /// What an earlier attempt of this job left here, if anything (`attempt` > 0 only).
    pub async fn landed(
        &self,
        ctx: &JobCtx<'_>,
        incoming: &Incoming<'_>,
        attempt: u32,
    ) -> Step<Option<Landed>> {
        if attempt == 0 {
            return Ok(None);
        }
        let before = ctx
            .destination_memory(|m| m.before.clone())
            .unwrap_or_default();
        let new = |e: &Entry| {
            !before.contains(&e.id)
                && Some(e.id.as_str()) != incoming.moving_id
                && incoming.size.is_none_or(|s| e.size == Some(s))
        };
        if let Some(e) = self
            .named(ctx, incoming.name, true)
            .await?
            .into_iter()
            .find(new)
        {
            return Ok(Some(Landed::Done(e)));
        }
        if let Some(landing) = incoming.landing_name.filter(|l| *l != incoming.name)
            && let Some(e) = self.named(ctx, landing, false).await?.into_iter().find(new)
        {
            return Ok(Some(Landed::NeedsRename(e)));
        }
        Ok(None)
    }

    /// The job's plan: write as the wanted name, as a free one, replacing, or skip. Decided
    /// (and asked) once; later attempts reuse it.
    pub async fn plan(&self, ctx: &JobCtx<'_>, incoming: &Incoming<'_>) -> Step<Plan> {
        if let Some(plan) = ctx.destination_memory(|m| m.plan.clone()) {
            return Ok(plan);
        }
        let same: Vec<Entry> = self
            .named(ctx, incoming.name, false)
            .await?
            .into_iter()
            .filter(|e| Some(e.id.as_str()) != incoming.moving_id)
            .collect();
        let mut before: HashSet<String> = same.iter().map(|e| e.id.clone()).collect();
        if let Some(landing) = incoming.landing_name.filter(|l| *l != incoming.name) {
            before.extend(
                self.named(ctx, landing, false)
                    .await?
                    .into_iter()
                    .map(|e| e.id),
            );
        }
        ctx.destination_memory(|m| m.before.get_or_insert(before).clone());
        let plan = match same.first() {
            None => Plan::Write {
                name: incoming.name.to_string(),
                replace: Vec::new(),
            },
            Some(existing) => self.resolve(ctx, incoming, existing, &same).await?,
        };
        ctx.destination_memory(|m| m.plan = Some(plan.clone()));
        Ok(plan)
    }

    async fn resolve(
        &self,
        ctx: &JobCtx<'_>,
        incoming: &Incoming<'_>,
        existing: &Entry,
        same: &[Entry],
    ) -> Step<Plan> {
        let folders = &ctx.engine.shared.folders;
        let (account, folder) = (self.to.account.as_str(), self.to.folder_id());
        let clash = Clash {
            shown: self.to.child_shown(incoming.name),
            existing_size: existing.size,
            existing_is_folder: existing.is_folder(),
            new_size: incoming.size,
        };
        let taken = |n: &str| folders.is_taken(account, &folder, n);
        let options = Options {
            can_replace: self.provider.capabilities().delete,
            can_resume: false,
            taken: &taken,
        };
        let resolution = ctx
            .resolve_clash(incoming.name, clash, options, || {
                identical(existing, incoming)
            })
            .await?;
        Ok(match resolution {
            Resolution::Skip(note) => Plan::Skip(note),
            Resolution::Write { name, replace } => Plan::Write {
                name,
                replace: if replace { same.to_vec() } else { Vec::new() },
            },
            // Remote destinations have nothing to resume: never offered.
            Resolution::Resume => Plan::Skip(format!(
                "skipped: {} exists",
                self.to.child_shown(incoming.name)
            )),
        })
    }

    /// The new entry is in place: remember it, and remove what it replaces.
    pub async fn finish(&self, ctx: &JobCtx<'_>, entry: &Entry, replace: &[Entry]) -> Step<()> {
        let folders = &ctx.engine.shared.folders;
        let (account, folder) = (self.to.account.as_str(), self.to.folder_id());
        folders.added(account, &folder, entry.clone());
        for old in replace.iter().filter(|old| old.id != entry.id) {
            self.provider.delete(&old.as_ref()).await.map_err(|e| {
                e.context(format!(
                    "{} is in place as #{}, but removing the one it replaces (#{})",
                    self.to.child_shown(&entry.name),
                    entry.id,
                    old.id
                ))
            })?;
            folders.removed(account, &folder, &old.name, &old.id);
        }
        Ok(())
    }
}

/// Same content, as far as the hosts let us tell (sizes were compared already; md5 where both
/// sides have one, hashing a local source).
async fn identical(existing: &Entry, incoming: &Incoming<'_>) -> Step<Sameness> {
    let Some(theirs) = &existing.md5 else {
        return Ok(Sameness::Likely);
    };
    let ours = match (incoming.md5, incoming.local_path) {
        (Some(md5), _) => md5.to_string(),
        (None, Some(path)) => crate::checksum::md5_file_async(path).await?,
        (None, None) => return Ok(Sameness::Likely),
    };
    Ok(if ours.eq_ignore_ascii_case(theirs) {
        Sameness::Proven
    } else {
        Sameness::Differs
    })
}
