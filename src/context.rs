//! The paragraph's fit with its own document: an inserted ad is usually off-topic relative to the
//! article around it. For each paragraph we take its content words (lowercased, at least four
//! letters, no digits, not a common function word) and measure the share of them that also occur
//! in the rest of the document, leaving out the paragraph's immediate neighbours (an insert is
//! often two paragraphs that share words with each other). Editorial paragraphs repeat the
//! article's names and topic words; inserts mostly do not.

use std::collections::HashMap;
use std::ops::Range;

const STOP: &[&str] = &[
    "about", "after", "again", "also", "been", "before", "being", "both", "could", "does", "down",
    "each", "even", "from", "have", "here", "into", "just", "like", "made", "make", "many", "more",
    "most", "much", "must", "only", "other", "over", "said", "same", "should", "since", "some",
    "such", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "under", "very", "were", "what", "when", "where", "which", "while", "will", "with",
    "would", "year", "years", "your", "says", "told", "still", "well", "back", "first", "last",
];

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Distinct content-word hashes of a text, sorted.
pub fn content_words(text: &str) -> Vec<u64> {
    let mut out: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| fnv(&w))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// For each paragraph, (content words, how many of them occur in a paragraph at distance >= 2).
pub fn overlaps(text: &str, ranges: &[Range<usize>]) -> Vec<(u32, u32)> {
    let sets: Vec<Vec<u64>> = ranges
        .iter()
        .map(|r| content_words(&text[r.clone()]))
        .collect();
    // word -> sorted list of paragraphs containing it
    let mut where_: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for w in s {
            where_.entry(*w).or_default().push(i);
        }
    }
    sets.iter()
        .enumerate()
        .map(|(i, s)| {
            let shared = s
                .iter()
                .filter(|w| where_[w].iter().any(|&j| j.abs_diff(i) >= 2))
                .count();
            (s.len() as u32, shared as u32)
        })
        .collect()
}

/// Smallest document (in paragraphs) for which the context term is used.
pub const MIN_PARAGRAPHS: usize = 4;
/// Smallest paragraph (in content words) for which the context term is used.
pub const MIN_WORDS: u32 = 3;

/// The context term added to a paragraph's log-odds: `weight * (center - overlap)`, where
/// overlap = (shared + 0.5) / (words + 1). Positive (toward ad) for an off-topic paragraph,
/// negative for one that shares the article's words. Zero for short documents and paragraphs,
/// where the overlap says little.
pub fn adjustment(context: (u32, u32), paragraphs: usize, weight: f64, center: f64) -> f64 {
    let (words, shared) = context;
    if weight == 0.0 || paragraphs < MIN_PARAGRAPHS || words < MIN_WORDS {
        return 0.0;
    }
    let overlap = (f64::from(shared) + 0.5) / (f64::from(words) + 1.0);
    weight * (center - overlap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_topic_paragraph_shares_nothing() {
        let text = "Labour leader Corbyn faces pressure over migration.\nCorbyn spoke at the conference.\nOur platform creates digital cards instantly.\nMigration policy divides Labour members.\nCorbyn declined to comment on migration.";
        let r = crate::segment::paragraphs(text);
        let o = overlaps(text, &r);
        assert_eq!(o[2].1, 0, "{o:?}");
        assert!(o[0].1 >= 2, "{o:?}");
        assert!(o[4].1 >= 2, "{o:?}");
    }
}
