//! The envelope, login, captcha and lockout over the wire.

use super::*;

#[tokio::test]
async fn envelope_method_case_and_bodies() {
    let emu = emulator().await;
    // No body, no content type, upper-case method name.
    let response = emu
        .http
        .post(format!("{}/TEST", emu.api))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"status":"success","code":200,"message":"Test was successful!"}"#
    );
    // A raw JSON string without a content type, method in odd case; nulls are absent keys.
    let response = emu
        .http
        .post(format!("{}/LoGiN", emu.api))
        .body(format!(
            r#"{{"username":"{PREMIUM_USERNAME}","password":"{PREMIUM_PASSWORD}","captcha_challenge":null,"re_captcha_response":null}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = response.json().await.unwrap();
    let token = reply["auth_token"].as_str().unwrap();
    assert_eq!(token.len(), 26);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let keys: Vec<&String> = reply.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["status", "code", "auth_token"]);
    // Form content type, JSON body: still parsed.
    let response = emu
        .http
        .post(format!("{}/accountinfo", emu.api))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(r#"{{"auth_token":"{token}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let (status, text, _) = emu.raw("login", &json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        text,
        r#"{"message":"Invalid request params","status":"error","code":400,"errorCode":2}"#
    );
    let response = emu
        .http
        .post(format!("{}/login", emu.api))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    emu.fails("login", json!({"username": PREMIUM_USERNAME}), 400, 2)
        .await;
    // Wrong types are bad params too, never a crash.
    emu.fails(
        "getFilesList",
        json!({"auth_token": token, "limit": "many"}),
        400,
        2,
    )
    .await;
    emu.fails(
        "getFilesList",
        json!({"auth_token": token, "extended_info": "yes"}),
        400,
        2,
    )
    .await;

    let (status, text, _) = emu.raw("noSuchMethod", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        text,
        r#"{"message":"Method not found","status":"error","code":404}"#
    );
    let response = emu.get(&format!("{}/login", emu.api)).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn login_tokens_and_account_calls() {
    let emu = emulator().await;
    let reply = emu
        .fails(
            "login",
            json!({"username": PREMIUM_USERNAME, "password": "nope"}),
            406,
            70,
        )
        .await;
    assert_eq!(reply["message"], "Invalid login or password");
    // Logins are e-mails: any case.
    let token = emu
        .login(&PREMIUM_USERNAME.to_uppercase(), PREMIUM_PASSWORD)
        .await;

    let (_, text, _) = emu.raw("accountInfo", &json!({"auth_token": token})).await;
    assert_eq!(
        text,
        r#"{"status":"success","code":200,"available_traffic":53687091200,"account_expires":4102444800}"#
    );
    let free = emu.free().await;
    let info = emu.ok("accountInfo", json!({"auth_token": free})).await;
    assert_eq!(info["account_expires"], false);
    assert_eq!(info["available_traffic"], 10_u64 << 30);
    let balance = emu.ok("getBalance", json!({"auth_token": token})).await;
    assert_eq!(balance["balance"], 12.5);
    let domains = emu.ok("getDomainsList", json!({"auth_token": token})).await;
    assert_eq!(domains["domains"], json!(["k2s.cc"]));
    // The permanent access token works in place of a session.
    emu.ok("getBalance", json!({"access_token": PREMIUM_ACCESS_TOKEN}))
        .await;
    emu.ok("test", json!({"auth_token": token})).await;

    let unauthorized = r#"{"message":"You are not authorized for this action","status":"error","code":403,"errorCode":10}"#;
    for body in [
        json!({}),
        json!({"auth_token": "0123456789abcdefghijklmnop"}),
        json!({"access_token": "wrong"}),
        json!({"auth_token": null}),
    ] {
        let (status, text, _) = emu.raw("accountInfo", &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(text, unauthorized);
    }
    emu.fails("test", json!({"auth_token": "stale"}), 403, 10)
        .await;

    // Tokens expire after the configured idle time.
    emu.settings(json!({"token_lifetime_ms": 300})).await;
    let short = emu.premium().await;
    emu.ok("getBalance", json!({"auth_token": short})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    emu.fails("getBalance", json!({"auth_token": short}), 403, 10)
        .await;
    emu.settings(json!({})).await;

    // ...and through the shared fault knob, after N authenticated calls.
    emu.handle.set_faults(Faults {
        expire_tokens_after: Some(2),
        ..Faults::default()
    });
    let counted = emu.premium().await;
    emu.ok("getBalance", json!({"auth_token": counted})).await;
    emu.ok("getBalance", json!({"auth_token": counted})).await;
    emu.fails("getBalance", json!({"auth_token": counted}), 403, 10)
        .await;
    emu.ok("getBalance", json!({"access_token": PREMIUM_ACCESS_TOKEN}))
        .await;
}

#[tokio::test]
async fn login_captcha_recaptcha_and_lockout() {
    let emu = emulator().await;
    let creds = json!({"username": CAPTCHA_USERNAME, "password": CAPTCHA_PASSWORD});
    let reply = emu.fails("login", creds.clone(), 406, 30).await;
    assert_eq!(reply["message"], "Captcha required");
    let challenge = emu.ok("requestCaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    assert_eq!(id.len(), 13);
    let mut attempt = creds.clone();
    attempt["captcha_challenge"] = json!(id);
    attempt["captcha_response"] = json!("wrong");
    let reply = emu.fails("login", attempt.clone(), 406, 31).await;
    assert_eq!(reply["message"], "Invalid captcha code");
    // The challenge survives a wrong answer.
    attempt["captcha_response"] = json!(emu.answer(id).await.to_uppercase());
    let reply = emu.ok("login", attempt.clone()).await;
    assert!(reply["auth_token"].is_string());
    // ...and is used up by a right one.
    emu.fails("login", attempt, 406, 31).await;

    // Wrong passwords: 70, 70, then 71; from then on a reCaptcha is needed.
    let wrong = json!({"username": FREE_USERNAME, "password": "bad"});
    emu.fails("login", wrong.clone(), 406, 70).await;
    emu.fails("login", wrong.clone(), 406, 70).await;
    let reply = emu.fails("login", wrong.clone(), 406, 71).await;
    assert_eq!(
        reply["message"],
        "Login attempt was exceed, please wait or verify your request via captcha challenge"
    );
    let right = json!({"username": FREE_USERNAME, "password": FREE_PASSWORD});
    let reply = emu.fails("login", right.clone(), 406, 33).await;
    assert_eq!(
        reply["message"],
        "Please verify your request via re captcha challenge"
    );
    let re = emu.ok("requestReCaptcha", json!({})).await;
    let re_id = re["challenge"].as_str().unwrap().to_string();
    assert_eq!(
        re["captcha_url"],
        format!("{}/reCaptcha.html?id={re_id}", emu.api)
    );
    let page = emu.get(re["captcha_url"].as_str().unwrap()).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    let token = html
        .split("<code id=\"re_captcha_response\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("token on the page")
        .to_string();
    assert_eq!(token, emu.answer(&re_id).await);
    // The doc's path without `.html` serves the same page.
    let plain = emu.get(&format!("{}/reCaptcha?id={re_id}", emu.api)).await;
    assert!(plain.text().await.unwrap().contains(&token));
    let missing = emu.get(&format!("{}/reCaptcha?id=nope", emu.api)).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.text().await.unwrap(),
        r#"{"message":"Id not found","status":"error","code":400}"#
    );

    let mut attempt = right.clone();
    attempt["re_captcha_challenge"] = json!(re_id);
    attempt["re_captcha_response"] = json!("not-the-token");
    emu.fails("login", attempt.clone(), 406, 31).await;
    attempt["re_captcha_response"] = json!(token);
    emu.ok("login", attempt).await;
    // A successful login clears the count.
    emu.fails("login", wrong, 406, 70).await;
}

#[tokio::test]
async fn captcha_images_are_png() {
    let emu = emulator().await;
    let challenge = emu.ok("requestcaptcha", json!({})).await;
    let id = challenge["challenge"].as_str().unwrap();
    let url = challenge["captcha_url"].as_str().unwrap();
    assert_eq!(url, format!("{}/captcha?id={id}", emu.api));
    let answer = emu.answer(id).await;
    assert_eq!(answer.len(), 6);
    for response in [
        emu.get(url).await,
        emu.http.post(url).send().await.unwrap(),
        emu.get(&format!("{}/captcha.html?id={id}", emu.api)).await,
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
        let bytes = response.bytes().await.unwrap();
        let image =
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).expect("a PNG");
        assert!(image.width() > image.height() && image.height() >= 40);
    }
    let missing = emu
        .get(&format!("{}/captcha?id=0000000000000", emu.api))
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let hook = emu
        .get(&format!(
            "{}/__emulator/keep2share/captcha/nope",
            emu.handle.base_url()
        ))
        .await;
    assert_eq!(hook.status(), StatusCode::NOT_FOUND);
}
