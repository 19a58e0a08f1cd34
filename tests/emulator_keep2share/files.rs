//! Listing and managing files and folders.

use super::*;

#[tokio::test]
async fn listing_and_managing_files_and_folders() {
    let emu = emulator().await;
    let t = emu.premium().await;
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        names(&root),
        ["Documents", "Music", "Photos", "readme.txt", "Shared"],
        "creation order"
    );
    let readme = root
        .iter()
        .find(|item| item["name"] == "readme.txt")
        .unwrap();
    let keys: Vec<&String> = readme.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "is_available",
            "is_folder",
            "date_created",
            "size",
            "md5"
        ]
    );
    assert_eq!(readme["id"].as_str().unwrap().len(), 13);
    let shape: String = readme["date_created"]
        .as_str()
        .unwrap()
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    assert_eq!(shape, "dddd-dd-dd dd:dd:dd");
    let folder = root.iter().find(|item| item["name"] == "Music").unwrap();
    assert_eq!(
        (folder["is_folder"].clone(), folder["size"].clone()),
        (json!(true), json!(0))
    );
    assert!(folder["md5"].is_null());

    let sorted = emu
        .list(&t, json!({"sort": {"name": -1}, "type": "folder"}))
        .await;
    assert_eq!(names(&sorted), ["Shared", "Photos", "Music", "Documents"]);
    let files = emu
        .list(
            &t,
            json!({"type": "file", "extended_info": "true", "only_available": true}),
        )
        .await;
    assert_eq!(names(&files), ["readme.txt"]);
    let extended = &files[0]["extended_info"];
    assert_eq!(extended["storage_object"], "available");
    assert_eq!(extended["access"], "public");
    assert_eq!(extended["content_type"], "text/plain");
    assert_eq!(extended["abuses"], json!([]));
    let paged = emu.list(&t, json!({"limit": 2, "offset": 3})).await;
    assert_eq!(names(&paged), ["readme.txt", "Shared"]);
    for bad in [
        json!({"sort": {"size": 1}}),
        json!({"sort": {"name": 2}}),
        json!({"sort": "name"}),
        json!({"limit": 10_001}),
        json!({"offset": -1}),
        json!({"type": "files"}),
        json!({"parent": "0000000000000"}),
    ] {
        let mut body = bad.clone();
        body["auth_token"] = json!(t);
        emu.fails("getFilesList", body, 400, 2).await;
    }

    // Folders: all of them as paths, or the subfolders of one.
    let documents = id_named(&root, "Documents");
    let all = emu.ok("getFoldersList", json!({"auth_token": t})).await;
    assert_eq!(
        all["foldersList"],
        json!([
            "/Documents",
            "/Documents/Archive",
            "/Music",
            "/Photos",
            "/Photos/Holiday 2024",
            "/Shared"
        ])
    );
    assert_eq!(all["foldersIds"][0], documents);
    assert_eq!(all["parentFoldersList"][1], "/Documents");
    assert_eq!(all["parentFoldersIds"][1], documents);
    assert_eq!(all["parentFoldersIds"][0], "/");
    let sub = emu
        .ok(
            "getFoldersList",
            json!({"auth_token": t, "parent_id": documents}),
        )
        .await;
    assert_eq!(sub["foldersList"], json!(["/Documents/Archive"]));

    let created = emu
        .ok(
            "createFolder",
            json!({"auth_token": t, "name": "New", "parent": "/", "access": "public", "is_public": "true"}),
        )
        .await;
    let new_folder = created["id"].as_str().unwrap().to_string();
    let reply = emu
        .fails(
            "createFolder",
            json!({"auth_token": t, "name": "X", "parent": "0000000000000", "access": "secret"}),
            406,
            60,
        )
        .await;
    assert_eq!(reply["message"], "Error create folder");
    assert_eq!(
        reply["errors"],
        json!([
            "Access is not in the list.",
            "Destination directory was not found"
        ])
    );
    emu.fails("createFolder", json!({"auth_token": t}), 400, 2)
        .await;

    // updateFile: rename, move, access; null leaves a value alone.
    emu.ok(
        "updatefile",
        json!({"auth_token": t, "id": readme["id"], "new_name": "README.md",
               "new_parent": new_folder, "new_access": null}),
    )
    .await;
    let inside = emu.list(&t, json!({"parent": new_folder})).await;
    assert_eq!(names(&inside), ["README.md"]);
    let reply = emu
        .fails(
            "updateFile",
            json!({"auth_token": t, "id": documents, "new_parent": documents}),
            406,
            63,
        )
        .await;
    assert_eq!(reply["message"], "Error update file");
    emu.fails(
        "updateFile",
        json!({"auth_token": t, "id": "0000000000000", "new_name": "x"}),
        406,
        20,
    )
    .await;
    let reply = emu
        .ok(
            "updateFiles",
            json!({"auth_token": t, "ids": [readme["id"], "0000000000000"], "new_parent": "/"}),
        )
        .await;
    assert_eq!(
        reply["files"],
        json!([
            {"id": readme["id"], "status": "success", "errors": []},
            {"id": "0000000000000", "status": "error", "errors": ["File not found"]},
        ])
    );

    // getFilesInfo: public folders only; 400 when no id is well formed.
    let info = emu
        .ok(
            "getFilesInfo",
            json!({"ids": [new_folder, documents, readme["id"]], "extended_info": true}),
        )
        .await;
    let files = info["files"].as_array().unwrap();
    assert_eq!(names(files), ["New", "README.md"]);
    assert!(
        files[1].get("md5").is_none(),
        "anonymous callers see no md5"
    );
    assert!(files[1]["parent_id"].is_null());
    assert!(files[1]["created_at"].as_str().unwrap().ends_with(".000Z"));
    assert_eq!(files[1]["extended_info"]["size"], files[1]["size"]);
    emu.fails("getFilesInfo", json!({"ids": ["bad id!"]}), 400, 2)
        .await;
    emu.fails("getFilesInfo", json!({"ids": []}), 400, 2).await;

    // The doc's 201/202, when asked for.
    emu.settings(json!({"documented_success_codes": true}))
        .await;
    let (status, _, reply) = emu
        .raw("createFolder", &json!({"auth_token": t, "name": "Doc"}))
        .await;
    assert_eq!((status.as_u16(), reply["code"].clone()), (201, json!(201)));
    let (status, text, _) = emu
        .raw(
            "updateFile",
            &json!({"auth_token": t, "id": new_folder, "new_name": "Renamed"}),
        )
        .await;
    assert_eq!(status.as_u16(), 202);
    assert_eq!(text, r#"{"status":"success","code":202}"#);
    emu.settings(json!({})).await;

    let reply = emu
        .ok(
            "deleteFiles",
            json!({"auth_token": t, "ids": [documents, new_folder, "0000000000000"]}),
        )
        .await;
    assert_eq!(reply["deleted"], 2);
    let root = emu.list(&t, json!({})).await;
    assert_eq!(
        names(&root),
        ["Music", "Photos", "README.md", "Shared", "Doc"]
    );
}

#[tokio::test]
async fn dead_files_stay_listed_as_unavailable_and_cannot_be_fetched() {
    let emu = emulator().await;
    let premium = emu.premium().await;
    let listed = emu
        .ok(
            "getFilesList",
            json!({"auth_token": premium, "parent": SHARED_FOLDER_ID, "extended_info": true}),
        )
        .await;
    let dead = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == DEAD_FILE_ID)
        .expect("the demo's blocked file is listed");
    assert_eq!(dead["is_available"], false);
    assert_eq!(dead["extended_info"]["abuses"][0]["projects"][0], "k2s");
    let only_available = emu
        .ok(
            "getFilesList",
            json!({"auth_token": premium, "parent": SHARED_FOLDER_ID, "only_available": true}),
        )
        .await;
    assert!(
        only_available["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["id"] != DEAD_FILE_ID)
    );
    let reply = emu
        .fails(
            "getUrl",
            json!({"auth_token": premium, "file_id": DEAD_FILE_ID}),
            406,
            22,
        )
        .await;
    assert_eq!(reply["message"], "File is blocked");

    // Deleted through the test API: its storage object says so.
    let url = emu
        .api
        .replace("/keep2share/api/v2", "/__emulator/keep2share/availability");
    let set = emu
        .http
        .post(&url)
        .json(&json!({"id": SHARED_FILE_ID, "state": "deleted"}))
        .send()
        .await
        .unwrap();
    assert!(set.status().is_success());
    let info = emu
        .ok(
            "getFilesInfo",
            json!({"ids": [SHARED_FILE_ID], "extended_info": true}),
        )
        .await;
    assert_eq!(info["files"][0]["is_available"], false);
    assert_eq!(
        info["files"][0]["extended_info"]["storage_object"],
        "deleted"
    );
    emu.fails(
        "getUrl",
        json!({"auth_token": premium, "file_id": SHARED_FILE_ID}),
        406,
        20,
    )
    .await;
}
