//! `clean filter IN OUT` and `clean check IN`: the corpus run, progress, summary, reports.

use crate::cli::{AdaptArgs, AdaptFlags, CheckArgs, FilterArgs, OnUnknown, ScanArgs};
use crate::exit::ExitCode;
use clean::corpus::write_atomic;
use clean::formats::{DocOptions, Kind};
use clean::run::{
    filter_path, filter_stdio, report_lines, FileResult, Progress, RunOptions, Selection, Summary,
};
use clean::{Error, Settings};
use std::io::{IsTerminal, Write};
use std::path::Path;

fn globs(patterns: &[String]) -> anyhow::Result<Option<globset::GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| Error::Invalid(format!("bad glob {p:?}: {e}")))?);
    }
    Ok(Some(b.build()?))
}

fn shard(spec: &Option<String>) -> anyhow::Result<Option<(u64, u64)>> {
    let Some(s) = spec else { return Ok(None) };
    let bad = || Error::Invalid(format!("--shard takes K/N with 1 <= K <= N, got {s:?}"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad().into());
    }
    Ok(Some((k, n)))
}

fn options(scan: &ScanArgs, model: &clean::Model, write: bool) -> anyhow::Result<RunOptions> {
    // `check` (no writing) lists what it would remove, so it always needs the report lines.
    let collect_report = scan.report.is_some() || !write;
    let mut settings = Settings::from_model(model);
    if let Some(t) = scan.threshold {
        settings.threshold = super::log_odds("--threshold", t)?;
        settings.unsure = settings.unsure.min(settings.threshold);
    }
    settings.keep_unknown = scan.on_unknown == OnUnknown::Keep;
    if scan.threads > clean::run::MAX_THREADS {
        return Err(Error::Invalid(format!(
            "--threads must be at most {} (0: one per core), got {}",
            clean::run::MAX_THREADS,
            scan.threads
        ))
        .into());
    }
    if scan.max_doc_bytes == 0 {
        return Err(Error::Invalid("--max-doc-bytes must be at least 1".into()).into());
    }
    Ok(RunOptions {
        doc: DocOptions {
            settings,
            kind: scan.format.kind(),
            on_bad_record: scan.on_bad_record.map(Into::into),
            id_field: scan.id_field.clone(),
            attributes: None,
            text_field: scan.text_field.clone(),
            non_text: scan.non_text.into(),
            collect_report,
            report_all: scan.report_all,
            observer: None,
            gzip_level: scan.gzip_level,
            zstd_level: scan.zstd_level,
            max_doc_bytes: scan.max_doc_bytes,
        },
        write,
        threads: scan.threads,
        selection: Selection {
            include: globs(&scan.include)?,
            include_patterns: scan.include.clone(),
            exclude: globs(&scan.exclude)?,
            shard: shard(&scan.shard)?,
        },
        overwrite: false,
        attributes_dir: None,
    })
}

fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed} (eta {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}

/// Adapts `model` to the files of `input` that `scan` selects (see [`clean::adapt`]). Files that
/// cannot be read are named on stderr and left out; returns the model and whether any failed.
fn adapted(
    model: &clean::Model,
    input: &Path,
    scan: &ScanArgs,
    flags: &AdaptFlags,
) -> anyhow::Result<(clean::Model, bool)> {
    if input.as_os_str() == "-" {
        return Err(Error::Invalid(
            "cannot adapt on standard input (it can be read only once): adapt on a file or a sample with `clean adapt`, then filter with --model".into(),
        )
        .into());
    }
    let params = clean::adapt::AdaptParams {
        weight: super::finite("--adapt-weight", flags.adapt_weight)?,
        cut: super::finite("--adapt-cut", flags.adapt_cut)?,
        rounds: flags.adapt_rounds,
    };
    let mut failed = false;
    let mut round = 0;
    // The adapted model keeps the base model's cuts, so one set of options serves every round.
    let base_opts = options(scan, model, false)?;
    let model = clean::adapt::adapt(model, params, |m| {
        let counts = std::sync::Arc::new(clean::adapt::CorpusCounts::default());
        let mut opts = base_opts.clone();
        opts.doc.collect_report = false;
        opts.doc.observer = Some(clean::adapt::CorpusCounts::observer(&counts, params.cut));
        let results = filter_path(m, input, None, &opts, &|_| {})?;
        round += 1;
        for r in &results {
            if let Some(e) = &r.error {
                failed = true;
                if round == 1 {
                    eprintln!("clean: error: {e} (left out of the adaptation)");
                }
            }
        }
        drop(opts);
        Ok(std::sync::Arc::try_unwrap(counts).expect("the run is over"))
    })?;
    if !scan.quiet {
        if let Some(a) = &model.meta.adaptation {
            eprintln!(
                "clean: adapted in {} round(s) on {} paragraph(s); taken as editorial per round: {:?}",
                a.rounds, a.paragraphs, a.added
            );
        }
    }
    Ok((model, failed))
}

/// `clean adapt IN --out MODEL`.
pub fn adapt(args: AdaptArgs) -> anyhow::Result<ExitCode> {
    let base = super::load_model(args.scan.model.as_deref())?;
    let (model, failed) = adapted(&base, &args.input, &args.scan, &args.adapt)?;
    model.save(&args.out)?;
    Ok(if failed {
        ExitCode::Trouble
    } else {
        ExitCode::Success
    })
}

/// Writes a report or summary to `path`, or to standard output when it is `-`.
fn side_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
    } else {
        write_atomic(path, bytes).map_err(|e| e.with_role(clean::error::Role::Report))?;
    }
    Ok(())
}

/// What `filter` adds to the options it shares with `check`.
#[derive(Default)]
struct Writing<'a> {
    overwrite: bool,
    /// `--attributes DIR` and the experiment name.
    attributes: Option<(&'a Path, &'a str)>,
}

/// Runs `filter` (when `out` is given) or `check` over `input`; prints errors and the summary.
fn scan(
    input: &Path,
    out: Option<&Path>,
    scan: &ScanArgs,
    adapt: Option<&AdaptFlags>,
    writing: Writing,
) -> anyhow::Result<(Vec<FileResult>, Summary)> {
    let mut model = super::load_model(scan.model.as_deref())?;
    if let Some(flags) = adapt {
        model = adapted(&model, input, scan, flags)?.0;
    }
    let mut opts = options(scan, &model, out.is_some())?;
    opts.overwrite = writing.overwrite;
    if let Some((dir, name)) = writing.attributes {
        if input.as_os_str() == "-" {
            return Err(Error::Invalid(
                "--attributes needs files (attribute files mirror the documents' paths), not stdin"
                    .into(),
            )
            .into());
        }
        opts.attributes_dir = Some(dir.to_path_buf());
        opts.doc.attributes = Some(format!("{name}__clean__ad"));
    }
    let stdin = input.as_os_str() == "-";
    if out.is_some_and(|o| o.as_os_str() == "-") != stdin && out.is_some() {
        return Err(Error::Invalid(
            "`-` must be given for both IN and OUT (stdin to stdout)".into(),
        )
        .into());
    }
    // Standard output carries the documents (OUT `-`) or check's listing: no side output there.
    let stdout_taken = out.is_none_or(|o| o.as_os_str() == "-");
    for (flag, path) in [
        ("--report", &scan.report),
        ("--summary-json", &scan.summary_json),
    ] {
        if stdout_taken && path.as_ref().is_some_and(|p| p.as_os_str() == "-") {
            return Err(Error::Invalid(format!(
                "{flag} -: standard output already carries {}; give a file name",
                if out.is_some() {
                    "the filtered documents"
                } else {
                    "the list of paragraphs that would be removed"
                }
            ))
            .into());
        }
    }
    let results = if stdin {
        let kind = scan.format.kind().unwrap_or(Kind::Text);
        vec![filter_stdio(&model, kind, out.is_some(), &opts.doc)?]
    } else {
        let pb = progress_bar(scan.quiet);
        let progress = |p: Progress| {
            if let Some(pb) = &pb {
                match p {
                    Progress::Files(n) => pb.set_length(n),
                    Progress::Done => pb.inc(1),
                }
            }
        };
        let r = filter_path(&model, input, out, &opts, &progress)?;
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        r
    };
    for r in &results {
        if let Some(e) = &r.error {
            if e.is_broken_pipe() {
                // `clean filter - - | head`: the reader has what it wanted.
                return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe).into());
            }
            eprintln!("clean: error: {e}");
        }
        if let Some(why) = &r.stats.non_text {
            eprintln!("clean: {}: {why}", r.input.display());
        }
        for note in &r.stats.notes {
            eprintln!("clean: warning: {}: {note}", r.input.display());
        }
        if let Some(why) = &r.stats.unfiltered_note {
            let more = r.stats.unfiltered.saturating_sub(1);
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            eprintln!("clean: {}: {why}{more}", r.input.display());
        }
        if let Some(p) = &r.stale_removed {
            eprintln!(
                "clean: removed {}, an earlier run's output: this run wrote none for it",
                p.display()
            );
        }
    }
    if let Some(path) = &scan.report {
        let mut buf = String::new();
        for line in report_lines(&results) {
            buf.push_str(&line.to_json());
            buf.push('\n');
        }
        side_output(path, buf.as_bytes())?;
    }
    let s = Summary::of(&results);
    if let Some(path) = &scan.summary_json {
        let json = serde_json::to_string(&s)? + "\n";
        side_output(path, json.as_bytes())?;
    }
    if !scan.quiet {
        let mut extra = String::new();
        if s.records > s.files as u64 {
            extra += &format!(", {} record(s)", s.records);
        }
        if s.non_text > 0 {
            extra += &format!(", {} not text", s.non_text);
        }
        if s.unfiltered > 0 {
            extra += &format!(", {} passed through unfiltered", s.unfiltered);
        }
        if s.bad_records > 0 {
            extra += &format!(", {} bad record(s) kept", s.bad_records);
        }
        if s.errors > 0 {
            extra += &format!(", {} error(s)", s.errors);
        }
        eprintln!(
            "clean: {} file(s), {} paragraph(s), {} removed, {} unsure, {} unknown{extra}",
            s.files, s.paragraphs, s.removed, s.unsure, s.unknown
        );
    }
    Ok((results, s))
}

pub fn run(args: FilterArgs) -> anyhow::Result<ExitCode> {
    let flags = args.adapt.then_some(&args.adapt_flags);
    let writing = Writing {
        overwrite: args.overwrite,
        attributes: args
            .attributes
            .as_deref()
            .map(|d| (d, args.attributes_name.as_str())),
    };
    let (_, s) = scan(&args.input, Some(&args.output), &args.scan, flags, writing)?;
    Ok(if s.errors > 0 {
        ExitCode::Trouble
    } else {
        ExitCode::Success
    })
}

pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (results, s) = scan(&args.input, None, &args.scan, None, Writing::default())?;
    let found = if s.removed > args.max_removed {
        ExitCode::Found
    } else {
        ExitCode::Success
    };
    let code = if s.errors > 0 {
        ExitCode::Trouble
    } else {
        found
    };
    match list_removed(&results) {
        // A closed stdout (`clean check DIR | head -1`) does not change what was found.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(clean::Error::io("<stdout>", e).into()),
        Ok(()) => Ok(code),
    }
}

/// `path:record N (id X):paragraph P: log-odds S: text` for each paragraph that would be
/// removed; the path as the user gave it.
fn list_removed(results: &[FileResult]) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for r in results {
        let path = r.input.display();
        for line in r
            .stats
            .report
            .iter()
            .filter(|l| l.verdict == clean::Verdict::Removed)
        {
            let preview: String = line.text.chars().take(80).collect();
            let rec = match (line.record, &line.id) {
                (Some(n), Some(id)) => format!("record {n} (id {id}):"),
                (Some(n), None) => format!("record {n}:"),
                _ => String::new(),
            };
            writeln!(
                out,
                "{path}:{rec}paragraph {}: log-odds {:+.2}: {preview}",
                line.paragraph, line.score
            )?;
        }
    }
    out.flush()
}
