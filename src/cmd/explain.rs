//! `clean explain FILE`: every paragraph with its score, verdict and the tokens behind it.

use crate::cli::{ExplainArgs, OnUnknown};
use crate::exit::ExitCode;
use clean::explain::top_tokens;
use clean::filter::{judge, Verdict};
use clean::formats::{decoder, Format, Kind, Members};
use clean::{Error, Model, Settings};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;

#[derive(serde::Serialize)]
struct Line<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    paragraph: usize,
    start: usize,
    end: usize,
    score: f64,
    p_ad: f64,
    verdict: Verdict,
    nb_log_odds: f64,
    tokens: u32,
    known_tokens: u32,
    words: u32,
    known_words: u32,
    context_words: u32,
    context_shared: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<clean::UnknownReason>,
    toward_ad: Vec<clean::explain::TokenWeight>,
    toward_editorial: Vec<clean::explain::TokenWeight>,
    text: &'a str,
}

/// How one document is shown.
struct Show<'a> {
    model: &'a Model,
    settings: Settings,
    top: usize,
    json: bool,
    color: bool,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_deref())?;
    let mut settings = Settings::from_model(&model);
    if let Some(t) = args.threshold {
        settings.threshold = super::log_odds("--threshold", t)?;
        settings.unsure = settings.unsure.min(settings.threshold);
    }
    settings.keep_unknown = args.on_unknown == OnUnknown::Keep;
    let stdin = args.file.as_os_str() == "-";
    let shown_path: &Path = if stdin {
        Path::new("<stdin>")
    } else {
        &args.file
    };
    let mut format = if stdin {
        Format {
            kind: Kind::Text,
            compression: clean::formats::Compression::None,
        }
    } else {
        Format::from_path(&args.file)
    };
    if let Some(k) = args.format.kind() {
        format.kind = k;
    }
    let raw: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&args.file).map_err(|e| Error::input_io(&args.file, e))?)
    };
    let mut reader =
        decoder(raw, format.compression).map_err(|e| Error::input_io(shown_path, e))?;
    let show = Show {
        model: &model,
        settings,
        top: args.top,
        json: args.json,
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let input_err = |reason: String| Error::input(shown_path, reason);
    if format.kind == Kind::Text {
        if args.record.is_some() || args.id.is_some() {
            return Err(Error::Invalid(format!(
                "--record and --id pick a JSON Lines record, but {} is read as plain text (see --format)",
                shown_path.display()
            ))
            .into());
        }
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| Error::input_io(shown_path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            input_err(format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        explain_text(&show, &text, None, None, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::Success);
    }
    let reader = std::io::BufReader::new(reader);
    let (mut record, mut shown, mut lacking) = (0u64, 0u64, 0u64);
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::input_io(shown_path, e))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let n = record;
        record += 1;
        if args.record.is_some_and(|r| r != n) {
            continue;
        }
        let bad = |why: String| input_err(format!("line {}: {why}", i + 1));
        let body = std::str::from_utf8(&line).map_err(|_| bad("not valid UTF-8".into()))?;
        let body = body.trim_end_matches('\r');
        let members = Members::parse(body).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let id = members.shown(&args.id_field);
        if args.id.is_some() && args.id != id {
            continue;
        }
        let Some(text) = members.text(&args.text_field).map_err(bad)? else {
            lacking += 1;
            continue;
        };
        shown += 1;
        explain_text(&show, &text, Some(n), id.as_deref(), &mut out)?;
        if args.record.is_some() {
            break;
        }
    }
    out.flush()?;
    if shown == 0 {
        let which = match (&args.record, &args.id) {
            (Some(r), _) => format!(
                "no record {r} with a field `{}` ({record} record(s) read)",
                args.text_field
            ),
            (_, Some(id)) => format!(
                "no record with {} {id:?} and a field `{}`",
                args.id_field, args.text_field
            ),
            _ if lacking > 0 => format!(
                "none of the {lacking} record(s) has the field `{}`: check --text-field",
                args.text_field
            ),
            _ => "no records".to_string(),
        };
        return Err(input_err(which).into());
    }
    Ok(ExitCode::Success)
}

fn explain_text(
    show: &Show,
    text: &str,
    record: Option<u64>,
    id: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (model, color) = (show.model, show.color);
    if record.is_some() && !show.json {
        let id = id.map(|i| format!(" (id {i})")).unwrap_or_default();
        writeln!(out, "== record {}{id}", record.unwrap_or(0))?;
    }
    for j in judge(model, text, &show.settings) {
        let para = &text[j.range.clone()];
        let (ad, ed) = top_tokens(model, para, show.top);
        if show.json {
            let line = Line {
                record,
                id,
                paragraph: j.index,
                start: j.range.start,
                end: j.range.end,
                score: j.log_odds,
                p_ad: j.p_ad,
                verdict: j.verdict,
                nb_log_odds: j.score.log_odds(),
                tokens: j.score.tokens,
                known_tokens: j.score.known_tokens,
                words: j.score.words,
                known_words: j.score.known_words,
                context_words: j.context.0,
                context_shared: j.context.1,
                unknown: j.unknown,
                toward_ad: ad,
                toward_editorial: ed,
                text: para,
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
            continue;
        }
        let (tag, paint) = match j.verdict {
            Verdict::Removed => ("removed", "\x1b[31m"),
            Verdict::Unsure => ("unsure ", "\x1b[33m"),
            Verdict::Kept => ("kept   ", "\x1b[32m"),
            Verdict::Unknown => ("unknown", "\x1b[36m"),
        };
        let (on, off) = if color { (paint, "\x1b[0m") } else { ("", "") };
        let short: String = para.chars().take(100).collect();
        let ell = if para.chars().count() > 100 {
            "..."
        } else {
            ""
        };
        let why = j.unknown.map(|w| format!(" ({w})")).unwrap_or_default();
        writeln!(
            out,
            "{on}#{} {tag} log-odds {:+.2} (P(ad) {:.4}; naive Bayes alone {:+.1}){why}{off}  {short}{ell}",
            j.index,
            j.log_odds,
            j.p_ad,
            j.score.log_odds()
        )?;
        let fmt = |v: &[clean::explain::TokenWeight]| {
            v.iter()
                .map(|t| format!("{} {:+.2}", t.token, t.weight))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "    toward ad:        {}", fmt(&ad))?;
        writeln!(out, "    toward editorial: {}", fmt(&ed))?;
    }
    Ok(())
}
