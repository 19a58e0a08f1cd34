//! Demo accounts, account info types, where the key travels, and HTML 404s.

use super::*;

#[tokio::test]
async fn demo_accounts_are_fixed_and_reach_the_api() {
    let xfs = emulator(true).await;
    let accounts: Vec<_> = xfs
        .handle
        .accounts()
        .into_iter()
        .filter(|a| a.provider == "xfilesharing")
        .collect();
    let account_names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(account_names, ["xfs", "xfs-free"]);
    assert_eq!(accounts[0].secret, PREMIUM_KEY);
    assert_eq!(accounts[1].secret, FREE_KEY);
    for account in &accounts {
        assert_eq!(account.base_url, xfs.api);
        assert_eq!(account.username, None);
        let key = &account.secret;
        assert!((20..=40).contains(&key.len()), "{key}");
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        let root = xfs.get("folder/list", key, &[("fld_id", "0")]).await;
        assert_eq!(
            names(&root["result"]["folders"]),
            ["Documents", "Music", "Photos"]
        );
        assert_eq!(names(&root["result"]["files"]), ["cafÃ©.txt", "readme.txt"]);
    }
}

#[tokio::test]
async fn account_info_and_stats_keep_their_types() {
    let xfs = emulator(true).await;
    let info = xfs.get("account/info", PREMIUM_KEY, &[]).await;
    assert_ok(&info);
    assert_eq!(keys(&info), ["status", "msg", "result", "server_time"]);
    let result = &info["result"];
    assert_eq!(result["email"], "demo@example.com");
    assert_eq!(result["balance"], "0.04900");
    let used: u64 = text(&result["storage_used"]).parse().expect("digits");
    assert!(used > 0);
    assert_eq!(result["storage_left"], "inf");
    assert_eq!(result["premium_expire"], "2099-12-31 23:59:59");

    // The free account: statuses as strings (katfile), a numeric storage_left, and
    // premium_expire at its creation (earlier than server_time).
    let free = xfs.get("account/info", FREE_KEY, &[]).await;
    assert_eq!(free["status"], "200");
    assert_eq!(free["msg"], "OK");
    assert!(free["result"]["storage_left"].is_u64());
    let expire = text(&free["result"]["premium_expire"]);
    assert!(expire < text(&free["server_time"]));

    let empty = emulator(false).await;
    let info = empty.get("account/info", PREMIUM_KEY, &[]).await;
    assert_eq!(info["result"]["storage_used"], Value::Null);

    let week = xfs.get("account/stats", PREMIUM_KEY, &[]).await;
    assert_ok(&week);
    let days = week["result"].as_array().expect("an array");
    assert_eq!(days.len(), 7);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert_eq!(days[6]["day"], today.as_str());
    assert!(days[0]["day"].as_str() < days[1]["day"].as_str());
    for day in days {
        for field in [
            "downloads",
            "sales",
            "profit_sales",
            "profit_refs",
            "profit_site",
            "views",
            "refs",
            "profit_total",
        ] {
            assert!(day[field].is_string(), "{field} in {day}");
        }
    }
    let three = xfs
        .post("account/stats", &[("key", PREMIUM_KEY), ("last", "3")])
        .await;
    assert_eq!(three["result"].as_array().map(Vec::len), Some(3));
    let span = xfs
        .get(
            "account/stats",
            PREMIUM_KEY,
            &[("from_date", "2024-02-27"), ("to_date", "2024-03-01")],
        )
        .await;
    let days: Vec<String> = (span["result"].as_array().unwrap().iter())
        .map(|d| text(&d["day"]))
        .collect();
    assert_eq!(
        days,
        ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]
    );
}

#[tokio::test]
async fn the_key_travels_in_the_query_or_a_form_never_a_header() {
    let xfs = emulator(false).await;
    assert_ok(&xfs.get("account/info", PREMIUM_KEY, &[]).await);
    assert_ok(&xfs.post("account/info", &[("key", PREMIUM_KEY)]).await);
    // A POST form and a query string merge.
    let response = xfs
        .http
        .post(format!("{}/folder/create?key={PREMIUM_KEY}", xfs.api))
        .form(&[("name", "from the form")])
        .send()
        .await
        .unwrap();
    assert_ok(&json_of(response, "merged").await);

    let response = xfs
        .http
        .get(format!("{}/account/info", xfs.api))
        .header("X-Api-Key", PREMIUM_KEY)
        .send()
        .await
        .unwrap();
    assert_error(&json_of(response, "header").await, 400, "Invalid key");
    assert_error(
        &xfs.get("account/info", "wrongkey", &[]).await,
        400,
        "Invalid key",
    );
    let lowered = PREMIUM_KEY.to_uppercase();
    assert_error(
        &xfs.get("file/list", &lowered, &[]).await,
        400,
        "Invalid key",
    );
    let response = xfs
        .http
        .get(format!("{}/account/info", xfs.api))
        .send()
        .await
        .unwrap();
    assert_error(&json_of(response, "no key").await, 400, "Invalid key");
}

#[tokio::test]
async fn unknown_endpoints_get_an_html_404_page() {
    let xfs = emulator(false).await;
    for endpoint in [
        "file/deleted",
        "file/delete",
        "file/remove",
        "folder/delete",
        "folder/move",
        "Account/Info",
        "account/info/",
        "",
        "../s1/cgi-bin/nothing.cgi",
    ] {
        let response = xfs
            .http
            .get(format!("{}/{endpoint}?key={PREMIUM_KEY}", xfs.api))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{endpoint}");
        let kind = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(kind.starts_with("text/html"), "{endpoint}: {kind}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("<h1>Not Found</h1>")
        );
    }
}
