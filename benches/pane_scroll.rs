//! How the pane copes with a huge folder: a listing of 100,000 entries against one of 1,000,
//! measured in the same run (release build: `cargo bench --bench pane_scroll`). Prints the
//! time to take a listing in (filter + sort), to filter as you type, and per frame while
//! scrolling (a key press and a full redraw at 160x48), with the 100,000/1,000 ratios. Only
//! the rows on screen are drawn, so the frame ratio should stay near 1.

mod fixture;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use haul::app::{Msg, update};
use haul::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use fixture::{entries, key};

const FRAMES: u32 = 300;

struct Timings {
    listing: Duration,
    filter: Duration,
    frame: Duration,
}

fn measure(n: usize) -> Timings {
    let mut state = fixture::empty_state();
    let listing = entries(n);
    let t = Instant::now();
    update(
        &mut state,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(listing),
        },
    );
    let listing = t.elapsed();

    let theme = Theme::builtin();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
    let t = Instant::now();
    for i in 0..FRAMES {
        key(
            &mut state,
            if i % 100 < 50 {
                KeyCode::Down
            } else {
                KeyCode::PageDown
            },
        );
        terminal.draw(|f| render(&state, &theme, f)).expect("draw");
    }
    let frame = t.elapsed() / FRAMES;

    // `/` then three letters, each narrowing the view, and Esc.
    let t = Instant::now();
    key(&mut state, KeyCode::Char('/'));
    for c in ['f', '0', '1'] {
        key(&mut state, KeyCode::Char(c));
        terminal.draw(|f| render(&state, &theme, f)).expect("draw");
    }
    key(&mut state, KeyCode::Esc);
    let filter = t.elapsed() / 3;
    Timings {
        listing,
        filter,
        frame,
    }
}

fn main() {
    // Warm up, then the median of five runs each.
    let _ = measure(1_000);
    let median = |n: usize| {
        let mut runs: Vec<Timings> = (0..5).map(|_| measure(n)).collect();
        let pick = |f: fn(&Timings) -> Duration, runs: &mut Vec<Timings>| {
            runs.sort_by_key(f);
            f(&runs[2])
        };
        (
            pick(|t| t.listing, &mut runs),
            pick(|t| t.filter, &mut runs),
            pick(|t| t.frame, &mut runs),
        )
    };
    let small = median(1_000);
    let big = median(100_000);
    let row = |what: &str, s: Duration, b: Duration| {
        println!(
            "{what:<28} 1,000: {:>9.3} ms   100,000: {:>9.3} ms   ratio {:>6.1}",
            s.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            b.as_secs_f64() / s.as_secs_f64()
        );
    };
    row("listing taken in (sorted)", small.0, big.0);
    row("filter keystroke + redraw", small.1, big.1);
    row("scroll key + redraw (frame)", small.2, big.2);
}
