//! haul: a two-pane terminal file manager for file-hosting accounts.
//!
//! Dependency direction: `cli/tui -> app -> transfer -> provider -> http`; `ui` only renders
//! `app`'s state; `emulator` knows nothing of `provider`.

pub mod app;
pub mod checksum;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod http;
pub mod provider;
pub mod sanitize;
pub mod transfer;
pub mod tui;
pub mod ui;
