//! Authorizing, tokens, parameters in any body, unknown routes and account info.

use super::*;

#[tokio::test]
async fn authorize_in_key_and_password_modes() {
    let emu = emulator(false).await;
    let reply = emu
        .call(
            "authorize",
            &[("key1", PREMIUM_KEY1), ("key2", PREMIUM_KEY2)],
        )
        .await;
    assert_success(&reply);
    let token = reply["data"]["access_token"].as_str().unwrap();
    assert_eq!(token.len(), 128);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(reply["data"]["account_id"], "158642");

    let short = &PREMIUM_KEY1[..63];
    let reply = emu
        .call("authorize", &[("key1", short), ("key2", PREMIUM_KEY2)])
        .await;
    assert_error(
        &reply,
        "Please provide key1. It must be 64 characters in length.",
    );
    let reply = emu.call("authorize", &[("key1", PREMIUM_KEY1)]).await;
    assert_error(
        &reply,
        "Please provide key2. It must be 64 characters in length.",
    );
    let reply = emu
        .call("authorize", &[("key1", PREMIUM_KEY1), ("key2", FREE_KEY2)])
        .await;
    assert_error(
        &reply,
        "Could not authenticate user. The key pair may be invalid or your account may be locked from too many failed logins.",
    );
    let reply = emu.call("authorize", &[]).await;
    assert_error(
        &reply,
        "Please provide key1. It must be 64 characters in length.",
    );

    let login = [
        ("username", PREMIUM_USERNAME),
        ("password", PREMIUM_PASSWORD),
    ];
    let reply = emu.call("authorize", &login).await;
    assert_success(&reply);
    assert_eq!(reply["data"]["account_id"], "158642");
    let reply = emu
        .call("authorize", &[("password", PREMIUM_PASSWORD)])
        .await;
    assert_error(&reply, "Please provide a username.");
    let reply = emu.call("authorize", &[("username", "demo")]).await;
    assert_error(&reply, "Please provide a password.");
    let reply = emu
        .call("authorize", &[("username", "demo"), ("password", "nope")])
        .await;
    assert_error(
        &reply,
        "Could not authenticate user. The username and password may be invalid or your account may be locked from too many failed logins.",
    );
    assert_eq!(emu.handle.stats()["tokens_issued"], 2);
}

#[tokio::test]
async fn a_second_authorize_revokes_the_first_token() {
    let emu = emulator(false).await;
    let first = emu.login().await;
    let second = emu.login().await;
    assert_error(&emu.act(&first, "account/info", &[]).await, INVALID_TOKEN);
    assert_success(&emu.act(&second, "account/info", &[]).await);

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let mismatched = Session {
        token: free.token.clone(),
        account_id: second.account_id.clone(),
    };
    assert_error(
        &emu.act(&mismatched, "account/info", &[]).await,
        INVALID_TOKEN,
    );
    assert_success(&emu.act(&free, "account/info", &[]).await);

    let reply = emu.act(&second, "disable_access_token", &[]).await;
    assert_success(&reply);
    assert_eq!(reply["response"], "Token removed or no longer available.");
    assert_error(
        &emu.act(&second, "disable_access_token", &[]).await,
        INVALID_TOKEN,
    );
}

#[tokio::test]
async fn missing_params_json_bodies_and_get_queries() {
    let emu = emulator(false).await;
    let session = emu.login().await;
    assert_error(
        &emu.call("folder/listing", &[]).await,
        "Please provide the access_token param.",
    );
    assert_error(
        &emu.call("folder/listing", &[("access_token", &session.token)])
            .await,
        "Please provide the account_id param.",
    );
    assert_error(
        &emu.call(
            "folder/listing",
            &[("access_token", " "), ("account_id", "1")],
        )
        .await,
        "Please provide the access_token param.",
    );

    // A JSON body is not parsed.
    let reply: Value = emu
        .http
        .post(format!("{}/account/info", emu.api))
        .json(&json!({ "access_token": session.token, "account_id": session.account_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_error(&reply, "Please provide the access_token param.");

    // GET with a query works, and the path is case-insensitive with a trailing slash.
    let reply: Value = emu
        .http
        .get(format!("{}/Account/Info/", emu.api))
        .query(&[
            ("access_token", &session.token),
            ("account_id", &session.account_id),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_success(&reply);
    assert_eq!(reply["data"]["username"], "demo");
}

#[tokio::test]
async fn unknown_routes_and_verbs() {
    let emu = emulator(false).await;
    let session = emu.login().await;
    let response = emu
        .http
        .post(format!("{}/file/xyz", emu.api))
        .form(&[
            ("access_token", &session.token),
            ("account_id", &session.account_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["0"], "No method found within endpoint (file): xyz");
    assert_eq!(body["_status"], "error");
    assert_datetime(&body["_datetime"]);

    let response = emu
        .http
        .post(format!("{}/xyz/info", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!("No endpoint found for: xyz")
    );

    let response = emu
        .http
        .put(format!("{}/file/info", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.json::<Value>().await.unwrap()["0"],
        "Invalid Method"
    );
}

#[tokio::test]
async fn account_info_and_packages_are_strings() {
    let emu = emulator(false).await;
    let premium = emu.login().await;
    let info = emu.act(&premium, "account/info", &[]).await;
    assert_success(&info);
    assert_eq!(info["data"]["id"], "158642");
    assert_eq!(info["data"]["level_id"], "2");
    assert_eq!(info["data"]["status"], "active");
    assert!(info["data"]["storageLimitOverride"].is_null());
    assert_datetime(&info["data"]["lastlogindate"]);

    let package = emu.act(&premium, "account/package", &[]).await;
    assert_success(&package);
    let data = package["data"].as_object().unwrap();
    assert!(data.values().all(Value::is_string), "{package}");
    assert_eq!(data["label"], "Premium Account");
    assert_eq!(data["max_upload_size"], "10737418240");
    assert_eq!(data["level_type"], "paid user");

    let free = emu.login_with(FREE_KEY1, FREE_KEY2).await;
    let package = emu.act(&free, "account/package", &[]).await;
    assert_eq!(package["data"]["label"], "Free Account");
    assert_eq!(package["data"]["max_upload_size"], "10485760");
    assert_eq!(package["data"]["concurrent_uploads"], "2");
    assert_eq!(package["data"]["concurrent_downloads"], "1");
    assert_eq!(package["data"]["level_type"], "free user");
}
