//! The TUI's state and its pure update: `update(&mut State, Msg) -> Vec<Effect>`.
//!
//! Nothing here spawns a task or touches the network: work is returned as [`Effect`]s, which
//! the driver (`crate::tui`) runs in the background, feeding results back as [`Msg`]s.

pub mod account_form;
pub mod accounts;
pub mod keymap;
pub mod layout;
pub mod links;
pub mod modal;
mod mouse;
pub mod pane;
mod pane_view;
pub mod queue;
mod update;
mod update_accounts;
mod update_engine;
mod update_input;
mod update_mirror;
mod update_modal;
mod update_questions;
mod update_uploader;

use std::collections::HashMap;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};
use tokio::sync::oneshot;

pub use accounts::{AccountEntry, LoginProblem, LoginState};
pub use keymap::{Action, Keymap, Layer};
pub use modal::Modal;
pub use mouse::drop_target;
pub use pane::{PaneRetry, PaneState};
pub use queue::QueueView;
pub use update::update;
pub use update_modal::is_web_url;
pub use update_uploader::export_text as update_uploader_text;

/// What the renderer needs of the engine's and the providers' types, so that `ui` reads the
/// state through `app` alone.
pub use crate::provider::{Access, Availability, ChallengeKind, Entry};
pub use crate::transfer::{JobState, LOCAL};

use crate::config::AccountConfig;
use crate::config::LinksConfig;
use crate::config::new_account::AccountError;
use crate::config::secrets::{Secret, SecretKept};
use crate::provider::{Challenge, EntryRef, FolderId};
use crate::transfer::{ConflictAnswer, Event, FolderAddr, ItemAddr, JobId, JobSpec};
use modal::CaptchaTarget;

/// Something that happened: a key, the mouse, a finished background task, the engine.
// Engine events are the bulk of the traffic and are moved, not copied: no box needed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse {
        event: MouseEvent,
        now_ms: u64,
    },
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The clock (spinners, coalesced refreshes).
    Tick {
        now_ms: u64,
    },
    /// The listing `(side, seq)` ended: every entry (or those no `ListedPage` brought), or why not.
    Listed {
        side: usize,
        seq: u64,
        result: Result<Vec<Entry>, String>,
    },
    /// A page of the listing `(side, seq)`, as it arrives. `restart`: the listing started
    /// over (a retry), the pages before this one are void.
    ListedPage {
        side: usize,
        seq: u64,
        entries: Vec<Entry>,
        restart: bool,
    },
    /// The listing `(side, seq)` waits `wait_ms` to try again: the host was busy.
    ListRetrying {
        side: usize,
        seq: u64,
        host: String,
        wait_ms: u64,
        attempt: u32,
        of: u32,
        reason: String,
    },
    /// How signing in to `account` went: for the listing `(side, seq)` of a pane, or on its
    /// own (the picker's sign-in, a login captcha's answer). A listing that stops at signing
    /// in reports here instead of in `Listed`.
    Login {
        account: String,
        pane: Option<(usize, u64)>,
        result: Result<(), LoginProblem>,
    },
    /// A new account was written (or why not), and where its secret went.
    AccountSaved {
        name: String,
        account: AccountConfig,
        result: Result<Option<SecretKept>, AccountError>,
    },
    /// A secret typed again was kept (or why not); signing in with it follows.
    SecretSaved {
        account: String,
        result: Result<SecretKept, String>,
    },
    Engine(Event),
    Link {
        entry_id: String,
        result: Result<String, String>,
    },
    /// How opening `url` in the browser went.
    UrlOpened {
        url: String,
        result: Result<(), String>,
    },
    /// The links of an export (`E`), each a link item or `shown: why` there is none; or why
    /// the host could not be asked.
    Links {
        account: String,
        result: Result<Vec<Result<links::LinkItem, String>>, String>,
    },
    /// How setting access went: each entry's name and outcome, or why nothing was done.
    AccessSet {
        account: String,
        access: Access,
        result: Result<Vec<AccessOutcome>, String>,
    },
    /// What the host said when asked whether a file lives (the info view's `c`).
    Checked {
        account: String,
        entry_id: String,
        result: Result<Availability, String>,
    },
    /// The file asked for by id (`L`), looked up: queued as every batch is, quotas first.
    FetchLookedUp(JobSpec),
    /// The quota preflight found a batch larger than what its accounts have left: a person
    /// decides (continue / cancel).
    OverQuota {
        specs: Vec<JobSpec>,
        shortfalls: Vec<String>,
    },
    /// The same for a mirror: going on mirrors it as asked.
    MirrorOverQuota {
        items: Vec<ItemAddr>,
        to: Vec<FolderAddr>,
        shortfalls: Vec<String>,
    },
    /// Jobs queued together (batch `batch`) are the group `name` (a mirror).
    Grouped {
        batch: JobId,
        name: String,
    },
    /// A background task failed: shown as an error modal.
    Failed {
        title: String,
        detail: String,
    },
}

/// One entry's outcome of setting access: its name and whether it was set (or why not).
pub type AccessOutcome = (String, Result<(), String>);

/// Work for the driver.
#[derive(Debug)]
pub enum Effect {
    /// List a pane's folder; with `sign_in`, sign in (again) first.
    List {
        side: usize,
        seq: u64,
        account: String,
        folder: FolderId,
        sign_in: bool,
    },
    /// Sign in to an account again (the picker), reporting `Msg::Login`.
    SignIn {
        account: String,
    },
    /// A person's answer to an account's login captcha, reporting `Msg::Login`.
    AnswerLogin {
        account: String,
        challenge: Challenge,
        answer: String,
    },
    /// Write a new account (checked by the form) and keep its secret, reporting `Msg::AccountSaved`.
    AddAccount {
        name: String,
        account: AccountConfig,
        secret: Option<Secret>,
    },
    /// Keep a new secret for an account, reporting `Msg::SecretSaved`, then sign in with it.
    SetSecret {
        account: String,
        secret: Secret,
    },
    /// Queue a batch once the quota preflight finds it fits (else `Msg::OverQuota`).
    Enqueue(Vec<JobSpec>),
    /// Queue a batch without the quota preflight (a person chose to go on).
    EnqueueAnyway(Vec<JobSpec>),
    /// Copy `items` to every folder of `to`, as one group in the queue (after the preflight).
    Mirror {
        items: Vec<ItemAddr>,
        to: Vec<FolderAddr>,
        /// Without the quota preflight (a person chose to go on).
        force: bool,
    },
    Job(JobId, JobOp),
    PauseAll,
    ResumeAll,
    ClearFinished,
    /// The global bandwidth limit, bytes per second (None: unlimited).
    SetBandwidth(Option<u64>),
    AnswerConflict(oneshot::Sender<ConflictAnswer>, ConflictAnswer),
    AnswerCaptcha(oneshot::Sender<String>, String),
    Link {
        account: String,
        entry: EntryRef,
    },
    /// Look up `id` on `account` for a download into `to`, reporting `Msg::FetchLookedUp`.
    Fetch {
        account: String,
        id: String,
        to: FolderAddr,
    },
    /// The public links of entries (shown as `shown`), reporting `Msg::Links`.
    ExportLinks {
        account: String,
        entries: Vec<Entry>,
        shown: Vec<String>,
    },
    /// Set who may download entries, reporting `Msg::AccessSet`.
    SetAccess {
        account: String,
        entries: Vec<(String, EntryRef)>,
        access: Access,
    },
    /// Ask the host whether a file lives, reporting `Msg::Checked`.
    Check {
        account: String,
        entry: EntryRef,
    },
    /// Open a web URL in the browser, reporting `Msg::UrlOpened`.
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52).
    Clipboard(String),
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOp {
    Pause,
    Resume,
    Cancel,
    Retry,
    Shift(i32),
}

/// Entries carried by a mouse drag.
#[derive(Debug, Clone)]
pub struct Drag {
    pub from: usize,
    pub items: Vec<ItemAddr>,
    /// Where the pointer is.
    pub at: (u16, u16),
    /// Moved far enough to be a drag, not a click.
    pub moving: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Click {
    pub at: (u16, u16),
    pub ms: u64,
}

pub struct State {
    pub panes: [PaneState; 2],
    pub focus: usize,
    /// `local` first, then the configured accounts (by name), each with its sign-in state.
    pub accounts: Vec<AccountEntry>,
    pub queue: QueueView,
    /// Top of the stack is last.
    pub modals: Vec<Modal>,
    pub show_queue: bool,
    pub keymap: Keymap,
    /// A one-line message for the status bar.
    pub status: Option<String>,
    /// The status message about work just queued ("copying 3 entries to ..."): it goes once
    /// the queue has nothing unfinished, if still shown.
    pub work_status: Option<String>,
    pub size: (u16, u16),
    pub now_ms: u64,
    /// Yanked entries (`y`), pasted with `p`.
    pub yank: Vec<ItemAddr>,
    pub drag: Option<Drag>,
    pub last_click: Option<Click>,
    /// Where a local pane starts when switched to the local disk.
    pub home: PathBuf,
    /// Captcha questions per job or login (a wrong answer asks again).
    pub captcha_rounds: HashMap<CaptchaTarget, u32>,
    /// Whether the driver opens URLs in a browser (not with `HAUL_NO_BROWSER`): a reCaptcha's
    /// page is opened as its modal comes up.
    pub opens_browser: bool,
    /// Panes to list again once idle (after jobs touched their account).
    pub stale: [bool; 2],
    /// The global bandwidth limit in force (bytes per second), shown in the status bar.
    pub bwlimit: Option<u64>,
    /// `[links.formats]` from the config, offered by the link export.
    pub link_formats: LinksConfig,
    pub quit: bool,
}

impl State {
    /// Left pane on `left` (local: at `home`), right pane on `right`.
    pub fn new(
        accounts: Vec<AccountEntry>,
        left: &str,
        right: &str,
        home: PathBuf,
        keymap: Keymap,
    ) -> State {
        State {
            panes: [PaneState::new(left, &home), PaneState::new(right, &home)],
            focus: 0,
            accounts,
            queue: QueueView::default(),
            modals: Vec::new(),
            show_queue: false,
            keymap,
            status: None,
            work_status: None,
            size: (80, 24),
            now_ms: 0,
            yank: Vec::new(),
            drag: None,
            last_click: None,
            home,
            captcha_rounds: HashMap::new(),
            opens_browser: true,
            stale: [false, false],
            bwlimit: None,
            link_formats: LinksConfig::default(),
            quit: false,
        }
    }

    /// The effects that load both panes at start; without any account, the status bar says
    /// how to add one.
    pub fn start(&mut self) -> Vec<Effect> {
        if self.status.is_none() && self.accounts.iter().all(AccountEntry::is_local) {
            let key = |layer, a| self.keymap.first_key(layer, a).unwrap_or_default();
            self.status = Some(format!(
                "no accounts yet: press {}, then {} to add one, or try haul --demo",
                key(Layer::Panes, Action::Account),
                key(Layer::Picker, Action::NewAccount)
            ));
        }
        vec![self.list(0), self.list(1)]
    }

    pub fn pane(&self) -> &PaneState {
        &self.panes[self.focus]
    }
    pub fn pane_mut(&mut self) -> &mut PaneState {
        &mut self.panes[self.focus]
    }

    /// Begin listing a pane's folder, signing in first where the account is not signed in.
    pub fn list(&mut self, side: usize) -> Effect {
        let pane = &mut self.panes[side];
        let seq = pane.begin_listing();
        let account = pane.account.clone();
        let folder = pane.folder();
        let sign_in = match self.account_mut(&account) {
            Some(a) if !a.is_local() && a.login.needs_sign_in() => {
                a.login = LoginState::SigningIn;
                true
            }
            _ => false,
        };
        Effect::List {
            side,
            seq,
            account,
            folder,
            sign_in,
        }
    }

    /// A listed account by name.
    pub fn account(&self, name: &str) -> Option<&AccountEntry> {
        self.accounts.iter().find(|a| a.name == name)
    }

    pub fn account_mut(&mut self, name: &str) -> Option<&mut AccountEntry> {
        self.accounts.iter_mut().find(|a| a.name == name)
    }

    /// The sides whose pane shows `account`.
    pub fn sides_on(&self, account: &str) -> Vec<usize> {
        (0..2)
            .filter(|&s| self.panes[s].account == account)
            .collect()
    }

    /// Rows a pane shows at the current size.
    pub fn list_height(&self) -> usize {
        let s = layout::screen(self.size.0, self.size.1, self.show_queue);
        layout::list_area(s.panes[0]).height as usize
    }

    /// Questions waiting for an answer (the badge).
    pub fn pending_questions(&self) -> usize {
        self.modals.iter().filter(|m| m.is_question()).count()
    }

    /// Whether something on screen moves with the clock alone: a listing's spinner or its
    /// retry countdown. (Transfers' progress comes with the engine's events.)
    pub fn clock_on_screen(&self) -> bool {
        self.panes.iter().any(|p| p.loading)
    }

    /// Whether the screen must be drawn again after a message (a tick when `tick`) that gave
    /// `effects`: anything but the clock changes what is shown; a tick only when it started
    /// work or something on screen moves with the clock. An idle TUI draws nothing.
    pub fn redraw_after(&self, tick: bool, effects: &[Effect]) -> bool {
        !tick || !effects.is_empty() || self.clock_on_screen()
    }

    /// The spinner's current frame.
    pub fn spinner(&self) -> char {
        const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
        FRAMES[((self.now_ms / 120) % 4) as usize]
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_accounts;
#[cfg(test)]
mod tests_habits;
#[cfg(test)]
mod tests_pane;
#[cfg(test)]
mod tests_uploader;
