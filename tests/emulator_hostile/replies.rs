//! `reply-*`: API replies that are not the JSON they should be, on all three sites.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use super::clients::{Client, SITES, Site};
use super::{emulator, only};

/// On each site, the root listing's raw answer under `case` (and the honest one's JSON).
async fn each_site(
    case: &str,
    check: impl Fn(Site, &Client, &reqwest::header::HeaderMap, &[u8], &Value),
) {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let honest: Value = client.list(None).await.json().await.expect("honest JSON");
        only(&handle, Some(case)).await;
        let response = client.list(None).await;
        assert_eq!(response.status(), StatusCode::OK, "{site:?} {case}");
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a body");
        check(site, &client, &headers, &body, &honest);
    }
}

fn content_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn html_replies_are_an_error_page() {
    each_site("reply-html", |site, _, headers, body, _| {
        assert!(content_type(headers).starts_with("text/html"), "{site:?}");
        assert!(body.starts_with(b"<!DOCTYPE html>"), "{site:?}");
        assert!(serde_json::from_slice::<Value>(body).is_err(), "{site:?}");
    })
    .await;
}

#[tokio::test]
async fn truncated_replies_stop_inside_the_json() {
    each_site("reply-truncated", |site, _, headers, body, honest| {
        assert!(
            content_type(headers).starts_with("application/json"),
            "{site:?}"
        );
        let error = serde_json::from_slice::<Value>(body).expect_err("cut JSON");
        assert!(error.is_eof(), "{site:?}: {error}");
        let whole = serde_json::to_vec(honest).expect("JSON");
        assert!(
            body.len() <= whole.len() / 2 + 64,
            "{site:?}: {} bytes",
            body.len()
        );
    })
    .await;
}

#[tokio::test]
async fn wrong_types_put_numbers_for_names_and_objects_for_lists() {
    each_site("reply-wrong-types", |site, _, _, body, _| {
        let reply: Value = serde_json::from_slice(body).expect("still JSON");
        let lists: Vec<&Value> = match site {
            Site::YetiShare => vec![&reply["data"]["files"], &reply["data"]["folders"]],
            Site::Keep2Share => vec![&reply["files"]],
            Site::XFileSharing => vec![&reply["result"]["files"], &reply["result"]["folders"]],
        };
        let name_key = match site {
            Site::YetiShare => ["filename", "folderName"],
            _ => ["name", "name"],
        };
        for (list, key) in lists.into_iter().zip(name_key) {
            let entries = list
                .as_object()
                .unwrap_or_else(|| panic!("{site:?}: {list}"));
            assert!(!entries.is_empty(), "{site:?}");
            for entry in entries.values() {
                assert!(entry[key].is_number(), "{site:?}: {entry}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn huge_replies_are_over_64_mib_of_valid_json() {
    each_site("reply-huge", |site, client, _, body, honest| {
        assert!(
            body.len() > 64 * 1024 * 1024,
            "{site:?}: {} bytes",
            body.len()
        );
        let reply: Value = serde_json::from_slice(body).expect("valid JSON");
        assert_eq!(
            client.entries_of(&reply),
            client.entries_of(honest),
            "{site:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn empty_replies_are_an_empty_200() {
    each_site("reply-empty", |site, _, _, body, _| {
        assert!(body.is_empty(), "{site:?}: {} bytes", body.len());
    })
    .await;
}

#[tokio::test]
async fn reply_cases_hit_every_api_call_not_only_listings() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, Some("reply-html")).await;
        let call = match site {
            Site::YetiShare => "account/info",
            Site::Keep2Share => "accountInfo",
            Site::XFileSharing => "account/info",
        };
        let body = client.call(call, &[]).await.text().await.expect("a body");
        assert!(body.starts_with("<!DOCTYPE html>"), "{site:?}: {body}");
        only(&handle, None).await;
    }
}
