//! What a pane derives from its entries so that a 100,000-entry folder stays instant: the
//! lower-cased names (once per entry, not per comparison or keystroke), the name order (kept
//! by merging as a listing's pages arrive), and the order of the current sort (a stable sort
//! of the name order on an integer or date key, no string comparisons).

use std::cmp::{Ordering, Reverse};

use super::pane::SortKey;
use crate::provider::Entry;

/// The name order and the lower-cased names of a pane's entries.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    /// `entries[i].name`, lower-cased.
    pub lower: Vec<String>,
    /// Every entry's index: folders first, then by lower-cased name, name, index.
    pub by_name: Vec<u32>,
    /// The order for one sort key, built from `by_name` when first asked.
    sorted: Option<(SortKey, Vec<u32>)>,
}

fn by_name(entries: &[Entry], lower: &[String], a: u32, b: u32) -> Ordering {
    let (ia, ib) = (a as usize, b as usize);
    let (ea, eb) = (&entries[ia], &entries[ib]);
    eb.is_folder()
        .cmp(&ea.is_folder())
        .then_with(|| lower[ia].cmp(&lower[ib]))
        .then_with(|| ea.name.cmp(&eb.name))
        .then(a.cmp(&b))
}

impl NameIndex {
    /// The index of `entries`, all new.
    pub fn build(entries: &[Entry]) -> NameIndex {
        let mut index = NameIndex::default();
        index.append(entries);
        index
    }

    /// Take in the entries past the ones already indexed (a listing's next page): their names
    /// are sorted among themselves and merged into the order in one pass.
    pub fn append(&mut self, entries: &[Entry]) {
        let from = self.lower.len().min(entries.len());
        self.lower
            .extend(entries[from..].iter().map(|e| e.name.to_lowercase()));
        let lower = &self.lower;
        let mut new: Vec<u32> = (from as u32..entries.len() as u32).collect();
        new.sort_unstable_by(|&a, &b| by_name(entries, lower, a, b));
        if self.by_name.is_empty() {
            self.by_name = new;
        } else if !new.is_empty() {
            let old = std::mem::take(&mut self.by_name);
            let mut merged = Vec::with_capacity(old.len() + new.len());
            let (mut i, mut j) = (0, 0);
            while i < old.len() && j < new.len() {
                if by_name(entries, lower, old[i], new[j]) == Ordering::Greater {
                    merged.push(new[j]);
                    j += 1;
                } else {
                    merged.push(old[i]);
                    i += 1;
                }
            }
            merged.extend_from_slice(&old[i..]);
            merged.extend_from_slice(&new[j..]);
            self.by_name = merged;
        }
        self.sorted = None;
    }

    /// Build the order of `sort` if it is not there yet.
    pub fn prepare(&mut self, entries: &[Entry], sort: SortKey) {
        if sort != SortKey::Name && self.sorted.as_ref().is_none_or(|(k, _)| *k != sort) {
            let mut order = self.by_name.clone();
            // Stable: ties keep the name order.
            match sort {
                SortKey::Size => order.sort_by_key(|&i| {
                    let e = &entries[i as usize];
                    (Reverse(e.is_folder()), Reverse(e.size))
                }),
                _ => order.sort_by_key(|&i| {
                    let e = &entries[i as usize];
                    (Reverse(e.is_folder()), Reverse(e.modified.as_deref()))
                }),
            }
            self.sorted = Some((sort, order));
        }
    }

    /// Every entry in the order of `sort` (as [`Self::prepare`]d): folders first, the key,
    /// then the name order.
    pub fn order(&self, sort: SortKey) -> &[u32] {
        match &self.sorted {
            Some((k, order)) if *k == sort => order,
            _ => &self.by_name,
        }
    }
}

/// What a pane's `view` was built from: a new filter that contains the old one only narrows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewKey {
    /// Bumped whenever the entries change.
    pub generation: u64,
    pub sort: SortKey,
    pub show_hidden: bool,
    /// Lower-cased.
    pub filter: String,
}

impl ViewKey {
    /// Whether a view built for `self` holds every entry `next` shows.
    pub fn narrows_to(&self, next: &ViewKey) -> bool {
        self.generation == next.generation
            && self.sort == next.sort
            && self.show_hidden == next.show_hidden
            && next.filter.contains(&self.filter)
    }
}
