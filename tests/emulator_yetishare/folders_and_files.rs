//! Folder rules, file uploads, edits, moves, copies and deletes, and upload errors.

use super::*;

#[tokio::test]
async fn folders_follow_the_root_rules_and_soft_delete() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let created = emu
        .act(
            &s,
            "folder/create",
            &[("folder_name", " Re<b>ports</b> "), ("parent_id", "")],
        )
        .await;
    assert_success(&created);
    assert_eq!(created["response"], "Folder successfully created.");
    let reports = created["data"].clone();
    assert_eq!(reports["folderName"], "Reports");
    assert!(reports["parentId"].is_null());
    assert!(reports["accessPassword"].is_null());
    assert!(reports["date_updated"].is_null());
    assert_eq!(reports["isPublic"], "0");
    assert_eq!(reports["totalSize"], "0");
    assert_eq!(reports["total_downloads"], 0);
    assert_eq!(reports["child_folder_count"], 0);
    assert_eq!(reports["file_count"], 0);
    let reports_id = reports["id"].as_str().unwrap().to_string();

    let child = emu
        .act(
            &s,
            "folder/create",
            &[("folder_name", "2024"), ("parent_id", &reports_id)],
        )
        .await;
    assert_eq!(child["data"]["parentId"], reports_id.as_str());
    let child_id = child["data"]["id"].as_str().unwrap().to_string();
    // Duplicate names are allowed.
    let twin = emu
        .act(&s, "folder/create", &[("folder_name", "Reports")])
        .await;
    assert_success(&twin);
    let twin_id = twin["data"]["id"].as_str().unwrap().to_string();
    assert_error(
        &emu.act(&s, "folder/create", &[]).await,
        "Please provide the folder_name param.",
    );

    let root = emu.listing(&s, "0").await;
    assert_eq!(
        names(&root["folders"], "folderName"),
        ["Reports", "Reports"]
    );
    assert_eq!(root["files"], json!([]));
    assert_eq!(root["folders"][0]["child_folder_count"], 1);
    assert!(root["folders"][0].get("accessPassword").is_none());

    let info = emu
        .act(&s, "folder/info", &[("folder_id", &child_id)])
        .await;
    assert_eq!(info["data"]["folderName"], "2024");
    let lenient = emu
        .act(&s, "folder/info", &[("parent_folder_id", &child_id)])
        .await;
    assert_eq!(lenient["data"]["id"], child_id.as_str());
    assert_error(
        &emu.act(&s, "folder/info", &[]).await,
        "Please provide the folder_id param.",
    );
    assert_error(
        &emu.act(&s, "folder/listing", &[("parent_folder_id", "99999")])
            .await,
        "Could not find folder based on folder_id.",
    );

    // Moves: `null` is the root, `0` and blank fail.
    let moving = [("folder_id", child_id.as_str())];
    let mv = |target: &'static str| {
        let mut fields = moving.to_vec();
        fields.push(("new_parent_folder_id", target));
        fields
    };
    assert_error(
        &emu.act(&s, "folder/move", &mv("0")).await,
        "Could not find the destination folder id defined by new_parent_folder_id.",
    );
    assert_error(
        &emu.act(&s, "folder/move", &mv("")).await,
        "Please provide the new_parent_folder_id param.",
    );
    let same = [
        ("folder_id", child_id.as_str()),
        ("new_parent_folder_id", child_id.as_str()),
    ];
    assert_error(
        &emu.act(&s, "folder/move", &same).await,
        "Param folder_id can not match new_parent_folder_id.",
    );
    let moved = emu.act(&s, "folder/move", &mv("NULL")).await;
    assert_eq!(moved["response"], "Folder successfully moved.");
    assert!(moved["data"]["parentId"].is_null());

    let edited = emu
        .act(
            &s,
            "folder/edit",
            &[
                ("folder_id", &child_id),
                ("folder_name", "2025"),
                ("parent_id", &twin_id),
            ],
        )
        .await;
    assert_eq!(edited["response"], "Folder successfully updated.");
    assert_eq!(edited["data"]["folderName"], "2025");
    assert_eq!(edited["data"]["parentId"], twin_id.as_str());
    assert_datetime(&edited["data"]["date_updated"]);
    // An unknown parent is silently ignored.
    let ignored = emu
        .act(
            &s,
            "folder/edit",
            &[("folder_id", &child_id), ("parent_id", "0")],
        )
        .await;
    assert_eq!(ignored["data"]["parentId"], twin_id.as_str());

    let deleted = emu
        .act(&s, "folder/delete", &[("folder_id", &twin_id)])
        .await;
    assert_success(&deleted);
    assert_eq!(deleted["response"], "Folder successfully set as deleted.");
    assert!(deleted.get("data").is_none());
    let root = emu.listing(&s, "").await;
    assert_eq!(names(&root["folders"], "id"), [reports_id]);
    assert_error(
        &emu.act(&s, "folder/delete", &[("folder_id", "99999")])
            .await,
        "Failed deleting the folder.",
    );
}

#[tokio::test]
async fn files_upload_edit_move_copy_and_delete() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let folder = emu
        .act(&s, "folder/create", &[("folder_name", "Inbox")])
        .await;
    let folder_id = folder["data"]["id"].as_str().unwrap().to_string();
    let content = b"hello, emulator\n".to_vec();

    let reply = emu
        .upload(&s, "docs/he<b>llo.txt ", content.clone(), &folder_id)
        .await;
    assert_success(&reply);
    assert_eq!(reply["response"], "File uploaded");
    let item = &reply["data"][0];
    assert_eq!(reply["data"].as_array().unwrap().len(), 1);
    assert_eq!(item["name"], "hello.txt");
    assert_eq!(item["size"], content.len().to_string());
    assert_eq!(item["hash"], md5_hex(&content));
    assert!(item["error"].is_null());
    assert_eq!(item["delete_type"], "DELETE");
    let short = item["short_url"].as_str().unwrap();
    let url = format!("{}/yetishare/{short}", emu.handle.base_url());
    assert_eq!(item["url"], url.as_str());
    let delete_hash = item["delete_hash"].as_str().unwrap();
    assert_eq!(delete_hash.len(), 32);
    assert_eq!(item["delete_url"], format!("{url}~d?{delete_hash}"));
    assert_eq!(item["unique_hash"].as_str().unwrap().len(), 64);
    let file_id = item["file_id"].as_str().unwrap().to_string();

    let listing = emu.listing(&s, &folder_id).await;
    let listed = &listing["files"][0];
    assert_eq!(listed["fileSize"], content.len().to_string());
    assert_eq!(listed["folderId"], folder_id.as_str());
    assert_eq!(listed["status"], "active");
    assert_eq!(listed["fileType"], "text/plain");
    assert_eq!(listed["url_file"], url.as_str());
    assert!(listed.get("uploadedDate").is_none());
    let parent = emu.listing(&s, "0").await;
    assert_eq!(parent["folders"][0]["file_count"], 1);
    assert_eq!(parent["folders"][0]["totalSize"], content.len().to_string());

    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["status"], "active");
    assert_eq!(info["data"]["file_status"], "active");
    assert_datetime(&info["data"]["uploadedDate"]);
    assert_error(
        &emu.act(&s, "file/info", &[]).await,
        "Please provide the file_id param.",
    );
    assert_error(
        &emu.act(&s, "file/info", &[("file_id", "424242")]).await,
        "Could not find file based on file_id.",
    );

    let edited = emu
        .act(
            &s,
            "file/edit",
            &[("file_id", &file_id), ("filename", "Notes.TXT")],
        )
        .await;
    assert_eq!(edited["response"], "File successfully updated.");
    assert_eq!(edited["data"]["filename"], "Notes.TXT");
    assert_eq!(edited["data"]["extension"], "txt");

    let call_move = |target: &'static str| {
        let file_id = file_id.clone();
        let (emu, s) = (&emu, &s);
        async move {
            let fields = [
                ("file_id", file_id.as_str()),
                ("new_parent_folder_id", target),
            ];
            emu.act(s, "file/move", &fields).await
        }
    };
    assert_error(
        &call_move("0").await,
        "Could not find the destination folder id defined by new_parent_folder_id.",
    );
    assert_error(
        &call_move("").await,
        "Please provide the new_parent_folder_id param.",
    );
    let moved = call_move("null").await;
    assert_eq!(moved["response"], "File successfully moved.");
    assert!(moved["data"]["folderId"].is_null());

    let copy = emu
        .act(
            &s,
            "file/copy",
            &[("file_id", &file_id), ("copy_to_folder_id", &folder_id)],
        )
        .await;
    assert_success(&copy);
    assert_eq!(copy["response"], "File successfully copyied.");
    assert!(copy.get("data").is_none());
    assert_eq!(copy["original_file"]["data"]["id"], file_id.as_str());
    let copy_id = copy["new_file"]["data"]["id"].as_str().unwrap().to_string();
    assert_ne!(copy_id, file_id);
    assert_eq!(copy["new_file"]["data"]["folderId"], folder_id.as_str());
    assert_error(
        &emu.act(
            &s,
            "file/copy",
            &[("file_id", &file_id), ("copy_to_folder_id", "0")],
        )
        .await,
        "Could not find the destination folder id defined by copy_to_folder_id.",
    );
    assert_error(
        &emu.act(&s, "file/copy", &[("file_id", &file_id)]).await,
        "Please provide the copy_to_folder_id param.",
    );

    let deleted = emu.act(&s, "file/delete", &[("file_id", &file_id)]).await;
    assert_eq!(deleted["response"], "File successfully set as deleted.");
    assert_eq!(deleted["data"]["status"], "trash");
    assert_eq!(emu.listing(&s, "0").await["files"], json!([]));
    // Trashed files still have info.
    let info = emu.act(&s, "file/info", &[("file_id", &file_id)]).await;
    assert_eq!(info["data"]["file_status"], "trash");
    // The copy is untouched and keeps the content.
    let url = emu.download_url(&s, &copy_id).await;
    assert_eq!(
        emu.http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
        content
    );
}

#[tokio::test]
async fn upload_errors_use_the_servers_messages() {
    let emu = emulator(false).await;
    let s = emu.login().await;
    let form = Form::new()
        .text("access_token", s.token.clone())
        .text("account_id", s.account_id.clone());
    let reply: Value = emu
        .http
        .post(format!("{}/file/upload", emu.api))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_error(&reply, "Did not receive uploaded file.");
    assert_error(
        &emu.upload(&s, "empty.bin", Vec::new(), "").await,
        "Filesize received was zero.",
    );

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let too_big = vec![7u8; 10 * 1024 * 1024 + 1];
    let reply = emu.upload(&free, "big.bin", too_big, "").await;
    let handler = format!(
        "{}/yetishare/core/page/ajax/api_upload_handler.ajax.php",
        emu.handle.base_url()
    );
    assert_error(
        &reply,
        &format!("Error on: {handler}. File too large. Maximum permitted file size is 10 MB."),
    );
    assert_eq!(emu.listing(&free, "").await["files"], json!([]));
}
