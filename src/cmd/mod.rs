//! One module per subcommand, each with `pub fn run(args) -> anyhow::Result<ExitCode>`.

pub mod eval;
pub mod explain;
pub mod filter;
pub mod info;
pub mod learn;
pub mod shell;
pub mod train;

use anyhow::Context;
use clean::Model;
use std::path::Path;

/// Loads `--model FILE`, or the built-in model.
pub fn load_model(path: Option<&Path>) -> anyhow::Result<Model> {
    match path {
        Some(p) => Ok(Model::load(p)?),
        None => Model::builtin().context("the built-in model is damaged; rebuild clean"),
    }
}

/// Checks that a flag's value is a finite number above 0.
pub fn positive(flag: &str, v: f64) -> anyhow::Result<f64> {
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(
            clean::Error::Invalid(format!("{flag} must be a finite number above 0, got {v}"))
                .into(),
        )
    }
}

/// Checks `--folds K` against the number of labelled examples: 0 (none), or 2 up to the count.
pub fn check_folds(folds: usize, examples: usize) -> anyhow::Result<()> {
    if folds == 1 {
        return Err(clean::Error::Invalid(
            "--folds 1 leaves nothing to train on; give 0 (no cross-validation) or 2 or more"
                .into(),
        )
        .into());
    }
    if folds > examples {
        return Err(clean::Error::Invalid(format!(
            "--folds {folds} is more than the {examples} labelled paragraph(s): each fold needs one at least"
        ))
        .into());
    }
    Ok(())
}

/// The threshold calibration asked for on the command line (`--folds 0`: none).
pub fn calibration(folds: usize, target: f64) -> anyhow::Result<Option<clean::train::Calibrate>> {
    let target = probability("--target-editorial-removed", target)?;
    check_folds(folds, usize::MAX)?;
    Ok((folds >= 2).then_some(clean::train::Calibrate {
        folds,
        target_editorial_removed: target,
    }))
}

/// Checks a log-odds cut given on the command line.
pub fn log_odds(name: &str, x: f64) -> anyhow::Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(clean::Error::Invalid(format!("{name} must be a finite log-odds, got {x}")).into())
    }
}

/// Checks a number given on the command line is finite.
pub fn finite(name: &str, x: f64) -> anyhow::Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(clean::Error::Invalid(format!("{name} must be a finite number, got {x}")).into())
    }
}

/// Checks a removal threshold stored in a model: a finite log-odds of 0 or more (below 0, the
/// model would remove paragraphs it judges more likely editorial than ad).
pub fn cut(name: &str, x: f64) -> anyhow::Result<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(clean::Error::Invalid(format!(
            "{name} must be a finite log-odds of 0 or more, got {x}"
        ))
        .into())
    }
}

/// Checks a probability given on the command line.
pub fn probability(name: &str, p: f64) -> anyhow::Result<f64> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(clean::Error::Invalid(format!("{name} must be between 0 and 1, got {p}")).into())
    }
}

/// The `--version` text: the crate version and the built-in model it carries, named by a
/// checksum of its training data (FNV-1a over each training file's path and fingerprint, as
/// `clean info` lists them), so two binaries with the same model say the same.
pub fn version() -> String {
    let pkg = env!("CARGO_PKG_VERSION");
    match Model::builtin() {
        Ok(m) => {
            let mut list = String::new();
            for s in &m.meta.sources {
                list.push_str(&format!("{}\t{}\n", s.path, s.fnv1a));
            }
            format!(
                "{pkg} (built-in model: training data {}, {} file(s), {} paragraph(s))",
                clean::model::fingerprint(list.as_bytes()),
                m.meta.sources.len(),
                m.meta.paragraphs.values().sum::<u64>()
            )
        }
        Err(e) => format!("{pkg} (built-in model unreadable: {e})"),
    }
}
