//! `clean eval DATA`: precision, recall, F1, confusion matrix and per-genre figures on labelled
//! CSV; `--folds K` cross-validates training instead of using a fitted model.

use crate::cli::EvalArgs;
use crate::exit::ExitCode;
use clean::eval::{calibrate, cross_validate, report, score_all, Report};
use clean::train::{read_training_dir, Example, TrainConfig};
use std::io::Write;

fn print_report(r: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let c = &r.confusion;
    writeln!(
        out,
        "threshold log-odds >= {:.4} (P(ad) >= {:.6})",
        r.threshold,
        clean::model::logistic(r.threshold)
    )?;
    writeln!(out, "                 removed      kept")?;
    writeln!(
        out,
        "  ad          {:>10} {:>9}",
        c.true_positive, c.false_negative
    )?;
    writeln!(
        out,
        "  editorial   {:>10} {:>9}",
        c.false_positive, c.true_negative
    )?;
    writeln!(
        out,
        "precision {:.4}  recall {:.4}  F1 {:.4}  editorial removed {:.4}%",
        r.precision,
        r.recall,
        r.f1,
        r.editorial_removed * 100.0
    )?;
    if !r.genres.is_empty() {
        writeln!(
            out,
            "per genre (ad genres: recall; editorial genres: share removed):"
        )?;
        for (g, f) in &r.genres {
            let share = f.removed as f64 / f.paragraphs.max(1) as f64;
            writeln!(
                out,
                "  {g:40} {:>5} of {:>5}  {:>7.2}%",
                f.removed,
                f.paragraphs,
                share * 100.0
            )?;
        }
    }
    Ok(())
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let set =
        read_training_dir(&args.data).map_err(|e| e.with_role(clean::error::Role::TrainingData))?;
    let examples: Vec<&Example> = set.examples.iter().collect();
    let (scored, default_threshold, what) = match args.folds {
        Some(k) => {
            super::check_folds(k, examples.len())?;
            let cfg = TrainConfig {
                features: clean::features::FeatureConfig {
                    bigrams: !args.no_bigrams,
                    shapes: !args.no_shapes,
                },
                alpha: super::positive("--alpha", args.alpha)?,
                min_count: args.min_count,
                ..TrainConfig::default()
            };
            (
                cross_validate(&examples, k, &cfg)?,
                0.0,
                format!("{k}-fold cross-validation over {}", args.data.display()),
            )
        }
        None => {
            let model = super::load_model(args.model.as_deref())?;
            let t = model.meta.threshold;
            (
                score_all(&model, &examples),
                t,
                format!("model on {}", args.data.display()),
            )
        }
    };
    let mut threshold = match args.threshold {
        Some(t) => super::log_odds("--threshold", t)?,
        None => default_threshold,
    };
    if let Some(target) = args.target_editorial_removed {
        threshold = calibrate(&scored, target, f64::NEG_INFINITY);
    }
    let r = report(&scored, threshold);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        writeln!(out, "{what}: {} paragraphs", scored.len())?;
        if let Some(target) = args.target_editorial_removed {
            writeln!(
                out,
                "calibrated for editorial removed <= {:.4}%",
                target * 100.0
            )?;
        }
        print_report(&r, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::Success)
}
