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

/// The document-level signals of every paragraph of a document, given each paragraph's
/// naive-Bayes log-odds, word count and distinct content words: its context overlap and the
/// median log-odds of the other paragraphs (see [`crate::stack::Signals`]), and the raw
/// (content words, shared) pairs.
pub fn signals(
    nb: &[f64],
    words: &[u32],
    content: &[&[u64]],
) -> (Vec<crate::stack::Signals>, Vec<(u32, u32)>) {
    let n = nb.len();
    let ctx = crate::context::overlaps(content);
    let big = n >= crate::context::MIN_PARAGRAPHS;
    let mut sorted: Vec<f64> = nb.to_vec();
    sorted.sort_by(f64::total_cmp);
    let sig = (0..n)
        .map(|i| crate::stack::Signals {
            nb: nb[i],
            context: (big && ctx[i].0 >= crate::context::MIN_WORDS).then_some(ctx[i]),
            words: words[i],
            doc_median: big.then(|| median_without(&sorted, nb[i])),
        })
        .collect();
    (sig, ctx)
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
    unknown: Option<&'static str>,
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
        let score = model.score_with_content(&text[range.clone()], &mut words);
        crate::context::distinct(&mut words);
        let unknown = model
            .meta
            .unknown
            .why(&crate::unknown::stats(&text[range.clone()]), &score);
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

/// Scores and judges every paragraph of a document, without building output.
///
/// A flagged paragraph of several lines (a hard-wrapped block, which may hold an ad after an
/// editorial paragraph with only a line break between them) is not removed whole: its parts
/// (runs of lines cut after lines that end a sentence, [`crate::segment::line_runs`]) are judged
/// as paragraphs of the document instead, and only the flagged parts go. A flagged part of
/// several lines that cannot be cut further goes only if none of its sentences, judged in the
/// document, leans editorial (log-odds below the unsure cut); otherwise it is kept and marked
/// unsure. No editorial line is removed to take out an ad.
pub fn judge(model: &Model, text: &str, settings: &Settings) -> Vec<Judged> {
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
            Judged {
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

/// Filters one document.
pub fn filter_text(model: &Model, text: &str, settings: &Settings) -> Filtered {
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
    let mut output = rebuild(text, &ranges, &remove, Tidy::FewerBreaks);
    if output.len() != text.len() && !same_paragraphs(&output, text, &ranges, &remove) {
        // Joining the separators merged two blocks into one that segments differently (it would
        // be read as one hard-wrapped paragraph): keep the wider separator instead, and if even
        // that is read differently, a blank line between every two kept paragraphs.
        output = rebuild(text, &ranges, &remove, Tidy::MoreBreaks);
        if !same_paragraphs(&output, text, &ranges, &remove) {
            output = rebuild(text, &ranges, &remove, Tidy::Separate);
        }
    }
    Filtered {
        output,
        paragraphs: judged,
    }
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

/// `text` without the paragraphs flagged in `remove`, separators tidied (see the module docs).
/// `ranges` are the document's paragraphs in order; returns `text` unchanged when nothing is
/// removed, and only the text before the first paragraph and after the last (a BOM, the final
/// line ending) when everything is.
pub fn rebuild(text: &str, ranges: &[Range<usize>], remove: &[bool], tidy: Tidy) -> String {
    debug_assert_eq!(ranges.len(), remove.len());
    if !remove.iter().any(|r| *r) {
        return text.to_string();
    }
    let kept: Vec<usize> = (0..ranges.len()).filter(|i| !remove[*i]).collect();
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
    let Some(&first) = kept.first() else {
        // Everything goes but the text outside paragraphs (a BOM, the final line ending).
        return format!("{}{}", gap(0), gap(ranges.len()));
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
        assert_eq!(run("AD\n", &["AD"]), "\n");
        assert_eq!(run("\u{feff}AD\r\nAD2\r\n", &["AD", "AD2"]), "\u{feff}\r\n");
    }
}
