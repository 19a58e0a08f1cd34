//! The layers stay true: `cli`/`tui` -> `app` -> `transfer` -> `provider` -> `http`; `ui` reads
//! the state through `app`; `emulator` knows nothing of the client; `transfer` reads no
//! environment and names no command-line flag.
//!
//! Reads every `crate::` path in `src/` (in `use` lines, groups included, and inline) and fails
//! on any import against that direction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each top-level module may import from the crate (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("sanitize", &[]),
    ("checksum", &[]),
    ("http", &["sanitize"]),
    ("provider", &["http", "sanitize", "checksum"]),
    ("transfer", &["provider", "http", "sanitize", "checksum"]),
    // Settings are engine values: conflict policies, rates.
    ("config", &["transfer", "sanitize"]),
    ("emulator", &[]),
    ("app", &["transfer", "provider", "config", "sanitize"]),
    ("ui", &["app", "config", "sanitize"]),
    (
        "tui",
        &[
            "app", "ui", "transfer", "provider", "config", "sanitize", "http",
        ],
    ),
    (
        "cli",
        &[
            "app", "ui", "tui", "transfer", "provider", "http", "config", "emulator", "sanitize",
            "checksum",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without `//` comments (doc comments name other layers freely).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named after `crate::` in `code`, groups (`crate::{a, b::c}`) included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item at the group's own depth.
            let mut depth = 0;
            let mut at_item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_item_start = true,
                    c if at_item_start && (c.is_ascii_alphanumeric() || c == '_') => name.push(c),
                    _ if at_item_start && !name.is_empty() => {
                        found.push(std::mem::take(&mut name));
                        at_item_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn every_import_follows_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    let mut seen_modules = std::collections::BTreeSet::new();
    for file in &files {
        let module = top_module(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        seen_modules.insert(module.clone());
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!("{module}: a top-level module missing from ALLOWED"));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for used in crate_paths(&code) {
            if used != module && !may.contains(&used.as_str()) {
                wrong.push(format!(
                    "{}: {module} imports {used}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    // The scanner really sees imports (a test that cannot fail is no test).
    assert!(seen_modules.contains("transfer") && seen_modules.contains("ui"));
    assert_eq!(
        crate_paths("use crate::{app::State, provider::{Entry, X}};\nlet x = crate::http::client;"),
        ["app", "provider", "http"]
    );
}

#[test]
fn the_engine_reads_no_environment_and_names_no_flag() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/transfer");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for needle in [
            "std::env",
            "env::var",
            "directories::",
            "--on-conflict",
            "--retries",
        ] {
            if code.contains(needle) {
                wrong.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_emulator_shares_nothing_with_the_client() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emulator");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in &files {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for used in crate_paths(&code) {
            assert_eq!(used, "emulator", "{} imports crate::{used}", file.display());
        }
    }
}
