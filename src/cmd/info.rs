//! `clean info [MODEL]`: what a model is and what it was trained from.

use crate::cli::InfoArgs;
use crate::exit::ExitCode;
use clean::model::{Model, FORMAT_VERSION};
use std::io::Write;

pub fn run(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let (model, name) = match &args.model {
        Some(p) => (Model::load(p)?, p.display().to_string()),
        None => (super::load_model(None)?, "built-in model".to_string()),
    };
    let m = &model.meta;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let v = serde_json::json!({
            "model": name,
            "format_version": FORMAT_VERSION,
            "vocabulary": model.vocabulary(),
            "meta": m,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        out.flush()?;
        return Ok(ExitCode::Success);
    }
    writeln!(out, "model:            {name}")?;
    writeln!(out, "format version:   {FORMAT_VERSION} (clean model, multinomial naive Bayes fitted by linfa-bayes)")?;
    writeln!(
        out,
        "trained on:       {} paragraph(s): {}",
        m.paragraphs.values().sum::<u64>(),
        m.paragraphs
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    for s in &m.sources {
        let counts: Vec<String> = s
            .paragraphs
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        writeln!(
            out,
            "  {:40} {} (fnv1a {})",
            s.path,
            counts.join(", "),
            s.fnv1a
        )?;
    }
    writeln!(out, "when:             not recorded (the same training data gives the same bytes); the files above say what")?;
    writeln!(
        out,
        "features:         words{}{}; tokens seen fewer than {} times left out",
        if m.features.bigrams {
            ", word bigrams"
        } else {
            ""
        },
        if m.features.shapes {
            ", shape tokens (url, domain, email, phone, price, percent, allcaps, !, emoji, 2nd person)"
        } else {
            ""
        },
        m.min_count
    )?;
    writeln!(
        out,
        "vocabulary:       {} token(s) (64-bit ids, not a hashed table)",
        model.vocabulary()
    )?;
    writeln!(out, "smoothing:        alpha = {}", m.alpha)?;
    writeln!(
        out,
        "threshold:        remove at log-odds >= {:.4} (P(ad) >= {:.6})",
        m.threshold,
        clean::model::logistic(m.threshold)
    )?;
    writeln!(
        out,
        "unsure band:      {:.4} <= log-odds < {:.4}",
        m.unsure, m.threshold
    )?;
    match &m.stacker {
        Some(s) => {
            let parts: Vec<String> = clean::model::STACKER_WEIGHTS
                .iter()
                .zip(s.weights)
                .map(|(n, w)| format!("{n} {w:+.3}"))
                .collect();
            writeln!(out, "stacker:          {}", parts.join(", "))?;
        }
        None => writeln!(
            out,
            "context term:     weight {} around overlap {} (format 1, no stacker)",
            m.context_weight, m.context_center
        )?,
    }
    if let Some(a) = &m.adaptation {
        writeln!(
            out,
            "adapted:          {} round(s), weight {}, cut {}: {} paragraph(s) judged, added per round {:?}",
            a.rounds, a.weight, a.cut, a.paragraphs, a.added
        )?;
    }
    let u = &m.unknown;
    writeln!(
        out,
        "unknown when:     Latin letters < {:.0}%, known words < {:.0}% (of >= {} words), digits > {:.0}%, code symbols > {:.0}%, URLs > {:.0}% of chunks",
        u.min_latin_share * 100.0,
        u.min_known_share * 100.0,
        u.min_words,
        u.max_digit_share * 100.0,
        u.max_symbol_share * 100.0,
        u.max_url_share * 100.0
    )?;
    match &m.calibration {
        Some(c) => writeln!(
            out,
            "cross-validated:  {}: ad recall {:.2}%, editorial removed {:.3}% (target {:.3}%)",
            c.method,
            c.ad_recall * 100.0,
            c.editorial_removed * 100.0,
            c.target_editorial_removed * 100.0
        )
        .and_then(|_| match c.unsure_ad_share {
            Some(s) => writeln!(
                out,
                "unsure band:      {:.1}% of its paragraphs were ads in those documents",
                s * 100.0
            ),
            None => Ok(()),
        })?,
        None => writeln!(out, "cross-validated:  not stored (trained with --folds 0)")?,
    }
    out.flush()?;
    Ok(ExitCode::Success)
}
