//! `clean filter IN OUT`: the corpus run, a summary on stderr, and `--report`.

use crate::cli::FilterArgs;
use crate::exit::ExitCode;
use clean::corpus::write_atomic;
use clean::run::{filter_path, RunOptions, Summary};
use clean::Settings;

pub fn run(args: FilterArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_deref())?;
    let mut settings = Settings::from_model(&model);
    if let Some(t) = args.threshold {
        settings.threshold = super::probability("--threshold", t)?;
        settings.unsure = settings.unsure.min(settings.threshold);
    }
    let opts = RunOptions {
        settings,
        write: true,
        threads: args.threads,
    };
    let results = filter_path(&model, &args.input, Some(&args.output), &opts)?;
    for r in &results {
        if let Some(e) = &r.error {
            eprintln!("clean: error: {e}");
        }
    }
    if let Some(path) = &args.report {
        let mut buf = String::new();
        for line in results.iter().flat_map(|r| &r.report) {
            buf.push_str(&line.to_json());
            buf.push('\n');
        }
        write_atomic(path, buf.as_bytes())?;
    }
    let s = Summary::of(&results);
    if !args.quiet {
        eprintln!(
            "clean: {} file(s), {} paragraph(s), {} removed, {} unsure{}",
            s.files,
            s.paragraphs,
            s.removed,
            s.unsure,
            if s.errors > 0 { format!(", {} error(s)", s.errors) } else { String::new() }
        );
    }
    Ok(if s.errors > 0 { ExitCode::Trouble } else { ExitCode::Success })
}
