//! One conformance suite for every provider, through the emulator over real HTTP: each
//! operation gated on the provider's capabilities, and every CLI command through a flaky host.

#[path = "../common/mod.rs"]
mod common;

mod big_folders;
mod cli_faults;
mod operations;
