//! `clean explain FILE`: every paragraph with its score, verdict and the tokens behind it.

use crate::cli::ExplainArgs;
use crate::exit::ExitCode;
use anyhow::Context;
use clean::explain::top_tokens;
use clean::filter::{judge, Verdict};
use clean::Settings;
use std::io::{IsTerminal, Read, Write};

#[derive(serde::Serialize)]
struct Line<'a> {
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
    unknown: Option<&'static str>,
    toward_ad: Vec<clean::explain::TokenWeight>,
    toward_editorial: Vec<clean::explain::TokenWeight>,
    text: &'a str,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_deref())?;
    let mut settings = Settings::from_model(&model);
    if let Some(t) = args.threshold {
        settings.threshold = super::log_odds("--threshold", t)?;
        settings.unsure = settings.unsure.min(settings.threshold);
    }
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    } else {
        let bytes = std::fs::read(&args.file).map_err(|e| clean::Error::io(&args.file, e))?;
        String::from_utf8(bytes).map_err(|e| clean::Error::Input {
            path: args.file.clone(),
            reason: format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })?
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for j in judge(&model, &text, &settings) {
        let para = &text[j.range.clone()];
        let (ad, ed) = top_tokens(&model, para, args.top);
        if args.json {
            let line = Line {
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
    out.flush()?;
    Ok(ExitCode::Success)
}
