//! The lean scanner: the filter's hot path. One pass over a paragraph's bytes gives, in the
//! reference scanner's order, every token id (`features`), the content words
//! (`context`) and the character statistics (`unknown`).
//!
//! The paragraph is taken in whitespace-separated chunks. A chunk of ASCII bytes (most of them)
//! is done here: a 256-entry byte-class table drives the word split, the lowercased bytes are
//! hashed in place (no `String`), the classes of a chunk's bytes are ORed, and the slower work is
//! only done when a class flag calls for it: the digit shape for a word with a digit; for a chunk
//! with a digit, code punctuation, `.@:%!$`, no small letter or a leading `w`, the byte-by-byte
//! counts of the unknown-text rule and (when they can find anything) the reference's URL,
//! price, ... shapes ([`crate::features::chunk_shapes`]); a plain chunk of words only adds its
//! length and letters. Stop words and second-person words are found by their hash in an exact
//! collision-free table. A chunk with a non-ASCII byte is undone and redone with the reference's
//! own per-character logic ([`crate::features::Word`], [`crate::features::chunk_shapes`],
//! `unknown`'s character classes), so Unicode cases come out as in the reference by
//! construction; so does a paragraph with a vertical tab (whitespace to the tokenizer, not to the
//! statistics), whose statistics are the reference's.
//!
//! The reference stays: [`crate::features::for_each_token_id_with_content`] and
//! [`crate::unknown::stats`] (and [`crate::filter::judge_reference`] over them). The test
//! `tests/lean_scanner.rs` checks that both give the same ids, counts, verdicts and score bits.

use crate::features::{
    chunk_shapes, fnv1a, mix, FeatureConfig, Word, FNV_OFFSET, FNV_PRIME, SECOND_PERSON,
    SHAPE_OFFSET,
};
use crate::unknown::{classify, is_url_chunk, Class, TextStats};

/// Byte classes (flags).
const ALNUM: u16 = 1;
const DIGIT: u16 = 2;
/// ASCII whitespace as `char::is_whitespace` sees it (including vertical tab).
const SPACE: u16 = 4;
const NONASCII: u16 = 8;
/// Vertical tab: whitespace to the tokenizer, not to the unknown-text statistics.
const VT: u16 = 16;
/// `@:%!$`: the chunk may carry an e-mail, URL, price, percent or `!` shape.
const SHAPE: u16 = 32;
/// `.`: the chunk may be a domain or URL (unless its only dots follow its last word).
const DOT: u16 = 64;
const COLON: u16 = 128;
const LOWER: u16 = 256;
/// Code punctuation, as `unknown` counts it.
const SYMBOL: u16 = 512;

const fn byte_class(c: u8) -> u16 {
    match c {
        b'0'..=b'9' => ALNUM | DIGIT,
        b'a'..=b'z' => ALNUM | LOWER,
        b'A'..=b'Z' => ALNUM,
        0x0B => SPACE | VT,
        b'\t' | b'\n' | 0x0C | b'\r' | b' ' => SPACE,
        b':' => SHAPE | COLON,
        b'@' | b'%' | b'!' | b'$' => SHAPE,
        b'.' => DOT,
        b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b'=' | b';' | b'|' | b'\\'
        | b'_' => SYMBOL,
        0x80..=0xFF => NONASCII,
        _ => 0,
    }
}

static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = byte_class(i as u8);
        i += 1;
    }
    t
};

#[inline(always)]
fn class(c: u8) -> u16 {
    CLASS[c as usize]
}

/// Flags of the words the scanner must recognise by their hash.
const STOP: u8 = 1;
const SECOND: u8 = 2;
const SPECIAL_BITS: u32 = 9;
const SPECIAL_SIZE: usize = 1 << SPECIAL_BITS;

/// The stop words and second-person words, by FNV-1a hash, in a collision-free table of 512
/// slots: one multiply, one load and one compare answer "is this hash one of them". Exact: the
/// whole 64-bit hash is compared, as the reference compares it.
struct Special {
    mul: u64,
    keys: [u64; SPECIAL_SIZE],
    flags: [u8; SPECIAL_SIZE],
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
        for w in crate::features::STOP {
            add(fnv1a(w), STOP);
        }
        for w in SECOND_PERSON {
            add(fnv1a(w), SECOND);
        }
        // Deterministic multipliers (odd, from a splitmix sequence) until one separates them all.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        loop {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let mul = (z ^ (z >> 31)) | 1;
            let mut keys = [0u64; SPECIAL_SIZE];
            let mut flags = [0u8; SPECIAL_SIZE];
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
    // fnv1a("^"), the bigram predecessor of a paragraph's first word.
    (FNV_OFFSET ^ b'^' as u64).wrapping_mul(FNV_PRIME)
};

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

/// The state of a scan, handed to the general path.
struct State {
    ids: Vec<u64>,
    content: Vec<u64>,
    shapes: Vec<u64>,
    special: &'static Special,
    bigrams: bool,
    shapes_on: bool,
    prev: u64,
    addressed: bool,
    words: u32,
    stats: TextStats,
}

impl State {
    fn word(&mut self, id: u64, content: Option<u64>) {
        self.addressed |= self.special.get(id) & SECOND != 0;
        if let Some(c) = content {
            self.content.push(c);
        }
        if self.bigrams {
            self.ids.push(mix(self.prev, id));
        }
        self.ids.push(id);
        self.prev = id;
        self.words += 1;
    }

    /// A span between ASCII whitespace that holds a non-ASCII byte, character by character as
    /// the reference does it.
    #[inline(never)]
    fn general(&mut self, span: &str) {
        let mut word = Word::new(false);
        let mut chunk: Option<usize> = None;
        for (i, c) in span.char_indices() {
            if c.is_alphanumeric() {
                word.push_alnum(c);
            } else if (c == '\'' || c == '’') && word.len > 0 {
                word.pending_apostrophes += 1;
            } else if let Some(((id, _), content)) = word.finish() {
                self.word(id, content);
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
            self.word(id, content);
        }
        if let Some(s) = chunk {
            self.chunk_end(&span[s..]);
        }
    }

    fn chunk_end(&mut self, chunk: &str) {
        self.stats.chunks += 1;
        self.stats.urls += u32::from(is_url_chunk(chunk.as_bytes()));
        if self.shapes_on {
            let shapes = &mut self.shapes;
            chunk_shapes(chunk, &mut |t| shapes.push(fnv1a(t)));
        }
    }
}

/// The end of an ASCII chunk that holds a digit, code punctuation, `.@:%!$`, three letters and
/// no small one, or starts with `w`: its statistics counted byte by byte, and its shapes when
/// `chunk_shapes` can find any. `last_word_end`: where its last word ends, from its start.
#[inline(never)]
fn ascii_chunk_end(
    chunk: &str,
    last_word_end: usize,
    flags: u16,
    stats: &mut TextStats,
    shapes: Option<&mut Vec<u64>>,
) {
    let b = chunk.as_bytes();
    let (mut letters, mut digits, mut symbols) = (0u32, 0u32, 0u32);
    for &c in b {
        let f = class(c);
        letters += u32::from(f & (ALNUM | DIGIT) == ALNUM);
        digits += u32::from(f & DIGIT != 0);
        symbols += u32::from(f & SYMBOL != 0);
    }
    stats.nonspace += b.len() as u32;
    stats.letters += letters;
    stats.latin += letters;
    stats.digits += digits;
    stats.symbols += symbols;
    stats.chunks += 1;
    stats.urls += u32::from(is_url_chunk(b));
    let Some(shapes) = shapes else { return };
    // Whether `chunk_shapes` can emit anything: a URL, e-mail or domain needs `@`, `:`, `www.`
    // or a dot before the last letter or digit; a price `$`; the others their own character,
    // seven digits, or three letters and no small letter.
    let www = b.len() > 4 && b[..4].eq_ignore_ascii_case(b"www.");
    let any = flags & SHAPE != 0
        || digits >= 7
        || (letters >= 3 && flags & LOWER == 0)
        || (flags & DOT != 0 && (www || b[..last_word_end].contains(&b'.')));
    if any {
        chunk_shapes(chunk, &mut |t| shapes.push(fnv1a(t)));
    }
}

/// An ASCII word: where it ends, its FNV-1a hash (lowercased), the OR of its bytes' classes, and
/// how many apostrophes it holds.
struct AsciiWord {
    end: usize,
    hash: u64,
    flags: u16,
    apostrophes: u32,
}

/// The ASCII word starting at `b[j]` (a letter or digit): letters and digits, and apostrophes
/// followed by one. A small function of its own, so that its loop keeps everything in registers.
#[inline(never)]
fn ascii_word(b: &[u8], mut j: usize) -> AsciiWord {
    let (mut h, mut flags, mut apostrophes) = (FNV_OFFSET, 0u16, 0u32);
    loop {
        while let Some(&c) = b.get(j) {
            let f = class(c);
            if f & ALNUM == 0 {
                break;
            }
            // ASCII letters and digits lowercase by setting bit 5.
            h = (h ^ u64::from(c | 0x20)).wrapping_mul(FNV_PRIME);
            flags |= f;
            j += 1;
        }
        // Apostrophes belong to the word when a letter or digit follows them.
        if b.get(j) == Some(&b'\'') {
            let mut k = j + 1;
            while b.get(k) == Some(&b'\'') {
                k += 1;
            }
            if b.get(k).is_some_and(|&c| class(c) & ALNUM != 0) {
                for _ in j..k {
                    h = (h ^ u64::from(b'\'')).wrapping_mul(FNV_PRIME);
                }
                apostrophes += (k - j) as u32;
                j = k;
                continue;
            }
        }
        return AsciiWord {
            end: j,
            hash: h,
            flags,
            apostrophes,
        };
    }
}

impl Scanner {
    /// Scans one paragraph: token ids into [`Scanner::ids`], content words into
    /// [`Scanner::content`].
    pub fn scan(&mut self, text: &str, cfg: &FeatureConfig) -> Scanned {
        let b = text.as_bytes();
        let n = b.len();
        // The buffers are taken out of `self` so that their lengths live in registers.
        let mut ids = std::mem::take(&mut self.ids);
        let mut content = std::mem::take(&mut self.content);
        let mut shapes = std::mem::take(&mut self.shapes);
        ids.clear();
        content.clear();
        shapes.clear();
        ids.reserve(n + 8);
        let special = special();
        let (bigrams, shapes_on) = (cfg.bigrams, cfg.shapes);
        let (mut prev, mut addressed, mut words) = (CARET, false, 0u32);
        let mut stats = TextStats::default();
        let mut saw_vt = false;
        let mut i = 0;
        while i < n {
            let f = class(b[i]);
            if f & SPACE != 0 {
                saw_vt |= f & VT != 0;
                i += 1;
                continue;
            }
            // A chunk starts at i: words of ASCII letters and digits (with inner apostrophes)
            // between separators, up to ASCII whitespace.
            let start = i;
            let mark = (ids.len(), content.len(), prev, addressed, words);
            let (mut flags, mut alnum, mut last_word_end) = (0u16, 0u32, start);
            let mut j = i;
            'chunk: loop {
                let f = loop {
                    if j == n {
                        break 'chunk;
                    }
                    let f = class(b[j]);
                    if f & (ALNUM | SPACE | NONASCII) != 0 {
                        break f;
                    }
                    flags |= f;
                    j += 1;
                };
                if f & ALNUM == 0 {
                    break 'chunk;
                }
                let ws = j;
                let w = ascii_word(b, j);
                j = w.end;
                let fw = w.flags;
                let h = w.hash;
                flags |= fw;
                let len = (j - ws) as u32 - w.apostrophes;
                alnum += len;
                last_word_end = j;
                // The word's token: its hash, or its digit shape.
                let digit = fw & DIGIT != 0;
                let id = if digit { ascii_shape(&b[ws..j]) } else { h };
                let sf = special.get(id);
                addressed |= sf & SECOND != 0;
                if !digit && len >= 4 && sf & STOP == 0 {
                    content.push(h);
                }
                if bigrams {
                    ids.push(mix(prev, id));
                }
                ids.push(id);
                prev = id;
                words += 1;
            }
            if j < n && class(b[j]) & NONASCII != 0 {
                // Undo the chunk and redo the whole span up to ASCII whitespace, by character.
                ids.truncate(mark.0);
                content.truncate(mark.1);
                let mut end = j;
                while end < n && class(b[end]) & SPACE == 0 {
                    end += 1;
                }
                let mut st = State {
                    ids,
                    content,
                    shapes,
                    special,
                    bigrams,
                    shapes_on,
                    prev: mark.2,
                    addressed: mark.3,
                    words: mark.4,
                    stats,
                };
                st.general(&text[start..end]);
                State {
                    ids,
                    content,
                    shapes,
                    prev,
                    addressed,
                    words,
                    stats,
                    ..
                } = st;
                i = end;
                continue;
            }
            let plain = flags & (SHAPE | DOT | DIGIT | SYMBOL) == 0
                && (alnum < 3 || flags & LOWER != 0)
                && !(j - start > 4 && b[start] | 0x20 == b'w');
            if plain {
                stats.nonspace += (j - start) as u32;
                stats.letters += alnum;
                stats.latin += alnum;
                stats.chunks += 1;
            } else {
                ascii_chunk_end(
                    &text[start..j],
                    last_word_end - start,
                    flags,
                    &mut stats,
                    shapes_on.then_some(&mut shapes),
                );
            }
            i = j;
        }
        if shapes_on {
            ids.extend_from_slice(&shapes);
            if addressed {
                ids.push(fnv1a("<2p>"));
            }
        }
        if saw_vt {
            // The statistics do not split chunks at a vertical tab: take the reference's count.
            stats = crate::unknown::stats(text);
        }
        self.ids = ids;
        self.content = content;
        self.shapes = shapes;
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
