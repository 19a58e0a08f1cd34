//! One pane: where it is (local or an account), what it lists, cursor, marks, sort and filter.
//! The same type serves the local disk and every account.

use std::collections::HashSet;

use crate::provider::{Entry, FolderId};
use crate::transfer::{FolderAddr, ItemAddr, LOCAL};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Size,
    Date,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Size,
            SortKey::Size => SortKey::Date,
            SortKey::Date => SortKey::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Size => "size",
            SortKey::Date => "date",
        }
    }
}

/// One step of the path: the folder's id and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub id: FolderId,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct PaneState {
    /// `local` or a configured account name.
    pub account: String,
    /// Root first; the last crumb is the folder shown.
    pub trail: Vec<Crumb>,
    pub entries: Vec<Entry>,
    /// Indices into `entries` that are shown (filtered, sorted: folders first).
    pub view: Vec<usize>,
    pub cursor: usize,
    /// First shown row (scrolling).
    pub offset: usize,
    /// Marked entry ids.
    pub marks: HashSet<String>,
    pub loading: bool,
    /// Matches the listing effect in flight; older results are dropped.
    pub seq: u64,
    pub error: Option<String>,
    /// The listing in flight waits to try again: the host was busy.
    pub retrying: Option<PaneRetry>,
    pub sort: SortKey,
    pub show_hidden: bool,
    pub filter: String,
    /// Name to put the cursor on after the next listing (the folder we came up from).
    pub select_after_load: Option<String>,
}

/// A listing's retry, as the pane shows it: "HOST busy, retrying in N s (2/10): why".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneRetry {
    pub host: String,
    /// `State::now_ms` when the next try starts.
    pub until_ms: u64,
    pub attempt: u32,
    pub of: u32,
    pub reason: String,
}

impl PaneRetry {
    /// The line shown in the pane at `now_ms`.
    pub fn line(&self, now_ms: u64) -> String {
        let secs = self.until_ms.saturating_sub(now_ms).div_ceil(1000);
        format!(
            "{} busy, retrying in {secs} s ({}/{}): {}",
            self.host, self.attempt, self.of, self.reason
        )
    }
}

impl PaneState {
    /// A pane at the root of an account, or at a local path.
    pub fn new(account: &str, local_path: &std::path::Path) -> PaneState {
        let trail = if account == LOCAL {
            local_trail(local_path)
        } else {
            vec![Crumb {
                id: FolderId::Root,
                name: String::new(),
            }]
        };
        PaneState {
            account: account.to_string(),
            trail,
            entries: Vec::new(),
            view: Vec::new(),
            cursor: 0,
            offset: 0,
            marks: HashSet::new(),
            loading: false,
            seq: 0,
            error: None,
            retrying: None,
            sort: SortKey::Name,
            show_hidden: false,
            filter: String::new(),
            select_after_load: None,
        }
    }

    pub fn is_local(&self) -> bool {
        self.account == LOCAL
    }

    pub fn folder(&self) -> FolderId {
        self.trail
            .last()
            .map(|c| c.id.clone())
            .unwrap_or(FolderId::Root)
    }

    /// How a person knows this folder: `/home/me` or `ys:/Documents`.
    pub fn shown_path(&self) -> String {
        if self.is_local() {
            return match self.folder() {
                FolderId::Id(p) => p,
                FolderId::Root => "/".into(),
            };
        }
        let names: Vec<&str> = self.trail.iter().skip(1).map(|c| c.name.as_str()).collect();
        format!("{}:/{}", self.account, names.join("/"))
    }

    /// The folder as the engine addresses it.
    pub fn folder_addr(&self) -> FolderAddr {
        FolderAddr {
            account: self.account.clone(),
            id: self.folder().id().map(str::to_string),
            shown: self.shown_path(),
        }
    }

    /// A shown entry as the engine addresses it.
    pub fn item_addr(&self, e: &Entry) -> ItemAddr {
        ItemAddr {
            account: self.account.clone(),
            id: e.id.clone(),
            kind: e.kind,
            name: e.name.clone(),
            size: e.size,
            md5: e.md5.clone(),
            shown: self.folder_addr().child_shown(&e.name),
        }
    }

    pub fn current(&self) -> Option<&Entry> {
        self.view
            .get(self.cursor)
            .and_then(|&i| self.entries.get(i))
    }

    /// The marked entries, or the one under the cursor when nothing is marked.
    pub fn selection(&self) -> Vec<&Entry> {
        let marked: Vec<&Entry> = self
            .view
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .filter(|e| self.marks.contains(&e.id))
            .collect();
        if marked.is_empty() {
            self.current().into_iter().collect()
        } else {
            marked
        }
    }

    /// New listing results (for `seq`); keeps marks that still exist.
    pub fn set_entries(&mut self, entries: Vec<Entry>) {
        let keep = self.current().map(|e| e.name.clone());
        self.entries = entries;
        self.loading = false;
        self.error = None;
        self.retrying = None;
        let ids: HashSet<&str> = self.entries.iter().map(|e| e.id.as_str()).collect();
        self.marks.retain(|m| ids.contains(m.as_str()));
        let target = self.select_after_load.take().or(keep);
        self.rebuild_view();
        if let Some(name) = target {
            self.select_name(&name);
        }
    }

    fn select_name(&mut self, name: &str) {
        if let Some(pos) = self
            .view
            .iter()
            .position(|&i| self.entries.get(i).is_some_and(|e| e.name == name))
        {
            self.cursor = pos;
        }
    }

    /// Recompute what is shown after a change of entries, sort, filter or hidden toggle.
    pub fn rebuild_view(&mut self) {
        let filter = self.filter.to_lowercase();
        // Lower-cased once per entry, not once per comparison (100,000 entries sort in ~1.7M).
        let lower: Vec<String> = self.entries.iter().map(|e| e.name.to_lowercase()).collect();
        let mut view: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                (self.show_hidden || !e.name.starts_with('.'))
                    && (filter.is_empty() || lower[i].contains(&filter))
            })
            .collect();
        let entries = &self.entries;
        let sort = self.sort;
        view.sort_unstable_by(|&ia, &ib| {
            let (a, b) = (&entries[ia], &entries[ib]);
            let by = match sort {
                SortKey::Name => std::cmp::Ordering::Equal,
                SortKey::Size => b.size.cmp(&a.size),
                SortKey::Date => b.modified.cmp(&a.modified),
            };
            b.is_folder()
                .cmp(&a.is_folder())
                .then(by)
                .then_with(|| lower[ia].cmp(&lower[ib]))
                .then_with(|| a.name.cmp(&b.name))
                .then(ia.cmp(&ib))
        });
        self.view = view;
        self.clamp(usize::MAX);
    }

    /// Keep the cursor inside the list and visible in `height` rows.
    pub fn clamp(&mut self, height: usize) {
        if self.view.is_empty() {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        self.cursor = self.cursor.min(self.view.len() - 1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        }
        let height = height.max(1);
        if height != usize::MAX && self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height.min(self.view.len()));
        self.offset = self.offset.min(max_offset);
    }

    /// Step into a folder (the caller lists it).
    pub fn enter(&mut self, folder: &Entry) {
        let id = if self.is_local() {
            FolderId::Id(folder.id.clone())
        } else {
            folder.folder_id()
        };
        self.trail.push(Crumb {
            id,
            name: folder.name.clone(),
        });
        self.reset_for_listing();
    }

    /// Step up one folder; false at the root.
    pub fn leave(&mut self) -> bool {
        if self.trail.len() <= 1 {
            return false;
        }
        if let Some(c) = self.trail.pop() {
            self.select_after_load = Some(c.name);
        }
        self.reset_for_listing();
        true
    }

    /// Show another account (or the local disk) from its root / the given local path.
    pub fn switch_account(&mut self, account: &str, local_path: &std::path::Path) {
        let sort = self.sort;
        let hidden = self.show_hidden;
        // Listing numbers go on: a listing of the account left behind must not pass for one
        // of the new account's.
        let seq = self.seq;
        *self = PaneState::new(account, local_path);
        self.sort = sort;
        self.show_hidden = hidden;
        self.seq = seq;
    }

    fn reset_for_listing(&mut self) {
        self.entries.clear();
        self.view.clear();
        self.marks.clear();
        self.cursor = 0;
        self.offset = 0;
        self.filter.clear();
    }

    /// Start a listing: returns the sequence number the result must carry.
    pub fn begin_listing(&mut self) -> u64 {
        self.seq += 1;
        self.loading = true;
        self.error = None;
        self.retrying = None;
        self.seq
    }

    pub fn toggle_mark_current(&mut self) {
        if let Some(id) = self.current().map(|e| e.id.clone())
            && !self.marks.remove(&id)
        {
            self.marks.insert(id);
        }
    }

    pub fn invert_marks(&mut self) {
        let ids: Vec<String> = self
            .view
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .map(|e| e.id.clone())
            .collect();
        for id in ids {
            if !self.marks.remove(&id) {
                self.marks.insert(id);
            }
        }
    }

    /// Total size of the marked entries (files only).
    pub fn marked_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| self.marks.contains(&e.id))
            .filter_map(|e| e.size)
            .sum()
    }
}

/// The crumbs of a local absolute path: `/`, `/home`, `/home/me`.
fn local_trail(path: &std::path::Path) -> Vec<Crumb> {
    let mut trail = Vec::new();
    for ancestor in path.ancestors().collect::<Vec<_>>().into_iter().rev() {
        let name = ancestor
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".into());
        trail.push(Crumb {
            id: FolderId::Id(ancestor.display().to_string()),
            name,
        });
    }
    if trail.is_empty() {
        trail.push(Crumb {
            id: FolderId::Id("/".into()),
            name: "/".into(),
        });
    }
    trail
}
