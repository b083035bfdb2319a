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

/// Cuts applied to P(ad).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Remove a paragraph when P(ad) >= threshold.
    pub threshold: f64,
    /// Report a kept paragraph as unsure when P(ad) >= unsure.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

/// One paragraph and its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Position among the document's paragraphs, from 0.
    pub index: usize,
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// The model's score.
    pub score: Score,
    /// P(ad), from the model's log-odds plus the context term.
    pub p_ad: f64,
    /// Fit with the document: (content words, how many also occur elsewhere in the document).
    pub context: (u32, u32),
    /// Why the paragraph is outside what the model knows, if it is.
    pub unknown: Option<&'static str>,
    /// The decision.
    pub verdict: Verdict,
}

/// A filtered document.
#[derive(Debug, Clone, PartialEq)]
pub struct Filtered {
    /// The document with removed paragraphs taken out.
    pub output: String,
    /// Every paragraph, in order.
    pub paragraphs: Vec<Judged>,
}

impl Filtered {
    /// Number of removed paragraphs.
    pub fn removed(&self) -> usize {
        self.count(Verdict::Removed)
    }
    /// Number of paragraphs with a given verdict.
    pub fn count(&self, v: Verdict) -> usize {
        self.paragraphs.iter().filter(|p| p.verdict == v).count()
    }
}

/// Scores and judges every paragraph of a document, without building output.
pub fn judge(model: &Model, text: &str, settings: &Settings) -> Vec<Judged> {
    let ranges = paragraphs(text);
    let mut words = Vec::with_capacity(ranges.len());
    let scores: Vec<Score> = ranges
        .iter()
        .map(|r| {
            let mut w = Vec::new();
            let s = model.score_with_content(&text[r.clone()], &mut w);
            crate::context::distinct(&mut w);
            words.push(w);
            s
        })
        .collect();
    let (weight, center) = (model.meta.context_weight, model.meta.context_center);
    let unknown: Vec<Option<&'static str>> = ranges
        .iter()
        .zip(&scores)
        .map(|(r, score)| {
            model
                .meta
                .unknown
                .why(&crate::unknown::stats(&text[r.clone()]), score)
        })
        .collect();
    // The context term depends on which paragraphs stay. Judge, take out what is removed, and
    // judge the rest again against what stays, until nothing more goes: then filtering the
    // output again removes nothing (the filter is idempotent on the text it keeps).
    let n = ranges.len();
    let mut removed = vec![false; n];
    let mut p_ad = vec![0.0; n];
    let mut contexts = vec![(0u32, 0u32); n];
    loop {
        let active: Vec<usize> = (0..n).filter(|i| !removed[*i]).collect();
        let sets: Vec<&[u64]> = active.iter().map(|&i| words[i].as_slice()).collect();
        let ctx = crate::context::overlaps(&sets);
        let mut changed = false;
        for (&i, c) in active.iter().zip(ctx) {
            let log_odds =
                scores[i].log_odds() + crate::context::adjustment(c, active.len(), weight, center);
            p_ad[i] = crate::model::logistic(log_odds);
            contexts[i] = c;
            let judged_unknown = unknown[i].is_some() && settings.keep_unknown;
            if !judged_unknown && p_ad[i] >= settings.threshold {
                removed[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    ranges
        .into_iter()
        .zip(scores)
        .enumerate()
        .map(|(index, (range, score))| {
            let verdict = if removed[index] {
                Verdict::Removed
            } else if unknown[index].is_some() && settings.keep_unknown {
                Verdict::Unknown
            } else if p_ad[index] >= settings.unsure {
                Verdict::Unsure
            } else {
                Verdict::Kept
            };
            Judged {
                index,
                range,
                score,
                p_ad: p_ad[index],
                context: contexts[index],
                unknown: unknown[index],
                verdict,
            }
        })
        .collect()
}

/// Filters one document.
pub fn filter_text(model: &Model, text: &str, settings: &Settings) -> Filtered {
    let judged = judge(model, text, settings);
    let ranges: Vec<Range<usize>> = judged.iter().map(|j| j.range.clone()).collect();
    let remove: Vec<bool> = judged
        .iter()
        .map(|j| j.verdict == Verdict::Removed)
        .collect();
    let mut output = rebuild(text, &ranges, &remove, Tidy::FewerBreaks);
    if output.len() != text.len() && !same_paragraphs(&output, text, &judged) {
        // Joining the separators merged two blocks into one that segments differently (it would
        // be read as one hard-wrapped paragraph): keep the wider separator instead, and if even
        // that is read differently, a blank line between every two kept paragraphs.
        output = rebuild(text, &ranges, &remove, Tidy::MoreBreaks);
        if !same_paragraphs(&output, text, &judged) {
            output = rebuild(text, &ranges, &remove, Tidy::Separate);
        }
    }
    Filtered {
        output,
        paragraphs: judged,
    }
}

/// Whether `output` segments into exactly the kept paragraphs of `text`.
fn same_paragraphs(output: &str, text: &str, judged: &[Judged]) -> bool {
    let mut kept = judged
        .iter()
        .filter(|j| j.verdict != Verdict::Removed)
        .map(|j| &text[j.range.clone()]);
    let out = paragraphs(output);
    out.len()
        == judged
            .iter()
            .filter(|j| j.verdict != Verdict::Removed)
            .count()
        && out.iter().all(|r| kept.next() == Some(&output[r.clone()]))
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

/// `text` without the paragraphs flagged in `remove`, separators tidied (see the module docs).
/// `ranges` are the document's paragraphs in order; returns `text` unchanged when nothing is
/// removed, and an empty string when everything is.
pub fn rebuild(text: &str, ranges: &[Range<usize>], remove: &[bool], tidy: Tidy) -> String {
    debug_assert_eq!(ranges.len(), remove.len());
    if !remove.iter().any(|r| *r) {
        return text.to_string();
    }
    let kept: Vec<usize> = (0..ranges.len()).filter(|i| !remove[*i]).collect();
    let Some(&first) = kept.first() else {
        return String::new();
    };
    // gap(i): the text before paragraph i; gap(n): the text after the last paragraph.
    let gap = |i: usize| -> &str {
        let start = if i == 0 { 0 } else { ranges[i - 1].end };
        let end = if i == ranges.len() {
            text.len()
        } else {
            ranges[i].start
        };
        &text[start..end]
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(gap(0));
    out.push_str(&text[ranges[first].clone()]);
    for pair in kept.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let sep = if b == a + 1 {
            gap(b)
        } else {
            let (before, after) = (gap(a + 1), gap(b));
            let after_wins = match tidy {
                Tidy::FewerBreaks => newlines(after) < newlines(before),
                Tidy::MoreBreaks | Tidy::Separate => newlines(after) > newlines(before),
            };
            if after_wins {
                after
            } else {
                before
            }
        };
        out.push_str(sep);
        if tidy == Tidy::Separate && newlines(sep) < 2 {
            out.push_str(if sep.ends_with("\r\n") { "\r\n" } else { "\n" });
        }
        out.push_str(&text[ranges[b].clone()]);
    }
    out.push_str(gap(ranges.len()));
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
        assert_eq!(run("AD\n", &["AD"]), "");
    }
}
