//! `account/info` and `account/stats`.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use super::Site;
use super::accounts::Account;
use super::db::DayCount;
use super::params::Params;
use super::reply::{Answer, Outcome};

/// Days `account/stats` covers by default.
const DEFAULT_DAYS: u64 = 7;
/// The longest span one call reports.
const MAX_DAYS: u64 = 366;

/// `storage_used` is a string of bytes, or null while nothing is stored; `storage_left` is a
/// number, or the string "inf" without a quota. A free account's `premium_expire` is when it
/// was created.
pub(super) fn info(site: &Site, account: &Account) -> Outcome {
    let used = site.db.read(|db| db.storage_used(account.id));
    let storage_used = if used == 0 {
        Value::Null
    } else {
        json!(used.to_string())
    };
    let (quota, traffic) = site.db.read(|db| {
        (
            db.storage_quota_of(account),
            db.traffic_left.get(&account.id).copied(),
        )
    });
    let storage_left = match quota {
        Some(quota) => json!(quota.saturating_sub(used)),
        None => json!("inf"),
    };
    let mut info = json!({
        "email": account.email,
        "balance": account.balance,
        "storage_used": storage_used,
        "premium_expire": account.premium_expire,
        "storage_left": storage_left,
    });
    // Some sites report the traffic left; this one does once it has a limit.
    if let (Some(traffic), Value::Object(map)) = (traffic, &mut info) {
        map.insert("traffic_left".to_string(), json!(traffic));
    }
    Ok(Answer::Result(info))
}

/// One object per day, oldest first: the last `last` days up to today, or `from_date` to
/// `to_date` (`YYYY-MM-DD`) when both are given. Every count is a string.
pub(super) fn stats(site: &Site, account: &Account, params: &Params) -> Outcome {
    let today = chrono::Local::now().date_naive();
    let (first, last) = span(params, today);
    let days = site.db.read(|db| {
        let counts = db.days.get(&account.id);
        let mut days = Vec::new();
        let mut day = first;
        while day <= last && days.len() < MAX_DAYS as usize {
            let name = day.format("%Y-%m-%d").to_string();
            let count = counts
                .and_then(|counts| counts.get(&name))
                .copied()
                .unwrap_or_default();
            days.push(day_stats(&name, count));
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        days
    });
    Ok(Answer::Result(Value::Array(days)))
}

fn span(params: &Params, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let date = |name: &str| NaiveDate::parse_from_str(params.text(name), "%Y-%m-%d").ok();
    if let (Some(from), Some(to)) = (date("from_date"), date("to_date")) {
        return (from, to);
    }
    let count = u64::try_from(params.int("last"))
        .ok()
        .filter(|&days| days > 0)
        .unwrap_or(DEFAULT_DAYS)
        .min(MAX_DAYS);
    let first = today
        .checked_sub_days(Days::new(count - 1))
        .unwrap_or(today);
    (first, today)
}

fn day_stats(day: &str, count: DayCount) -> Value {
    json!({
        "day": day,
        "downloads": count.downloads.to_string(),
        "sales": "0",
        "profit_sales": "0.00000",
        "profit_refs": "0.00000",
        "profit_site": "0.00000",
        "views": count.views.to_string(),
        "refs": "0",
        "profit_total": "0.00000",
    })
}
