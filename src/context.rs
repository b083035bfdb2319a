//! The paragraph's fit with its own document: an inserted ad is usually off-topic relative to the
//! article around it. For each paragraph we take its content words (lowercased, at least four
//! letters, no digits, not a common function word) and measure the share of them that also occur
//! in the rest of the document, leaving out the paragraph's immediate neighbours (an insert is
//! often two paragraphs that share words with each other). Editorial paragraphs repeat the
//! article's names and topic words; inserts mostly do not.

use crate::features::IdHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

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

/// A document's content words, for the filter's hot path: the same figures as [`overlaps`]
/// without a hash map per round. Each distinct word of the document gets a dense number the
/// first time it is seen (an open-addressing table, cleared between documents by a generation
/// stamp and kept for the next one); each paragraph keeps its distinct words as those numbers,
/// so later rounds of the filter's fixed point work from them, with no hashing or sorting.
#[derive(Debug, Default)]
pub struct DocWords {
    /// Open addressing: (word hash, generation, dense number).
    slots: Vec<(u64, u32, u32)>,
    generation: u32,
    /// Per dense number: the last paragraph it was added for (to keep each once per paragraph).
    last_paragraph: Vec<u32>,
    /// Per dense number, in [`DocWords::overlaps`]: first and last active position holding it.
    first: Vec<u32>,
    last: Vec<u32>,
    /// Every paragraph's distinct words (dense numbers), paragraph after paragraph.
    words: Vec<u32>,
    /// Where each paragraph's words start in `words` (one more entry than paragraphs).
    starts: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl DocWords {
    /// Starts a new document.
    pub fn clear(&mut self) {
        if self.slots.is_empty() {
            self.slots = vec![(0, 0, 0); 1024];
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.iter_mut().for_each(|s| s.1 = 0);
            self.generation = 1;
        }
        self.last_paragraph.clear();
        self.words.clear();
        self.starts.clear();
        self.starts.push(0);
    }

    #[inline]
    fn home(&self, h: u64) -> usize {
        (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & (self.slots.len() - 1)
    }

    /// The dense number of a word, given a new one if it is new to the document.
    #[inline]
    fn number(&mut self, h: u64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.home(h);
        loop {
            let (key, generation, n) = self.slots[i];
            if generation != self.generation {
                let n = self.last_paragraph.len() as u32;
                self.slots[i] = (h, self.generation, n);
                self.last_paragraph.push(NONE);
                if self.last_paragraph.len() * 2 > self.slots.len() {
                    self.grow();
                }
                return n;
            }
            if key == h {
                return n;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![(0, 0, 0); 0]);
        self.slots = vec![(0, 0, 0); old.len() * 2];
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.1 == self.generation) {
            let mut i = self.home(s.0);
            while self.slots[i].1 == self.generation {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Adds the next paragraph's content words (hashes, in any order, repeats allowed).
    pub fn add_paragraph(&mut self, content: &[u64]) {
        let p = (self.starts.len() - 1) as u32;
        for &h in content {
            let n = self.number(h);
            let last = &mut self.last_paragraph[n as usize];
            if *last != p {
                *last = p;
                self.words.push(n);
            }
        }
        self.starts.push(self.words.len() as u32);
    }

    fn paragraph(&self, p: usize) -> &[u32] {
        &self.words[self.starts[p] as usize..self.starts[p + 1] as usize]
    }

    /// [`overlaps`] of the paragraphs `active` (indices in order, as added), into `out`.
    pub fn overlaps(&mut self, active: &[usize], out: &mut Vec<(u32, u32)>) {
        out.clear();
        if active.len() < MIN_PARAGRAPHS {
            out.extend(active.iter().map(|&p| (self.paragraph(p).len() as u32, 0)));
            return;
        }
        let distinct = self.last_paragraph.len();
        self.first.clear();
        self.first.resize(distinct, NONE);
        self.last.clear();
        self.last.resize(distinct, 0);
        for (pos, &p) in active.iter().enumerate() {
            let range = self.starts[p] as usize..self.starts[p + 1] as usize;
            for &n in &self.words[range] {
                let n = n as usize;
                if self.first[n] == NONE {
                    self.first[n] = pos as u32;
                }
                self.last[n] = pos as u32;
            }
        }
        for (pos, &p) in active.iter().enumerate() {
            let words = self.paragraph(p);
            let pos = pos as u32;
            let shared = words
                .iter()
                .filter(|&&n| {
                    let (first, last) = (self.first[n as usize], self.last[n as usize]);
                    first + 2 <= pos || last >= pos + 2
                })
                .count();
            out.push((words.len() as u32, shared as u32));
        }
    }
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
