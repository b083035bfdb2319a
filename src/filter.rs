//! The filter, pure: (model, document text, settings) -> kept text + a verdict for every paragraph.
//!
//! Kept paragraphs are copied byte for byte, in order, with the separators between them. Where a
//! run of paragraphs is removed, the two separators around it (before and after the run) become
//! one: the one with fewer line breaks, so no run of extra blank lines is left behind and a
//! document with the insert removed looks as if it had never been there. Text before the first
//! paragraph and after the last one (a BOM, the final line ending or its absence) is kept.

use crate::model::{Model, Score};
use crate::segment::paragraphs;
use std::ops::Range;

/// A model and the settings it filters with: the library's front door.
///
/// A `Filter` owns its [`Model`]; it is `Send + Sync`, so one filter (in an `Arc`, or borrowed
/// by scoped threads) serves every thread of a run. It judges documents one at a time; the same
/// text always gives the same result.
///
/// ```
/// use clean::{Filter, Model, Verdict};
///
/// let filter = Filter::new(Model::builtin()?);
/// let text = "The council approved the budget on Tuesday after a long debate.\n\n\
///             vCard.red is a free platform for creating mobile-friendly digital business \
///             cards. Sign up today and generate a QR code for your card in seconds.\n\n\
///             The new spending plan takes effect in April, officials said.\n";
/// let cleaned = filter.clean(text);
/// assert_eq!(cleaned.removed().count(), 1);
/// assert!(!cleaned.text.contains("vCard.red"));
/// assert!(cleaned.text.starts_with("The council approved"));
/// assert_eq!(cleaned.paragraphs[1].verdict, Verdict::Removed);
/// # Ok::<(), clean::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Filter {
    model: Model,
    settings: Settings,
}

impl Filter {
    /// A filter with the model's own calibrated cuts ([`Settings::from_model`]); text outside
    /// what the model knows is kept and marked [`Verdict::Unknown`].
    pub fn new(model: Model) -> Filter {
        let settings = Settings::from_model(&model);
        Filter { model, settings }
    }

    /// Removes a paragraph when its final log-odds is at least `log_odds` (the model's own cut
    /// by default; see [`crate::model::ModelMeta::threshold`]). A higher cut removes less.
    pub fn threshold(mut self, log_odds: f64) -> Filter {
        self.settings.threshold = log_odds;
        self
    }

    /// Marks a kept paragraph [`Verdict::Unsure`] when its final log-odds is at least
    /// `log_odds` (the model's own cut by default).
    pub fn unsure(mut self, log_odds: f64) -> Filter {
        self.settings.unsure = log_odds;
        self
    }

    /// Keeps paragraphs outside what the model knows (`true`, the default: another language,
    /// code, tables, links), or scores them like any other (`false`).
    pub fn keep_unknown(mut self, keep: bool) -> Filter {
        self.settings.keep_unknown = keep;
        self
    }

    /// Adapts the model to a corpus before filtering it (self-training; see [`crate::adapt`]
    /// and `clean filter --adapt`): the paragraphs the filter judges clearly editorial are added
    /// to the editorial side, so the register of the corpus stops looking unusual. The cuts stay.
    ///
    /// ```
    /// use clean::{adapt::AdaptParams, Filter, Model};
    ///
    /// let docs = ["Stir the onions until soft, then add the garlic.\n\nServe warm.\n"];
    /// let filter = Filter::new(Model::builtin()?).adapt(docs, AdaptParams::default())?;
    /// assert!(filter.model().meta.adaptation.is_some());
    /// # Ok::<(), clean::Error>(())
    /// ```
    pub fn adapt<'a, I>(self, docs: I, params: crate::adapt::AdaptParams) -> crate::Result<Filter>
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        let settings = self.settings;
        let model = crate::adapt::adapt(&self.model, params, |m| {
            let counts = crate::adapt::CorpusCounts::default();
            for doc in docs.clone() {
                counts.observe(m, doc, &judge(m, doc, &settings), params.cut);
            }
            Ok(counts)
        })?;
        Ok(Filter { model, settings })
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The cuts in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Every paragraph of `text` with its score and verdict, without building the output.
    ///
    /// ```
    /// use clean::{Filter, Model, Verdict};
    ///
    /// let filter = Filter::new(Model::builtin()?);
    /// let paragraphs = filter.judge("One.\n\nTwo.\n");
    /// assert_eq!(paragraphs.len(), 2);
    /// assert_eq!(paragraphs[1].range, 6..10);
    /// assert_ne!(paragraphs[0].verdict, Verdict::Removed);
    /// # Ok::<(), clean::Error>(())
    /// ```
    pub fn judge(&self, text: &str) -> Vec<Paragraph> {
        judge(&self.model, text, &self.settings)
    }

    /// Removes the paragraphs judged to be ad copy. Kept paragraphs are copied byte for byte.
    pub fn clean(&self, text: &str) -> Cleaned {
        filter_text(&self.model, text, &self.settings)
    }

    /// [`Filter::judge`], with the `top` tokens that pushed each paragraph's naive-Bayes score
    /// most toward ad and toward editorial.
    ///
    /// ```
    /// use clean::{Filter, Model};
    ///
    /// let filter = Filter::new(Model::builtin()?);
    /// let why = filter.explain("Buy now and save 50% with free shipping at our online store!\n", 3);
    /// assert!(why[0].ad_tokens.len() <= 3);
    /// assert!(why[0].ad_tokens.iter().all(|t| t.weight > 0.0));
    /// # Ok::<(), clean::Error>(())
    /// ```
    pub fn explain(&self, text: &str, top: usize) -> Vec<Explained> {
        self.judge(text)
            .into_iter()
            .map(|p| {
                let (ad, ed) = crate::explain::top_tokens(&self.model, &text[p.range.clone()], top);
                Explained {
                    paragraph: p,
                    ad_tokens: ad,
                    editorial_tokens: ed,
                }
            })
            .collect()
    }
}

/// A paragraph and why it got its score (see [`Filter::explain`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The paragraph and its verdict.
    pub paragraph: Paragraph,
    /// The tokens pushing most toward ad, strongest first (weights > 0).
    pub ad_tokens: Vec<crate::explain::TokenWeight>,
    /// The tokens pushing most toward editorial, strongest first (weights < 0).
    pub editorial_tokens: Vec<crate::explain::TokenWeight>,
}

/// Cuts applied to a paragraph's final log-odds (see [`crate::stack`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Remove a paragraph when its log-odds >= threshold.
    pub threshold: f64,
    /// Report a kept paragraph as unsure when its log-odds >= unsure.
    pub unsure: f64,
    /// Keep paragraphs outside what the model knows (true), or score them like any other.
    pub keep_unknown: bool,
}

impl Settings {
    /// The cuts stored in a model.
    pub fn from_model(model: &Model) -> Settings {
        Settings {
            threshold: model.meta.threshold,
            unsure: model.meta.unsure,
            keep_unknown: true,
        }
    }
}

/// What the filter decided for one paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Kept as editorial.
    Kept,
    /// Kept, but its score is in the unsure band.
    Unsure,
    /// Removed as ad copy.
    Removed,
    /// Kept: outside what the model knows (another language or script, code, figures, links).
    Unknown,
}

impl Verdict {
    /// The verdict's name as in reports: `kept`, `unsure`, `removed` or `unknown`.
    ///
    /// ```
    /// assert_eq!(clean::Verdict::Removed.as_str(), "removed");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Kept => "kept",
            Verdict::Unsure => "unsure",
            Verdict::Removed => "removed",
            Verdict::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One paragraph and its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Position among the document's paragraphs, from 0.
    pub index: usize,
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// The naive-Bayes score of the paragraph alone.
    pub score: Score,
    /// The final log-odds that the paragraph is an insert (naive Bayes and the document, see
    /// [`crate::stack`]); the verdict compares it with the settings' cuts.
    pub log_odds: f64,
    /// P(ad), the logistic of `log_odds`.
    pub p_ad: f64,
    /// Fit with the document: (content words, how many also occur elsewhere in the document).
    pub context: (u32, u32),
    /// Why the paragraph is outside what the model knows, if it is.
    pub unknown: Option<crate::unknown::UnknownReason>,
    /// The decision.
    pub verdict: Verdict,
}

/// A filtered document.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The document with removed paragraphs taken out.
    pub text: String,
    /// Every paragraph, in order.
    pub paragraphs: Vec<Paragraph>,
    /// The byte ranges of the original text that `text` leaves out (removed paragraphs and the
    /// separators that went with them), in order, disjoint and not touching: taking exactly these
    /// out of the input gives `text`, except in the rare case where a blank line had to be put
    /// back between two kept paragraphs ([`Tidy::Separate`]), which `exact` says.
    pub deleted: Vec<Range<usize>>,
    /// False when `text` holds line breaks that are not in the text (see `deleted`).
    pub exact: bool,
}

impl Cleaned {
    /// The removed paragraphs, in order.
    pub fn removed(&self) -> impl Iterator<Item = &Paragraph> {
        self.paragraphs
            .iter()
            .filter(|p| p.verdict == Verdict::Removed)
    }
    /// Number of paragraphs with a given verdict.
    pub fn count(&self, v: Verdict) -> usize {
        self.paragraphs.iter().filter(|p| p.verdict == v).count()
    }
}

/// The document-level signals of every paragraph of a document, given each paragraph's
/// naive-Bayes log-odds, word count and distinct content words: its context overlap and the
/// median log-odds of the other paragraphs (see [`crate::stack::Signals`]), and the raw
/// (content words, shared) pairs.
pub fn signals(
    nb: &[f64],
    words: &[u32],
    content: &[&[u64]],
) -> (Vec<crate::stack::Signals>, Vec<(u32, u32)>) {
    let ctx = crate::context::overlaps(content);
    let mut sig = Vec::new();
    signals_from(nb, words, &ctx, &mut Vec::new(), &mut sig);
    (sig, ctx)
}

/// [`signals`] from the (content words, shared) pairs already counted, into `out` (`sorted` is
/// a buffer).
fn signals_from(
    nb: &[f64],
    words: &[u32],
    ctx: &[(u32, u32)],
    sorted: &mut Vec<f64>,
    out: &mut Vec<crate::stack::Signals>,
) {
    let n = nb.len();
    let big = n >= crate::context::MIN_PARAGRAPHS;
    sorted.clear();
    sorted.extend_from_slice(nb);
    sorted.sort_by(f64::total_cmp);
    out.clear();
    out.extend((0..n).map(|i| crate::stack::Signals {
        nb: nb[i],
        context: (big && ctx[i].0 >= crate::context::MIN_WORDS).then_some(ctx[i]),
        words: words[i],
        doc_median: big.then(|| median_without(sorted, nb[i])),
    }));
}

/// The median of `sorted` with one element equal to `x` left out (`sorted.len() >= 2`).
fn median_without(sorted: &[f64], x: f64) -> f64 {
    let k = sorted.partition_point(|v| v.total_cmp(&x).is_lt());
    let m = sorted.len() - 1;
    let at = |r: usize| if r < k { sorted[r] } else { sorted[r + 1] };
    if m % 2 == 1 {
        at(m / 2)
    } else {
        (at(m / 2 - 1) + at(m / 2)) / 2.0
    }
}

/// One unit the filter judges: a paragraph, or a part of a flagged multi-line paragraph.
#[derive(Clone)]
struct Unit {
    range: Range<usize>,
    score: Score,
    words: Vec<u64>,
    unknown: Option<crate::unknown::UnknownReason>,
    /// Already a part of a split paragraph (not split again).
    part: bool,
    /// Kept whatever its score: it could not be cut without removing editorial text.
    pinned: bool,
    /// Its removal was checked (an indivisible run of lines none of whose sentences leans
    /// editorial).
    settled: bool,
}

impl Unit {
    fn new(model: &Model, text: &str, range: Range<usize>, part: bool) -> Unit {
        let mut words = Vec::new();
        let para = &text[range.clone()];
        let score = model.score_reference(para, &mut words);
        crate::context::distinct(&mut words);
        let unknown = model
            .meta
            .unknown
            .why(&crate::unknown::stats(para), &score)
            .or_else(|| {
                crate::unknown::other_language(para, &score)
                    .then_some(crate::unknown::UnknownReason::Vocabulary)
            });
        Unit {
            range,
            score,
            words,
            unknown,
            part,
            pinned: false,
            settled: false,
        }
    }
}

/// The fixed point of judging `units` in their document: judge, take out what is removed, and
/// judge the rest again against what stays, until nothing more goes (then filtering the output
/// again removes nothing). Returns (removed, final log-odds, context) per unit.
fn fixed_point(
    model: &Model,
    units: &[Unit],
    settings: &Settings,
) -> (Vec<bool>, Vec<f64>, Vec<(u32, u32)>) {
    let n = units.len();
    let mut removed = vec![false; n];
    let mut log_odds = vec![0.0; n];
    let mut contexts = vec![(0u32, 0u32); n];
    loop {
        let active: Vec<usize> = (0..n).filter(|i| !removed[*i]).collect();
        let sets: Vec<&[u64]> = active.iter().map(|&i| units[i].words.as_slice()).collect();
        let nb: Vec<f64> = active.iter().map(|&i| units[i].score.log_odds()).collect();
        let wc: Vec<u32> = active.iter().map(|&i| units[i].score.words).collect();
        let (sig, ctx) = signals(&nb, &wc, &sets);
        let mut changed = false;
        for ((&i, s), c) in active.iter().zip(&sig).zip(ctx) {
            log_odds[i] = model.combine(s);
            contexts[i] = c;
            let judged_unknown = units[i].unknown.is_some() && settings.keep_unknown;
            if !judged_unknown && !units[i].pinned && log_odds[i] >= settings.threshold {
                removed[i] = true;
                changed = true;
            }
        }
        if !changed {
            return (removed, log_odds, contexts);
        }
    }
}

/// The judge of a document where a multi-line paragraph is flagged ([`judge`] and
/// [`judge_reference`] both come here then, so they agree).
///
/// A flagged paragraph of several lines (a hard-wrapped block, which may hold an ad after an
/// editorial paragraph with only a line break between them) is not removed whole: its parts
/// (runs of lines cut after lines that end a sentence, [`crate::segment::line_runs`]) are judged
/// as paragraphs of the document instead, and only the flagged parts go. A flagged part of
/// several lines that cannot be cut further goes only if none of its sentences, judged in the
/// document, leans editorial (log-odds below the unsure cut); otherwise it is kept and marked
/// unsure. No editorial line is removed to take out an ad.
fn judge_wrapped(model: &Model, text: &str, settings: &Settings) -> Vec<Paragraph> {
    let mut units: Vec<Unit> = paragraphs(text)
        .into_iter()
        .map(|r| Unit::new(model, text, r, false))
        .collect();
    let multi_line =
        |r: &Range<usize>| memchr::memchr(b'\n', &text.as_bytes()[r.clone()]).is_some();
    // Whether a flagged run of lines that cannot be cut further has a sentence that leans
    // editorial, judged in the document as it stands (without what is removed), as a second
    // pass over the output would judge it.
    let leans_editorial = |units: &[Unit], removed: &[bool], i: usize| -> bool {
        let sentences = crate::segment::sentences(text, units[i].range.clone());
        if sentences.len() <= 1 {
            return false;
        }
        let k = sentences.len();
        let mut trial = Vec::with_capacity(units.len() + k);
        let mut at = 0;
        for (j, u) in units.iter().enumerate() {
            if j == i {
                at = trial.len();
                trial.extend(
                    sentences
                        .iter()
                        .map(|r| Unit::new(model, text, r.clone(), true)),
                );
            } else if !removed[j] {
                trial.push(u.clone());
            }
        }
        let (r2, lo2, _) = fixed_point(model, &trial, settings);
        (at..at + k).any(|s| {
            !r2[s]
                && lo2[s] < settings.unsure
                && !(trial[s].unknown.is_some() && settings.keep_unknown)
        })
    };
    let (removed, log_odds, contexts) = loop {
        let (removed, log_odds, contexts) = fixed_point(model, &units, settings);
        if let Some(i) = (0..units.len())
            .find(|&i| removed[i] && !units[i].settled && multi_line(&units[i].range))
        {
            if !units[i].part {
                let parts = crate::segment::line_runs(text, units[i].range.clone());
                if parts.len() > 1 {
                    let parts: Vec<Unit> = parts
                        .into_iter()
                        .map(|r| Unit::new(model, text, r, true))
                        .collect();
                    units.splice(i..=i, parts);
                    continue;
                }
            }
            if leans_editorial(&units, &removed, i) {
                units[i].pinned = true;
            } else {
                units[i].settled = true;
            }
            continue;
        }
        // Settled: check every kept run again against what is removed now (a later removal
        // changed the document it was judged in). Each run is pinned and unpinned at most once.
        if let Some(p) =
            (0..units.len()).find(|&p| units[p].pinned && !leans_editorial(&units, &removed, p))
        {
            units[p].pinned = false;
            units[p].settled = true;
            continue;
        }
        break (removed, log_odds, contexts);
    };
    units
        .into_iter()
        .enumerate()
        .map(|(index, u)| {
            let verdict = if removed[index] {
                Verdict::Removed
            } else if u.pinned {
                Verdict::Unsure
            } else if u.unknown.is_some() && settings.keep_unknown {
                Verdict::Unknown
            } else if log_odds[index] >= settings.unsure {
                Verdict::Unsure
            } else {
                Verdict::Kept
            };
            Paragraph {
                index,
                range: u.range,
                score: u.score,
                log_odds: log_odds[index],
                p_ad: crate::model::logistic(log_odds[index]),
                context: contexts[index],
                unknown: u.unknown,
                verdict,
            }
        })
        .collect()
}

/// Whether a paragraph of several lines is removed: then the document is judged again by
/// [`judge_wrapped`], so no editorial line goes with an ad in a hard-wrapped block.
fn removes_a_block(text: &str, judged: &[Paragraph]) -> bool {
    judged.iter().any(|j| {
        j.verdict == Verdict::Removed
            && memchr::memchr(b'\n', &text.as_bytes()[j.range.clone()]).is_some()
    })
}

/// Per-thread buffers of [`judge`], kept from one document to the next.
#[derive(Default)]
struct Scratch {
    scanner: crate::scan::Scanner,
    doc: crate::context::DocWords,
    active: Vec<usize>,
    nb: Vec<f64>,
    words: Vec<u32>,
    ctx: Vec<(u32, u32)>,
    sorted: Vec<f64>,
    signals: Vec<crate::stack::Signals>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Scores and judges every paragraph of a document, without building output. The hot path: one
/// pass per paragraph ([`crate::scan`]), the document's content words numbered once
/// ([`crate::context::DocWords`]); the same verdicts and score bits as [`judge_reference`].
pub fn judge(model: &Model, text: &str, settings: &Settings) -> Vec<Paragraph> {
    let judged = SCRATCH.with(|s| judge_with(&mut s.borrow_mut(), model, text, settings));
    if removes_a_block(text, &judged) {
        return judge_wrapped(model, text, settings);
    }
    judged
}

fn judge_with(s: &mut Scratch, model: &Model, text: &str, settings: &Settings) -> Vec<Paragraph> {
    let ranges = paragraphs(text);
    let n = ranges.len();
    s.doc.clear();
    let mut scores = Vec::with_capacity(n);
    let mut unknown = Vec::with_capacity(n);
    for r in &ranges {
        let scanned = s.scanner.scan(&text[r.clone()], &model.meta.features);
        let score = model.score_scanned(&s.scanner.ids, scanned.words);
        s.doc.add_paragraph(&s.scanner.content);
        unknown.push(model.meta.unknown.why(&scanned.stats, &score).or_else(|| {
            crate::unknown::other_language(&text[r.clone()], &score)
                .then_some(crate::unknown::UnknownReason::Vocabulary)
        }));
        scores.push(score);
    }
    // The fixed point of `judge_reference`, from the paragraphs' word numbers.
    let mut removed = vec![false; n];
    let mut log_odds = vec![0.0; n];
    let mut contexts = vec![(0u32, 0u32); n];
    loop {
        s.active.clear();
        s.active.extend((0..n).filter(|i| !removed[*i]));
        s.nb.clear();
        s.nb.extend(s.active.iter().map(|&i| scores[i].log_odds()));
        s.words.clear();
        s.words.extend(s.active.iter().map(|&i| scores[i].words));
        s.doc.overlaps(&s.active, &mut s.ctx);
        signals_from(&s.nb, &s.words, &s.ctx, &mut s.sorted, &mut s.signals);
        let mut changed = false;
        for ((&i, sig), c) in s.active.iter().zip(&s.signals).zip(&s.ctx) {
            log_odds[i] = model.combine(sig);
            contexts[i] = *c;
            let judged_unknown = unknown[i].is_some() && settings.keep_unknown;
            if !judged_unknown && log_odds[i] >= settings.threshold {
                removed[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    verdicts(
        ranges, scores, &removed, &log_odds, &contexts, &unknown, settings,
    )
}

fn verdicts(
    ranges: Vec<Range<usize>>,
    scores: Vec<Score>,
    removed: &[bool],
    log_odds: &[f64],
    contexts: &[(u32, u32)],
    unknown: &[Option<crate::unknown::UnknownReason>],
    settings: &Settings,
) -> Vec<Paragraph> {
    ranges
        .into_iter()
        .zip(scores)
        .enumerate()
        .map(|(index, (range, score))| {
            let verdict = if removed[index] {
                Verdict::Removed
            } else if unknown[index].is_some() && settings.keep_unknown {
                Verdict::Unknown
            } else if log_odds[index] >= settings.unsure {
                Verdict::Unsure
            } else {
                Verdict::Kept
            };
            Paragraph {
                index,
                range,
                score,
                log_odds: log_odds[index],
                p_ad: crate::model::logistic(log_odds[index]),
                context: contexts[index],
                unknown: unknown[index],
                verdict,
            }
        })
        .collect()
}

/// The reference judge: the simple scanner, scorer and statistics, and [`signals`] recomputed
/// from the paragraphs' sorted content words every round. Kept to check [`judge`] against
/// (`tests/lean_scanner.rs`).
pub fn judge_reference(model: &Model, text: &str, settings: &Settings) -> Vec<Paragraph> {
    let ranges = paragraphs(text);
    let mut words = Vec::with_capacity(ranges.len());
    let scores: Vec<Score> = ranges
        .iter()
        .map(|r| {
            let mut w = Vec::new();
            let s = model.score_reference(&text[r.clone()], &mut w);
            crate::context::distinct(&mut w);
            words.push(w);
            s
        })
        .collect();
    let unknown: Vec<Option<crate::unknown::UnknownReason>> = ranges
        .iter()
        .zip(&scores)
        .map(|(r, score)| {
            let para = &text[r.clone()];
            model
                .meta
                .unknown
                .why(&crate::unknown::stats(para), score)
                .or_else(|| {
                    crate::unknown::other_language(para, score)
                        .then_some(crate::unknown::UnknownReason::Vocabulary)
                })
        })
        .collect();
    // The document's signals depend on which paragraphs stay. Judge, take out what is removed,
    // and judge the rest again against what stays, until nothing more goes: then filtering the
    // output again removes nothing (the filter is idempotent on the text it keeps).
    let n = ranges.len();
    let mut removed = vec![false; n];
    let mut log_odds = vec![0.0; n];
    let mut contexts = vec![(0u32, 0u32); n];
    loop {
        let active: Vec<usize> = (0..n).filter(|i| !removed[*i]).collect();
        let sets: Vec<&[u64]> = active.iter().map(|&i| words[i].as_slice()).collect();
        let nb: Vec<f64> = active.iter().map(|&i| scores[i].log_odds()).collect();
        let wc: Vec<u32> = active.iter().map(|&i| scores[i].words).collect();
        let (sig, ctx) = signals(&nb, &wc, &sets);
        let mut changed = false;
        for ((&i, s), c) in active.iter().zip(&sig).zip(ctx) {
            log_odds[i] = model.combine(s);
            contexts[i] = c;
            let judged_unknown = unknown[i].is_some() && settings.keep_unknown;
            if !judged_unknown && log_odds[i] >= settings.threshold {
                removed[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let judged = verdicts(
        ranges, scores, &removed, &log_odds, &contexts, &unknown, settings,
    );
    if removes_a_block(text, &judged) {
        return judge_wrapped(model, text, settings);
    }
    judged
}

/// Filters one document.
pub fn filter_text(model: &Model, text: &str, settings: &Settings) -> Cleaned {
    let judged = judge(model, text, settings);
    // Parts of one paragraph that are kept next to each other are one paragraph of the output.
    let blocks = paragraphs(text);
    let mut b = 0;
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(judged.len());
    let mut remove: Vec<bool> = Vec::with_capacity(judged.len());
    let mut last_block = usize::MAX;
    for j in &judged {
        while b + 1 < blocks.len() && blocks[b].end < j.range.end {
            b += 1;
        }
        let gone = j.verdict == Verdict::Removed;
        if !gone && last_block == b && remove.last() == Some(&false) {
            if let Some(r) = ranges.last_mut() {
                r.end = j.range.end;
                continue;
            }
        }
        ranges.push(j.range.clone());
        remove.push(gone);
        last_block = b;
    }
    let mut tidy = Tidy::FewerBreaks;
    let mut output = rebuild(text, &ranges, &remove, tidy);
    if output.len() != text.len() && !same_paragraphs(&output, text, &ranges, &remove) {
        // Joining the separators merged two blocks into one that segments differently (it would
        // be read as one hard-wrapped paragraph): keep the wider separator instead, and if even
        // that is read differently, a blank line between every two kept paragraphs.
        tidy = Tidy::MoreBreaks;
        output = rebuild(text, &ranges, &remove, tidy);
        if !same_paragraphs(&output, text, &ranges, &remove) {
            tidy = Tidy::Separate;
            output = rebuild(text, &ranges, &remove, tidy);
        }
    }
    let deleted = if output.len() == text.len() {
        Vec::new()
    } else {
        deleted_ranges(text.len(), &pieces(text, &ranges, &remove, tidy))
    };
    Cleaned {
        text: output,
        paragraphs: judged,
        deleted,
        exact: tidy != Tidy::Separate,
    }
}

/// The complement, in `0..len`, of the text ranges among `pieces`, adjacent gaps merged.
fn deleted_ranges(len: usize, pieces: &[Piece]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    for p in pieces {
        if let Piece::Text(r) = p {
            if r.start > at {
                match out.last_mut() {
                    Some(last) if last.end == at => last.end = r.start,
                    _ => out.push(at..r.start),
                }
            }
            at = at.max(r.end);
        }
    }
    if at < len {
        out.push(at..len);
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Whether `output` segments into exactly the kept paragraphs of `text`.
fn same_paragraphs(output: &str, text: &str, ranges: &[Range<usize>], remove: &[bool]) -> bool {
    let kept: Vec<&str> = ranges
        .iter()
        .zip(remove)
        .filter(|(_, gone)| !**gone)
        .map(|(r, _)| &text[r.clone()])
        .collect();
    let out = paragraphs(output);
    out.len() == kept.len() && out.iter().zip(&kept).all(|(r, k)| &output[r.clone()] == *k)
}

/// Which of the two separators around a removed run is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tidy {
    /// The one with fewer line breaks (the insert's padding goes with it).
    FewerBreaks,
    /// The one with more line breaks (block boundaries are never lost).
    MoreBreaks,
    /// The one with more line breaks, and a blank line between every two kept paragraphs that
    /// were not separated by one, so each is read back as the paragraph it was.
    Separate,
}

fn newlines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// One piece of a rebuilt document: a range of the original text, or an added line break.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(Range<usize>),
    Added(&'static str),
}

/// `text` without the paragraphs flagged in `remove`, separators tidied (see the module docs).
/// `ranges` are the document's paragraphs in order; returns `text` unchanged when nothing is
/// removed, and only the text before the first paragraph and after the last (a BOM, the final
/// line ending) when everything is.
pub fn rebuild(text: &str, ranges: &[Range<usize>], remove: &[bool], tidy: Tidy) -> String {
    if !remove.iter().any(|r| *r) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for p in pieces(text, ranges, remove, tidy) {
        match p {
            Piece::Text(r) => out.push_str(&text[r]),
            Piece::Added(s) => out.push_str(s),
        }
    }
    out
}

/// The pieces [`rebuild`] joins, in order.
fn pieces(text: &str, ranges: &[Range<usize>], remove: &[bool], tidy: Tidy) -> Vec<Piece> {
    debug_assert_eq!(ranges.len(), remove.len());
    if !remove.iter().any(|r| *r) {
        return vec![Piece::Text(0..text.len())];
    }
    let kept: Vec<usize> = (0..ranges.len()).filter(|i| !remove[*i]).collect();
    // gap(i): the text before paragraph i; gap(n): the text after the last paragraph.
    let gap = |i: usize| -> Range<usize> {
        let start = if i == 0 { 0 } else { ranges[i - 1].end };
        let end = if i == ranges.len() {
            text.len()
        } else {
            ranges[i].start
        };
        start..end
    };
    let Some(&first) = kept.first() else {
        // Everything goes but the text outside paragraphs (a BOM, the final line ending).
        return vec![Piece::Text(gap(0)), Piece::Text(gap(ranges.len()))];
    };
    let mut out = Vec::with_capacity(2 * kept.len() + 2);
    out.push(Piece::Text(gap(0)));
    out.push(Piece::Text(ranges[first].clone()));
    for pair in kept.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let sep = if b == a + 1 {
            gap(b)
        } else {
            let (before, after) = (gap(a + 1), gap(b));
            let lines = |r: &Range<usize>| newlines(&text[r.clone()]);
            let after_wins = match tidy {
                Tidy::FewerBreaks => lines(&after) < lines(&before),
                Tidy::MoreBreaks | Tidy::Separate => lines(&after) > lines(&before),
            };
            if after_wins {
                after
            } else {
                before
            }
        };
        let sep_text = &text[sep.clone()];
        let add = tidy == Tidy::Separate && newlines(sep_text) < 2;
        let crlf = sep_text.ends_with("\r\n");
        out.push(Piece::Text(sep));
        if add {
            out.push(Piece::Added(if crlf { "\r\n" } else { "\n" }));
        }
        out.push(Piece::Text(ranges[b].clone()));
    }
    out.push(Piece::Text(gap(ranges.len())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, remove_texts: &[&str]) -> String {
        let ranges = paragraphs(text);
        let remove: Vec<bool> = ranges
            .iter()
            .map(|r| remove_texts.contains(&&text[r.clone()]))
            .collect();
        rebuild(text, &ranges, &remove, Tidy::FewerBreaks)
    }

    #[test]
    fn deleted_ranges_give_the_output() {
        let t = "A.\nB.\n\nAD1\nAD2\nC.\nD.\n\nAD3\n";
        let ranges = paragraphs(t);
        let remove: Vec<bool> = ranges
            .iter()
            .map(|r| t[r.clone()].starts_with("AD"))
            .collect();
        let out = rebuild(t, &ranges, &remove, Tidy::FewerBreaks);
        let del = deleted_ranges(t.len(), &pieces(t, &ranges, &remove, Tidy::FewerBreaks));
        let mut kept = String::new();
        let mut at = 0;
        for r in &del {
            kept.push_str(&t[at..r.start]);
            at = r.end;
        }
        kept.push_str(&t[at..]);
        assert_eq!(kept, out);
    }

    #[test]
    fn nothing_removed_is_identity() {
        let t = "a\r\n\r\nb  \n\n\n";
        assert_eq!(run(t, &[]), t);
    }

    #[test]
    fn padded_insert_leaves_no_extra_blank_lines() {
        assert_eq!(
            run("A.\nB.\n\nAD1\nAD2\nC.\nD.", &["AD1", "AD2"]),
            "A.\nB.\nC.\nD."
        );
        assert_eq!(run("A.\n\nAD\n\nC.\n", &["AD"]), "A.\n\nC.\n");
        assert_eq!(run("A.\n\n\nAD\n\nC.\n", &["AD"]), "A.\n\nC.\n");
    }

    #[test]
    fn ends_and_line_endings_are_preserved() {
        assert_eq!(run("AD\r\n\r\nA.\r\nB.", &["AD"]), "A.\r\nB.");
        assert_eq!(run("A.\r\nAD\r\n", &["AD"]), "A.\r\n");
        assert_eq!(run("A.\nAD", &["AD"]), "A.");
        assert_eq!(run("\u{feff}AD\nA.\n", &["AD"]), "\u{feff}A.\n");
        assert_eq!(run("AD\n", &["AD"]), "\n");
        assert_eq!(run("\u{feff}AD\r\nAD2\r\n", &["AD", "AD2"]), "\u{feff}\r\n");
    }
}
