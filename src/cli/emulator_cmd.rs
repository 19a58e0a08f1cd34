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
    println!(
        "haul emulator listening on {} (data in {})",
        handle.base_url(),
        data_dir.display()
    );
    println!(
        "test API: {}/__emulator/stats, POST {}/__emulator/faults",
        handle.base_url(),
        handle.base_url()
    );
    println!();
    println!("# config.toml for these accounts:");
    for a in handle.accounts() {
        println!("[accounts.{}]  # {}", a.name, a.description);
        println!("provider = \"{}\"", a.provider);
        println!("base_url = \"{}\"", a.base_url);
        if let Some(u) = &a.username {
            println!("username = \"{u}\"");
        }
        println!();
    }
    println!("# their secrets (emulator credentials, not real ones):");
    for a in handle.accounts() {
        println!("export {}='{}'", env_var_name(&a.name), a.secret);
    }
    println!();
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}
