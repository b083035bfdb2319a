//! Training: labelled paragraphs from CSV -> per-class token counts -> linfa-bayes
//! `MultinomialNb` -> [`Model`].
//!
//! linfa-bayes 0.8.1 wants a dense matrix with one row per sample, which is slow and large for
//! text. Naive Bayes only needs the per-class sums of that matrix, so we sum counts sparsely per
//! class and fit linfa-bayes once on a two-row matrix (one row per class). The fitted
//! `feature_log_prob` is the same as fitting on every paragraph (a test checks it). The class
//! priors linfa-bayes sets from that matrix (one row each) are replaced by the real paragraph
//! counts. linfa-bayes prints its fitted arrays with `dbg!` during `fit`; stderr is silenced
//! around that call (gag) so megabytes of debug output never reach the user.

use crate::error::{Error, Result};
use crate::features::{for_each_token_id, for_each_token_id_with_content, FeatureConfig, IdHasher};
use crate::model::{fingerprint, Model, ModelMeta, SourceFile, AD, EDITORIAL, LABELS};
use crate::unknown::{quantile, UnknownRule};
use linfa::prelude::*;
use linfa_bayes::MultinomialNb;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};

/// One labelled paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// [`EDITORIAL`] or [`AD`].
    pub label: usize,
    /// Optional finer kind (a `genre` column), for per-genre figures.
    pub genre: Option<String>,
    /// The paragraph.
    pub text: String,
    /// How many times it counts (an optional `weight` column; `clean learn` raises it for a
    /// correction that one copy does not fix). At least 1.
    pub weight: u32,
    /// The document it belongs to (an optional `doc` column): paragraphs with the same value,
    /// in file order, were written as one document. Used to build the documents the stacker
    /// learns from (see `fit_stacker`).
    pub doc: Option<String>,
}

/// Parses a label name.
pub fn parse_label(s: &str) -> Option<usize> {
    match s.trim() {
        "editorial" => Some(EDITORIAL),
        "ad" => Some(AD),
        _ => None,
    }
}

/// Reads one CSV file with a header holding `label` and `text` (and optionally `genre`).
/// Documents (the `doc` column) are named by the file's name and their id.
pub fn read_csv(path: &Path) -> Result<Vec<Example>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_csv_bytes(&bytes, path, &name)
}

/// Parses one CSV file's bytes. `name` names the file in document ids (`name#id`): the path
/// relative to the training directory, so that the same data trains the same model wherever
/// the directory is (document ids choose the cross-validation folds).
fn read_csv_bytes(bytes: &[u8], path: &Path, name: &str) -> Result<Vec<Example>> {
    let bad = |reason: String| Error::TrainingData {
        path: path.to_path_buf(),
        reason,
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| bad(format!("cannot read the CSV header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(label_col), Some(text_col)) = (col("label"), col("text")) else {
        return Err(bad(
            "the header must name the columns `label` and `text` (and may name `genre`)".into(),
        ));
    };
    let genre_col = col("genre");
    let weight_col = col("weight");
    let doc_col = col("doc");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(format!("row {line}: {e}")))?;
        let label_s = rec.get(label_col).unwrap_or("");
        let label = parse_label(label_s).ok_or_else(|| {
            bad(format!(
                "row {line}: label {label_s:?} is neither `editorial` nor `ad`"
            ))
        })?;
        let text = rec.get(text_col).unwrap_or("").to_string();
        if text.trim().is_empty() {
            return Err(bad(format!("row {line}: empty text")));
        }
        let genre = genre_col
            .and_then(|c| rec.get(c))
            .filter(|g| !g.is_empty())
            .map(str::to_string);
        let weight = match weight_col.and_then(|c| rec.get(c)).map(str::trim) {
            None | Some("") => 1,
            Some(w) => match w.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(bad(format!(
                        "row {line}: weight {w:?} is not a whole number >= 1"
                    )))
                }
            },
        };
        let doc = doc_col
            .and_then(|c| rec.get(c))
            .filter(|d| !d.is_empty())
            .map(|d| format!("{name}#{d}"));
        out.push(Example {
            label,
            genre,
            text,
            weight,
            doc,
        });
    }
    Ok(out)
}

/// The `.csv` files directly under a directory (or the file itself), sorted by name.
pub fn csv_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let rd = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "csv") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::TrainingData {
            path: path.to_path_buf(),
            reason: "no .csv files found".into(),
        });
    }
    Ok(files)
}

/// Training data as read from disk, with its provenance.
pub struct TrainingSet {
    /// All examples, file by file in sorted order.
    pub examples: Vec<Example>,
    /// One entry per file.
    pub sources: Vec<SourceFile>,
}

/// Reads every CSV under `dir` (sorted by name).
pub fn read_training_dir(dir: &Path) -> Result<TrainingSet> {
    let mut examples = Vec::new();
    let mut sources = Vec::new();
    for file in csv_files(dir)? {
        let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
        let name = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let name = if name.is_empty() {
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            name
        };
        let ex = read_csv_bytes(&bytes, &file, &name)?;
        let mut paragraphs = BTreeMap::new();
        for e in &ex {
            *paragraphs.entry(LABELS[e.label].to_string()).or_insert(0) += 1;
        }
        sources.push(SourceFile {
            path: name,
            paragraphs,
            fnv1a: fingerprint(&bytes),
        });
        examples.extend(ex);
    }
    Ok(TrainingSet { examples, sources })
}

/// Additive (Laplace/Lidstone) smoothing of the naive-Bayes token counts; must be > 0
/// (linfa-bayes gives NaN at 0). Chosen by 5-fold cross-validation on `training/`
/// (`benches/defaults_cv.sh`: naive-Bayes ad recall where at most 0.1% / 1% of editorial
/// paragraphs are removed). With [`MIN_COUNT`] 2, measured 2026-11-29:
///
/// | alpha | 0.03 | 0.1 | 0.3 | 1.0 |
/// |---|---|---|---|---|
/// | recall at 0.1% | 58.98% | **59.61%** | 58.67% | 58.64% |
/// | recall at 1% | 79.49% | 80.42% | 80.84% | 79.18% |
///
/// 0.1 is best at the project's target (0.1%), and within half a point of the best at 1%.
pub const ALPHA: f64 = 0.1;

/// Tokens seen fewer times than this in all the training text are left out of the model: a token
/// seen once is weak evidence that naive Bayes would weigh heavily, and dropping them keeps the
/// model small enough to score from the CPU cache. Measured 2026-11-29 with
/// `benches/defaults_cv.sh` (alpha 0.1; naive-Bayes ad recall where at most 0.1% / 1% of
/// editorial paragraphs are removed, 5-fold on `training/`): min count 1 gives 64.34% / 81.62%,
/// 2 gives 59.61% / 80.42%, 3 gives 55.79% / 79.70%. Naive Bayes alone prefers 1, but the whole
/// model (with the stacker) gains little from it: `clean train --min-count 1` cross-validates at
/// 78.70% ad recall for 0.100% editorial removed against 78.12% for 0.099% with 2, and the model
/// file grows from 6.0 MB to 19.8 MB (it is compiled into the binary and scored from memory).
/// On the development sets (a check only) 1 was a trade, not a gain: realdev recall 72.05%
/// against 74.41%, webdev 64.06% against 63.73%. So 2 stays, for size and speed.
pub const MIN_COUNT: u64 = 2;

/// Folds of cross-validation for `clean train`'s calibration, `clean learn` and `clean eval
/// --folds`: the usual choice; each fold holds 80% of the data, so a fold's model is close to
/// the full model, and five fits take seconds.
pub const FOLDS: usize = 5;

/// The removal threshold (log-odds) stored when no calibration is asked for (`--folds 0`):
/// P(ad) >= 0.99, a conventional "almost sure" cut, not a measured one (calibration replaces it).
pub const UNCALIBRATED_THRESHOLD: f64 = 4.595;

/// The lower edge of the unsure band (log-odds) stored when no calibration is asked for: P(ad) =
/// 0.5, where the model leans ad. Calibration sets it the same way (log-odds 0).
pub const UNCALIBRATED_UNSURE: f64 = 0.0;

/// Weight of the fixed document-context term of models without a stacker (`--folds 0`, and
/// format-1 models): the value of the hand-set rule the stacker replaced (see `stack`);
/// kept so such models score as they did.
pub const CONTEXT_WEIGHT: f64 = 50.0;

/// Overlap share at which the fixed context term is zero (as [`CONTEXT_WEIGHT`]).
pub const CONTEXT_CENTER: f64 = 0.3;

/// Training settings. Every default is a documented constant of this module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Feature extraction.
    pub features: FeatureConfig,
    /// Smoothing, > 0 (default [`ALPHA`]).
    pub alpha: f64,
    /// Removal threshold on the log-odds, stored when no calibration is asked for (default
    /// [`UNCALIBRATED_THRESHOLD`]).
    pub threshold: f64,
    /// Lower edge of the unsure band on the log-odds, stored when no calibration is asked for
    /// (default [`UNCALIBRATED_UNSURE`]).
    pub unsure: f64,
    /// Tokens seen fewer times than this in all the training text are left out (default
    /// [`MIN_COUNT`]).
    pub min_count: u64,
    /// Weight of the fixed document-context term (default [`CONTEXT_WEIGHT`]).
    pub context_weight: f64,
    /// Overlap share at which the context term is zero (default [`CONTEXT_CENTER`]).
    pub context_center: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            alpha: ALPHA,
            threshold: UNCALIBRATED_THRESHOLD,
            unsure: UNCALIBRATED_UNSURE,
            min_count: MIN_COUNT,
            context_weight: CONTEXT_WEIGHT,
            context_center: CONTEXT_CENTER,
        }
    }
}

/// How to train a model, in linfa's `Params`/`Fit` pattern: set what differs from the defaults,
/// then fit on a [`TrainingSet`] (checked first, as linfa's [`ParamGuard`] does).
///
/// ```
/// use clean::train::{Example, TrainParams, TrainingSet};
/// use linfa::prelude::*;
///
/// let mut examples = Vec::new();
/// for i in 0..20 {
///     let (label, text) = if i % 2 == 0 {
///         (0, format!("The council met on day {i} to discuss the new library and its budget."))
///     } else {
///         (1, format!("Buy now and save {i}% at our online store, free shipping today only!"))
///     };
///     examples.push(Example { label, text, genre: None, doc: None, weight: 1 });
/// }
/// let data = DatasetBase::new(TrainingSet { examples, sources: vec![] }, ());
/// let model = TrainParams::new().folds(0).min_count(1).fit(&data)?;
/// let filter = clean::Filter::new(model);
/// let judged = filter.judge("Save 30% at our store today, free shipping!\n");
/// assert!(judged[0].log_odds > 0.0);
/// # Ok::<(), clean::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams(TrainValidParams);

/// [`TrainParams`] once checked: what [`Fit`] runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainValidParams {
    config: TrainConfig,
    folds: usize,
    target_editorial_removed: f64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams::new()
    }
}

impl TrainParams {
    /// The defaults: [`ALPHA`], [`MIN_COUNT`], bigrams and shapes on, the stacker and threshold
    /// learnt by [`FOLDS`]-fold cross-validation for [`TARGET_EDITORIAL_REMOVED`].
    pub fn new() -> TrainParams {
        TrainParams(TrainValidParams {
            config: TrainConfig::default(),
            folds: FOLDS,
            target_editorial_removed: TARGET_EDITORIAL_REMOVED,
        })
    }

    /// Additive smoothing, > 0.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.config.alpha = alpha;
        self
    }

    /// Leave out tokens seen fewer times than this in all the training text.
    pub fn min_count(mut self, n: u64) -> Self {
        self.0.config.min_count = n;
        self
    }

    /// Which features to extract.
    pub fn features(mut self, features: FeatureConfig) -> Self {
        self.0.config.features = features;
        self
    }

    /// Folds of cross-validation for the stacker and threshold (0: none, the uncalibrated cuts
    /// of [`TrainParams::cuts`] are stored; 1 is refused).
    pub fn folds(mut self, folds: usize) -> Self {
        self.0.folds = folds;
        self
    }

    /// With folds: the largest share of editorial paragraphs the threshold may remove.
    pub fn target_editorial_removed(mut self, share: f64) -> Self {
        self.0.target_editorial_removed = share;
        self
    }

    /// Without folds: the removal threshold and unsure cut (log-odds) to store.
    pub fn cuts(mut self, threshold: f64, unsure: f64) -> Self {
        self.0.config.threshold = threshold;
        self.0.config.unsure = unsure;
        self
    }

    /// Without folds: the fixed document-context term's weight (models without a stacker).
    pub fn context_weight(mut self, weight: f64) -> Self {
        self.0.config.context_weight = weight;
        self
    }
}

impl TrainValidParams {
    /// The training settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// How the stacker and threshold are learnt, if they are.
    pub fn calibration(&self) -> Option<Calibrate> {
        (self.folds >= 2).then_some(Calibrate {
            folds: self.folds,
            target_editorial_removed: self.target_editorial_removed,
        })
    }
}

impl ParamGuard for TrainParams {
    type Checked = TrainValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&TrainValidParams> {
        let p = &self.0;
        let c = &p.config;
        let bad = |what: String| Err(Error::Invalid(what));
        if !(c.alpha > 0.0 && c.alpha.is_finite()) {
            return bad(format!(
                "alpha must be a finite number above 0, got {}",
                c.alpha
            ));
        }
        if p.folds == 1 {
            return bad("1 fold leaves nothing to train on: give 0 (none) or 2 or more".into());
        }
        if p.folds >= 2 && !(p.target_editorial_removed > 0.0 && p.target_editorial_removed < 1.0) {
            return bad(format!(
                "the target share of editorial paragraphs removed must be above 0 and below 1, got {}",
                p.target_editorial_removed
            ));
        }
        let cuts_ok = c.threshold.is_finite() && c.threshold >= 0.0 && c.unsure.is_finite();
        if !cuts_ok || !c.context_weight.is_finite() || !c.context_center.is_finite() {
            return bad(format!(
                "the threshold must be a finite log-odds >= 0 and the unsure cut and context weight finite, got {}, {} and {}",
                c.threshold, c.unsure, c.context_weight
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<TrainValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Records for TrainingSet {
    type Elem = Example;

    fn nsamples(&self) -> usize {
        self.examples.len()
    }

    /// One: a paragraph's text (its features are extracted in training).
    fn nfeatures(&self) -> usize {
        1
    }
}

impl Fit<TrainingSet, (), Error> for TrainValidParams {
    type Object = Model;

    /// Counts, fits linfa-bayes's multinomial naive Bayes, and (with folds) learns the stacker
    /// and threshold by cross-validation.
    fn fit(&self, dataset: &DatasetBase<TrainingSet, ()>) -> Result<Model> {
        let set = &dataset.records;
        let refs: Vec<&Example> = set.examples.iter().collect();
        if self.folds > refs.len() {
            return Err(Error::Invalid(format!(
                "{} folds but only {} labelled paragraph(s): each fold needs one at least",
                self.folds,
                refs.len()
            )));
        }
        train_calibrated(&refs, set.sources.clone(), &self.config, self.calibration())
    }
}

/// Per-class sums of token counts, kept sparse.
pub struct ClassCounts {
    /// The vocabulary: every token id seen in training, sorted.
    pub vocabulary: Vec<u64>,
    /// Counts per class, aligned with `vocabulary`.
    pub counts: [Vec<f64>; 2],
    /// Paragraphs per class.
    pub paragraphs: [u64; 2],
    /// For (a sample of at most [`KNOWN_SHARE_SAMPLE`]) ad paragraphs of at least 4 words: the
    /// share of their words the model would know without them (leave-one-out).
    pub ad_known_shares: Vec<f64>,
}

/// How many ad paragraphs the leave-one-out known-word share is measured on.
pub const KNOWN_SHARE_SAMPLE: usize = 20_000;

/// Token counts by id, per class (weighted), before [`MIN_COUNT`]-style pruning.
type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Adds one paragraph's tokens, times its weight, to `by_id`.
fn add_tokens(by_id: &mut IdMap<[u64; 2]>, e: &Example, cfg: &FeatureConfig) {
    let w = u64::from(e.weight);
    for_each_token_id(&e.text, cfg, |id| {
        by_id.entry(id).or_insert([0, 0])[e.label] += w
    });
}

/// An ad paragraph's own words (not bigrams or shapes), each with how often it occurs in it
/// (unweighted), for the leave-one-out known share.
fn own_words(e: &Example, cfg: &FeatureConfig) -> Vec<(u64, u64)> {
    let mut own: IdMap<u64> = IdMap::default();
    let mut content = Vec::new();
    for_each_token_id_with_content(
        &e.text,
        cfg,
        |id, is_word| {
            if is_word {
                *own.entry(id).or_insert(0) += 1;
            }
        },
        &mut content,
    );
    own.into_iter().collect()
}

/// The ads whose known share is measured, out of a training part's ads (in example order).
fn known_share_sample<T>(ads: &[T]) -> impl Iterator<Item = &T> {
    let step = ads.len().div_ceil(KNOWN_SHARE_SAMPLE).max(1);
    ads.iter().step_by(step)
}

/// The known share of one ad paragraph, given its own words and `total(id)`, the token's count in
/// the whole training part (the paragraph included); `None` under 4 words.
fn known_share(own: &[(u64, u64)], total: impl Fn(u64) -> u64, min_count: u64) -> Option<f64> {
    let words: u64 = own.iter().map(|(_, n)| *n).sum();
    if words < 4 {
        return None;
    }
    let known: u64 = own
        .iter()
        .filter(|(id, n)| total(*id) - *n >= min_count)
        .map(|(_, n)| *n)
        .sum();
    Some(known as f64 / words as f64)
}

/// [`ClassCounts`] from a training part's per-token counts (any order; tokens seen fewer than
/// `min_count` times, or not at all, are left out here).
fn class_counts(
    by_id: impl Iterator<Item = (u64, [u64; 2])>,
    paragraphs: [u64; 2],
    ad_known_shares: Vec<f64>,
    min_count: u64,
) -> ClassCounts {
    let mut kept: Vec<(u64, [u64; 2])> = by_id
        .filter(|(_, c)| c[0] + c[1] >= min_count && c[0] + c[1] > 0)
        .collect();
    kept.sort_unstable_by_key(|(id, _)| *id);
    let vocabulary = kept.iter().map(|(id, _)| *id).collect();
    let counts = [EDITORIAL, AD].map(|c| kept.iter().map(|(_, n)| n[c] as f64).collect());
    ClassCounts {
        vocabulary,
        counts,
        paragraphs,
        ad_known_shares,
    }
}

/// Sums token counts per class, keeping the tokens seen at least `min_count` times in all.
pub fn count(examples: &[&Example], cfg: &FeatureConfig, min_count: u64) -> ClassCounts {
    let mut by_id: IdMap<[u64; 2]> = IdMap::default();
    let mut paragraphs = [0u64; 2];
    for e in examples {
        paragraphs[e.label] += u64::from(e.weight);
        add_tokens(&mut by_id, e, cfg);
    }
    let ads: Vec<&Example> = examples.iter().filter(|e| e.label == AD).copied().collect();
    let total = |id: u64| by_id.get(&id).map(|c| c[0] + c[1]).unwrap_or(0);
    let ad_known_shares = known_share_sample(&ads)
        .filter_map(|e| known_share(&own_words(e, cfg), total, min_count))
        .collect();
    class_counts(by_id.into_iter(), paragraphs, ad_known_shares, min_count)
}

/// The per-fold pieces of [`count`], from one pass over the examples: what [`count`] gives for
/// every training part (all folds but one) is assembled from them without tokenizing again.
struct FoldCounts {
    /// Token counts of all the examples.
    total: IdMap<[u64; 2]>,
    /// Token counts of each fold's examples.
    fold: Vec<IdMap<[u64; 2]>>,
    /// Paragraphs per class, per fold.
    paragraphs: Vec<[u64; 2]>,
    /// Every ad, in example order: its fold and its own words.
    ads: Vec<(usize, Vec<(u64, u64)>)>,
}

impl FoldCounts {
    fn new(examples: &[&Example], folds: &[usize], k: usize, cfg: &FeatureConfig) -> FoldCounts {
        let mut fold: Vec<IdMap<[u64; 2]>> = (0..k).map(|_| IdMap::default()).collect();
        let mut paragraphs = vec![[0u64; 2]; k];
        let mut ads = Vec::new();
        for (e, &f) in examples.iter().zip(folds) {
            paragraphs[f][e.label] += u64::from(e.weight);
            add_tokens(&mut fold[f], e, cfg);
            if e.label == AD {
                ads.push((f, own_words(e, cfg)));
            }
        }
        let mut total: IdMap<[u64; 2]> = IdMap::default();
        for m in &fold {
            for (id, c) in m {
                let t = total.entry(*id).or_insert([0, 0]);
                t[0] += c[0];
                t[1] += c[1];
            }
        }
        FoldCounts {
            total,
            fold,
            paragraphs,
            ads,
        }
    }

    /// What [`count`] gives on the examples outside fold `f` (on all of them with `None`).
    fn without(&self, f: Option<usize>, min_count: u64) -> ClassCounts {
        let out = f.map(|f| &self.fold[f]);
        let train = |id: u64| -> [u64; 2] {
            let t = self.total[&id];
            let o = out.and_then(|m| m.get(&id)).copied().unwrap_or([0, 0]);
            [t[0] - o[0], t[1] - o[1]]
        };
        let mut paragraphs = [0u64; 2];
        for (g, p) in self.paragraphs.iter().enumerate() {
            if Some(g) != f {
                paragraphs[0] += p[0];
                paragraphs[1] += p[1];
            }
        }
        let ads: Vec<&Vec<(u64, u64)>> = self
            .ads
            .iter()
            .filter(|(g, _)| Some(*g) != f)
            .map(|(_, own)| own)
            .collect();
        let total = |id: u64| {
            let c = train(id);
            c[0] + c[1]
        };
        let ad_known_shares = known_share_sample(&ads)
            .filter_map(|own| known_share(own, total, min_count))
            .collect();
        class_counts(
            self.total.keys().map(|id| (*id, train(*id))),
            paragraphs,
            ad_known_shares,
            min_count,
        )
    }
}

/// linfa-bayes 0.8.1's `feature_log_prob` for a fit on a two-row matrix (one row per class, as
/// [`train`] fits it), computed with the same ndarray operations in the same order
/// (`ClassHistogram::update_with_smoothing`: the class's rows summed, `alpha` added, the logarithm
/// of each less the logarithm of their `sum()`), so bit for bit the same numbers
/// (`tests/linfa_agreement.rs` checks it) without the fit's `dbg!` of every array. Used for the
/// cross-validation models of the calibration; the model itself is fitted through linfa-bayes.
pub fn feature_log_prob(counts: &[Vec<f64>; 2], alpha: f64) -> [Vec<f64>; 2] {
    counts.each_ref().map(|row| {
        // linfa-bayes's `filter` copies the class's rows into a new standard-layout array.
        let mut x = Array2::<f64>::zeros((1, row.len()));
        x.row_mut(0).assign(&ArrayView1::from(row.as_slice()));
        let feature_count: Array1<f64> = x.sum_axis(Axis(0));
        let smoothed = feature_count.mapv(|v| v + alpha);
        let total = smoothed.sum();
        smoothed.mapv(|v| v.ln() - total.ln()).to_vec()
    })
}

/// The fitted parameters of a linfa-bayes MultinomialNb, read through its serde form (its fields
/// are private). Mirrors `MultinomialNb { class_info: HashMap<usize, ClassHistogram<f64>> }`, the
/// layout of linfa-bayes 0.8.0 and 0.8.1 (0.7 had the same field names under another type name;
/// 0.6 had no serde form). Private fields are outside semver, so every read is checked against
/// linfa-bayes's public `joint_log_likelihood` ([`check_against_public_api`]): a release that
/// changes the layout makes training fail with a clear error, never a silently wrong model.
///
/// Why not the public API alone: it gives each parameter exactly (the joint log-likelihood of a
/// unit vector under a one-class fit, whose prior is 1), but one dense row per feature, which is
/// quadratic in the vocabulary: on the built-in training data (249,935 tokens) `clean train` took
/// 4 min instead of 20 s for the same bytes (`tests/linfa_agreement.rs` checks the two routes
/// agree bit for bit).
#[derive(serde::Deserialize)]
struct FittedNb {
    class_info: BTreeMap<String, FittedClass>,
}

#[derive(serde::Deserialize)]
struct FittedClass {
    feature_log_prob: NdArray1,
}

#[derive(serde::Deserialize)]
struct NdArray1 {
    data: Vec<f64>,
}

/// A fitted linfa-bayes model and its feature log-probabilities per class.
pub type Fitted = (MultinomialNb<f64, usize>, [Vec<f64>; 2]);

/// Fits linfa-bayes on a dense matrix (rows = samples) and returns feature_log_prob per class,
/// checked against linfa-bayes's public API. linfa-bayes's `dbg!` output is silenced for the
/// duration of the fit.
pub fn fit_linfa(x: Array2<f64>, y: Array1<usize>, alpha: f64) -> Result<Fitted> {
    let ds = Dataset::new(x, y);
    let params = MultinomialNb::params().alpha(alpha);
    let fitted = {
        // linfa-bayes 0.8.1 calls dbg! on every class histogram inside fit.
        let _quiet = gag::Gag::stderr().ok();
        params.fit(&ds)
    }
    .map_err(|e| Error::Fit(e.to_string()))?;
    let value = serde_json::to_value(&fitted).map_err(|e| Error::Fit(e.to_string()))?;
    let parsed: FittedNb = serde_json::from_value(value).map_err(|e| {
        Error::Fit(format!(
            "unexpected linfa-bayes model layout ({e}): this linfa-bayes is not laid out as \
             0.8.1, which `clean` reads; build with linfa-bayes 0.8.1"
        ))
    })?;
    let mut lp: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for (k, class) in parsed.class_info {
        let idx: usize = k
            .parse()
            .map_err(|_| Error::Fit(format!("unexpected class key {k}")))?;
        if idx > 1 {
            return Err(Error::Fit(format!("unexpected class {idx}")));
        }
        lp[idx] = class.feature_log_prob.data;
    }
    if lp[0].is_empty() || lp[1].is_empty() {
        return Err(Error::Fit("both classes must be present".into()));
    }
    check_against_public_api(&fitted, &lp)?;
    Ok((fitted, lp))
}

/// Checks that `lp`, read through linfa-bayes's private layout, are the per-class coefficients of
/// linfa-bayes's own public joint log-likelihood: for three probe rows (zeros, ones, and the
/// weights 1..=251 in turn), `x · lp[c] + jll_c(0)` must equal `jll_c(x)`. A reordered, shifted
/// or rescaled array, or another field read under the old name, fails by many orders of magnitude
/// more than the tolerance (a relative 1e-9, so a change in summation order does not). Costs three
/// dot products over the vocabulary per class.
fn check_against_public_api(fitted: &MultinomialNb<f64, usize>, lp: &[Vec<f64>; 2]) -> Result<()> {
    use linfa_bayes::NaiveBayes;
    let dim = lp[0].len();
    let changed = |what: String| {
        Error::Fit(format!(
            "linfa-bayes's fitted parameters, read through its serde form (a mirror of the \
             private layout of linfa-bayes 0.8.1), do not match its public \
             joint_log_likelihood ({what}): this linfa-bayes is laid out differently; build with \
             linfa-bayes 0.8.1"
        ))
    };
    if lp[1].len() != dim {
        return Err(changed(format!(
            "{dim} and {} feature log-probabilities",
            lp[1].len()
        )));
    }
    let mut probes = Array2::<f64>::zeros((3, dim));
    for j in 0..dim {
        probes[[1, j]] = 1.0;
        probes[[2, j]] = (j % 251 + 1) as f64;
    }
    let jll = fitted.joint_log_likelihood(probes.view());
    if jll.len() != 2 {
        return Err(changed(format!("{} classes", jll.len())));
    }
    for c in [EDITORIAL, AD] {
        let got = jll
            .get(&c)
            .ok_or_else(|| changed(format!("no class {c}")))?;
        let coef = Array1::from(lp[c].clone());
        let base = got[0];
        for r in 1..3 {
            let want = probes.row(r).dot(&coef) + base;
            let scale = probes.row(r).dot(&coef.mapv(f64::abs)) + base.abs();
            let close = (got[r] - want).abs() <= 1e-9 * scale;
            if !close {
                return Err(changed(format!(
                    "class {c}, probe {r}: {} from linfa-bayes, {want} from the mirror",
                    got[r]
                )));
            }
        }
    }
    Ok(())
}

/// Trains a model on examples through linfa-bayes on aggregated counts.
pub fn train(examples: &[&Example], sources: Vec<SourceFile>, cfg: &TrainConfig) -> Result<Model> {
    check_alpha(cfg)?;
    let counts = count(examples, &cfg.features, cfg.min_count);
    model_from_counts(counts, sources, cfg, true)
}

fn check_alpha(cfg: &TrainConfig) -> Result<()> {
    if !(cfg.alpha > 0.0 && cfg.alpha.is_finite()) {
        return Err(Error::Invalid(format!(
            "alpha must be > 0, got {}",
            cfg.alpha
        )));
    }
    Ok(())
}

/// The model of [`train`] from its counts: fitted through linfa-bayes (`via_linfa`), or with
/// [`feature_log_prob`], its bit-for-bit replica.
fn model_from_counts(
    counts: ClassCounts,
    sources: Vec<SourceFile>,
    cfg: &TrainConfig,
    via_linfa: bool,
) -> Result<Model> {
    for c in [EDITORIAL, AD] {
        if counts.paragraphs[c] == 0 {
            return Err(Error::Fit(format!(
                "no `{}` paragraphs in the training data",
                LABELS[c]
            )));
        }
    }
    let lp = if via_linfa {
        linfa_log_prob(&counts, cfg.alpha)?
    } else {
        feature_log_prob(&counts.counts, cfg.alpha)
    };
    let entries: Vec<(u64, [f64; 2])> = counts
        .vocabulary
        .iter()
        .enumerate()
        .map(|(j, id)| (*id, [lp[EDITORIAL][j], lp[AD][j]]))
        .collect();
    let n: u64 = counts.paragraphs.iter().sum();
    let log_prior = [
        (counts.paragraphs[0] as f64 / n as f64).ln(),
        (counts.paragraphs[1] as f64 / n as f64).ln(),
    ];
    let meta = ModelMeta {
        features: cfg.features,
        alpha: cfg.alpha,
        threshold: cfg.threshold,
        unsure: cfg.unsure,
        min_count: cfg.min_count,
        context_weight: cfg.context_weight,
        context_center: cfg.context_center,
        unknown: UnknownRule {
            min_known_share: quantile(counts.ad_known_shares.clone(), 0.01)
                .unwrap_or(0.5)
                .min(0.5),
            ..UnknownRule::default()
        },
        paragraphs: BTreeMap::from([
            (LABELS[EDITORIAL].to_string(), counts.paragraphs[0]),
            (LABELS[AD].to_string(), counts.paragraphs[1]),
        ]),
        sources,
        calibration: None,
        stacker: None,
        class_totals: Some([EDITORIAL, AD].map(|c| counts.counts[c].iter().sum())),
        adaptation: None,
    };
    Ok(Model::from_parts(meta, log_prior, entries))
}

/// `feature_log_prob` per class from linfa-bayes, fitted on one row per class.
fn linfa_log_prob(counts: &ClassCounts, alpha: f64) -> Result<[Vec<f64>; 2]> {
    // One row per class: the sums of that class's rows over the vocabulary. Naive Bayes needs
    // nothing else.
    let dim = counts.vocabulary.len();
    let mut x = Array2::<f64>::zeros((2, dim));
    for c in [EDITORIAL, AD] {
        for (j, n) in counts.counts[c].iter().enumerate() {
            x[[c, j]] = *n;
        }
    }
    Ok(fit_linfa(x, Array1::from(vec![EDITORIAL, AD]), alpha)?.1)
}

/// How the stacker and the threshold are learnt from the training data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibrate {
    /// Folds of cross-validation (>= 2).
    pub folds: usize,
    /// Largest share of editorial paragraphs of the synthetic documents the threshold may remove.
    pub target_editorial_removed: f64,
}

/// The share of editorial paragraphs the calibrated threshold may remove in the synthetic
/// documents: the project's goal (at most 0.1% of editorial paragraphs removed), not a measured
/// optimum.
pub const TARGET_EDITORIAL_REMOVED: f64 = 0.001;

/// L2 penalty of the stacker's logistic regression. The stacker has eight weights and learns
/// from tens of thousands of paragraphs, so the penalty only keeps Newton's method stable when a
/// signal is absent from the data (it is not a tuned constant).
pub const STACK_RIDGE: f64 = 1.0;

/// How many paragraphs of one kind make a synthetic document, at least and at most.
const DOC_SIZE: (u64, u64) = (4, 12);

/// With at least this many whole documents in the training data (the `doc` column), the stacker
/// and the threshold are learnt from those documents alone (with ads inserted), not from
/// documents assembled from separate paragraphs. Separate paragraphs of one kind share fewer
/// names and topic words than a real page does, so documents assembled from them understate the
/// context signal. Measured on the training data when this was written: learnt from 17,060
/// documents, most of them assembled, the stacker's weight on the context overlap was -6; from
/// the 2,784 versions of the real documents alone, -11.
pub const MIN_REAL_DOCUMENTS: usize = 300;

/// Share of synthetic documents that get an insert (one or two consecutive ad paragraphs of one
/// kind, at a random position), as inserts arrive in scraped pages.
const INSERT_SHARE: f64 = 0.75;

/// A paragraph scored by a model that did not see it.
struct HeldOut {
    nb: f64,
    words: u32,
    content: Vec<u64>,
}

/// Which fold (0..k) an example is in: its document's when it has one (a document's paragraphs
/// share names and topic words, which must not leak into the model that scores them), else its
/// text's.
pub(crate) fn fold_of(e: &Example, k: usize) -> usize {
    let key = e.doc.as_deref().unwrap_or(&e.text);
    (crate::features::fnv1a(key.as_bytes()) % k as u64) as usize
}

/// k-fold cross-validation: `score(model, example)` for every example, by a model trained
/// without its fold ([`fold_of`]). Returned in the examples' order.
pub(crate) fn held_out_by<T>(
    examples: &[&Example],
    k: usize,
    cfg: &TrainConfig,
    mut score: impl FnMut(&Model, &Example) -> T,
) -> Result<Vec<T>> {
    let folds: Vec<usize> = examples.iter().map(|e| fold_of(e, k)).collect();
    by_fold(examples, &folds, &mut score, |each| {
        for_each_fold_model(examples, &folds, k, cfg, each)
    })
}

/// Scores every example with its own fold's model; `models(each)` calls `each(f, model)` once
/// per fold `f`.
fn by_fold<T>(
    examples: &[&Example],
    folds: &[usize],
    score: &mut impl FnMut(&Model, &Example) -> T,
    models: impl FnOnce(&mut dyn FnMut(usize, Model)) -> Result<()>,
) -> Result<Vec<T>> {
    let mut out: Vec<Option<T>> = (0..examples.len()).map(|_| None).collect();
    models(&mut |f, model| {
        for (i, e) in examples.iter().enumerate() {
            if folds[i] == f {
                out[i] = Some(score(&model, e));
            }
        }
    })?;
    Ok(out
        .into_iter()
        .map(|h| h.expect("every example is in a fold"))
        .collect())
}

/// Calls `each(f, model)` for every fold `f` in 0..k, in order, `model` being what [`train`] gives
/// on the examples outside fold `f` (`folds[i]` is example i's fold), bit for bit: the examples
/// are tokenized once ([`FoldCounts`]) and the models' log-probabilities computed with
/// [`feature_log_prob`], linfa-bayes's own arithmetic.
fn for_each_fold_model(
    examples: &[&Example],
    folds: &[usize],
    k: usize,
    cfg: &TrainConfig,
    each: impl FnMut(usize, Model),
) -> Result<()> {
    check_alpha(cfg)?;
    let counts = FoldCounts::new(examples, folds, k, &cfg.features);
    each_fold_model(&counts, cfg, each)
}

/// [`for_each_fold_model`] from the examples' [`FoldCounts`].
fn each_fold_model(
    counts: &FoldCounts,
    cfg: &TrainConfig,
    mut each: impl FnMut(usize, Model),
) -> Result<()> {
    for f in 0..counts.fold.len() {
        let part = counts.without(Some(f), cfg.min_count);
        each(f, model_from_counts(part, Vec::new(), cfg, false)?);
    }
    Ok(())
}

fn held_out(examples: &[&Example], k: usize, cfg: &TrainConfig) -> Result<Vec<HeldOut>> {
    held_out_by(examples, k, cfg, held_out_score)
}

fn held_out_score(model: &Model, e: &Example) -> HeldOut {
    let mut content = Vec::new();
    let s = model.score_with_content(&e.text, &mut content);
    crate::context::distinct(&mut content);
    HeldOut {
        nb: s.log_odds(),
        words: s.words,
        content,
    }
}

/// [`held_out`] from the examples' [`FoldCounts`] (`folds[i]` is example i's fold).
fn held_out_from(
    examples: &[&Example],
    folds: &[usize],
    counts: &FoldCounts,
    cfg: &TrainConfig,
) -> Result<Vec<HeldOut>> {
    by_fold(examples, folds, &mut held_out_score, |each| {
        each_fold_model(counts, cfg, each)
    })
}

/// A small deterministic generator (splitmix64): synthetic documents are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Synthetic documents built only from training paragraphs: the training data's whole documents
/// (the `doc` column), and, when there are fewer than [`MIN_REAL_DOCUMENTS`] of them, editorial
/// paragraphs of one kind, in file order, cut into documents of 4 to 12 paragraphs; three in four
/// get an insert of one or two ad paragraphs of one kind at a random position. Every editorial document is used in as many versions as it takes for every ad
/// block to be inserted once (at most eight). Returns, per document, the example indices in order.
fn synthetic_documents(examples: &[&Example]) -> Vec<Vec<usize>> {
    let mut rng = Rng(0x5eed_c1ea);
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut ad_kinds: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        let kind = e.genre.clone().unwrap_or_default();
        if e.label == AD {
            ad_kinds.entry(kind).or_default().push(i);
        } else {
            let key = match &e.doc {
                Some(d) => format!("doc:{d}"),
                None => format!("kind:{kind}"),
            };
            groups.entry(key).or_default().push(i);
        }
    }
    let mut docs: Vec<Vec<usize>> = Vec::new();
    let real = groups.keys().filter(|k| k.starts_with("doc:")).count();
    let docs_only = real >= MIN_REAL_DOCUMENTS;
    for (key, members) in groups {
        if key.starts_with("doc:") {
            docs.push(members);
            continue;
        }
        if docs_only {
            continue;
        }
        let mut rest = members.as_slice();
        while !rest.is_empty() {
            let size = (DOC_SIZE.0 + rng.below(DOC_SIZE.1 - DOC_SIZE.0 + 1)) as usize;
            let (doc, tail) = rest.split_at(size.min(rest.len()));
            docs.push(doc.to_vec());
            rest = tail;
        }
    }
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for members in ad_kinds.into_values() {
        let mut rest = members.as_slice();
        while !rest.is_empty() {
            let size = 1 + rng.below(2) as usize;
            let (block, tail) = rest.split_at(size.min(rest.len()));
            blocks.push(block.to_vec());
            rest = tail;
        }
    }
    for i in (1..blocks.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        blocks.swap(i, j);
    }
    let per_version = (docs.len() as f64 * INSERT_SHARE).max(1.0);
    let versions = ((blocks.len() as f64 / per_version).ceil() as usize).clamp(1, 8);
    let mut out = Vec::with_capacity(docs.len() * versions);
    let mut next_block = 0usize;
    for _ in 0..versions {
        for doc in &docs {
            let mut d = doc.clone();
            if !blocks.is_empty() && rng.chance(INSERT_SHARE) {
                let at = rng.below(d.len() as u64 + 1) as usize;
                let block = &blocks[next_block % blocks.len()];
                next_block += 1;
                d.splice(at..at, block.iter().copied());
            }
            out.push(d);
        }
    }
    out
}

/// Learns the stacker (see `stack`) and the thresholds by k-fold cross-validation over
/// `examples`, and stores them in the model:
///
/// 1. every paragraph is scored by a naive-Bayes model trained without its fold;
/// 2. synthetic documents are built from those paragraphs (`synthetic_documents`);
/// 3. the stacker is fitted on every paragraph of every synthetic document, from its
///    naive-Bayes score and its signals in that document;
/// 4. the threshold is the lowest log-odds at which at most `target_editorial_removed` of the
///    editorial paragraphs of the synthetic documents would be removed; the unsure band starts
///    at log-odds 0, where the evidence for ad and for editorial is equal (the stacker is fitted
///    with both labels weighted equally).
pub fn calibrate_model(
    model: &mut Model,
    examples: &[&Example],
    cfg: &TrainConfig,
    how: Calibrate,
) -> Result<()> {
    let held = held_out(examples, how.folds, cfg)?;
    calibrate_held(model, examples, &held, how)
}

/// [`calibrate_model`] from every example's held-out score.
fn calibrate_held(
    model: &mut Model,
    examples: &[&Example],
    held: &[HeldOut],
    how: Calibrate,
) -> Result<()> {
    let docs = synthetic_documents(examples);
    let mut rows: Vec<([f64; crate::stack::DIM], bool, usize)> = Vec::new();
    for doc in &docs {
        let nb: Vec<f64> = doc.iter().map(|&i| held[i].nb).collect();
        let words: Vec<u32> = doc.iter().map(|&i| held[i].words).collect();
        let content: Vec<&[u64]> = doc.iter().map(|&i| held[i].content.as_slice()).collect();
        let (signals, _) = crate::filter::signals(&nb, &words, &content);
        for (&i, s) in doc.iter().zip(&signals) {
            rows.push((s.features(), examples[i].label == AD, i));
        }
    }
    let fit_rows: Vec<([f64; crate::stack::DIM], bool)> =
        rows.iter().map(|(x, y, _)| (*x, *y)).collect();
    let stacker = crate::stack::fit(&fit_rows, STACK_RIDGE);
    let scored: Vec<crate::eval::Scored> = rows
        .iter()
        .map(|(x, _, i)| {
            let mut z = 0.0;
            for (w, v) in stacker.weights.iter().zip(x) {
                z += w * v;
            }
            crate::eval::Scored {
                label: examples[*i].label,
                genre: examples[*i].genre.clone(),
                log_odds: z,
            }
        })
        .collect();
    let threshold = crate::eval::calibrate(&scored, how.target_editorial_removed, 0.0);
    let r = crate::eval::report(&scored, threshold);
    let unsure = 0.0f64.min(threshold);
    let band: Vec<&crate::eval::Scored> = scored
        .iter()
        .filter(|s| s.log_odds >= unsure && s.log_odds < threshold)
        .collect();
    let unsure_ad_share = (!band.is_empty())
        .then(|| band.iter().filter(|s| s.label == AD).count() as f64 / band.len() as f64);
    model.meta.stacker = Some(stacker);
    model.meta.threshold = threshold;
    model.meta.unsure = unsure;
    model.meta.calibration = Some(crate::model::Calibration {
        method: format!(
            "{}-fold cross-validation over the training data: {} synthetic documents of training paragraphs with ads inserted",
            how.folds,
            docs.len()
        ),
        target_editorial_removed: how.target_editorial_removed,
        ad_recall: r.recall,
        editorial_removed: r.editorial_removed,
        unsure_ad_share,
    });
    Ok(())
}

/// Reads `dir`, trains, and calibrates the threshold when `how` is given.
pub fn train_dir_calibrated(
    dir: &Path,
    cfg: &TrainConfig,
    how: Option<Calibrate>,
) -> Result<Model> {
    let set = read_training_dir(dir)?;
    let refs: Vec<&Example> = set.examples.iter().collect();
    train_calibrated(&refs, set.sources, cfg, how)
}

/// [`train`], then [`calibrate_model`] when `how` is given, with the same result, faster: the
/// examples are tokenized once for both.
fn train_calibrated(
    refs: &[&Example],
    sources: Vec<SourceFile>,
    cfg: &TrainConfig,
    how: Option<Calibrate>,
) -> Result<Model> {
    let Some(how) = how else {
        return train(refs, sources, cfg);
    };
    check_alpha(cfg)?;
    let folds: Vec<usize> = refs.iter().map(|e| fold_of(e, how.folds)).collect();
    let counts = FoldCounts::new(refs, &folds, how.folds, &cfg.features);
    let mut model = model_from_counts(counts.without(None, cfg.min_count), sources, cfg, true)?;
    let held = held_out_from(refs, &folds, &counts, cfg)?;
    calibrate_held(&mut model, refs, &held, how)?;
    Ok(model)
}
/// Scores labelled paragraphs with a model, each judged alone (no document around it): the
/// model's final log-odds, on the scale of its threshold.
pub fn score_all(model: &Model, examples: &[&Example]) -> Vec<crate::eval::Scored> {
    examples
        .iter()
        .map(|e| crate::eval::Scored {
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

/// k-fold cross-validation: every example scored by a model trained without its fold.
/// Returned in the examples' order.
pub fn cross_validate(
    examples: &[&Example],
    k: usize,
    cfg: &TrainConfig,
) -> Result<Vec<crate::eval::Scored>> {
    if k < 2 {
        return Err(Error::Invalid(format!(
            "cross-validation needs at least 2 folds, got {k}"
        )));
    }
    held_out_by(examples, k, cfg, |model, e| crate::eval::Scored {
        label: e.label,
        genre: e.genre.clone(),
        log_odds: model.score(&e.text).log_odds(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calibration's fold models, from one tokenization and the replica of linfa-bayes's
    /// arithmetic, are byte for byte what [`train`] gives on each fold's training part: on the
    /// real training data (a third of it, some paragraphs weighted), with several `min_count`s
    /// (which prune per training part) and smoothings.
    #[test]
    fn fold_models_are_what_train_gives_on_each_fold() {
        let set =
            read_training_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/training"))).unwrap();
        let mut examples: Vec<Example> = set.examples.into_iter().step_by(3).collect();
        for (i, e) in examples.iter_mut().enumerate() {
            if i % 13 == 0 {
                e.weight = 1 + (i % 4) as u32;
            }
        }
        let refs: Vec<&Example> = examples.iter().collect();
        let k = FOLDS;
        let folds: Vec<usize> = refs.iter().map(|e| fold_of(e, k)).collect();
        for (min_count, alpha) in [(MIN_COUNT, ALPHA), (0, 0.5), (3, ALPHA)] {
            let cfg = TrainConfig {
                min_count,
                alpha,
                ..TrainConfig::default()
            };
            let mut seen = 0;
            let pieces = FoldCounts::new(&refs, &folds, k, &cfg.features);
            for_each_fold_model(&refs, &folds, k, &cfg, |f, model| {
                let part: Vec<&Example> = refs
                    .iter()
                    .zip(&folds)
                    .filter(|(_, g)| **g != f)
                    .map(|(e, _)| *e)
                    .collect();
                // The counts too: the model keeps only a quantile of the known shares.
                let got = pieces.without(Some(f), min_count);
                let counted = count(&part, &cfg.features, min_count);
                assert_eq!(got.vocabulary, counted.vocabulary, "fold {f}");
                assert_eq!(got.counts, counted.counts, "fold {f}");
                assert_eq!(got.paragraphs, counted.paragraphs, "fold {f}");
                assert_eq!(got.ad_known_shares, counted.ad_known_shares, "fold {f}");
                let want = train(&part, Vec::new(), &cfg).unwrap();
                assert!(
                    model.to_bytes() == want.to_bytes(),
                    "fold {f}, min count {min_count}, alpha {alpha}: the fold model differs from train()'s"
                );
                seen += 1;
            })
            .unwrap();
            assert_eq!(seen, k);
            let got = pieces.without(None, min_count);
            let counted = count(&refs, &cfg.features, min_count);
            assert_eq!(got.vocabulary, counted.vocabulary);
            assert_eq!(got.counts, counted.counts);
            assert_eq!(got.paragraphs, counted.paragraphs);
            assert_eq!(got.ad_known_shares, counted.ad_known_shares);
        }
    }
}
