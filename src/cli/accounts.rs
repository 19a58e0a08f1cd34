//! `haul accounts list|add|remove|test`

use std::io::BufRead;

use super::progress::note;
use super::{AccountsCommand, CliError, CliResult, Context};
use crate::config::secrets::{self, KeyringError, Secret};
use crate::config::{
    AccountConfig, ProviderFamily, check_account_name, check_base_url, remove_account,
    write_account,
};
use crate::provider::open::open_account;
use crate::sanitize::for_terminal;

pub async fn run(ctx: &Context, cmd: AccountsCommand) -> CliResult {
    match cmd {
        AccountsCommand::List => list(ctx).await,
        AccountsCommand::Add {
            name,
            provider,
            base_url,
            username,
            secret_stdin,
        } => add(ctx, &name, &provider, &base_url, username, secret_stdin).await,
        AccountsCommand::Remove { name } => remove(ctx, &name).await,
        AccountsCommand::Test { name } => test(ctx, name.as_deref()).await,
    }
}

async fn list(ctx: &Context) -> CliResult {
    if ctx.config.accounts.is_empty() {
        note(format!(
            "no accounts in {}; add one with `haul accounts add NAME --provider ... --base-url ...`",
            ctx.config_path.display()
        ));
    }
    for (name, account) in &ctx.config.accounts {
        let secret = match ctx.secret(name).await {
            Ok((_, source)) => source.label().to_string(),
            Err(_) => "missing".to_string(),
        };
        println!(
            "{name}\t{}\t{}\t{}\tsecret: {secret}",
            account.provider,
            for_terminal(&account.base_url),
            for_terminal(account.username.as_deref().unwrap_or("-")),
        );
    }
    Ok(())
}

async fn add(
    ctx: &Context,
    name: &str,
    provider: &str,
    base_url: &str,
    username: Option<String>,
    secret_stdin: bool,
) -> CliResult {
    check_account_name(name)?;
    let provider = ProviderFamily::parse(provider)
        .ok_or_else(|| CliError::usage(format!("unknown provider {provider:?}")))?;
    check_base_url(base_url).map_err(|m| CliError::usage(format!("--base-url: {m}")))?;
    let account = AccountConfig {
        provider,
        base_url: base_url.trim_end_matches('/').to_string(),
        username: username.filter(|u| !u.is_empty()),
    };
    let var = secrets::env_var_name(name);
    let secret = if secret_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Some(line.trim().to_string()).filter(|s| !s.is_empty())
    } else if ctx.interactive {
        let prompt = match provider {
            ProviderFamily::Yetishare if account.username.is_none() => "API keys as KEY1:KEY2: ",
            ProviderFamily::Xfilesharing => "API key: ",
            _ => "password or access token: ",
        };
        let s = rpassword::prompt_password(format!("{name} {prompt}"))?;
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    } else {
        None
    };
    if let Some(s) = &secret {
        // Catch a malformed secret now rather than at first use.
        open_account(&account, &Secret::new(s.clone()))?;
    }
    write_account(&ctx.config_path, name, &account)?;
    note(format!(
        "added account {name} to {}",
        ctx.config_path.display()
    ));
    let Some(secret) = secret else {
        note(format!(
            "no secret given: set {var} in the environment, or run this in a terminal to store it in the OS keyring"
        ));
        return Ok(());
    };
    match secrets::keyring_set(name, &Secret::new(secret)).await {
        Ok(()) => {
            note("secret stored in the OS keyring");
            Ok(())
        }
        Err(KeyringError::Unavailable(why)) => {
            note(format!(
                "no keyring service is running ({why}), so the secret was not stored; set {var} in the environment instead"
            ));
            Ok(())
        }
        Err(e) => Err(CliError::new(format!(
            "{e}; set {var} in the environment instead"
        ))),
    }
}

async fn remove(ctx: &Context, name: &str) -> CliResult {
    ctx.account(name)?;
    remove_account(&ctx.config_path, name)?;
    match secrets::keyring_delete(name).await {
        Ok(true) => note(format!("removed {name} and its keyring secret")),
        Ok(false) => note(format!("removed {name}")),
        Err(e) => note(format!(
            "removed {name}; its keyring secret could not be removed: {e}"
        )),
    }
    Ok(())
}

async fn test(ctx: &Context, only: Option<&str>) -> CliResult {
    let names: Vec<String> = match only {
        Some(n) => {
            ctx.account(n)?;
            vec![n.to_string()]
        }
        None => ctx.config.accounts.keys().cloned().collect(),
    };
    let mut failed = 0;
    for name in &names {
        let outcome = async {
            let p = ctx.provider(name).await?;
            p.authenticate().await?;
            Ok::<_, CliError>(p.account_info().await?)
        }
        .await;
        match outcome {
            Ok(info) => println!(
                "{name}: ok ({}, {})",
                for_terminal(info.username.as_deref().unwrap_or("user unknown")),
                for_terminal(info.plan.as_deref().unwrap_or("plan unknown"))
            ),
            Err(e) => {
                failed += 1;
                println!("{name}: FAILED: {e}");
            }
        }
    }
    if failed > 0 {
        Err(CliError::new(format!(
            "{failed} of {} accounts failed",
            names.len()
        )))
    } else {
        Ok(())
    }
}
