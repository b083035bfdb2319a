//! Learning from a user's corrections: new labelled paragraphs go to their own CSV under the
//! training directory (the user's files are never rewritten), duplicates are skipped, and the
//! model is retrained. Like bogofilter's train-on-error, only the mistakes are needed; a
//! correction that one copy does not fix is given more weight until it does (at most
//! [`MAX_WEIGHT`]). A paragraph corrected to editorial must be kept whatever document it is in,
//! so it must score below the threshold by the largest push the context term can give.

use crate::error::{Error, Result};
use crate::model::{Model, LABELS};
use crate::train::{csv_files, read_csv, read_training_dir, Calibrate, Example, TrainConfig};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The file `clean learn` writes, inside the training directory.
pub const LEARNED_FILE: &str = "learned.csv";

/// Largest weight a correction is given.
pub const MAX_WEIGHT: u32 = 256;

/// What a learn step did.
#[derive(Debug, Default)]
pub struct Learned {
    /// Examples added.
    pub added: usize,
    /// Examples skipped because the training data already had them with that label.
    pub duplicates: usize,
    /// Corrections still misjudged (alone, at the model's threshold) at the largest weight.
    pub still_wrong: Vec<String>,
    /// Earlier corrections (already in `learned.csv`) the model no longer got right, whose
    /// weight was raised (an earlier `clean learn` was stopped before it finished, or other
    /// training data changed).
    pub fixed_earlier: usize,
}

/// An exclusive advisory lock on the training directory (`flock` on the directory itself, so no
/// file is added to it), held until dropped: concurrent `clean learn` runs take turns, so none
/// loses another's corrections. Blocks until the lock is free.
pub fn lock_training_dir(data: &Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(data).map_err(|e| Error::io(data, e))?;
    let dir = std::fs::File::open(data).map_err(|e| Error::io(data, e))?;
    dir.lock().map_err(|e| Error::io(data, e))?;
    Ok(dir)
}

/// Reads corrections from a `--report` file: lines to which the user added `"label"` (the right
/// answer, `editorial` or `ad`). Lines without a label are skipped.
pub fn corrections_from_report(path: &Path) -> Result<Vec<Example>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(path, e).with_role(crate::error::Role::TrainingData))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| Error::TrainingData {
            path: path.to_path_buf(),
            reason: format!("line {}: {reason}", i + 1),
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let Some(label) = v.get("label") else {
            continue;
        };
        let label_s = label.as_str().unwrap_or("");
        let label = crate::train::parse_label(label_s)
            .ok_or_else(|| bad(format!("label {label_s:?} is neither `editorial` nor `ad`")))?;
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| bad("no `text` field".into()))?;
        out.push(Example {
            label,
            genre: Some("learned".into()),
            text: text.to_string(),
            weight: 1,
            doc: None,
        });
    }
    Ok(out)
}

/// Reads corrections from a CSV file (`label,text`).
pub fn corrections_from_csv(path: &Path) -> Result<Vec<Example>> {
    read_csv(path)
}

fn write_learned(path: &Path, examples: &[Example]) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let io = |e: csv::Error| Error::TrainingData {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    w.write_record(["label", "genre", "weight", "text"])
        .map_err(io)?;
    for e in examples {
        w.write_record([
            LABELS[e.label],
            e.genre.as_deref().unwrap_or("learned"),
            &e.weight.to_string(),
            &e.text,
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::TrainingData {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    crate::corpus::write_atomic(path, &bytes)
}

/// Adds `new` to `<data>/learned.csv`, retrains from `data` with `cfg` (calibrating the
/// threshold as `clean train` does), and returns the model (not yet saved) with what happened.
pub fn learn(
    data: &Path,
    new: Vec<Example>,
    cfg: &TrainConfig,
    calibrate: Option<Calibrate>,
) -> Result<(Model, Learned)> {
    let learned_path: PathBuf = data.join(LEARNED_FILE);
    let mut learned: Vec<Example> = if learned_path.exists() {
        read_csv(&learned_path)?
    } else {
        Vec::new()
    };
    let has_csv = data.is_dir() && csv_files(data).is_ok();
    let existing = if has_csv {
        read_training_dir(data)?.examples
    } else {
        Vec::new()
    };
    let mut seen: BTreeSet<(usize, String)> =
        existing.iter().map(|e| (e.label, e.text.clone())).collect();
    let mut report = Learned::default();
    // Every correction is checked on every run, earlier ones too: a run stopped before it had
    // raised a weight far enough is finished by the next.
    let earlier = learned.len();
    let mut added_at: Vec<usize> = (0..earlier).collect();
    for mut e in new {
        e.text = e.text.trim_end_matches(['\n', '\r']).to_string();
        if e.text.trim().is_empty() || !seen.insert((e.label, e.text.clone())) {
            report.duplicates += 1;
            continue;
        }
        added_at.push(learned.len());
        learned.push(e);
        report.added += 1;
    }
    if let Some(c) = calibrate {
        let total = existing.len() + report.added;
        if c.folds > total {
            return Err(Error::Invalid(format!(
                "--folds {} is more than the {total} labelled paragraph(s): each fold needs one at least",
                c.folds
            )));
        }
    }
    let mut raised_earlier = BTreeSet::new();
    loop {
        write_learned(&learned_path, &learned)?;
        let model = crate::train::train_dir_calibrated(data, cfg, calibrate)?;
        let wrong: Vec<usize> = added_at
            .iter()
            .copied()
            .filter(|&i| {
                let e = &learned[i];
                let s = model.score(&e.text);
                let log_odds = model.combine(&crate::stack::Signals {
                    nb: s.log_odds(),
                    context: None,
                    words: s.words,
                    doc_median: None,
                });
                let cut = model.meta.threshold;
                if e.label == crate::model::AD {
                    log_odds < cut
                } else {
                    let push = match &model.meta.stacker {
                        Some(st) => st.max_document_push(),
                        None => model.meta.context_weight * model.meta.context_center,
                    };
                    log_odds >= cut - push.max(0.0)
                }
            })
            .collect();
        let can_raise: Vec<usize> = wrong
            .iter()
            .copied()
            .filter(|&i| learned[i].weight < MAX_WEIGHT)
            .collect();
        if can_raise.is_empty() {
            report.still_wrong = wrong.iter().map(|&i| learned[i].text.clone()).collect();
            report.fixed_earlier = raised_earlier.len();
            return Ok((model, report));
        }
        for i in can_raise {
            if i < earlier {
                raised_earlier.insert(i);
            }
            learned[i].weight = (learned[i].weight * 2).min(MAX_WEIGHT);
        }
    }
}
