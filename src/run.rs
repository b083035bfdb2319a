//! A `clean filter` / `clean check` run over a corpus: every selected input file read, filtered
//! and written, in parallel, with results collected in input order so reports and summaries are the
//! same bytes whatever the thread count. An error in one file is recorded and the others go on.

use crate::corpus::{prepare_output, walk, AtomicFile, Inputs};
use crate::error::{Error, Result};
use crate::formats::{
    mirror, process, process_with, DocOptions, DocStats, Encoder, Format, Kind, Names,
};
use crate::model::Model;
use crate::report::ReportLine;
use rayon::prelude::*;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Most worker threads a run may be given (`--threads`): more only costs memory and start-up
/// time (each thread may hold a document of up to `--max-doc-bytes`).
pub const MAX_THREADS: usize = 1024;

/// Which files a run takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only paths (relative to the input root) matching one of these.
    pub include: Option<globset::GlobSet>,
    /// The `include` patterns as given, in the set's order (each must match some file).
    pub include_patterns: Vec<String>,
    /// Never paths matching one of these.
    pub exclude: Option<globset::GlobSet>,
    /// `(k, n)`: only the files of shard k of n (k from 1), by a hash of the relative path.
    pub shard: Option<(u64, u64)>,
}

fn fnv(s: &str) -> u64 {
    crate::features::fnv1a(s.as_bytes())
}

impl Selection {
    /// Whether a relative path is selected.
    pub fn takes(&self, rel: &Path) -> bool {
        let shown = rel.to_string_lossy().replace('\\', "/");
        if let Some(inc) = &self.include {
            if !rel.as_os_str().is_empty() && !inc.is_match(&shown) {
                return false;
            }
        }
        if let Some(exc) = &self.exclude {
            if exc.is_match(&shown) {
                return false;
            }
        }
        match self.shard {
            Some((k, n)) => fnv(&shown) % n == k - 1,
            None => true,
        }
    }
}

/// What a run does with each file.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Per-document settings.
    pub doc: DocOptions,
    /// Write outputs (false for `clean check`).
    pub write: bool,
    /// Threads (0 = all cores).
    pub threads: usize,
    /// Which files.
    pub selection: Selection,
    /// Replace files in the output directory that no earlier run wrote (`--overwrite`).
    pub overwrite: bool,
    /// With `doc.attributes`: the directory that receives one attribute file per JSON Lines
    /// input, at the same relative path and compression (dolma's `attributes/<name>/`).
    pub attributes_dir: Option<PathBuf>,
}

/// The outcome for one input file.
#[derive(Debug)]
pub struct FileResult {
    /// Path relative to the input root, as shown.
    pub shown: String,
    /// The input path as the user gave it (the root joined with the relative path; `-`).
    pub input: PathBuf,
    /// Counts and report lines.
    pub stats: DocStats,
    /// Why the file could not be processed.
    pub error: Option<Error>,
    /// An output left by an earlier run at this file's output path, removed because this run
    /// wrote none there (the file failed, or was skipped).
    pub stale_removed: Option<PathBuf>,
}

/// Totals of a run.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Files processed without error.
    pub files: usize,
    /// Files that failed.
    pub errors: usize,
    /// Files that were not text (copied unchanged or skipped).
    pub non_text: usize,
    /// JSON Lines records seen.
    pub records: u64,
    /// Paragraphs seen.
    pub paragraphs: usize,
    /// Paragraphs removed.
    pub removed: usize,
    /// Paragraphs kept but unsure.
    pub unsure: usize,
    /// Paragraphs kept as outside what the model knows.
    pub unknown: usize,
    /// Documents or records passed through unchanged without being filtered (larger than
    /// `--max-doc-bytes`, or JSON Lines records without a string text field).
    pub unfiltered: u64,
    /// JSON Lines lines that were not records, kept under `--on-bad-record keep`.
    pub bad_records: u64,
    /// JSON Lines records without the text field.
    pub lacking_field: u64,
}

impl Summary {
    /// Adds up file results.
    pub fn of(results: &[FileResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            if r.error.is_some() {
                s.errors += 1;
            } else {
                s.files += 1;
            }
            s.non_text += usize::from(r.stats.non_text.is_some());
            s.records += r.stats.records;
            s.paragraphs += r.stats.paragraphs;
            s.removed += r.stats.removed;
            s.unsure += r.stats.unsure;
            s.unknown += r.stats.unknown;
            s.unfiltered += r.stats.unfiltered;
            s.bad_records += r.stats.bad_records;
            s.lacking_field += r.stats.lacking_field;
        }
        s
    }
}

/// Every report line of a run, in input order.
pub fn report_lines(results: &[FileResult]) -> impl Iterator<Item = &ReportLine> {
    results.iter().flat_map(|r| &r.stats.report)
}

fn shown_path(rel: &Path, root: &Path) -> String {
    if rel.as_os_str().is_empty() {
        root.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.to_string_lossy().into_owned())
    } else {
        rel.to_string_lossy().replace('\\', "/")
    }
}

/// Filters one file from `src` to `dst` (or only judges it when `dst` is `None`). The output
/// gets the input's permission bits.
pub fn filter_file(
    model: &Model,
    src: &Path,
    dst: Option<&Path>,
    shown: &str,
    opts: &DocOptions,
) -> Result<DocStats> {
    filter_file_with(model, src, dst, None, shown, opts)
}

/// The format a file is read in: `--format` if given, else by its name; compression by name.
pub fn format_of(src: &Path, opts: &DocOptions) -> Format {
    let mut format = Format::from_path(src);
    if let Some(kind) = opts.kind {
        format.kind = kind;
    }
    format
}

/// As [`filter_file`], and writes the file's dolma attributes to `attrs` when it is JSON Lines
/// and `opts.attributes` is set.
pub fn filter_file_with(
    model: &Model,
    src: &Path,
    dst: Option<&Path>,
    attrs: Option<&Path>,
    shown: &str,
    opts: &DocOptions,
) -> Result<DocStats> {
    use std::os::unix::fs::PermissionsExt;
    let format = format_of(src, opts);
    let input = std::fs::File::open(src).map_err(|e| Error::input_io(src, e))?;
    let meta = input.metadata().map_err(|e| Error::input_io(src, e))?;
    if meta.is_dir() {
        return Err(Error::input(src.to_path_buf(), "is a directory"));
    }
    let names = Names {
        input: src,
        output: dst.unwrap_or(Path::new("-")),
        shown,
        // A pipe (`<(zcat x.gz)`) cannot be read twice.
        rewind: meta.is_file(),
    };
    let level = match format.compression {
        crate::formats::Compression::Zstd => opts.zstd_level,
        _ => opts.gzip_level,
    };
    let report = |e: Error| e.with_role(crate::error::Role::Report);
    let attrs = attrs.filter(|_| format.kind == Kind::Jsonl && opts.attributes.is_some());
    let mut attr_file = attrs.map(AtomicFile::create).transpose().map_err(report)?;
    let mut attr_enc = match (&mut attr_file, attrs) {
        (Some(f), Some(a)) => Some(
            Encoder::new(f.writer(), format.compression, level)
                .map_err(|e| report(Error::io(a, e)))?,
        ),
        _ => None,
    };
    let attr_w = attr_enc.as_mut().map(|e| e as &mut dyn Write);
    let Some(dst) = dst else {
        let stats = process_with(model, format, input, None, attr_w, &names, opts)?;
        if let (Some(enc), Some(a)) = (attr_enc, attrs) {
            enc.finish().map_err(|e| report(Error::io(a, e)))?;
        }
        if let Some(f) = attr_file {
            f.commit().map_err(report)?;
        }
        return Ok(stats);
    };
    let mode = meta.is_file().then(|| meta.permissions().mode());
    let mut out = AtomicFile::create_with_mode(dst, mode)?;
    let mut enc = Encoder::new(out.writer(), format.compression, level)
        .map_err(|e| Error::output_io(dst, e))?;
    let stats = process_with(model, format, input, Some(&mut enc), attr_w, &names, opts)?;
    if stats.copy_raw {
        // Not text, or too large: the file byte for byte (a `.gz` is not recompressed), streamed.
        drop(enc);
        drop(out);
        let mut out = AtomicFile::create_with_mode(dst, mode)?;
        let mut input = std::fs::File::open(src).map_err(|e| Error::input_io(src, e))?;
        std::io::copy(&mut input, out.writer()).map_err(|e| Error::output_io(dst, e))?;
        out.commit()?;
        return Ok(stats);
    }
    enc.finish().map_err(|e| Error::output_io(dst, e))?;
    if stats.skipped {
        drop(out);
    } else {
        out.commit()?;
    }
    if let (Some(enc), Some(a)) = (attr_enc, attrs) {
        enc.finish().map_err(|e| report(Error::io(a, e)))?;
    }
    if let Some(f) = attr_file {
        f.commit().map_err(report)?;
    }
    Ok(stats)
}

/// Removes what an earlier run left at `dst` (a file or a symlink, never a directory).
fn remove_stale(dst: &Path) -> Option<PathBuf> {
    let m = std::fs::symlink_metadata(dst).ok()?;
    if m.is_dir() {
        return None;
    }
    std::fs::remove_file(dst).ok()?;
    Some(dst.to_path_buf())
}

/// Filters every selected file of `inputs` into `out` (mirroring relative paths).
/// `progress` hears the number of files first, then once per file done. No output replaces an
/// input file or is written through a symlink inside `out`; a file that fails or is skipped
/// leaves no earlier run's output at its path.
pub fn filter_inputs(
    model: &Model,
    inputs: &Inputs,
    out: Option<&Path>,
    opts: &RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<FileResult> {
    let work = |rel: &PathBuf| {
        let _done = DoneOnDrop(progress);
        let src = mirror(&inputs.root, rel);
        let shown = shown_path(rel, &inputs.root);
        let failed = |e: Error, stale_removed: Option<PathBuf>| FileResult {
            shown: shown.clone(),
            input: src.clone(),
            stats: DocStats::default(),
            error: Some(e),
            stale_removed,
        };
        let dst = match out.filter(|_| opts.write) {
            Some(o) => match prepare_output(o, rel, &inputs.root, &inputs.ids) {
                Ok(d) => Some(d),
                Err(e) => return failed(e, None),
            },
            None => None,
        };
        let attrs = opts.attributes_dir.as_deref().map(|a| mirror(a, rel));
        match filter_file_with(
            model,
            &src,
            dst.as_deref(),
            attrs.as_deref(),
            &shown,
            &opts.doc,
        ) {
            Ok(stats) => {
                let stale_removed = if stats.skipped {
                    dst.as_deref().and_then(remove_stale)
                } else {
                    None
                };
                FileResult {
                    shown: shown.clone(),
                    input: src.clone(),
                    stats,
                    error: None,
                    stale_removed,
                }
            }
            Err(e) => failed(e, dst.as_deref().and_then(remove_stale)),
        }
    };
    let files: Vec<&PathBuf> = inputs
        .files
        .iter()
        .filter(|f| opts.selection.takes(f))
        .collect();
    progress(Progress::Files(files.len() as u64));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build();
    match pool {
        Ok(pool) => pool.install(|| files.par_iter().map(|f| work(f)).collect()),
        Err(_) => files.iter().map(|f| work(f)).collect(),
    }
}

/// What a run tells a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// This many files will be processed.
    Files(u64),
    /// One more file is done (whatever its outcome).
    Done,
}

/// Reports `Done` when dropped, so a file counts as done on every path out of its work.
struct DoneOnDrop<'a>(&'a (dyn Fn(Progress) + Sync));

impl Drop for DoneOnDrop<'_> {
    fn drop(&mut self) {
        (self.0)(Progress::Done)
    }
}

/// Walks `input` and filters it into `out`. Walk problems come back as failed file results.
/// `progress` as for [`filter_inputs`].
pub fn filter_path(
    model: &Model,
    input: &Path,
    out: Option<&Path>,
    opts: &RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<FileResult>> {
    if let Some(o) = out {
        crate::corpus::check_paths(input, o)?;
    }
    if let Some(a) = &opts.attributes_dir {
        crate::corpus::check_paths(input, a)?;
    }
    let (mut inputs, problems) = walk(input, out)?;
    if let Some(a) = opts
        .attributes_dir
        .as_deref()
        .and_then(|a| std::fs::canonicalize(a).ok())
    {
        // Attribute files written inside IN are never read back as documents.
        inputs.files.retain(|rel| {
            std::fs::canonicalize(mirror(&inputs.root, rel)).map_or(true, |p| !p.starts_with(&a))
        });
    }
    check_includes(&inputs, &opts.selection)?;
    let selected: Vec<PathBuf> = inputs
        .files
        .iter()
        .filter(|f| opts.selection.takes(f))
        .cloned()
        .collect();
    let key = match opts.selection.shard {
        Some((k, n)) => format!("shard-{k}-of-{n}"),
        None => "all".to_string(),
    };
    if let Some(o) = out.filter(|_| opts.write) {
        // An output that is one of the inputs under another name is refused file by file (see
        // `prepare_output`), with an error that says so; it is neither checked nor listed here.
        let outputs: Vec<PathBuf> = selected
            .iter()
            .filter(|rel| {
                let dst = if rel.as_os_str().is_empty() {
                    o.to_path_buf()
                } else {
                    o.join(rel)
                };
                std::fs::symlink_metadata(&dst)
                    .map_or(true, |m| !inputs.ids.contains(&(m.dev(), m.ino())))
            })
            .cloned()
            .collect();
        if !outputs.is_empty() || selected.is_empty() {
            guard(o, &outputs, &key, opts.overwrite)?;
        }
    }
    if let Some(a) = &opts.attributes_dir {
        let jsonl: Vec<PathBuf> = selected
            .iter()
            .filter(|rel| {
                crate::formats::Kind::Jsonl == format_of(&mirror(&inputs.root, rel), &opts.doc).kind
            })
            .cloned()
            .collect();
        guard(a, &jsonl, &key, opts.overwrite)?;
    }
    let mut results = filter_inputs(model, &inputs, out, opts, progress);
    results.extend(problems.into_iter().map(|e| FileResult {
        input: PathBuf::new(),
        shown: String::new(),
        stats: DocStats::default(),
        error: Some(e),
        stale_removed: None,
    }));
    Ok(results)
}

/// Refuses to replace files under `out` that no earlier run wrote (see
/// [`crate::corpus::guard_outputs`]). A single-file run (`rels` = the empty path) is guarded in
/// the output file's directory.
fn guard(out: &Path, rels: &[PathBuf], key: &str, overwrite: bool) -> Result<()> {
    if rels.len() == 1 && rels[0].as_os_str().is_empty() {
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let Some(name) = out.file_name() else {
            return Ok(());
        };
        return crate::corpus::guard_outputs(dir, &[PathBuf::from(name)], key, overwrite);
    }
    crate::corpus::guard_outputs(out, rels, key, overwrite)
}

/// Every `--include` pattern must match some file of a directory input: one that matches
/// nothing is a typo, not a selection.
fn check_includes(inputs: &Inputs, sel: &Selection) -> Result<()> {
    let Some(set) = &sel.include else {
        return Ok(());
    };
    if inputs.files.iter().any(|f| f.as_os_str().is_empty()) {
        return Ok(());
    }
    let mut hit = vec![false; set.len()];
    for f in &inputs.files {
        for i in set.matches(f.to_string_lossy().replace('\\', "/")) {
            hit[i] = true;
        }
    }
    if let Some(i) = hit.iter().position(|h| !h) {
        let pat = sel
            .include_patterns
            .get(i)
            .map(String::as_str)
            .unwrap_or("?");
        return Err(Error::Invalid(format!(
            "--include {pat:?} matches no file under {} ({} file(s) there; patterns match paths \
             relative to IN, e.g. \"**/*.jsonl.gz\")",
            inputs.root.display(),
            inputs.files.len()
        )));
    }
    Ok(())
}

/// Filters standard input to standard output (`clean filter - -`).
pub fn filter_stdio(
    model: &Model,
    kind: Kind,
    write: bool,
    opts: &DocOptions,
) -> Result<FileResult> {
    let format = Format {
        kind,
        compression: crate::formats::Compression::None,
    };
    let names = Names {
        input: Path::new("<stdin>"),
        output: Path::new("<stdout>"),
        shown: "-",
        rewind: false,
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout();
    let mut lock = std::io::BufWriter::new(stdout.lock());
    let result = if write {
        process(model, format, stdin, Some(&mut lock), &names, opts)
    } else {
        process(model, format, stdin, None, &names, opts)
    };
    let flushed = lock.flush().map_err(|e| Error::output_io("<stdout>", e));
    Ok(match result.and_then(|s| flushed.map(|_| s)) {
        Ok(stats) => FileResult {
            shown: "-".into(),
            input: "-".into(),
            stats,
            error: None,
            stale_removed: None,
        },
        Err(e) => FileResult {
            shown: "-".into(),
            input: "-".into(),
            stats: DocStats::default(),
            error: Some(e),
            stale_removed: None,
        },
    })
}
