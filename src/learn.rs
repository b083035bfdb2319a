//! Learning from a user's corrections: new labelled paragraphs go to their own CSV under the
//! training directory (the user's files are never rewritten), duplicates are skipped, and the
//! model is retrained. Like bogofilter's train-on-error, only the mistakes are needed; a
//! correction that one copy does not fix is given the weight that fixes it (at most
//! [`MAX_WEIGHT`]). A paragraph corrected to editorial must be kept whatever document it is in,
//! so it must score below the threshold by the largest push the context term can give.
//!
//! The weight is computed, not found by retraining. Naive Bayes with add-alpha smoothing sets
//! log P(token|class) = ln(n + alpha) - ln(N + alpha V) from the class counts (n the token's count,
//! N the class's total, V the vocabulary size), so adding a paragraph w times to its class changes
//! only its own tokens' counts, the class total, the vocabulary (tokens that reach the
//! `min_count`) and the class prior, all by known amounts: its naive-Bayes log-odds at any weight
//! follows from counts alone (`Weigher`, microseconds per weight). Each correction gets the
//! smallest weight at which its predicted verdict is right (earlier corrections too, so a run
//! that was stopped is finished by the next), and the model is then trained and calibrated once.
//! Calibration (the stacker and the threshold) is learnt from the new data, so it moves a little:
//! the prediction is made with the stacker and threshold of a `guess` model (the previous one)
//! and must clear the threshold by [`CALIBRATION_MARGIN`] (and [`TARGET_SHIFT_MARGIN`] when that
//! model was calibrated for another target); if the calibrated model still gets a
//! correction wrong, its weight is recomputed with that model's own stacker and threshold and
//! the model rebuilt, at most [`MAX_EXTRA_ROUNDS`] times.

use crate::error::{Error, Result};
use crate::features::{for_each_token_id, for_each_token_id_with_content};
use crate::model::{Model, AD, EDITORIAL, LABELS};
use crate::train::{csv_files, read_csv, Calibrate, Example, TrainConfig};
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};

/// The file `clean learn` writes, inside the training directory.
pub const LEARNED_FILE: &str = "learned.csv";

/// Largest weight a correction is given.
pub const MAX_WEIGHT: u32 = 256;

/// How far (in final log-odds) a correction's predicted score must clear the threshold when the
/// model is calibrated afterwards: calibration on the corrected data moves the threshold and the
/// stacker a little. Measured when this was written, on the built-in corpus: one correction at
/// the weight that fixes it moved the calibrated threshold by up to 0.3 nats.
pub const CALIBRATION_MARGIN: f64 = 0.5;

/// Added to [`CALIBRATION_MARGIN`] for the corrections at risk when the guessed calibration was
/// made for another target share of editorial paragraphs removed: a larger share gives a lower
/// threshold (editorial corrections at risk), a smaller one a higher threshold (ads at risk).
/// Measured on the built-in corpus when this was written: the calibrated threshold is log-odds
/// 4.97 at 0.001 and 3.81 at 0.002 (`clean learn`'s default).
pub const TARGET_SHIFT_MARGIN: f64 = 1.5;

/// Without calibration the prediction is exact but for the scorer's rounding of each token's
/// weight to f32 (about 1e-7 of it): the margin that covers it.
pub const ROUNDING_MARGIN: f64 = 1e-3;

/// How many more times the model is trained and calibrated when the calibrated model still
/// misjudges a correction whose weight was computed for the guessed calibration.
pub const MAX_EXTRA_ROUNDS: usize = 2;

/// What a learn step did.
#[derive(Debug, Default)]
pub struct Learned {
    /// Examples added.
    pub added: usize,
    /// Examples skipped because the training data already had them with that label.
    pub duplicates: usize,
    /// Corrections still misjudged (alone, at the model's threshold) at the largest weight, or
    /// after the last round.
    pub still_wrong: Vec<String>,
    /// Earlier corrections (already in `learned.csv`) the model no longer got right, whose
    /// weight was raised (an earlier `clean learn` was stopped before it finished, or other
    /// training data changed).
    pub fixed_earlier: usize,
    /// Times the model was trained and calibrated: 1, or more when the calibrated model still
    /// misjudged a correction (at most 1 + [`MAX_EXTRA_ROUNDS`]).
    pub rounds: usize,
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

/// When a correction's verdict is right: how a paragraph's naive-Bayes log-odds become its final
/// log-odds alone (no document), and the cut it must clear.
#[derive(Debug, Clone, Copy)]
struct Judge {
    stacker: Option<crate::stack::Stacker>,
    threshold: f64,
    /// The most a document can raise a paragraph's log-odds (for editorial corrections).
    push: f64,
    /// How far beyond the cut the verdict must be, for editorial and for ad corrections.
    margin: [f64; 2],
}

impl Judge {
    /// The judge of `model`'s own final verdicts (the check `learn` guarantees), with `margin`.
    fn of(model: &Model, margin: f64) -> Judge {
        let push = match &model.meta.stacker {
            Some(st) => st.max_document_push(),
            None => model.meta.context_weight * model.meta.context_center,
        };
        Judge {
            stacker: model.meta.stacker,
            threshold: model.meta.threshold,
            push: push.max(0.0),
            margin: [margin; 2],
        }
    }

    /// The judge of a model trained with `cfg` and no calibration: exact.
    fn uncalibrated(cfg: &TrainConfig) -> Judge {
        Judge {
            stacker: None,
            threshold: cfg.threshold,
            push: (cfg.context_weight * cfg.context_center).max(0.0),
            margin: [ROUNDING_MARGIN; 2],
        }
    }

    /// Whether a paragraph of `label` with naive-Bayes log-odds `nb` and `words` word tokens,
    /// alone, gets its verdict right.
    fn right(&self, label: usize, nb: f64, words: u32) -> bool {
        let signals = crate::stack::Signals {
            nb,
            context: None,
            words,
            doc_median: None,
        };
        // As [`Model::combine`] does for a paragraph alone.
        let log_odds = match &self.stacker {
            Some(st) => st.log_odds(&signals),
            None => nb,
        };
        if label == AD {
            log_odds >= self.threshold + self.margin[AD]
        } else {
            log_odds < self.threshold - self.push - self.margin[EDITORIAL]
        }
    }
}

/// Token ids are well-mixed hashes: a map keyed by them needs no hashing of its own.
type IdMap<V> = HashMap<u64, V, BuildHasherDefault<crate::features::IdHasher>>;

/// One correction as the [`Weigher`] sees it.
struct Correction {
    label: usize,
    /// (token id, occurrences in the paragraph).
    tokens: Vec<(u64, u64)>,
    words: u32,
    weight: u32,
}

/// The class counts a model trained on the training data would have, with every correction at
/// its current weight: enough to compute any correction's naive-Bayes log-odds exactly as
/// [`crate::train::train`] would fit them, without training.
struct Weigher {
    alpha: f64,
    min_count: u64,
    /// Counts (editorial, ad) of the corrections' tokens, over all the training data.
    counts: IdMap<[u64; 2]>,
    /// Sum of the counts of the vocabulary's tokens (tokens seen at least `min_count` times), per
    /// class.
    totals: [u64; 2],
    /// Tokens in the vocabulary.
    vocabulary: u64,
    /// Paragraphs per class, by weight.
    paragraphs: [u64; 2],
    corrections: Vec<Correction>,
}

impl Weigher {
    /// Counts `base` (the training data without the corrections) and `corrections` as
    /// [`crate::train::count`] does.
    fn new(base: &[Example], corrections: &[Example], cfg: &TrainConfig) -> Weigher {
        let features = &cfg.features;
        let mut all: IdMap<[u64; 2]> = IdMap::default();
        let mut paragraphs = [0u64; 2];
        let mut add = |e: &Example| {
            let w = u64::from(e.weight);
            paragraphs[e.label] += w;
            for_each_token_id(&e.text, features, |id| {
                all.entry(id).or_insert([0, 0])[e.label] += w
            });
        };
        base.iter().for_each(&mut add);
        corrections.iter().for_each(&mut add);
        let mut totals = [0u64; 2];
        let mut vocabulary = 0u64;
        for c in all.values() {
            if c[0] + c[1] >= cfg.min_count {
                totals[0] += c[0];
                totals[1] += c[1];
                vocabulary += 1;
            }
        }
        let corrections: Vec<Correction> = corrections
            .iter()
            .map(|e| {
                let mut own: IdMap<u64> = IdMap::default();
                let mut words = 0u32;
                for_each_token_id_with_content(
                    &e.text,
                    features,
                    |id, is_word| {
                        *own.entry(id).or_insert(0) += 1;
                        words += u32::from(is_word);
                    },
                    &mut Vec::new(),
                );
                let mut tokens: Vec<(u64, u64)> = own.into_iter().collect();
                tokens.sort_unstable();
                Correction {
                    label: e.label,
                    tokens,
                    words,
                    weight: e.weight,
                }
            })
            .collect();
        let counts = corrections
            .iter()
            .flat_map(|c| &c.tokens)
            .map(|(id, _)| (*id, all[id]))
            .collect();
        Weigher {
            alpha: cfg.alpha,
            min_count: cfg.min_count,
            counts,
            totals,
            vocabulary,
            paragraphs,
            corrections,
        }
    }

    /// Gives correction `i` weight `w`, updating the counts.
    fn set_weight(&mut self, i: usize, w: u32) {
        let c = &self.corrections[i];
        let step = i64::from(w) - i64::from(c.weight);
        if step == 0 {
            return;
        }
        let label = c.label;
        for (id, k) in &c.tokens {
            let n = self
                .counts
                .get_mut(id)
                .expect("every correction token is counted");
            let was_in = n[0] + n[1] >= self.min_count;
            if was_in {
                self.totals[0] -= n[0];
                self.totals[1] -= n[1];
                self.vocabulary -= 1;
            }
            n[label] = n[label].wrapping_add_signed(step * *k as i64);
            if n[0] + n[1] >= self.min_count {
                self.totals[0] += n[0];
                self.totals[1] += n[1];
                self.vocabulary += 1;
            }
        }
        self.paragraphs[label] = self.paragraphs[label].wrapping_add_signed(step);
        self.corrections[i].weight = w;
    }

    /// Correction `i`'s naive-Bayes log-odds in the model these counts would give: log prior
    /// ratio plus, for each of its tokens in the vocabulary, ln(n_ad + alpha) - ln(N_ad + alpha V)
    /// - ln(n_ed + alpha) + ln(N_ed + alpha V), as linfa-bayes fits them.
    fn nb(&self, i: usize) -> f64 {
        let a = self.alpha;
        let v = self.vocabulary as f64;
        let norm = [EDITORIAL, AD].map(|c| (self.totals[c] as f64 + a * v).ln());
        let mut log_odds =
            (self.paragraphs[AD] as f64).ln() - (self.paragraphs[EDITORIAL] as f64).ln();
        for (id, k) in &self.corrections[i].tokens {
            let n = self.counts[id];
            if n[0] + n[1] < self.min_count {
                continue;
            }
            let lp = [EDITORIAL, AD].map(|c| (n[c] as f64 + a).ln() - norm[c]);
            log_odds += *k as f64 * (lp[AD] - lp[EDITORIAL]);
        }
        log_odds
    }

    fn right(&self, i: usize, judge: &Judge) -> bool {
        let c = &self.corrections[i];
        judge.right(c.label, self.nb(i), c.words)
    }

    /// Raises the weights of the corrections `judge` finds wrong, each to the smallest that
    /// makes it right given the others (at most [`MAX_WEIGHT`]), until none changes: corrections
    /// that share tokens are weighed against each other. Those in `bump` (which the calibrated
    /// model got wrong) get at least one more. Weights are never lowered.
    fn weigh(&mut self, judge: &Judge, bump: &[usize]) {
        for &i in bump {
            let w = self.corrections[i].weight;
            self.set_weight(i, (w + 1).min(MAX_WEIGHT));
        }
        // Each pass only raises weights, so this ends; the bound is a safeguard.
        for _ in 0..64 {
            let mut changed = false;
            for i in 0..self.corrections.len() {
                if self.right(i, judge) {
                    continue;
                }
                let from = self.corrections[i].weight;
                let mut w = from;
                while w < MAX_WEIGHT && !self.right(i, judge) {
                    w += 1;
                    self.set_weight(i, w);
                }
                changed |= w != from;
            }
            if !changed {
                break;
            }
        }
    }
}

/// Adds `new` to `<data>/learned.csv`, gives every correction in it the weight that makes the
/// model judge it right (see the module docs), trains from `data` with `cfg` (calibrating the
/// threshold as `clean train` does), and returns the model (not yet saved) with what happened.
/// `guess` is the model whose calibration the weights are first computed for (the previous
/// model; without one, the built-in model's).
pub fn learn(
    data: &Path,
    new: Vec<Example>,
    cfg: &TrainConfig,
    calibrate: Option<Calibrate>,
    guess: Option<&Model>,
) -> Result<(Model, Learned)> {
    let learned_path: PathBuf = data.join(LEARNED_FILE);
    let mut learned: Vec<Example> = if learned_path.exists() {
        read_csv(&learned_path)?
    } else {
        Vec::new()
    };
    // The training data without the corrections.
    let mut base: Vec<Example> = Vec::new();
    if data.is_dir() {
        if let Ok(files) = csv_files(data) {
            for f in files {
                if f != learned_path {
                    base.extend(read_csv(&f)?);
                }
            }
        }
    }
    let mut seen: BTreeSet<(usize, String)> = base
        .iter()
        .chain(&learned)
        .map(|e| (e.label, e.text.clone()))
        .collect();
    let mut report = Learned::default();
    // Every correction is checked on every run, earlier ones too: a run stopped before it had
    // raised a weight far enough is finished by the next.
    let earlier = learned.len();
    for mut e in new {
        e.text = e.text.trim_end_matches(['\n', '\r']).to_string();
        if e.text.trim().is_empty() || !seen.insert((e.label, e.text.clone())) {
            report.duplicates += 1;
            continue;
        }
        learned.push(e);
        report.added += 1;
    }
    drop(seen);
    if let Some(c) = calibrate {
        let total = base.len() + learned.len();
        if c.folds > total {
            return Err(Error::Invalid(format!(
                "{} folds but only {total} labelled paragraph(s): each fold needs one at least",
                c.folds
            )));
        }
    }
    let mut weigher = Weigher::new(&base, &learned, cfg);
    drop(base);
    let builtin;
    let mut judge = match calibrate {
        None => Judge::uncalibrated(cfg),
        Some(_) => {
            let guess = match guess {
                Some(m) => Some(m),
                None => {
                    builtin = Model::builtin().ok();
                    builtin.as_ref()
                }
            };
            match guess {
                Some(m) => {
                    let mut judge = Judge::of(m, CALIBRATION_MARGIN);
                    let (guessed, wanted) = (
                        m.meta
                            .calibration
                            .as_ref()
                            .map(|c| c.target_editorial_removed),
                        calibrate.map(|c| c.target_editorial_removed),
                    );
                    if let (Some(g), Some(w)) = (guessed, wanted) {
                        if w > g {
                            judge.margin[EDITORIAL] += TARGET_SHIFT_MARGIN;
                        } else if w < g {
                            judge.margin[AD] += TARGET_SHIFT_MARGIN;
                        }
                    }
                    judge
                }
                None => Judge {
                    margin: [CALIBRATION_MARGIN; 2],
                    ..Judge::uncalibrated(cfg)
                },
            }
        }
    };
    let mut bump: Vec<usize> = Vec::new();
    let mut raised_earlier = BTreeSet::new();
    loop {
        weigher.weigh(&judge, &bump);
        for (i, (e, c)) in learned.iter_mut().zip(&weigher.corrections).enumerate() {
            if c.weight != e.weight {
                if i < earlier {
                    raised_earlier.insert(i);
                }
                e.weight = c.weight;
            }
        }
        write_learned(&learned_path, &learned)?;
        let model = crate::train::train_dir_calibrated(data, cfg, calibrate)?;
        report.rounds += 1;
        let exact = Judge::of(&model, 0.0);
        let wrong: Vec<usize> = (0..learned.len())
            .filter(|&i| {
                let e = &learned[i];
                let s = model.score(&e.text);
                !exact.right(e.label, s.log_odds(), s.words)
            })
            .collect();
        bump = wrong
            .iter()
            .copied()
            .filter(|&i| learned[i].weight < MAX_WEIGHT)
            .collect();
        if bump.is_empty() || report.rounds > MAX_EXTRA_ROUNDS {
            report.still_wrong = wrong.iter().map(|&i| learned[i].text.clone()).collect();
            report.fixed_earlier = raised_earlier.len();
            return Ok((model, report));
        }
        // The calibrated model's own stacker and threshold are the best guess for the next.
        judge = Judge::of(&model, CALIBRATION_MARGIN);
    }
}
