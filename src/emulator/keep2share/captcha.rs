//! `requestCaptcha` and its image (`GET|POST captcha?id=`, also `captcha.html`),
//! `requestReCaptcha` and its page (`GET reCaptcha?id=` and `reCaptcha.html?id=`): the page
//! stands in for Google's widget and shows the token to paste as `re_captcha_response`.

use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Site;
use super::font::captcha_png;
use super::reply::{self, Failure, Outcome};

pub(super) fn request(site: &Site) -> Outcome {
    let challenge = site.sessions().new_captcha(Instant::now());
    let captcha_url = format!("{}/captcha?id={challenge}", site.api_root());
    reply::ok(json!({ "challenge": challenge, "captcha_url": captcha_url }))
}

pub(super) fn request_re(site: &Site) -> Outcome {
    let challenge = site.sessions().new_re_captcha(Instant::now());
    let captcha_url = format!("{}/reCaptcha.html?id={challenge}", site.api_root());
    reply::ok(json!({ "challenge": challenge, "captcha_url": captcha_url }))
}

fn id_not_found() -> Response {
    Failure::bare(400, "Id not found").into_response()
}

/// The captcha's picture.
pub(super) fn image(site: &Site, id: Option<&str>) -> Response {
    let Some(answer) = id.and_then(|id| site.sessions().captcha_answer(id)) else {
        return id_not_found();
    };
    match captcha_png(&answer) {
        Ok(png) => {
            let mut response = png.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::warn!(%error, "could not draw a captcha");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The reCaptcha page: where the real one has Google's widget, this one shows the token.
pub(super) fn page(site: &Site, id: Option<&str>) -> Response {
    let Some(token) = id.and_then(|id| site.sessions().re_captcha_token(id)) else {
        return id_not_found();
    };
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Verification</title></head>\n\
         <body>\n<h1>Verify your request</h1>\n\
         <p>This emulator stands in for the reCAPTCHA check. Paste this code back as \
         <code>re_captcha_response</code>:</p>\n\
         <p><code id=\"re_captcha_response\">{token}</code></p>\n</body></html>\n"
    ))
    .into_response()
}

/// Test hook `GET /__emulator/keep2share/captcha/<challenge>`: an image captcha's answer, or
/// a reCaptcha's token.
pub(super) fn answer(site: &Site, challenge: &str) -> Response {
    let sessions = site.sessions();
    let answer = sessions
        .captcha_answer(challenge)
        .or_else(|| sessions.re_captcha_token(challenge));
    drop(sessions);
    match answer {
        Some(answer) => {
            axum::Json(json!({ "challenge": challenge, "answer": answer })).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "error": "no such challenge" })),
        )
            .into_response(),
    }
}
