//! Links that lead elsewhere: download links in API replies (`link-to-*`) and downloads that
//! redirect (`redirect-to-*`) to `file:`, `ftp:` and `javascript:` URLs or to another host,
//! whose one page (`/__emulator/hostile/elsewhere`) counts who came.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use super::shapes::{Shape, each_at};
use super::{HostileCase, Kind, pick};
use crate::emulator::control::Shared;

/// The page on "another host" (the emulator under the name `localhost`).
const ELSEWHERE_PATH: &str = "/__emulator/hostile/elsewhere";
/// What that page says.
const ELSEWHERE_BODY: &str = "This is another host: not the file you asked for.\n";

/// Where a case sends a client, for an emulator at `origin` (`http://127.0.0.1:PORT`).
fn target(case: HostileCase, origin: &str) -> Option<String> {
    use HostileCase::*;
    Some(match case {
        LinkToFile | RedirectToFile => "file:///etc/passwd".to_string(),
        LinkToFtp | RedirectToFtp => "ftp://127.0.0.1/pub/hostile.bin".to_string(),
        LinkToJavascript | RedirectToJavascript => "javascript:alert(document.cookie)".to_string(),
        LinkToOtherHost | RedirectToOtherHost => other_host(origin),
        _ => return None,
    })
}

/// The elsewhere page's URL under another name of this host.
fn other_host(origin: &str) -> String {
    let port = url::Url::parse(origin)
        .ok()
        .and_then(|url| url.port())
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    format!("http://localhost{port}{ELSEWHERE_PATH}/file.bin")
}

/// Replaces the download links of a reply with where a `link-to-*` case sends them.
pub(super) fn rewrite_links(reply: &mut Value, shape: &Shape, cases: &[HostileCase], origin: &str) {
    for at in shape.links {
        each_at(reply, at, &mut |link| {
            let Some(text) = link.as_str() else {
                return;
            };
            if let Some(url) = pick(cases, Kind::Link, text).and_then(|case| target(case, origin)) {
                *link = json!(url);
            }
        });
    }
}

/// The 302 a download of `file` gets under a `redirect-to-*` case, if one is on.
pub(crate) fn redirect(cases: &[HostileCase], file: &str, origin: &str) -> Option<Response> {
    let url = pick(cases, Kind::Redirect, file).and_then(|case| target(case, origin))?;
    let mut response = (StatusCode::FOUND, "302 Found\n").into_response();
    if let Ok(location) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Some(response)
}

/// The elsewhere page (neither counted as a request nor faulted; `hostile_elsewhere` in the
/// stats counts its visits).
pub(crate) fn elsewhere_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(ELSEWHERE_PATH, any(elsewhere))
        .route(&format!("{ELSEWHERE_PATH}/{{*rest}}"), any(elsewhere))
        .with_state(shared)
}

async fn elsewhere(State(shared): State<Arc<Shared>>) -> Response {
    shared.count_elsewhere();
    ELSEWHERE_BODY.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_host_keeps_the_port_under_another_name() {
        assert_eq!(
            other_host("http://127.0.0.1:8800"),
            "http://localhost:8800/__emulator/hostile/elsewhere/file.bin"
        );
        assert_eq!(
            target(HostileCase::RedirectToFile, "http://127.0.0.1:1").as_deref(),
            Some("file:///etc/passwd")
        );
        assert_eq!(target(HostileCase::NameAnsi, "http://127.0.0.1:1"), None);
    }
}
