//! Machine-readable lines about paragraphs: `--report` JSON Lines, one object per removed or
//! unsure paragraph, fields in a fixed order.

use crate::filter::{Judged, Verdict};

/// One `--report` line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportLine {
    /// Input path, relative to the input root (`-` for stdin).
    pub path: String,
    /// Record number (from 0) in a JSON Lines input; absent for plain text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record: Option<u64>,
    /// Paragraph index in the document (or record), from 0.
    pub paragraph: usize,
    /// Byte offset of the paragraph's start in the original text.
    pub start: usize,
    /// Byte offset just past the paragraph's end in the original text.
    pub end: usize,
    /// P(ad).
    pub score: f64,
    /// `removed`, `unsure` or `unknown`.
    pub verdict: String,
    /// For `unknown`: why (`script`, `vocabulary`, `digits`, `code`, `links`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unknown: Option<String>,
    /// The paragraph.
    pub text: String,
}

impl ReportLine {
    /// Builds a report line for a judged paragraph of `text`.
    pub fn new(path: &str, record: Option<u64>, text: &str, j: &Judged) -> ReportLine {
        ReportLine {
            path: path.to_string(),
            record,
            paragraph: j.index,
            start: j.range.start,
            end: j.range.end,
            score: (j.p_ad * 1e6).round() / 1e6,
            verdict: match j.verdict {
                Verdict::Kept => "kept",
                Verdict::Unsure => "unsure",
                Verdict::Removed => "removed",
                Verdict::Unknown => "unknown",
            }
            .to_string(),
            unknown: j.unknown.map(str::to_string),
            text: text[j.range.clone()].to_string(),
        }
    }

    /// The line as JSON, without the newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("report line serializes")
    }
}
