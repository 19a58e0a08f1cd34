//! The top modal: confirm, input, conflict, captcha, error, help, info; the account picker
//! and its forms are in `account_modals`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui_image::Image;

use super::{Images, Theme, centered, fit};
use crate::app::modal::{CONFLICT_CHOICES, Captcha, CaptchaTarget, Modal};
use crate::app::queue::human_bytes;
use crate::app::{Action, Layer, State};
use crate::provider::ChallengeKind;
use crate::sanitize::for_terminal;

pub fn modal(
    state: &State,
    top: &Modal,
    theme: &Theme,
    images: &Images,
    frame: &mut Frame,
    area: Rect,
) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Modal, a);
    match top {
        Modal::Confirm { title, message, .. } => {
            let lines = vec![
                Line::from(message.clone()),
                Line::from(""),
                Line::from(format!(
                    "{}/{} yes    {}/{} no",
                    keys(Action::Confirm),
                    keys(Action::Yes),
                    keys(Action::Cancel),
                    keys(Action::No)
                ))
                .style(theme.get("dim")),
            ];
            boxed(frame, theme, area, title, 60, 7, lines);
        }
        Modal::Input { purpose, input } => {
            let r = boxed(frame, theme, area, purpose.title(), 60, 5, vec![]);
            let field = Rect::new(r.x, r.y, r.width, 1);
            let scroll = input.visual_scroll(field.width.saturating_sub(1) as usize);
            frame.render_widget(
                Paragraph::new(input.value().to_string())
                    .scroll((0, scroll as u16))
                    .style(theme.get("cursor_unfocused")),
                field,
            );
            let cursor = (input.visual_cursor().saturating_sub(scroll)) as u16;
            frame.set_cursor_position((field.x + cursor.min(field.width), field.y));
            let hint = format!(
                "{} ok    {} cancel",
                keys(Action::Confirm),
                keys(Action::Cancel)
            );
            frame.render_widget(
                Paragraph::new(hint).style(theme.get("dim")),
                Rect::new(r.x, r.y + 2, r.width, 1),
            );
        }
        Modal::Conflict(c) => {
            let size = |s: Option<u64>| s.map(human_bytes).unwrap_or_else(|| "?".into());
            let mut buttons = Vec::new();
            for (i, (k, label, _)) in CONFLICT_CHOICES.iter().enumerate() {
                let style = if i == c.choice {
                    theme.get("cursor")
                } else {
                    theme.get("hint_label")
                };
                buttons.push(Span::styled(format!("[{k}] {label}"), style));
                buttons.push(Span::raw(" "));
            }
            let lines = vec![
                Line::from(format!("{} already exists.", c.destination)),
                Line::from(format!(
                    "existing: {}    new: {}",
                    size(c.existing_size),
                    size(c.new_size)
                )),
                Line::from(""),
                Line::from(buttons),
                Line::from(format!(
                    "[a] apply to all later conflicts: {}",
                    if c.apply_to_all { "yes" } else { "no" }
                )),
                Line::from(format!(
                    "←/→ choose  {} answer  {} cancel this job",
                    keys(Action::Confirm),
                    keys(Action::Cancel)
                ))
                .style(theme.get("dim")),
            ];
            boxed(frame, theme, area, "File exists", 76, 10, lines);
        }
        Modal::Captcha(c) => captcha(state, c, theme, images, frame, area),
        Modal::Error { title, detail } => {
            let lines = detail.lines().map(|l| Line::from(l.to_string())).collect();
            boxed(frame, theme, area, title, 70, 12, lines);
        }
        Modal::Help { scroll } => help(state, theme, frame, area, *scroll),
        Modal::Info {
            entry,
            account,
            link,
        } => {
            let mut lines = vec![
                Line::from(format!("name:     {}", for_terminal(&entry.name))),
                Line::from(format!("account:  {}", for_terminal(account))),
                Line::from(format!(
                    "kind:     {}",
                    if entry.is_folder() { "folder" } else { "file" }
                )),
                Line::from(format!(
                    "size:     {}",
                    entry.size.map(human_bytes).unwrap_or_else(|| "?".into())
                )),
                Line::from(format!(
                    "modified: {}",
                    for_terminal(entry.modified.as_deref().unwrap_or("?"))
                )),
            ];
            if let Some(md5) = &entry.md5 {
                lines.push(Line::from(format!("md5:      {}", for_terminal(md5))));
            }
            for (k, v) in &entry.extra {
                lines.push(Line::from(format!(
                    "{:<9} {}",
                    format!("{}:", for_terminal(k)),
                    for_terminal(v)
                )));
            }
            let link_line = match link {
                None if account == crate::transfer::LOCAL => "link:     (local file)".to_string(),
                None => "link:     loading…".to_string(),
                Some(Ok(url)) => format!("link:     {}", for_terminal(url)),
                Some(Err(e)) => format!("link:     {}", for_terminal(e)),
            };
            lines.push(Line::from(link_line));
            lines.push(Line::from(""));
            lines.push(
                Line::from(format!(
                    "{} copy link (OSC 52)   {} open   {} close",
                    keys(Action::CopyLink),
                    keys(Action::OpenUrl),
                    keys(Action::Cancel)
                ))
                .style(theme.get("dim")),
            );
            let h = lines.len() as u16 + 2;
            boxed(frame, theme, area, "Info", 76, h, lines);
        }
        Modal::AccountPicker(p) => super::account_modals::picker(state, p, theme, frame, area),
        Modal::AccountForm(f) => super::account_modals::form(state, f, theme, frame, area),
        Modal::Secret(p) => super::account_modals::secret(state, p, theme, frame, area),
    }
}

/// A bordered box with `lines`; returns the inner area.
pub(super) fn boxed(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    w: u16,
    h: u16,
    lines: Vec<Line<'static>>,
) -> Rect {
    let r = centered(area, w, h);
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .border_style(theme.get("modal_border"))
        .title(format!(" {} ", fit(title, w.saturating_sub(4) as usize)))
        .style(theme.get("modal"));
    let inner = block.inner(r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
    inner
}

fn captcha(
    state: &State,
    c: &Captcha,
    theme: &Theme,
    images: &Images,
    frame: &mut Frame,
    area: Rect,
) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Modal, a);
    let title = if c.round > 1 {
        format!(
            "Captcha for {} (try {}: the last answer was wrong)",
            c.what, c.round
        )
    } else {
        format!("Captcha for {}", c.what)
    };
    let r = boxed(frame, theme, area, &title, 76, 18, vec![]);
    let image_h = r.height.saturating_sub(7).min(8);
    let image_area = Rect::new(r.x, r.y, r.width, image_h);
    match images.captcha.get(&c.challenge.id) {
        Some(protocol) => frame.render_widget(Image::new(protocol), image_area),
        None => {
            let text = match (c.challenge.kind, c.opened_in_browser) {
                (ChallengeKind::ImageCaptcha, _) => {
                    "(the image shows here where the terminal can draw it)".to_string()
                }
                (ChallengeKind::ReCaptcha, true) => format!(
                    "A reCaptcha: its page was opened in your browser ({} opens it again). \
                     Solve it there, then paste the token the page shows below.",
                    keys(Action::OpenUrl)
                ),
                (ChallengeKind::ReCaptcha, false) => {
                    "A reCaptcha: open the URL below in a browser, \
                     solve it, then paste the token the page shows below."
                        .to_string()
                }
            };
            frame.render_widget(
                Paragraph::new(text)
                    .style(theme.get("dim"))
                    .wrap(Wrap { trim: true }),
                Rect::new(r.x, r.y + image_h / 2, r.width, 2.min(image_h.max(1))),
            );
        }
    }
    let mut y = r.y + image_h;
    let url = c
        .challenge
        .url
        .as_deref()
        .map(|u| for_terminal(u).into_owned())
        .unwrap_or_else(|| "(no URL)".into());
    let lines = [
        (format!("url: {url}"), theme.get("dim")),
        (fit(&c.message, r.width as usize), theme.get("file")),
    ];
    for (text, style) in lines {
        frame.render_widget(
            Paragraph::new(text).style(style),
            Rect::new(r.x, y, r.width, 1),
        );
        y += 1;
    }
    let prompt = match c.challenge.kind {
        ChallengeKind::ImageCaptcha => "answer: ",
        ChallengeKind::ReCaptcha => "token:  ",
    };
    y += 1;
    let field_x = r.x + prompt.len() as u16;
    let field = Rect::new(field_x, y, r.width.saturating_sub(prompt.len() as u16), 1);
    frame.render_widget(Paragraph::new(prompt), Rect::new(r.x, y, 8, 1));
    let scroll = c
        .input
        .visual_scroll(field.width.saturating_sub(1) as usize);
    frame.render_widget(
        Paragraph::new(c.input.value().to_string())
            .scroll((0, scroll as u16))
            .style(theme.get("cursor_unfocused")),
        field,
    );
    let cursor = (c.input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((field.x + cursor.min(field.width), field.y));
    let open = match c.challenge.kind {
        ChallengeKind::ImageCaptcha => "open the image in a browser",
        ChallengeKind::ReCaptcha => "open the page in a browser",
    };
    let cancel = match &c.target {
        CaptchaTarget::Job(_) => "cancel this job (others go on)",
        CaptchaTarget::Login(_) => "cancel signing in",
    };
    let hint = format!(
        "{} send   {} {open}   {} {cancel}",
        keys(Action::Confirm),
        keys(Action::OpenUrl),
        keys(Action::Cancel)
    );
    frame.render_widget(
        Paragraph::new(fit(&hint, r.width as usize)).style(theme.get("dim")),
        Rect::new(r.x, y + 2, r.width, 1),
    );
}

fn help(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, scroll: usize) {
    let r = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, r);
    let mut items: Vec<(String, Option<ratatui::style::Style>)> = Vec::new();
    for layer in Layer::ALL {
        items.push((format!("[{}]", layer.name()), Some(theme.get("header"))));
        for (action, keys) in state.keymap.bindings(layer) {
            let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
            items.push((format!("{:<13} {}", keys.join(" "), action.help()), None));
        }
    }
    let col_w: u16 = 38;
    let inner_w = r.width.saturating_sub(2);
    let cols = (inner_w / col_w).max(1);
    let h = usize::from(r.height.saturating_sub(2)).max(1);
    let start = scroll.min(items.len().saturating_sub(1));
    let fits = items.len() <= usize::from(cols) * h;
    let title = if fits && start == 0 {
        " Help: keys (from the live keymap; Esc closes) ".to_string()
    } else {
        let shown_to = (start + usize::from(cols) * h).min(items.len());
        format!(
            " Help: keys {}-{} of {} (↑↓ PgUp PgDn scroll; Esc closes) ",
            start + 1,
            shown_to,
            items.len()
        )
    };
    let block = Block::bordered()
        .border_style(theme.get("modal_border"))
        .title(title)
        .style(theme.get("modal"));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    for (i, (text, style)) in items.iter().skip(start).enumerate() {
        let col = (i / h) as u16;
        if col >= cols {
            break;
        }
        let rect = Rect::new(
            inner.x + col * col_w,
            inner.y + (i % h) as u16,
            col_w.min(inner.width),
            1,
        );
        let style = style.unwrap_or_else(|| theme.get("file"));
        frame.render_widget(
            Paragraph::new(fit(text, col_w as usize - 1)).style(style),
            rect,
        );
    }
}
