//! Measuring a model on labelled paragraphs: confusion matrix, precision, recall, F1, per-genre
//! figures, k-fold cross-validation over training data, and threshold calibration.
//!
//! Paragraphs from CSV are scored alone: there is no document around them, so the context term
//! of the filter (see [`crate::context`]) plays no part in these figures.

use crate::error::{Error, Result};
use crate::model::{Model, AD, EDITORIAL, LABELS};
use crate::train::{Example, TrainConfig};
use std::collections::BTreeMap;

/// Counts of outcomes at one threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Confusion {
    /// Ads removed.
    pub true_positive: u64,
    /// Editorial removed.
    pub false_positive: u64,
    /// Editorial kept.
    pub true_negative: u64,
    /// Ads kept.
    pub false_negative: u64,
}

impl Confusion {
    fn add(&mut self, label: usize, removed: bool) {
        match (label == AD, removed) {
            (true, true) => self.true_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, true) => self.false_positive += 1,
            (false, false) => self.true_negative += 1,
        }
    }
    fn ratio(a: u64, b: u64) -> f64 {
        if b == 0 {
            0.0
        } else {
            a as f64 / b as f64
        }
    }
    /// Share of removed paragraphs that were ads.
    pub fn precision(&self) -> f64 {
        Self::ratio(self.true_positive, self.true_positive + self.false_positive)
    }
    /// Share of ads removed.
    pub fn recall(&self) -> f64 {
        Self::ratio(self.true_positive, self.true_positive + self.false_negative)
    }
    /// Share of editorial paragraphs removed.
    pub fn editorial_removed(&self) -> f64 {
        Self::ratio(
            self.false_positive,
            self.false_positive + self.true_negative,
        )
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// One scored paragraph: its label, genre and log-odds.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// [`EDITORIAL`] or [`AD`].
    pub label: usize,
    /// Genre, if the data had one.
    pub genre: Option<String>,
    /// Log-odds from the model.
    pub log_odds: f64,
}

/// Scores labelled paragraphs with a model, each judged alone (no document around it): the
/// model's final log-odds, on the scale of its threshold.
pub fn score_all(model: &Model, examples: &[&Example]) -> Vec<Scored> {
    examples
        .iter()
        .map(|e| Scored {
            label: e.label,
            genre: e.genre.clone(),
            log_odds: {
                let s = model.score(&e.text);
                model.combine(&crate::stack::Signals {
                    nb: s.log_odds(),
                    context: None,
                    words: s.words,
                    doc_median: None,
                })
            },
        })
        .collect()
}

/// Figures at one threshold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// The threshold on the log-odds.
    pub threshold: f64,
    /// Outcomes.
    pub confusion: Confusion,
    /// Precision.
    pub precision: f64,
    /// Recall on ads.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Share of editorial paragraphs removed.
    pub editorial_removed: f64,
    /// Per genre: (label, paragraphs, removed).
    pub genres: BTreeMap<String, GenreFigures>,
}

/// Per-genre counts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GenreFigures {
    /// `editorial` or `ad`.
    pub label: String,
    /// Paragraphs of this genre.
    pub paragraphs: u64,
    /// Of which removed at the threshold.
    pub removed: u64,
}

/// Figures for scored paragraphs at a threshold.
pub fn report(scored: &[Scored], threshold: f64) -> Report {
    let mut c = Confusion::default();
    let mut genres: BTreeMap<String, GenreFigures> = BTreeMap::new();
    for s in scored {
        let removed = s.log_odds >= threshold;
        c.add(s.label, removed);
        if let Some(g) = &s.genre {
            let e = genres
                .entry(format!("{}/{g}", LABELS[s.label]))
                .or_default();
            e.label = LABELS[s.label].to_string();
            e.paragraphs += 1;
            e.removed += u64::from(removed);
        }
    }
    Report {
        threshold,
        confusion: c,
        precision: c.precision(),
        recall: c.recall(),
        f1: c.f1(),
        editorial_removed: c.editorial_removed(),
        genres,
    }
}

/// The lowest threshold (so the highest recall) at which the share of editorial paragraphs
/// removed stays at or below `target`. Candidates are the scored log-odds themselves; the answer
/// never goes below `floor`.
pub fn calibrate(scored: &[Scored], target: f64, floor: f64) -> f64 {
    let mut ed: Vec<f64> = scored
        .iter()
        .filter(|s| s.label == EDITORIAL)
        .map(|s| s.log_odds)
        .collect();
    if ed.is_empty() {
        return floor;
    }
    ed.sort_by(|a, b| b.total_cmp(a));
    // Allow k editorial removals: remove iff p >= t, choose t just above the (k+1)-th highest.
    let k = (target * ed.len() as f64).floor() as usize;
    let t = if k >= ed.len() { floor } else { next_up(ed[k]) };
    t.max(floor)
}

/// The smallest f64 above `x` (`x` finite).
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// k-fold cross-validation: every example scored by a model trained without its fold.
/// Returned in the examples' order.
pub fn cross_validate(examples: &[&Example], k: usize, cfg: &TrainConfig) -> Result<Vec<Scored>> {
    if k < 2 {
        return Err(Error::Invalid(format!(
            "cross-validation needs at least 2 folds, got {k}"
        )));
    }
    crate::train::held_out_by(examples, k, cfg, |model, e| Scored {
        label: e.label,
        genre: e.genre.clone(),
        log_odds: model.score(&e.text).log_odds(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(label: usize, p: f64) -> Scored {
        Scored {
            label,
            genre: None,
            log_odds: p,
        }
    }

    #[test]
    fn confusion_figures() {
        let scored = vec![s(AD, 0.9), s(AD, 0.4), s(EDITORIAL, 0.6), s(EDITORIAL, 0.1)];
        let r = report(&scored, 0.5);
        assert_eq!(
            r.confusion,
            Confusion {
                true_positive: 1,
                false_positive: 1,
                true_negative: 1,
                false_negative: 1
            }
        );
        assert_eq!(r.precision, 0.5);
        assert_eq!(r.recall, 0.5);
        assert_eq!(r.editorial_removed, 0.5);
    }

    #[test]
    fn calibration_respects_the_target() {
        let mut scored: Vec<Scored> = (0..1000).map(|i| s(EDITORIAL, i as f64 / 1000.0)).collect();
        scored.extend((0..100).map(|i| s(AD, 0.9 + i as f64 / 1000.0)));
        let t = calibrate(&scored, 0.01, 0.5);
        assert!(t > 0.5);
        let r = report(&scored, t);
        assert!(r.editorial_removed <= 0.01, "{r:?}");
        assert_eq!(r.confusion.false_positive, 10);
        let strict = calibrate(&scored, 0.0, 0.5);
        assert_eq!(report(&scored, strict).confusion.false_positive, 0);
    }
}
