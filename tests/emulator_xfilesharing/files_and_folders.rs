//! File info, listings, folder ids, renames, mojibake names and clones.

use super::*;

#[tokio::test]
async fn file_info_batches_codes_and_lists_unknown_ones() {
    let xfs = emulator(false).await;
    let mine = xfs.upload(PREMIUM_KEY, "mine.txt", b"12345").await;
    let theirs = xfs.upload(FREE_KEY, "theirs.txt", b"abc").await;
    let codes = format!("{mine}, zzzzzzzzzzzz,{theirs}");
    let reply = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &codes)])
        .await;
    assert_ok(&reply);
    let items = reply["result"].as_array().expect("an array");
    assert_eq!(items.len(), 3);
    assert_eq!(
        keys(&items[0]),
        [
            "filecode",
            "name",
            "status",
            "size",
            "uploaded",
            "downloads"
        ]
    );
    assert_eq!(items[0]["filecode"], mine.as_str());
    assert_eq!(items[0]["status"], 200);
    assert_eq!(items[0]["size"], 5);
    assert_timestamp(&items[0]["uploaded"]);
    assert_eq!(keys(&items[1]), ["filecode", "status"]);
    assert_eq!(items[1]["filecode"], "zzzzzzzzzzzz");
    assert_eq!(items[1]["status"], 404);
    // Not account-scoped: another account's file is described too.
    assert_eq!(items[2]["name"], "theirs.txt");

    let many = vec![mine.as_str(); 60].join(",");
    let reply = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &many)])
        .await;
    assert_eq!(reply["result"].as_array().map(Vec::len), Some(50));
}

#[tokio::test]
async fn file_list_pages_and_reads_fld_id_0_as_the_whole_account() {
    let xfs = emulator(false).await;
    // 1,200 files from one multipart request: one answer per file part.
    let mut form = Form::new();
    for n in 0..1200 {
        form = form.part(format!("file_{n}"), part(&format!("f{n:04}.txt"), b"x"));
    }
    let reply = xfs.upload_form(PREMIUM_KEY, form).await;
    let answers = reply.as_array().expect("an array");
    assert_eq!(answers.len(), 1200);
    assert!(answers.iter().all(|a| a["file_status"] == "OK"));

    let mut codes = std::collections::BTreeSet::new();
    for page in 1..=3 {
        let page_text = page.to_string();
        let reply = xfs
            .get(
                "file/list",
                PREMIUM_KEY,
                &[("page", &page_text), ("per_page", "500")],
            )
            .await;
        assert_ok(&reply);
        let result = &reply["result"];
        assert_eq!(result["results_total"], 1200);
        let files = result["files"].as_array().unwrap();
        assert_eq!(result["results"], files.len());
        assert_eq!(files.len(), if page < 3 { 500 } else { 200 });
        codes.extend(files.iter().map(|f| text(&f["file_code"])));
    }
    assert_eq!(codes.len(), 1200);
    let beyond = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("page", "4"), ("per_page", "500")],
        )
        .await;
    assert_eq!(beyond["result"]["files"], serde_json::json!([]));

    let entry = &xfs.get("file/list", PREMIUM_KEY, &[]).await["result"]["files"][0];
    assert_eq!(
        keys(entry),
        [
            "name",
            "file_code",
            "downloads",
            "thumbnail",
            "public",
            "size",
            "link",
            "fld_id",
            "uploaded"
        ]
    );
    let code = text(&entry["file_code"]);
    assert_eq!(
        entry["link"],
        format!("{}/xfilesharing/{code}", xfs.handle.base_url()).as_str()
    );
    let page = xfs.http.get(text(&entry["link"])).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Move one file away: fld_id=0 still lists everything; folder/list fld_id=0 only the
    // root, all at once whatever the paging parameters say.
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Away").await;
    let moved = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &moved).await);
    let whole = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("fld_id", "0"), ("per_page", "1")],
        )
        .await;
    assert_eq!(whole["result"]["results_total"], 1200);
    let away = xfs
        .get("file/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(away["result"]["results_total"], 1);
    let root = xfs
        .get(
            "folder/list",
            PREMIUM_KEY,
            &[("fld_id", "0"), ("page", "2"), ("per_page", "10")],
        )
        .await;
    assert_eq!(root["result"]["files"].as_array().map(Vec::len), Some(1199));

    let named = xfs
        .get(
            "file/list",
            PREMIUM_KEY,
            &[("name", "F119"), ("per_page", "100")],
        )
        .await;
    assert_eq!(named["result"]["results_total"], 10);
}

#[tokio::test]
async fn folder_ids_are_strings_from_create_and_numbers_in_listings() {
    let xfs = emulator(false).await;
    let created = xfs
        .get(
            "folder/create",
            PREMIUM_KEY,
            &[("parent_id", "0"), ("name", "Work")],
        )
        .await;
    assert_ok(&created);
    let work = text(&created["result"]["fld_id"]);
    let work_id: u64 = work.parse().expect("digits");
    let inner = xfs.create_folder(PREMIUM_KEY, &work, "Inner").await;
    // Not idempotent, and case-sensitive.
    let twin = xfs.create_folder(PREMIUM_KEY, "0", "Work").await;
    assert_ne!(twin, work);
    xfs.create_folder(PREMIUM_KEY, "0", "work").await;

    let root = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", "0")])
        .await;
    let folders = &root["result"]["folders"];
    assert_eq!(names(folders), ["Work", "Work", "work"]);
    assert_eq!(folders[0]["fld_id"], work_id);
    assert!(folders[0]["fld_id"].is_u64());
    assert_eq!(folders[0]["code"], Value::Null);
    let listing = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &work)])
        .await;
    assert_eq!(
        listing["result"]["folders"][0]["fld_id"],
        inner.parse::<u64>().unwrap()
    );

    assert_error(
        &xfs.get("folder/create", PREMIUM_KEY, &[("parent_id", "0")])
            .await,
        400,
        "No name",
    );
    for (key, parent) in [(PREMIUM_KEY, "424242"), (FREE_KEY, work.as_str())] {
        assert_error(
            &xfs.get(
                "folder/create",
                key,
                &[("parent_id", parent), ("name", "x")],
            )
            .await,
            403,
            "Folder not exist or not yours",
        );
        assert_error(
            &xfs.get("folder/list", key, &[("fld_id", parent)]).await,
            403,
            "Folder not exist or not yours",
        );
    }
}

#[tokio::test]
async fn renames_answer_the_string_true() {
    let xfs = emulator(false).await;
    let code = xfs.upload(PREMIUM_KEY, "draft.txt", b"text").await;
    let renamed = xfs
        .get(
            "file/rename",
            PREMIUM_KEY,
            &[("file_code", &code), ("name", "final.txt")],
        )
        .await;
    assert_ok(&renamed);
    assert_eq!(renamed["result"], "true");
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_eq!(info["result"][0]["name"], "final.txt");

    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Old").await;
    let renamed = xfs
        .post(
            "folder/rename",
            &[("key", PREMIUM_KEY), ("fld_id", &folder), ("name", "New")],
        )
        .await;
    assert_ok(&renamed);
    assert_eq!(renamed["result"], "true");
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    assert_eq!(names(&root["result"]["folders"]), ["New"]);

    let foreign = [("file_code", code.as_str()), ("name", "x")];
    assert_error(
        &xfs.get("file/rename", FREE_KEY, &foreign).await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("file/rename", PREMIUM_KEY, &[("file_code", &code)])
            .await,
        400,
        "No name",
    );
    assert_error(
        &xfs.get(
            "folder/rename",
            FREE_KEY,
            &[("fld_id", &folder), ("name", "x")],
        )
        .await,
        403,
        "Folder not exist or not yours",
    );
}

#[tokio::test]
async fn names_come_back_as_latin1_mojibake() {
    let xfs = emulator(true).await;
    let list = xfs.get("file/list", PREMIUM_KEY, &[("name", "caf")]).await;
    let cafe = &list["result"]["files"][0];
    assert_eq!(cafe["name"], "cafÃ©.txt");
    let code = text(&cafe["file_code"]);
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert!(link.ends_with("/caf%C3%A9.txt"), "{link}");
    let download = xfs.http.get(&link).send().await.unwrap();
    let disposition = download.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("UTF-8''caf%C3%A9.txt"),
        "{disposition}"
    );

    let uploaded = xfs.upload(PREMIUM_KEY, "相片.jpg", b"jpeg").await;
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "ç\u{9b}¸ç\u{89}\u{87}.jpg");

    let quoted = [("file_code", uploaded.as_str()), ("name", "say \"hi\"/now")];
    assert_ok(&xfs.get("file/rename", PREMIUM_KEY, &quoted).await);
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "say &quote;hi&quote;/now");

    let long = "n".repeat(200);
    let renamed = [("file_code", uploaded.as_str()), ("name", long.as_str())];
    assert_ok(&xfs.get("file/rename", PREMIUM_KEY, &renamed).await);
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &uploaded)])
        .await;
    assert_eq!(info["result"][0]["name"], "n".repeat(128).as_str());

    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Été").await;
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    let folders = root["result"]["folders"].as_array().unwrap();
    let made = folders
        .iter()
        .find(|f| f["fld_id"] == folder.parse::<u64>().unwrap())
        .unwrap();
    assert_eq!(made["name"], "Ã\u{89}tÃ©");
}

#[tokio::test]
async fn clone_copies_any_file_into_the_callers_account() {
    let xfs = emulator(false).await;
    let theirs = xfs.upload(FREE_KEY, "shared.bin", b"shared bytes").await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Clones").await;
    let cloned = xfs
        .get(
            "file/clone",
            PREMIUM_KEY,
            &[("file_code", &theirs), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&cloned);
    assert_eq!(keys(&cloned["result"]), ["url", "filecode"]);
    let copy = text(&cloned["result"]["filecode"]);
    assert_ne!(copy, theirs);
    assert_eq!(
        cloned["result"]["url"],
        format!("{}/xfilesharing/{copy}", xfs.handle.base_url()).as_str()
    );
    let inside = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(inside["result"]["files"][0]["file_code"], copy.as_str());
    let link = xfs.direct_link(PREMIUM_KEY, &copy).await;
    assert_eq!(xfs.fetch(&link).await, b"shared bytes");
    assert_error(
        &xfs.get("file/clone", PREMIUM_KEY, &[("file_code", "zzzzzzzzzzzz")])
            .await,
        404,
        "no file",
    );
}
