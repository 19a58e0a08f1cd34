//! The layer over the sites' routes that makes their JSON replies hostile: names and links
//! rewritten where the reply has them, then the reply itself broken by a `reply-*` case.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

use super::links::rewrite_links;
use super::names::{rename_entries, wrong_types};
use super::{HostileCase, Kind, pick_in_turn, shapes};
use crate::emulator::control::Shared;

/// The largest honest reply the layer reads to rewrite (the sites' replies are far smaller).
const REPLY_LIMIT: usize = 64 << 20;
/// How much whitespace `reply-huge` puts before the JSON: just over 64 MiB.
const HUGE_PADDING: u64 = (64 << 20) + 1;
const PAD_CHUNK: usize = 1 << 20;

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n\
<body><h1>502 Bad Gateway</h1><p>The origin web server returned an invalid response.</p>\n\
<p>Cloudflare Ray ID: 8a1b2c3d4e5f6a7b</p></body></html>\n";

/// Middleware: passes everything through untouched unless a hostile case is on; then JSON
/// replies are rewritten as the cases say.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let cases = shared.faults().hostile;
    if cases.is_empty() {
        return next.run(request).await;
    }
    let route = crate::emulator::route_key(request.uri().path());
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, REPLY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let reply_case = pick_in_turn(&cases, Kind::Reply, shared.next_hostile_turn());
    let shape = shapes::of(&route);
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut reply) => {
            rename_entries(&mut reply, &shape, &cases);
            rewrite_links(&mut reply, &shape, &cases, shared.origin());
            if reply_case == Some(HostileCase::ReplyWrongTypes) {
                wrong_types(&mut reply, &shape);
            }
            serde_json::to_vec(&reply).map_or(bytes, Bytes::from)
        }
        Err(_) => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match reply_case {
        Some(HostileCase::ReplyHtml) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=UTF-8"),
            );
            Body::from(HTML_PAGE)
        }
        Some(HostileCase::ReplyTruncated) => Body::from(bytes.slice(..bytes.len() / 2)),
        Some(HostileCase::ReplyEmpty) => Body::empty(),
        Some(HostileCase::ReplyHuge) => huge(bytes),
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Over 64 MiB of whitespace, then the reply: still valid JSON, streamed without a length.
fn huge(reply: Bytes) -> Body {
    let pad = Bytes::from(vec![b' '; PAD_CHUNK]);
    let full_chunks = HUGE_PADDING / PAD_CHUNK as u64;
    let rest = usize::try_from(HUGE_PADDING % PAD_CHUNK as u64).unwrap_or(0);
    let chunks = (0..full_chunks)
        .map(move |_| pad.clone())
        .chain(std::iter::once(Bytes::from(vec![b' '; rest])))
        .chain(std::iter::once(reply))
        .map(Ok::<_, std::io::Error>);
    Body::from_stream(futures::stream::iter(chunks))
}
