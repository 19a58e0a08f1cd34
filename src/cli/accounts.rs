//! `haul accounts list|add|remove|test`

use std::io::BufRead;

use super::account_setup::check_secret;
use super::progress::note;
use super::{AccountsCommand, CliError, CliResult, Context};
use crate::config::new_account::{AccountError, AccountField, secret_kind, validate_account};
use crate::config::secrets::{self, KeyringError, Secret};
use crate::config::{remove_account, write_account};
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
    let accounts = ctx.accounts();
    if accounts.is_empty() {
        note(format!(
            "no accounts in {}; add one with `haul accounts add NAME --provider ... --base-url ...`",
            ctx.config_path.display()
        ));
    }
    for (name, account) in &accounts {
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
    let account =
        validate_account(name, provider, base_url, username.as_deref()).map_err(usage_error)?;
    let var = secrets::env_var_name(name);
    let secret = if secret_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Some(line.trim().to_string()).filter(|s| !s.is_empty())
    } else if ctx.interactive {
        let kind = secret_kind(account.provider, account.username.is_some());
        let s = rpassword::prompt_password(format!("{name} {kind}: "))?;
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    } else {
        None
    };
    if let Some(s) = &secret {
        // Catch a malformed secret now rather than at first use.
        check_secret(&account, &Secret::new(s.clone())).map_err(CliError::new)?;
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

/// A field error as the command line reports it.
fn usage_error(e: AccountError) -> CliError {
    match e.field {
        Some(AccountField::BaseUrl) => CliError::usage(format!("--base-url: {}", e.message)),
        Some(AccountField::Provider) => CliError::usage(e.message),
        _ => CliError::new(e.message),
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
        None => ctx.account_names(),
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
