//! What the soak does: batches of files, and the commands that move them.

use std::path::Path;

use crate::Rng;

/// A batch: files uploaded to `account`, downloaded, copied to `other`, one moved.
pub struct Batch {
    pub account: &'static str,
    pub other: &'static str,
    pub sizes: Vec<u64>,
}

/// One command and how many file transfers it makes.
pub struct Command {
    pub args: Vec<String>,
    pub transfers: u64,
}

/// Batches of 3 to 8 files until about `transfers` transfers (each file is uploaded,
/// downloaded and copied across accounts; one per batch is moved).
pub fn batches(
    transfers: u64,
    max_bytes: u64,
    accounts: &[&'static str; 3],
    rng: &mut Rng,
) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut planned = 0;
    while planned < transfers {
        let files = 3 + rng.below(6);
        let a = rng.below(3) as usize;
        let b = (a + 1 + rng.below(2) as usize) % 3;
        let sizes = (0..files).map(|_| size(max_bytes, rng)).collect();
        out.push(Batch {
            account: accounts[a],
            other: accounts[b],
            sizes,
        });
        planned += 3 * files + 1;
    }
    out
}

/// Mostly small files, some up to `max_bytes`. Never empty: the hosts refuse empty uploads.
fn size(max_bytes: u64, rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0..=2 => 1 + rng.below(1024),
        3..=7 => 1024 + rng.below(64 * 1024),
        _ => 1 + rng.below(max_bytes),
    }
}

/// `put -r`, `get -r`, a cross-account `cp` of the folder, and a `mv` of its first file.
pub fn commands(batch: &Batch, k: usize, dir: &Path, out: &Path) -> Vec<Command> {
    let files = batch.sizes.len() as u64;
    let a = batch.account;
    let b = batch.other;
    let s = |v: &str| v.to_string();
    vec![
        Command {
            args: vec![
                s("put"),
                s("-r"),
                dir.display().to_string(),
                format!("{a}:/soak/"),
            ],
            transfers: files,
        },
        Command {
            args: vec![
                s("get"),
                s("-r"),
                format!("{a}:/soak/b{k}"),
                out.display().to_string(),
            ],
            transfers: files,
        },
        Command {
            args: vec![s("cp"), format!("{a}:/soak/b{k}"), format!("{b}:/soak/")],
            transfers: files,
        },
        Command {
            args: vec![
                s("mv"),
                format!("{a}:/soak/b{k}/f0.bin"),
                format!("{a}:/soak/m{k}/"),
            ],
            transfers: 1,
        },
    ]
}
