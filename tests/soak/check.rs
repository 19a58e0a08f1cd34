//! Where every file should be at the end, and what was found there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Cli, sha256_file};
use crate::plan::Batch;

/// Remote folder ("ACCOUNT:/soak/NAME") -> file name -> local source.
#[derive(Default)]
pub struct Expected {
    pub remote: BTreeMap<String, BTreeMap<String, PathBuf>>,
    /// Local copy -> its source.
    pub local: BTreeMap<PathBuf, PathBuf>,
}

impl Expected {
    pub fn add(&mut self, batch: &Batch, k: usize, dir: &Path, out: &Path) {
        let (a, b) = (batch.account, batch.other);
        for i in 0..batch.sizes.len() {
            let name = format!("f{i}.bin");
            let src = dir.join(&name);
            let home = if i == 0 {
                format!("{a}:/soak/m{k}")
            } else {
                format!("{a}:/soak/b{k}")
            };
            self.remote
                .entry(home)
                .or_default()
                .insert(name.clone(), src.clone());
            self.remote
                .entry(format!("{b}:/soak/b{k}"))
                .or_default()
                .insert(name.clone(), src.clone());
            self.local
                .insert(out.join(format!("b{k}")).join(&name), src);
        }
        // The moved file's batch folder exists even when only that file was in it.
        self.remote.entry(format!("{a}:/soak/b{k}")).or_default();
    }
}

#[derive(Default)]
pub struct Found {
    pub missing: u64,
    pub corrupt: u64,
    pub duplicates: u64,
    pub orphans: u64,
    pub leftovers: u64,
    pub details: Vec<String>,
}

impl Found {
    pub fn is_clean(&self) -> bool {
        self.missing + self.corrupt + self.duplicates + self.orphans + self.leftovers == 0
    }

    fn note(&mut self, what: String) {
        self.details.push(what);
    }
}

/// Names in a remote folder, with how often each appears.
fn listing(cli: &Cli, target: &str) -> BTreeMap<String, u64> {
    let mut names = BTreeMap::new();
    let out = cli
        .cmd()
        .args(["ls", "--json", target])
        .output()
        .expect("ls");
    if !out.status.success() {
        return names;
    }
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    for item in items {
        if let Some(name) = item["name"].as_str() {
            *names.entry(name.to_string()).or_default() += 1;
        }
    }
    names
}

fn part_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            part_files(&path, found);
        } else if path.to_string_lossy().ends_with(".haul-part") {
            found.push(path);
        }
    }
}

pub fn everything(cli: &Cli, expect: &Expected, accounts: &[&str]) -> Found {
    let mut found = Found::default();
    // Local copies.
    for (copy, src) in &expect.local {
        if !copy.exists() {
            found.missing += 1;
            found.note(format!("missing: {}", copy.display()));
        } else if sha256_file(copy) != sha256_file(src) {
            found.corrupt += 1;
            found.note(format!("corrupt: {}", copy.display()));
        }
    }
    // Remote folders: each name once, byte-exact (fetched back), nothing unexpected.
    let verify = cli.path("verify");
    for (n, (folder, files)) in expect.remote.iter().enumerate() {
        let names = listing(cli, folder);
        for (name, count) in &names {
            if *count > 1 {
                found.duplicates += count - 1;
                found.note(format!("{count} × {folder}/{name}"));
            }
            if !files.contains_key(name) {
                found.orphans += 1;
                found.note(format!("unexpected: {folder}/{name}"));
            }
        }
        let into = verify.join(n.to_string());
        for (name, src) in files {
            if !names.contains_key(name) {
                found.missing += 1;
                found.note(format!("missing: {folder}/{name}"));
                continue;
            }
            let got = cli
                .cmd()
                .args(["get", &format!("{folder}/{name}")])
                .arg(&into)
                .output()
                .expect("get");
            let copy = into.join(name);
            if !got.status.success() || sha256_file(&copy) != sha256_file(src) {
                found.corrupt += 1;
                found.note(format!("corrupt: {folder}/{name}"));
            }
        }
    }
    // Roots and the soak folders hold only what the run made (an upload sent twice leaves its
    // first copy in the root on XFileSharing).
    for account in accounts {
        for (name, _) in listing(cli, &format!("{account}:/")) {
            if name != "soak" {
                found.orphans += 1;
                found.note(format!("orphan: {account}:/{name}"));
            }
        }
        for (name, _) in listing(cli, &format!("{account}:/soak")) {
            if !expect
                .remote
                .contains_key(&format!("{account}:/soak/{name}"))
            {
                found.orphans += 1;
                found.note(format!("orphan: {account}:/soak/{name}"));
            }
        }
    }
    // Leftovers: part files, unfinished jobs, and more than one job for one file.
    let mut parts = Vec::new();
    part_files(&cli.path("out"), &mut parts);
    part_files(&verify, &mut parts);
    for p in parts {
        found.leftovers += 1;
        found.note(format!("part file: {}", p.display()));
    }
    let out = cli
        .cmd()
        .args(["queue", "ls", "--json"])
        .output()
        .expect("queue ls");
    let jobs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut per_file: BTreeMap<String, u64> = BTreeMap::new();
    for job in &jobs {
        let state = job["state"].as_str().unwrap_or_default();
        if !matches!(state, "done" | "failed" | "cancelled") {
            found.leftovers += 1;
            found.note(format!("unfinished job: {job}"));
        }
        if job["parent"].is_number() || job["op"] != "folder" {
            *per_file.entry(job["what"].to_string()).or_default() += 1;
        }
    }
    for (what, count) in per_file {
        if count > 1 {
            found.duplicates += count - 1;
            found.note(format!("{count} journal jobs for {what}"));
        }
    }
    found
}
