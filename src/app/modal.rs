//! The modal stack's entries. Questions from the engine carry their reply sender: answering
//! sends on it (through an effect); dropping the modal drops it, which cancels that one job.

use tokio::sync::oneshot;
use tui_input::Input;

pub use super::account_form::{AccountForm, AccountPicker, SecretPrompt};
use super::keymap::{Action, Layer};
use super::links::LinkItem;
use crate::provider::{Access, Availability, Challenge, Entry, EntryRef};
use crate::transfer::{ConflictAnswer, ConflictPolicy, FolderAddr, ItemAddr, JobId, JobSpec};

/// What a text input is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    Mkdir,
    Rename {
        item: ItemAddr,
    },
    Filter,
    /// A file id (or link ending in one) on the focused pane's account, to download.
    Fetch,
    /// The global bandwidth limit (`10M`, `500K`; empty, 0 or `off` for none).
    Bandwidth,
}

impl InputPurpose {
    pub fn title(&self) -> &'static str {
        match self {
            InputPurpose::Mkdir => "New folder",
            InputPurpose::Rename { .. } => "Rename",
            InputPurpose::Filter => "Filter",
            InputPurpose::Fetch => "Download a file id or link into the other pane",
            InputPurpose::Bandwidth => {
                "Bandwidth limit for all transfers (500K, 10M; empty = none)"
            }
        }
    }
}

/// What a yes/no question does on yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmAction {
    Enqueue(Vec<JobSpec>),
    /// Enqueue a batch the quota preflight found too large (a person said to go on).
    EnqueueAnyway(Vec<JobSpec>),
    /// Mirror entries the quota preflight found too large.
    MirrorAnyway {
        items: Vec<ItemAddr>,
        to: Vec<FolderAddr>,
    },
    Quit,
}

/// Who waits for a captcha's answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CaptchaTarget {
    /// A transfer job: the answer goes back on the modal's reply.
    Job(JobId),
    /// Signing in to this account: the answer goes to the account's provider.
    Login(String),
}

pub struct Captcha {
    pub target: CaptchaTarget,
    pub what: String,
    pub challenge: Challenge,
    pub message: String,
    /// The job's reply (`None` for a login, and once answered).
    pub reply: Option<oneshot::Sender<String>>,
    pub input: Input,
    /// How many times this was asked (a wrong answer asks again).
    pub round: u32,
    /// The challenge's page was opened in the browser when the modal came up (reCaptcha).
    pub opened_in_browser: bool,
    /// What became of the last open or copy of its URL ("no browser could be opened: ...").
    pub note: Option<String>,
}

pub struct Conflict {
    pub job: JobId,
    pub destination: String,
    pub existing_size: Option<u64>,
    pub new_size: Option<u64>,
    pub reply: Option<oneshot::Sender<ConflictAnswer>>,
    /// Highlighted choice (index into [`CONFLICT_CHOICES`]).
    pub choice: usize,
    pub apply_to_all: bool,
}

/// The conflict dialog's buttons: the action (its keys come from the `[conflict]` layer),
/// label, policy.
pub const CONFLICT_CHOICES: &[(Action, &str, ConflictPolicy)] = &[
    (Action::Overwrite, "Overwrite", ConflictPolicy::Overwrite),
    (Action::Skip, "Skip", ConflictPolicy::Skip),
    (Action::KeepBoth, "Rename", ConflictPolicy::Rename),
    (Action::ContinueFile, "Resume", ConflictPolicy::Resume),
    (
        Action::SkipIdentical,
        "Skip if same",
        ConflictPolicy::SkipIdentical,
    ),
];

/// The links of the marked entries, in a format picked with the arrows (`E` in a pane).
pub struct LinkExport {
    pub account: String,
    /// How many entries were asked for.
    pub asked: usize,
    /// The format names offered: the built-in ones, then the config's.
    pub formats: Vec<String>,
    /// Index into `formats`.
    pub choice: usize,
    /// What the host answered, once it has: the links, and the entries without one (why).
    pub links: Option<Result<ExportedLinks, String>>,
    /// First line shown of the text.
    pub scroll: usize,
}

/// The links an export got.
#[derive(Debug, Clone, Default)]
pub struct ExportedLinks {
    pub items: Vec<LinkItem>,
    /// `shown: why` for each entry that has no link.
    pub failed: Vec<String>,
}

/// Who may download the marked entries (`A` in a pane): a level picked with the arrows.
/// Where to mirror the marked entries (`M`): the accounts ticked, each into its root, or into
/// the other pane's folder when that pane is on it.
pub struct MirrorPicker {
    pub items: Vec<ItemAddr>,
    /// What is mirrored, in words ("readme.txt", "3 entries").
    pub what: String,
    /// Each account's destination, and whether it is ticked.
    pub targets: Vec<(FolderAddr, bool)>,
    /// Index into `targets`.
    pub cursor: usize,
}

impl MirrorPicker {
    pub fn chosen(&self) -> Vec<FolderAddr> {
        self.targets
            .iter()
            .filter(|(_, on)| *on)
            .map(|(to, _)| to.clone())
            .collect()
    }
}

pub struct AccessPicker {
    pub account: String,
    /// Each entry's name and reference.
    pub entries: Vec<(String, EntryRef)>,
    /// What is changed, in words ("readme.txt", "3 entries").
    pub what: String,
    /// Index into [`Access::ALL`].
    pub choice: usize,
}

impl AccessPicker {
    pub fn access(&self) -> Access {
        Access::ALL[self.choice % Access::ALL.len()]
    }
}

pub enum Modal {
    Confirm {
        title: String,
        message: String,
        action: ConfirmAction,
    },
    Input {
        purpose: InputPurpose,
        input: Input,
    },
    Conflict(Box<Conflict>),
    Captcha(Box<Captcha>),
    Error {
        title: String,
        detail: String,
    },
    /// The key list, scrolled by `scroll` entries (it does not fit at 80x24).
    Help {
        scroll: usize,
    },
    Info {
        entry: Box<Entry>,
        account: String,
        link: Option<Result<String, String>>,
        /// What the host said when asked again (`c`): `None` until asked, `Some(None)` while
        /// it is being asked.
        health: Option<Option<Result<Availability, String>>>,
    },
    Export(Box<LinkExport>),
    Access(Box<AccessPicker>),
    Mirror(Box<MirrorPicker>),
    AccountPicker(AccountPicker),
    AccountForm(Box<AccountForm>),
    Secret(Box<SecretPrompt>),
}

impl Modal {
    /// Questions (from the engine, or a login captcha) wait in the stack under whatever is on top.
    pub fn is_question(&self) -> bool {
        matches!(self, Modal::Conflict(_) | Modal::Captcha(_))
    }

    /// The keymap layer its keys are looked up in.
    pub fn layer(&self) -> Layer {
        match self {
            Modal::AccountPicker(_) => Layer::Picker,
            Modal::Help { .. } => Layer::Help,
            Modal::Info { .. } => Layer::Info,
            Modal::Conflict(_) => Layer::Conflict,
            Modal::Captcha(_) => Layer::Captcha,
            _ => Layer::Modal,
        }
    }

    /// The text field that typing (and pasting) goes to, if the modal has one.
    pub fn input_mut(&mut self) -> Option<&mut Input> {
        match self {
            Modal::Input { input, .. } => Some(input),
            Modal::Captcha(c) => Some(&mut c.input),
            Modal::Secret(p) => Some(&mut p.input),
            Modal::AccountForm(f) => {
                let field = f.field();
                f.input_mut(field)
            }
            _ => None,
        }
    }

    /// The captcha modal waiting for `target`, if any.
    pub fn captcha_for(&self, target: &CaptchaTarget) -> Option<&Captcha> {
        match self {
            Modal::Captcha(c) if &c.target == target => Some(c),
            _ => None,
        }
    }
}
