fn main() {
    haul::tui::note_process_start();
    let cli = haul::cli::parse_args();
    let filter = std::env::var("HAUL_LOG").unwrap_or_else(|_| {
        match cli.verbose {
            0 => "warn",
            1 => "haul=info",
            _ => "haul=debug",
        }
        .to_string()
    });
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(haul::cli::LogWriter::default)
        // A log line that cannot be written is dropped, not reported on the same stderr.
        .log_internal_errors(false)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            haul::cli::stderr_line(format_args!("haul: cannot start: {e}"));
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(haul::cli::run(cli)) {
        if !e.quiet {
            haul::cli::stderr_line(format_args!("haul: {e}"));
        }
        std::process::exit(e.code);
    }
}
