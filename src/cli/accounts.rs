//! `haul accounts list|sites|add|remove|test`

use std::io::BufRead;

use serde_json::{Value, json};

use super::account_setup::{check_secret, sign_in};
use super::progress;
use super::{AccountsCommand, CliError, CliResult, Context, output};
use crate::config::new_account::{AccountError, AccountField, secret_kind, validate_account};
use crate::config::secrets::{self, KeyringError, Secret};
use crate::config::{remove_account, write_account};
use crate::sanitize::for_terminal;

pub async fn run(ctx: &Context, cmd: AccountsCommand) -> CliResult {
    match cmd {
        AccountsCommand::List { json } => list(ctx, json).await,
        AccountsCommand::Sites { json } => sites(json),
        AccountsCommand::Add {
            name,
            site,
            provider,
            base_url,
            username,
            secret_stdin,
            no_check,
        } => {
            let (provider, base_url) = preset(site.as_deref(), provider, base_url)?;
            let new = NewAccount {
                name,
                provider,
                base_url,
                username,
            };
            add(ctx, new, secret_stdin, !no_check).await
        }
        AccountsCommand::Remove { name } => remove(ctx, &name).await,
        AccountsCommand::Test { name } => test(ctx, name.as_deref()).await,
    }
}

async fn list(ctx: &Context, as_json: bool) -> CliResult {
    let accounts = ctx.accounts();
    if accounts.is_empty() && !as_json {
        progress::line(format!(
            "no accounts in {}; add one with `haul accounts add NAME --site HOST` (or --provider ... --base-url ...)",
            ctx.config_path.display()
        ));
    }
    let mut items = Vec::new();
    for (name, account) in &accounts {
        // Where the secret is, never the secret.
        let secret = match ctx.secret(name).await {
            Ok((_, source)) => source.label(),
            Err(_) => "missing",
        };
        if as_json {
            items.push(json!({
                "name": name,
                "provider": account.provider.as_str(),
                "base_url": account.base_url,
                "username": account.username,
                "secret": secret,
                "secret_env": secrets::env_var_name(name),
            }));
            continue;
        }
        output::line(format_args!(
            "{name}\t{}\t{}\t{}\tsecret: {secret}",
            account.provider,
            for_terminal(&account.base_url),
            for_terminal(account.username.as_deref().unwrap_or("-")),
        ))?;
    }
    if as_json {
        return output::json(&Value::Array(items));
    }
    Ok(())
}

/// `haul accounts sites`: the hosts `--site` knows.
pub fn sites(as_json: bool) -> CliResult {
    let sites = crate::config::sites::sites();
    if as_json {
        let items: Vec<Value> = sites
            .iter()
            .map(|s| {
                json!({
                    "host": s.host,
                    "provider": s.provider.as_str(),
                    "base_url": s.base_url,
                    "aliases": s.aliases,
                    "about": s.about,
                })
            })
            .collect();
        return output::json(&Value::Array(items));
    }
    let width = sites.iter().map(|s| s.host.len()).max().unwrap_or(0);
    for s in sites {
        output::line(format_args!(
            "{:width$}  {:<12}  {}  {}",
            s.host, s.provider, s.base_url, s.about
        ))?;
    }
    Ok(())
}

/// The provider and base URL of a new account: from `--site`'s preset (an explicit
/// `--base-url` wins), or as given.
fn preset(
    site: Option<&str>,
    provider: Option<String>,
    base_url: Option<String>,
) -> CliResult<(String, String)> {
    let known = site.and_then(crate::config::sites::find);
    match (site, known, provider, base_url) {
        (_, Some(known), Some(p), _) if !p.eq_ignore_ascii_case(known.provider.as_str()) => {
            Err(CliError::usage(format!(
                "--site {} is a {} site, not {p}",
                known.host, known.provider
            )))
        }
        (_, Some(known), _, base_url) => Ok((
            known.provider.as_str().to_string(),
            base_url.unwrap_or_else(|| known.base_url.clone()),
        )),
        (_, None, Some(p), Some(b)) => Ok((p, b)),
        (Some(site), None, _, _) => Err(CliError::usage(format!(
            "unknown site {:?} (known: {}; `haul accounts sites` lists them); for another site give --provider and --base-url",
            for_terminal(site),
            crate::config::sites::names()
        ))),
        (None, None, _, _) => Err(CliError::usage(
            "give --site HOST (`haul accounts sites` lists them), or --provider and --base-url",
        )),
    }
}

/// `haul accounts add`'s arguments.
struct NewAccount {
    name: String,
    provider: String,
    base_url: String,
    username: Option<String>,
}

async fn add(ctx: &Context, new: NewAccount, secret_stdin: bool, check: bool) -> CliResult {
    let name = new.name.as_str();
    let account = validate_account(name, &new.provider, &new.base_url, new.username.as_deref())
        .map_err(usage_error)?;
    if ctx.is_demo() {
        return Err(CliError::new(format!(
            "{name} ({}, {}) is not kept: --demo's accounts are built in and nothing is written; \
             add it without --demo (the TUI's `haul --demo` adds accounts for its session)",
            account.provider,
            for_terminal(&account.base_url)
        )));
    }
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
    if check {
        // Sign in once, with the secret given or the one already set: a wrong one is refused
        // before anything is written.
        let to_check = match &secret {
            Some(s) => Some(Secret::new(s.clone())),
            None => ctx.secret(name).await.ok().map(|(s, _)| s),
        };
        if let Some(s) = to_check {
            sign_in(&account, &s, ctx.network()).await.map_err(|why| {
                CliError::new(format!(
                    "{name}: cannot sign in: {why} (nothing was written; --no-check skips this check)"
                ))
            })?;
            progress::line(format!("{name}: signed in"));
        }
    }
    write_account(&ctx.config_path, name, &account)?;
    progress::line(format!(
        "added account {name} to {}",
        ctx.config_path.display()
    ));
    let Some(secret) = secret else {
        progress::line(format!(
            "no secret given: set {var} in the environment, or run this in a terminal to store it in the OS keyring"
        ));
        return Ok(());
    };
    match secrets::keyring_set(name, &Secret::new(secret)).await {
        Ok(()) => {
            progress::line("secret stored in the OS keyring");
            Ok(())
        }
        Err(KeyringError::Unavailable(why)) => {
            progress::line(format!(
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
    if ctx.is_demo() {
        return Err(CliError::new(format!(
            "{name} is one of --demo's built-in accounts: there is nothing to remove"
        )));
    }
    remove_account(&ctx.config_path, name)?;
    match secrets::keyring_delete(name).await {
        Ok(true) => progress::line(format!("removed {name} and its keyring secret")),
        Ok(false) => progress::line(format!("removed {name}")),
        Err(e) => progress::line(format!(
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
            Ok(info) => output::line(format_args!(
                "{name}: ok ({}, {})",
                for_terminal(info.username.as_deref().unwrap_or("user unknown")),
                for_terminal(info.plan.as_deref().unwrap_or("plan unknown"))
            ))?,
            Err(e) => {
                failed += 1;
                output::line(format_args!("{name}: FAILED: {e}"))?;
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
