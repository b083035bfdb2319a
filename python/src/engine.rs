//! The one place that calls the `clean` library (its `Filter` facade): everything the Python
//! module needs, in plain types.

use std::ops::Range;
use std::path::Path;

/// One paragraph's verdict, in library-independent form.
#[derive(Debug, Clone)]
pub struct Para {
    pub index: usize,
    /// Byte range in the input text.
    pub range: Range<usize>,
    pub log_odds: f64,
    pub p_ad: f64,
    /// "kept", "unsure", "removed" or "unknown".
    pub verdict: &'static str,
    /// Why the paragraph is outside what the model knows, when `verdict` is "unknown".
    pub unknown: Option<&'static str>,
}

/// A paragraph with the tokens behind its score: (token, weight in nats), strongest first.
pub struct Explained {
    pub para: Para,
    pub toward_ad: Vec<(String, f64)>,
    pub toward_editorial: Vec<(String, f64)>,
}

/// Settings given from Python; `None` means the model's own.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub threshold: Option<f64>,
    pub unsure: Option<f64>,
    pub keep_unknown: bool,
}

/// A model with its settings. Send + Sync: used with the GIL released.
pub struct Engine {
    filter: clean::Filter,
}

pub fn builtin() -> clean::Result<clean::Model> {
    clean::Model::builtin()
}

pub fn load(path: &Path) -> clean::Result<clean::Model> {
    clean::Model::load(path)
}

fn para(p: &clean::Paragraph) -> Para {
    Para {
        index: p.index,
        range: p.range.clone(),
        log_odds: p.log_odds,
        p_ad: p.p_ad,
        verdict: p.verdict.as_str(),
        unknown: p.unknown.map(|u| u.as_str()),
    }
}

fn pairs(v: Vec<clean::TokenWeight>) -> Vec<(String, f64)> {
    v.into_iter().map(|t| (t.token, t.weight)).collect()
}

impl Engine {
    pub fn new(model: clean::Model, options: Options) -> Engine {
        let mut filter = clean::Filter::new(model).keep_unknown(options.keep_unknown);
        if let Some(t) = options.threshold {
            filter = filter.threshold(t);
        }
        if let Some(u) = options.unsure {
            filter = filter.unsure(u);
        }
        Engine { filter }
    }

    /// The removal threshold in force (log-odds).
    pub fn threshold(&self) -> f64 {
        self.filter.settings().threshold
    }

    /// The unsure cut in force (log-odds).
    pub fn unsure(&self) -> f64 {
        self.filter.settings().unsure
    }

    pub fn keep_unknown(&self) -> bool {
        self.filter.settings().keep_unknown
    }

    /// The cleaned text and every paragraph of `text`, in order.
    pub fn clean(&self, text: &str) -> (String, Vec<Para>) {
        let c = self.filter.clean(text);
        let paras = c.paragraphs.iter().map(para).collect();
        (c.text, paras)
    }

    /// Every paragraph of `text`, in order (the same verdicts as `clean`).
    pub fn judge(&self, text: &str) -> Vec<Para> {
        self.filter.judge(text).iter().map(para).collect()
    }

    /// Every paragraph of `text` and the `top` tokens each way behind its score.
    pub fn explain(&self, text: &str, top: usize) -> Vec<Explained> {
        self.filter
            .explain(text, top)
            .into_iter()
            .map(|e| Explained {
                para: para(&e.paragraph),
                toward_ad: pairs(e.ad_tokens),
                toward_editorial: pairs(e.editorial_tokens),
            })
            .collect()
    }
}
