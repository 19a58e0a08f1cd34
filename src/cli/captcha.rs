//! Showing a host's challenge to a person: the image inline where the terminal can, the URL,
//! and the browser (http/https only).

use std::io::IsTerminal;

use super::progress;
use crate::provider::{Challenge, ChallengeKind};
use crate::sanitize::for_terminal;

/// Show the challenge: inline image where the terminal can, the URL, and the browser.
pub fn present(challenge: &Challenge, what: &str) {
    progress::line(format!("{what}: the host asks for a captcha"));
    if let Some(bytes) = &challenge.image {
        show_image(bytes);
    }
    if let Some(url) = &challenge.url {
        progress::line(format!("captcha: {}", for_terminal(url)));
        open_in_browser(url);
    }
    if challenge.kind == ChallengeKind::ReCaptcha {
        progress::line("solve it in the browser, then paste the token it shows");
    }
}

fn show_image(bytes: &[u8]) {
    if !std::io::stdout().is_terminal() {
        return;
    }
    let Ok(img) = image::load_from_memory(bytes) else {
        progress::line("(the captcha image could not be decoded; open the URL below)");
        return;
    };
    // viuer finds Sixel and Kitty support by asking the terminal and reading the reply with no
    // time limit: on a terminal that doesn't reply, haul would hang before the prompt and take
    // the person's typing for the reply. So no Sixel, and Kitty only where the environment says
    // it is Kitty (which replies); elsewhere the image is drawn in block characters.
    let config = viuer::Config {
        absolute_offset: false,
        width: Some(48),
        use_sixel: false,
        use_kitty: is_kitty(),
        ..Default::default()
    };
    if viuer::print(&img, &config).is_err() {
        progress::line("(this terminal cannot show the image; open the URL below)");
    }
}

/// Whether the environment says this is the Kitty terminal.
fn is_kitty() -> bool {
    std::env::var_os("KITTY_WINDOW_ID").is_some()
        || std::env::var("TERM").is_ok_and(|term| term.contains("kitty"))
}

/// Open an http(s) URL in the browser; anything else a server sends is never opened.
pub fn open_in_browser(url: &str) {
    let allowed = url::Url::parse(url)
        .map(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or(false);
    if !allowed || std::env::var_os("HAUL_NO_BROWSER").is_some() {
        return;
    }
    if let Err(e) = open::that_detached(url) {
        tracing::debug!("could not open a browser: {e}");
    }
}
