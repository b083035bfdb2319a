//! The command line (clap derive). One subcommand = one module under `src/cmd/`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Exit codes (as grep and diff):
  0  success (for `check`: no paragraph would be removed)
  1  `check` found paragraphs that would be removed (more than --max-removed)
  2  trouble: a usage error, or a file that could not be read or written (named on stderr);
     the other files are still processed

Bad input: a file that is not valid UTF-8 (a binary, a broken encoding) is copied unchanged and
listed on stderr (--non-text copy), or left out (skip), or an error (error). NUL bytes, a BOM,
CRLF line endings and a missing final newline are kept byte for byte. Directory symlinks are not
followed. An unreadable file is an error naming it; the others are still processed.";

/// Remove injected ad and spam paragraphs from scraped text, and nothing else.
#[derive(Debug, Parser)]
#[command(name = "clean", version, about, after_help = AFTER_HELP)]
// `--version` also names the built-in model; main.rs sets the long text at run time.
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train the paragraph classifier from labelled CSV files and write a model file.
    Train(TrainArgs),
    /// Remove the paragraphs the model flags from every document under IN, writing to OUT.
    #[command(after_help = AFTER_HELP)]
    Filter(FilterArgs),
    /// Write nothing; list what `filter` would remove; exit 1 if anything would be.
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Show every paragraph of FILE with its score, verdict and the tokens behind them.
    Explain(ExplainArgs),
    /// Measure a model (or cross-validate training) on labelled CSV: precision, recall, F1.
    Eval(EvalArgs),
    /// Add corrected paragraphs to the training data and rebuild the model in one step.
    Learn(LearnArgs),
    /// What a model is: format, training data, features, threshold, figures.
    Info(InfoArgs),
    /// Adapt a model to a corpus (self-training on the paragraphs it judges editorial) and write
    /// it, for `filter --model`.
    Adapt(AdaptArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout: `clean man > clean.1`, `clean man filter >
    /// clean-filter.1`.
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The page of one subcommand (`clean-filter(1)`) instead of the main page.
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `clean completions bash > /etc/bash_completion.d/clean`.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// How `adapt` and `filter --adapt` adapt a model to the corpus.
#[derive(Debug, clap::Args)]
pub struct AdaptFlags {
    /// Rounds of judge-and-refit.
    #[arg(long, default_value_t = clean::adapt::AdaptParams::default().rounds, value_name = "N")]
    pub adapt_rounds: u32,
    /// How much one corpus token counts against one training token (lambda).
    #[arg(long, default_value_t = clean::adapt::AdaptParams::default().weight, value_name = "W")]
    pub adapt_weight: f64,
    /// Paragraphs with final log-odds below this are taken as editorial.
    #[arg(long, default_value_t = clean::adapt::AdaptParams::default().cut, value_name = "LOG_ODDS", allow_negative_numbers = true)]
    pub adapt_cut: f64,
}

#[derive(Debug, clap::Args)]
pub struct AdaptArgs {
    /// The corpus (directory or file, every format `filter` reads; not stdin, which cannot be
    /// read more than once). Use --shard or --include to adapt on a sample.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Where to write the adapted model.
    #[arg(long, short, value_name = "MODEL")]
    pub out: PathBuf,
    #[command(flatten)]
    pub adapt: AdaptFlags,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Directory of .csv files (columns `label,text`, optional `genre`; labels `editorial`, `ad`).
    #[arg(long, default_value = "training")]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, short, default_value = "models/clean.model")]
    pub out: PathBuf,
    /// Leave out word bigrams (measure what they add).
    #[arg(long)]
    pub no_bigrams: bool,
    /// Leave out shape tokens (URL, domain, price, ...; measure what they add).
    #[arg(long)]
    pub no_shapes: bool,
    /// With --folds 0 only (no stacker is learnt): weight of the fixed document-context term.
    #[arg(long, default_value_t = clean::train::CONTEXT_WEIGHT)]
    pub context_weight: f64,
    /// Leave out tokens seen fewer times than this in all the training text.
    #[arg(long, default_value_t = clean::train::MIN_COUNT)]
    pub min_count: u64,
    /// Additive smoothing (must be > 0).
    #[arg(long, default_value_t = clean::train::ALPHA)]
    pub alpha: f64,
    /// Learn the stacker and the threshold by K-fold cross-validation over the training data (0:
    /// none; --threshold, --unsure and --context-weight are then stored as given).
    #[arg(long, default_value_t = clean::train::FOLDS, value_name = "K")]
    pub folds: usize,
    /// With --folds: the largest share of the editorial paragraphs of the synthetic documents
    /// (built from held-out training paragraphs) that the threshold may remove.
    #[arg(long, default_value_t = clean::train::TARGET_EDITORIAL_REMOVED, value_name = "SHARE")]
    pub target_editorial_removed: f64,
    /// Removal threshold on the log-odds stored in the model (with --folds 0 only).
    #[arg(long, default_value_t = clean::train::UNCALIBRATED_THRESHOLD, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Lower edge of the unsure band on the log-odds stored in the model (with --folds 0 only).
    #[arg(long, default_value_t = clean::train::UNCALIBRATED_UNSURE, allow_negative_numbers = true)]
    pub unsure: f64,
}

/// Options shared by `filter` and `check`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Remove paragraphs whose log-odds of being an insert (natural log, as `explain` and
    /// reports show it) is at or above this (default: the model's calibrated threshold).
    #[arg(long, value_name = "LOG_ODDS", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Write one JSON line per removed, unsure or unknown paragraph to FILE (`-` for stdout,
    /// except when stdout carries the documents or check's listing).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// With --report: a line for every paragraph, kept ones too (for score distributions).
    #[arg(long, requires = "report")]
    pub report_all: bool,
    /// Write the run's totals as one JSON object to FILE (`-` for stdout, except when stdout
    /// carries the documents or check's listing).
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Only files whose path (relative to IN) matches this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files whose path (relative to IN) matches this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Take only shard K of N (K from 1) of the files, chosen by a hash of each relative path, so N
    /// independent jobs split one corpus with no coordination.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// JSON field holding the text in JSON Lines input. A file none of whose records has it is an
    /// error.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// JSON field naming a record, shown by `check` and in reports, written to `--attributes`.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// How to read every input: by each file's name (auto: `.jsonl`, `.ndjson`, `.json` are JSON
    /// Lines, anything else text; stdin is text), or all as text or as JSON Lines (for
    /// extension-less shards such as Spark's `part-00000`). Compression is always by name.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// Bad JSON Lines lines: not a record (not UTF-8, not a JSON object), or a record whose text
    /// field is missing, null, not a string or not Unicode. `error`: an error for its file;
    /// `keep` (or `pass`): passed through unchanged and listed on stderr. Without the flag, a
    /// line that is not a JSON object is an error, a line that is not UTF-8 follows --non-text,
    /// and a record without a usable text field is passed through and listed.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub on_bad_record: Option<OnBadRecord>,
    /// Paragraphs outside what the model knows (other languages or scripts, code, tables of
    /// figures, lists of links): keep them and mark them `unknown`, or score them like any other.
    #[arg(long, value_enum, default_value_t = OnUnknown::Keep)]
    pub on_unknown: OnUnknown,
    /// What to do with a file that is not valid UTF-8 text.
    #[arg(long, value_enum, default_value_t = NonText::Copy)]
    pub non_text: NonText,
    /// gzip level for `.gz` outputs (1 fastest .. 9 smallest). The default favours speed over size.
    #[arg(long, default_value_t = clean::formats::GZIP_LEVEL, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub gzip_level: u32,
    /// zstd level for `.zst` outputs.
    #[arg(long, default_value_t = clean::formats::ZSTD_LEVEL, value_parser = clap::value_parser!(u32).range(1..=19))]
    pub zstd_level: u32,
    /// Worker threads (0 = one per core; at most 1024). Output is the same whatever the count.
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Largest document (a text file's decompressed bytes, or one JSON Lines record) that is
    /// loaded and filtered; a larger one is copied through unchanged, streamed, and reported.
    /// Peak memory stays under about threads x 3 x this.
    #[arg(long, default_value_t = clean::formats::MAX_DOC_BYTES, value_name = "BYTES")]
    pub max_doc_bytes: usize,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What to do with a file that is not valid UTF-8 text (a binary, or broken encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NonText {
    /// Copy it to the output unchanged, and list it on stderr.
    Copy,
    /// Leave it out of the output, and list it on stderr.
    Skip,
    /// Treat it as an error (exit code 2).
    Error,
}

impl From<NonText> for clean::formats::NonText {
    fn from(v: NonText) -> Self {
        match v {
            NonText::Copy => clean::formats::NonText::Copy,
            NonText::Skip => clean::formats::NonText::Skip,
            NonText::Error => clean::formats::NonText::Error,
        }
    }
}

/// What to do with a bad JSON Lines line (see [`clean::formats::OnBadRecord`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnBadRecord {
    /// An error naming the file and line; no output for that file (on stdin: the records before
    /// the bad line are written, nothing from it on).
    Error,
    /// Pass the line through unchanged and list it on stderr (count and first lines).
    #[value(alias = "pass")]
    Keep,
}

impl From<OnBadRecord> for clean::formats::OnBadRecord {
    fn from(v: OnBadRecord) -> Self {
        match v {
            OnBadRecord::Error => clean::formats::OnBadRecord::Error,
            OnBadRecord::Keep => clean::formats::OnBadRecord::Keep,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnUnknown {
    /// Keep them, marked `unknown` in the summary and the report.
    Keep,
    /// Score them like any other paragraph (for a model trained on that language).
    Score,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// By each file's name; standard input is text.
    Auto,
    /// Plain text.
    Text,
    /// JSON Lines.
    Jsonl,
}

impl InputFormat {
    /// The kind every input is read as, or `None` for "by name".
    pub fn kind(self) -> Option<clean::formats::Kind> {
        match self {
            InputFormat::Auto => None,
            InputFormat::Text => Some(clean::formats::Kind::Text),
            InputFormat::Jsonl => Some(clean::formats::Kind::Jsonl),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Input directory (walked recursively, in sorted order), a single file, or `-` for stdin.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Output directory (relative paths mirrored), a file, or `-` for stdout. Files already there
    /// are replaced only if an earlier `clean filter` wrote them (listed in OUT/.clean-manifest/);
    /// other files there are left alone.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// Replace files in OUT even if no earlier `clean filter` wrote them.
    #[arg(long)]
    pub overwrite: bool,
    /// Also write dolma attribute files to DIR: for each JSON Lines input, at the same relative
    /// path and compression, one line per record `{"id":..,"attributes":{"NAME__clean__ad":
    /// [[start,end,score],..]}}`, spans in characters, for dolma's mixer `span_replacement`.
    #[arg(long, value_name = "DIR")]
    pub attributes: Option<PathBuf>,
    /// With --attributes: the experiment name in the attribute key `NAME__clean__ad`.
    #[arg(
        long,
        default_value = "clean",
        value_name = "NAME",
        requires = "attributes"
    )]
    pub attributes_name: String,
    /// First adapt the model to IN (as `clean adapt` does, on the same selection of files), then
    /// filter with the adapted model.
    #[arg(long)]
    pub adapt: bool,
    #[command(flatten)]
    pub adapt_flags: AdaptFlags,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Input directory, a single file, or `-` for stdin.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Exit 1 only when more than this many paragraphs would be removed.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub max_removed: usize,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The document to explain (any format `filter` reads), or `-` for standard input. For JSON
    /// Lines, every record in turn, or the one picked by --record or --id.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// JSON Lines: only the record with this number (from 0, as in `--report` lines).
    #[arg(long, value_name = "N", conflicts_with = "id")]
    pub record: Option<u64>,
    /// JSON Lines: only the record(s) whose --id-field has this value.
    #[arg(long, value_name = "VALUE")]
    pub id: Option<String>,
    /// JSON field holding the text in JSON Lines input.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// JSON field naming a record.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// How to read FILE (see `filter --format`).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// As for `filter`: keep paragraphs outside what the model knows, or score them.
    #[arg(long, value_enum, default_value_t = OnUnknown::Keep)]
    pub on_unknown: OnUnknown,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Removal threshold on the log-odds (default: the model's).
    #[arg(long, value_name = "LOG_ODDS", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// How many tokens to show each way.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// One JSON object per paragraph instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labelled CSV: a file or a directory of .csv files (columns `label,text`, optional `genre`).
    #[arg(value_name = "DATA", default_value = "training")]
    pub data: PathBuf,
    /// Cross-validate: train K models, each without one fold of DATA, and score that fold.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// With --folds: leave out word bigrams (measure what they add).
    #[arg(long)]
    pub no_bigrams: bool,
    /// With --folds: leave out shape tokens (measure what they add).
    #[arg(long)]
    pub no_shapes: bool,
    /// With --folds: additive smoothing (must be > 0).
    #[arg(long, default_value_t = clean::train::ALPHA)]
    pub alpha: f64,
    /// With --folds: leave out tokens seen fewer times than this in the training folds.
    #[arg(long, default_value_t = clean::train::MIN_COUNT)]
    pub min_count: u64,
    /// Model file to measure instead of the built-in model (ignored with --folds).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Threshold on the log-odds to report at (default: the model's; 0 with --folds, where
    /// paragraphs are scored by naive Bayes alone).
    #[arg(long, value_name = "LOG_ODDS", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Choose the lowest threshold at which at most this share of editorial paragraphs is
    /// removed (e.g. 0.001), and report at it.
    #[arg(long, value_name = "SHARE")]
    pub target_editorial_removed: Option<f64>,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// A paragraph that is ad copy (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub ad: Vec<String>,
    /// A paragraph that is editorial text (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub editorial: Vec<String>,
    /// A CSV file of corrections (`label,text`).
    #[arg(long, value_name = "CSV")]
    pub file: Vec<PathBuf>,
    /// A `--report` file in which wrong lines were given a `"label"` (`editorial` or `ad`).
    #[arg(long, value_name = "FILE")]
    pub from_report: Vec<PathBuf>,
    /// Training directory; corrections go to `learned.csv` in it.
    #[arg(long, default_value = "training")]
    pub data: PathBuf,
    /// Where to write the rebuilt model.
    #[arg(long, short, default_value = "models/clean.model")]
    pub out: PathBuf,
    /// Calibrate the threshold as `clean train` does (0: keep the default threshold).
    #[arg(long, default_value_t = clean::train::FOLDS, value_name = "K")]
    pub folds: usize,
    /// With --folds: as for `clean train`.
    #[arg(long, default_value_t = clean::train::TARGET_EDITORIAL_REMOVED, value_name = "SHARE")]
    pub target_editorial_removed: f64,
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Model file (default: the built-in model).
    #[arg(value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
}
