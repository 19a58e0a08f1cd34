//! Running CLI transfers through the engine: progress bars, questions answered on the
//! terminal, a summary, and the exit status.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::progress::{self, Transfers};
use super::{CliError, CliResult, Context};
use crate::http::RetryPolicy;
use crate::provider::{Provider, ProviderError};
use crate::sanitize::for_terminal;
use crate::transfer::journal::Journal;
use crate::transfer::throttle::parse_rate;
use crate::transfer::{
    Accounts, ConflictAnswer, ConflictPolicy, Engine, EngineConfig, Event, JobId, JobSpec,
    JobState, JobView, Question, Queued, Retention,
};

/// Flags shared by the transfer commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TransferArgs {
    /// Transfers at once (over all accounts, and per account).
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Bandwidth limit for all transfers, e.g. 500K or 10M (bytes per second).
    #[arg(long, value_name = "RATE")]
    pub bwlimit: Option<String>,
    /// When the destination exists: ask, fail, skip, overwrite, rename, resume, skip-identical
    /// (default: ask on a terminal, else fail).
    #[arg(long, value_name = "POLICY")]
    pub on_conflict: Option<String>,
    /// Retries of a transient failure.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Range connections per downloaded file, where the host allows them (default 4; 1: one).
    #[arg(long, value_name = "N")]
    pub connections: Option<usize>,
    /// Start even when the batch is larger than what the account says is left (storage,
    /// traffic) or than the plan's largest file.
    #[arg(long)]
    pub force: bool,
}

impl TransferArgs {
    /// The engine's settings: flags, then `[transfers]` in the config, then defaults.
    pub fn engine_config(&self, ctx: &Context, dedupe: bool) -> CliResult<EngineConfig> {
        let t = ctx.transfers();
        let defaults = EngineConfig::default();
        let rate = self.bwlimit.as_ref().or(t.bwlimit.as_ref());
        let bwlimit = match rate {
            Some(r) => Some(parse_rate(r).ok_or_else(|| {
                CliError::usage(format!("--bwlimit {r:?}: expected a rate like 500K or 10M"))
            })?),
            None => None,
        };
        let policy = match self.on_conflict.as_ref().or(t.on_conflict.as_ref()) {
            Some(p) => ConflictPolicy::parse(p).ok_or_else(|| {
                CliError::usage(format!(
                    "--on-conflict {p:?}: use ask, fail, skip, overwrite, rename, resume or skip-identical"
                ))
            })?,
            None if ctx.interactive => ConflictPolicy::Ask,
            None => ConflictPolicy::Fail,
        };
        let on_conflict = match policy {
            ConflictPolicy::Ask if !ctx.interactive => ConflictPolicy::Fail,
            p => p,
        };
        let concurrency = self
            .jobs
            .or(t.concurrency)
            .unwrap_or(defaults.max_transfers);
        Ok(EngineConfig {
            max_transfers: concurrency.max(1),
            per_account: self.jobs.or(t.per_account).unwrap_or(concurrency).max(1),
            retry: RetryPolicy {
                retries: self.retries.or(t.retries).unwrap_or(defaults.retry.retries),
                ..defaults.retry
            },
            bwlimit,
            stall_timeout: t
                .stall_timeout_secs
                .map(Duration::from_secs)
                .unwrap_or(defaults.stall_timeout),
            on_conflict,
            resume_unfinished: false,
            dedupe,
            connections_per_file: self
                .connections
                .or(t.connections_per_file)
                .unwrap_or(defaults.connections_per_file)
                .max(1),
            // The flag is for this run, every account.
            connections_per_account: match self.connections {
                Some(_) => Default::default(),
                None => ctx.connections_per_account(),
            },
            retention: retention(ctx),
        })
    }
}

/// How long the journal keeps finished jobs: `[transfers]` in the config, else the defaults.
pub fn retention(ctx: &Context) -> Retention {
    let t = ctx.transfers();
    let defaults = Retention::default();
    Retention {
        keep: t.keep_finished.unwrap_or(defaults.keep),
        days: t.keep_finished_days.unwrap_or(defaults.days),
    }
}

/// The context's accounts, for the engine.
pub struct ContextAccounts(pub Arc<Context>);

#[async_trait::async_trait]
impl Accounts for ContextAccounts {
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>, ProviderError> {
        self.0
            .provider(account)
            .await
            .map_err(|e| ProviderError::fatal(e.message))
    }
}

/// The journal, locked for this process; another running haul gets an in-memory one (and
/// a note naming the process that holds the journal).
pub fn open_journal() -> CliResult<(Journal, Option<std::fs::File>)> {
    let (journal, lock) = try_open_journal()?;
    match lock {
        Ok(lock) => Ok((journal, Some(lock))),
        Err(in_use) => {
            progress::line(format!(
                "{in_use}; this run's jobs are not kept in the journal"
            ));
            Ok((journal, None))
        }
    }
}

/// The journal with its lock held by this process (the lock file then holds our pid), or an
/// in-memory journal and why the real one is not ours: "the queue journal is in use by haul
/// (pid 1234)".
pub fn try_open_journal() -> CliResult<(Journal, Result<std::fs::File, String>)> {
    let path = super::state_dir::journal_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
    }
    let lock_path = path.with_extension("lock");
    let mut lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .map_err(|e| CliError::new(format!("{}: {e}", lock_path.display())))?;
    if lock.try_lock().is_err() {
        let holder = std::fs::read_to_string(&lock_path)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok());
        let in_use = match holder {
            Some(pid) => format!("the queue journal is in use by haul (pid {pid})"),
            None => "the queue journal is in use by another haul".to_string(),
        };
        let journal = Journal::in_memory().map_err(|e| CliError::new(e.to_string()))?;
        return Ok((journal, Err(in_use)));
    }
    // Who holds it, for the next haul that finds it locked.
    let _ = lock.set_len(0);
    let _ = writeln!(lock, "{}", std::process::id());
    let journal = Journal::open(&path).map_err(|e| CliError::new(e.to_string()))?;
    Ok((journal, Ok(lock)))
}

/// Run `specs` (and what they expand into) to the end.
pub async fn run(ctx: &Arc<Context>, config: EngineConfig, specs: Vec<JobSpec>) -> CliResult {
    run_grouped(ctx, config, specs, None).await?.0
}

/// [`run`], the jobs kept in the journal as one named group (`haul queue ls` shows it); a
/// `None` group is named after its first job ("mirror #12"). Besides the result: for each
/// spec, whether it (and all it expanded into) ended done.
pub async fn run_in_group(
    ctx: &Arc<Context>,
    config: EngineConfig,
    specs: Vec<JobSpec>,
    group: &mut Option<String>,
) -> (CliResult, Vec<bool>) {
    let n = specs.len();
    match run_grouped(ctx, config, specs, Some(group)).await {
        Ok(ran) => ran,
        Err(e) => (Err(e), vec![false; n]),
    }
}

/// The jobs run to their end (an error before any ran is the outer one).
async fn run_grouped(
    ctx: &Arc<Context>,
    config: EngineConfig,
    specs: Vec<JobSpec>,
    group: Option<&mut Option<String>>,
) -> CliResult<(CliResult, Vec<bool>)> {
    let (journal, _lock) = open_journal()?;
    let accounts = Arc::new(ContextAccounts(ctx.clone()));
    let (engine, events) =
        Engine::start(config, journal, accounts).map_err(|e| CliError::new(e.to_string()))?;
    let mut ours = HashMap::new();
    // Each spec's own jobs (an adopted one's: all it expanded into before).
    let mut roots: Vec<Vec<JobId>> = Vec::new();
    for spec in specs {
        let shown = spec.to_string();
        match engine
            .adopt_or_enqueue(spec.clone())
            .map_err(|e| CliError::new(e.to_string()))?
        {
            Queued::New(id) => {
                roots.push(vec![id]);
                ours.insert(id, spec);
            }
            Queued::Adopted { jobs, interrupted } => {
                roots.push(jobs.iter().map(|(id, _)| *id).collect());
                // A re-run: the journal's jobs go on (or run again); nothing is added.
                if interrupted {
                    progress::line(format!(
                        "resuming the interrupted job ({} left): {shown}",
                        jobs.len()
                    ));
                }
                ours.extend(jobs);
            }
        }
    }
    // The command's jobs are one batch: an "apply to all" answer lasts for all of them.
    let ids: Vec<JobId> = ours.keys().copied().collect();
    if let Some(first) = ids.iter().min() {
        engine.join_batch(*first, &ids);
        if let Some(group) = group {
            let name = group.get_or_insert_with(|| format!("mirror #{first}"));
            if let Err(e) = engine.journal().set_group(&ids, name) {
                progress::line(format!("haul: the queue group is not kept: {e}"));
            }
        }
    }
    let result = follow(ctx, &engine, events, ours).await;
    let done = ended_done(&engine, &roots).await;
    settle(&engine).await;
    Ok((result, done))
}

/// For each set of jobs: whether they, and all they expanded into, ended done.
async fn ended_done(engine: &Engine, roots: &[Vec<JobId>]) -> Vec<bool> {
    crate::transfer::mirror::outcomes(&engine.jobs().await, roots)
        .into_iter()
        .map(|o| o == Some(true))
        .collect()
}

/// Let the engine come to rest before the process ends: once idle it has pruned old
/// finished jobs from the journal (bounded, so a stuck job cannot hold the exit).
async fn settle(engine: &Engine) {
    let _ = tokio::time::timeout(Duration::from_secs(5), engine.wait_idle()).await;
}

/// Resume what the journal holds (all unfinished jobs) and follow it to the end.
pub async fn resume_all(ctx: &Arc<Context>, config: EngineConfig) -> CliResult {
    let (journal, lock) = open_journal()?;
    if lock.is_none() {
        return Err(CliError::new("another haul is running the queue"));
    }
    let accounts = Arc::new(ContextAccounts(ctx.clone()));
    let (engine, events) =
        Engine::start(config, journal, accounts).map_err(|e| CliError::new(e.to_string()))?;
    let unfinished: HashMap<JobId, JobSpec> = engine
        .jobs()
        .await
        .into_iter()
        .filter(|j| !j.state.is_finished())
        .map(|j| (j.id, j.spec))
        .collect();
    if unfinished.is_empty() {
        progress::line("nothing to resume");
        return Ok(());
    }
    engine.resume_all();
    let result = follow(ctx, &engine, events, unfinished).await;
    settle(&engine).await;
    result
}

async fn follow(
    ctx: &Context,
    engine: &Engine,
    mut events: tokio::sync::mpsc::UnboundedReceiver<Event>,
    mut ours: HashMap<JobId, JobSpec>,
) -> CliResult {
    let mut shown = Transfers::new();
    for (id, spec) in &ours {
        shown.added(*id, spec);
    }
    let mut finished: HashMap<JobId, JobState> = HashMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut links_skipped = 0usize;
    // Only events decide: everything since the engine started is still in the channel.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    while finished.len() < ours.len() {
        let event = tokio::select! {
            event = events.recv() => match event {
                Some(e) => e,
                None => break,
            },
            _ = &mut interrupted => {
                engine.pause_all();
                shown.clear();
                return Err(CliError::new(
                    "interrupted; partial files are kept: run the same command again (or haul queue resume) to continue",
                ));
            }
        };
        match event {
            Event::Added(view) if view.parent.is_some_and(|p| ours.contains_key(&p)) => {
                shown.added(view.id, &view.spec);
                ours.insert(view.id, view.spec);
            }
            Event::Progress {
                id, done, total, ..
            } => {
                if let Some(spec) = ours.get(&id) {
                    shown.progress(id, spec, done, total);
                }
            }
            Event::Changed(view) if ours.contains_key(&view.id) => {
                shown.state(&view);
                if view.state.is_finished() && !finished.contains_key(&view.id) {
                    // A lone job's failure is the command's error: said once, at the end.
                    let lone = ours.len() == 1;
                    record(&view, &mut failures, lone);
                    finished.insert(view.id, view.state);
                }
            }
            Event::Note { id, message } if ours.contains_key(&id) => {
                if message.contains(": a symbolic link (to ") && message.ends_with("not followed") {
                    links_skipped += 1;
                }
                progress::line(message)
            }
            Event::Ask(question) => answer(ctx, question, &mut failures).await,
            _ => {}
        }
    }
    shown.clear();
    if links_skipped > 0 {
        progress::line(format!(
            "{links_skipped} symbolic link(s) skipped; put -L (--follow-links) follows them"
        ));
    }
    let total = finished.len();
    let failed = finished
        .values()
        .filter(|s| !matches!(s, JobState::Done { .. }))
        .count();
    if failed > 0 {
        let first = failures.first().cloned().unwrap_or_default();
        if failed == 1 && total == 1 {
            return Err(CliError::new(first));
        }
        return Err(CliError::new(format!(
            "{failed} of {total} jobs failed; first: {first}"
        )));
    }
    Ok(())
}

/// The engine names conflict policies; on the command line they are `--on-conflict`'s values.
fn with_flag_names(error: &str) -> String {
    error.replace(
        "(on-conflict policies that settle it: ",
        "(use --on-conflict ",
    )
}

fn record(view: &JobView, failures: &mut Vec<String>, lone: bool) {
    match &view.state {
        JobState::Failed { error } => {
            let error = with_flag_names(error);
            let line = format!("{}: {error}", view.spec);
            if lone {
                failures.push(line);
            } else {
                progress::line(format!("haul: {line}"));
                failures.push(error);
            }
        }
        JobState::Cancelled => failures.push(format!("{}: cancelled", view.spec)),
        JobState::Done { note: Some(note) }
            if note.starts_with("skipped")
                || note.starts_with("instant")
                || note.starts_with("already there") =>
        {
            progress::line(format!("{}: {note}", view.spec));
        }
        _ => {}
    }
}

async fn answer(ctx: &Context, question: Question, failures: &mut Vec<String>) {
    match question {
        Question::Conflict {
            destination,
            existing_size,
            new_size,
            reply,
            ..
        } => {
            if !ctx.interactive {
                failures.push(format!("{destination} already exists"));
                return; // dropping the reply cancels the job
            }
            let size = |s: Option<u64>| s.map(progress::human_bytes).unwrap_or("?".into());
            let prompt = format!(
                "{} exists ({}; the new one: {}).\n[o]verwrite [s]kip [r]ename [c]ontinue (resume) skip if [i]dentical [f]ail; capital = for all: ",
                for_terminal(&destination),
                size(existing_size),
                size(new_size)
            );
            let line = progress::prompt(prompt).await;
            let c = line.trim().chars().next().unwrap_or('f');
            let choice = match c.to_ascii_lowercase() {
                'o' => ConflictPolicy::Overwrite,
                's' => ConflictPolicy::Skip,
                'r' => ConflictPolicy::Rename,
                'c' => ConflictPolicy::Resume,
                'i' => ConflictPolicy::SkipIdentical,
                _ => ConflictPolicy::Fail,
            };
            let _ = reply.send(ConflictAnswer {
                choice,
                apply_to_all: c.is_ascii_uppercase(),
            });
        }
        Question::Captcha {
            what,
            challenge,
            message,
            reply,
            ..
        } => {
            if !ctx.interactive {
                failures.push(format!(
                    "{what}: the host asks for a captcha ({message}); run haul in a terminal without --no-input to answer it"
                ));
                return;
            }
            progress::suspend(|| super::captcha::present(&challenge, &what));
            let prompt = match challenge.kind {
                crate::provider::ChallengeKind::ImageCaptcha => "type the characters you see: ",
                crate::provider::ChallengeKind::ReCaptcha => "paste the token: ",
            };
            let answer = progress::prompt(prompt.to_string()).await;
            let answer = answer.trim().to_string();
            if !answer.is_empty() {
                let _ = reply.send(answer);
            }
        }
    }
}
