//! Deleted files, link checks, faults and stats, and persistence.

use super::*;

#[tokio::test]
async fn deleted_files_and_link_checks() {
    let xfs = emulator(true).await;
    let deleted = xfs
        .get("files/deleted", PREMIUM_KEY, &[("last", "20")])
        .await;
    assert_ok(&deleted);
    let item = &deleted["result"][0];
    assert_eq!(
        keys(item),
        ["deleted_ago_sec", "deleted", "file_code", "name"]
    );
    assert!(item["deleted_ago_sec"].as_i64().unwrap() >= 3600);
    assert_timestamp(&item["deleted"]);
    assert_eq!(item["name"], "old-draft.txt");
    let dmca = xfs.get("files/dmca", PREMIUM_KEY, &[]).await;
    assert_eq!(dmca["result"], serde_json::json!([]));

    let code = xfs.upload(PREMIUM_KEY, "checked.txt", b"1234").await;
    let known = format!("{}/xfilesharing/{code}", xfs.handle.base_url());
    let unknown = format!("{}/xfilesharing/zzzzzzzzzzzz", xfs.handle.base_url());
    let checked = xfs
        .post(
            "files/check",
            &[("key", PREMIUM_KEY), ("url_0", &known), ("url_1", &unknown)],
        )
        .await;
    assert_ok(&checked);
    assert_eq!(checked["result"][known.as_str()]["found"], true);
    assert_eq!(checked["result"][known.as_str()]["file_size"], 4);
    assert_eq!(checked["result"][unknown.as_str()]["found"], false);
}

#[tokio::test]
async fn faults_and_stats_cover_the_site() {
    let xfs = emulator(false).await;
    let code = xfs.upload(PREMIUM_KEY, "counted.txt", b"count me").await;
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    xfs.fetch(&link).await;
    let stats = xfs.handle.stats();
    let by_route = &stats["by_route"];
    for route in [
        "xfilesharing/upload/server",
        "xfilesharing/upload.cgi",
        "xfilesharing/file/direct_link",
        "xfilesharing/dl.cgi",
    ] {
        assert_eq!(by_route[route], 1, "{route}: {stats}");
    }

    xfs.handle.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(3),
        ..Faults::default()
    });
    let response = xfs
        .http
        .get(format!("{}/account/info?key={PREMIUM_KEY}", xfs.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    xfs.handle.set_faults(Faults {
        cut_body_after: Some(3),
        ..Faults::default()
    });
    let cut = xfs.http.get(&link).send().await.unwrap().bytes().await;
    assert!(cut.is_err(), "the body is cut short");
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let xfs = emulator(true).await;
    let code = xfs.upload(PREMIUM_KEY, "kept.txt", b"still here").await;
    let folder = xfs.create_folder(PREMIUM_KEY, "0", "Kept").await;
    let moved = [("file_code", code.as_str()), ("fld_id", folder.as_str())];
    assert_ok(&xfs.get("file/set_folder", PREMIUM_KEY, &moved).await);
    let before = xfs
        .get("file/list", PREMIUM_KEY, &[("per_page", "100")])
        .await;
    let Xfs { handle, data, .. } = xfs;
    handle.shutdown().await;

    let handle = start_in(data.path(), true).await;
    let xfs = Xfs {
        api: format!("{}/xfilesharing/api", handle.base_url()),
        handle,
        http: reqwest::Client::new(),
        data,
    };
    let after = xfs
        .get("file/list", PREMIUM_KEY, &[("per_page", "100")])
        .await;
    // Everything but the links, which carry the new port.
    let facts = |reply: &Value| -> Vec<String> {
        let files = reply["result"]["files"].as_array().unwrap();
        (files.iter())
            .map(|f| {
                let fields = ["file_code", "name", "size", "fld_id", "uploaded", "public"];
                fields.map(|field| f[field].to_string()).join(" ")
            })
            .collect()
    };
    assert_eq!(facts(&after), facts(&before));
    assert_eq!(after["result"]["results_total"], 10);
    let inside = xfs
        .get("folder/list", PREMIUM_KEY, &[("fld_id", &folder)])
        .await;
    assert_eq!(names(&inside["result"]["files"]), ["kept.txt"]);
    let link = xfs.direct_link(PREMIUM_KEY, &code).await;
    assert_eq!(xfs.fetch(&link).await, b"still here");
    // New ids continue after the old ones.
    let next = xfs.create_folder(PREMIUM_KEY, "0", "Next").await;
    assert!(next.parse::<u64>().unwrap() > folder.parse::<u64>().unwrap());
}
