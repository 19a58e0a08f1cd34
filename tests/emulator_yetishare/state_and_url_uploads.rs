//! Persistence, the demo seed, the handle, and URL uploads from loopback.

use super::*;

#[tokio::test]
async fn data_survives_a_restart() {
    let data = TempDir::new().unwrap();
    let first = attach(start_in(data.path(), true).await);
    let s = first.login().await;
    let seeded = first.listing(&s, "").await;
    let folder = first
        .act(&s, "folder/create", &[("folder_name", "Kept")])
        .await;
    let folder_id = folder["data"]["id"].as_str().unwrap().to_string();
    let upload = first
        .upload(&s, "kept.txt", b"still here".to_vec(), &folder_id)
        .await;
    let file_id = upload["data"][0]["file_id"].as_str().unwrap().to_string();
    // The metadata is saved right after a change, without waiting for a shutdown.
    let metadata = data.path().join("yetishare").join("metadata.json");
    let mut saved = String::new();
    for _ in 0..100 {
        saved = std::fs::read_to_string(&metadata).unwrap_or_default();
        if saved.contains("kept.txt") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(saved.contains("kept.txt"), "metadata not saved: {saved}");
    first.handle.shutdown().await;

    let second = attach(start_in(data.path(), true).await);
    let s = second.login().await;
    let root = second.listing(&s, "").await;
    // Not seeded twice.
    assert_eq!(names(&root["files"], "id"), names(&seeded["files"], "id"));
    assert_eq!(
        root["folders"].as_array().unwrap().len(),
        seeded["folders"].as_array().unwrap().len() + 1
    );
    let inside = second.listing(&s, &folder_id).await;
    assert_eq!(names(&inside["files"], "id"), [file_id.as_str()]);
    let url = second.download_url(&s, &file_id).await;
    assert_eq!(
        &second
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        b"still here"
    );
    let next = second.upload(&s, "next.txt", b"x".to_vec(), "").await;
    let next_id: u64 = next["data"][0]["file_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        next_id > file_id.parse::<u64>().unwrap(),
        "ids are not reused"
    );
}

#[tokio::test]
async fn the_demo_tree_seeds_both_accounts() {
    let emu = emulator(true).await;
    for (key1, key2) in [(PREMIUM_KEY1, PREMIUM_KEY2), (FREE_KEY1, FREE_KEY2)] {
        let s = emu.login_with(key1, key2).await;
        let root = emu.listing(&s, "").await;
        assert_eq!(
            names(&root["folders"], "folderName"),
            ["Documents", "Music", "Photos"]
        );
        assert_eq!(names(&root["files"], "filename"), ["readme.txt"]);
        let photos = root["folders"][2]["id"].as_str().unwrap().to_string();
        let inside = emu.listing(&s, &photos).await;
        assert_eq!(names(&inside["folders"], "folderName"), ["Holiday 2024"]);
        assert_eq!(inside["files"][0]["filename"], "haul-icon.png");
        assert_eq!(inside["files"][0]["fileType"], "image/png");
        let url = emu
            .download_url(&s, inside["files"][0]["id"].as_str().unwrap())
            .await;
        let png = emu
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

#[tokio::test]
async fn handle_lists_the_accounts() {
    let emu = emulator(false).await;
    let accounts: Vec<_> = emu
        .handle
        .accounts()
        .into_iter()
        .filter(|a| a.provider == "yetishare")
        .collect();
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ys", "ys-free"]);
    for account in &accounts {
        assert_eq!(account.provider, "yetishare");
        assert_eq!(account.base_url, emu.api);
        let (key1, key2) = account.secret.split_once(':').unwrap();
        assert_eq!((key1.len(), key2.len()), (64, 64));
        emu.login_with(key1, key2).await;
    }
    assert_eq!(accounts[0].username.as_deref(), Some("demo"));
    assert_eq!(accounts[1].description, "free");
}

async fn wait_for_job(emu: &Emulator, s: &Session, id: &str) -> Value {
    for _ in 0..200 {
        let reply = emu
            .act(s, "file/url_upload_status", &[("scheduled_item_id", id)])
            .await;
        assert_success(&reply);
        if matches!(
            reply["data"]["status"].as_str(),
            Some("complete" | "failed")
        ) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("URL upload {id} did not finish");
}

#[tokio::test]
async fn url_uploads_fetch_from_loopback() {
    let content: &'static [u8] = b"fetched by the emulator";
    let source = common::file_server("/files/{name}", content.to_vec()).await;
    let emu = emulator(false).await;
    let s = emu.login().await;
    let url = format!("http://{source}/files/remote%20file.txt");
    let encoded = STANDARD.encode(&url);
    let added = emu
        .act(&s, "file/url_upload_add", &[("file_url_base64", &encoded)])
        .await;
    assert_success(&added);
    assert_eq!(added["response"], "File download from URL scheduled");
    assert_eq!(added["data"]["url"], url.as_str());
    let id = added["data"]["scheduled_item_id"].as_u64().expect("an int");

    let done = wait_for_job(&emu, &s, &id.to_string()).await;
    assert_eq!(done["response"], "Scheduled URL file download found");
    let data = &done["data"];
    assert_eq!(data["status"], "complete", "{done}");
    assert_eq!(data["scheduled_item_id"], id);
    assert_eq!(data["total_size"], content.len());
    assert_datetime(&data["created"]);
    assert_datetime(&data["finished"]);
    let file = &data["downloaded_file"];
    assert_eq!(file["name"], "remote file.txt");
    assert_eq!(file["size"], content.len());
    let file_id = file["file_id"].as_u64().expect("an int");
    let root = emu.listing(&s, "").await;
    assert_eq!(names(&root["files"], "id"), [file_id.to_string()]);
    let download = emu.download_url(&s, &file_id.to_string()).await;
    assert_eq!(
        &emu.http
            .get(download)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        content
    );

    let missing = STANDARD.encode(format!("http://{source}/nothing/here"));
    let added = emu
        .act(&s, "file/url_upload_add", &[("file_url_base64", &missing)])
        .await;
    let failed_id = added["data"]["scheduled_item_id"].to_string();
    assert_eq!(
        wait_for_job(&emu, &s, &failed_id).await["data"]["status"],
        "failed"
    );

    assert_error(
        &emu.act(&s, "file/url_upload_add", &[]).await,
        "Please provide the file_url_base64 param.",
    );
    assert_error(
        &emu.act(&s, "file/url_upload_add", &[("file_url_base64", "***")])
            .await,
        "Could not parse the file_url_base64 parameter. Ensure it's base64 encoded.",
    );
    assert_error(
        &emu.act(&s, "file/url_upload_status", &[]).await,
        "Please provide the scheduled_item_id param.",
    );
    assert_error(
        &emu.act(
            &s,
            "file/url_upload_status",
            &[("scheduled_item_id", "9999")],
        )
        .await,
        "Could not find scheduled item.",
    );
}
