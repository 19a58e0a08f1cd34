//! Remote uploads from loopback, stats and faults, seeded accounts, and persistence.

use super::*;

#[tokio::test]
async fn remote_uploads_fetch_from_loopback() {
    static BODY: &[u8] = b"fetched by the emulator itself\n";
    let emu = emulator().await;
    let t = emu.premium().await;
    let source = common::file_server("/files/{name}", BODY.to_vec()).await;
    let good = format!("http://{source}/files/remote%20file.txt");
    let missing = format!("http://{source}/nothing/here");
    let reply = emu
        .ok(
            "RemoteUploadAdd",
            json!({"auth_token": t, "urls": [good, missing, "not a url"]}),
        )
        .await;
    let accepted = reply["acceptedUrls"].as_array().unwrap();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0]["url"], good);
    let good_id = accepted[0]["id"].as_str().unwrap().to_string();
    let missing_id = accepted[1]["id"].as_str().unwrap().to_string();
    assert!(good_id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        reply["rejectedUrls"],
        json!([{"url": "not a url", "message": "Invalid url"}])
    );

    let mut done = Value::Null;
    for _ in 0..200 {
        let status = emu
            .ok(
                "remoteUploadStatus",
                json!({"auth_token": t, "ids": [good_id, missing_id, "1"]}),
            )
            .await;
        let uploads = &status["uploads"];
        if uploads[&good_id]["status"] == 3 && uploads[&missing_id]["status"] == 4 {
            done = uploads.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(done.as_object().map(|map| map.len()), Some(2), "{done}");
    assert_eq!(done[&good_id]["progress"], 100);
    assert!(done[&missing_id]["file_id"].is_null());
    let file_id = done[&good_id]["file_id"].as_str().unwrap();
    let info = emu
        .ok("getFilesInfo", json!({"auth_token": t, "ids": [file_id]}))
        .await;
    assert_eq!(info["files"][0]["name"], "remote file.txt");
    assert_eq!(info["files"][0]["md5"], md5_hex(BODY));
    // Another account doesn't see the jobs.
    let free = emu.free().await;
    let other = emu
        .ok(
            "remoteUploadStatus",
            json!({"auth_token": free, "ids": [good_id]}),
        )
        .await;
    assert_eq!(other["uploads"], json!({}));
}

#[tokio::test]
async fn stats_and_faults_cover_the_routes() {
    let emu = emulator().await;
    let t = emu.premium().await;
    emu.list(&t, json!({})).await;
    emu.ok("GETFILESLIST", json!({"auth_token": t})).await;
    emu.raw("bogus", &json!({})).await;
    let stats = emu.handle.stats();
    assert_eq!(stats["by_route"]["keep2share/login"], 1);
    assert_eq!(stats["by_route"]["keep2share/getFilesList"], 2);
    assert_eq!(stats["by_route"]["keep2share/unknown"], 1);
    assert_eq!(stats["tokens_issued"], 1);

    emu.handle.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(7),
        ..Faults::default()
    });
    let response = emu
        .http
        .post(format!("{}/test", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    // The test hooks are never faulted.
    emu.settings(json!({})).await;
    emu.handle.set_faults(Faults::default());
}

#[tokio::test]
async fn accounts_and_seeded_ids_repeat() {
    let first = emulator().await;
    let accounts = first.handle.accounts();
    let k2s: Vec<_> = accounts
        .iter()
        .filter(|account| account.provider == "keep2share")
        .collect();
    assert_eq!(
        k2s.len(),
        2,
        "the login-captcha account is not a demo account"
    );
    assert_eq!(k2s[0].name, "k2s");
    assert_eq!(k2s[0].username.as_deref(), Some(PREMIUM_USERNAME));
    assert_eq!(k2s[0].secret, PREMIUM_PASSWORD);
    assert_eq!(k2s[0].base_url, first.api);
    assert_eq!(k2s[1].name, "k2s-free");
    assert_eq!(k2s[1].secret, FREE_PASSWORD);
    assert!(k2s[1].description.contains(SHARED_FILE_ID));

    let second = emulator().await;
    let t1 = first.premium().await;
    let t2 = second.premium().await;
    let ids = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(first.list(&t1, json!({})).await),
        ids(second.list(&t2, json!({})).await)
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let data = TempDir::new().unwrap();
    let emu = attach(start_in(data.path(), true).await);
    let t = emu.premium().await;
    let folder = emu
        .ok("createFolder", json!({"auth_token": t, "name": "Kept"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bytes = random_bytes(100_000);
    let uploaded = emu.upload(&t, &folder, "kept.bin", bytes.clone()).await;
    let id = uploaded["user_file_id"].as_str().unwrap().to_string();
    let url = emu
        .ok("getUrl", json!({"auth_token": t, "file_id": id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let form = emu.ok("getUploadFormData", json!({"auth_token": t})).await;
    emu.handle.shutdown().await;

    let emu = attach(start_in(data.path(), true).await);
    emu.fails("getBalance", json!({"auth_token": t}), 403, 10)
        .await;
    let t = emu.premium().await;
    let listed = emu.list(&t, json!({"parent": folder})).await;
    assert_eq!(names(&listed), ["kept.bin"]);
    assert_eq!(listed[0]["md5"], md5_hex(&bytes));
    // Links and upload forms from before the restart still work (the secret is kept).
    let to_port = |url: &str| {
        let rest = url.split_once("/keep2share/").unwrap().1;
        format!("{}/keep2share/{rest}", emu.handle.base_url())
    };
    let response = emu.get(&to_port(&url)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), bytes);
    let mut form = form;
    form["form_action"] = json!(to_port(form["form_action"].as_str().unwrap()));
    let (status, _) = emu
        .post_to_node(&form, "after.bin", vec![1; 10], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The demo tree is not seeded twice.
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        root.iter().filter(|item| item["name"] == "Shared").count(),
        1
    );
    emu.handle.shutdown().await;
}
