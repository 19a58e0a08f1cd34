//! The top modal: confirm, input, conflict, captcha, error, help, info; the account picker
//! and its forms are in `account_modals`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui_image::Image;

use super::{Images, Theme, centered, fit};
use crate::app::ChallengeKind;
use crate::app::modal::{CONFLICT_CHOICES, Captcha, CaptchaTarget, Conflict, Modal};
use crate::app::queue::human_bytes;
use crate::app::{Action, Layer, State};
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
                .style(theme.dim),
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
                    .style(theme.cursor_unfocused),
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
                Paragraph::new(hint).style(theme.dim),
                Rect::new(r.x, r.y + 2, r.width, 1),
            );
        }
        Modal::Conflict(c) => conflict(state, c, theme, frame, area),
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
            health,
        } => {
            let keys = |a: Action| state.keymap.keys_label(Layer::Info, a);
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
                None if account == crate::app::LOCAL => "link:     (local file)".to_string(),
                None => "link:     loading…".to_string(),
                Some(Ok(url)) => format!("link:     {}", for_terminal(url)),
                Some(Err(e)) => format!("link:     {}", for_terminal(e)),
            };
            lines.push(Line::from(link_line));
            if let Some(line) = super::uploader_modals::health_line(health) {
                lines.push(Line::from(line));
            }
            lines.push(Line::from(""));
            lines.push(
                Line::from(format!(
                    "{} check   {} copy link (OSC 52)   {} open   {} close",
                    keys(Action::Check),
                    keys(Action::CopyLink),
                    keys(Action::OpenUrl),
                    keys(Action::Close)
                ))
                .style(theme.dim),
            );
            let h = lines.len() as u16 + 2;
            boxed(frame, theme, area, "Info", 76, h, lines);
        }
        Modal::Export(e) => super::uploader_modals::export(state, e, theme, frame, area),
        Modal::Access(p) => super::uploader_modals::access(state, p, theme, frame, area),
        Modal::Mirror(p) => super::uploader_modals::mirror(state, p, theme, frame, area),
        Modal::AccountPicker(p) => super::account_modals::picker(state, p, theme, frame, area),
        Modal::AccountForm(f) => super::account_modals::form(state, f, theme, frame, area),
        Modal::Secret(p) => super::account_modals::secret(state, p, theme, frame, area),
    }
}

fn conflict(state: &State, c: &Conflict, theme: &Theme, frame: &mut Frame, area: Rect) {
    let key = |a: Action| {
        state
            .keymap
            .first_key(Layer::Conflict, a)
            .unwrap_or_else(|| "-".into())
    };
    let size = |s: Option<u64>| s.map(human_bytes).unwrap_or_else(|| "?".into());
    let mut buttons = Vec::new();
    for (i, (action, label, _)) in CONFLICT_CHOICES.iter().enumerate() {
        let style = if i == c.choice {
            theme.cursor
        } else {
            theme.hint_label
        };
        buttons.push(Span::styled(format!("[{}] {label}", key(*action)), style));
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
            "[{}] apply to all later conflicts: {}",
            key(Action::ApplyToAll),
            if c.apply_to_all { "yes" } else { "no" }
        )),
        Line::from(format!(
            "{}/{} choose  {} answer  {} cancel this job",
            key(Action::PrevChoice),
            key(Action::NextChoice),
            key(Action::Confirm),
            key(Action::Cancel)
        ))
        .style(theme.dim),
    ];
    boxed(frame, theme, area, "File exists", 76, 10, lines);
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
        .border_style(theme.modal_border)
        .title(format!(" {} ", fit(title, w.saturating_sub(4) as usize)))
        .style(theme.modal);
    let inner = block.inner(r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
    inner
}

/// Rows of `text` cut every `width` characters: a URL wraps whole, never cut at the border.
fn wrap_chars(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

fn captcha(
    state: &State,
    c: &Captcha,
    theme: &Theme,
    images: &Images,
    frame: &mut Frame,
    area: Rect,
) {
    let keys = |a: Action| state.keymap.keys_label(Layer::Captcha, a);
    let title = if c.round > 1 {
        format!(
            "Captcha for {} (try {}: the last answer was wrong)",
            c.what, c.round
        )
    } else {
        format!("Captcha for {}", c.what)
    };
    let url = c
        .challenge
        .url
        .as_deref()
        .map(|u| for_terminal(u).into_owned());
    // Wide enough for the URL on one line where the terminal allows; else it wraps.
    let url_len = url.as_deref().map_or(0, |u| u.chars().count()) as u16;
    let w = url_len.saturating_add(2).clamp(76, 120).min(area.width);
    let inner_w = w.saturating_sub(2);
    let url_rows = match &url {
        Some(u) => wrap_chars(u, usize::from(inner_w)),
        None => vec!["(this captcha has no URL)".to_string()],
    };
    // Everything but the picture: the URL's label and rows, the message, the note, the
    // answer and the hint, with a blank row before each of the last two.
    let fixed = 1 + url_rows.len() as u16 + 1 + u16::from(c.note.is_some()) + 4;
    let image_h = area.height.saturating_sub(2 + fixed).min(8);
    let r = boxed(frame, theme, area, &title, w, image_h + fixed + 2, vec![]);
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
            let rows = 3.min(image_h);
            frame.render_widget(
                Paragraph::new(text)
                    .style(theme.dim)
                    .wrap(Wrap { trim: true }),
                Rect::new(r.x, r.y + (image_h - rows) / 2, r.width, rows),
            );
        }
    }
    let mut rows: Vec<(String, ratatui::style::Style)> = vec![(
        format!(
            "URL ({} copies it, {} opens it in a browser):",
            keys(Action::CopyLink),
            keys(Action::OpenUrl)
        ),
        theme.dim,
    )];
    rows.extend(url_rows.into_iter().map(|u| (u, theme.file)));
    rows.push((fit(&c.message, r.width as usize), theme.file));
    if let Some(note) = &c.note {
        rows.push((fit(note, r.width as usize), theme.badge));
    }
    let mut y = r.y + image_h;
    for (text, style) in rows {
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
            .style(theme.cursor_unfocused),
        field,
    );
    let cursor = (c.input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((field.x + cursor.min(field.width), field.y));
    let cancel = match &c.target {
        CaptchaTarget::Job(_) => "cancel this job (others go on)",
        CaptchaTarget::Login(_) => "cancel signing in",
    };
    let hint = format!(
        "{} send   {} {cancel}   (pasting works)",
        keys(Action::Confirm),
        keys(Action::Cancel)
    );
    frame.render_widget(
        Paragraph::new(fit(&hint, r.width as usize)).style(theme.dim),
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
        items.push((format!("[{}]", layer.name()), Some(theme.header)));
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
    let key = |a: Action| state.keymap.first_key(Layer::Help, a).unwrap_or_default();
    let close = key(Action::Close);
    let title = if fits && start == 0 {
        format!(" Help: keys (from the live keymap; {close} closes) ")
    } else {
        let shown_to = (start + usize::from(cols) * h).min(items.len());
        format!(
            " Help: keys {}-{} of {} ({} {} {} {} scroll; {close} closes) ",
            start + 1,
            shown_to,
            items.len(),
            key(Action::Up),
            key(Action::Down),
            key(Action::PageUp),
            key(Action::PageDown),
        )
    };
    let block = Block::bordered()
        .border_style(theme.modal_border)
        .title(title)
        .style(theme.modal);
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
        let style = style.unwrap_or_else(|| theme.file);
        frame.render_widget(
            Paragraph::new(fit(text, col_w as usize - 1)).style(style),
            rect,
        );
    }
}
