//! The modal stack's entries. Questions from the engine carry their reply sender: answering
//! sends on it (through an effect); dropping the modal drops it, which cancels that one job.

use tokio::sync::oneshot;
use tui_input::Input;

pub use super::account_form::{AccountForm, AccountPicker, SecretPrompt};
use crate::provider::{Challenge, Entry};
use crate::transfer::{ConflictAnswer, ItemAddr, JobId, JobSpec};

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

/// The conflict dialog's buttons: key, label, policy.
pub const CONFLICT_CHOICES: &[(char, &str, crate::transfer::ConflictPolicy)] = &[
    ('o', "Overwrite", crate::transfer::ConflictPolicy::Overwrite),
    ('s', "Skip", crate::transfer::ConflictPolicy::Skip),
    ('r', "Rename", crate::transfer::ConflictPolicy::Rename),
    ('c', "Resume", crate::transfer::ConflictPolicy::Resume),
    (
        'i',
        "Skip if same",
        crate::transfer::ConflictPolicy::SkipIdentical,
    ),
];

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
    },
    AccountPicker(AccountPicker),
    AccountForm(Box<AccountForm>),
    Secret(Box<SecretPrompt>),
}

impl Modal {
    /// Questions (from the engine, or a login captcha) wait in the stack under whatever is on top.
    pub fn is_question(&self) -> bool {
        matches!(self, Modal::Conflict(_) | Modal::Captcha(_))
    }

    /// The captcha modal waiting for `target`, if any.
    pub fn captcha_for(&self, target: &CaptchaTarget) -> Option<&Captcha> {
        match self {
            Modal::Captcha(c) if &c.target == target => Some(c),
            _ => None,
        }
    }
}
