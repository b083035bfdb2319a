//! Invariants as properties (proptest). `fuzz_for_a_while` runs the same properties on fresh
//! inputs for as long as asked (see README, "Fuzzing").

use clean::filter::{filter_text, Settings, Verdict};
use clean::formats::{process, Compression, DocOptions, Format, Kind, Names, NonText};
use clean::report::ReportLine;
use clean::segment::paragraphs;
use clean::Model;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

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
        let at = f.output[cursor..].find(p);
        prop_assert!(at.is_some(), "kept paragraph {:?} missing from output", p);
        let at = cursor + at.unwrap_or(0);
        other.push_str(&f.output[cursor..at]);
        cursor = at + p.len();
    }
    other.push_str(&f.output[cursor..]);
    prop_assert!(
        other.chars().all(|c| c.is_whitespace() || c == '\u{feff}'),
        "output bytes outside kept paragraphs: {:?}",
        other
    );
    if f.removed() == 0 {
        prop_assert_eq!(&f.output, text);
    }
    // Idempotent for kept text: a second pass keeps every paragraph the first pass kept.
    let again = filter_text(model(), &f.output, &settings(threshold));
    for j in f
        .paragraphs
        .iter()
        .filter(|j| j.verdict != Verdict::Removed)
    {
        prop_assert!(
            again.output.contains(&text[j.range.clone()]),
            "second pass removed kept text"
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
        on_bad_record: Default::default(),
        id_field: "id".into(),
        attributes: None,
        text_field: "text".into(),
        non_text: NonText::Copy,
        collect_report: true,
        report_all: false,
        observer: None,
        gzip_level: 1,
        zstd_level: 3,
    };
    let names = Names {
        input: Path::new("in.jsonl"),
        output: Path::new("out.jsonl"),
        shown: "in.jsonl",
    };
    let format = Format {
        kind: Kind::Jsonl,
        compression: Compression::None,
    };
    let mut out = Vec::new();
    if process(model(), format, bytes, Some(&mut out), &names, &opts).is_ok() {
        for line in String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            prop_assert!(
                serde_json::from_str::<serde_json::Value>(line).is_ok(),
                "bad output line {:?}",
                line
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
        rounds += 1;
        cases += 1000;
    }
    eprintln!(
        "fuzz: {rounds} rounds, {cases} cases, {} s, no failure",
        start.elapsed().as_secs()
    );
}
