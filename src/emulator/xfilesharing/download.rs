//! `file/direct_link`, the download server's `cgi-bin/dl.cgi/<token>/<name>` (bytes, with
//! ranges) and the public page of a file at `/xfilesharing/<file_code>`.

use std::time::Instant;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use super::Site;
use super::accounts::Account;
use super::names;
use super::params::Params;
use super::reply::{self, Answer, NO_FILE, NOT_ENABLED, Outcome, escape_html};
use crate::emulator::file_body::{Download, Span};

/// What stays unescaped in the name part of a download URL.
const NAME_IN_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Only for the account's own files, and only when it has direct-link traffic.
pub(super) fn direct_link(site: &Site, account: &Account, params: &Params) -> Outcome {
    if !account.direct_links {
        return Err(NOT_ENABLED);
    }
    let (code, name, size, traffic) = site
        .db
        .read(|db| {
            db.own_file(account.id, params.text("file_code"))
                .map(|file| {
                    let traffic = db.traffic_left.get(&account.id).copied();
                    (file.code.clone(), file.name.clone(), file.size, traffic)
                })
        })
        .ok_or(NO_FILE)?;
    if traffic.is_some_and(|left| left < size) {
        return Err(super::life::NOT_ENOUGH_TRAFFIC);
    }
    let token = site.links().issue(code, Instant::now());
    let name = utf8_percent_encode(&names::original(&name), NAME_IN_PATH).to_string();
    Ok(Answer::Result(json!({
        "url": format!("{}/cgi-bin/dl.cgi/{token}/{name}", site.next_server()),
        "size": size,
    })))
}

/// Serves a direct link's bytes; the name in the URL is decoration, the token decides.
pub(super) async fn serve(
    site: &Site,
    token: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Response {
    let found = site
        .links()
        .get(token, Instant::now())
        .and_then(|code| site.db.read(|db| db.files.get(&code).cloned()));
    let Some(file) = found else {
        return reply::not_found_page();
    };
    let delivery = match site
        .shared
        .delivery(&format!("xfilesharing/{}", file.code), method)
    {
        Ok(delivery) => delivery,
        Err(answer) => return *answer,
    };
    let opened = match tokio::fs::File::open(site.blob_path(&file.blob)).await {
        Ok(opened) => opened,
        Err(error) => {
            tracing::warn!(%error, file = %file.code, "stored file is missing");
            return reply::not_found_page();
        }
    };
    let len = match opened.metadata().await {
        Ok(metadata) => metadata.len(),
        Err(_) => file.size,
    };
    let span = Span::requested(headers, len, site.shared.faults().ignore_range);
    if method == Method::GET && span.start() == Some(0) {
        // A download from the start counts as one.
        let day = today();
        let _ = site.db.change(|db| {
            if let Some(stored) = db.files.get_mut(&file.code) {
                stored.downloads += 1;
            }
            db.count_day(file.owner, day, |count| count.downloads += 1);
            Ok::<(), ()>(())
        });
    }
    if method == Method::GET {
        // Direct links are the owner's: what they send is the owner's traffic.
        let sent = span.len(len);
        let _ = site.db.change(|db| {
            if let Some(left) = db.traffic_left.get_mut(&file.owner) {
                *left = left.saturating_sub(sent);
            }
            Ok::<(), ()>(())
        });
    }
    let filename = names::original(&file.name);
    Download {
        file: opened.into_std().await,
        len,
        content_type: "application/octet-stream",
        filename: &filename,
    }
    .respond(method, span, delivery)
}

/// The file's public page (`/<code>` or `/<code>/<name>.html`), counted as a view.
pub(super) fn file_page(site: &Site, code: &str) -> Response {
    let Some(file) = site.db.read(|db| db.files.get(code).cloned()) else {
        return reply::not_found_page();
    };
    let day = today();
    let _ = site.db.change(|db| {
        db.count_day(file.owner, day, |count| count.views += 1);
        Ok::<(), ()>(())
    });
    let name = escape_html(&names::original(&file.name));
    reply::html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Download {name}</title></head>\n\
             <body><h1>{name}</h1><p>Size: {size} bytes</p><p>Uploaded: {uploaded}</p></body></html>\n",
            size = file.size,
            uploaded = file.uploaded,
        ),
    )
}

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}
