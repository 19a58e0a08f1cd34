//! Ranged downloads and HEAD, and every fault knob.

use super::*;

#[tokio::test]
async fn downloads_serve_ranges_and_head() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let reply = emu.upload(&s, "data.bin", content.clone(), "").await;
    let file_id = reply["data"][0]["file_id"].as_str().unwrap().to_string();
    let short = reply["data"][0]["short_url"].as_str().unwrap().to_string();

    let reply = emu.act(&s, "file/download", &[("file_id", &file_id)]).await;
    assert_success(&reply);
    assert_eq!(reply["data"]["file_id"], file_id.as_str());
    assert_eq!(reply["data"]["filename"], "data.bin");
    let url = reply["data"]["download_url"].as_str().unwrap().to_string();
    let prefix = format!(
        "{}/yetishare/{short}?download_token=",
        emu.handle.base_url()
    );
    let token = url.strip_prefix(&prefix).expect("download_url shape");
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_error(
        &emu.act(&s, "file/download", &[]).await,
        "Please provide the file_id param.",
    );

    let full = emu.http.get(&url).send().await.unwrap();
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-length"], "300000");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    assert_eq!(full.bytes().await.unwrap(), content);

    let get_range = |range: &'static str| emu.http.get(&url).header("Range", range).send();
    let part = get_range("bytes=10-19").await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/300000");
    assert_eq!(part.bytes().await.unwrap(), &content[10..20]);
    let tail = get_range("bytes=-5").await.unwrap();
    assert_eq!(
        tail.headers()["content-range"],
        "bytes 299995-299999/300000"
    );
    assert_eq!(tail.bytes().await.unwrap(), &content[299_995..]);
    let rest = get_range("bytes=299000-").await.unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.bytes().await.unwrap(), &content[299_000..]);
    let beyond = get_range("bytes=300000-").await.unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], "bytes */300000");

    let head = emu.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "300000");
    assert!(head.bytes().await.unwrap().is_empty());

    let base = format!("{}/yetishare/{short}", emu.handle.base_url());
    let forbidden = emu
        .http
        .get(format!("{base}?download_token={}", "0".repeat(64)))
        .send();
    assert_eq!(forbidden.await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        emu.http.get(&base).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let missing = format!(
        "{}/yetishare/zzzzzz?download_token={token}",
        emu.handle.base_url()
    );
    assert_eq!(
        emu.http.get(missing).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Only the download from the first byte was counted.
    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["downloads"], "1");
}

#[tokio::test]
async fn fail_every_answers_429_with_retry_after() {
    let emu = emulator(false).await;
    let faults = json!({ "fail_every": 2, "fail_status": 429, "retry_after_secs": 7 });
    let set = emu
        .http
        .post(format!("{}/__emulator/faults", emu.handle.base_url()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);

    let authorize = || {
        emu.http
            .post(format!("{}/authorize", emu.api))
            .form(&[("key1", PREMIUM_KEY1), ("key2", PREMIUM_KEY2)])
            .send()
    };
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
    let failed = authorize().await.unwrap();
    assert_eq!(failed.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(failed.headers()["retry-after"], "7");
    assert!(failed.text().await.unwrap().contains("429"));
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);

    // The test API itself is neither faulted nor counted.
    let stats: Value = emu
        .http
        .get(format!("{}/__emulator/stats", emu.handle.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 3);
    assert_eq!(stats["by_route"]["yetishare/authorize"], 3);
    assert_eq!(stats["tokens_issued"], 2);

    emu.handle.set_faults(Faults::default());
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
    assert_eq!(authorize().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn cut_body_after_ends_a_download_early() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let reply = emu.upload(&s, "cut.bin", vec![1u8; 100_000], "").await;
    let url = emu
        .download_url(&s, reply["data"][0]["file_id"].as_str().unwrap())
        .await;
    emu.handle.set_faults(Faults {
        cut_body_after: Some(1000),
        ..Faults::default()
    });
    let response = emu.http.get(&url).send().await.unwrap();
    assert_eq!(response.headers()["content-length"], "100000");
    match response.bytes().await {
        Ok(body) => assert!(body.len() < 100_000, "got {} bytes", body.len()),
        Err(error) => assert!(error.is_body() || error.is_decode(), "{error}"),
    }
}

#[tokio::test]
async fn expire_tokens_after_counts_authenticated_requests() {
    let emu = emulator(false).await;
    emu.handle.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Faults::default()
    });
    let s = emu.login().await;
    assert_success(&emu.act(&s, "account/info", &[]).await);
    assert_success(&emu.act(&s, "folder/listing", &[]).await);
    assert_error(&emu.act(&s, "account/info", &[]).await, INVALID_TOKEN);
    let fresh = emu.login().await;
    assert_success(&emu.act(&fresh, "account/info", &[]).await);
}

#[tokio::test]
async fn max_in_flight_sees_parallel_requests() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let reset = emu
        .http
        .post(format!("{}/__emulator/stats/reset", emu.handle.base_url()));
    assert_eq!(reset.send().await.unwrap().status(), StatusCode::OK);
    emu.handle.set_faults(Faults {
        latency_ms: 200,
        ..Faults::default()
    });
    let calls = (0..4).map(|_| emu.act(&s, "account/info", &[]));
    for reply in futures::future::join_all(calls).await {
        assert_success(&reply);
    }
    let stats = emu.handle.stats();
    assert_eq!(stats["requests"], 4);
    assert_eq!(stats["max_in_flight"], 4);
    assert_eq!(stats["in_flight"], 0);
    assert_eq!(stats["by_route"], json!({ "yetishare/account/info": 4 }));
}
