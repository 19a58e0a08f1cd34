//! Fills an empty demo account with the sample tree, plus what only XFS shows: a UTF-8 name
//! (`café.txt`, listed as the mojibake `cafÃ©.txt`) and a file in the deleted list.

use std::io;

use bytes::Bytes;
use include_dir::{Dir, DirEntry};

use super::Site;
use super::accounts::Account;
use super::db::{DeletedFile, Folder, ROOT};
use super::names;
use super::reply;
use super::upload::{NewFile, store};
use crate::emulator::blob::BlobWriter;
use crate::emulator::demo_tree::DEMO_TREE;

/// A root file whose UTF-8 name the API sends back as Latin-1 mojibake.
const UTF8_NAME: &str = "café.txt";
const UTF8_CONTENT: &str = "This file's name is not ASCII; XFS hosts send it back as cafÃ©.txt.\n";
/// A file the account deleted an hour before it was seeded.
const DELETED_NAME: &str = "old-draft.txt";
const DELETED_AGO_SECS: i64 = 3600;

/// Copies the sample tree into the account if it has no files at all.
pub(super) async fn fill_if_empty(site: &Site, account: &Account) -> io::Result<()> {
    if site.db.read(|db| db.has_files(account.id)) {
        return Ok(());
    }
    // Depth-first over (directory, folder id), children in name order.
    let mut pending: Vec<(&Dir<'static>, u64)> = vec![(&DEMO_TREE, ROOT)];
    while let Some((dir, folder)) = pending.pop() {
        let mut entries: Vec<&DirEntry<'static>> = dir.entries().iter().collect();
        entries.sort_by_key(|entry| entry.path());
        for entry in entries {
            let name = entry
                .path()
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            match entry {
                DirEntry::Dir(child) => {
                    let id = create_folder(site, account, folder, &name)?;
                    pending.push((child, id));
                }
                DirEntry::File(file) => {
                    add_file(site, account, folder, &name, file.contents()).await?
                }
            }
        }
    }
    add_file(site, account, ROOT, UTF8_NAME, UTF8_CONTENT.as_bytes()).await?;
    record_deleted(site, account)?;
    tracing::info!(account = account.config_name, "seeded the demo tree");
    Ok(())
}

async fn add_file(
    site: &Site,
    account: &Account,
    folder: u64,
    name: &str,
    contents: &'static [u8],
) -> io::Result<()> {
    let writer = BlobWriter::create(&site.temp_dir).await?;
    writer.write(Bytes::from_static(contents)).await;
    let blob = writer.finish().await?;
    let new = NewFile {
        owner: account.id,
        folder,
        name: names::stored(name),
        public: true,
    };
    store(site, new, blob).await.map(drop)
}

fn create_folder(site: &Site, account: &Account, parent: u64, name: &str) -> io::Result<u64> {
    site.db.change(|db| {
        let id = db.allocate_folder_id();
        db.folders.insert(
            id,
            Folder {
                id,
                owner: account.id,
                parent,
                name: names::stored(name),
                created: reply::now(),
            },
        );
        Ok(id)
    })
}

fn record_deleted(site: &Site, account: &Account) -> io::Result<()> {
    let deleted_at = chrono::Local::now().timestamp() - DELETED_AGO_SECS;
    let deleted = chrono::DateTime::from_timestamp(deleted_at, 0)
        .map(|time| {
            time.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(reply::now);
    site.db.change(|db| {
        let (_, code) = db.allocate_file();
        db.deleted.push(DeletedFile {
            owner: account.id,
            code,
            name: names::stored(DELETED_NAME),
            deleted,
            deleted_at,
        });
        Ok(())
    })
}
