//! Quirks of some sites that the emulator reproduces only when asked, through the test API:
//! `POST /__emulator/xfilesharing/quirks` `{"lost_upload_sessions":true,"anonymous_uploads":true}`
//! (fields left out are off).
//! - `lost_upload_sessions`: `upload.cgi` no longer knows the `sess_id`s `upload/server` handed
//!   out (a restarted or different file server).
//! - `anonymous_uploads`: an upload under an unknown `sess_id` is still stored, as a file of
//!   nobody's, with a code but in no account's `file/list` (katfile, per the notes); off, such an
//!   upload is answered `"Unauthorized"`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::Site;

/// The owner of files stored under an unknown session (no account has this id).
pub(super) const NOBODY: u64 = 0;

/// The quirks that are on.
#[derive(Default)]
pub(super) struct Quirks {
    lost_upload_sessions: AtomicBool,
    anonymous_uploads: AtomicBool,
}

impl Quirks {
    pub(super) fn lost_upload_sessions(&self) -> bool {
        self.lost_upload_sessions.load(Ordering::Relaxed)
    }

    pub(super) fn anonymous_uploads(&self) -> bool {
        self.anonymous_uploads.load(Ordering::Relaxed)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SetQuirks {
    lost_upload_sessions: bool,
    anonymous_uploads: bool,
}

pub(super) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/__emulator/xfilesharing/quirks", post(set_quirks))
        .with_state(site)
}

async fn set_quirks(State(site): State<Arc<Site>>, Json(set): Json<SetQuirks>) -> Response {
    let quirks = &site.quirks;
    quirks
        .lost_upload_sessions
        .store(set.lost_upload_sessions, Ordering::Relaxed);
    quirks
        .anonymous_uploads
        .store(set.anonymous_uploads, Ordering::Relaxed);
    Json(json!({"ok": true})).into_response()
}
