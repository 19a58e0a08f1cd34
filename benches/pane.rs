//! Criterion benches of a pane holding 100,000 entries (release build: `cargo bench --bench
//! pane`): a filter keystroke (a character added to the filter narrows the view), a sort (the
//! `s` key: size, date, name in turn), a listing's page taken in, and a scroll frame (a key
//! and a full redraw at 160x48 on ratatui's TestBackend). Targets (issue 13): keystroke
//! <= 8 ms, sort <= 20 ms, frame <= 0.5 ms.

mod fixture;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use haul::app::pane::PaneState;
use haul::app::{Msg, State, update};
use haul::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use fixture::{entries, key};

const N: usize = 100_000;

/// A TUI whose left pane lists `n` entries, at 160x48.
fn state_with(n: usize) -> State {
    let mut state = fixture::empty_state();
    update(
        &mut state,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(entries(n)),
        },
    );
    state
}

fn pane_with(n: usize) -> PaneState {
    let mut p = PaneState::new("local", &PathBuf::from("/tmp"));
    p.set_entries(entries(n));
    p
}

fn filter(c: &mut Criterion) {
    let mut g = c.benchmark_group("pane 100k");
    g.sample_size(20);
    // "f" typed: every entry matches but the hidden ones; then "0" narrows that.
    let mut typed = pane_with(N);
    typed.filter = "f".into();
    typed.rebuild_view();
    g.bench_function("filter keystroke (narrow)", |b| {
        b.iter_batched_ref(
            || typed.clone(),
            |p| {
                p.filter.push('0');
                p.rebuild_view();
                black_box(p.view.len())
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("filter from scratch", |b| {
        b.iter_batched_ref(
            || {
                let mut p = typed.clone();
                p.filter = "x".into();
                p.rebuild_view();
                p
            },
            |p| {
                p.filter = "f0".into();
                p.rebuild_view();
                black_box(p.view.len())
            },
            BatchSize::PerIteration,
        )
    });
    let mut state = state_with(N);
    g.bench_function("sort key (size, date, name in turn)", |b| {
        b.iter(|| key(&mut state, KeyCode::Char('s')))
    });
    let first = entries(N);
    g.bench_function("listing taken in (100k at once)", |b| {
        b.iter_batched(
            || {
                (
                    PaneState::new("local", &PathBuf::from("/tmp")),
                    first.clone(),
                )
            },
            |(mut p, e)| {
                p.set_entries(e);
                black_box(p.view.len())
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn scroll(c: &mut Criterion) {
    let mut g = c.benchmark_group("pane 100k");
    let mut state = state_with(N);
    let theme = Theme::builtin();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let mut i = 0u32;
    g.bench_function("scroll frame (key + redraw 160x48)", |b| {
        b.iter(|| {
            i += 1;
            key(
                &mut state,
                if i % 100 < 50 {
                    KeyCode::Down
                } else {
                    KeyCode::PageDown
                },
            );
            terminal.draw(|f| render(&state, &theme, f)).expect("draw");
        })
    });
    g.finish();
}

criterion_group!(benches, filter, scroll);
criterion_main!(benches);
