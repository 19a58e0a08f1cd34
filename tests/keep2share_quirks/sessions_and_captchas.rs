//! Sessions, wrong passwords and the lockout, login captchas and reCaptchas.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_access_tokens_and_account_calls() {
    let e = env(false).await;
    let p = e.premium();
    p.test().await.expect("test with a session");
    assert_eq!(e.stat("tokens_issued"), 1);
    let info = p.account_info().await.unwrap();
    assert_eq!(info.username.as_deref(), Some(PREMIUM_USERNAME));
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(
        info.premium_until.as_deref(),
        Some("2100-01-01 00:00:00 UTC")
    );
    assert_eq!(info.traffic_left, Some(50 << 30));
    assert_eq!(info.extra.get("balance").map(String::as_str), Some("12.50"));
    assert_eq!(p.get_balance().await.unwrap(), 12.5);
    assert_eq!(p.get_domains_list().await.unwrap(), ["k2s.cc"]);
    assert_eq!(e.stat("tokens_issued"), 1, "one login serves every call");

    let free = e.free().account_info().await.unwrap();
    assert_eq!(free.plan.as_deref(), Some("free"));
    assert_eq!(free.premium_until, None);
    assert_eq!(free.extra.get("balance").map(String::as_str), Some("0.00"));

    // The permanent API token: no login at all.
    let before = e.stat("tokens_issued");
    let t = Keep2Share::new(
        &e.api(),
        Credentials::from_secret(None, PREMIUM_ACCESS_TOKEN).unwrap(),
    )
    .unwrap();
    t.authenticate().await.expect("access token");
    t.test().await.unwrap();
    assert_eq!(t.get_balance().await.unwrap(), 12.5);
    assert_eq!(e.stat("tokens_issued"), before);
    let bad = Keep2Share::new(&e.api(), Credentials::from_secret(None, "nope").unwrap()).unwrap();
    let err = bad.authenticate().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("access token"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_then_the_lockout_then_a_recaptcha() {
    let e = env(false).await;
    let wrong = e.client(FREE_USERNAME, "not-the-password");
    for _ in 0..2 {
        let err = wrong.authenticate().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert!(err.message.contains("invalid login or password"), "{err}");
        assert!(!err.message.contains("not-the-password"), "{err}");
    }
    // A lazy login does not try again behind the user's back.
    let logins = e.calls("login");
    assert_eq!(
        wrong.list(&FolderId::Root).await.unwrap_err().kind,
        ErrorKind::Auth
    );
    assert_eq!(e.calls("login"), logins);
    // The third wrong password: 71, in words.
    let err = wrong.authenticate().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(err.message.contains("too many login attempts"), "{err}");
    assert!(err.message.contains("30 minutes"), "{err}");

    // Now even the right password needs a reCaptcha (33).
    let right = e.free();
    let first = challenge_of(right.authenticate().await.unwrap_err());
    assert_eq!(first.kind, ChallengeKind::ReCaptcha);
    assert_eq!(first.purpose, ChallengePurpose::Login);
    let url = first.url.clone().expect("a page to solve it on");
    assert!(url.contains("reCaptcha.html?id="), "{url}");
    assert!(url.ends_with(&first.id), "{url}");
    let page = e.http.get(&url).send().await.unwrap().text().await.unwrap();
    let token = e.answer(&first).await;
    assert!(page.contains(&token), "the page shows the token");
    // A wrong token: a new reCaptcha.
    let second = challenge_of(right.answer_challenge(&first, "wrong").await.unwrap_err());
    assert_eq!(second.kind, ChallengeKind::ReCaptcha);
    assert_ne!(second.id, first.id);
    let token = e.answer(&second).await;
    assert_eq!(right.answer_challenge(&second, &token).await.unwrap(), None);
    right.list(&FolderId::Root).await.expect("logged in");
    // The lockout is over: a plain login works again.
    e.free().authenticate().await.expect("no captcha any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_image_captcha_is_answered_through_the_hook() {
    let e = env(false).await;
    let p = e.client(CAPTCHA_USERNAME, CAPTCHA_PASSWORD);
    let first = challenge_of(p.authenticate().await.unwrap_err());
    assert_eq!(first.kind, ChallengeKind::ImageCaptcha);
    assert_eq!(first.purpose, ChallengePurpose::Login);
    let image = first.image.clone().expect("the image is fetched");
    assert!(image.starts_with(b"\x89PNG"), "a PNG");
    assert!(first.url.as_deref().unwrap().contains(&first.id));
    // Calls that log in lazily get the same demand, without another login.
    let logins = e.calls("login");
    let again = challenge_of(p.list(&FolderId::Root).await.unwrap_err());
    assert_eq!(again.id, first.id);
    assert_eq!(e.calls("login"), logins);

    let second = challenge_of(p.answer_challenge(&first, "zzzzzz").await.unwrap_err());
    assert_eq!(second.kind, ChallengeKind::ImageCaptcha);
    assert_ne!(second.id, first.id, "a wrong answer brings a new captcha");
    assert!(second.image.is_some());
    let answer = e.answer(&second).await;
    assert_eq!(p.answer_challenge(&second, &answer).await.unwrap(), None);
    assert_eq!(
        p.account_info().await.unwrap().plan.as_deref(),
        Some("free")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captcha_calls_and_images() {
    let e = env(false).await;
    let p = e.free();
    let c = p.request_captcha().await.unwrap();
    assert_eq!(c.challenge.len(), 13);
    assert!(c.challenge.bytes().all(|b| b.is_ascii_hexdigit()));
    let url = c.captcha_url.clone().unwrap();
    assert!(url.contains("/captcha?id="), "{url}");
    let image = p.captcha_image(&c.challenge).await.unwrap();
    assert!(image.starts_with(b"\x89PNG"));
    let answer: Value = e
        .http
        .get(e.hook(&format!("captcha/{}", c.challenge)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["answer"].as_str().unwrap().len(), 6);
    let r = p.request_re_captcha().await.unwrap();
    assert!(r.captcha_url.unwrap().contains("reCaptcha.html?id="));
    let err = p.captcha_image("0000000000000").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("Id not found"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_share_one_login() {
    let e = env(false).await;
    // A slow host, so that every task asks before the first login has come back.
    e.server.set_faults(Faults {
        latency_ms: 100,
        ..Default::default()
    });
    let p = std::sync::Arc::new(e.premium());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.list(&FolderId::Root).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("listed");
    }
    assert_eq!(e.calls("login"), 1);
    assert_eq!(e.stat("tokens_issued"), 1);
}
