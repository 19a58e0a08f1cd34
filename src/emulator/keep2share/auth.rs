//! `login` (password, image captcha, reCaptcha, lockout), the token check of every other call
//! (`auth_token` from a login, or an account's permanent `access_token`), `test`, and the
//! account calls: `accountInfo`, `getBalance`, `getDomainsList`.

use std::time::{Duration, Instant};

use serde_json::json;

use super::Site;
use super::accounts::{Account, by_access_token, by_id, by_username};
use super::reply::{self, Failure, Outcome, unauthorized};
use super::request::Params;

/// The domains links are built on.
const DOMAINS: [&str; 1] = ["k2s.cc"];

/// Who calls: `None` without a token; 403/10 for a token that is invalid or expired.
pub(super) fn caller(site: &Site, params: &Params) -> Result<Option<&'static Account>, Failure> {
    if let Some(token) = params.string("auth_token")? {
        let lifetime = Duration::from_millis(site.settings().token_lifetime_ms);
        let expire_after = site.shared.faults().expire_tokens_after;
        let account_id =
            site.sessions()
                .validate_token(&token, lifetime, expire_after, Instant::now());
        return account_id
            .and_then(by_id)
            .map(Some)
            .ok_or_else(unauthorized);
    }
    if let Some(token) = params.string("access_token")? {
        return by_access_token(&token).map(Some).ok_or_else(unauthorized);
    }
    Ok(None)
}

/// The caller of a method that needs one.
pub(super) fn account(site: &Site, params: &Params) -> Result<&'static Account, Failure> {
    caller(site, params)?.ok_or_else(unauthorized)
}

/// An answer to one kind of captcha: both fields, or neither.
fn answer(
    params: &Params,
    challenge: &str,
    response: &str,
) -> Result<Option<(String, String)>, Failure> {
    Ok(params.string(challenge)?.zip(params.string(response)?))
}

pub(super) fn login(site: &Site, params: &Params) -> Outcome {
    let username = params.required("username")?;
    let password = params.required("password")?;
    let login = username.trim().to_lowercase();
    let account = by_username(&username);
    let now = Instant::now();
    let attempts = site.settings().login_attempts;
    let mut sessions = site.sessions();
    if sessions.failed_logins(&login) >= attempts.max(1) {
        // Locked out: only a solved reCaptcha lets the login be checked again.
        let Some((challenge, token)) =
            answer(params, "re_captcha_challenge", "re_captcha_response")?
        else {
            return Err(Failure::new(
                406,
                33,
                "Please verify your request via re captcha challenge",
            ));
        };
        if !sessions.solve_re_captcha(&challenge, &token, now) {
            return Err(invalid_captcha());
        }
    } else if account.is_some_and(|account| account.login_needs_captcha) {
        let Some((challenge, response)) = answer(params, "captcha_challenge", "captcha_response")?
        else {
            return Err(Failure::new(406, 30, "Captcha required"));
        };
        if !sessions.solve_captcha(&challenge, &response, now) {
            return Err(invalid_captcha());
        }
    }
    let Some(account) = account.filter(|account| account.password == password) else {
        let failures = sessions.record_failed_login(&login);
        return Err(if failures >= attempts.max(1) {
            Failure::new(
                406,
                71,
                "Login attempt was exceed, please wait or verify your request via captcha challenge",
            )
        } else {
            Failure::new(406, 70, "Invalid login or password")
        });
    };
    sessions.clear_failed_logins(&login);
    let token = sessions.issue_token(account.id, now);
    drop(sessions);
    site.shared.count_token_issued();
    tracing::debug!(account = account.username, "issued a Keep2Share auth token");
    reply::ok(json!({ "auth_token": token }))
}

pub(super) fn invalid_captcha() -> Failure {
    Failure::new(406, 31, "Invalid captcha code")
}

/// Without a token it only says the API is up; with one it also checks the session.
pub(super) fn test(site: &Site, params: &Params) -> Outcome {
    caller(site, params)?;
    reply::ok(json!({ "message": "Test was successful!" }))
}

pub(super) fn account_info(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    reply::ok(json!({
        "available_traffic": site.read(|db| db.traffic_left(account)),
        "account_expires": account.expires(),
    }))
}

pub(super) fn balance(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    reply::ok(json!({ "balance": account.balance }))
}

pub(super) fn domains(site: &Site, params: &Params) -> Outcome {
    account(site, params)?;
    reply::ok(json!({ "domains": DOMAINS }))
}
