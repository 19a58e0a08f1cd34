//! `haul emulator`: serve the hosts' emulated APIs until Ctrl-C.

use super::{CliError, CliResult, EmulatorArgs};
use crate::config::secrets::env_var_name;
use crate::emulator::{self, EmulatorConfig, Faults, HostileCase};

pub async fn run(args: &EmulatorArgs) -> CliResult {
    let (data_dir, _temp) = match &args.data {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| CliError::new(format!("{}: {e}", d.display())))?;
            (d.clone(), None)
        }
        None => {
            let t = tempfile::tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let config = EmulatorConfig {
        data_dir: data_dir.clone(),
        listen: args.listen,
        seed_demo: !args.no_seed,
        faults: Faults {
            expire_tokens_after: args.expire_tokens_after,
            fail_every: args.fail_every,
            fail_status: args.fail_status,
            retry_after_secs: args.retry_after,
            latency_ms: args.latency_ms,
            rate_per_conn: args.rate_per_conn,
            max_conns_per_file: args.max_conns_per_file,
            max_conns_status: args.max_conns_status,
            cut_body_after: args.cut_body_after,
            ignore_range: args.ignore_range,
            hostile: match &args.hostile {
                Some(cases) if cases.is_empty() => HostileCase::all(),
                Some(cases) => cases.clone(),
                None => Vec::new(),
            },
            ..Faults::default()
        },
    };
    let handle = emulator::start(config)
        .await
        .map_err(|e| CliError::new(format!("cannot start the emulator on {}: {e}", args.listen)))?;
    // Written at once, never with `println!`: a reader that goes away (`haul emulator | head`)
    // ends the emulator quietly instead of a panic.
    let base = handle.base_url();
    let mut banner = format!(
        "haul emulator listening on {base} (data in {})\n\
         test API: {base}/__emulator/stats, POST {base}/__emulator/faults\n\n\
         # config.toml for these accounts:\n",
        data_dir.display()
    );
    for a in handle.accounts() {
        banner.push_str(&format!(
            "[accounts.{}]  # {}\nprovider = \"{}\"\nbase_url = \"{}\"\n",
            a.name, a.description, a.provider, a.base_url
        ));
        if let Some(u) = &a.username {
            banner.push_str(&format!("username = \"{u}\"\n"));
        }
        banner.push('\n');
    }
    banner.push_str("# their secrets (emulator credentials, not real ones):\n");
    for a in handle.accounts() {
        banner.push_str(&format!(
            "export {}='{}'\n",
            env_var_name(&a.name),
            a.secret
        ));
    }
    banner.push_str("\nPress Ctrl-C to stop.\n");
    if let Err(e) = super::output::bytes(banner.as_bytes()) {
        handle.shutdown().await;
        return Err(e);
    }
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}
