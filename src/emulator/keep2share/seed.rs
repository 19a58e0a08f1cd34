//! The sample tree (`assets/demo/`, embedded in the binary) that fills an empty demo account,
//! with ids derived from the account and path so they repeat run after run; plus, for the
//! premium account, a public folder `Shared/` holding a file the free account can only get
//! through the captcha and the countdown, and a file the host blocked (a dead link).

use std::io;

use bytes::Bytes;
use include_dir::{Dir, DirEntry, include_dir};

use super::Site;
use super::accounts::Account;
use super::db::{Access, Node};
use super::life::Life;
use super::render::now_secs;
use super::upload::store_as;
use crate::emulator::blob::BlobWriter;

static DEMO_TREE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// Id of the premium account's public folder `Shared/`.
pub const SHARED_FOLDER_ID: &str = "5a4ed0f01de75";
/// Id of `Shared/free-download-sample.txt` in the premium account: public, so the free account
/// (or anyone) may download it, after a captcha and a countdown.
pub const SHARED_FILE_ID: &str = "f4eeb1e5a3c0d";
/// Its name.
pub const SHARED_FILE_NAME: &str = "free-download-sample.txt";
/// Id of `Shared/taken-down.txt` in the premium account: a file the host blocked after an
/// abuse report, so `haul check` and the TUI's badge have a dead link to show.
pub const DEAD_FILE_ID: &str = "dead0b10cced0";
/// Its name.
pub const DEAD_FILE_NAME: &str = "taken-down.txt";
const SHARED_FOLDER_NAME: &str = "Shared";
const SAMPLE_LINES: usize = 2_000;

/// Copies the sample tree into the account if it holds nothing at all.
pub(super) async fn fill_if_empty(site: &Site, account: &Account) -> io::Result<()> {
    if site.read(|db| db.has_nodes(account.id)) {
        return Ok(());
    }
    // Depth-first over (directory, its path, folder id), children in name order.
    let mut pending: Vec<(&Dir<'static>, String, Option<String>)> =
        vec![(&DEMO_TREE, String::new(), None)];
    while let Some((dir, path, folder_id)) = pending.pop() {
        let mut entries: Vec<&DirEntry<'static>> = dir.entries().iter().collect();
        entries.sort_by_key(|entry| entry.path());
        for entry in entries {
            let name = entry
                .path()
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let child_path = format!("{path}/{name}");
            let id = site.read(|db| db.seeded_id(account.id, &child_path));
            match entry {
                DirEntry::Dir(child) => {
                    create_folder(site, account, &id, folder_id.clone(), &name, false);
                    pending.push((child, child_path, Some(id)));
                }
                DirEntry::File(file) => {
                    let bytes = Bytes::from_static(file.contents());
                    add_file(site, account, id, folder_id.clone(), &name, bytes).await?;
                }
            }
        }
    }
    if account.premium {
        create_folder(
            site,
            account,
            SHARED_FOLDER_ID,
            None,
            SHARED_FOLDER_NAME,
            true,
        );
        let folder = Some(SHARED_FOLDER_ID.to_string());
        let bytes = Bytes::from(sample_text());
        add_file(
            site,
            account,
            SHARED_FILE_ID.to_string(),
            folder.clone(),
            SHARED_FILE_NAME,
            bytes,
        )
        .await?;
        let text = "This file was taken down after an abuse report.\n";
        add_file(
            site,
            account,
            DEAD_FILE_ID.to_string(),
            folder,
            DEAD_FILE_NAME,
            Bytes::from_static(text.as_bytes()),
        )
        .await?;
        let _ = site.change(|db| {
            db.lives.insert(DEAD_FILE_ID.to_string(), Life::Blocked);
            Ok::<(), ()>(())
        });
    }
    tracing::info!(
        account = account.username,
        "seeded the Keep2Share demo tree"
    );
    Ok(())
}

/// Some 200 KB of numbered lines, so ranged downloads have something to cut.
fn sample_text() -> Vec<u8> {
    (1..=SAMPLE_LINES)
        .map(|line| {
            format!(
                "Keep2Share emulator sample, line {line:05}: free users get this file after a \
                 captcha and a countdown.\n"
            )
        })
        .collect::<String>()
        .into_bytes()
}

fn create_folder(
    site: &Site,
    account: &Account,
    id: &str,
    parent: Option<String>,
    name: &str,
    is_public: bool,
) {
    let _ = site.change(|db| {
        let seq = db.next_seq();
        db.nodes.insert(
            id.to_string(),
            Node {
                id: id.to_string(),
                account_id: account.id,
                parent,
                name: name.to_string(),
                access: Access::Public,
                is_public,
                created: now_secs(),
                seq,
                content: None,
            },
        );
        Ok::<(), ()>(())
    });
}

async fn add_file(
    site: &Site,
    account: &Account,
    id: String,
    parent: Option<String>,
    name: &str,
    bytes: Bytes,
) -> io::Result<()> {
    let writer = BlobWriter::create(&site.temp_dir).await?;
    writer.write(bytes).await;
    let blob = writer.finish().await?;
    store_as(site, account, Some(id), parent, name, blob)
        .await
        .map(drop)
        .map_err(|refusal| io::Error::other(format!("cannot seed {name}: {refusal:?}")))
}
