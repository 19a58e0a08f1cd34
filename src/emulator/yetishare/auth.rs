//! `/authorize` (key pair or username/password), the token check every other endpoint runs
//! first, `/disable_access_token`, and the `account/*` actions.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::Site;
use super::accounts::{ACCOUNTS, Account, by_id};
use super::reply::{self, Outcome};
use super::request::{Params, exact_id};

const KEY_LEN: usize = 64;

/// Key mode when `key1` or `key2` is sent (or nothing is); password mode when `username` or
/// `password` is.
pub(super) fn authorize(site: &Site, params: &Params) -> Outcome {
    let password_mode = params.get("key1").is_none()
        && params.get("key2").is_none()
        && (params.get("username").is_some() || params.get("password").is_some());
    let account = if password_mode {
        let username = params
            .provided("username")
            .ok_or("Please provide a username.")?;
        let password = params
            .provided("password")
            .ok_or("Please provide a password.")?;
        ACCOUNTS
            .iter()
            .find(|a| a.username.eq_ignore_ascii_case(username) && a.password == password)
            .ok_or(
                "Could not authenticate user. The username and password may be invalid or your \
                 account may be locked from too many failed logins.",
            )?
    } else {
        let key1 = params
            .get("key1")
            .filter(|key| key.len() == KEY_LEN)
            .ok_or("Please provide key1. It must be 64 characters in length.")?;
        let key2 = params
            .get("key2")
            .filter(|key| key.len() == KEY_LEN)
            .ok_or("Please provide key2. It must be 64 characters in length.")?;
        ACCOUNTS
            .iter()
            .find(|a| a.key1 == key1 && a.key2 == key2)
            .ok_or(
                "Could not authenticate user. The key pair may be invalid or your account may be \
                 locked from too many failed logins.",
            )?
    };
    let token = site.sessions().issue(account.id, Instant::now());
    site.shared.count_token_issued();
    let now = reply::now();
    site.change(|db| {
        db.last_logins.insert(account.id, now);
        Ok::<(), String>(())
    })?;
    tracing::debug!(account = account.username, "issued an access token");
    Ok(reply::keys(json!({
        "data": {
            "access_token": token,
            "account_id": account.id.to_string(),
        }
    })))
}

/// The check in every authenticated endpoint's constructor.
pub(super) fn validate(site: &Site, params: &Params) -> Result<&'static Account, String> {
    let token = params
        .provided("access_token")
        .ok_or("Please provide the access_token param.")?;
    let account_id = params
        .provided("account_id")
        .ok_or("Please provide the account_id param.")?;
    let invalid = || {
        "Could not validate access_token and account_id, please reauthenticate or try again."
            .to_string()
    };
    let account = exact_id(account_id).and_then(by_id).ok_or_else(invalid)?;
    let expire_after = site.shared.faults().expire_tokens_after;
    let valid = site
        .sessions()
        .validate(token, account.id, expire_after, Instant::now());
    if valid { Ok(account) } else { Err(invalid()) }
}

/// Deletes the (already validated) token.
pub(super) fn disable_access_token(site: &Site, params: &Params) -> Map<String, Value> {
    site.sessions().revoke(params.text("access_token"));
    reply::keys(json!({ "response": "Token removed or no longer available." }))
}

pub(super) fn account_info(site: &Site, account: &Account) -> Map<String, Value> {
    let (last_login, limits) = site.read(|db| {
        (
            db.last_logins.get(&account.id).cloned(),
            db.limits(account.id),
        )
    });
    reply::keys(json!({ "data": account.info(last_login.as_deref(), &limits) }))
}
