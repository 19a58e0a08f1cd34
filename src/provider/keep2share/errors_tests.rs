//! Every error reply in the protocol notes, and what it becomes.

use serde_json::{Value, json};

use super::*;

fn parse(http: u16, body: Value) -> ApiError {
    ApiError::parse(http, &body, None, &[])
}

fn failure(http: u16, body: Value) -> ProviderError {
    match classify(&parse(http, body)) {
        Reaction::Fail(e) => e,
        other => panic!("expected a plain failure, got {other:?}"),
    }
}

fn kind_of(code: Value, http: u16) -> ErrorKind {
    failure(
        http,
        json!({"status":"error","code":http,"errorCode":code,"message":"x"}),
    )
    .kind
}

#[test]
fn every_plain_error_code_has_a_kind() {
    use ErrorKind::*;
    let table = [
        (json!(2), 400, InvalidInput),
        (json!(3), 400, InvalidInput),
        (json!(4), 400, InvalidInput),
        (json!(20), 406, NotFound),
        (json!(21), 406, Fatal),
        (json!(22), 406, Fatal),
        (json!(23), 406, InvalidInput),
        (json!(41), 406, RateLimited),
        (json!(42), 406, Fatal),
        (json!(43), 406, Quota),
        (json!(50), 406, Fatal),
        (json!(51), 406, Fatal),
        (json!(53), 403, Auth),
        (json!(60), 406, Fatal),
        (json!(62), 406, InvalidInput),
        (json!(64), 406, Quota),
        (json!(70), 406, Auth),
        (json!(71), 406, Auth),
        (json!(72), 403, Auth),
        (json!(73), 403, Auth),
        (json!(74), 403, Auth),
        (json!(76), 403, Auth),
        (json!(77), 403, Auth),
        (json!(80), 403, Auth),
        (json!(81), 406, NotFound),
        (json!("captcha_need_wait"), 400, RateLimited),
        (json!("captcha_need_wait_daily"), 400, Auth),
        (json!("not_found"), 406, NotFound),
        (json!("deleted"), 406, NotFound),
        (json!("abused"), 406, Fatal),
        (json!("blocked"), 406, Fatal),
        (json!("70"), 406, Auth),
        (json!(999), 406, Fatal),
        (json!(999), 503, Transient),
    ];
    for (code, http, kind) in table {
        assert_eq!(kind_of(code.clone(), http), kind, "errorCode {code}");
    }
}

#[test]
fn words_a_person_understands() {
    let e = failure(
        406,
        json!({"message":"Invalid login or password","status":"error","code":406,"errorCode":70}),
    );
    assert_eq!(e.message, "invalid login or password");
    let e = failure(
        406,
        json!({"code":406,"errorCode":71,"message":"Login attempt was exceed"}),
    );
    assert!(e.message.contains("wait about 30 minutes"), "{}", e.message);
    assert!(e.message.contains("captcha"), "{}", e.message);
    let e = failure(
        406,
        json!({"code":406,"errorCode":22,"message":"File is blocked"}),
    );
    assert_eq!(e.message, "the file is blocked");
    let e = failure(
        406,
        json!({"code":406,"errorCode":61,"message":"Limit files in specified folder reached"}),
    );
    assert_eq!(e.kind, ErrorKind::Quota);
    assert!(e.message.contains("50,000"), "{}", e.message);
    let e = failure(
        406,
        json!({"code":406,"errorCode":64,"message":"Disk quota exceeded"}),
    );
    assert!(e.message.contains("disk quota"), "{}", e.message);
}

#[test]
fn ambiguous_codes_are_read_with_their_message() {
    let e = failure(
        406,
        json!({"code":406,"errorCode":61,"message":"Error create file"}),
    );
    assert_eq!(e.kind, ErrorKind::Fatal);
    assert!(e.message.contains("Error create file"), "{}", e.message);
    let e = failure(
        406,
        json!({"code":406,"errorCode":63,"message":"No available nodes"}),
    );
    assert_eq!(e.kind, ErrorKind::Transient);
    let e = failure(
        406,
        json!({"code":406,"errorCode":63,"message":"Error update file"}),
    );
    assert_eq!(e.kind, ErrorKind::Fatal);
}

#[test]
fn copy_errors_list_the_reasons() {
    let e = failure(
        406,
        json!({"status":"error","code":406,"errorCode":62,"message":"Error copy file","errors":["Destination directory was not found","Name is too short (minimum is 3 characters)."]}),
    );
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("Destination directory was not found"));
    assert!(e.message.contains("Name is too short"));
}

#[test]
fn download_sub_codes() {
    use ErrorKind::*;
    let table = [
        (1, Quota, "download count"),
        (2, Quota, "traffic limit reached"),
        (3, Quota, "free accounts can't download files this large"),
        (4, Auth, "no access"),
        (6, RateLimited, "one file at a time"),
        (7, Quota, "premium users only"),
        (8, Auth, "private file"),
        (9, Quota, "subscribers only"),
    ];
    for (top, sub, kind, words) in [21, 42]
        .into_iter()
        .flat_map(|top| table.map(|(s, k, w)| (top, s, k, w)))
    {
        let e = failure(
            406,
            json!({"status":"error","code":406,"errorCode":top,"message":"Download is not available","errors":[{"code":sub}]}),
        );
        assert_eq!(e.kind, kind, "{top}/{sub}");
        assert!(e.message.contains(words), "{top}/{sub}: {}", e.message);
    }
}

#[test]
fn traffic_exceeded_example_from_the_sdk() {
    let e = failure(
        406,
        json!({"message":"Download is not available","status":"error","code":406,"errorCode":21,"errors":[{"code":2,"message":"Traffic limit exceed"}]}),
    );
    assert_eq!(e.kind, ErrorKind::Quota);
    assert_eq!(e.message, "traffic limit reached");
}

#[test]
fn sub_code_5_waits_time_remaining() {
    let e = failure(
        406,
        json!({"status":"error","code":406,"errorCode":42,"message":"Download not available","errors":[{"code":5,"timeRemaining":"2521.000000"}]}),
    );
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(2521)));
    assert!(e.message.contains("43 min"), "{}", e.message);
    let e = failure(
        406,
        json!({"code":406,"errorCode":42,"errors":[{"code":5,"timeRemaining":30.5}]}),
    );
    assert_eq!(e.retry_after, Some(Duration::from_secs(31)));
}

#[test]
fn unknown_sub_codes_quote_the_host() {
    let e = failure(
        406,
        json!({"code":406,"errorCode":21,"message":"File is not available","errors":[{"code":99,"message":"Odd"}]}),
    );
    assert_eq!(e.kind, ErrorKind::Fatal);
    assert!(e.message.contains("Odd"), "{}", e.message);
}

#[test]
fn session_errors_ask_for_one_relogin() {
    for body in [
        json!({"status":"error","code":403,"errorCode":10,"message":"You are not authorized for this action"}),
        json!({"status":"error","code":403,"errorCode":11,"message":"Authorization session was expired"}),
        json!({"status":"error","code":403,"message":"Authorization session was expired"}),
    ] {
        assert!(
            matches!(classify(&parse(403, body.clone())), Reaction::Relogin(e) if e.kind == ErrorKind::Auth),
            "{body}"
        );
    }
    let e = parse(
        403,
        json!({"status":"error","code":403,"errorCode":75,"message":"This token not allow access from this IP address"}),
    );
    assert!(matches!(classify(&e), Reaction::EndSession(e) if e.kind == ErrorKind::Auth));
}

#[test]
fn captcha_codes_become_demands() {
    let demand = |code: i64| match classify(&parse(406, json!({"code":406,"errorCode":code}))) {
        Reaction::Captcha(d) => d.kind,
        other => panic!("{code}: {other:?}"),
    };
    assert_eq!(demand(30), Some(ChallengeKind::ImageCaptcha));
    assert_eq!(demand(33), Some(ChallengeKind::ReCaptcha));
    assert_eq!(demand(31), None);
    assert_eq!(demand(40), Some(ChallengeKind::ImageCaptcha));
}

#[test]
fn too_many_requests_waits_a_minute_or_as_told() {
    let e = failure(429, json!({"status":"error","code":429}));
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(RATE_LIMIT_WAIT));
    let told = ApiError::parse(429, &json!({}), Some(Duration::from_secs(7)), &[]);
    match classify(&told) {
        Reaction::Fail(e) => assert_eq!(e.retry_after, Some(Duration::from_secs(7))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_codes_without_error_code() {
    assert_eq!(
        failure(
            400,
            json!({"status":"error","code":400,"message":"Id not found"})
        )
        .kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        failure(500, json!({"status":"error"})).kind,
        ErrorKind::Transient
    );
    // HTTP 200 with an error body: the body's code counts.
    let e = parse(200, json!({"status":"error","code":406,"errorCode":20}));
    assert_eq!(e.status, 406);
    // The upload node says status_code.
    let e = parse(200, json!({"status":"error","status_code":503}));
    assert_eq!(e.status, 503);
}

#[test]
fn host_text_is_one_safe_line_without_secrets_or_urls() {
    let e = ApiError::parse(
        406,
        &json!({"code":406,"errorCode":60,"message":"bad\ntoken s3cr3tT0k3n at https://h/x?sig=abc \u{1b}[31m"}),
        None,
        &["s3cr3tT0k3n"],
    );
    let Reaction::Fail(err) = classify(&e) else {
        panic!()
    };
    assert!(!err.message.contains('\n'));
    assert!(!err.message.contains("s3cr3tT0k3n"), "{}", err.message);
    assert!(!err.message.contains("sig=abc"), "{}", err.message);
    assert!(!err.message.contains('\u{1b}'));
    let long = "x".repeat(1000);
    assert!(safe_text(&long, &[]).len() < 300);
}

#[test]
fn waits_in_words() {
    assert_eq!(human_wait(Duration::from_secs(30)), "30 s");
    assert_eq!(human_wait(Duration::from_secs(61)), "2 min");
    assert_eq!(human_wait(Duration::from_secs(3900)), "1 h 5 min");
    assert_eq!(seconds_of(&json!("nan")), None);
    assert_eq!(seconds_of(&json!(-3)), None);
    assert_eq!(seconds_of(&json!(1e12)), Some(MAX_WAIT));
}

#[test]
fn web_pages_instead_of_files() {
    let e = web_page_instead_of_file(
        "Your current tariff doesn't allow to download more files then you are downloading now",
    );
    assert_eq!(e.kind, ErrorKind::RateLimited);
    let e = web_page_instead_of_file("You exceeded your Premium 20 GB daily limit");
    assert_eq!(e.kind, ErrorKind::Quota);
    let e = web_page_instead_of_file("Maintenance");
    assert_eq!(e.kind, ErrorKind::Fatal);
    assert!(e.message.contains("Maintenance"));
}
