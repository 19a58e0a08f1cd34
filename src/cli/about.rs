//! `haul about ACCOUNT: [--json]`

use serde_json::{Map, Value, json};

use super::progress::human_bytes;
use super::{CliResult, Context, output};
use crate::config::AccountConfig;
use crate::provider::AccountInfo;
use crate::sanitize::for_terminal;

pub async fn about(ctx: &Context, account: &str, as_json: bool) -> CliResult {
    let name = account.strip_suffix(':').unwrap_or(account);
    let name = name.split(':').next().unwrap_or(name);
    let config = ctx.account(name)?;
    let provider = ctx.provider(name).await?;
    let info = provider.account_info().await.map_err(|e| e.context(name))?;
    if as_json {
        return output::json(&about_json(name, &config, &info));
    }
    let mut rows: Vec<(String, String)> = vec![
        ("account".into(), name.to_string()),
        ("provider".into(), config.provider.to_string()),
        ("api".into(), config.base_url.clone()),
    ];
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            rows.push((label.to_string(), v));
        }
    };
    push("user", info.username.clone());
    push("email", info.email.clone());
    push("plan", info.plan.clone());
    push("premium until", info.premium_until.clone());
    let storage = match (info.storage_used, info.storage_limit) {
        (Some(u), Some(l)) => Some(format!("{} of {}", human_bytes(u), human_bytes(l))),
        (Some(u), None) => Some(format!("{} used", human_bytes(u))),
        (None, Some(l)) => Some(format!("limit {}", human_bytes(l))),
        (None, None) => None,
    };
    push("storage", storage);
    push("traffic left", info.traffic_left.map(human_bytes));
    push("max upload size", info.max_upload_size.map(human_bytes));
    push(
        "concurrent uploads",
        info.concurrent_uploads.map(|n| n.to_string()),
    );
    push(
        "concurrent downloads",
        info.concurrent_downloads.map(|n| n.to_string()),
    );
    for (k, v) in &info.extra {
        rows.push((k.clone(), v.clone()));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        output::line(format_args!(
            "{:width$}  {}",
            for_terminal(&k),
            for_terminal(&v)
        ))?;
    }
    Ok(())
}

/// `haul about --json`: the account's facts, sizes in bytes, `null` where the host says nothing.
fn about_json(name: &str, config: &AccountConfig, info: &AccountInfo) -> Value {
    let extra: Map<String, Value> = info
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "account": name,
        "provider": config.provider.as_str(),
        "base_url": config.base_url,
        "username": info.username,
        "email": info.email,
        "plan": info.plan,
        "premium_until": info.premium_until,
        "storage_used": info.storage_used,
        "storage_limit": info.storage_limit,
        "traffic_left": info.traffic_left,
        "max_upload_size": info.max_upload_size,
        "concurrent_uploads": info.concurrent_uploads,
        "concurrent_downloads": info.concurrent_downloads,
        "extra": extra,
    })
}
