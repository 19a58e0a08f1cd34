//! Walking a person through a host's challenge: show the captcha, read the answer, count down.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use super::progress::note;
use super::{CliError, CliResult, Context};
use crate::provider::{Challenge, ChallengeKind, ErrorKind, Provider, ProviderError};
use crate::sanitize::for_terminal;

/// Wrong answers we accept before giving up.
const MAX_ATTEMPTS: usize = 5;

/// Longest host-requested wait we sit through before retrying by ourselves.
pub const MAX_AUTO_WAIT: Duration = Duration::from_secs(10 * 60);

/// Answer the challenge in `error` (a `CaptchaRequired` error). Returns the wait the host asks for
/// before the operation is retried.
pub async fn solve(
    ctx: &Context,
    provider: &dyn Provider,
    error: ProviderError,
    what: &str,
) -> CliResult<Option<Duration>> {
    let mut error = error;
    for _ in 0..MAX_ATTEMPTS {
        let Some(challenge) = error.challenge.take() else {
            return Err(error.into());
        };
        if !ctx.interactive {
            return Err(CliError::new(format!(
                "{what}: the host asks for a captcha ({}); run haul in a terminal without --no-input to answer it",
                error.message
            )));
        }
        present(&challenge, what);
        let answer = read_answer(challenge.kind).await?;
        match provider.answer_challenge(&challenge, &answer).await {
            Ok(wait) => return Ok(wait),
            Err(e) if e.kind == ErrorKind::CaptchaRequired && e.challenge.is_some() => {
                note("that answer was not accepted; here is a new captcha");
                error = e;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(CliError::new(format!(
        "{what}: gave up after {MAX_ATTEMPTS} captcha answers"
    )))
}

/// Show the challenge: inline image where the terminal can, the URL, and the browser.
fn present(challenge: &Challenge, what: &str) {
    note(format!("{what}: the host asks for a captcha"));
    if let Some(bytes) = &challenge.image {
        show_image(bytes);
    }
    if let Some(url) = &challenge.url {
        note(format!("captcha: {}", for_terminal(url)));
        open_in_browser(url);
    }
    if challenge.kind == ChallengeKind::ReCaptcha {
        note("solve it in the browser, then paste the token it shows");
    }
}

fn show_image(bytes: &[u8]) {
    if !std::io::stdout().is_terminal() {
        return;
    }
    let Ok(img) = image::load_from_memory(bytes) else {
        note("(the captcha image could not be decoded; open the URL below)");
        return;
    };
    let config = viuer::Config {
        absolute_offset: false,
        width: Some(48),
        ..Default::default()
    };
    if viuer::print(&img, &config).is_err() {
        note("(this terminal cannot show the image; open the URL below)");
    }
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

async fn read_answer(kind: ChallengeKind) -> CliResult<String> {
    let prompt = match kind {
        ChallengeKind::ImageCaptcha => "type the characters you see: ",
        ChallengeKind::ReCaptcha => "paste the token: ",
    };
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await
    .map_err(|e| CliError::new(e.to_string()))??;
    let answer = line.trim().to_string();
    if answer.is_empty() {
        return Err(CliError::new("no captcha answer given; cancelled"));
    }
    Ok(answer)
}

/// A visible countdown on stderr while the host makes us wait.
pub async fn countdown(wait: Duration, why: &str) {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if !std::io::stderr().is_terminal() {
        note(format!("waiting {secs}s: {why}"));
        tokio::time::sleep(wait).await;
        return;
    }
    for left in (1..=secs).rev() {
        eprint!("\rwaiting {left:>4}s: {} ", for_terminal(why));
        let _ = std::io::stderr().flush();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprint!("\r\x1b[2K");
}
