//! The TUI's state and its pure update: `update(&mut State, Msg) -> Vec<Effect>`.
//!
//! Nothing here spawns a task or touches the network: work is returned as [`Effect`]s, which
//! the driver (`crate::tui`) runs in the background, feeding results back as [`Msg`]s.

pub mod keymap;
pub mod layout;
pub mod modal;
mod mouse;
pub mod pane;
pub mod queue;
mod update;
mod update_modal;

use std::collections::HashMap;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};
use tokio::sync::oneshot;

pub use keymap::{Action, Keymap, Layer};
pub use modal::Modal;
pub use mouse::drop_target;
pub use pane::PaneState;
pub use queue::QueueView;
pub use update::update;
pub use update_modal::is_web_url;

use crate::provider::{Entry, EntryRef, FolderId};
use crate::transfer::{ConflictAnswer, Event, FolderAddr, ItemAddr, JobId, JobSpec};

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
    /// The clock (spinners, coalesced refreshes).
    Tick {
        now_ms: u64,
    },
    Listed {
        side: usize,
        seq: u64,
        result: Result<Vec<Entry>, String>,
    },
    Engine(Event),
    Link {
        entry_id: String,
        result: Result<String, String>,
    },
    /// A background task failed: shown as an error modal.
    Failed {
        title: String,
        detail: String,
    },
}

/// Work for the driver.
#[derive(Debug)]
pub enum Effect {
    List {
        side: usize,
        seq: u64,
        account: String,
        folder: FolderId,
    },
    Enqueue(Vec<JobSpec>),
    Job(JobId, JobOp),
    PauseAll,
    ResumeAll,
    ClearFinished,
    AnswerConflict(oneshot::Sender<ConflictAnswer>, ConflictAnswer),
    AnswerCaptcha(oneshot::Sender<String>, String),
    Link {
        account: String,
        entry: EntryRef,
    },
    /// Look up `id` on `account` and download it into `to`.
    Fetch {
        account: String,
        id: String,
        to: FolderAddr,
    },
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
    /// `local` first, then the configured accounts.
    pub accounts: Vec<String>,
    pub queue: QueueView,
    /// Top of the stack is last.
    pub modals: Vec<Modal>,
    pub show_queue: bool,
    pub keymap: Keymap,
    /// A one-line message for the status bar.
    pub status: Option<String>,
    pub size: (u16, u16),
    pub now_ms: u64,
    /// Yanked entries (`y`), pasted with `p`.
    pub yank: Vec<ItemAddr>,
    pub drag: Option<Drag>,
    pub last_click: Option<Click>,
    /// Where a local pane starts when switched to the local disk.
    pub home: PathBuf,
    /// Captcha questions per job (a wrong answer asks again).
    pub captcha_rounds: HashMap<JobId, u32>,
    /// Panes to list again once idle (after jobs touched their account).
    pub stale: [bool; 2],
    pub quit: bool,
}

impl State {
    /// Left pane on `left` (local: at `home`), right pane on `right`.
    pub fn new(
        accounts: Vec<String>,
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
            size: (80, 24),
            now_ms: 0,
            yank: Vec::new(),
            drag: None,
            last_click: None,
            home,
            captcha_rounds: HashMap::new(),
            stale: [false, false],
            quit: false,
        }
    }

    /// The effects that load both panes at start.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![self.list(0), self.list(1)]
    }

    pub fn pane(&self) -> &PaneState {
        &self.panes[self.focus]
    }
    pub fn pane_mut(&mut self) -> &mut PaneState {
        &mut self.panes[self.focus]
    }

    /// Begin listing a pane's folder.
    pub fn list(&mut self, side: usize) -> Effect {
        let pane = &mut self.panes[side];
        let seq = pane.begin_listing();
        Effect::List {
            side,
            seq,
            account: pane.account.clone(),
            folder: pane.folder(),
        }
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

    /// The spinner's current frame.
    pub fn spinner(&self) -> char {
        const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
        FRAMES[((self.now_ms / 120) % 4) as usize]
    }
}

#[cfg(test)]
mod tests;
