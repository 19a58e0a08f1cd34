//! The driver's part of the uploader's workflow: links for an export, access for the marked
//! entries, and asking a host again whether a file lives. Each runs in its own task and reports
//! back one message.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::driver::OpenFailure;
use crate::app::Msg;
use crate::app::links::LinkItem;
use crate::provider::{Access, Entry, EntryRef, Provider};

type Opening = std::pin::Pin<
    Box<dyn Future<Output = Result<Arc<dyn Provider>, OpenFailure>> + Send + 'static>,
>;

fn failure_text(account: &str, f: OpenFailure) -> String {
    match f {
        OpenFailure::NoSecret { env_var } => format!("no secret for {account}: set {env_var}"),
        OpenFailure::Failed(why) => why,
    }
}

/// The entries' public links as export items (`shown: why` for those without one).
pub fn export_links(
    tx: UnboundedSender<Msg>,
    provider: Opening,
    account: String,
    entries: Vec<Entry>,
    shown: Vec<String>,
) {
    tokio::spawn(async move {
        let result = match provider.await {
            Err(f) => Err(failure_text(&account, f)),
            Ok(p) => match p.public_links(&entries).await {
                Err(e) => Err(e.message),
                Ok(links) => Ok(links
                    .into_iter()
                    .zip(entries.iter().zip(&shown))
                    .map(|(link, (entry, shown))| {
                        link.map_err(|e| e.message)
                            .and_then(|url| {
                                LinkItem::new(shown, &url, &entry.name, entry.size, &account)
                            })
                            .map_err(|why| format!("{shown}: {why}"))
                    })
                    .collect()),
            },
        };
        let _ = tx.send(Msg::Links { account, result });
    });
}

/// Who may download the entries (named by the first of each pair).
pub fn set_access(
    tx: UnboundedSender<Msg>,
    provider: Opening,
    account: String,
    entries: Vec<(String, EntryRef)>,
    access: Access,
) {
    tokio::spawn(async move {
        let refs: Vec<EntryRef> = entries.iter().map(|(_, e)| e.clone()).collect();
        let result = match provider.await {
            Err(f) => Err(failure_text(&account, f)),
            Ok(p) => match p.set_access(&refs, access).await {
                Err(e) => Err(e.message),
                Ok(outcomes) => Ok(entries
                    .into_iter()
                    .zip(outcomes)
                    .map(|((name, _), outcome)| (name, outcome.map_err(|e| e.message)))
                    .collect()),
            },
        };
        let _ = tx.send(Msg::AccessSet {
            account,
            access,
            result,
        });
    });
}

/// Whether the file still lives, as its host says now.
pub fn check(tx: UnboundedSender<Msg>, provider: Opening, account: String, entry: EntryRef) {
    tokio::spawn(async move {
        let result = match provider.await {
            Err(f) => Err(failure_text(&account, f)),
            Ok(p) => match p.check(std::slice::from_ref(&entry)).await {
                Ok(mut answers) if answers.len() == 1 => Ok(answers.remove(0)),
                Ok(_) => Err("the host gave no answer for this file".to_string()),
                Err(e) => Err(e.message),
            },
        };
        let _ = tx.send(Msg::Checked {
            account,
            entry_id: entry.id,
            result,
        });
    });
}
