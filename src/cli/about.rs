//! `haul about ACCOUNT:` and `haul link ACCOUNT:PATH`

use super::progress::human_bytes;
use super::target::{RemoteTarget, Resolved, resolve};
use super::{CliError, CliResult, Context};
use crate::sanitize::for_terminal;

pub async fn about(ctx: &Context, account: &str) -> CliResult {
    let name = account.strip_suffix(':').unwrap_or(account);
    let name = name.split(':').next().unwrap_or(name);
    let config = ctx.account(name)?;
    let provider = ctx.provider(name).await?;
    let info = provider.account_info().await.map_err(|e| e.context(name))?;
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
        println!("{:width$}  {}", for_terminal(&k), for_terminal(&v));
    }
    Ok(())
}

pub async fn link(ctx: &Context, target: &str) -> CliResult {
    let target = RemoteTarget::parse(target)?;
    let provider = ctx.provider(&target.account).await?;
    let entry = match resolve(provider.as_ref(), &target).await? {
        Resolved::Root => {
            return Err(CliError::new(format!(
                "{target}: the root has no public link"
            )));
        }
        Resolved::Entry(e) => e,
    };
    let url = provider
        .public_link(&entry.as_ref())
        .await
        .map_err(|e| e.context(&target))?;
    println!("{}", for_terminal(&url));
    Ok(())
}
