//! The terminal side of the TUI: enter/leave (restored on quit, error and panic), the event
//! stream, and the loop that feeds the update; `driver` runs its effects in background tasks
//! and feeds results back.

mod driver;
mod frame_log;
mod mirror;
mod uploader;

pub use driver::{AccountBook, OpenFailure, browser_available};
pub use frame_log::note_process_start;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as CtEvent, EventStream,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui_image::picker::Picker;
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use tokio::sync::mpsc::unbounded_channel;

use crate::app::{Effect, LoginProblem, Modal, Msg, State, update};
use crate::provider::Challenge;
use crate::transfer::{Engine, Event, Question};
use crate::ui::{Images, Theme};
use driver::Driver;

/// How long the terminal has to say which image protocols it speaks.
const GRAPHICS_QUERY_TIMEOUT: Duration = Duration::from_millis(300);

type Term = Terminal<CrosstermBackend<std::io::Stdout>>;

/// Put the terminal in TUI mode; the panic hook puts it back before the message prints.
fn enter() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(std::io::stdout()))
}

/// Restore the terminal (safe to call more than once).
pub fn leave() {
    let _ = execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal when dropped (early returns and errors included).
struct Restore;
impl Drop for Restore {
    fn drop(&mut self) {
        leave();
    }
}

/// How captcha images are drawn: asked of the terminal (kitty, iTerm2, sixel), half blocks
/// where it cannot say. Inside tmux the question only gets through with `allow-passthrough`,
/// and an unanswered query keeps reading the keyboard after it gives up (the first keys
/// pressed would be lost), so there haul draws half blocks without asking; so it does with
/// `HAUL_NO_GRAPHICS` set.
fn graphics_picker() -> Picker {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("HAUL_NO_GRAPHICS") || set("TMUX") {
        return Picker::halfblocks();
    }
    // Terminals answer in milliseconds; one that never answers must not hold the first
    // screen back for the library's default two seconds.
    Picker::from_query_stdio_with_options(QueryStdioOptions {
        timeout: GRAPHICS_QUERY_TIMEOUT,
        ..QueryStdioOptions::default()
    })
    .unwrap_or_else(|_| Picker::halfblocks())
}

/// Run the TUI until the person quits.
pub async fn run(
    mut state: State,
    engine: Engine,
    mut engine_events: tokio::sync::mpsc::UnboundedReceiver<Event>,
    book: Arc<dyn AccountBook>,
    theme: Theme,
) -> std::io::Result<()> {
    let mut terminal = enter()?;
    let _restore = Restore;
    let picker = graphics_picker();
    let mut images = Images::default();
    let size = terminal.size()?;
    state.size = (size.width, size.height);

    let (tx, mut rx) = unbounded_channel::<Msg>();
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(e) = engine_events.recv().await {
            if forward.send(Msg::Engine(e)).is_err() {
                break;
            }
        }
    });
    let driver = Driver {
        tx: tx.clone(),
        engine,
        book,
    };
    // The jobs the journal kept (unfinished ones paused, or running again with
    // `resume_on_start`; finished ones until cleared) are listed before anything else happens.
    for view in driver.engine.jobs().await {
        for effect in update(&mut state, Msg::Engine(Event::Added(view))) {
            driver.run(effect);
        }
    }
    for e in state.start() {
        driver.run(e);
    }
    let mut input = EventStream::new();
    let mut frames = frame_log::FrameLog::from_env();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let started = Instant::now();
    let now = || started.elapsed().as_millis() as u64;
    // Drawn only when something shown changed: an idle TUI sleeps between ticks.
    let mut dirty = true;
    loop {
        if dirty {
            frames
                .frame(|| terminal.draw(|f| crate::ui::render_with(&state, &theme, &images, f)))?;
            dirty = false;
        }
        let first = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => translate(ev, now()),
                Some(Err(e)) => return Err(e),
                None => break,
            },
            msg = rx.recv() => msg,
            _ = tick.tick() => Some(Msg::Tick { now_ms: now() }),
        };
        // Take everything already waiting before drawing again (coalesced redraws).
        let mut batch: Vec<Msg> = first.into_iter().collect();
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
            if batch.len() > 512 {
                break;
            }
        }
        for msg in batch {
            frames.message(&msg);
            if let Some(challenge) = challenge_of(&msg)
                && let Some(p) = challenge
                    .image
                    .as_deref()
                    .and_then(|b| crate::ui::captcha_protocol(&picker, b))
            {
                images.captcha.insert(challenge.id.clone(), p);
            }
            let (redraw, effects) = step(&mut state, msg);
            dirty |= redraw;
            for effect in effects {
                if matches!(effect, Effect::Clipboard(_)) {
                    osc52(&effect);
                    continue;
                }
                driver.run(effect);
            }
        }
        // Keep only the images of captchas still asked.
        images.captcha.retain(|id, _| {
            state
                .modals
                .iter()
                .any(|m| matches!(m, Modal::Captcha(c) if &c.challenge.id == id))
        });
        if state.quit {
            break;
        }
    }
    terminal.show_cursor()?;
    Ok(())
}

/// One message through the update: its effects, and whether the screen must be drawn again.
fn step(state: &mut State, msg: Msg) -> (bool, Vec<Effect>) {
    let tick = matches!(msg, Msg::Tick { .. });
    let effects = update(state, msg);
    (state.redraw_after(tick, &effects), effects)
}

fn translate(ev: CtEvent, now_ms: u64) -> Option<Msg> {
    match ev {
        CtEvent::Key(k) => Some(Msg::Key(k)),
        CtEvent::Mouse(m) => Some(Msg::Mouse { event: m, now_ms }),
        CtEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        CtEvent::Paste(text) => Some(Msg::Paste(text)),
        CtEvent::FocusGained | CtEvent::FocusLost => None,
    }
}

/// The challenge a message brings for a person, if any (its image is prepared before the
/// modal shows).
fn challenge_of(msg: &Msg) -> Option<&Challenge> {
    match msg {
        Msg::Engine(Event::Ask(Question::Captcha { challenge, .. })) => Some(challenge),
        Msg::Login {
            result: Err(LoginProblem::Captcha { challenge, .. }),
            ..
        } => Some(challenge),
        _ => None,
    }
}

/// Put text on the clipboard with OSC 52 (works over SSH and in most terminals).
fn osc52(effect: &Effect) {
    if let Effect::Clipboard(text) = effect {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        let mut out = std::io::stdout();
        let _ = write!(out, "\x1b]52;c;{b64}\x07");
        let _ = out.flush();
    }
}
