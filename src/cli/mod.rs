//! The scripting CLI: clap definitions and dispatch. One file per command.

mod about;
mod access;
mod account_setup;
mod accounts;
mod captcha;
mod check;
mod context;
mod demo;
mod emulator_cmd;
mod get;
mod jobs;
mod link;
mod ls;
mod manual;
mod mirror;
mod mkdir;
mod mv_cp;
pub mod open_account;
mod output;
mod picked;
mod preflight;
mod progress;
mod put;
mod queue;
mod remote_upload;
mod rm;
mod state_dir;
mod target;
mod tui_cmd;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

pub use jobs::TransferArgs;
pub use output::stderr_line;
pub use progress::LogWriter;

pub use context::Context;

use crate::config::ConfigError;
use crate::provider::ProviderError;

#[derive(Debug, Parser)]
#[command(
    name = "haul",
    version,
    about = "A two-pane file manager and scripting CLI for file-hosting accounts",
    after_help = "Remote paths are ACCOUNT:PATH (ys:/Documents/report.pdf) or ACCOUNT:#ID.\nSecrets: the OS keyring, or HAUL_SECRET_<ACCOUNT>."
)]
pub struct Cli {
    /// Config file (default: $HAUL_CONFIG, else ~/.config/haul/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run against the built-in emulator with sample accounts (no real account needed).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Never ask anything on the terminal; fail instead.
    #[arg(long, global = true)]
    pub no_input: bool,
    /// Retries of a failed call to a host before giving up (default 10, or `[network] retries`).
    #[arg(long, global = true, value_name = "N")]
    pub low_level_retries: Option<u32>,
    /// Log more (repeat for more detail); HAUL_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars and no line per finished file; results and errors only.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a remote folder (or show one entry).
    Ls {
        /// ACCOUNT:PATH
        target: String,
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Create a remote folder and any missing parents.
    Mkdir { target: String },
    /// Upload local files (folders with -r, http/https URLs by remote upload) into a remote folder.
    Put {
        /// Local files or folders (or http/https URLs the host fetches itself), then ACCOUNT:DIR.
        #[arg(required = true, num_args = 2..)]
        paths: Vec<String>,
        /// Upload folders too, with everything in them.
        #[arg(short, long)]
        recursive: bool,
        /// Follow symbolic links in folders (loops are detected and not entered); without it
        /// they are skipped, each said.
        #[arg(short = 'L', long)]
        follow_links: bool,
        /// Always send the bytes, even when the host could place a copy it already has.
        #[arg(long)]
        no_dedupe: bool,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Download remote files (and folders with -r) into a local folder.
    Get {
        /// ACCOUNT:PATH..., then a local folder.
        #[arg(required = true, num_args = 2..)]
        paths: Vec<String>,
        /// Download folders too, with everything in them.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Move or rename: into DST if it is a folder, else move and rename (also between accounts).
    Mv {
        src: String,
        dst: String,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Copy: into DST if it is a folder, else copy as DST (server-side where the host can;
    /// between accounts by the destination host fetching a link, or relayed).
    Cp {
        src: String,
        dst: String,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Keep one file or folder on several hosts: upload once (to the next host where an upload
    /// fails), then each other host fetches that copy itself where it can; prints the links of
    /// every copy. Run it again to retry a host that failed (what landed is kept:
    /// --on-conflict defaults to skip-identical).
    Mirror {
        /// SOURCE (a local file or folder, or ACCOUNT:PATH), then ACCOUNT:DIR...
        #[arg(required = true, num_args = 2..)]
        paths: Vec<String>,
        /// How the links are printed: plain, url, bbcode, html, markdown, json, or a name
        /// from [links.formats].
        #[arg(long, default_value = "plain", value_name = "FORMAT")]
        format: String,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Delete a remote file, or a folder with -r.
    Rm {
        target: String,
        /// Delete a folder with everything in it.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Show, resume or clear the transfer queue kept in the journal.
    Queue {
        #[command(subcommand)]
        action: Option<QueueCommand>,
    },
    /// Account facts: user, plan, storage, traffic.
    About {
        /// ACCOUNT: (the trailing colon is optional)
        account: String,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print the public links of files, one line each: link, name, size (or one JSON array).
    Link {
        /// ACCOUNT:PATH... (a folder's own link, or its files with -r)
        #[arg(required = true)]
        targets: Vec<String>,
        /// The files in folders, all the way down.
        #[arg(short, long)]
        recursive: bool,
        /// plain, url, bbcode, html, markdown, json, or a name from [links.formats] in the config.
        #[arg(long, default_value = "plain", value_name = "FORMAT")]
        format: String,
        /// The same as --format json.
        #[arg(long)]
        json: bool,
    },
    /// Ask the hosts whether files still live (and why not); exit 1 if any is dead.
    Check {
        /// ACCOUNT:PATH... or ACCOUNT:#ID... (folders with -r)
        #[arg(required = true)]
        targets: Vec<String>,
        /// The files in folders, all the way down.
        #[arg(short, long)]
        recursive: bool,
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Set who may download files or folders, where the host's API can.
    Access {
        /// public (anyone with the link), private (the owner only) or premium (premium users).
        #[arg(value_enum)]
        level: AccessLevel,
        /// ACCOUNT:PATH...
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Manage configured accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Run the built-in emulator of the hosts' APIs.
    Emulator(EmulatorArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of haul, or of one of its commands.
    Man {
        /// A command (`haul man put` prints the page haul-put).
        command: Option<String>,
    },
}

/// `haul access`'s levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessLevel {
    Public,
    Private,
    Premium,
}

impl From<AccessLevel> for crate::provider::Access {
    fn from(level: AccessLevel) -> Self {
        match level {
            AccessLevel::Public => crate::provider::Access::Public,
            AccessLevel::Private => crate::provider::Access::Private,
            AccessLevel::Premium => crate::provider::Access::Premium,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// List the jobs (default): unfinished ones and the most recent finished ones.
    Ls {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
        /// Every job the journal holds, however many.
        #[arg(long)]
        all: bool,
    },
    /// Run every unfinished job to its end.
    Resume {
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Forget finished, failed and cancelled jobs.
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List configured accounts and where their secrets are.
    List {
        /// One JSON array on stdout (never the secrets).
        #[arg(long)]
        json: bool,
    },
    /// The hosts `accounts add --site` knows, with their provider and API root.
    Sites {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Add (or replace) an account; asks for its secret, signs in once with it, and stores it
    /// in the OS keyring.
    Add {
        name: String,
        /// A known host (keep2share.cc, kenfiles.com, ...; see `accounts sites`): its provider
        /// and API root.
        #[arg(long, value_name = "HOST")]
        site: Option<String>,
        #[arg(long, value_parser = ["yetishare", "keep2share", "xfilesharing"])]
        provider: Option<String>,
        /// The API root, e.g. https://www.zippyshare.cloud/api/v2
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long)]
        username: Option<String>,
        /// Read the secret from the first line of standard input instead of asking.
        #[arg(long)]
        secret_stdin: bool,
        /// Don't sign in to check the secret (the host is unreachable now, say).
        #[arg(long)]
        no_check: bool,
    },
    /// Remove an account and its stored secret.
    Remove { name: String },
    /// Log in to one account (or all) and show who it is.
    Test { name: Option<String> },
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8800")]
    pub listen: std::net::SocketAddr,
    /// Data directory (file bytes and metadata). Default: a temporary directory.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Don't fill empty accounts with the sample tree.
    #[arg(long)]
    pub no_seed: bool,
    /// Tokens stop validating after N requests.
    #[arg(long, value_name = "N")]
    pub expire_tokens_after: Option<u64>,
    /// Every Nth request fails with --fail-status.
    #[arg(long, value_name = "N")]
    pub fail_every: Option<u64>,
    /// Status of injected failures (429 or 503).
    #[arg(long, default_value_t = 503)]
    pub fail_status: u16,
    /// Retry-After seconds sent with injected failures.
    #[arg(long)]
    pub retry_after: Option<u64>,
    /// Network latency: every request waits this long before its answer starts.
    #[arg(
        long,
        visible_alias = "delay-ms",
        value_name = "MS",
        default_value_t = 0
    )]
    pub latency_ms: u64,
    /// Pace each response body (and each upload received) to RATE bytes/s per connection,
    /// e.g. 20M, 500K, 2000.
    #[arg(long, value_name = "RATE", value_parser = parse_rate_arg)]
    pub rate_per_conn: Option<u64>,
    /// At most N parallel downloads of one file (across connections and accounts); more get
    /// --max-conns-status with Retry-After: 1.
    #[arg(long, value_name = "N")]
    pub max_conns_per_file: Option<u64>,
    /// Status of downloads refused over --max-conns-per-file.
    #[arg(long, default_value_t = 503, value_parser = parse_busy_status)]
    pub max_conns_status: u16,
    /// Cut download bodies after this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub cut_body_after: Option<u64>,
    /// Ignore Range headers: downloads always send the whole file (200).
    #[arg(long)]
    pub ignore_range: bool,
    /// Behave as a hostile host: the cases named (comma-separated), or all of them when none is
    /// named.
    #[arg(long, value_name = "CASE", value_enum, num_args = 0.., value_delimiter = ',')]
    pub hostile: Option<Vec<crate::emulator::HostileCase>>,
}

fn parse_rate_arg(text: &str) -> Result<u64, String> {
    crate::transfer::throttle::parse_rate(text)
        .ok_or_else(|| format!("{text:?} is not a rate like 20M, 500K or 2000"))
}

fn parse_busy_status(text: &str) -> Result<u16, String> {
    match text.trim() {
        "429" => Ok(429),
        "503" => Ok(503),
        _ => Err(format!("{text:?}: the status is 429 or 503")),
    }
}

/// A command failure: one line for the user, and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: i32,
    /// End with `code` and say nothing (stdout was closed early).
    pub quiet: bool,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
            quiet: false,
        }
    }
    /// An exit with `code` and no message.
    pub fn quiet(code: i32) -> Self {
        CliError {
            message: String::new(),
            code,
            quiet: true,
        }
    }
    /// Prefix the message with what we were working on.
    pub fn context(mut self, what: impl std::fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            ..CliError::new(message)
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Whatever a server said goes through the terminal filter, on one line.
        let one_line = self.message.replace(['\n', '\r'], " ");
        f.write_str(&crate::sanitize::for_terminal(&one_line))
    }
}

impl From<ProviderError> for CliError {
    fn from(e: ProviderError) -> Self {
        CliError::new(e.message)
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::new(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::new(e.to_string())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// The command line, or the end of the process: help and version printed (exit 0; 141 when
/// stdout is closed early, as for any command), or a usage error (exit 2).
pub fn parse_args() -> Cli {
    let error = match Cli::try_parse() {
        Ok(cli) => return cli,
        Err(e) => e,
    };
    let printed = error.print();
    let code = match printed {
        Err(e) if !error.use_stderr() && e.kind() == std::io::ErrorKind::BrokenPipe => {
            output::CLOSED_PIPE_EXIT
        }
        _ => error.exit_code(),
    };
    std::process::exit(code)
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> CliResult {
    progress::init(cli.quiet);
    match &cli.command {
        Some(Command::Emulator(args)) => return emulator_cmd::run(args).await,
        Some(Command::Completions { shell }) => return manual::completions(*shell),
        Some(Command::Man { command }) => return manual::man_page(command.as_deref()),
        Some(Command::Accounts(AccountsCommand::Sites { json })) => {
            return accounts::sites(*json);
        }
        _ => {}
    }
    let demo = if cli.demo {
        Some(demo::DemoServer::start().await?)
    } else {
        None
    };
    let ctx = Arc::new(match &demo {
        Some(d) => Context::for_demo(&cli, d.accounts()),
        None => Context::load(&cli)?,
    });
    let result = match cli.command {
        // Without a terminal, `--demo` prints its text tour instead of the UI.
        None => match &demo {
            Some(d) if !tui_cmd::has_terminal() => demo::tour(&ctx, d).await,
            _ => tui_cmd::run(&ctx, demo.is_some()).await,
        },
        Some(command) => {
            progress::show_retries();
            dispatch(&ctx, command).await
        }
    };
    if let Some(d) = demo {
        d.stop().await;
    }
    result
}

async fn dispatch(ctx: &Arc<Context>, command: Command) -> CliResult {
    match command {
        Command::Ls { target, json } => ls::run(ctx, &target, json).await,
        Command::Mkdir { target } => mkdir::run(ctx, &target).await,
        Command::Put {
            paths,
            recursive,
            follow_links,
            no_dedupe,
            transfer,
        } => {
            let options = put::PutOptions {
                recursive,
                follow_links,
                dedupe: !no_dedupe,
                transfer,
            };
            put::run(ctx, &paths, options).await
        }
        Command::Get {
            paths,
            recursive,
            transfer,
        } => get::run(ctx, &paths, recursive, &transfer).await,
        Command::Mv { src, dst, transfer } => {
            mv_cp::run(ctx, &src, &dst, mv_cp::Op::Move, &transfer).await
        }
        Command::Cp { src, dst, transfer } => {
            mv_cp::run(ctx, &src, &dst, mv_cp::Op::Copy, &transfer).await
        }
        Command::Mirror {
            paths,
            format,
            transfer,
        } => mirror::run(ctx, &paths, mirror::MirrorOptions { format, transfer }).await,
        Command::Rm {
            target,
            recursive,
            transfer,
        } => rm::run(ctx, &target, recursive, &transfer).await,
        Command::Queue { action } => queue::run(ctx, action).await,
        Command::About { account, json } => about::about(ctx, &account, json).await,
        Command::Link {
            targets,
            recursive,
            format,
            json,
        } => {
            let format = if json { "json" } else { format.as_str() };
            link::run(ctx, &targets, recursive, format).await
        }
        Command::Check {
            targets,
            recursive,
            json,
        } => check::run(ctx, &targets, recursive, json).await,
        Command::Access { level, targets } => access::run(ctx, level.into(), &targets).await,
        Command::Accounts(cmd) => accounts::run(ctx, cmd).await,
        Command::Emulator(_) | Command::Completions { .. } | Command::Man { .. } => Ok(()),
    }
}
