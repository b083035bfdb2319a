//! Adapting a model to the corpus it is about to filter (`clean adapt`, `clean filter --adapt`).
//!
//! The training data cannot hold every register of the web. The corpus being filtered shows
//! its own: a corpus of tutorials says "you" and "click" in nearly every paragraph, and a model
//! trained mostly on other text takes that for ad copy. Self-training on the editorial side
//! corrects for it:
//!
//! 1. judge every document of the corpus (or a sample: `--shard`, `--include`) with the model;
//! 2. add the token counts of the paragraphs it judges editorial (final log-odds below
//!    [`AdaptParams::cut`], not unknown) to the editorial counts, each token count times
//!    [`AdaptParams::weight`];
//! 3. refit naive Bayes (through linfa-bayes, as `clean train` does) and repeat from 1, for
//!    [`AdaptParams::rounds`] rounds. Each round replaces the previous round's additions.
//!
//! Only the editorial side learns: paragraphs the model already takes for ads are never added
//! anywhere, so the corpus cannot teach the model that its ads are normal. Only tokens already in
//! the model's vocabulary are counted, so memory is bounded by the vocabulary, not the corpus, and
//! no paragraph is kept in memory. Counts are whole numbers summed per token, so the result does not
//! depend on the order in which threads finish: the same corpus and model give the same bytes.

use crate::error::{Error, Result};
use crate::filter::{Paragraph, Verdict};
use crate::model::{Model, AD, EDITORIAL};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How a model adapts to a corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptParams {
    /// λ: how much one corpus token counts against one training token.
    pub weight: f64,
    /// Paragraphs with final log-odds below this are taken as editorial.
    pub cut: f64,
    /// Rounds of judge-and-refit.
    pub rounds: u32,
}

impl Default for AdaptParams {
    /// λ 1.0, cut -2, 1 round: the best of 17 settings (λ 0.03 to 1.0, cut -2 or 0, 1 or 3
    /// rounds, and none) by recall at 0.5% and 1% of editorial paragraphs flagged, measured by
    /// `python3 benches/adapt_grid.py --campaign` on corpora built from the training data with a
    /// third of the kinds of text held out of training (a register the model has not seen) and
    /// ads from two held-out kinds (a campaign), 3 splits, never on the development sets. The
    /// gain there was small (+1.3 and +0.5 points), and rounds beyond the first added nothing.
    fn default() -> Self {
        AdaptParams {
            weight: 1.0,
            cut: -2.0,
            rounds: 1,
        }
    }
}

/// What `clean adapt` did, stored in the adapted model's metadata.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Adaptation {
    /// λ.
    pub weight: f64,
    /// The log-odds cut.
    pub cut: f64,
    /// Rounds run.
    pub rounds: u32,
    /// Paragraphs judged per round.
    pub paragraphs: u64,
    /// Paragraphs added to the editorial side, per round.
    pub added: Vec<u64>,
}

/// Counts of the corpus's editorial-looking paragraphs, per token of the model's vocabulary.
#[derive(Debug, Default)]
pub struct CorpusCounts {
    counts: Mutex<(HashMap<u64, u64>, u64, u64)>,
}

impl CorpusCounts {
    /// An observer (see [`crate::formats::DocOptions::observer`]) that adds every judged
    /// document to `counts`.
    pub fn observer(counts: &Arc<CorpusCounts>, cut: f64) -> crate::formats::Observer {
        let counts = Arc::clone(counts);
        crate::formats::Observer(Arc::new(move |model, text, judged| {
            counts.observe(model, text, judged, cut)
        }))
    }

    /// Adds one judged document: the tokens of every paragraph that is not unknown, not removed,
    /// and below `cut`.
    pub fn observe(&self, model: &Model, text: &str, judged: &[Paragraph], cut: f64) {
        let mut local: HashMap<u64, u64> = HashMap::new();
        let mut added = 0u64;
        for j in judged {
            if j.verdict == Verdict::Unknown || j.verdict == Verdict::Removed || j.log_odds >= cut {
                continue;
            }
            added += 1;
            crate::features::for_each_token_id(
                &text[j.range.clone()],
                &model.meta.features,
                |id| {
                    if model.log_prob(id).is_some() {
                        *local.entry(id).or_insert(0) += 1;
                    }
                },
            );
        }
        let mut g = self.counts.lock().expect("no panics while counting");
        g.1 += judged.len() as u64;
        g.2 += added;
        for (id, n) in local {
            *g.0.entry(id).or_insert(0) += n;
        }
    }
}

/// The per-class token counts a model was fitted on, recovered from its log-probabilities and
/// stored class totals: `count = exp(log P(t|c)) * (N_c + alpha * V) - alpha`, rounded (training
/// counts are whole numbers).
fn base_counts(model: &Model) -> Result<[Vec<f64>; 2]> {
    let totals = model.meta.class_totals.ok_or_else(|| {
        Error::Fit(
            "this model does not store its class totals (made by an older clean); retrain it"
                .into(),
        )
    })?;
    let v = model.entries().len() as f64;
    let alpha = model.meta.alpha;
    Ok([EDITORIAL, AD].map(|c| {
        let denom = totals[c] + alpha * v;
        model
            .entries()
            .iter()
            .map(|(_, lp)| (lp[c].exp() * denom - alpha).round().max(0.0))
            .collect()
    }))
}

/// Runs `params.rounds` rounds of self-training. `judge_corpus(model)` must judge every
/// document of the corpus (or the sample) with `model`, pass each to [`CorpusCounts::observe`]
/// (for example through [`CorpusCounts::observer`]) and return the counts; it is called once
/// per round.
pub fn adapt(
    base: &Model,
    params: AdaptParams,
    mut judge_corpus: impl FnMut(&Model) -> Result<CorpusCounts>,
) -> Result<Model> {
    if !(params.weight.is_finite() && params.weight >= 0.0 && params.cut.is_finite()) {
        return Err(Error::Fit(format!(
            "adaptation weight must be a finite number >= 0 and the cut finite, got {} and {}",
            params.weight, params.cut
        )));
    }
    if base.meta.adaptation.is_some() {
        return Err(Error::Fit(
            "this model was already adapted to a corpus; adapt the model it came from".into(),
        ));
    }
    let base_counts = base_counts(base)?;
    let ids: Vec<u64> = base.entries().iter().map(|(id, _)| *id).collect();
    let mut model = base.clone();
    let mut added = Vec::new();
    for _ in 0..params.rounds {
        let counts = judge_corpus(&model)?;
        let (by_id, n, a) = counts
            .counts
            .into_inner()
            .expect("no panics while counting");
        added.push(a);
        let mut x = ndarray::Array2::<f64>::zeros((2, ids.len()));
        for (j, id) in ids.iter().enumerate() {
            let extra = by_id.get(id).copied().unwrap_or(0) as f64 * params.weight;
            x[[EDITORIAL, j]] = base_counts[EDITORIAL][j] + extra;
            x[[AD, j]] = base_counts[AD][j];
        }
        let (_, lp) = crate::train::fit_linfa(
            x,
            ndarray::Array1::from(vec![EDITORIAL, AD]),
            base.meta.alpha,
        )?;
        let entries: Vec<(u64, [f64; 2])> = ids
            .iter()
            .enumerate()
            .map(|(j, id)| (*id, [lp[EDITORIAL][j], lp[AD][j]]))
            .collect();
        let mut meta = base.meta.clone();
        meta.adaptation = Some(Adaptation {
            weight: params.weight,
            cut: params.cut,
            rounds: added.len() as u32,
            paragraphs: n,
            added: added.clone(),
        });
        meta.class_totals = None;
        model = Model::from_parts(meta, base.log_prior(), entries);
    }
    Ok(model)
}
