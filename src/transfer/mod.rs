//! The transfer engine: a persistent async queue for uploads, downloads, copies, moves,
//! deletes and mkdirs that resumes, retries and verifies. The CLI and the TUI both drive it.

mod conflict;
mod copy;
mod destination;
pub mod download;
mod engine;
mod expand;
mod folder_cache;
pub mod journal;
mod landing;
mod local_tree;
mod meter;
pub mod mirror;
mod moving;
mod part_lock;
mod part_writer;
pub mod preflight;
mod queue_index;
mod scheduler;
mod segment_writer;
mod segments;
pub mod spec;
pub mod state;
pub mod throttle;
mod twins;
mod upload;
mod worker;

pub use engine::{Accounts, Engine, EngineConfig, Queued};
pub use journal::{Journal, Retention};
pub use preflight::human_bytes;
pub use segment_writer::{PartSegments, SegmentWriter};
pub use spec::{FolderAddr, ItemAddr, JobSpec, LOCAL};
pub use state::{ConflictAnswer, ConflictPolicy, Event, JobId, JobState, JobView, Question};
