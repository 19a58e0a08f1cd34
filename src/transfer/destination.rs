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
use super::worker::{JobCtx, Step, Stop};
use crate::http::RetryNotice;
use crate::http::retry::{self, RetryScope};
use crate::provider::{Entry, ErrorKind, FolderId, Provider, ProviderError};

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
    /// Bytes an earlier attempt got onto the host that it could not finish (check, move into
    /// place, rename): the next attempt finishes them instead of sending them again.
    pub(super) sent: Option<Entry>,
    /// A local source's size and modification time when the job first read it.
    pub source_seen: Option<(u64, Option<std::time::SystemTime>)>,
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
                // Retries of this listing wait in place, keeping the job's slot: jobs waiting
                // for the lock hold theirs, so a holder that gave its slot up to sit out a
                // retry would never get one back (every job of a folder upload stuck).
                let in_place: Arc<dyn RetryScope> = Arc::new(|_: &RetryNotice| {});
                let listing = retry::scoped(in_place, self.provider.list(&folder)).await?;
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

    /// An earlier attempt's bytes the host kept, finished into place as `name` (never sent
    /// again); `None` when there are none (or the host no longer has them).
    pub async fn finish_sent(
        &self,
        ctx: &JobCtx<'_>,
        name: &str,
        size: Option<u64>,
    ) -> Step<Option<Entry>> {
        ctx.find_interrupted_upload(self.provider).await;
        let Some(sent) = ctx.sent() else {
            return Ok(None);
        };
        match self
            .provider
            .finish_landed(&sent, &self.to.folder_id(), name, size)
            .await
        {
            Ok(entry) => {
                ctx.set_sent(None);
                ctx.note(format!(
                    "{}: finished the bytes an interrupted attempt had sent (#{})",
                    self.to.child_shown(name),
                    entry.id
                ));
                Ok(Some(entry))
            }
            // No longer the host's (or never this account's): the bytes go again.
            Err(e)
                if e.landed.is_none()
                    && matches!(e.kind, ErrorKind::NotFound | ErrorKind::Transient) =>
            {
                tracing::info!(
                    "the bytes sent as #{} are gone ({e}): sending again",
                    sent.id
                );
                ctx.set_sent(None);
                Ok(None)
            }
            // What the host holds cannot be finished (the wrong size): said, and forgotten,
            // so the next run sends the bytes again instead of failing on it for ever.
            Err(e) if !e.is_retryable() => {
                let stop = self.kept(ctx, e);
                ctx.set_sent(None);
                Err(stop)
            }
            Err(e) => Err(self.kept(ctx, e)),
        }
    }

    /// The error of a step that got bytes onto the host but could not finish them: they are
    /// remembered (a retry finishes them), and the error says where they are. When the error
    /// ends the job, what cannot be finished is removed where the host allows, else named.
    pub fn kept(&self, ctx: &JobCtx<'_>, e: ProviderError) -> Stop {
        // Bytes the upload told the journal it had landed, though its error does not say.
        let announced = || {
            ctx.mark()
                .and_then(|m| m.entry())
                .filter(|_| ctx.sent().is_none())
        };
        let Some(landed) = e.landed.as_deref().cloned().or_else(announced) else {
            return Stop::Error(e);
        };
        ctx.set_sent(Some(landed.clone()));
        let place = match &landed.parent {
            here if *here == self.to.folder_id() => format!("in {}", self.to.shown),
            FolderId::Root => "in the root".to_string(),
            FolderId::Id(id) => format!("in folder {id}"),
        };
        let mut e = e;
        e.message = format!(
            "{}; the host keeps it as {:?} #{} {place}",
            e.message, landed.name, landed.id
        );
        Stop::Error(e)
    }

    /// The job ends with `e` and bytes it sent are still unfinished on the host: remove them
    /// where the host allows (never leaving a half-done copy under some name silently), or
    /// say which they are.
    pub async fn abandon(&self, ctx: &JobCtx<'_>, stop: Stop, attempt: u32) -> Stop {
        let Stop::Error(e) = stop else {
            return stop;
        };
        // As the job's retries judge it; its last attempt counts as the end too (were it not,
        // what is removed here is only sent again).
        let last = attempt >= ctx.engine.shared.config.retry.retries;
        let ends_job = !e.is_retryable() || e.retried > 0 || last;
        let Some(sent) = ctx.sent().filter(|_| ends_job) else {
            return Stop::Error(e);
        };
        let mut e = e;
        if !self.provider.capabilities().delete {
            let which = if e.message.contains(&format!("#{}", sent.id)) {
                "it".to_string()
            } else {
                format!("#{}", sent.id)
            };
            e.message = format!(
                "{} (left behind: the API cannot delete it; remove {which} on the site)",
                e.message
            );
            return Stop::Error(e);
        }
        match self.provider.delete(&sent.as_ref()).await {
            Ok(()) => {
                ctx.set_sent(None);
                e.message = format!("{} (removed #{} again)", e.message, sent.id);
            }
            Err(gone) if gone.kind == ErrorKind::NotFound => {
                ctx.set_sent(None);
            }
            Err(other) => {
                e.message = format!("{} (removing #{} failed too: {other})", e.message, sent.id);
            }
        }
        Stop::Error(e)
    }

    /// The new entry is in place: remember it, and remove what it replaces.
    pub async fn finish(&self, ctx: &JobCtx<'_>, entry: &Entry, replace: &[Entry]) -> Step<()> {
        let folders = &ctx.engine.shared.folders;
        let (account, folder) = (self.to.account.as_str(), self.to.folder_id());
        folders.added(account, &folder, entry.clone());
        for old in replace.iter().filter(|old| old.id != entry.id) {
            match self.provider.delete(&old.as_ref()).await {
                // Gone already (an earlier attempt's delete went through): what was wanted.
                Ok(()) => {}
                Err(e) if e.kind == ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Stop::Error(e.context(format!(
                        "{} is in place as #{}, but the one it replaces (#{}) could not be \
                         removed, so both are there",
                        self.to.child_shown(&entry.name),
                        entry.id,
                        old.id
                    ))));
                }
            }
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
