//! `haul completions SHELL` and `haul man [COMMAND]`: generated from the clap definitions, so
//! they never drift from the real flags.

use clap::CommandFactory;

use super::{Cli, CliError, CliResult, output};

/// A completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut command = Cli::command();
    // Generated into memory first: the generators panic on a failed write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "haul", &mut script);
    output::bytes(&script)
}

/// The man page (roff) of haul, or of one command (the page haul-COMMAND that haul's page
/// refers to), on stdout.
pub fn man_page(command: Option<&str>) -> CliResult {
    let mut haul = Cli::command();
    haul.build();
    let page = match command {
        None => haul,
        Some(name) => {
            let Some(sub) = haul.find_subcommand(name) else {
                let known: Vec<&str> = haul
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .collect();
                return Err(CliError::usage(format!(
                    "no command named {name:?}; one of: {}",
                    known.join(", ")
                )));
            };
            // Built, a command is shown as haul-NAME and used as `haul NAME`.
            sub.clone()
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| CliError::new(format!("cannot render the man page: {e}")))?;
    output::bytes(&roff)
}
