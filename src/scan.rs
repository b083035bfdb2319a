//! The lean scanner: the filter's hot path. One pass over a paragraph's bytes gives, in the
//! reference scanner's order, every token id ([`crate::features`]), the content words
//! ([`crate::context`]) and the character statistics ([`crate::unknown`]).
//!
//! The paragraph is taken in whitespace-separated chunks. A chunk of ASCII bytes (most of them)
//! is done here: a 256-entry byte-class table drives the word split, the lowercased bytes are
//! hashed in place (no `String`), the letter, capital, digit and code-symbol counts of the
//! unknown-text rule are added as one packed `u64` per byte, and the slower checks are only run
//! when a class flag calls for them (digit shapes for words with a digit; URL, price, ... shapes
//! for chunks holding `.@:%!$`, seven digits or only capitals). A chunk with a non-ASCII byte is
//! undone and redone with the reference's own per-character logic ([`crate::features::Word`],
//! [`crate::features::chunk_shapes`], [`crate::unknown`]'s character classes), so Unicode cases
//! come out exactly as in the reference by construction.
//!
//! The reference stays: [`crate::features::for_each_token_id_with_content`] and
//! [`crate::unknown::stats`] (and [`crate::filter::judge_reference`] over them). The test
//! `tests/lean_scanner.rs` checks that both give the same ids, counts, verdicts and score bits.

use crate::features::{
    chunk_shapes, fnv, mix, FeatureConfig, Word, FNV_OFFSET, FNV_PRIME, SECOND_PERSON,
};
use crate::unknown::{classify, is_url_chunk, Class, TextStats};

/// Byte classes (flags).
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
/// ASCII whitespace as `char::is_whitespace` sees it (including vertical tab).
const SPACE: u8 = 4;
const NONASCII: u8 = 8;
const APOS: u8 = 16;
/// `.@:%!$`: the chunk may carry a URL, e-mail, domain, price, percent or `!` shape.
const SHAPE: u8 = 32;
/// Vertical tab: whitespace to the tokenizer, not to the unknown-text statistics.
const VT: u8 = 64;
const COLON: u8 = 128;

const fn byte_class(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => ALNUM | DIGIT,
        b'a'..=b'z' | b'A'..=b'Z' => ALNUM,
        0x0B => SPACE | VT,
        b'\t' | b'\n' | 0x0C | b'\r' | b' ' => SPACE,
        b'\'' => APOS,
        b':' => SHAPE | COLON,
        b'.' | b'@' | b'%' | b'!' | b'$' => SHAPE,
        0x80..=0xFF => NONASCII,
        _ => 0,
    }
}

/// Packed per-byte counts: letters, capitals, digits, code symbols, 16 bits each.
const LETTER: u64 = 1;
const UPPER: u64 = 1 << 16;
const DIGITS: u64 = 1 << 32;
const SYMBOL: u64 = 1 << 48;
/// A chunk longer than this is redone by the general path (the packed counts would overflow).
const MAX_FAST_CHUNK: usize = 0xFFFF;

const fn byte_counts(c: u8) -> u64 {
    match c {
        b'a'..=b'z' => LETTER,
        b'A'..=b'Z' => LETTER | UPPER,
        b'0'..=b'9' => DIGITS,
        b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b'=' | b';' | b'|' | b'\\'
        | b'_' => SYMBOL,
        _ => 0,
    }
}

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = byte_class(i as u8);
        i += 1;
    }
    t
};

static COUNTS: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = byte_counts(i as u8);
        i += 1;
    }
    t
};

/// Flags of the words the scanner must recognise by their hash.
const STOP: u8 = 1;
const SECOND: u8 = 2;
const SPECIAL_BITS: u32 = 10;

/// The stop words and second-person words, by FNV-1a hash, in a collision-free table of 1,024
/// slots: one multiply, one load and one compare answer "is this hash one of them". Exact: the
/// whole 64-bit hash is compared, as the reference compares it.
struct Special {
    mul: u64,
    keys: Vec<u64>,
    flags: Vec<u8>,
}

impl Special {
    #[inline]
    fn slot(mul: u64, h: u64) -> usize {
        (h.wrapping_mul(mul) >> (64 - SPECIAL_BITS)) as usize
    }

    #[inline]
    fn get(&self, h: u64) -> u8 {
        let s = Self::slot(self.mul, h);
        if self.keys[s] == h {
            self.flags[s]
        } else {
            0
        }
    }

    fn build() -> Special {
        let mut words: Vec<(u64, u8)> = Vec::new();
        let mut add = |h: u64, f: u8| match words.iter_mut().find(|w| w.0 == h) {
            Some(w) => w.1 |= f,
            None => words.push((h, f)),
        };
        for w in crate::context::STOP {
            add(fnv(w), STOP);
        }
        for w in SECOND_PERSON {
            add(fnv(w), SECOND);
        }
        let size = 1usize << SPECIAL_BITS;
        // Deterministic multipliers (odd, from a splitmix sequence) until one separates them all.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        loop {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let mul = (z ^ (z >> 31)) | 1;
            let mut keys = vec![0u64; size];
            let mut flags = vec![0u8; size];
            let ok = words.iter().all(|&(h, f)| {
                let s = Self::slot(mul, h);
                if flags[s] != 0 {
                    return false;
                }
                keys[s] = h;
                flags[s] = f;
                true
            });
            if ok {
                return Special { mul, keys, flags };
            }
        }
    }
}

fn special() -> &'static Special {
    static S: std::sync::OnceLock<Special> = std::sync::OnceLock::new();
    S.get_or_init(Special::build)
}

const CARET: u64 = {
    // fnv("^"), the bigram predecessor of a paragraph's first word.
    (FNV_OFFSET ^ b'^' as u64).wrapping_mul(FNV_PRIME)
};

const SHAPE_OFFSET: u64 = (FNV_OFFSET ^ b'#' as u64).wrapping_mul(FNV_PRIME);

/// The digit shape of an ASCII word (letters, digits and inner apostrophes): `#` then one
/// character per kind (`a`, `9`, `'`), runs of a kind cut at four, hashed.
fn ascii_shape(word: &[u8]) -> u64 {
    let (mut h, mut last, mut run) = (SHAPE_OFFSET, 0u8, 0u32);
    for &c in word {
        let k = if c.is_ascii_digit() {
            b'9'
        } else if c == b'\'' {
            b'\''
        } else {
            b'a'
        };
        if k == last {
            run += 1;
            if run >= 4 {
                continue;
            }
        } else {
            run = 0;
            last = k;
        }
        h = (h ^ u64::from(k)).wrapping_mul(FNV_PRIME);
    }
    h
}

/// Reusable buffers of the scanner (one per thread).
#[derive(Debug, Default)]
pub struct Scanner {
    /// The paragraph's token ids, in the reference order: per word its bigram (when on) then the
    /// word, then the shape tokens chunk by chunk, then `<2p>`.
    pub ids: Vec<u64>,
    /// Its content words (hashes, in order, with repeats).
    pub content: Vec<u64>,
    shapes: Vec<u64>,
}

/// What the scan of one paragraph found besides the ids and content words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    /// Word tokens: the first `words` (or `2 * words` with bigrams) ids are words and bigrams.
    pub words: u32,
    /// The unknown-text statistics, as [`crate::unknown::stats`] gives them.
    pub stats: TextStats,
}

/// The emitting side of a scan.
struct Sink<'a> {
    ids: &'a mut Vec<u64>,
    content: &'a mut Vec<u64>,
    shapes: &'a mut Vec<u64>,
    special: &'static Special,
    bigrams: bool,
    shapes_on: bool,
    prev: u64,
    addressed: bool,
    words: u32,
    stats: TextStats,
}

/// Where a chunk started, to undo it.
#[derive(Clone, Copy)]
struct Mark {
    ids: usize,
    content: usize,
    prev: u64,
    addressed: bool,
    words: u32,
}

impl Sink<'_> {
    #[inline]
    fn emit(&mut self, id: u64) {
        if self.bigrams {
            self.ids.push(mix(self.prev, id));
        }
        self.ids.push(id);
        self.prev = id;
        self.words += 1;
    }

    /// An ASCII word: its FNV-1a hash `h`, alphanumeric count, whether it holds a digit, and its
    /// bytes (from its first to its last letter or digit).
    #[inline]
    fn ascii_word(&mut self, h: u64, len: u32, digit: bool, bytes: &[u8]) {
        let id = if digit { ascii_shape(bytes) } else { h };
        let f = self.special.get(id);
        self.addressed |= f & SECOND != 0;
        if !digit && len >= 4 && f & STOP == 0 {
            self.content.push(h);
        }
        self.emit(id);
    }

    fn general_word(&mut self, id: u64, content: Option<u64>) {
        self.addressed |= self.special.get(id) & SECOND != 0;
        if let Some(c) = content {
            self.content.push(c);
        }
        self.emit(id);
    }

    fn mark(&self) -> Mark {
        Mark {
            ids: self.ids.len(),
            content: self.content.len(),
            prev: self.prev,
            addressed: self.addressed,
            words: self.words,
        }
    }

    fn undo(&mut self, m: Mark) {
        self.ids.truncate(m.ids);
        self.content.truncate(m.content);
        self.prev = m.prev;
        self.addressed = m.addressed;
        self.words = m.words;
    }

    fn shapes_of(&mut self, chunk: &str) {
        let shapes = &mut *self.shapes;
        chunk_shapes(chunk, &mut |t| shapes.push(fnv(t)));
    }

    /// A span between ASCII whitespace that holds a non-ASCII byte (or is very long), character
    /// by character as the reference does it.
    fn general(&mut self, span: &str) {
        let mut word = Word::new(false);
        let mut chunk: Option<usize> = None;
        for (i, c) in span.char_indices() {
            if c.is_alphanumeric() {
                word.push_alnum(c);
            } else if (c == '\'' || c == '’') && word.len > 0 {
                word.pending_apostrophes += 1;
            } else if let Some(((id, _), content)) = word.finish() {
                self.general_word(id, content);
            }
            // Inside the span, whitespace is Unicode whitespace: a chunk boundary for both the
            // tokenizer and the statistics.
            let class = classify(c);
            if class == Class::Space {
                if let Some(s) = chunk.take() {
                    self.chunk_end(&span[s..i]);
                }
                continue;
            }
            chunk.get_or_insert(i);
            let st = &mut self.stats;
            st.nonspace += 1;
            match class {
                Class::Digit => st.digits += 1,
                Class::Latin => {
                    st.letters += 1;
                    st.latin += 1;
                }
                Class::OtherLetter => st.letters += 1,
                Class::Symbol => st.symbols += 1,
                Class::Space | Class::Other => {}
            }
        }
        if let Some(((id, _), content)) = word.finish() {
            self.general_word(id, content);
        }
        if let Some(s) = chunk {
            self.chunk_end(&span[s..]);
        }
    }

    fn chunk_end(&mut self, chunk: &str) {
        self.stats.chunks += 1;
        self.stats.urls += u32::from(is_url_chunk(chunk.as_bytes()));
        if self.shapes_on {
            self.shapes_of(chunk);
        }
    }
}

impl Scanner {
    /// Scans one paragraph: token ids into [`Scanner::ids`], content words into
    /// [`Scanner::content`].
    pub fn scan(&mut self, text: &str, cfg: &FeatureConfig) -> Scanned {
        self.ids.clear();
        self.content.clear();
        self.shapes.clear();
        self.ids.reserve(text.len() + 8);
        let mut sink = Sink {
            ids: &mut self.ids,
            content: &mut self.content,
            shapes: &mut self.shapes,
            special: special(),
            bigrams: cfg.bigrams,
            shapes_on: cfg.shapes,
            prev: CARET,
            addressed: false,
            words: 0,
            stats: TextStats::default(),
        };
        let b = text.as_bytes();
        let n = b.len();
        let mut saw_vt = false;
        let mut i = 0;
        while i < n {
            let f = CLASS[b[i] as usize];
            if f & SPACE != 0 {
                saw_vt |= f & VT != 0;
                i += 1;
                continue;
            }
            // A chunk starts at i.
            let start = i;
            let mark = sink.mark();
            let (mut counts, mut flags) = (0u64, 0u8);
            let (mut h, mut len, mut digit, mut pending) = (FNV_OFFSET, 0u32, 0u8, 0u32);
            let (mut wstart, mut wend) = (0usize, 0usize);
            let mut j = i;
            while j < n {
                let c = b[j];
                let f = CLASS[c as usize];
                if f & ALNUM != 0 {
                    while pending > 0 {
                        h = (h ^ u64::from(b'\'')).wrapping_mul(FNV_PRIME);
                        pending -= 1;
                    }
                    if len == 0 {
                        wstart = j;
                    }
                    // ASCII letters and digits lowercase by setting bit 5.
                    h = (h ^ u64::from(c | 0x20)).wrapping_mul(FNV_PRIME);
                    len += 1;
                    wend = j + 1;
                    digit |= f;
                } else if f & (SPACE | NONASCII) != 0 {
                    break;
                } else if f & APOS != 0 && len > 0 {
                    pending += 1;
                } else if len > 0 {
                    sink.ascii_word(h, len, digit & DIGIT != 0, &b[wstart..wend]);
                    (h, len, digit, pending) = (FNV_OFFSET, 0, 0, 0);
                }
                counts += COUNTS[c as usize];
                flags |= f;
                j += 1;
            }
            if (j < n && CLASS[b[j] as usize] & NONASCII != 0) || j - start > MAX_FAST_CHUNK {
                sink.undo(mark);
                let mut end = j;
                while end < n && CLASS[b[end] as usize] & SPACE == 0 {
                    end += 1;
                }
                sink.general(&text[start..end]);
                i = end;
                continue;
            }
            if len > 0 {
                sink.ascii_word(h, len, digit & DIGIT != 0, &b[wstart..wend]);
            }
            let letters = (counts & 0xFFFF) as u32;
            let upper = ((counts >> 16) & 0xFFFF) as u32;
            let digits = ((counts >> 32) & 0xFFFF) as u32;
            let st = &mut sink.stats;
            st.nonspace += (j - start) as u32;
            st.letters += letters;
            st.latin += letters;
            st.digits += digits;
            st.symbols += (counts >> 48) as u32;
            st.chunks += 1;
            let chunk = &b[start..j];
            if (flags & COLON != 0 || (chunk.len() > 4 && chunk[0] | 0x20 == b'w'))
                && is_url_chunk(chunk)
            {
                st.urls += 1;
            }
            if cfg.shapes && (flags & SHAPE != 0 || digits >= 7 || (letters >= 3 && upper == letters))
            {
                sink.shapes_of(&text[start..j]);
            }
            i = j;
        }
        let (words, addressed) = (sink.words, sink.addressed);
        let mut stats = sink.stats;
        if cfg.shapes {
            self.ids.extend_from_slice(&self.shapes);
            if addressed {
                self.ids.push(fnv("<2p>"));
            }
        }
        if saw_vt {
            // The statistics do not split chunks at a vertical tab: take the reference's count.
            stats = crate::unknown::stats(text);
        }
        Scanned { words, stats }
    }
}

thread_local! {
    static SCANNER: std::cell::RefCell<Scanner> = std::cell::RefCell::new(Scanner::default());
}

/// Runs `f` with this thread's scanner.
pub(crate) fn with_scanner<R>(f: impl FnOnce(&mut Scanner) -> R) -> R {
    SCANNER.with(|s| f(&mut s.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str, cfg: &FeatureConfig) -> (Vec<u64>, Vec<u64>, u32) {
        let (mut ids, mut content, mut words) = (Vec::new(), Vec::new(), 0u32);
        crate::features::for_each_token_id_with_content(
            text,
            cfg,
            |id, w| {
                ids.push(id);
                words += u32::from(w);
            },
            &mut content,
        );
        (ids, content, words)
    }

    #[test]
    fn same_as_the_reference() {
        let mut s = Scanner::default();
        for cfg in [
            FeatureConfig::default(),
            FeatureConfig {
                bigrams: false,
                shapes: false,
            },
        ] {
            for text in [
                "Ship faster. Sleep better. Try Acme free for 30 days at acme.io!",
                "Müller’s ÉCOLE costs €1,200 — “too much”, she said.  Über 50% ",
                "rock''n roll 'quoted' you're YOUR yours about About ABOUT x2'9 a1b2c3d4e5 2019''",
                "CALL +44-20-7946-0958, 1234567. FREE!!! www.example.com http://x.y hi@acme.com",
                "tab\u{b}vt\u{a0}nbsp\u{3000}ideo 本本 Ж 🎉 a\u{2019}b İstanbul ²³ ٣",
                "",
                "'''",
            ] {
                let scanned = s.scan(text, &cfg);
                let (ids, content, words) = reference(text, &cfg);
                assert_eq!(s.ids, ids, "{text}");
                assert_eq!(s.content, content, "{text}");
                assert_eq!(scanned.words, words, "{text}");
                assert_eq!(scanned.stats, crate::unknown::stats(text), "{text}");
            }
        }
    }
}
