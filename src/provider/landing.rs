//! Where a provider tells the job it works for that bytes are on the host before the upload
//! is finished (XFileSharing's upload lands in the root and is moved after; Keep2Share's is
//! read back): the job keeps the file's code in its journal, so a `kill -9` before the upload
//! returns costs a finishing step on the re-run, never the bytes again.

use std::future::Future;
use std::sync::Arc;

use super::Entry;

/// Hears about files an upload has got onto the host.
pub type LandedHook = Arc<dyn Fn(&Entry) + Send + Sync>;

tokio::task_local! {
    static HOOK: LandedHook;
}

/// Run `fut` (an upload) with `hook` hearing about the files it lands.
pub async fn watching<F: Future>(hook: LandedHook, fut: F) -> F::Output {
    HOOK.scope(hook, fut).await
}

/// The bytes are on the host as `entry` (not necessarily in place yet); called by providers.
pub fn announce(entry: &Entry) {
    let _ = HOOK.try_with(|hook| hook(entry));
}
