//! `clean completions SHELL` and `clean man`: shell completion scripts (clap_complete) and the man
//! page (clap_mangen), both printed to stdout from the same command-line definition.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::exit::ExitCode;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "clean", &mut buf);
    std::io::stdout().lock().write_all(&buf)?;
    Ok(ExitCode::Success)
}

pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let cmd = Cli::command().version(super::version());
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                return Err(clean::Error::Invalid(format!("no subcommand {name:?}")).into());
            };
            sub.clone()
                .name(format!("clean-{name}"))
                .version(super::version())
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    std::io::stdout().lock().write_all(&buf)?;
    Ok(ExitCode::Success)
}
