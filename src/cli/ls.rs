//! `haul ls ACCOUNT:PATH [--json]`

use serde_json::{Map, Value, json};

use super::progress::human_bytes;
use super::target::{RemoteTarget, Resolved, resolve};
use super::{CliResult, Context, output};
use crate::provider::{Entry, EntryKind};
use crate::sanitize::for_terminal;

pub async fn run(ctx: &Context, target: &str, as_json: bool) -> CliResult {
    let target = RemoteTarget::parse(target)?;
    let provider = ctx.provider(&target.account).await?;
    let mut entries = match resolve(provider.as_ref(), &target).await? {
        Resolved::Entry(e) if !e.is_folder() => vec![e],
        resolved => {
            let folder = resolved.folder().unwrap_or(crate::provider::FolderId::Root);
            provider
                .list(&folder)
                .await
                .map_err(|e| e.context(&target))?
        }
    };
    // Each name lower-cased once, not at every comparison.
    entries.sort_by_cached_key(|e| (e.kind, e.name.to_lowercase(), e.id.clone()));
    if as_json {
        return output::json_array(entries.iter().map(entry_json));
    }
    output::lines(entries.iter().map(entry_line))
}

/// `{"name","kind","size","id", ...}` for scripts.
pub fn entry_json(e: &Entry) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(e.name));
    m.insert("kind".into(), json!(e.kind));
    m.insert("size".into(), json!(e.size));
    m.insert("id".into(), json!(e.id));
    m.insert("modified".into(), json!(e.modified));
    m.insert(
        "parent".into(),
        json!(e.parent.id()), // null for the root
    );
    if let Some(md5) = &e.md5 {
        m.insert("md5".into(), json!(md5));
    }
    for (k, v) in &e.extra {
        m.entry(k.clone()).or_insert_with(|| json!(v));
    }
    Value::Object(m)
}

fn entry_line(e: &Entry) -> String {
    let (mark, size) = match e.kind {
        EntryKind::Folder => ('d', "-".to_string()),
        EntryKind::File => ('-', e.size.map(human_bytes).unwrap_or_else(|| "?".into())),
    };
    let date = e.modified.as_deref().unwrap_or("");
    let slash = if e.is_folder() { "/" } else { "" };
    // What the host says of a file that is not plainly alive: `(blocked)`, `(private)`.
    let state = e
        .availability()
        .filter(|a| *a != crate::provider::Availability::Alive)
        .map(|a| format!("  ({})", for_terminal(&a.to_extra())))
        .unwrap_or_default();
    format!(
        "{mark} {size:>11}  {date:19}  {}{slash}  #{}{state}",
        for_terminal(&e.name),
        for_terminal(&e.id)
    )
}
