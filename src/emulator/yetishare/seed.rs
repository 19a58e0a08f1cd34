//! Fills an empty demo account with the sample tree.

use std::io;

use bytes::Bytes;
use include_dir::{Dir, DirEntry};

use super::Site;
use super::accounts::Account;
use super::db::{Folder, Status};
use super::reply;
use super::upload::store;
use crate::emulator::blob::BlobWriter;
use crate::emulator::demo_tree::DEMO_TREE;

/// Copies the sample tree into the account if it has no files at all.
pub(super) async fn fill_if_empty(site: &Site, account: &Account) -> io::Result<()> {
    if site.read(|db| db.has_files(account.id)) {
        return Ok(());
    }
    // Depth-first over (directory, folder id), children in name order.
    let mut pending: Vec<(&Dir<'static>, Option<u64>)> = vec![(&DEMO_TREE, None)];
    while let Some((dir, folder_id)) = pending.pop() {
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
                    let id = create_folder(site, account, folder_id, &name)?;
                    pending.push((child, Some(id)));
                }
                DirEntry::File(file) => {
                    let writer = BlobWriter::create(&site.temp_dir).await?;
                    writer.write(Bytes::from_static(file.contents())).await;
                    let blob = writer.finish().await?;
                    store(site, account, folder_id, &name, blob, "seed").await?;
                }
            }
        }
    }
    tracing::info!(account = account.username, "seeded the demo tree");
    Ok(())
}

fn create_folder(
    site: &Site,
    account: &Account,
    parent_id: Option<u64>,
    name: &str,
) -> io::Result<u64> {
    site.change(|db| {
        let id = db.allocate_folder_id();
        db.folders.insert(
            id,
            Folder {
                id,
                account_id: account.id,
                parent_id,
                name: name.to_string(),
                is_public: 0,
                access_password: None,
                date_added: reply::now(),
                date_updated: None,
                status: Status::Active,
            },
        );
        Ok(id)
    })
}
