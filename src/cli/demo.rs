//! `haul --demo`: the emulator in-process with sample accounts, so nothing real is needed.

use super::target::RemoteTarget;
use super::{CliError, CliResult, Context, output};
use crate::emulator::{self, DemoAccount, EmulatorConfig, EmulatorHandle, Faults};

pub struct DemoServer {
    handle: EmulatorHandle,
    _data: tempfile::TempDir,
}

impl DemoServer {
    pub async fn start() -> CliResult<DemoServer> {
        let data = tempfile::tempdir()?;
        let config = EmulatorConfig {
            data_dir: data.path().to_path_buf(),
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            seed_demo: true,
            faults: Faults::default(),
        };
        let handle = emulator::start(config)
            .await
            .map_err(|e| CliError::new(format!("cannot start the demo emulator: {e}")))?;
        Ok(DemoServer {
            handle,
            _data: data,
        })
    }

    pub fn accounts(&self) -> Vec<DemoAccount> {
        self.handle.accounts()
    }

    pub async fn stop(self) {
        self.handle.shutdown().await;
    }
}

/// What `haul --demo` prints without a command when there is no terminal for the UI.
pub async fn tour(ctx: &Context, demo: &DemoServer) -> CliResult {
    output::line(format_args!(
        "haul demo: the built-in emulator is serving sample accounts at {}",
        demo.handle.base_url()
    ))?;
    for account in demo.accounts() {
        output::line("")?;
        output::line(format_args!(
            "== {}: ({}, {})",
            account.name, account.provider, account.description
        ))?;
        // The emulator may serve a host this build of haul has no provider for yet.
        if let Err(error) = ctx.provider(&account.name).await {
            output::line(format_args!("(skipped: {})", error.message))?;
            continue;
        }
        super::about::about(ctx, &account.name, false).await?;
        output::line(format_args!("-- haul --demo ls {}:/", account.name))?;
        let root = RemoteTarget::parse(&format!("{}:/", account.name))?;
        super::ls::run(ctx, &root.to_string(), false).await?;
    }
    output::line("")?;
    output::line(
        "Try: haul --demo ls ys:/Documents, haul --demo get ys:/readme.txt ., haul --demo put FILE ys:/",
    )?;
    output::line(
        "The uploader's tools: haul --demo link -r --format bbcode k2s:/Documents, haul --demo check -r k2s:/ \
         (k2s:/Shared/taken-down.txt is a file the host blocked), haul --demo access private k2s:/readme.txt",
    )
}
