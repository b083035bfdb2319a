//! The `clean` binary: parse the command line, dispatch, map errors to exit codes.

mod cli;
mod cmd;
mod exit;

use clap::{CommandFactory, FromArgMatches};
use exit::ExitCode;

fn main() -> std::process::ExitCode {
    // Before any thread starts: Ctrl-C and SIGTERM remove the temporary files being written.
    clean::corpus::cleanup_on_signals();
    // Only `--version` loads the built-in model to name it.
    let asks_version = std::env::args_os()
        .skip(1)
        .take_while(|a| {
            !a.to_string_lossy()
                .starts_with(|c: char| c.is_alphanumeric())
        })
        .any(|a| a == "--version" || a == "-V");
    let mut command = cli::Cli::command();
    if asks_version {
        command = command.version(cmd::version());
    }
    let cli = cli::Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        cli::Command::Train(a) => cmd::train::run(a),
        cli::Command::Filter(a) => cmd::filter::run(a),
        cli::Command::Check(a) => cmd::filter::check(a),
        cli::Command::Explain(a) => cmd::explain::run(a),
        cli::Command::Eval(a) => cmd::eval::run(a),
        cli::Command::Learn(a) => cmd::learn::run(a),
        cli::Command::Info(a) => cmd::info::run(a),
        cli::Command::Adapt(a) => cmd::filter::adapt(a),
        cli::Command::Completions(a) => cmd::shell::completions(a),
        cli::Command::Man(a) => cmd::shell::man(a),
    };
    match result {
        Ok(code) => code.into(),
        // The reader of stdout went away (`clean check | head -1`): what it wanted it has, so
        // stop quietly and succeed, as ripgrep does.
        Err(e) if broken_pipe(&e) => ExitCode::Success.into(),
        Err(e) => {
            eprintln!("clean: error: {}", message(&e));
            ExitCode::Trouble.into()
        }
    }
}

/// True when the error comes from writing to a closed pipe.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<clean::Error>()
                .is_some_and(clean::Error::is_broken_pipe)
    })
}

/// The error and its causes, each said once: a cause whose text the message already holds (an
/// I/O error wrapped with its path) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if out.contains(&s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s);
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::cli::Cli::command().debug_assert();
    }
}
