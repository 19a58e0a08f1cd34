//! Uploads, dedupe by hash, and big folders paged up to the 50,000 limit.

use super::*;

#[tokio::test]
async fn uploads_and_dedupe() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let form = emu
        .ok(
            "getUploadFormData",
            json!({"auth_token": t, "parent_id": null}),
        )
        .await;
    assert_eq!(
        form["form_action"],
        format!("{}/keep2share/upload", emu.handle.base_url())
    );
    assert_eq!(form["file_field"], "file");
    assert_eq!(form["form_data"]["ajax"], true);
    assert!(form["form_data"]["params"].is_string());
    let signature = form["form_data"]["signature"].as_str().unwrap();
    assert!(signature.len() >= 32 && signature.bytes().all(|b| b.is_ascii_hexdigit()));

    // A forged signature is refused by the node.
    let (status, reply) = emu
        .post_to_node(&form, "x.bin", vec![1, 2, 3], Some("00ff"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply,
        json!({"status": "error", "success": false, "status_code": 403, "message": "Invalid signature"})
    );

    let bytes = random_bytes(6 << 20);
    let (status, reply) = emu
        .post_to_node(&form, "data.bin", bytes.clone(), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&String> = reply.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["status", "success", "status_code", "user_file_id", "link"]
    );
    assert_eq!(reply["success"], true);
    assert_eq!(reply["status_code"], 200);
    let id = reply["user_file_id"].as_str().unwrap().to_string();
    assert_eq!(reply["link"], format!("https://k2s.cc/file/{id}"));
    let info = emu
        .ok("getFilesInfo", json!({"auth_token": t, "ids": [id]}))
        .await;
    assert_eq!(info["files"][0]["md5"], md5_hex(&bytes));
    assert_eq!(info["files"][0]["size"], bytes.len());

    let md5 = md5_hex(&bytes);
    let found = emu
        .ok("findFile", json!({"auth_token": t, "md5": md5}))
        .await;
    assert_eq!(found["found"], true);
    let by_md5 = emu
        .ok("findByFullMd5Hash", json!({"auth_token": t, "md5": md5}))
        .await;
    assert_eq!(
        (by_md5["exists"].clone(), by_md5["md5"].clone()),
        (json!(true), json!(md5))
    );
    let head = emu
        .ok(
            "findByFirst5MbSha1Hash",
            json!({"auth_token": t, "sha1": sha1_hex(&bytes[..5 << 20])}),
        )
        .await;
    assert_eq!(head["exists"], true);
    let whole = emu
        .ok(
            "findByFirst5MbSha1Hash",
            json!({"auth_token": t, "sha1": sha1_hex(&bytes)}),
        )
        .await;
    assert_eq!(whole["exists"], false);
    let absent = emu
        .ok(
            "findFile",
            json!({"auth_token": t, "md5": md5_hex(b"never stored")}),
        )
        .await;
    assert_eq!(absent["found"], false);
    emu.fails("findFile", json!({"auth_token": t, "md5": "xyz"}), 400, 2)
        .await;
    emu.fails("findFile", json!({"md5": md5}), 403, 10).await;

    // Another account places a copy by hash, without sending bytes.
    let free = emu.free().await;
    let copy = emu
        .ok(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "copy.bin", "parent": "/", "access": "private"}),
        )
        .await;
    let copy_id = copy["id"].as_str().unwrap();
    assert_eq!(copy["link"], format!("https://k2s.cc/file/{copy_id}"));
    let url = emu
        .ok("getUrl", json!({"auth_token": free, "file_id": copy_id}))
        .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(md5_hex(&emu.get(&url).await.bytes().await.unwrap()), md5);
    let reply = emu
        .fails(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "ab", "parent": "0000000000000", "access": "secret"}),
            406,
            62,
        )
        .await;
    assert_eq!(reply["message"], "Error copy file");
    assert_eq!(
        reply["errors"],
        json!([
            "Destination directory was not found",
            "Name is too short (minimum is 3 characters).",
            "Access is not in the list.",
        ])
    );
    emu.fails(
        "createFileByHash",
        json!({"auth_token": free, "hash": md5_hex(b"unknown"), "name": "abc"}),
        406,
        20,
    )
    .await;
    // Deleting the original keeps the copy's bytes.
    emu.ok("deleteFiles", json!({"auth_token": t, "ids": [id]}))
        .await;
    assert_eq!(md5_hex(&emu.get(&url).await.bytes().await.unwrap()), md5);

    // The disk quota: the node and createFileByHash refuse past it.
    emu.settings(json!({"disk_quota": 7 << 20})).await;
    let form = emu
        .ok("getUploadFormData", json!({"auth_token": free}))
        .await;
    let (status, reply) = emu
        .post_to_node(&form, "more.bin", random_bytes(2 << 20), None)
        .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(reply["message"], "Disk quota exceeded");
    assert_eq!(reply["status_code"], 406);
    let reply = emu
        .fails(
            "createFileByHash",
            json!({"auth_token": free, "hash": md5, "name": "again.bin"}),
            406,
            64,
        )
        .await;
    assert_eq!(reply["message"], "Disk quota exceeded");
}

#[tokio::test]
async fn big_folders_page_and_stop_at_fifty_thousand() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let folder = emu
        .ok("createFolder", json!({"auth_token": t, "name": "Big"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.fill("k2s", &folder, 25_000).await;
    let mut seen = std::collections::HashSet::new();
    let mut pages = Vec::new();
    loop {
        let page = emu
            .list(
                &t,
                json!({"parent": folder, "limit": 10_000, "offset": seen.len()}),
            )
            .await;
        pages.push(page.len());
        for item in &page {
            assert!(seen.insert(item["id"].as_str().unwrap().to_string()));
        }
        if page.len() < 10_000 {
            break;
        }
    }
    assert_eq!(pages, [10_000, 10_000, 5_000]);
    assert_eq!(emu.list(&t, json!({"parent": folder})).await.len(), 100);

    emu.fill("k2s", &folder, 24_999).await;
    emu.ok(
        "createFolder",
        json!({"auth_token": t, "name": "last", "parent": folder}),
    )
    .await;
    let reply = emu
        .fails(
            "createFolder",
            json!({"auth_token": t, "name": "one more", "parent": folder}),
            406,
            61,
        )
        .await;
    assert_eq!(reply["message"], "Limit files in specified folder reached");
    emu.fails(
        "getUploadFormData",
        json!({"auth_token": t, "parent_id": folder}),
        406,
        61,
    )
    .await;
    let hash = md5_hex(b"");
    emu.fails(
        "createFileByHash",
        json!({"auth_token": t, "hash": hash, "name": "more.txt", "parent": folder}),
        406,
        61,
    )
    .await;
    let readme = id_named(&emu.list(&t, json!({})).await, "readme.txt");
    emu.fails(
        "updateFile",
        json!({"auth_token": t, "id": readme, "new_parent": folder}),
        406,
        61,
    )
    .await;
}
