//! What a pane derives from its entries so that a 100,000-entry folder stays instant: the
//! lower-cased names (once per entry, not per comparison or keystroke), the name order (kept
//! by merging as a listing's pages arrive), and the order of the current sort (a stable sort
//! of the name order on an integer or date key, no string comparisons).

use std::cmp::Ordering;

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

    /// Build the order of `sort` if it is not there yet: the key of each entry in name order
    /// is packed into a flat, fixed-size record (folders first, the key, the place in the name
    /// order) and those records are sorted; strings are compared only past the packed prefix.
    pub fn prepare(&mut self, entries: &[Entry], sort: SortKey) {
        if sort == SortKey::Name || self.sorted.as_ref().is_some_and(|(k, _)| *k == sort) {
            return;
        }
        let order = match sort {
            SortKey::Size => {
                let mut keys: Vec<SizeKey> = self
                    .by_name
                    .iter()
                    .enumerate()
                    .map(|(pos, &i)| SizeKey::of(&entries[i as usize], pos as u32))
                    .collect();
                keys.sort_unstable();
                keys.iter().map(|k| self.by_name[k.pos as usize]).collect()
            }
            _ => {
                let mut keys: Vec<DateKey> = self
                    .by_name
                    .iter()
                    .enumerate()
                    .map(|(pos, &i)| DateKey::of(&entries[i as usize], pos as u32))
                    .collect();
                let by_name = &self.by_name;
                keys.sort_unstable_by(|a, b| {
                    a.packed()
                        .cmp(&b.packed())
                        .then_with(|| {
                            if a.long || b.long {
                                // Past the packed bytes: the whole dates, newest first.
                                let date = |k: &DateKey| {
                                    entries[by_name[k.pos as usize] as usize]
                                        .modified
                                        .as_deref()
                                };
                                date(b).cmp(&date(a))
                            } else {
                                Ordering::Equal
                            }
                        })
                        .then(a.pos.cmp(&b.pos))
                });
                keys.iter().map(|k| self.by_name[k.pos as usize]).collect()
            }
        };
        self.sorted = Some((sort, order));
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

/// An entry's place in the size order: folders first, then the largest, the ones without a
/// size last, then the name order (`pos`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SizeKey {
    file: bool,
    no_size: bool,
    smaller: u64,
    pos: u32,
}

impl SizeKey {
    fn of(e: &Entry, pos: u32) -> SizeKey {
        SizeKey {
            file: !e.is_folder(),
            no_size: e.size.is_none(),
            smaller: !e.size.unwrap_or(0),
            pos,
        }
    }
}

/// Bytes of a date packed into [`DateKey`]; `YYYY-MM-DD HH:MM:SS` takes 19.
const PACKED_DATE: usize = 24;

/// An entry's place in the date order: folders first, then the newest, the ones without a
/// date last, then the name order. The date's first 24 bytes are packed big-endian and
/// inverted, so that comparing integers compares the strings backwards; `long` marks a date
/// with more bytes than that (compared whole on a tie).
#[derive(Debug, Clone, Copy)]
struct DateKey {
    file: bool,
    no_date: bool,
    long: bool,
    high: u128,
    low: u64,
    pos: u32,
}

impl DateKey {
    fn of(e: &Entry, pos: u32) -> DateKey {
        let date = e.modified.as_deref().map(str::as_bytes);
        let mut bytes = [0u8; PACKED_DATE];
        if let Some(date) = date {
            let n = date.len().min(PACKED_DATE);
            bytes[..n].copy_from_slice(&date[..n]);
        }
        let mut high = [0u8; 16];
        high.copy_from_slice(&bytes[..16]);
        let mut low = [0u8; 8];
        low.copy_from_slice(&bytes[16..]);
        DateKey {
            file: !e.is_folder(),
            no_date: date.is_none(),
            long: date.is_some_and(|d| d.len() > PACKED_DATE),
            high: !u128::from_be_bytes(high),
            low: !u64::from_be_bytes(low),
            pos,
        }
    }

    fn packed(&self) -> (bool, bool, u128, u64) {
        (self.file, self.no_date, self.high, self.low)
    }
}
