//! The `clean` binary: parse the command line, dispatch, map errors to exit codes.

mod cli;
mod cmd;
mod exit;

use clap::Parser;
use exit::ExitCode;

fn main() -> std::process::ExitCode {
    // Before any thread starts: Ctrl-C and SIGTERM remove the temporary files being written.
    clean::corpus::cleanup_on_signals();
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Train(a) => cmd::train::run(a),
        cli::Command::Filter(a) => cmd::filter::run(a),
        cli::Command::Check(a) => cmd::filter::check(a),
        cli::Command::Explain(a) => cmd::explain::run(a),
        cli::Command::Eval(a) => cmd::eval::run(a),
        cli::Command::Learn(a) => cmd::learn::run(a),
        cli::Command::Info(a) => cmd::info::run(a),
        cli::Command::Adapt(a) => cmd::filter::adapt(a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("clean: error: {e:#}");
            ExitCode::Trouble.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::cli::Cli::command().debug_assert();
    }
}
