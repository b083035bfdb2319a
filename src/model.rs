//! The paragraph classifier: a multinomial naive-Bayes model (fitted by linfa-bayes, see
//! [`crate::train`]), its versioned file format, and the sparse scorer used by the filter.
//!
//! File format (all integers little-endian), version [`FORMAT_VERSION`]:
//! ```text
//! magic      8 bytes   "CLEANNB\n"
//! version    u32
//! meta_len   u32, then meta_len bytes of JSON (ModelMeta, fields in a fixed order)
//! prior      2 x f64   log prior of editorial, ad
//! n          u32, then n x (u64 token id, f64 log P(token|editorial), f64 log P(token|ad)),
//!            ids strictly increasing: one entry per token seen in training
//! checksum   u64       FNV-1a of every byte before it
//! ```
//! The same training data gives the same bytes: nothing in it depends on time, hash-map order or
//! thread count.

use crate::error::{Error, Result};
use crate::features::{fnv1a, for_each_token_id_with_content, FeatureConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// First bytes of every model file.
pub const MAGIC: &[u8; 8] = b"CLEANNB\n";
/// The newest format this build reads and the one it writes. Version 2 stores the threshold and
/// the unsure cut as log-odds, and the stacker (see `stack`); version 1 files (P(ad)
/// cuts, the fixed context term) are read and converted.
pub const FORMAT_VERSION: u32 = 2;

/// Class index of editorial text.
pub const EDITORIAL: usize = 0;
/// Class index of ad copy.
pub const AD: usize = 1;
/// Class names, by index.
pub const LABELS: [&str; 2] = ["editorial", "ad"];

/// One training file the model was built from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceFile {
    /// Path relative to the training directory.
    pub path: String,
    /// Paragraphs per label in this file.
    pub paragraphs: BTreeMap<String, u64>,
    /// FNV-1a of the file's bytes, hex.
    pub fnv1a: String,
}

/// Figures measured by `clean eval --folds` and stored with the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    /// How the figures were obtained, e.g. "5-fold cross-validation over training/".
    pub method: String,
    /// Target share of editorial paragraphs removed used to choose the threshold.
    pub target_editorial_removed: f64,
    /// Recall on ad paragraphs at the stored threshold.
    pub ad_recall: f64,
    /// Share of editorial paragraphs removed at the stored threshold.
    pub editorial_removed: f64,
    /// Share of ads among the paragraphs of the unsure band (kept, log-odds between the unsure
    /// cut and the threshold): what "unsure" means.
    #[serde(default)]
    pub unsure_ad_share: Option<f64>,
}

/// Everything about a model except its weights. Serialized as JSON inside the model file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelMeta {
    /// How text becomes features.
    pub features: FeatureConfig,
    /// Additive (Laplace/Lidstone) smoothing given to linfa-bayes.
    pub alpha: f64,
    /// Log-odds (natural log) at or above which a paragraph is removed.
    pub threshold: f64,
    /// Log-odds at or above which a kept paragraph is reported as unsure.
    pub unsure: f64,
    /// Training paragraphs per label.
    pub paragraphs: BTreeMap<String, u64>,
    /// Training files, sorted by path.
    pub sources: Vec<SourceFile>,
    /// Tokens seen fewer times than this in training were left out.
    #[serde(default)]
    pub min_count: u64,
    /// Weight of the document-context term (nats per unit of overlap); 0 turns it off.
    #[serde(default)]
    pub context_weight: f64,
    /// Overlap share at which the context term is zero.
    #[serde(default)]
    pub context_center: f64,
    /// When a paragraph is outside what the model knows (see `unknown`).
    #[serde(default)]
    pub unknown: crate::unknown::UnknownRule,
    /// Cross-validated figures, when `clean eval` stored them.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// The second stage over the naive-Bayes score and the document (format 2). Absent in a
    /// version-1 model, which adds the fixed context term instead.
    #[serde(default)]
    pub stacker: Option<crate::stack::Stacker>,
    /// Total token count per class (editorial, ad) in training, with which the per-token counts
    /// can be recovered from the log-probabilities (`clean adapt` refits from them).
    #[serde(default)]
    pub class_totals: Option<[f64; 2]>,
    /// When the model was adapted to a corpus by `clean adapt`: what was done.
    #[serde(default)]
    pub adaptation: Option<Adaptation>,
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

/// A loaded model, ready to score.
///
/// The weights are held once, as the model file has them: `entries`, exact f64, sorted by id
/// (saving writes them back bit for bit; `clean adapt` refits from them; [`Model::log_prob`]
/// and so `clean explain` read them). The scorer's `DeltaTable` is built from them for the hot
/// path: one f32 difference per token in 8-byte slots, lossy, so it cannot stand in for them.
#[derive(Debug, Clone)]
pub struct Model {
    /// Settings and provenance.
    pub meta: ModelMeta,
    log_prior: [f64; 2],
    /// (token id, log-probabilities) of every token seen in training, sorted by id.
    entries: Vec<(u64, [f64; 2])>,
    /// Per token, log P(token|ad) - log P(token|editorial), in a flat open-addressing table for
    /// the hot path (one cache line per lookup).
    deltas: DeltaTable,
}

/// A flat hash table from token id to weight, compact enough to stay in the CPU cache while
/// scoring: 8-byte slots (a 32-bit fingerprint of the id's high half, the weight as f32), linear
/// probing from the id's low bits, at most 70% full. The slot index and fingerprint together
/// use 49 or more bits of the 64-bit id, so a token outside the vocabulary is mistaken for one
/// inside with odds below 1 in 10^9 per lookup. Weights are rounded to f32 here only; the model
/// file and `log_prob` keep f64.
///
/// A bitmap over the fingerprints answers most lookups of unknown tokens without touching the
/// table, which is larger than a core's L2 cache.
#[derive(Debug, Clone)]
struct DeltaTable {
    mask: usize,
    slots: Vec<(u32, f32)>,
    /// Bit `fp & FILTER_MASK` set for the fingerprint `fp` of every slot: a lookup whose bit is
    /// clear cannot match any slot, so [`DeltaTable::get`] would answer `None`.
    filter: Vec<u64>,
}

/// Bits in [`DeltaTable::filter`] (256 KB: under 10% of them set for the built-in model).
const FILTER_BITS: u32 = 21;
const FILTER_MASK: u64 = (1 << FILTER_BITS) - 1;

impl DeltaTable {
    /// Fingerprint 0 marks an empty slot.
    fn fingerprint(id: u64) -> u32 {
        ((id >> 32) as u32).max(1)
    }

    fn new(entries: &[(u64, [f64; 2])]) -> DeltaTable {
        let size = (entries.len() * 10 / 7 + 1).next_power_of_two().max(16);
        let mut slots = vec![(0u32, 0f32); size];
        let mask = size - 1;
        for (id, lp) in entries {
            let mut i = (*id as usize) & mask;
            while slots[i].0 != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (Self::fingerprint(*id), (lp[AD] - lp[EDITORIAL]) as f32);
        }
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
        for (key, _) in &slots {
            if *key != 0 {
                let b = u64::from(*key) & FILTER_MASK;
                filter[(b >> 6) as usize] |= 1 << (b & 63);
            }
        }
        DeltaTable {
            mask,
            slots,
            filter,
        }
    }

    /// False when no slot holds the fingerprint of `id`: then [`DeltaTable::get`] is `None`.
    #[inline(always)]
    fn may_hold(&self, id: u64) -> bool {
        let b = u64::from(Self::fingerprint(id)) & FILTER_MASK;
        self.filter[(b >> 6) as usize] >> (b & 63) & 1 != 0
    }

    /// [`DeltaTable::get`], answered from the filter when it can be.
    #[inline(always)]
    fn get_filtered(&self, id: u64) -> Option<f64> {
        if self.may_hold(id) {
            self.get(id)
        } else {
            None
        }
    }

    #[inline]
    fn get(&self, id: u64) -> Option<f64> {
        let fp = Self::fingerprint(id);
        let mut i = (id as usize) & self.mask;
        loop {
            let (key, delta) = self.slots[i];
            if key == fp {
                return Some(f64::from(delta));
            }
            if key == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// A paragraph's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// jll_ad - jll_editorial, the difference of the joint log-likelihoods (log prior + sum over
    /// the paragraph's tokens seen in training of log P(token|class)), as linfa-bayes computes
    /// them on the model's vocabulary. A token never seen in training is not a feature of the
    /// model and carries no evidence.
    pub log_odds: f64,
    /// Number of tokens.
    pub tokens: u32,
    /// Tokens seen in training.
    pub known_tokens: u32,
    /// Word tokens (not bigrams or shapes).
    pub words: u32,
    /// Word tokens seen in training.
    pub known_words: u32,
}

impl Score {
    /// How many of the paragraph's words the model knows.
    pub fn known(&self) -> crate::unknown::Known {
        crate::unknown::Known {
            words: self.words,
            known_words: self.known_words,
        }
    }

    /// log P(ad|text) - log P(editorial|text).
    pub fn log_odds(&self) -> f64 {
        self.log_odds
    }
    /// P(ad | text), computed stably as 1 / (1 + exp(jll_editorial - jll_ad)).
    pub fn p_ad(&self) -> f64 {
        logistic(self.log_odds())
    }
    /// The class with the higher joint log-likelihood; a tie goes to editorial (keep the text).
    pub fn label(&self) -> usize {
        if self.log_odds > 0.0 {
            AD
        } else {
            EDITORIAL
        }
    }
}

pub use crate::stack::{logistic, logit, Stacker, NAMES as STACKER_WEIGHTS};

/// FNV-1a of some bytes as 16 hex digits (used to fingerprint training files).
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(bytes))
}

/// The model compiled into the binary: trained from the committed `training/`.
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../models/clean.model");

impl Model {
    /// Builds a model from fitted parameters. `entries` must be sorted by token id.
    pub fn from_parts(
        meta: ModelMeta,
        log_prior: [f64; 2],
        entries: Vec<(u64, [f64; 2])>,
    ) -> Model {
        let deltas = DeltaTable::new(&entries);
        Model {
            meta,
            log_prior,
            entries,
            deltas,
        }
    }

    /// The built-in model: trained from the project's `training/` and compiled into the crate.
    ///
    /// ```
    /// let model = clean::Model::builtin()?;
    /// assert!(model.meta.threshold > 0.0);
    /// let path = std::env::temp_dir().join(format!("clean-doctest-{}.model", std::process::id()));
    /// model.save(&path)?;
    /// let again = clean::Model::load(&path)?;
    /// assert_eq!(again.to_bytes(), model.to_bytes());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), clean::Error>(())
    /// ```
    pub fn builtin() -> Result<Model> {
        Model::from_bytes(BUILTIN_MODEL, Path::new("<built-in model>"))
    }

    /// Loads a model file.
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::io(path, e).with_role(crate::error::Role::Model))?;
        Model::from_bytes(&bytes, path)
    }

    /// Log priors (editorial, ad).
    pub(crate) fn log_prior(&self) -> [f64; 2] {
        self.log_prior
    }

    /// Every (token id, log-probabilities) entry, sorted by id.
    pub(crate) fn entries(&self) -> &[(u64, [f64; 2])] {
        &self.entries
    }

    /// The final log-odds of a paragraph from its signals: the stacker's, or for a version-1
    /// model the naive-Bayes log-odds plus the fixed context term.
    pub fn combine(&self, s: &crate::stack::Signals) -> f64 {
        match &self.meta.stacker {
            Some(st) => st.log_odds(s),
            None => {
                s.nb + s.context.map_or(0.0, |c| {
                    crate::context::adjustment(
                        c,
                        crate::context::MIN_PARAGRAPHS,
                        self.meta.context_weight,
                        self.meta.context_center,
                    )
                })
            }
        }
    }

    /// Log-probabilities (editorial, ad) of a token seen in training, exactly as stored. The
    /// scoring table answers most unknown tokens; the others are found in the sorted entries.
    pub fn log_prob(&self, id: u64) -> Option<[f64; 2]> {
        self.deltas.get_filtered(id)?;
        let i = self.entries.binary_search_by_key(&id, |e| e.0).ok()?;
        Some(self.entries[i].1)
    }

    /// Number of tokens in the model's vocabulary.
    pub fn vocabulary(&self) -> usize {
        self.entries.len()
    }

    /// Scores one paragraph.
    pub fn score(&self, text: &str) -> Score {
        self.score_with_content(text, &mut Vec::new())
    }

    /// Scores one paragraph, collecting its content words for the context term on the way (in
    /// order, with repeats). The lean scanner (`scan`); [`Model::score_reference`] gives
    /// the same result.
    pub fn score_with_content(&self, text: &str, content: &mut Vec<u64>) -> Score {
        crate::scan::with_scanner(|s| {
            let scanned = s.scan(text, &self.meta.features);
            content.extend_from_slice(&s.content);
            self.score_scanned(&s.ids, scanned.words)
        })
    }

    /// The score of a paragraph from its token ids as [`crate::scan::Scanner`] leaves them (the
    /// first `words` word tokens, each after its bigram when bigrams are on, then shapes): each id
    /// looked up in the same order as the reference, so the sum has the same bits.
    pub fn score_scanned(&self, ids: &[u64], words: u32) -> Score {
        let mut log_odds = self.log_prior[AD] - self.log_prior[EDITORIAL];
        let (mut known, mut known_words) = (0u32, 0u32);
        let bigrams = self.meta.features.bigrams;
        let word_end = if bigrams { 2 * words } else { words } as usize;
        let (word_part, rest) = ids.split_at(word_end.min(ids.len()));
        if bigrams {
            for pair in word_part.chunks_exact(2) {
                if let Some(d) = self.deltas.get_filtered(pair[0]) {
                    known += 1;
                    log_odds += d;
                }
                if let Some(d) = self.deltas.get_filtered(pair[1]) {
                    known += 1;
                    known_words += 1;
                    log_odds += d;
                }
            }
        } else {
            for &id in word_part {
                if let Some(d) = self.deltas.get_filtered(id) {
                    known += 1;
                    known_words += 1;
                    log_odds += d;
                }
            }
        }
        for &id in rest {
            if let Some(d) = self.deltas.get_filtered(id) {
                known += 1;
                log_odds += d;
            }
        }
        Score {
            log_odds,
            tokens: ids.len() as u32,
            known_tokens: known,
            words,
            known_words,
        }
    }

    /// The reference scorer: the simple scanner (`features`) feeding each token id to
    /// the table as it comes. Kept to check the lean scanner against (`tests/lean_scanner.rs`).
    pub fn score_reference(&self, text: &str, content: &mut Vec<u64>) -> Score {
        let mut log_odds = self.log_prior[AD] - self.log_prior[EDITORIAL];
        let (mut tokens, mut known, mut words, mut known_words) = (0u32, 0u32, 0u32, 0u32);
        let add = |id: u64, is_word: bool| {
            tokens += 1;
            words += u32::from(is_word);
            if let Some(d) = self.deltas.get(id) {
                known += 1;
                known_words += u32::from(is_word);
                log_odds += d;
            }
        };
        for_each_token_id_with_content(text, &self.meta.features, add, content);
        Score {
            log_odds,
            tokens,
            known_tokens: known,
            words,
            known_words,
        }
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let meta = serde_json::to_vec(&self.meta).expect("model metadata serializes");
        let mut out = Vec::with_capacity(64 + meta.len() + self.entries.len() * 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        out.extend_from_slice(&meta);
        for v in self.log_prior.iter() {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for (b, lp) in &self.entries {
            out.extend_from_slice(&b.to_le_bytes());
            out.extend_from_slice(&lp[0].to_le_bytes());
            out.extend_from_slice(&lp[1].to_le_bytes());
        }
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Writes the model file atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::corpus::write_atomic(path, &self.to_bytes())
            .map_err(|e| e.with_role(crate::error::Role::Model))
    }

    /// Parses a model file's bytes; `path` is only used in error messages.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        use crate::error::ErrorKind;
        let problem = |kind: ErrorKind, reason: String| Error::Model {
            path: PathBuf::from(path),
            kind,
            reason,
        };
        let bad = |reason: String| problem(ErrorKind::ModelInvalid, reason);
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(problem(
                ErrorKind::NotAModel,
                "it does not start with the clean model header (CLEANNB)".into(),
            ));
        }
        let mut r = Reader { bytes, pos: 8 };
        let version = r
            .u32()
            .ok_or_else(|| problem(ErrorKind::ModelChecksum, "truncated header".into()))?;
        if version > FORMAT_VERSION {
            return Err(problem(ErrorKind::ModelVersion, format!(
                "format version {version} was written by a newer clean; this build reads up to version {FORMAT_VERSION}"
            )));
        }
        if version == 0 {
            return Err(problem(
                ErrorKind::ModelVersion,
                "format version 0 is not valid".into(),
            ));
        }
        let v1 = version == 1;
        if bytes.len() < 8 + 4 + 8 {
            return Err(problem(ErrorKind::ModelChecksum, "truncated file".into()));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
        if stored != fnv1a(body) {
            return Err(problem(
                ErrorKind::ModelChecksum,
                "checksum mismatch: the file is truncated or corrupt".into(),
            ));
        }
        let truncated = || bad("truncated file".into());
        let meta_len = r.u32().ok_or_else(truncated)? as usize;
        let meta_bytes = r.take(meta_len).ok_or_else(truncated)?;
        let mut meta: ModelMeta = serde_json::from_slice(meta_bytes)
            .map_err(|e| bad(format!("metadata is not valid: {e}")))?;
        if v1 {
            // Version 1 stored the cuts as P(ad).
            meta.threshold = logit(meta.threshold);
            meta.unsure = logit(meta.unsure);
            meta.stacker = None;
        }
        let mut f = [0f64; 2];
        for v in &mut f {
            *v = r.f64().ok_or_else(truncated)?;
        }
        let n = r.u32().ok_or_else(truncated)? as usize;
        if n.saturating_mul(24) > bytes.len() {
            return Err(truncated());
        }
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let b = r.u64().ok_or_else(truncated)?;
            let lp = [
                r.f64().ok_or_else(truncated)?,
                r.f64().ok_or_else(truncated)?,
            ];
            if entries.last().is_some_and(|(p, _)| *p >= b) {
                return Err(bad("token ids out of order".into()));
            }
            entries.push((b, lp));
        }
        if r.pos != body.len() {
            return Err(bad("unexpected bytes after the weights".into()));
        }
        let all_finite = f.iter().all(|v| v.is_finite())
            && entries
                .iter()
                .all(|(_, lp)| lp[0].is_finite() && lp[1].is_finite());
        if !all_finite {
            return Err(bad("weights are not finite numbers".into()));
        }
        if meta.threshold < 0.0 {
            return Err(bad(format!(
                "its removal threshold is log-odds {} (below 0 it would remove paragraphs the model judges more likely editorial)",
                meta.threshold
            )));
        }
        let meta_ok = meta.threshold.is_finite()
            && meta.unsure.is_finite()
            && meta.unsure <= meta.threshold
            && meta.alpha > 0.0
            && meta.context_weight.is_finite()
            && meta.context_center.is_finite()
            && meta
                .stacker
                .is_none_or(|s| s.weights.iter().all(|w| w.is_finite()));
        if !meta_ok {
            return Err(bad(
                "metadata holds a threshold, unsure cut or weight that is not a finite number in order"
                    .into(),
            ));
        }
        Ok(Model::from_parts(meta, [f[0], f[1]], entries))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}
