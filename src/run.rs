//! A `clean filter` run over a corpus: every input file read, filtered and written, in parallel,
//! with results collected in input order so reports and summaries are the same bytes whatever
//! the thread count. An error in one file is recorded and the others go on.

use crate::corpus::{walk, write_atomic, Inputs};
use crate::error::{Error, Result};
use crate::filter::{filter_text, Settings, Verdict};
use crate::model::Model;
use crate::report::ReportLine;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What a run does with each file.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Cuts.
    pub settings: Settings,
    /// Write outputs (false for `clean check`).
    pub write: bool,
    /// Threads (0 = all cores).
    pub threads: usize,
}

/// The outcome for one input file.
#[derive(Debug)]
pub struct FileResult {
    /// Path relative to the input root.
    pub rel: PathBuf,
    /// Paragraphs seen.
    pub paragraphs: usize,
    /// Paragraphs removed.
    pub removed: usize,
    /// Paragraphs kept but unsure.
    pub unsure: usize,
    /// Report lines (removed and unsure paragraphs).
    pub report: Vec<ReportLine>,
    /// Why the file could not be processed.
    pub error: Option<Error>,
}

/// Totals of a run.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Files processed without error.
    pub files: usize,
    /// Files that failed.
    pub errors: usize,
    /// Paragraphs seen.
    pub paragraphs: usize,
    /// Paragraphs removed.
    pub removed: usize,
    /// Paragraphs kept but unsure.
    pub unsure: usize,
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
            s.paragraphs += r.paragraphs;
            s.removed += r.removed;
            s.unsure += r.unsure;
        }
        s
    }
}

fn display_rel(rel: &Path, root: &Path) -> String {
    if rel.as_os_str().is_empty() {
        root.to_string_lossy().into_owned()
    } else {
        rel.to_string_lossy().replace('\\', "/")
    }
}

/// Filters one file from `src` to `dst`.
fn filter_file(model: &Model, src: &Path, dst: Option<&Path>, shown: &str, opts: &RunOptions) -> FileResult {
    let mut res = FileResult {
        rel: PathBuf::from(shown),
        paragraphs: 0,
        removed: 0,
        unsure: 0,
        report: Vec::new(),
        error: None,
    };
    let outcome = (|| -> Result<()> {
        let bytes = std::fs::read(src).map_err(|e| Error::io(src, e))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| Error::Input {
            path: src.to_path_buf(),
            reason: format!("not valid UTF-8 (first bad byte at offset {})", e.valid_up_to()),
        })?;
        let filtered = filter_text(model, text, &opts.settings);
        res.paragraphs = filtered.paragraphs.len();
        res.removed = filtered.removed();
        res.unsure = filtered.count(Verdict::Unsure);
        res.report = filtered
            .paragraphs
            .iter()
            .filter(|j| j.verdict != Verdict::Kept)
            .map(|j| ReportLine::new(shown, None, text, j))
            .collect();
        if let Some(dst) = dst {
            write_atomic(dst, filtered.output.as_bytes())?;
        }
        Ok(())
    })();
    res.error = outcome.err();
    res
}

/// Filters every file of `inputs` into `out` (mirroring relative paths).
pub fn filter_inputs(model: &Model, inputs: &Inputs, out: Option<&Path>, opts: &RunOptions) -> Vec<FileResult> {
    let work = |rel: &PathBuf| {
        let src = if rel.as_os_str().is_empty() {
            inputs.root.clone()
        } else {
            inputs.root.join(rel)
        };
        let dst = out.map(|o| if rel.as_os_str().is_empty() { o.to_path_buf() } else { o.join(rel) });
        filter_file(model, &src, dst.as_deref(), &display_rel(rel, &inputs.root), opts)
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.threads).build();
    match pool {
        Ok(pool) => pool.install(|| inputs.files.par_iter().map(work).collect()),
        Err(_) => inputs.files.iter().map(work).collect(),
    }
}

/// Walks `input` and filters it into `out`. Walk problems come back as failed file results.
pub fn filter_path(model: &Model, input: &Path, out: Option<&Path>, opts: &RunOptions) -> Result<Vec<FileResult>> {
    if let Some(o) = out {
        crate::corpus::check_paths(input, o)?;
    }
    let (inputs, problems) = walk(input, out)?;
    let mut results = filter_inputs(model, &inputs, out, opts);
    results.extend(problems.into_iter().map(|e| FileResult {
        rel: PathBuf::new(),
        paragraphs: 0,
        removed: 0,
        unsure: 0,
        report: Vec::new(),
        error: Some(e),
    }));
    Ok(results)
}
