//! Where a provider tells the job it works for what its upload is doing to the host before the
//! upload returns: what was there before the bytes go (so what they leave can be told apart),
//! and the file they landed as (XFileSharing's upload lands in the root and is moved after;
//! Keep2Share's is read back). The job keeps both in its journal, so a `kill -9` before the
//! upload returns costs a finishing step on the re-run, never the bytes again.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use super::Entry;

/// What an upload tells.
pub enum Landing<'a> {
    /// The bytes of `name` (`size` of them) are about to go; files named like it the account
    /// held before are `before` (see [`super::Provider::find_landed`]).
    Sending {
        name: &'a str,
        size: u64,
        before: &'a HashSet<String>,
    },
    /// The bytes are on the host as this file (not necessarily in place yet).
    Landed(&'a Entry),
}

/// Hears what uploads tell.
pub type LandedHook = Arc<dyn Fn(Landing<'_>) + Send + Sync>;

tokio::task_local! {
    static HOOK: LandedHook;
}

/// Run `fut` (an upload) with `hook` hearing what it tells.
pub async fn watching<F: Future>(hook: LandedHook, fut: F) -> F::Output {
    HOOK.scope(hook, fut).await
}

/// The bytes are on the host as `entry`; called by providers.
pub fn announce(entry: &Entry) {
    let _ = HOOK.try_with(|hook| hook(Landing::Landed(entry)));
}

/// The bytes of `name` are about to go, `before` being what the account held; called by
/// providers whose uploads can land without the reply reaching haul unnoticed.
pub fn announce_sending(name: &str, size: u64, before: &HashSet<String>) {
    let _ = HOOK.try_with(|hook| hook(Landing::Sending { name, size, before }));
}
