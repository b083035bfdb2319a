//! `clean train`: labelled CSV under `--data` -> model file at `--out`.

use crate::cli::TrainArgs;
use crate::exit::ExitCode;
use clean::features::FeatureConfig;
use clean::train::{train_dir, TrainConfig};

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let cfg = TrainConfig {
        features: FeatureConfig {
            bigrams: !args.no_bigrams,
            shapes: !args.no_shapes,
        },
        context_weight: args.context_weight,
        alpha: args.alpha,
        threshold: super::probability("--threshold", args.threshold)?,
        unsure: super::probability("--unsure", args.unsure)?,
        min_count: args.min_count,
        ..TrainConfig::default()
    };
    let model = train_dir(&args.data, &cfg)?;
    model.save(&args.out)?;
    let p = &model.meta.paragraphs;
    eprintln!(
        "clean: trained on {} editorial and {} ad paragraphs from {} file(s); wrote {}",
        p.get("editorial").unwrap_or(&0),
        p.get("ad").unwrap_or(&0),
        model.meta.sources.len(),
        args.out.display()
    );
    Ok(ExitCode::Success)
}
