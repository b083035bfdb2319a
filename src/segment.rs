//! Text -> paragraphs, as byte ranges into the original text. Nothing here rewrites text.
//!
//! Three layouts are recognised, per block of consecutive non-blank lines:
//! - one paragraph per line (blocks of long lines, or lines of uneven length), including the case of
//!   a whole document with no blank lines at all;
//! - paragraphs separated by blank lines (each block is then a single line);
//! - hard-wrapped text: a block of two or more lines, the widest between [`MIN_WRAP_WIDTH`] and
//!   [`MAX_WRAP_WIDTH`] characters, broken the way a greedy line-wrapper breaks them (the first
//!   word of each line would not have fitted on the line before, and the next line is not
//!   indented), with at least one break in mid-sentence (not after `.`, `!`, `?`, `:` or a
//!   closing quote). Such a block is one paragraph spanning several lines.
//!
//! A line is blank when it holds only whitespace. Line endings `\n` and `\r\n` are both understood;
//! a paragraph's range never includes its line ending, so separators (everything between two
//! paragraphs) are copied verbatim by the filter.

use std::ops::Range;

/// Widest line (in characters) that can belong to a hard-wrapped block.
pub const MAX_WRAP_WIDTH: usize = 100;
/// A hard-wrapped block's widest line has at least this many characters.
pub const MIN_WRAP_WIDTH: usize = 40;

fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', ':', '"', '\'', '”', '’', ')'])
}

/// One line of the input: the byte range of its content, without the line ending and without
/// leading byte-order marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    start: usize,
    end: usize,
    chars: usize,
    blank: bool,
}

/// A UTF-8 byte-order mark is never part of a paragraph.
const BOM: &str = "\u{feff}";

fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let nl = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
        let line_end = nl.unwrap_or(bytes.len());
        let mut end = line_end;
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        // A byte-order mark is never paragraph text, wherever it is (a document start, or files
        // that were concatenated): a line's content starts after any.
        let mut content_start = start;
        while text[content_start..end].starts_with(BOM) {
            content_start += BOM.len();
        }
        let content = &text[content_start..end];
        out.push(Line {
            start: content_start,
            end,
            chars: content.chars().count(),
            blank: content.chars().all(char::is_whitespace),
        });
        start = match nl {
            Some(i) => i + 1,
            None => bytes.len(),
        };
    }
    out
}

fn first_word_chars(text: &str) -> usize {
    text.split_whitespace()
        .next()
        .map(|w| w.chars().count())
        .unwrap_or(0)
}

/// True when a block of lines looks hard-wrapped: every line short, and every break one that a
/// greedy wrapper at the block's width would have made.
fn is_hard_wrapped(text: &str, block: &[Line]) -> bool {
    if block.len() < 2 {
        return false;
    }
    let width = block.iter().map(|l| l.chars).max().unwrap_or(0);
    if !(MIN_WRAP_WIDTH..=MAX_WRAP_WIDTH).contains(&width) {
        return false;
    }
    let mid_sentence = block[..block.len() - 1]
        .iter()
        .any(|l| !ends_sentence(&text[l.start..l.end]));
    mid_sentence
        && block.windows(2).all(|pair| {
            let next = &text[pair[1].start..pair[1].end];
            let next_leading_space = next.chars().take_while(|c| c.is_whitespace()).count();
            // An indented next line starts a new paragraph (indented-paragraph layout).
            next_leading_space == 0 && pair[0].chars + 1 + first_word_chars(next) > width
        })
}

/// The paragraphs of `text`, in order, as byte ranges (line endings excluded).
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let lines = lines(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].blank {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < lines.len() && !lines[j].blank {
            j += 1;
        }
        let block = &lines[i..j];
        if is_hard_wrapped(text, block) {
            out.push(block[0].start..block[block.len() - 1].end);
        } else {
            out.extend(block.iter().map(|l| l.start..l.end));
        }
        i = j;
    }
    out
}

/// The parts of a multi-line paragraph `range` of `text` where it can be cut without cutting a
/// line or a sentence: runs of lines, each ending with a line that ends a sentence (the last run
/// ends where the paragraph does). One part when no line but the last ends a sentence.
pub fn line_runs(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut pos = range.start;
    while pos < range.end {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..range.end]).map(|i| pos + i);
        let line_end = nl.unwrap_or(range.end);
        let mut end = line_end;
        if end > pos && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        let mut start = pos;
        while text[start..end].starts_with(BOM) {
            start += BOM.len();
        }
        let line = &text[start..end];
        if !line.trim().is_empty() {
            let first = *run_start.get_or_insert(start);
            if ends_sentence(line) || nl.is_none() {
                out.push(first..end);
                run_start = None;
            }
        }
        pos = line_end + 1;
    }
    if let Some(first) = run_start {
        out.push(first..range.end);
    }
    out
}

/// The sentences of `range` of `text`: cut after `.`, `!` or `?` (and any closing quotes or
/// brackets) followed by whitespace, each without the whitespace around it.
pub fn sentences(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let s = &text[range.clone()];
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        start.get_or_insert(i);
        if matches!(c, '.' | '!' | '?') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, q)) = chars.peek() {
                if matches!(q, '"' | '\'' | '”' | '’' | ')' | ']' | '.' | '!' | '?') {
                    end = j + q.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            if chars.peek().is_none_or(|&(_, n)| n.is_whitespace()) {
                if let Some(b) = start.take() {
                    out.push(range.start + b..range.start + end);
                }
            }
        }
    }
    if let Some(b) = start {
        out.push(range.start + b..range.start + s.trim_end().len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        paragraphs(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn one_paragraph_per_line() {
        let t = "First paragraph is here and it is long enough to be a paragraph of its own, surely more than a hundred characters.\nSecond one.\nThird one, with no final newline";
        assert_eq!(
            texts(t),
            vec![
                "First paragraph is here and it is long enough to be a paragraph of its own, surely more than a hundred characters.",
                "Second one.",
                "Third one, with no final newline"
            ]
        );
    }

    #[test]
    fn blank_line_separated_with_subhead_and_dateline() {
        let t = " date 2017-08-07 Labour activists launched a campaign.\n\nA second paragraph.\n\nPressure\n\nBut the pressure grew.\n";
        assert_eq!(
            texts(t),
            vec![
                " date 2017-08-07 Labour activists launched a campaign.",
                "A second paragraph.",
                "Pressure",
                "But the pressure grew."
            ]
        );
    }

    #[test]
    fn hard_wrapped_blocks_are_one_paragraph() {
        let t = "The council met on Tuesday to discuss the new\nbudget, which will cut spending on roads and\nlibraries by a fifth.\n\nResidents who came to the meeting said they were\nangry about the plans and would protest outside\nthe town hall.\n";
        assert_eq!(
            texts(t),
            vec![
                "The council met on Tuesday to discuss the new\nbudget, which will cut spending on roads and\nlibraries by a fifth.",
                "Residents who came to the meeting said they were\nangry about the plans and would protest outside\nthe town hall."
            ]
        );
        // Short lines that end sentences are one paragraph each, not a wrapped block.
        let t = "The minister said the budget would be published next month.\nMore soon.\n";
        assert_eq!(
            texts(t),
            vec![
                "The minister said the budget would be published next month.",
                "More soon."
            ]
        );
        assert_eq!(
            texts("Headline of story\nBy A Reporter\n"),
            vec!["Headline of story", "By A Reporter"]
        );
    }

    #[test]
    fn short_lines_that_are_not_wrapped_stay_separate() {
        // "Pressure" would have fitted after "Headline here", so this is not a wrapped block.
        let t = "Headline here\nPressure\nA line of text that follows.\n";
        assert_eq!(
            texts(t),
            vec!["Headline here", "Pressure", "A line of text that follows."]
        );
    }

    #[test]
    fn crlf_and_whitespace_only_lines() {
        let t = "One.\r\n \t\r\nTwo.\r\n";
        assert_eq!(texts(t), vec!["One.", "Two."]);
        assert!(paragraphs("").is_empty());
        assert!(paragraphs("\n \n\t\n").is_empty());
        let bom = "\u{feff}Title\nBody.\n";
        assert_eq!(texts(bom), vec!["Title", "Body."]);
    }
}
