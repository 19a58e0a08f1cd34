//! Big folders in a pane: pages shown as they come, filters narrowed, sorts kept, and the
//! listing of a folder left shown at once when it is entered again.

use std::path::PathBuf;

use super::pane::{PaneState, SortKey};
use super::tests::{ctrl, entry, state};
use super::*;
use crate::provider::EntryKind;

fn names(p: &PaneState) -> Vec<String> {
    p.view.iter().map(|&i| p.entries[i].name.clone()).collect()
}

fn many(n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let kind = if i % 7 == 0 {
                EntryKind::Folder
            } else {
                EntryKind::File
            };
            let mut e = entry(
                &format!("{}N{:04}", ["a", "B", "c"][i % 3], (i * 37) % n),
                kind,
                0,
            );
            e.id = format!("id{i}");
            e.size = Some((i as u64 * 7919) % 1000);
            e.modified = Some(format!("2024-01-{:02}", 1 + i % 28));
            e
        })
        .collect()
}

/// What a pane shows, worked out the slow way: filter everything, sort everything.
fn expected(entries: &[Entry], sort: SortKey, filter: &str) -> Vec<String> {
    let mut shown: Vec<&Entry> = entries
        .iter()
        .filter(|e| !e.name.starts_with('.') && e.name.to_lowercase().contains(filter))
        .collect();
    shown.sort_by(|a, b| {
        let by = match sort {
            SortKey::Name => std::cmp::Ordering::Equal,
            SortKey::Size => b.size.cmp(&a.size),
            SortKey::Date => b.modified.cmp(&a.modified),
        };
        b.is_folder()
            .cmp(&a.is_folder())
            .then(by)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    shown.iter().map(|e| e.name.clone()).collect()
}

#[test]
fn typed_filters_narrow_and_keep_every_sort() {
    let entries = many(500);
    for sort in [SortKey::Name, SortKey::Size, SortKey::Date] {
        let mut p = PaneState::new("ys", &PathBuf::from("/"));
        p.sort = sort;
        p.set_entries(entries.clone());
        assert_eq!(names(&p), expected(&entries, sort, ""));
        for filter in ["n", "n0", "n01", "n0", "1"] {
            p.filter = filter.into();
            p.rebuild_view();
            assert_eq!(
                names(&p),
                expected(&entries, sort, filter),
                "{sort:?} {filter}"
            );
        }
    }
}

#[test]
fn pages_show_as_they_come_and_in_order() {
    let entries = many(300);
    let mut p = PaneState::new("ys", &PathBuf::from("/"));
    let seq = p.begin_listing();
    assert_eq!(seq, 1);
    p.add_page(entries[..100].to_vec(), false);
    assert_eq!(names(&p), expected(&entries[..100], SortKey::Name, ""));
    assert!(p.loading);
    // A retry starts over: the first attempt's page goes.
    p.add_page(entries[..50].to_vec(), true);
    p.add_page(entries[50..200].to_vec(), false);
    assert_eq!(names(&p), expected(&entries[..200], SortKey::Name, ""));
    p.finish_listing(entries[200..].to_vec());
    assert!(!p.loading);
    assert_eq!(names(&p), expected(&entries, SortKey::Name, ""));
}

#[test]
fn pages_of_an_old_listing_are_dropped() {
    let mut s = state();
    let fx = ctrl(&mut s, 'r');
    let [Effect::List { seq, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    let seq = *seq;
    let page = Msg::ListedPage {
        side: 0,
        seq: seq - 1,
        entries: many(10),
        restart: false,
    };
    update(&mut s, page);
    assert_eq!(s.panes[0].entries.len(), 4);
}

#[test]
fn a_folder_entered_again_shows_at_once_and_refreshes() {
    let mut s = state();
    s.focus = 1;
    // Into `Remote`, listed, and back up.
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let seq = s.panes[1].seq;
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq,
            result: Ok(many(20)),
        },
    );
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Backspace,
        )),
    );
    assert_eq!(s.panes[1].trail.len(), 1);
    // The root comes back from the cache before its listing, the cursor on `Remote`.
    assert_eq!(names(&s.panes[1]), ["Remote", "r.bin"]);
    assert_eq!(
        s.panes[1].current().map(|e| e.name.as_str()),
        Some("Remote")
    );
    assert!(s.panes[1].loading);
    // Its refresh swaps in when complete; pages of it wait until then.
    let seq = s.panes[1].seq;
    let page = Msg::ListedPage {
        side: 1,
        seq,
        entries: vec![entry("new", EntryKind::File, 1)],
        restart: false,
    };
    update(&mut s, page);
    assert_eq!(names(&s.panes[1]), ["Remote", "r.bin"]);
    let rest = vec![entry("Remote", EntryKind::Folder, 0)];
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq,
            result: Ok(rest),
        },
    );
    assert_eq!(names(&s.panes[1]), ["Remote", "new"]);
    assert!(!s.panes[1].loading);
    // Ctrl-r lists again, whatever is shown.
    let fx = ctrl(&mut s, 'r');
    assert!(matches!(&fx[..], [Effect::List { side: 1, .. }]), "{fx:?}");
}

/// Ticks over `ms` of idle time: how many would draw the screen.
fn draws_over(s: &mut State, ms: u64) -> usize {
    let start = s.now_ms;
    (1..=ms / 100)
        .filter(|k| {
            let fx = update(
                s,
                Msg::Tick {
                    now_ms: start + k * 100,
                },
            );
            s.redraw_after(true, &fx)
        })
        .count()
}

#[test]
fn an_idle_screen_is_not_drawn_again() {
    let mut s = state();
    assert_eq!(draws_over(&mut s, 3_000), 0);
    // A key is drawn; the ticks after it are not.
    let fx = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Down,
        )),
    );
    assert!(s.redraw_after(false, &fx));
    assert_eq!(draws_over(&mut s, 1_000), 0);
    // A listing in flight shows a spinner: every tick draws until it ends.
    let fx = ctrl(&mut s, 'r');
    assert!(s.redraw_after(false, &fx));
    assert_eq!(draws_over(&mut s, 1_000), 10);
    let seq = s.panes[0].seq;
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq,
            result: Ok(many(3)),
        },
    );
    assert_eq!(draws_over(&mut s, 1_000), 0);
}
