//! The terminal side of the TUI: enter/leave (restored on quit, error and panic), the event
//! stream, and the driver that runs effects in background tasks and feeds results back.

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
use ratatui_image::{Resize, protocol::Protocol};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::{Effect, JobOp, Msg, State, update};
use crate::provider::local::LocalFs;
use crate::provider::{EntryRef, Provider, ProviderError};
use crate::transfer::{Accounts, Engine, Event, ItemAddr, LOCAL, Question};
use crate::ui::{Images, Theme};

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

/// Run the TUI until the person quits.
pub async fn run(
    mut state: State,
    engine: Engine,
    mut engine_events: tokio::sync::mpsc::UnboundedReceiver<Event>,
    accounts: Arc<dyn Accounts>,
) -> std::io::Result<()> {
    let mut terminal = enter()?;
    let _restore = Restore;
    let picker = if std::env::var_os("HAUL_NO_GRAPHICS").is_some() {
        Picker::halfblocks()
    } else {
        Picker::from_query_stdio().unwrap_or_else(|_| Picker::halfblocks())
    };
    let theme = Theme::builtin();
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
        accounts,
    };
    for e in state.start() {
        driver.run(e);
    }
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let started = Instant::now();
    let now = || started.elapsed().as_millis() as u64;
    loop {
        terminal.draw(|f| crate::ui::render_with(&state, &theme, &images, f))?;
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
            if let Msg::Engine(Event::Ask(Question::Captcha { job, challenge, .. })) = &msg {
                match challenge
                    .image
                    .as_deref()
                    .and_then(|b| captcha_image(&picker, b))
                {
                    Some(p) => {
                        images.captcha.insert(*job, p);
                    }
                    None => {
                        images.captcha.remove(job);
                    }
                }
            }
            for effect in update(&mut state, msg) {
                if matches!(effect, Effect::Clipboard(_)) {
                    osc52(&effect);
                    continue;
                }
                driver.run(effect);
            }
        }
        if state.quit {
            break;
        }
    }
    terminal.show_cursor()?;
    Ok(())
}

fn translate(ev: CtEvent, now_ms: u64) -> Option<Msg> {
    match ev {
        CtEvent::Key(k) => Some(Msg::Key(k)),
        CtEvent::Mouse(m) => Some(Msg::Mouse { event: m, now_ms }),
        CtEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn captcha_image(picker: &Picker, bytes: &[u8]) -> Option<Protocol> {
    let img = image::load_from_memory(bytes).ok()?;
    picker
        .new_protocol(img, ratatui::layout::Size::new(72, 8), Resize::Fit(None))
        .ok()
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

/// Runs effects: engine calls directly (they only send commands), network work in tasks.
struct Driver {
    tx: UnboundedSender<Msg>,
    engine: Engine,
    accounts: Arc<dyn Accounts>,
}

impl Driver {
    fn provider(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Arc<dyn Provider>, ProviderError>> + use<> {
        let accounts = self.accounts.clone();
        let account = account.to_string();
        async move {
            if account == LOCAL {
                Ok(Arc::new(LocalFs) as Arc<dyn Provider>)
            } else {
                accounts.provider(&account).await
            }
        }
    }

    fn run(&self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::List {
                side,
                seq,
                account,
                folder,
            } => {
                let provider = self.provider(&account);
                tokio::spawn(async move {
                    let result = match provider.await {
                        Ok(p) => p.list(&folder).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Msg::Listed { side, seq, result });
                });
            }
            Effect::Enqueue(specs) => {
                for spec in specs {
                    if let Err(e) = self.engine.enqueue(spec) {
                        let _ = tx.send(Msg::Failed {
                            title: "Cannot queue".into(),
                            detail: e.to_string(),
                        });
                    }
                }
            }
            Effect::Job(id, op) => match op {
                JobOp::Pause => self.engine.pause(id),
                JobOp::Resume => self.engine.resume(id),
                JobOp::Cancel => self.engine.cancel(id),
                JobOp::Retry => self.engine.retry(id),
                JobOp::Shift(by) => self.engine.shift(id, by),
            },
            Effect::PauseAll => self.engine.pause_all(),
            Effect::ResumeAll => self.engine.resume_all(),
            Effect::ClearFinished => {
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    engine.clear_finished().await;
                });
            }
            Effect::AnswerConflict(reply, answer) => {
                let _ = reply.send(answer);
            }
            Effect::AnswerCaptcha(reply, answer) => {
                let _ = reply.send(answer);
            }
            Effect::Link { account, entry } => {
                let provider = self.provider(&account);
                tokio::spawn(async move {
                    let result = match provider.await {
                        Ok(p) => p.public_link(&entry).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Msg::Link {
                        entry_id: entry.id,
                        result,
                    });
                });
            }
            Effect::Fetch { account, id, to } => {
                let provider = self.provider(&account);
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    let found = match provider.await {
                        Ok(p) => p.stat(&EntryRef::file(id.clone())).await,
                        Err(e) => Err(e),
                    };
                    let (name, size, md5) = match found {
                        Ok(e) => (e.name, e.size, e.md5),
                        // Some hosts can't describe another account's public file: go by id.
                        Err(_) => (id.clone(), None, None),
                    };
                    let name = crate::sanitize::local_file_name(&name).0;
                    let from = ItemAddr {
                        shown: format!("{account}:#{id}"),
                        account,
                        id,
                        kind: crate::provider::EntryKind::File,
                        name: name.clone(),
                        size,
                        md5,
                    };
                    let spec = crate::transfer::JobSpec::Copy {
                        from,
                        to,
                        name,
                        remove_source: false,
                    };
                    if let Err(e) = engine.enqueue(spec) {
                        let _ = tx.send(Msg::Failed {
                            title: "Cannot queue".into(),
                            detail: e.to_string(),
                        });
                    }
                });
            }
            Effect::OpenUrl(url) => {
                if crate::app::is_web_url(&url) && std::env::var_os("HAUL_NO_BROWSER").is_none() {
                    let _ = open::that_detached(&url);
                }
            }
            Effect::Clipboard(_) => {}
            Effect::Quit => {}
        }
    }
}
