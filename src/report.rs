//! Machine-readable lines about paragraphs: `--report` JSON Lines, one object per removed or
//! unsure paragraph, fields in a fixed order.

use crate::filter::{Paragraph, Verdict};
use crate::model::Model;

/// One `--report` line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportLine {
    /// Input path, relative to the input root (`-` for stdin).
    pub path: String,
    /// Record number (from 0) in a JSON Lines input; absent for plain text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record: Option<u64>,
    /// The record's id (`--id-field`, default `id`), when it has one: a string's text, or the
    /// JSON of any other value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// Paragraph index in the document (or record), from 0.
    pub paragraph: usize,
    /// Byte offset of the paragraph's start in the original text.
    pub start: usize,
    /// Byte offset just past the paragraph's end in the original text.
    pub end: usize,
    /// The final log-odds that the paragraph is an insert (natural log; the scale of
    /// `--threshold`), unrounded.
    pub score: f64,
    /// P(ad), the logistic of `score`.
    #[serde(default)]
    pub p_ad: f64,
    /// `removed`, `unsure` or `unknown` (`kept` with `--report-all`).
    pub verdict: Verdict,
    /// For `unknown`: why (`script`, `vocabulary`, `digits`, `code`, `links`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unknown: Option<crate::unknown::UnknownReason>,
    /// Tokens that pushed the score most toward ad (see `clean explain`).
    #[serde(default)]
    pub toward_ad: Vec<crate::explain::TokenWeight>,
    /// Tokens that pushed the score most toward editorial.
    #[serde(default)]
    pub toward_editorial: Vec<crate::explain::TokenWeight>,
    /// The paragraph.
    pub text: String,
}

/// How many tokens each way a report line shows.
pub const TOP_TOKENS: usize = 3;

impl ReportLine {
    /// Builds a report line for a judged paragraph of `text`.
    pub fn new(
        model: &Model,
        path: &str,
        record: Option<u64>,
        text: &str,
        j: &Paragraph,
    ) -> ReportLine {
        let para = &text[j.range.clone()];
        let (toward_ad, toward_editorial) = crate::explain::top_tokens(model, para, TOP_TOKENS);
        ReportLine {
            path: path.to_string(),
            record,
            id: None,
            paragraph: j.index,
            start: j.range.start,
            end: j.range.end,
            score: j.log_odds,
            p_ad: j.p_ad,
            verdict: j.verdict,
            unknown: j.unknown,
            toward_ad,
            toward_editorial,
            text: para.to_string(),
        }
    }

    /// The line as JSON, without the newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("report line serializes")
    }
}
