//! `clean learn`: add corrections to `<data>/learned.csv` and rebuild the model in one step.

use crate::cli::LearnArgs;
use crate::exit::ExitCode;
use clean::learn::{
    corrections_from_csv, corrections_from_report, learn, LEARNED_FILE, MAX_WEIGHT,
};
use clean::model::{AD, EDITORIAL};
use clean::train::{Example, TrainConfig};

pub fn run(args: LearnArgs) -> anyhow::Result<ExitCode> {
    let mut new = Vec::new();
    let one = |label, text: &String| Example {
        label,
        genre: Some("learned".into()),
        text: text.clone(),
        weight: 1,
        doc: None,
    };
    new.extend(args.ad.iter().map(|t| one(AD, t)));
    new.extend(args.editorial.iter().map(|t| one(EDITORIAL, t)));
    for f in &args.file {
        new.extend(corrections_from_csv(f)?);
    }
    for f in &args.from_report {
        new.extend(corrections_from_report(f)?);
    }
    if new.is_empty() {
        return Err(clean::Error::Invalid(
            "nothing to learn: give --ad TEXT, --editorial TEXT, --file CSV or --from-report FILE"
                .into(),
        )
        .into());
    }
    let cfg = TrainConfig::default();
    let how = super::calibration(args.folds, args.target_editorial_removed)?;
    // Held until the model is written: concurrent runs take turns.
    let _lock = clean::learn::lock_training_dir(&args.data)?;
    // The weights are first computed for the calibration of the model being replaced, when it
    // was calibrated to the same target (else the built-in model's): consecutive `clean learn`
    // runs then rarely need a second round.
    let previous = clean::model::Model::load(&args.out).ok().filter(|m| {
        m.meta.stacker.is_some()
            && how.is_some_and(|h| {
                m.meta
                    .calibration
                    .as_ref()
                    .is_some_and(|c| c.target_editorial_removed == h.target_editorial_removed)
            })
    });
    let (model, done) = learn(&args.data, new, &cfg, how, previous.as_ref())?;
    model.save(&args.out)?;
    if done.fixed_earlier > 0 {
        eprintln!(
            "clean: {} earlier correction(s) were not yet satisfied by the model; their weight was raised",
            done.fixed_earlier
        );
    }
    eprintln!(
        "clean: learned {} new paragraph(s) into {} ({} already known); wrote {}",
        done.added,
        args.data.join(LEARNED_FILE).display(),
        done.duplicates,
        args.out.display()
    );
    if done.rounds > 1 {
        eprintln!(
            "clean: the calibrated model still misjudged a correction: weights recomputed, model rebuilt ({} rounds)",
            done.rounds
        );
    }
    for t in &done.still_wrong {
        let short: String = t.chars().take(80).collect();
        eprintln!(
            "clean: warning: still misjudged after learning (weight {MAX_WEIGHT} at most): {short}"
        );
    }
    Ok(ExitCode::Success)
}
