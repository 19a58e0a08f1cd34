//! `body-*`: download bodies that disagree with the listed size, on all three sites.

use bytes::Bytes;
use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::CONTENT_LENGTH;

use super::clients::{Client, SITES, Site};
use super::{emulator, only};

/// The root file's honest bytes and its download link.
async fn honest_download(client: &Client) -> (Bytes, String) {
    let file = client.root_file().await;
    let url = client.download_url(&file.id).await;
    let body = client
        .http
        .get(&url)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("body");
    assert!(body.len() > 20, "the root file has some bytes: {url}");
    (body, url)
}

fn content_length(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_LENGTH)
        .map(|value| value.to_str().expect("ASCII").parse().expect("a number"))
}

/// On each site: the root file's honest bytes, then `check` of its download under `case`.
async fn each_site(case: &str, check: impl AsyncFn(Site, reqwest::Response, Bytes)) {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let (honest, url) = honest_download(&client).await;
        only(&handle, Some(case)).await;
        let response = client.http.get(&url).send().await.expect("download");
        assert_eq!(response.status(), StatusCode::OK, "{site:?} {case}");
        check(site, response, honest).await;
    }
}

#[tokio::test]
async fn short_bodies_end_at_half_without_a_length() {
    each_site("body-short", async |site, response, honest| {
        assert_eq!(content_length(&response), None, "{site:?}");
        let body = response.bytes().await.expect("a clean end");
        assert_eq!(body[..], honest[..honest.len() / 2], "{site:?}");
    })
    .await;
}

#[tokio::test]
async fn long_bodies_go_64_kib_past_the_size_without_a_length() {
    each_site("body-long", async |site, response, honest| {
        assert_eq!(content_length(&response), None, "{site:?}");
        let body = response.bytes().await.expect("a clean end");
        assert_eq!(body.len(), honest.len() + 64 * 1024, "{site:?}");
        assert_eq!(body[..honest.len()], honest[..], "{site:?}");
    })
    .await;
}

#[tokio::test]
async fn endless_bodies_do_not_end() {
    each_site("body-endless", async |site, response, honest| {
        assert_eq!(content_length(&response), None, "{site:?}");
        let mut stream = response.bytes_stream();
        let mut received = Vec::new();
        while received.len() < honest.len() + 8 * 1024 * 1024 {
            let chunk = stream.next().await.expect("more bytes").expect("a chunk");
            received.extend_from_slice(&chunk);
        }
        assert_eq!(received[..honest.len()], honest[..], "{site:?}");
    })
    .await;
}

#[tokio::test]
async fn a_lying_length_promises_the_size_and_sends_half() {
    each_site("body-lying-length", async |site, response, honest| {
        assert_eq!(
            content_length(&response),
            Some(honest.len() as u64),
            "{site:?}"
        );
        let mut stream = response.bytes_stream();
        let mut received = Vec::new();
        let mut failed = false;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => received.extend_from_slice(&chunk),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "{site:?}: the body ended early without an error");
        assert_eq!(received[..], honest[..honest.len() / 2], "{site:?}");
    })
    .await;
}

#[tokio::test]
async fn a_consistent_length_can_still_differ_from_the_listed_size() {
    each_site("body-length-mismatch", async |site, response, honest| {
        let half = honest.len() / 2;
        assert_eq!(content_length(&response), Some(half as u64), "{site:?}");
        let body = response.bytes().await.expect("a clean end");
        assert_eq!(body[..], honest[..half], "{site:?}");
    })
    .await;
}
