//! `GET|HEAD /yetishare/<shortUrl>?download_token=...`: the `download_url` of `file/download`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Site;
use super::db::{Status, id_of_short_url};
use super::reply;
use crate::emulator::file_body::{Download, Span};

fn page(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

pub(super) async fn serve(
    State(site): State<Arc<Site>>,
    Path(path): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let short = path
        .get("short_url")
        .map(String::as_str)
        .unwrap_or_default();
    let found = site.read(|db| {
        db.files
            .get(&id_of_short_url(short)?)
            .filter(|file| file.short_url == short && file.status == Status::Active)
            .cloned()
    });
    let Some(file) = found else {
        return page(StatusCode::NOT_FOUND, "404 Not Found: no such file.\n");
    };
    let token = query
        .get("download_token")
        .map(String::as_str)
        .unwrap_or_default();
    if !site.sessions().may_download(token, file.id, Instant::now()) {
        return page(
            StatusCode::FORBIDDEN,
            "403 Forbidden: the download token is missing, invalid or expired.\n",
        );
    }
    let delivery = match site
        .shared
        .delivery(&format!("yetishare/{}", file.id), &method)
    {
        Ok(delivery) => delivery,
        Err(answer) => return *answer,
    };
    let opened = match tokio::fs::File::open(site.blob_path(&file.blob)).await {
        Ok(opened) => opened,
        Err(error) => {
            tracing::warn!(%error, file = file.id, "stored file is missing");
            return page(StatusCode::NOT_FOUND, "404 Not Found: no such file.\n");
        }
    };
    let len = match opened.metadata().await {
        Ok(metadata) => metadata.len(),
        Err(_) => file.size,
    };
    let span = Span::requested(&headers, len, site.shared.faults().ignore_range);
    if method == Method::GET && span.start() == Some(0) {
        // A download from the start counts as one, as on the site.
        let now = reply::now();
        let _ = site.change(|db| {
            if let Some(stored) = db.files.get_mut(&file.id) {
                stored.downloads += 1;
                stored.last_accessed = Some(now);
            }
            Ok::<(), ()>(())
        });
    }
    if method == Method::GET {
        let (sent, now) = (span.len(len), chrono::Utc::now().timestamp());
        let _ = site.change(|db| {
            db.count_download(file.account_id, sent, now);
            Ok::<(), ()>(())
        });
    }
    Download {
        file: opened.into_std().await,
        len,
        content_type: &file.file_type,
        filename: &file.filename,
    }
    .respond(&method, span, delivery)
}
