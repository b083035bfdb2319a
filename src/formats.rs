//! Document formats: plain text and JSON Lines, each optionally gzip- or zstd-compressed. A
//! document is read from any `Read` and written to any `Write`, in the same format and compression.
//! JSON Lines are streamed record by record, so memory does not grow with the shard's size.

use crate::error::{Error, Result};
use crate::filter::{filter_text, Cleaned, Settings, Verdict};
use crate::model::Model;
use crate::report::ReportLine;
use serde_json::value::RawValue;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// How a document's bytes hold text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The whole (decompressed) file is one UTF-8 text.
    Text,
    /// One JSON object per line; the text is in a string field.
    Jsonl,
}

/// Compression of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// None.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`, `.zstd`).
    Zstd,
}

/// A file's format, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Text or JSON Lines.
    pub kind: Kind,
    /// Compression.
    pub compression: Compression,
}

impl Format {
    /// Format from a file name: `.gz`/`.zst` mark compression; `.jsonl`, `.ndjson` and `.json`
    /// (as in dolma's `.json.gz` shards) mark JSON Lines; anything else is text.
    pub fn from_path(path: &Path) -> Format {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let (compression, rest) = if let Some(r) = name.strip_suffix(".gz") {
            (Compression::Gzip, r)
        } else if let Some(r) = name
            .strip_suffix(".zst")
            .or_else(|| name.strip_suffix(".zstd"))
        {
            (Compression::Zstd, r)
        } else {
            (Compression::None, name.as_str())
        };
        let kind =
            if rest.ends_with(".jsonl") || rest.ends_with(".ndjson") || rest.ends_with(".json") {
                Kind::Jsonl
            } else {
                Kind::Text
            };
        Format { kind, compression }
    }
}

/// What to do with a file that is not valid UTF-8 text (a binary, or broken encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonText {
    /// Copy it to the output unchanged, and list it on stderr (the default: nothing is lost).
    #[default]
    Copy,
    /// Leave it out of the output, and list it on stderr.
    Skip,
    /// Treat it as an error (exit code 2).
    Error,
}

/// What to do with a bad JSON Lines line (`--on-bad-record`): one that cannot be read as a record
/// (not UTF-8, not a JSON object), or a record whose text field is missing, `null`, not a string,
/// or a string that is not Unicode (a lone surrogate such as `\ud800`). Without the flag, a line
/// that is not a JSON object is an error, a line that is not UTF-8 follows `--non-text`, and a
/// record without a usable text field is passed through unchanged and listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnBadRecord {
    /// An error naming the file and line; no output for that file (on stdin: the records before
    /// the bad line are written, nothing from it on).
    #[default]
    Error,
    /// Pass the line through unchanged and list it on stderr (count and first lines).
    Keep,
}

/// Default gzip level of `.gz` outputs: 1, the fastest, since a corpus pipeline writes far more
/// than it keeps; the outputs are then about as large as the inputs a scraper wrote at its own
/// default level (not measured here; `--gzip-level` trades speed for size).
pub const GZIP_LEVEL: u32 = 1;

/// Default zstd level of `.zst` outputs: 3, zstd's own default (not measured here).
pub const ZSTD_LEVEL: u32 = 3;

/// Default for `--max-doc-bytes`: the largest document (a text file's decompressed bytes, or one
/// JSON Lines record) that is loaded and filtered, 64 MiB. A larger one is copied through
/// unchanged, streamed, and reported. Peak memory is about threads x 3 x this, at most.
pub const MAX_DOC_BYTES: usize = 64 << 20;

/// Settings for processing one document.
#[derive(Debug, Clone)]
pub struct DocOptions {
    /// Read every file as this kind whatever its name (`--format`); `None`: by the file's name.
    pub kind: Option<Kind>,
    /// Policy for bad JSON Lines lines (`--on-bad-record`); `None`, the default: a line that is
    /// not a JSON object is an error, a line that is not UTF-8 follows `non_text`, and a record
    /// whose text field is missing, null, not a string or not Unicode passes through unchanged
    /// and is listed (see [`OnBadRecord`]).
    pub on_bad_record: Option<OnBadRecord>,
    /// JSON field naming a record (`--id-field`), shown in reports and written to attributes.
    pub id_field: String,
    /// With `Some(key)`: for each JSON Lines record, a dolma attribute line listing under `key`
    /// the character spans the filter takes out (see [`attribute_line`]).
    pub attributes: Option<String>,
    /// Cuts.
    pub settings: Settings,
    /// JSON field holding the text.
    pub text_field: String,
    /// Policy for non-UTF-8 text files.
    pub non_text: NonText,
    /// Keep report lines (for `--report` or `check`); off, memory does not grow with removals.
    pub collect_report: bool,
    /// With `collect_report`: a line for every paragraph, kept ones too (`--report-all`).
    pub report_all: bool,
    /// Called with every judged document (used by `clean adapt`).
    pub observer: Option<Observer>,
    /// Compression level for gzip output.
    pub gzip_level: u32,
    /// Compression level for zstd output.
    pub zstd_level: u32,
    /// Largest document loaded and filtered (see [`MAX_DOC_BYTES`]).
    pub max_doc_bytes: usize,
}

/// The function inside an [`Observer`].
pub type ObserveFn = dyn Fn(&Model, &str, &[crate::filter::Paragraph]) + Send + Sync;

/// A function that sees every judged document: (model, text, paragraphs).
#[derive(Clone)]
pub struct Observer(pub std::sync::Arc<ObserveFn>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// What happened to one document.
#[derive(Debug, Default)]
pub struct DocStats {
    /// Records (1 for a text file).
    pub records: u64,
    /// Paragraphs seen.
    pub paragraphs: usize,
    /// Paragraphs removed.
    pub removed: usize,
    /// Paragraphs kept but unsure.
    pub unsure: usize,
    /// Paragraphs kept as outside what the model knows.
    pub unknown: usize,
    /// Report lines.
    pub report: Vec<ReportLine>,
    /// Set when the file was not text and was copied or skipped under [`NonText`].
    pub non_text: Option<String>,
    /// True when no output should exist for this file (a skipped non-text file).
    pub skipped: bool,
    /// True when nothing was written and the caller must copy the input file byte for byte (a
    /// non-text file, or one larger than `max_doc_bytes`, read from a file that can be re-read).
    pub copy_raw: bool,
    /// Documents or records passed through unchanged without being filtered (too large, or a
    /// JSON Lines record with a text field that is null, not a string or not Unicode).
    pub unfiltered: u64,
    /// Why the first of them was (`line N: ...` for JSON Lines).
    pub unfiltered_note: Option<String>,
    /// JSON Lines records with no text field.
    pub lacking_field: u64,
    /// JSON Lines lines that were not records, kept under `--on-bad-record keep`.
    pub bad_records: u64,
    /// Warnings about this file, for stderr.
    pub notes: Vec<String>,
}

/// How many bad lines of one file are named on stderr; the rest are counted.
const NOTED_BAD_LINES: u64 = 10;

impl DocStats {
    fn pass(&mut self, why: String) {
        self.unfiltered += 1;
        if self.unfiltered_note.is_none() {
            self.unfiltered_note = Some(why);
        }
    }

    fn add(
        &mut self,
        model: &Model,
        f: &Cleaned,
        shown: &str,
        record: Option<(u64, Option<&str>)>,
        text: &str,
        opts: &DocOptions,
    ) {
        if let Some(o) = &opts.observer {
            (o.0)(model, text, &f.paragraphs);
        }
        self.paragraphs += f.paragraphs.len();
        self.removed += f.count(Verdict::Removed);
        self.unsure += f.count(Verdict::Unsure);
        self.unknown += f.count(Verdict::Unknown);
        if !opts.collect_report {
            return;
        }
        self.report.extend(
            f.paragraphs
                .iter()
                .filter(|j| opts.report_all || j.verdict != Verdict::Kept)
                .map(|j| {
                    let mut line = ReportLine::new(model, shown, record.map(|r| r.0), text, j);
                    line.id = record.and_then(|r| r.1).map(str::to_string);
                    line
                }),
        );
    }
}

/// Wraps a reader in the decoder for `c`.
pub fn decoder<'a>(r: impl Read + 'a, c: Compression) -> std::io::Result<Box<dyn Read + 'a>> {
    Ok(match c {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(r)?),
    })
}

/// A writer that compresses, and must be finished.
pub enum Encoder<W: Write> {
    /// No compression.
    Plain(W),
    /// gzip.
    Gzip(flate2::write::GzEncoder<W>),
    /// zstd.
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    /// An encoder for `c` over `w`, at `level` (gzip 0-9, zstd 1-19).
    pub fn new(w: W, c: Compression, level: u32) -> std::io::Result<Encoder<W>> {
        Ok(match c {
            Compression::None => Encoder::Plain(w),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::new(level.min(9)),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(
                w,
                level.clamp(1, 19) as i32,
            )?),
        })
    }
    /// Flushes the compressed stream's end and returns the inner writer.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Encoder::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
            Encoder::Zstd(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
            Encoder::Zstd(w) => w.flush(),
        }
    }
}

/// Where errors point: the input path, and the output path for write errors.
pub struct Names<'a> {
    /// Input file (or `-`).
    pub input: &'a Path,
    /// Output file (or `-`), when writing.
    pub output: &'a Path,
    /// The path as shown in reports.
    pub shown: &'a str,
    /// True when the caller can read the input again from its start (a file, not stdin): a
    /// document to be copied unchanged is then left to the caller (see [`DocStats::copy_raw`]),
    /// so a compressed file is copied byte for byte rather than recompressed.
    pub rewind: bool,
}

fn read_err(p: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::input_io(p, e)
}

/// Filters one document from `input` to `output` (or only judges it when `output` is `None`).
pub fn process(
    model: &Model,
    format: Format,
    input: impl Read,
    output: Option<&mut dyn Write>,
    names: &Names,
    opts: &DocOptions,
) -> Result<DocStats> {
    process_with(model, format, input, output, None, names, opts)
}

/// As [`process`], and for JSON Lines with `opts.attributes` set, one dolma attribute line per
/// record to `attributes`.
pub fn process_with(
    model: &Model,
    format: Format,
    input: impl Read,
    output: Option<&mut dyn Write>,
    attributes: Option<&mut dyn Write>,
    names: &Names,
    opts: &DocOptions,
) -> Result<DocStats> {
    let reader = decoder(input, format.compression).map_err(read_err(names.input))?;
    match format.kind {
        Kind::Text => process_text(model, reader, output, names, opts),
        Kind::Jsonl => process_jsonl(model, reader, output, attributes, names, opts),
    }
}

/// True when `text` has at least one line and every non-blank line is a JSON object: a JSON
/// Lines file whose name does not say so (a Spark `part-00000`).
fn looks_like_jsonl(text: &str) -> bool {
    let mut any = false;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if !(l.starts_with('{') && l.ends_with('}')) {
            return false;
        }
        if serde_json::from_str::<serde::de::IgnoredAny>(l).is_err() {
            return false;
        }
        any = true;
    }
    any
}

fn process_text(
    model: &Model,
    mut reader: impl Read,
    output: Option<&mut dyn Write>,
    names: &Names,
    opts: &DocOptions,
) -> Result<DocStats> {
    let limit = opts.max_doc_bytes;
    // Read in pieces, checking UTF-8 as it comes: a binary file is known as such from its first
    // bad byte and is then copied without reading it whole; no document over `limit` is loaded.
    let mut bytes = Vec::new();
    let mut checked = 0;
    let mut bad_utf8 = None;
    loop {
        let want = (limit + 1 - bytes.len()).min(1 << 20);
        let n = (&mut reader)
            .take(want as u64)
            .read_to_end(&mut bytes)
            .map_err(read_err(names.input))?;
        match std::str::from_utf8(&bytes[checked..]) {
            Ok(_) => checked = bytes.len(),
            Err(e) if e.error_len().is_some() || n == 0 => {
                bad_utf8 = Some(checked + e.valid_up_to());
                break;
            }
            Err(e) => checked += e.valid_up_to(),
        }
        if n == 0 || bytes.len() > limit {
            break;
        }
    }
    let mut stats = DocStats {
        records: 1,
        ..Default::default()
    };
    // Copies the document unchanged: left to the caller when it can re-read the file, otherwise
    // the bytes read so far and then the rest of the stream, never holding more than `limit`.
    let copy = |stats: &mut DocStats, output: Option<&mut dyn Write>, mut reader: &mut dyn Read| {
        if names.rewind {
            stats.copy_raw = true;
            return Ok(());
        }
        if let Some(out) = output {
            out.write_all(&bytes)
                .map_err(|e| Error::output_io(names.output, e))?;
            std::io::copy(&mut reader, out).map_err(read_err(names.input))?;
        } else {
            std::io::copy(&mut reader, &mut std::io::sink()).map_err(read_err(names.input))?;
        }
        Ok::<(), Error>(())
    };
    if bad_utf8.is_none() && bytes.len() > limit {
        stats.pass(format!(
            "larger than --max-doc-bytes ({limit} bytes); copied unchanged, not filtered"
        ));
        copy(&mut stats, output, &mut reader)?;
        return Ok(stats);
    }
    let text = match bad_utf8 {
        None => std::str::from_utf8(&bytes).expect("checked as read"),
        Some(at) => {
            let why = format!("not valid UTF-8 text (first bad byte at offset {at})");
            match opts.non_text {
                NonText::Error => return Err(Error::input(names.input.to_path_buf(), why)),
                NonText::Skip => {
                    stats.non_text = Some(format!("{why}; skipped, not written"));
                    stats.skipped = true;
                }
                NonText::Copy => {
                    stats.non_text = Some(format!("{why}; copied unchanged"));
                    copy(&mut stats, output, &mut reader)?;
                }
            }
            return Ok(stats);
        }
    };
    if opts.kind.is_none() && looks_like_jsonl(text) {
        stats.notes.push(
            "every line is a JSON object, but the file was read as plain text (by its name): \
             pass --format jsonl to filter each record's text field"
                .into(),
        );
    }
    let f = filter_text(model, text, &opts.settings);
    stats.add(model, &f, names.shown, None, text, opts);
    if let Some(out) = output {
        out.write_all(f.text.as_bytes())
            .map_err(|e| Error::output_io(names.output, e))?;
    }
    Ok(stats)
}

/// A JSON object's members, in order, duplicates included, values unparsed (borrowed from the
/// line, so their byte positions in it are known).
pub struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, &'de RawValue>()? {
                    v.push((k, val));
                }
                Ok(Members(v))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Members<'a> {
    /// Parses one line (without its line ending) as a JSON object.
    pub fn parse(body: &'a str) -> std::result::Result<Members<'a>, serde_json::Error> {
        serde_json::from_str(body)
    }

    /// The value of `key`: the last member of that name, as JSON parsers (and dolma) read a
    /// duplicated key.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// `key`'s value as shown to people: a string's text, or any other value's JSON.
    pub fn shown(&self, key: &str) -> Option<String> {
        self.get(key).map(|raw| {
            serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_string())
        })
    }

    /// The string value of `key`: `Ok(None)` when absent, `Err` when null, not a string, or a
    /// string that is not Unicode (a lone surrogate).
    pub fn text(&self, key: &str) -> std::result::Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Err(format!("field `{key}` is null")),
            Some(raw) if raw.get().starts_with('"') => serde_json::from_str::<String>(raw.get())
                .map(Some)
                .map_err(|e| format!("field `{key}` is a string that is not Unicode text ({e})")),
            Some(raw) => Err(format!(
                "field `{key}` is not a string but {}: {}",
                match raw.get().as_bytes().first() {
                    Some(b'{') => "an object",
                    Some(b'[') => "an array",
                    Some(b't' | b'f') => "a boolean",
                    _ => "a number",
                },
                preview(raw.get())
            )),
        }
    }
}

fn preview(s: &str) -> String {
    let p: String = s.chars().take(40).collect();
    if p.len() < s.len() {
        format!("{p}...")
    } else {
        p
    }
}

/// `body` (one JSON object, as parsed into `members`) with the value of `field` replaced by
/// `text`, JSON-encoded: every byte outside that value (other members, spacing, escapes,
/// duplicate keys) is kept as it was.
fn rewrite_record(body: &str, members: &Members, field: &str, text: &str) -> Option<String> {
    let raw = members.get(field)?.get();
    let start = (raw.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let end = start + raw.len();
    if body.get(start..end) != Some(raw) {
        return None;
    }
    let value = serde_json::to_string(text).ok()?;
    let mut out = String::with_capacity(body.len() + value.len());
    out.push_str(&body[..start]);
    out.push_str(&value);
    out.push_str(&body[end..]);
    Some(out)
}

/// One dolma attribute line (without newline): `{"id": <the record's id, as in the record>,
/// "attributes": {"<key>": [[start, end, score], ...]}}`. Spans are in characters (Unicode scalar
/// values, Python's `str` indices), as dolma's mixer counts them when it applies a
/// `span_replacement`; each covers a removed paragraph with the separator that goes with it, so
/// replacing every span with "" gives `clean filter`'s text. The score is the largest log-odds
/// among the paragraphs the span removes.
pub fn attribute_line(id: Option<&RawValue>, key: &str, spans: &[(usize, usize, f64)]) -> String {
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|(s, e, score)| serde_json::json!([s, e, score]))
        .collect();
    let attrs = serde_json::json!({ key: spans });
    format!(
        "{{\"id\":{},\"attributes\":{}}}",
        id.map(RawValue::get).unwrap_or("null"),
        attrs
    )
}

/// The deleted byte ranges of a filtered text as character spans with scores.
fn char_spans(text: &str, f: &Cleaned) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::with_capacity(f.deleted.len());
    let (mut byte, mut chars) = (0, 0);
    let mut to_char = |b: usize| {
        chars += text[byte..b].chars().count();
        byte = b;
        chars
    };
    for r in &f.deleted {
        let score = f
            .paragraphs
            .iter()
            .filter(|j| {
                j.verdict == Verdict::Removed && j.range.start < r.end && r.start < j.range.end
            })
            .map(|j| j.log_odds)
            .fold(f64::NEG_INFINITY, f64::max);
        let s = to_char(r.start);
        let e = to_char(r.end);
        out.push((s, e, if score.is_finite() { score } else { 0.0 }));
    }
    out
}

/// Records are read in batches of about this many bytes and filtered in parallel, then written
/// in order: all cores work on a single large shard, and memory stays bounded by the batch.
const JSONL_BATCH_BYTES: usize = 4 << 20;

/// One JSON Lines record, filtered: the line to write and what happened to it.
struct RecordOut {
    line: Option<String>,
    attributes: Option<String>,
    stats: DocStats,
}

/// Filters one line (`line_no` from 1; `record` the record number if it is not blank).
fn jsonl_line(
    model: &Model,
    buf: &[u8],
    line_no: u64,
    record: Option<u64>,
    names: &Names,
    opts: &DocOptions,
) -> Result<RecordOut> {
    let mut out = RecordOut {
        line: None,
        attributes: None,
        stats: DocStats::default(),
    };
    let Some(record) = record else {
        return Ok(out);
    };
    out.stats.records = 1;
    let bad = |reason: String, mut out: RecordOut| match opts.on_bad_record {
        None | Some(OnBadRecord::Error) => Err(Error::input(
            names.input.to_path_buf(),
            format!("line {line_no}: {reason} (--on-bad-record keep passes such lines through)"),
        )),
        Some(OnBadRecord::Keep) => {
            out.stats.bad_records = 1;
            out.stats
                .notes
                .push(format!("line {line_no}: {reason}; kept unchanged"));
            if let Some(key) = &opts.attributes {
                out.attributes = Some(attribute_line(None, key, &[]));
            }
            Ok(out)
        }
    };
    let line = match std::str::from_utf8(buf) {
        Ok(l) => l,
        Err(_) if opts.on_bad_record.is_some() => return bad("not valid UTF-8".into(), out),
        Err(e) => {
            // Without --on-bad-record, a line that is not UTF-8 follows --non-text.
            let why = format!(
                "line {line_no}: not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            );
            return match opts.non_text {
                NonText::Error => bad("not valid UTF-8 text".into(), out),
                NonText::Copy => {
                    out.stats.non_text = Some(format!("{why}; passed through unchanged"));
                    Ok(out)
                }
                NonText::Skip => {
                    out.stats.non_text = Some(format!("{why}; left out of the output"));
                    out.line = Some(String::new());
                    Ok(out)
                }
            };
        }
    };
    let body = line.trim_end_matches(['\n', '\r']);
    let ending = &line[body.len()..];
    // A byte-order mark before the first record is kept, and not part of the JSON.
    let (bom, body) = match body.strip_prefix('\u{feff}') {
        Some(rest) if line_no == 1 => ("\u{feff}", rest),
        _ => ("", body),
    };
    let members = match Members::parse(body) {
        Ok(m) => m,
        Err(e) => return bad(format!("not a JSON object: {e}"), out),
    };
    let text = match members.text(&opts.text_field) {
        Ok(t) => t,
        Err(why) => {
            if opts.on_bad_record == Some(OnBadRecord::Error) {
                return bad(why, out);
            }
            out.stats
                .pass(format!("line {line_no}: {why}; passed through unchanged"));
            if let Some(key) = &opts.attributes {
                out.attributes = Some(attribute_line(members.get(&opts.id_field), key, &[]));
            }
            return Ok(out);
        }
    };
    let Some(text) = text else {
        if opts.on_bad_record == Some(OnBadRecord::Error) {
            return bad(format!("no field `{}`", opts.text_field), out);
        }
        out.stats.lacking_field = 1;
        out.stats.pass(format!(
            "line {line_no}: no field `{}`; passed through unchanged",
            opts.text_field
        ));
        if let Some(key) = &opts.attributes {
            out.attributes = Some(attribute_line(members.get(&opts.id_field), key, &[]));
        }
        return Ok(out);
    };
    let id = opts
        .collect_report
        .then(|| members.shown(&opts.id_field))
        .flatten();
    let f = filter_text(model, &text, &opts.settings);
    out.stats.add(
        model,
        &f,
        names.shown,
        Some((record, id.as_deref())),
        &text,
        opts,
    );
    if let Some(key) = &opts.attributes {
        out.attributes = Some(attribute_line(
            members.get(&opts.id_field),
            key,
            &char_spans(&text, &f),
        ));
    }
    if f.removed().next().is_some() {
        let rewritten =
            rewrite_record(body, &members, &opts.text_field, &f.text).ok_or_else(|| {
                Error::input(
                    names.input.to_path_buf(),
                    format!("line {line_no}: cannot locate field `{}`", opts.text_field),
                )
            })?;
        out.line = Some(format!("{bom}{rewritten}{ending}"));
    }
    Ok(out)
}

/// Reads one line (through its `\n`, or to the end) into `buf`, but no more than `limit` bytes:
/// returns false when the line is longer (the rest of it is still to be read).
fn read_line_bounded(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<bool> {
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(true);
        }
        let (take, found) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let room = limit.saturating_sub(buf.len());
        if take > room {
            buf.extend_from_slice(&avail[..room]);
            r.consume(room);
            return Ok(false);
        }
        buf.extend_from_slice(&avail[..take]);
        r.consume(take);
        if found {
            return Ok(true);
        }
    }
}

/// Copies the rest of the current line (through its `\n`) from `r` to `w`, in pieces.
fn copy_rest_of_line(
    r: &mut impl BufRead,
    w: &mut Option<&mut dyn Write>,
    names: &Names,
) -> Result<()> {
    loop {
        let avail = r.fill_buf().map_err(read_err(names.input))?;
        if avail.is_empty() {
            return Ok(());
        }
        let (take, found) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if let Some(w) = w.as_deref_mut() {
            w.write_all(&avail[..take])
                .map_err(|e| Error::output_io(names.output, e))?;
        }
        r.consume(take);
        if found {
            return Ok(());
        }
    }
}

fn process_jsonl(
    model: &Model,
    reader: impl Read,
    mut output: Option<&mut dyn Write>,
    mut attributes: Option<&mut dyn Write>,
    names: &Names,
    opts: &DocOptions,
) -> Result<DocStats> {
    use rayon::prelude::*;
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut stats = DocStats::default();
    let mut line_no: u64 = 0;
    let mut done = false;
    let mut non_text_lines = 0u64;
    let limit = opts.max_doc_bytes;
    while !done {
        // (line number, record number if not blank, bytes)
        let mut batch: Vec<(u64, Option<u64>, Vec<u8>)> = Vec::new();
        let mut long_line = None;
        let mut size = 0;
        while size < JSONL_BATCH_BYTES {
            let mut buf = Vec::new();
            let fits =
                read_line_bounded(&mut reader, &mut buf, limit).map_err(read_err(names.input))?;
            if buf.is_empty() {
                done = true;
                break;
            }
            line_no += 1;
            let blank = buf.iter().all(|b| b.is_ascii_whitespace());
            let record = (!blank || !fits).then(|| {
                let r = stats.records;
                stats.records += 1;
                r
            });
            if !fits {
                long_line = Some((line_no, buf));
                break;
            }
            size += buf.len();
            batch.push((line_no, record, buf));
        }
        let outs: Vec<Result<RecordOut>> = batch
            .par_iter()
            .map(|(no, record, buf)| jsonl_line(model, buf, *no, *record, names, opts))
            .collect();
        for ((_, _, buf), out) in batch.iter().zip(outs) {
            let out = out?;
            stats.paragraphs += out.stats.paragraphs;
            stats.removed += out.stats.removed;
            stats.unsure += out.stats.unsure;
            stats.unknown += out.stats.unknown;
            stats.report.extend(out.stats.report);
            if let Some(why) = out.stats.unfiltered_note {
                stats.pass(why);
            }
            if let Some(why) = out.stats.non_text {
                non_text_lines += 1;
                if stats.non_text.is_none() {
                    stats.non_text = Some(why);
                }
            }
            stats.lacking_field += out.stats.lacking_field;
            stats.bad_records += out.stats.bad_records;
            if stats.bad_records <= NOTED_BAD_LINES {
                stats.notes.extend(out.stats.notes);
            }
            if let Some(w) = output.as_deref_mut() {
                let bytes = out.line.as_ref().map(String::as_bytes).unwrap_or(buf);
                w.write_all(bytes)
                    .map_err(|e| Error::output_io(names.output, e))?;
            }
            if let (Some(w), Some(a)) = (attributes.as_deref_mut(), &out.attributes) {
                w.write_all(a.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .map_err(|e| {
                        Error::io(names.output, e).with_role(crate::error::Role::Report)
                    })?;
            }
        }
        if let Some((no, prefix)) = long_line {
            stats.pass(format!(
                "line {no}: longer than --max-doc-bytes ({limit} bytes); passed through unchanged, not filtered"
            ));
            if let Some(w) = output.as_deref_mut() {
                w.write_all(&prefix)
                    .map_err(|e| Error::output_io(names.output, e))?;
            }
            copy_rest_of_line(&mut reader, &mut output, names)?;
        }
    }
    if non_text_lines > 1 {
        if let Some(n) = &mut stats.non_text {
            *n = format!("{n} ({non_text_lines} such lines)");
        }
    }
    if stats.bad_records > NOTED_BAD_LINES {
        stats.notes.push(format!(
            "{} more bad line(s) kept unchanged",
            stats.bad_records - NOTED_BAD_LINES
        ));
    }
    let with_text = stats.records - stats.bad_records - stats.lacking_field;
    if stats.lacking_field > 0 && with_text == 0 {
        return Err(Error::input(
            names.input.to_path_buf(),
            format!(
                "{} of {} record(s) have no field `{}`, so nothing could be filtered: \
                 check --text-field",
                stats.lacking_field, stats.records, opts.text_field
            ),
        ));
    }
    if stats.lacking_field > 0 {
        stats.notes.push(format!(
            "{} of {} record(s) have no field `{}`; passed through unchanged",
            stats.lacking_field, stats.records, opts.text_field
        ));
    }
    Ok(stats)
}

/// Output path for an input path (the same relative path under `out`).
pub fn mirror(out: &Path, rel: &Path) -> PathBuf {
    if rel.as_os_str().is_empty() {
        out.to_path_buf()
    } else {
        out.join(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        let f = |n: &str| Format::from_path(Path::new(n));
        assert_eq!(
            f("a.txt"),
            Format {
                kind: Kind::Text,
                compression: Compression::None
            }
        );
        assert_eq!(
            f("a.jsonl.gz"),
            Format {
                kind: Kind::Jsonl,
                compression: Compression::Gzip
            }
        );
        assert_eq!(
            f("shard.json.gz"),
            Format {
                kind: Kind::Jsonl,
                compression: Compression::Gzip
            }
        );
        assert_eq!(
            f("x.NDJSON.zst"),
            Format {
                kind: Kind::Jsonl,
                compression: Compression::Zstd
            }
        );
        assert_eq!(
            f("notes.txt.gz"),
            Format {
                kind: Kind::Text,
                compression: Compression::Gzip
            }
        );
        assert_eq!(
            f("README"),
            Format {
                kind: Kind::Text,
                compression: Compression::None
            }
        );
    }

    #[test]
    fn rewrite_keeps_other_fields_verbatim() {
        let line = r#"{"id":1.50e3,"text":"a\n\nb","meta":{"x":[1, 2]}}"#;
        let members = Members::parse(line).unwrap();
        let out = rewrite_record(line, &members, "text", "b").unwrap();
        assert_eq!(out, r#"{"id":1.50e3,"text":"b","meta":{"x":[1, 2]}}"#);
    }
}
