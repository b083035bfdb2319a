//! The one place that calls the `clean` library: everything the Python module needs, in plain
//! types. Written against the current library (`clean::Model`, `clean::filter::filter_text`,
//! `clean::Settings`, `clean::explain::top_tokens`); switching to the library's `Filter` facade
//! changes this file only.

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
    model: clean::Model,
    settings: clean::Settings,
}

pub fn builtin() -> clean::Result<clean::Model> {
    clean::Model::builtin()
}

pub fn load(path: &Path) -> clean::Result<clean::Model> {
    clean::Model::load(path)
}

fn verdict(v: clean::Verdict) -> &'static str {
    match v {
        clean::Verdict::Kept => "kept",
        clean::Verdict::Unsure => "unsure",
        clean::Verdict::Removed => "removed",
        clean::Verdict::Unknown => "unknown",
    }
}

fn para(j: &clean::filter::Judged) -> Para {
    Para {
        index: j.index,
        range: j.range.clone(),
        log_odds: j.log_odds,
        p_ad: j.p_ad,
        verdict: verdict(j.verdict),
        unknown: j.unknown,
    }
}

fn pairs(v: Vec<clean::explain::TokenWeight>) -> Vec<(String, f64)> {
    v.into_iter().map(|t| (t.token, t.weight)).collect()
}

impl Engine {
    pub fn new(model: clean::Model, options: Options) -> Engine {
        let mut settings = clean::Settings::from_model(&model);
        if let Some(t) = options.threshold {
            settings.threshold = t;
        }
        if let Some(u) = options.unsure {
            settings.unsure = u;
        }
        settings.keep_unknown = options.keep_unknown;
        Engine { model, settings }
    }

    /// The removal threshold in force (log-odds).
    pub fn threshold(&self) -> f64 {
        self.settings.threshold
    }

    /// The unsure cut in force (log-odds).
    pub fn unsure(&self) -> f64 {
        self.settings.unsure
    }

    pub fn keep_unknown(&self) -> bool {
        self.settings.keep_unknown
    }

    /// The cleaned text and every paragraph of `text`, in order.
    pub fn clean(&self, text: &str) -> (String, Vec<Para>) {
        let f = clean::filter_text(&self.model, text, &self.settings);
        let paras = f.paragraphs.iter().map(para).collect();
        (f.output, paras)
    }

    /// Every paragraph of `text`, in order (the same verdicts as `clean`).
    pub fn judge(&self, text: &str) -> Vec<Para> {
        clean::filter::judge(&self.model, text, &self.settings)
            .iter()
            .map(para)
            .collect()
    }

    /// Every paragraph of `text` and the `top` tokens each way behind its score.
    pub fn explain(&self, text: &str, top: usize) -> Vec<Explained> {
        clean::filter::judge(&self.model, text, &self.settings)
            .iter()
            .map(|j| {
                let (ad, ed) = clean::explain::top_tokens(&self.model, &text[j.range.clone()], top);
                Explained {
                    para: para(j),
                    toward_ad: pairs(ad),
                    toward_editorial: pairs(ed),
                }
            })
            .collect()
    }
}
