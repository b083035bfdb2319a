//! The paragraph's fit with its own document: an inserted ad is usually off-topic relative to the
//! article around it. For each paragraph we take its content words (lowercased, at least four
//! letters, no digits, not a common function word) and measure the share of them that also occur
//! in the rest of the document, leaving out the paragraph's immediate neighbours (an insert is
//! often two paragraphs that share words with each other). Editorial paragraphs repeat the
//! article's names and topic words; inserts mostly do not.

use crate::model::IdHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

const STOP: &[&str] = &[
    "about", "after", "again", "also", "been", "before", "being", "both", "could", "does", "down",
    "each", "even", "from", "have", "here", "into", "just", "like", "made", "make", "many", "more",
    "most", "much", "must", "only", "other", "over", "said", "same", "should", "since", "some",
    "such", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "under", "very", "were", "what", "when", "where", "which", "while", "will", "with",
    "would", "year", "years", "your", "says", "told", "still", "well", "back", "first", "last",
];

fn fnv(s: &str) -> u64 {
    crate::features::fnv1a(s.as_bytes())
}

fn stop_hashes() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| {
        let mut v: Vec<u64> = STOP.iter().map(|w| fnv(w)).collect();
        v.sort_unstable();
        v
    })
}

/// Whether a word (its FNV-1a hash over the lowercased text, and its length in characters) is
/// a content word: at least four letters and not a common function word.
pub fn is_content_word(hash: u64, chars: usize) -> bool {
    if chars < 4 {
        return false;
    }
    let (mask, stop) = stop_words();
    // A 64-bit filter on the hash's top bits answers most words without the search.
    mask & (1u64 << (hash >> 58)) == 0 || stop.binary_search(&hash).is_err()
}

fn stop_words() -> &'static (u64, Vec<u64>) {
    static STOP_WORDS: std::sync::OnceLock<(u64, Vec<u64>)> = std::sync::OnceLock::new();
    STOP_WORDS.get_or_init(|| {
        let hashes = stop_hashes().to_vec();
        let mask = hashes.iter().fold(0u64, |m, h| m | (1u64 << (h >> 58)));
        (mask, hashes)
    })
}

/// Sorts and deduplicates a paragraph's content words in place, as [`overlaps`] expects them.
pub fn distinct(words: &mut Vec<u64>) {
    words.sort_unstable();
    words.dedup();
}

/// For each paragraph, given its distinct content words (hashes; see
/// [`crate::features::for_each_token_id_with_content`] and [`distinct`]): (content words, how
/// many of them occur in a paragraph at distance >= 2).
pub fn overlaps(sets: &[&[u64]]) -> Vec<(u32, u32)> {
    if sets.len() < MIN_PARAGRAPHS {
        return sets.iter().map(|s| (s.len() as u32, 0)).collect();
    }
    // word -> (first, last) paragraph containing it. A word occurs at distance >= 2 from
    // paragraph i exactly when its first occurrence is <= i - 2 or its last is >= i + 2.
    let mut span: HashMap<u64, (usize, usize), BuildHasherDefault<IdHasher>> = HashMap::default();
    for (i, s) in sets.iter().enumerate() {
        for w in s.iter() {
            span.entry(*w).and_modify(|e| e.1 = i).or_insert((i, i));
        }
    }
    sets.iter()
        .enumerate()
        .map(|(i, s)| {
            let shared = s
                .iter()
                .filter(|w| {
                    let (first, last) = span[w];
                    first + 2 <= i || last >= i + 2
                })
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
        let cfg = crate::features::FeatureConfig::default();
        let sets: Vec<Vec<u64>> = crate::segment::paragraphs(text)
            .into_iter()
            .map(|r| {
                let mut words = Vec::new();
                crate::features::for_each_token_id_with_content(
                    &text[r],
                    &cfg,
                    |_, _| {},
                    &mut words,
                );
                words
            })
            .collect();
        let refs: Vec<&[u64]> = sets.iter().map(|s| s.as_slice()).collect();
        let o = overlaps(&refs);
        assert_eq!(o[2].1, 0, "{o:?}");
        assert!(o[0].1 >= 2, "{o:?}");
        assert!(o[4].1 >= 2, "{o:?}");
    }
}
