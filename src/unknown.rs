//! Text the model does not know: other languages and scripts, code, tables of figures, lists of
//! links. On such a paragraph a naive-Bayes score is noise, so the filter keeps it and marks it
//! `unknown` (unless `--on-unknown score`).
//!
//! A paragraph is unknown when any of these holds (cut-offs stored in the model file):
//! - fewer than `min_latin_share` of its letters are Latin (Cyrillic, CJK, Arabic, ...);
//! - it has at least `min_words` words and fewer than `min_known_share` of them are in the
//!   model's vocabulary (another language in Latin script, or jargon the model never saw), or it
//!   has no token the model knows at all;
//! - more than `max_digit_share` of its non-space characters are digits (tables of figures);
//! - more than `max_symbol_share` are code punctuation `{}[]()<>=;|\_` (code);
//! - more than `max_url_share` of its whitespace-separated chunks are URLs (lists of links).
//!
//! `min_known_share` is set at training time: the 1st percentile, over the training ads, of the
//! share of each paragraph's words that the model would know without that paragraph
//! (leave-one-out), at most 0.5; so about 1% of ads like those in training would be abstained on.
//! The other cut-offs are fixed defaults, raised when the training data itself goes past them.

use crate::model::Score;

/// Character statistics of a paragraph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStats {
    /// Letters.
    pub letters: u32,
    /// Latin-script letters (ASCII and Latin-1/Extended).
    pub latin: u32,
    /// ASCII digits.
    pub digits: u32,
    /// Code punctuation.
    pub symbols: u32,
    /// Non-whitespace characters.
    pub nonspace: u32,
    /// Whitespace-separated chunks.
    pub chunks: u32,
    /// Chunks that are URLs.
    pub urls: u32,
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// Counts what [`UnknownRule`] looks at. ASCII bytes are classified directly; only other
/// characters are decoded.
pub fn stats(text: &str) -> TextStats {
    let mut s = TextStats::default();
    let b = text.as_bytes();
    let mut in_chunk = false;
    let mut chunk_start = 0;
    let mut i = 0;
    let end_chunk = |s: &mut TextStats, chunk: &[u8]| {
        s.chunks += 1;
        let url = (chunk.len() > 4 && chunk[..4].eq_ignore_ascii_case(b"www."))
            || memchr::memmem::find(chunk, b"://").is_some();
        s.urls += u32::from(url);
    };
    while i < b.len() {
        let c = b[i];
        if c < 128 {
            if c.is_ascii_whitespace() {
                if in_chunk {
                    end_chunk(&mut s, &b[chunk_start..i]);
                    in_chunk = false;
                }
            } else {
                if !in_chunk {
                    in_chunk = true;
                    chunk_start = i;
                }
                s.nonspace += 1;
                match c {
                    b'0'..=b'9' => s.digits += 1,
                    b'a'..=b'z' | b'A'..=b'Z' => {
                        s.letters += 1;
                        s.latin += 1;
                    }
                    b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b'=' | b';' | b'|'
                    | b'\\' | b'_' => s.symbols += 1,
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        let ch = text[i..].chars().next().expect("on a char boundary");
        if ch.is_whitespace() {
            if in_chunk {
                end_chunk(&mut s, &b[chunk_start..i]);
                in_chunk = false;
            }
        } else {
            if !in_chunk {
                in_chunk = true;
                chunk_start = i;
            }
            s.nonspace += 1;
            if ch.is_alphabetic() {
                s.letters += 1;
                s.latin += u32::from(is_latin(ch));
            }
        }
        i += ch.len_utf8();
    }
    if in_chunk {
        end_chunk(&mut s, &b[chunk_start..]);
    }
    s
}

/// The cut-offs, stored in the model file.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UnknownRule {
    /// Least share of letters in Latin script.
    pub min_latin_share: f64,
    /// Least share of words in the vocabulary (for paragraphs of at least `min_words` words).
    pub min_known_share: f64,
    /// Paragraphs shorter than this (in words) are not judged on vocabulary.
    pub min_words: u32,
    /// Most share of digits among non-space characters.
    pub max_digit_share: f64,
    /// Most share of code punctuation among non-space characters.
    pub max_symbol_share: f64,
    /// Most share of chunks that are URLs.
    pub max_url_share: f64,
}

impl Default for UnknownRule {
    fn default() -> Self {
        UnknownRule {
            min_latin_share: 0.5,
            min_known_share: 0.5,
            min_words: 4,
            max_digit_share: 0.3,
            max_symbol_share: 0.08,
            max_url_share: 0.5,
        }
    }
}

fn share(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

impl UnknownRule {
    /// Why a paragraph is outside what the model knows, or `None` when it is inside.
    pub fn why(&self, s: &TextStats, score: &Score) -> Option<&'static str> {
        if s.letters > 0 && share(s.latin, s.letters) < self.min_latin_share {
            return Some("script");
        }
        if s.nonspace > 0 && share(s.digits, s.nonspace) > self.max_digit_share {
            return Some("digits");
        }
        if s.nonspace > 0 && share(s.symbols, s.nonspace) > self.max_symbol_share {
            return Some("code");
        }
        if s.chunks > 0 && share(s.urls, s.chunks) > self.max_url_share {
            return Some("links");
        }
        if score.words >= self.min_words
            && share(score.known_words, score.words) < self.min_known_share
        {
            return Some("vocabulary");
        }
        None
    }
}

/// The `q`-quantile (0..1) of some values (nearest rank); `None` if there are none.
pub fn quantile(mut v: Vec<f64>, q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    Some(v[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(words: u32, known: u32) -> Score {
        Score {
            log_odds: 0.0,
            tokens: words,
            known_tokens: known,
            words,
            known_words: known,
        }
    }

    #[test]
    fn stats_count_what_they_say() {
        let s = stats("Hé llo 12 {x} www.a.io https://b.c  Ж\u{3000}本");
        assert_eq!(s.chunks, 8);
        assert_eq!(s.urls, 2);
        assert_eq!(s.digits, 2);
        assert_eq!(s.symbols, 2);
        assert_eq!(s.letters, 2 + 3 + 1 + 6 + 7 + 1 + 1);
        assert_eq!(s.latin, s.letters - 2);
        assert_eq!(s.nonspace, 2 + 3 + 2 + 3 + 8 + 11 + 1 + 1);
    }

    #[test]
    fn each_reason() {
        let r = UnknownRule::default();
        let ok = score(10, 9);
        assert_eq!(
            r.why(&stats("Городские власти объявили во вторник"), &ok),
            Some("script")
        );
        assert_eq!(
            r.why(&stats("2019 | 14,203 | 12.5% | 3,401"), &ok),
            Some("digits")
        );
        assert_eq!(
            r.why(&stats("fn main() { let x = vec![1]; }"), &ok),
            Some("code")
        );
        assert_eq!(
            r.why(&stats("https://a.org/x https://b.org/y see"), &ok),
            Some("links")
        );
        assert_eq!(
            r.why(&stats("Die Regierung hat am Dienstag"), &score(10, 2)),
            Some("vocabulary")
        );
        assert_eq!(r.why(&stats("The minister said on Tuesday."), &ok), None);
        assert_eq!(
            r.why(&stats("Melzer shocks Agassi"), &score(3, 0)),
            None,
            "too short to judge"
        );
    }
}
