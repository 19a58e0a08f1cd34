//! The hostile host over real HTTP: each `--hostile` case, switched on alone through
//! `POST /__emulator/faults`, really misbehaves on each site where it makes sense.

#[path = "../emulator_clients/mod.rs"]
mod clients;

use clients::{emulator, set_faults};
use haul::emulator::EmulatorHandle;
use serde_json::json;

/// Switches on exactly one case (or none).
async fn only(handle: &EmulatorHandle, case: Option<&str>) {
    let cases: Vec<&str> = case.into_iter().collect();
    set_faults(handle, json!({ "hostile": cases })).await;
}

mod bodies;
mod links;
mod names;
mod replies;
