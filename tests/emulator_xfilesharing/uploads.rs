//! Uploads into the root, set_folder, URL uploads, and direct links.

use super::*;

#[tokio::test]
async fn file_0_uploads_land_in_the_root_and_move_with_set_folder() {
    let xfs = emulator(false).await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Inbox").await;

    let server = xfs.get("upload/server", PREMIUM_KEY, &[]).await;
    assert_eq!(
        keys(&server),
        ["status", "sess_id", "result", "msg", "server_time"]
    );
    let url = text(&server["result"]);
    assert!(url.starts_with(&xfs.handle.base_url()), "{url}");
    assert!(url.ends_with("/cgi-bin/upload.cgi"), "{url}");
    let (second_session, second_url) = xfs.upload_server(PREMIUM_KEY).await;
    assert_ne!(second_session, text(&server["sess_id"]));
    assert_ne!(second_url, url, "the upload host changes between calls");

    // A `fld_id` field is ignored: uploads always land in the root.
    let content = b"the quick brown fox".repeat(1000);
    let form = Form::new()
        .text("sess_id", text(&server["sess_id"]))
        .text("utype", "prem")
        .text("fld_id", folder.clone())
        .part("file_0", part("fox.txt", &content));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply.as_array().map(Vec::len), Some(1), "{reply}");
    assert_eq!(reply[0]["file_status"], "OK");
    let code = text(&reply[0]["file_code"]);
    assert_eq!(code.len(), 12);
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let root = xfs.get("folder/list", PREMIUM_KEY, &[]).await;
    assert_eq!(root["result"]["files"][0]["file_code"], code.as_str());
    assert_eq!(root["result"]["files"][0]["fld_id"], 0);

    // The same session takes more uploads, under `file` too; an empty file is undef.
    let form = Form::new()
        .text("sess_id", text(&server["sess_id"]))
        .part("file", part("second.txt", b"2"))
        .part("file_1", part("empty.txt", b""));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply[0]["file_status"], "OK");
    assert_eq!(reply[1]["file_code"], "undef");
    assert_eq!(reply[1]["file_status"], "null filesize or wrong file path");

    // A bad session uploads nothing.
    let form = Form::new()
        .text("sess_id", "nosuchsession")
        .part("file_0", part("stray.txt", b"x"));
    let reply = xfs.post_upload(&url, form).await;
    assert_eq!(reply[0]["file_code"], "undef");
    assert_eq!(reply[0]["file_status"], "Unauthorized");
    let all = xfs.get("file/list", PREMIUM_KEY, &[]).await;
    assert_eq!(all["result"]["results_total"], 2);

    let moved = xfs
        .get(
            "file/set_folder",
            PREMIUM_KEY,
            &[("file_code", &code), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&moved);
    assert_eq!(keys(&moved), ["status", "msg", "server_time"]);
    // Idempotent, and silent about files it cannot touch.
    let again = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &again).await);
    let foreign = [("file_code", code.as_str()), ("fld_id", "0")];
    assert_ok(&xfs.get("file/set_folder", FREE_KEY, &foreign).await);
    let unknown = [("file_code", "zzzzzzzzzzzz"), ("fld_id", "0")];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &unknown).await);
    let nowhere = [("file_code", code.as_str()), ("fld_id", "999")];
    assert_error(
        &xfs.get("file/set_folder", PREMIUM_KEY, &nowhere).await,
        403,
        "Your account don't have such folder",
    );
    let inbox = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(names(&inbox["result"]["files"]), ["fox.txt"]);
    assert_eq!(
        inbox["result"]["files"][0]["fld_id"],
        folder.parse::<u64>().unwrap()
    );

    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, content);
}

async fn wait_for_job(xfs: &Xfs, code: &str) -> Value {
    for _ in 0..200 {
        let reply = xfs
            .get("upload/url", PREMIUM_KEY, &[("file_code", code)])
            .await;
        assert_ok(&reply);
        if matches!(reply["result"]["status"].as_str(), Some("OK" | "ERROR")) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("URL upload {code} did not finish");
}

#[tokio::test]
async fn url_uploads_fetch_from_another_server() {
    let content: &'static [u8] = b"fetched by the emulator";
    let source = common::file_server("/files/{name}", content.to_vec()).await;
    let xfs = emulator(false).await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Remote").await;
    let url = format!("http://{source}/files/caf%C3%A9%20remote.txt");
    let added = xfs
        .get(
            "upload/url",
            PREMIUM_KEY,
            &[("url", &url), ("fld_id", &folder)],
        )
        .await;
    assert_ok(&added);
    let code = text(&added["result"]["file_code"]);
    assert_eq!(added["result"]["filecode"], code.as_str());

    let done = wait_for_job(&xfs, &code).await;
    assert_eq!(done["result"]["status"], "OK", "{done}");
    assert_eq!(done["result"]["file_code"], code.as_str());
    let listed = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(listed["result"]["files"][0]["file_code"], code.as_str());
    assert_eq!(listed["result"]["files"][0]["name"], "cafÃ© remote.txt");
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, content);

    let missing = format!("http://{source}/nothing/here");
    let added = xfs
        .get("upload/url", PREMIUM_KEY, &[("url", &missing)])
        .await;
    let failed = text(&added["result"]["file_code"]);
    assert_eq!(
        wait_for_job(&xfs, &failed).await["result"]["status"],
        "ERROR"
    );

    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[]).await,
        400,
        "No url",
    );
    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[("file_code", "zzzzzzzzzzzz")])
            .await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("upload/url", FREE_KEY, &[("file_code", &code)])
            .await,
        404,
        "no file",
    );
    assert_error(
        &xfs.get("upload/url", PREMIUM_KEY, &[("url", &url), ("fld_id", "5")])
            .await,
        403,
        "Folder not exist or not yours",
    );
}

#[tokio::test]
async fn direct_links_serve_ranges_or_answer_not_enabled() {
    let xfs = emulator(false).await;
    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let code = xfs.upload(PREMIUM_KEY, "bytes.bin", &content).await;
    let reply = xfs
        .get("file/direct_link", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_ok(&reply);
    assert_eq!(reply["result"]["size"], 10_000);
    let url = text(&reply["result"]["url"]);
    assert!(url.contains("/cgi-bin/dl.cgi/"), "{url}");
    assert!(url.ends_with("/bytes.bin"), "{url}");

    let whole = xfs.http.get(&url).send().await.unwrap();
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), content);
    let part = xfs
        .http
        .get(&url)
        .header(header::RANGE, "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 100-199/10000");
    assert_eq!(part.bytes().await.unwrap().to_vec(), content[100..200]);
    let beyond = xfs
        .http
        .get(&url)
        .header(header::RANGE, "bytes=10000-")
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()[header::CONTENT_RANGE], "bytes */10000");
    let forged = url.replace("/dl.cgi/", "/dl.cgi/x");
    assert_eq!(
        xfs.http.get(&forged).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // One download from the start counted; ranged reads are not.
    let info = xfs
        .get("file/info", PREMIUM_KEY, &[("file_code", &code)])
        .await;
    assert_eq!(info["result"][0]["downloads"], 1);
    let stats = xfs
        .get("account/stats", PREMIUM_KEY, &[("last", "1")])
        .await;
    assert_eq!(stats["result"][0]["downloads"], "1");

    let unknown = [("file_code", "zzzzzzzzzzzz")];
    assert_error(
        &xfs.get("file/direct_link", PREMIUM_KEY, &unknown).await,
        404,
        "no file",
    );
    let free_code = xfs.upload(FREE_KEY, "free.txt", b"free").await;
    assert_error(
        &xfs.get(
            "file/direct_link",
            PREMIUM_KEY,
            &[("file_code", &free_code)],
        )
        .await,
        404,
        "no file",
    );
    let refused = xfs
        .get("file/direct_link", FREE_KEY, &[("file_code", &free_code)])
        .await;
    assert_eq!(refused["status"], "403");
    assert_eq!(refused["msg"], "Not enabled");
    assert!(refused.get("result").is_none());
}
