//! Invariants as properties (proptest). `fuzz_for_a_while` runs the same properties on fresh
//! inputs for as long as asked (see README, "Fuzzing").

mod util;
use clean::formats::{process, Compression, DocOptions, Format, Kind, Names, NonText};
use clean::internals::filter_text;
use clean::internals::paragraphs;
use clean::report::ReportLine;
use clean::Model;
use clean::{Settings, Verdict};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;
use util::wrap;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::builtin().unwrap())
}

/// Pieces documents are made of: editorial and ad sentences, odd whitespace and bytes.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("The minister said the budget would be published next month.".to_string()),
        Just("Critics said the plans came too late for the region's farmers.".to_string()),
        Just("vCard.red is a free platform for creating digital business cards. Generate a QR code today!".to_string()),
        Just("Save 20% on your first order at shopnow.io - limited time offer!".to_string()),
        Just("Pressure".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("  \t".to_string()),
        Just("\u{feff}".to_string()),
        Just("\0".to_string()),
        "[a-zA-Z ,.!'’é日本]{0,80}",
        any::<String>(),
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
}

fn settings(threshold: f64) -> Settings {
    Settings {
        threshold,
        unsure: threshold.min(0.5),
        keep_unknown: true,
    }
}

/// Segmentation: ranges in order, on char boundaries, without line endings, and every
/// non-whitespace character (but byte-order marks) inside one of them.
fn check_segments(text: &str) -> Result<(), TestCaseError> {
    let ranges = paragraphs(text);
    let mut last = 0;
    let mut covered = vec![false; text.len()];
    for r in &ranges {
        prop_assert!(r.start >= last && r.start < r.end && r.end <= text.len());
        prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        let p = &text[r.clone()];
        // A hard-wrapped paragraph spans lines; none starts or ends with a line ending.
        prop_assert!(!p.ends_with('\n') && !p.ends_with('\r') && !p.starts_with('\n'));
        prop_assert!(!p.trim().is_empty());
        covered[r.clone()].iter_mut().for_each(|c| *c = true);
        last = r.end;
    }
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() && c != '\u{feff}' {
            prop_assert!(covered[i], "char {c:?} at {i} is in no paragraph");
        }
    }
    Ok(())
}

/// Filtering: every kept paragraph is in the output byte for byte and in order, every other
/// output byte is whitespace or the BOM, each reported range holds the reported text, and
/// nothing is removed when nothing is flagged.
fn check_filter(text: &str, threshold: f64) -> Result<(), TestCaseError> {
    let f = filter_text(model(), text, &settings(threshold));
    let mut cursor = 0;
    let mut other = String::new();
    for j in &f.paragraphs {
        let p = &text[j.range.clone()];
        if j.verdict == Verdict::Removed {
            let line = ReportLine::new(model(), "x", None, text, j);
            prop_assert_eq!(&text[line.start..line.end], line.text.as_str());
            continue;
        }
        let at = f.text[cursor..].find(p);
        prop_assert!(at.is_some(), "kept paragraph {:?} missing from output", p);
        let at = cursor + at.unwrap_or(0);
        other.push_str(&f.text[cursor..at]);
        cursor = at + p.len();
    }
    other.push_str(&f.text[cursor..]);
    prop_assert!(
        other.chars().all(|c| c.is_whitespace() || c == '\u{feff}'),
        "output bytes outside kept paragraphs: {:?}",
        other
    );
    if f.removed().next().is_none() {
        prop_assert_eq!(&f.text, text);
    }
    // Idempotent for kept text: a second pass keeps every paragraph the first pass kept.
    let again = filter_text(model(), &f.text, &settings(threshold));
    for j in f
        .paragraphs
        .iter()
        .filter(|j| j.verdict != Verdict::Removed)
    {
        prop_assert!(
            again.text.contains(&text[j.range.clone()]),
            "second pass removed kept text"
        );
    }
    Ok(())
}

/// Removal takes whole lines only: every removed range starts at the start of a line (after any
/// BOM) and ends at the end of one, so no line is cut to take out part of a paragraph.
fn check_whole_lines(text: &str, threshold: f64) -> Result<(), TestCaseError> {
    let f = filter_text(model(), text, &settings(threshold));
    for j in f
        .paragraphs
        .iter()
        .filter(|j| j.verdict == Verdict::Removed)
    {
        let before = text[..j.range.start].trim_end_matches('\u{feff}');
        let after = &text[j.range.end..];
        prop_assert!(
            before.is_empty() || before.ends_with('\n'),
            "removed range starts mid-line: {:?}",
            &text[j.range.clone()]
        );
        prop_assert!(
            after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n"),
            "removed range ends mid-line: {:?}",
            &text[j.range.clone()]
        );
    }
    Ok(())
}

/// Editorial sentences the model keeps, and ads it removes, for hard-wrapped documents.
const EDITORIAL: &[&str] = &[
    "The council met on Tuesday to discuss the new budget, which will cut spending on roads and libraries by a fifth.",
    "Residents who came to the meeting said they were angry about the plans and would protest outside the town hall.",
    "The minister said the review had taken longer than expected because of the number of responses.",
    "Critics of the plans said the proposals came too late for the region's farmers, who have faced two dry summers.",
    "A spokesman for the opposition said the party would call for a vote on the plans before the end of the year.",
    "The report found that waiting times at the hospital had risen for the third year in a row.",
    "Police said the road would remain closed until Thursday while repairs to the bridge were carried out.",
    "The company said its profits had fallen by a tenth last year, blaming higher energy costs and weaker demand.",
];
const ADS: &[&str] = &[
    "vCard.red is a free platform for creating a mobile-friendly digital business cards. You can easily create a vCard and generate a QR code for it, allowing others to scan and save your contact details instantly.",
    "Save 20% on your first order at shopnow.io with the code SAVE20. Free delivery on all orders over $50, limited time offer!",
    "Download our free app today and get the latest deals delivered straight to your phone. Sign up now and win a $100 gift card!",
];

/// The editorial paragraphs: the sentences above and the seeds' paragraphs of eight words or
/// more (not their vCard.red ad copy).
fn editorial_pool() -> &'static [String] {
    static E: OnceLock<Vec<String>> = OnceLock::new();
    E.get_or_init(|| {
        let mut out: Vec<String> = EDITORIAL.iter().map(|s| s.to_string()).collect();
        out.extend(util::seed_paragraphs());
        out
    })
}

/// A hard-wrapped document (width 50 to 90, `\n` or `\r\n`): editorial paragraphs separated by
/// blank lines, an ad after one of them with a single line break; with its editorial lines.
fn wrapped_document() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop::collection::vec(prop::collection::vec(0..editorial_pool().len(), 1..3), 1..6),
        any::<prop::sample::Index>(),
        0..ADS.len(),
        50usize..=90,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(paras, at, ad, width, crlf, ad_first)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let at = at.index(paras.len());
            let mut editorial = Vec::new();
            let blocks: Vec<String> = paras
                .iter()
                .enumerate()
                .map(|(i, sentences)| {
                    let text: Vec<&str> = sentences
                        .iter()
                        .map(|&k| editorial_pool()[k].as_str())
                        .collect();
                    let lines = wrap(&text.join(" "), width);
                    editorial.extend(lines.iter().cloned());
                    let mut block = lines;
                    if i == at {
                        let ad_lines = wrap(ADS[ad], width);
                        if ad_first {
                            block.splice(0..0, ad_lines);
                        } else {
                            block.extend(ad_lines);
                        }
                    }
                    block.join(nl)
                })
                .collect();
            (blocks.join(&format!("{nl}{nl}")) + nl, editorial)
        })
}

/// Hard-wrapped text: no editorial line is removed to take out an ad.
fn check_wrapped(text: &str, editorial: &[String]) -> Result<(), TestCaseError> {
    let f = filter_text(model(), text, &Settings::from_model(model()));
    let out: Vec<&str> = f.text.lines().map(|l| l.trim_end_matches('\r')).collect();
    for line in editorial {
        prop_assert!(
            out.contains(&line.as_str()),
            "editorial line removed: {:?}\nfrom {:?}",
            line,
            text
        );
    }
    Ok(())
}

/// JSON Lines: any bytes give Ok or a clean error, never a panic; records with a text field
/// come out as JSON objects.
fn check_jsonl(bytes: &[u8]) -> Result<(), TestCaseError> {
    let opts = DocOptions {
        settings: settings(0.5),
        kind: None,
        id_field: "id".into(),
        attributes: None,
        text_field: "text".into(),
        non_text: NonText::Copy,
        collect_report: true,
        report_all: false,
        observer: None,
        gzip_level: 1,
        zstd_level: 3,
        max_doc_bytes: clean::formats::MAX_DOC_BYTES,
        on_bad_record: Some(clean::formats::OnBadRecord::Keep),
    };
    let names = Names {
        input: Path::new("in.jsonl"),
        output: Path::new("out.jsonl"),
        shown: "in.jsonl",
        rewind: false,
    };
    let format = Format {
        kind: Kind::Jsonl,
        compression: Compression::None,
    };
    let mut out = Vec::new();
    if process(model(), format, bytes, Some(&mut out), &names, &opts).is_ok() {
        // Every output line is an input line passed through unchanged (a bad record, a line
        // that is not UTF-8), or a JSON object (after a leading BOM).
        let inputs: std::collections::BTreeSet<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        for line in out.split(|b| *b == b'\n') {
            if inputs.contains(line) || line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let text = String::from_utf8_lossy(line);
            let json = text.trim_end_matches('\r').trim_start_matches('\u{feff}');
            prop_assert!(
                serde_json::from_str::<serde_json::Value>(json).is_ok(),
                "bad output line {:?}",
                text
            );
        }
    }
    Ok(())
}

fn jsonl_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec((document(), any::<u16>()), 0..6).prop_map(|v| {
            v.into_iter()
                .map(|(t, id)| serde_json::json!({"id": id, "text": t}).to_string() + "\n")
                .collect::<String>()
                .into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..300),
        "[{}\\[\\]\":,a-z0-9 \n]{0,200}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn segmentation_invariants(text in document()) {
        check_segments(&text)?;
    }

    #[test]
    fn filter_invariants(text in document(), t in prop_oneof![Just(0.5), Just(0.99), 0.0f64..=1.0]) {
        check_filter(&text, t)?;
    }

    #[test]
    fn jsonl_never_panics(bytes in jsonl_input()) {
        check_jsonl(&bytes)?;
    }

    #[test]
    fn removal_takes_whole_lines(text in document(), t in prop_oneof![Just(0.5), 0.0f64..=8.0]) {
        check_whole_lines(&text, t)?;
    }

    #[test]
    fn hard_wrapped_editorial_lines_are_kept((text, editorial) in wrapped_document()) {
        check_segments(&text)?;
        check_filter(&text, model().meta.threshold)?;
        check_whole_lines(&text, model().meta.threshold)?;
        check_wrapped(&text, &editorial)?;
    }
}

/// The fuzzing run: the properties above on fresh random inputs, round after round, for
/// `FUZZ_SECONDS` (default 60). `FUZZ_SECONDS=600 cargo test --release --test properties -- --ignored --nocapture`
#[test]
#[ignore]
fn fuzz_for_a_while() {
    use proptest::test_runner::{Config, TestRunner};
    let secs: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let start = std::time::Instant::now();
    let (mut rounds, mut cases) = (0u64, 0u64);
    while start.elapsed().as_secs() < secs {
        let mut runner = TestRunner::new(Config {
            cases: 500,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&(document(), 0.0f64..=1.0), |(text, t)| {
                check_segments(&text)?;
                check_filter(&text, t)
            })
            .unwrap();
        runner
            .run(&jsonl_input(), |bytes| check_jsonl(&bytes))
            .unwrap();
        runner
            .run(&wrapped_document(), |(text, editorial)| {
                check_segments(&text)?;
                check_filter(&text, model().meta.threshold)?;
                check_whole_lines(&text, model().meta.threshold)?;
                check_wrapped(&text, &editorial)
            })
            .unwrap();
        runner
            .run(&(document(), 0.0f64..=8.0), |(text, t)| {
                check_whole_lines(&text, t)
            })
            .unwrap();
        rounds += 1;
        cases += 2000;
    }
    eprintln!(
        "fuzz: {rounds} rounds, {cases} cases, {} s, no failure",
        start.elapsed().as_secs()
    );
}
