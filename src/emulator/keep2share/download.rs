//! `getUrl` (at once for owners and premium accounts; for free users and anonymous callers
//! after an answered captcha and a countdown) and the direct links it hands out: signed,
//! expiring, served with ranges, and for free users one at a time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Site;
use super::accounts::Account;
use super::auth::{caller, invalid_captcha};
use super::db::{Access, Node};
use super::render::now_secs;
use super::reply::{self, Failure, Outcome, file_not_found};
use super::request::Params;
use super::signing::{sign, verify};
use crate::emulator::file_body::{Download, Span};
use crate::emulator::shaping::hold_while_sending;

/// The speed cap a free link states (bytes/s; 0 is unlimited). Not enforced.
const FREE_RATE_LIMIT: &str = "51200";
/// The longest countdown the `free_wait_ms` setting can ask for.
const MAX_FREE_WAIT_MS: u64 = 24 * 60 * 60 * 1000;

pub(super) fn get_url(site: &Site, params: &Params) -> Outcome {
    let viewer = caller(site, params)?;
    let file_id = params.required("file_id")?;
    let node = site
        .read(|db| db.nodes.get(&file_id).cloned())
        .ok_or_else(file_not_found)?;
    if node.is_folder() {
        return Err(Failure::new(406, 23, "file_id is folder"));
    }
    if let Some(refusal) = site.read(|db| db.life_of(&node.id)).refusal() {
        return Err(refusal);
    }
    let user = viewer.map_or(0, |account| account.id);
    let owner = viewer.is_some_and(|account| account.id == node.account_id);
    if !owner && node.access == Access::Private {
        return Err(Failure::unavailable(21, "File is not available", 8));
    }
    if let Some(account) = viewer.filter(|account: &&Account| owner || account.premium) {
        if site.read(|db| db.traffic_left(account)) < node.size() {
            return Err(Failure::unavailable(42, "Download not available", 2));
        }
        return direct_link(site, &node, user, false);
    }
    free_download(site, params, &node, user)
}

/// The free flow: captcha, key with a countdown, then the link.
fn free_download(site: &Site, params: &Params, node: &Node, user: u64) -> Outcome {
    if node.access == Access::Premium {
        return Err(Failure::unavailable(21, "File is not available", 7));
    }
    let settings = site.settings();
    if node.size() > settings.free_max_file_size {
        return Err(Failure::unavailable(21, "Download is not available", 3));
    }
    if site.downloads.busy(&user) {
        return Err(Failure::unavailable(42, "Download not available", 6));
    }
    let now = Instant::now();
    if let Some(key) = params.string("free_download_key")? {
        let ready_at = site
            .sessions()
            .free_key(&key, now)
            .filter(|found| found.file_id == node.id)
            .map(|found| found.ready_at)
            .ok_or_else(|| Failure::new(406, 40, "Wrong free download key"))?;
        if now < ready_at {
            return Err(Failure::new(406, 41, "Need wait for free"));
        }
        return direct_link(site, node, user, true);
    }
    let challenge = params.string("captcha_challenge")?;
    let response = params.string("captcha_response")?;
    let Some((challenge, response)) = challenge.zip(response) else {
        return Err(Failure::new(
            406,
            30,
            "You need send request for free download with captcha fields",
        ));
    };
    let mut sessions = site.sessions();
    if !sessions.solve_captcha(&challenge, &response, now) {
        return Err(invalid_captcha());
    }
    let wait_ms = settings.free_wait_ms.min(MAX_FREE_WAIT_MS);
    let key = sessions.grant_free_key(&node.id, now + Duration::from_millis(wait_ms));
    reply::ok(json!({
        "message": "Captcha accepted, please wait",
        "free_download_key": key,
        "time_wait": wait_ms.div_ceil(1000),
    }))
}

/// What a link's signature covers.
fn signed_parts<'a>(
    nonce: &'a str,
    file_id: &'a str,
    expires: &'a str,
    user: &'a str,
    rate: &'a str,
) -> [&'a str; 5] {
    [nonce, file_id, expires, user, rate]
}

fn direct_link(site: &Site, node: &Node, user: u64, free: bool) -> Outcome {
    let lifetime = i64::try_from(site.settings().download_url_lifetime_secs).unwrap_or(i64::MAX);
    let expires = now_secs().saturating_add(lifetime).to_string();
    let nonce = hex::encode(rand::random::<[u8; 7]>())[..13].to_string();
    let user = user.to_string();
    let rate = if free { FREE_RATE_LIMIT } else { "0" };
    let signature = sign(
        &site.secret,
        &signed_parts(&nonce, &node.id, &expires, &user, rate),
    )
    .ok_or_else(|| Failure::new(500, 4, "Internal error"))?;
    let name: String = url::form_urlencoded::byte_serialize(node.name.as_bytes()).collect();
    let id = &node.id;
    let url = format!(
        "{}/keep2share/prx/{nonce}/{id}?temp_url_sig={signature}&temp_url_expires={expires}\
         &id={id}&ip=any&node_id=1&countable=1&project=k2s&user_id={user}&uf={id}\
         &rate_limit={rate}&tags=legacy-api%2Cdownload%2Ck2s&name={name}",
        site.origin
    );
    reply::ok(json!({ "url": url }))
}

/// What an expired or forged link gets: the storage's own 401.
fn unauthorized_link() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "401 Unauthorized: Temp URL invalid\n",
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Swift realm=\"AUTH_k2s\""),
    );
    response
}

/// The page a free user gets instead of a second file at the same time.
fn one_at_a_time_page() -> Response {
    Html(
        "<!DOCTYPE html>\n<html><head><title>Download limit</title></head><body>\n\
         <p>Your current tariff doesn't allow to download more files then you are downloading now</p>\n\
         </body></html>\n",
    )
    .into_response()
}

/// `GET|HEAD /keep2share/prx/<nonce>/<file_id>?temp_url_sig=...&temp_url_expires=...`
pub(super) async fn serve(
    State(site): State<Arc<Site>>,
    Path((nonce, file_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    let (expires, user, rate) = (
        field("temp_url_expires"),
        field("user_id"),
        field("rate_limit"),
    );
    let parts = signed_parts(&nonce, &file_id, expires, user, rate);
    let (Ok(expires_at), Ok(user)) = (expires.parse::<i64>(), user.parse::<u64>()) else {
        return unauthorized_link();
    };
    if !verify(&site.secret, &parts, field("temp_url_sig")) || now_secs() >= expires_at {
        return unauthorized_link();
    }
    let found = site.read(|db| db.nodes.get(&file_id).cloned());
    let Some((node, content)) = found.and_then(|node| node.content.clone().map(|c| (node, c)))
    else {
        return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response();
    };
    let delivery = match site
        .shared
        .delivery(&format!("keep2share/{}", node.id), &method)
    {
        Ok(delivery) => delivery,
        Err(answer) => return *answer,
    };
    let opened = match tokio::fs::File::open(site.blob_path(&content.blob)).await {
        Ok(opened) => opened,
        Err(error) => {
            tracing::warn!(%error, file = %node.id, "stored file is missing");
            return (StatusCode::NOT_FOUND, "404 Not Found\n").into_response();
        }
    };
    let len = match opened.metadata().await {
        Ok(metadata) => metadata.len(),
        Err(_) => content.size,
    };
    let span = Span::requested(&headers, len, site.shared.faults().ignore_range);
    let mut slot = None;
    if method == Method::GET && span.start().is_some() {
        let free = rate != "0";
        match site.downloads.enter(&user, free.then_some(1)) {
            Some(taken) => slot = Some(taken),
            None => return one_at_a_time_page(),
        }
        if span.start() == Some(0) {
            count_download(&site, &node.id);
        }
        if !free && let Some(account) = super::accounts::by_id(user) {
            let sent = span.len(len);
            let _ = site.change(|db| {
                db.spend_traffic(account, sent);
                Ok::<(), ()>(())
            });
        }
    }
    let response = Download {
        file: opened.into_std().await,
        len,
        content_type: &content.content_type,
        filename: &node.name,
    }
    .respond(&method, span, delivery);
    match slot {
        Some(slot) => hold_while_sending(response, slot),
        None => response,
    }
}

fn count_download(site: &Site, id: &str) {
    let now = now_secs();
    let _ = site.change(|db| {
        if let Some(content) = db.nodes.get_mut(id).and_then(|node| node.content.as_mut()) {
            content.downloads += 1;
            content.last_download = Some(now);
        }
        Ok::<(), ()>(())
    });
}
