//! `clean train`: labelled CSV under `--data` -> model file at `--out`.

use crate::cli::TrainArgs;
use crate::exit::ExitCode;
use clean::features::FeatureConfig;
use clean::train::{calibrate_model, read_training_dir, train, Example, TrainConfig};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let cfg = TrainConfig {
        features: FeatureConfig {
            bigrams: !args.no_bigrams,
            shapes: !args.no_shapes,
        },
        context_weight: super::finite("--context-weight", args.context_weight)?,
        alpha: super::positive("--alpha", args.alpha)?,
        threshold: super::cut("--threshold", args.threshold)?,
        unsure: super::log_odds("--unsure", args.unsure)?.min(args.threshold),
        min_count: args.min_count,
        ..TrainConfig::default()
    };
    let how = super::calibration(args.folds, args.target_editorial_removed)?;
    let set =
        read_training_dir(&args.data).map_err(|e| e.with_role(clean::error::Role::TrainingData))?;
    super::check_folds(args.folds, set.examples.len())?;
    let refs: Vec<&Example> = set.examples.iter().collect();
    let mut model = train(&refs, set.sources, &cfg)?;
    if let Some(how) = how {
        calibrate_model(&mut model, &refs, &cfg, how)?;
    }
    model.save(&args.out)?;
    let p = &model.meta.paragraphs;
    eprintln!(
        "clean: trained on {} editorial and {} ad paragraphs from {} file(s); wrote {}",
        p.get("editorial").unwrap_or(&0),
        p.get("ad").unwrap_or(&0),
        model.meta.sources.len(),
        args.out.display()
    );
    if let Some(c) = &model.meta.calibration {
        eprintln!(
            "clean: threshold log-odds >= {:.4} ({}: ad recall {:.2}%, editorial removed {:.3}%)",
            model.meta.threshold,
            c.method,
            c.ad_recall * 100.0,
            c.editorial_removed * 100.0
        );
    }
    Ok(ExitCode::Success)
}
