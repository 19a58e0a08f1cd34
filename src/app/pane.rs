//! One pane: where it is (local or an account), what it lists, cursor, marks, sort and filter.
//! The same type serves the local disk and every account.

use std::collections::{HashSet, VecDeque};

use super::pane_view::{NameIndex, ViewKey};
use crate::provider::{Entry, FolderId};
use crate::transfer::{FolderAddr, ItemAddr, LOCAL};

/// Folders whose listings a pane keeps to show at once when they are entered again.
const CACHED_FOLDERS: usize = 8;

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
    /// Lower-cased names and the name order of `entries`.
    index: NameIndex,
    /// Bumped whenever `entries` change.
    generation: u64,
    /// What `view` was built from.
    view_key: Option<ViewKey>,
    /// The listing in flight shows its pages as they come (nothing was shown before).
    live: bool,
    /// Pages of a listing that refreshes what is already shown: swapped in when it ends.
    incoming: Vec<Entry>,
    /// Listings of folders left, newest last: (account, folder, entries, their index).
    cache: VecDeque<(String, FolderId, Vec<Entry>, NameIndex)>,
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
            index: NameIndex::default(),
            generation: 0,
            view_key: None,
            live: false,
            incoming: Vec::new(),
            cache: VecDeque::new(),
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
        self.index = NameIndex::build(&entries);
        self.entries = entries;
        self.generation += 1;
        self.incoming.clear();
        self.live = false;
        self.loading = false;
        self.error = None;
        self.retrying = None;
        if !self.marks.is_empty() {
            let ids: HashSet<&str> = self.entries.iter().map(|e| e.id.as_str()).collect();
            self.marks.retain(|m| ids.contains(m.as_str()));
        }
        let target = self.select_after_load.take().or(keep);
        self.rebuild_view();
        if let Some(name) = target {
            self.select_name(&name);
        }
    }

    /// A page of the listing in flight. Shown at once when the pane had nothing to show;
    /// kept aside when it refreshes a listing on screen (swapped in by [`Self::finish_listing`]).
    /// `restart`: the listing started over (a retry), its earlier pages are dropped.
    pub fn add_page(&mut self, page: Vec<Entry>, restart: bool) {
        if restart {
            self.incoming.clear();
            if self.live {
                self.set_page_entries(Vec::new());
            }
        }
        if !self.live {
            self.incoming.extend(page);
            return;
        }
        let keep = self.current().map(|e| e.name.clone());
        self.entries.extend(page);
        self.index.append(&self.entries);
        self.generation += 1;
        self.rebuild_view();
        // The folder come up from is selected once it shows (and not again after).
        if let Some(name) = self.select_after_load.clone() {
            if self.select_name(&name) {
                self.select_after_load = None;
            }
        } else if let Some(name) = keep {
            self.select_name(&name);
        }
    }

    fn set_page_entries(&mut self, entries: Vec<Entry>) {
        self.index = NameIndex::build(&entries);
        self.entries = entries;
        self.generation += 1;
        self.rebuild_view();
    }

    /// The listing in flight ended with `rest`, the entries no page brought.
    pub fn finish_listing(&mut self, rest: Vec<Entry>) {
        if self.live {
            self.add_page(rest, false);
            let target = self.select_after_load.take();
            self.live = false;
            self.set_listed();
            if let Some(name) = target {
                self.select_name(&name);
            }
        } else {
            let mut all = std::mem::take(&mut self.incoming);
            if all.is_empty() {
                all = rest;
            } else {
                all.extend(rest);
            }
            self.set_entries(all);
        }
    }

    /// The listing ended: not loading any more, no error; marks that went are dropped.
    fn set_listed(&mut self) {
        self.loading = false;
        self.error = None;
        self.retrying = None;
        if !self.marks.is_empty() {
            let ids: HashSet<&str> = self.entries.iter().map(|e| e.id.as_str()).collect();
            self.marks.retain(|m| ids.contains(m.as_str()));
        }
    }

    /// Put the cursor on the entry named `name`; false if none shows.
    fn select_name(&mut self, name: &str) -> bool {
        match self
            .view
            .iter()
            .position(|&i| self.entries.get(i).is_some_and(|e| e.name == name))
        {
            Some(pos) => {
                self.cursor = pos;
                true
            }
            None => false,
        }
    }

    /// Recompute what is shown after a change of entries, sort, filter or hidden toggle. A
    /// filter that only grew narrows the current view instead of going through every entry.
    pub fn rebuild_view(&mut self) {
        // Entries changed behind the pane's back (not through a listing): indexed afresh.
        if self.index.lower.len() != self.entries.len() {
            self.index = NameIndex::build(&self.entries);
            self.generation += 1;
        }
        let key = ViewKey {
            generation: self.generation,
            sort: self.sort,
            show_hidden: self.show_hidden,
            filter: self.filter.to_lowercase(),
        };
        let lower = &self.index.lower;
        let shown = |i: usize| {
            lower
                .get(i)
                .is_some_and(|l| key.filter.is_empty() || l.contains(&key.filter))
        };
        if self.view_key.as_ref().is_some_and(|k| k.narrows_to(&key)) {
            self.view.retain(|&i| shown(i));
        } else {
            self.index.prepare(&self.entries, key.sort);
            let entries = &self.entries;
            let hidden = self.show_hidden;
            self.view = self
                .index
                .order(key.sort)
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| {
                    (hidden || !entries[i].name.starts_with('.'))
                        && self
                            .index
                            .lower
                            .get(i)
                            .is_some_and(|l| key.filter.is_empty() || l.contains(&key.filter))
                })
                .collect();
        }
        self.view_key = Some(key);
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
        let left = self.folder();
        let id = if self.is_local() {
            FolderId::Id(folder.id.clone())
        } else {
            folder.folder_id()
        };
        self.trail.push(Crumb {
            id,
            name: folder.name.clone(),
        });
        self.reset_for_listing(left);
    }

    /// Step up one folder; false at the root.
    pub fn leave(&mut self) -> bool {
        if self.trail.len() <= 1 {
            return false;
        }
        let left = self.folder();
        if let Some(c) = self.trail.pop() {
            self.select_after_load = Some(c.name);
        }
        self.reset_for_listing(left);
        true
    }

    /// Show another account (or the local disk) from its root / the given local path.
    pub fn switch_account(&mut self, account: &str, local_path: &std::path::Path) {
        let sort = self.sort;
        let hidden = self.show_hidden;
        // Listing numbers go on: a listing of the account left behind must not pass for one
        // of the new account's.
        let seq = self.seq;
        let left = self.folder();
        self.stash(left);
        let cache = std::mem::take(&mut self.cache);
        *self = PaneState::new(account, local_path);
        self.sort = sort;
        self.show_hidden = hidden;
        self.seq = seq;
        self.cache = cache;
        let here = self.folder();
        self.restore(&here);
    }

    /// Leave the folder `left` for the one the trail now ends in: what `left` listed is kept
    /// in the cache, and what the cache has of the new one is shown until its listing comes.
    fn reset_for_listing(&mut self, left: FolderId) {
        self.stash(left);
        self.marks.clear();
        self.cursor = 0;
        self.offset = 0;
        self.filter.clear();
        let here = self.folder();
        self.restore(&here);
    }

    /// Keep the complete listing shown (of `folder`) in the cache.
    fn stash(&mut self, folder: FolderId) {
        let entries = std::mem::take(&mut self.entries);
        let index = std::mem::take(&mut self.index);
        self.view.clear();
        self.view_key = None;
        self.incoming.clear();
        self.generation += 1;
        if self.live || self.error.is_some() || entries.is_empty() {
            return;
        }
        self.cache
            .retain(|(a, f, ..)| !(a == &self.account && f == &folder));
        if self.cache.len() >= CACHED_FOLDERS {
            self.cache.pop_front();
        }
        self.cache
            .push_back((self.account.clone(), folder, entries, index));
    }

    /// Show the cached listing of `folder`, if any (its listing refreshes it in the background).
    fn restore(&mut self, folder: &FolderId) {
        let Some(at) = self
            .cache
            .iter()
            .position(|(a, f, ..)| a == &self.account && f == folder)
        else {
            return;
        };
        if let Some((_, _, entries, index)) = self.cache.remove(at) {
            self.entries = entries;
            self.index = index;
            self.generation += 1;
            self.rebuild_view();
            if let Some(name) = self.select_after_load.clone() {
                self.select_name(&name);
            }
        }
    }

    /// Start a listing: returns the sequence number the result must carry. A pane showing
    /// nothing shows the listing's pages as they come; one showing entries (cached, or a
    /// refresh) keeps them until the listing is complete.
    pub fn begin_listing(&mut self) -> u64 {
        self.seq += 1;
        self.loading = true;
        self.error = None;
        self.retrying = None;
        self.incoming.clear();
        self.live = self.entries.is_empty();
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
