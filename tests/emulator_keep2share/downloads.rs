//! The free download flow, one download at a time for free users, direct links and ranges.

use super::*;

#[tokio::test]
async fn the_free_download_flow() {
    let emu = emulator().await;
    emu.settings(json!({"free_wait_ms": 400})).await;
    let free = emu.free().await;
    let info = emu
        .ok(
            "getFilesInfo",
            json!({"auth_token": free, "ids": [SHARED_FILE_ID, "0000000000000"]}),
        )
        .await;
    let files = info["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "unknown ids are simply absent");
    assert_eq!(files[0]["name"], SHARED_FILE_NAME);
    assert_eq!(files[0]["isAvailableForFree"], true);
    assert!(files[0].get("md5").is_none(), "md5 is for the owner only");

    let probe = json!({"auth_token": free, "file_id": SHARED_FILE_ID});
    let reply = emu.fails("getUrl", probe.clone(), 406, 30).await;
    assert_eq!(
        reply["message"],
        "You need send request for free download with captcha fields"
    );
    let challenge = emu.ok("requestCaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    let mut with_captcha = probe.clone();
    with_captcha["captcha_challenge"] = json!(id);
    with_captcha["captcha_response"] = json!("zzzzzz");
    with_captcha["free_download_key"] = Value::Null;
    emu.fails("getUrl", with_captcha.clone(), 406, 31).await;
    with_captcha["captcha_response"] = json!(emu.answer(id).await);
    let (_, text, granted) = emu.raw("getUrl", &with_captcha).await;
    let keys: Vec<&String> = granted.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "status",
            "code",
            "message",
            "free_download_key",
            "time_wait"
        ],
        "{text}"
    );
    assert_eq!(granted["message"], "Captcha accepted, please wait");
    assert_eq!(granted["time_wait"], 1);
    let key = granted["free_download_key"].as_str().unwrap();

    let mut with_key = probe.clone();
    with_key["free_download_key"] = json!(key);
    with_key["captcha_challenge"] = Value::Null;
    let reply = emu.fails("getUrl", with_key.clone(), 406, 41).await;
    assert_eq!(reply["message"], "Need wait for free");
    let mut bad_key = with_key.clone();
    bad_key["free_download_key"] = json!("0123456789abcdef");
    emu.fails("getUrl", bad_key, 406, 40).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let url = emu.ok("getUrl", with_key.clone()).await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("rate_limit=51200"), "{url}");
    // The key serves several links for a while.
    emu.ok("getUrl", with_key).await;
    let response = emu.get(&url).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"Keep2Share emulator sample, line 00001"));
    let premium = emu.premium().await;
    let owner_view = emu
        .ok(
            "getFilesInfo",
            json!({"auth_token": premium, "ids": [SHARED_FILE_ID]}),
        )
        .await;
    assert_eq!(owner_view["files"][0]["md5"], md5_hex(&bytes));

    // Anonymous callers take the same path.
    emu.settings(json!({"free_wait_ms": 0})).await;
    let anonymous = emu.free_url(None, SHARED_FILE_ID).await;
    assert!(anonymous.contains("user_id=0"));

    // Files over the free size limit are refused with sub-code 3.
    emu.settings(json!({"free_wait_ms": 0, "free_max_file_size": 1000}))
        .await;
    let reply = emu.fails("getUrl", probe, 406, 21).await;
    assert_eq!(reply["errors"][0]["code"], 3);
    assert_eq!(
        reply["errors"][0]["message"],
        "Free user can't download large files. Upgrade to PREMIUM and forget about limits."
    );
}

#[tokio::test]
async fn free_users_download_one_file_at_a_time() {
    let emu = emulator().await;
    emu.settings(json!({"free_wait_ms": 0})).await;
    let premium = emu.premium().await;
    // Big enough that the body can't sit in socket buffers all at once.
    let big = emu
        .upload(&premium, SHARED_FOLDER_ID, "big.bin", vec![7u8; 48 << 20])
        .await;
    let big_id = big["user_file_id"].as_str().unwrap();
    let free = emu.free().await;
    let big_url = emu.free_url(Some(&free), big_id).await;
    let second_url = emu.free_url(Some(&free), SHARED_FILE_ID).await;

    let mut first = emu.get(&big_url).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.chunk().await.unwrap().is_some());
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": SHARED_FILE_ID}),
            406,
            42,
        )
        .await;
    assert_eq!(reply["message"], "Download not available");
    assert_eq!(reply["errors"][0]["code"], 6);
    let page = emu.get(&second_url).await;
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains(
        "Your current tariff doesn't allow to download more files then you are downloading now"
    ));
    // Premium downloads in parallel as it likes.
    let premium_url = emu
        .ok("getUrl", json!({"auth_token": premium, "file_id": big_id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(premium_url.contains("rate_limit=0"));
    let mut one = emu.get(&premium_url).await;
    let two = emu.get(&premium_url).await;
    assert_eq!(two.status(), StatusCode::OK);
    assert!(one.chunk().await.unwrap().is_some());
    drop((one, two));

    // Once the first download ends, the next one may start.
    drop(first);
    let mut freed = false;
    for _ in 0..100 {
        let probe = json!({"auth_token": free, "file_id": SHARED_FILE_ID});
        if emu.raw("getUrl", &probe).await.2["errorCode"] == 30 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "the slot is released when the body is dropped");
    let page = emu.get(&second_url).await;
    assert_eq!(page.headers()[CONTENT_TYPE], "text/plain");
}

#[tokio::test]
async fn direct_links_serve_ranges_and_expire() {
    let emu = emulator().await;
    let premium = emu.premium().await;
    let url = emu
        .ok(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FILE_ID}),
        )
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&format!("{}/keep2share/prx/", emu.handle.base_url())));
    assert!(url.contains("temp_url_sig=") && url.contains("temp_url_expires="));
    assert!(url.ends_with(&format!("name={SHARED_FILE_NAME}")));
    let whole = emu.get(&url).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert!(
        whole.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with(&format!("attachment; filename=\"{SHARED_FILE_NAME}\""))
    );
    let bytes = whole.bytes().await.unwrap();
    let len = bytes.len();

    let part = emu
        .http
        .get(&url)
        .header(RANGE, "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[CONTENT_RANGE], format!("bytes 10-19/{len}"));
    assert_eq!(part.bytes().await.unwrap(), bytes[10..20]);
    let tail = emu
        .http
        .get(&url)
        .header(RANGE, "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.bytes().await.unwrap(), bytes[len - 5..]);
    let beyond = emu
        .http
        .get(&url)
        .header(RANGE, format!("bytes={len}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()[CONTENT_RANGE], format!("bytes */{len}"));
    let head = emu.http.head(&url).send().await.unwrap();
    assert_eq!(head.headers()["content-length"], len.to_string());

    let forged = url.replace("user_id=", "user_id=1");
    assert_eq!(emu.get(&forged).await.status(), StatusCode::UNAUTHORIZED);
    emu.settings(json!({"download_url_lifetime_secs": 0})).await;
    let expired = emu
        .ok(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FILE_ID}),
        )
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let response = emu.get(&expired).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    emu.settings(json!({})).await;

    // getUrl's file errors.
    emu.fails("getUrl", json!({"auth_token": premium}), 400, 2)
        .await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": premium, "file_id": "0000000000000"}),
            406,
            20,
        )
        .await;
    assert_eq!(reply["message"], "File not found");
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": premium, "file_id": SHARED_FOLDER_ID}),
            406,
            23,
        )
        .await;
    assert_eq!(reply["message"], "file_id is folder");
    // Private and premium-only files for others.
    let root = emu.list(&premium, json!({})).await;
    let readme = id_named(&root, "readme.txt");
    emu.ok(
        "updateFile",
        json!({"auth_token": premium, "id": readme, "new_access": "private"}),
    )
    .await;
    let free = emu.free().await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": readme}),
            406,
            21,
        )
        .await;
    assert_eq!(reply["errors"][0]["code"], 8);
    emu.ok(
        "updateFile",
        json!({"auth_token": premium, "id": readme, "new_access": "premium"}),
    )
    .await;
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": free, "file_id": readme}),
            406,
            21,
        )
        .await;
    assert_eq!(reply["errors"][0]["code"], 7);
    // A free account gets its own files at once.
    let own = id_named(&emu.list(&free, json!({})).await, "readme.txt");
    let url = emu
        .ok("getUrl", json!({"auth_token": free, "file_id": own}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("rate_limit=0"));
}
