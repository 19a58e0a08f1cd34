//! The emulator's network over real HTTP: latency before every answer, bodies paced per
//! connection (both ways), and the cap on parallel downloads of one file.

#[path = "../emulator_clients/mod.rs"]
mod clients;
#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use clients::{Client, SITES, Site, emulator, set_faults, stats};
use haul::emulator::EmulatorHandle;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, RANGE, RETRY_AFTER};
use serde_json::{Value, json};

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn latency_adds_about_n_ms_to_api_calls_and_downloads() {
    let (handle, _data) = emulator().await;
    let ys = Client::new(&handle, Site::YetiShare).await;
    let file = ys.root_file().await;
    let url = ys.download_url(&file.id).await;
    let timed = |what: &'static str| {
        let ys = &ys;
        let url = url.clone();
        async move {
            let start = Instant::now();
            let status = match what {
                "api" => ys.call("account/info", &[]).await.status(),
                _ => ys.http.get(&url).send().await.expect("download").status(),
            };
            assert_eq!(status, StatusCode::OK);
            start.elapsed()
        }
    };
    let (api_before, download_before) = (timed("api").await, timed("download").await);
    // The former name of the knob still works through the faults API.
    set_faults(&handle, json!({"delay_ms": 150})).await;
    assert_eq!(handle_faults(&handle).await["latency_ms"], 150);
    for (what, before) in [("api", api_before), ("download", download_before)] {
        let after = timed(what).await;
        assert!(
            after >= Duration::from_millis(150),
            "{what}: {after:?} with 150 ms of latency"
        );
        assert!(
            after < before + Duration::from_millis(150 + 250),
            "{what}: {after:?}, was {before:?} without latency"
        );
    }
}

async fn handle_faults(handle: &EmulatorHandle) -> Value {
    reqwest::get(format!("{}/__emulator/faults", handle.base_url()))
        .await
        .expect("faults")
        .json()
        .await
        .expect("faults JSON")
}

#[tokio::test]
async fn a_capped_connection_takes_twice_as_long_as_two_parallel_halves() {
    let (handle, _data) = emulator().await;
    let bytes = common::pattern(4 * MIB, 7);
    let id =
        common::raw_yetishare_upload(&common::account(&handle, "ys"), "four.bin", &bytes).await;
    let ys = Client::new(&handle, Site::YetiShare).await;
    let url = ys.download_url(&id).await;
    set_faults(&handle, json!({"rate_per_conn": 2 * MIB})).await;

    let start = Instant::now();
    let whole = ys.http.get(&url).send().await.expect("download");
    assert_eq!(whole.headers()[CONTENT_LENGTH], "4194304");
    assert!(whole.bytes().await.expect("body") == bytes);
    let one_connection = start.elapsed();

    let half = |range: &'static str| {
        let http = reqwest::Client::new();
        let url = url.clone();
        async move {
            let response = http
                .get(&url)
                .header(RANGE, range)
                .send()
                .await
                .expect("range");
            assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
            response.bytes().await.expect("body")
        }
    };
    let start = Instant::now();
    let (first, second) = tokio::join!(half("bytes=0-2097151"), half("bytes=2097152-"));
    let two_connections = start.elapsed();
    assert!(first[..] == bytes[..2 * MIB] && second[..] == bytes[2 * MIB..]);

    assert!(
        (1800..2700).contains(&one_connection.as_millis()),
        "4 MiB at 2 MiB/s took {one_connection:?}"
    );
    assert!(
        (900..1600).contains(&two_connections.as_millis()),
        "two 2 MiB halves in parallel took {two_connections:?}"
    );
}

#[tokio::test]
async fn uploads_are_paced_per_connection_too() {
    let (handle, _data) = emulator().await;
    let account = common::account(&handle, "ys");
    let bytes = common::pattern(MIB, 3);
    let start = Instant::now();
    common::raw_yetishare_upload(&account, "free.bin", &bytes).await;
    let unpaced = start.elapsed();
    set_faults(&handle, json!({"rate_per_conn": MIB})).await;
    let start = Instant::now();
    let id = common::raw_yetishare_upload(&account, "paced.bin", &bytes).await;
    let paced = start.elapsed();
    assert!(
        paced >= Duration::from_millis(900),
        "1 MiB at 1 MiB/s took {paced:?}"
    );
    assert!(paced > unpaced * 2, "paced {paced:?}, unpaced {unpaced:?}");
    set_faults(&handle, json!({})).await;
    let ys = Client::new(&handle, Site::YetiShare).await;
    let url = ys.download_url(&id).await;
    let stored = ys.http.get(&url).send().await.expect("download");
    assert!(stored.bytes().await.expect("body") == bytes);
}

/// On one site, the download links of the root's file and of a file in Documents.
async fn two_links(handle: &EmulatorHandle, site: Site) -> (String, String) {
    let client = Client::new(handle, site).await;
    let file = client.root_file().await;
    let documents = client.root_folder("Documents").await;
    let other = client
        .entries(Some(&documents.id))
        .await
        .into_iter()
        .find(|entry| !entry.is_folder)
        .expect("a file in Documents");
    (
        client.download_url(&file.id).await,
        client.download_url(&other.id).await,
    )
}

/// Two downloads of a file are let through, the third is refused with the cap's status and
/// `Retry-After: 1`, another file is not affected, and a slot frees once a download ends.
async fn the_cap_holds(links: (String, String), status: StatusCode) {
    let (url, other_url) = links;
    // Each download on its own connection, as separate clients would.
    let get = |url: &str| {
        let url = url.to_string();
        async move {
            reqwest::Client::new()
                .get(url)
                .send()
                .await
                .expect("download")
        }
    };
    let first = get(&url).await;
    let second = get(&url).await;
    assert_eq!(first.status(), StatusCode::OK, "{url}");
    assert_eq!(second.status(), StatusCode::OK, "{url}");
    let third = get(&url).await;
    assert_eq!(
        third.status(),
        status,
        "{url}: the third download of one file"
    );
    assert_eq!(third.headers()[RETRY_AFTER], "1", "{url}");
    let unaffected = get(&other_url).await;
    assert_eq!(
        unaffected.status(),
        StatusCode::OK,
        "{other_url}: another file"
    );
    drop(unaffected);
    let length = first.bytes().await.expect("first body").len();
    assert_eq!(second.bytes().await.expect("second body").len(), length);
    let again = get(&url).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "{url}: after the first two ended"
    );
}

/// A pace that keeps the root files (404 bytes on YetiShare and Keep2Share, 81 on
/// XFileSharing) in flight for a while; set after the links are fetched, since API replies
/// are paced too.
const SLOW: u64 = 200;

#[tokio::test]
async fn past_n_downloads_of_one_file_are_refused_on_every_site() {
    let (handle, _data) = emulator().await;
    let links = futures::future::join_all(SITES.map(|site| two_links(&handle, site))).await;
    set_faults(
        &handle,
        json!({"max_conns_per_file": 2, "rate_per_conn": SLOW}),
    )
    .await;
    let checks = links
        .into_iter()
        .map(|links| the_cap_holds(links, StatusCode::SERVICE_UNAVAILABLE));
    futures::future::join_all(checks).await;
    let stats = stats(&handle).await;
    assert_eq!(stats["max_conns_per_file_seen"], 2, "{stats}");
    assert_eq!(stats["refused_conns_per_file"], 3, "{stats}");
}

#[tokio::test]
async fn the_refusal_status_can_be_429() {
    let (handle, _data) = emulator().await;
    let links = two_links(&handle, Site::YetiShare).await;
    set_faults(
        &handle,
        json!({"max_conns_per_file": 2, "max_conns_status": 429, "rate_per_conn": SLOW}),
    )
    .await;
    the_cap_holds(links, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn without_a_cap_the_peak_is_still_counted() {
    let (handle, _data) = emulator().await;
    let ys = Client::new(&handle, Site::YetiShare).await;
    let file = ys.root_file().await;
    let url = ys.download_url(&file.id).await;
    set_faults(&handle, json!({"rate_per_conn": 1000})).await;
    let downloads = (0..3).map(|_| {
        let url = url.clone();
        async move {
            let response = reqwest::get(url).await.expect("download");
            assert_eq!(response.status(), StatusCode::OK);
            response.bytes().await.expect("body").len()
        }
    });
    let lengths = futures::future::join_all(downloads).await;
    assert!(lengths.iter().all(|&len| len == lengths[0] && len > 0));
    let stats = stats(&handle).await;
    assert_eq!(stats["max_conns_per_file_seen"], 3, "{stats}");
    assert_eq!(stats["refused_conns_per_file"], 0, "{stats}");
}

mod command_line;
