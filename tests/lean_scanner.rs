//! The lean scanner (the filter's hot path, `src/scan.rs`, `judge`) against the simple reference
//! (`features::for_each_token_id_with_content`, `unknown::stats`, `judge_reference`): the same
//! token ids in the same order, content words, statistics, verdicts and score bits, on the
//! shipped seeds, the training text, fixtures covering every shape token, unknown-text rule and
//! Unicode case, and a generated corpus; and the real binary's report on them.

mod util;

use clean::features::{for_each_token_id_with_content, FeatureConfig};
use clean::filter::{judge, judge_reference, Paragraph, Settings};
use clean::scan::Scanner;
use clean::segment::paragraphs;
use clean::Model;

/// Paragraphs and documents for every case the scanner treats apart.
const FIXTURES: &[&str] = &[
    // Shape tokens, one by one and together.
    "Visit brightledger.io or https://x.example today! Save 20% at £9.99, call +44-20-7946-0958, mail hi@acme.com. FREE 🎉 for you",
    "Go to http://a.b/c?d=1 or HTTPS://EXAMPLE.COM/X and www.shop.co.uk, or WWW.x, www. and www..",
    "Domains: acme.io, acme.IO, a-b.c-d.shop, x.toolongtld, .net, net., a..io, 1.5, e.g. U.S.A. (see a.io).",
    "Mail: hi@acme.com, @handle, a@b, first.last@sub.example.org; x@y.z!",
    "Prices: $5, $ 5, 5$, US$20, £9.99, €1,200, ¥500, ₹99, ₩1000, ₿0.01, $$$",
    "Percent: 20%, %, 100 %, 5.5%! Bang! !!! Wow!!",
    "Phones: +44-20-7946-0958, (555) 123-4567, 555-1234567, 1234567, 123456, 12345678, 0800.123.4567.",
    "CAPS: FREE, NOW, OK, ÉCOLE, STRASSE, ÜBER, A1B2C3, ABC's, NASA’s and ok.",
    "Emoji: 🎉 🚀 ☀ ✔ 🀄 🈯 and a😀b, plus text.",
    "Second person: you, your, you're, yours, yourself, you'll, you've, You’re, YOUR, yourselves.",
    // Digit shapes, runs, apostrophes.
    "In 2019, 10am, 3rd, 1,000,000 and 12345678901234 ab12cd34 x2'9 2019'' 1'2'3 a1'b2 99'",
    "rock''n roll 'quoted' ''lead trail'' don't o’clock l'état rock’'n it''s '",
    "Stop words about after again also been before being both could does down each even from have here into just like made make many more most much must only other over said same should since some such than that their them then there these they this those through under very were what when where which while will with would year years your says told still well back first last",
    "About ABOUT about’s Years YEARS",
    // Unknown-text rules.
    "Городские власти объявили во вторник о новых мерах поддержки.",
    "東京都は火曜日に新しい支援策を発表した。",
    "2019 | 14,203 | 12.5% | 3,401 | 998 | 7.1",
    "fn main() { let x = vec![1]; if a <= b || c == d { x[0] = 2; } }",
    "https://a.org/x https://b.org/y www.c.net see",
    "Die Regierung hat am Dienstag neue Maßnahmen angekündigt und Kritik zurückgewiesen.",
    "Melzer shocks Agassi",
    // Whitespace and odd characters.
    "tab\tsep\u{b}vertical\u{c}feed\u{a0}nbsp\u{2009}thin\u{3000}ideographic\u{85}nel\u{2028}ls end",
    "nul\0inside, bom\u{feff}inside, zero\u{200b}width, soft\u{ad}hyphen, combining e\u{301}",
    "İstanbul ΣΟΦΊΑ σοφία ǅemal ß ẞ ﬁne Ⅻ ² ٣ ½ ① Ａｂｃ",
    "“Curly quotes” — dashes – and… ellipses; ‘single’ guillemets «ok» 'straight'",
    "naïve café résumé coöperate façade São Paulo Zürich",
    "a", "'", "''", "9", "!", ".", "www.", "www.x", "http://", "://",
    "",
];

/// Documents (several paragraphs, CRLF, BOM, hard wraps) built from the fixtures.
fn fixture_documents() -> Vec<String> {
    let mut docs: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    docs.push(FIXTURES.join("\n"));
    docs.push(format!("\u{feff}{}\r\n", FIXTURES.join("\r\n\r\n")));
    docs.push(
        "The council met on Tuesday to discuss the new\nbudget, which will cut spending on roads and\nlibraries by a fifth.\n\nResidents who came to the meeting said they were\nangry about the plans and would protest outside\nthe town hall.\n"
            .to_string(),
    );
    docs
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Generated documents: sentences from the training text and the fixtures, cut and spliced at
/// random characters, with odd characters and whitespace sprinkled in.
fn generated_documents(training: &[String], n: usize) -> Vec<String> {
    const ODD: &[&str] = &[
        " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u{a0}", "\u{b}", "\u{3000}", "'", "’", "''", "-",
        ".", "..", "@", ":", "://", "%", "!", "$", "£", "€", "🎉", "é", "É", "Ж", "本", "İ", "²",
        "٣", "0", "42", "2019", "1234567", "www.", "http://", "x.io", "a@b.co", "YOU", "you're",
        "about", "{", "}", "|", "_", "\0", "\u{feff}", "\u{200b}",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| {
            let mut doc = String::new();
            for _ in 0..1 + rng.below(12) {
                let base: &str = if rng.below(4) == 0 {
                    FIXTURES[rng.below(FIXTURES.len())]
                } else {
                    &training[rng.below(training.len())]
                };
                let chars: Vec<char> = base.chars().collect();
                let (a, b) = (rng.below(chars.len() + 1), rng.below(chars.len() + 1));
                let (a, b) = (a.min(b), a.max(b));
                let piece: String = if rng.below(3) == 0 {
                    chars[a..b].iter().collect()
                } else {
                    base.to_string()
                };
                for c in piece.chars() {
                    doc.push(c);
                    if rng.below(40) == 0 {
                        doc.push_str(ODD[rng.below(ODD.len())]);
                    }
                }
                doc.push_str(["\n", "\n\n", "\r\n", " "][rng.below(4)]);
            }
            doc
        })
        .collect()
}

fn seeds() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(util::root().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn training_texts() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(util::root().join("training"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let mut r = csv::Reader::from_path(&p).unwrap();
        let col = r.headers().unwrap().iter().position(|h| h == "text");
        for rec in r.records() {
            out.push(rec.unwrap()[col.unwrap()].to_string());
        }
    }
    out
}

/// Everything about a judged paragraph, floats as bits.
fn bits(j: &Paragraph) -> impl PartialEq + std::fmt::Debug {
    (
        j.index,
        j.range.clone(),
        (
            j.score.log_odds.to_bits(),
            j.score.tokens,
            j.score.known_tokens,
            j.score.words,
            j.score.known_words,
        ),
        j.log_odds.to_bits(),
        j.p_ad.to_bits(),
        j.context,
        j.unknown,
        j.verdict,
    )
}

/// Checks one paragraph token by token, and one document paragraph by paragraph.
fn check_document(model: &Model, scanner: &mut Scanner, doc: &str) {
    for cfg in [
        model.meta.features,
        FeatureConfig {
            bigrams: false,
            shapes: false,
        },
        FeatureConfig {
            bigrams: true,
            shapes: false,
        },
    ] {
        for r in paragraphs(doc) {
            let p = &doc[r];
            let scanned = scanner.scan(p, &cfg);
            let (mut ids, mut content, mut words) = (Vec::new(), Vec::new(), 0u32);
            for_each_token_id_with_content(
                p,
                &cfg,
                |id, w| {
                    ids.push(id);
                    words += u32::from(w);
                },
                &mut content,
            );
            assert_eq!(scanner.ids, ids, "token ids of {p:?} ({cfg:?})");
            assert_eq!(scanner.content, content, "content words of {p:?}");
            assert_eq!(scanned.words, words, "words of {p:?}");
            assert_eq!(
                scanned.stats,
                clean::unknown::stats(p),
                "statistics of {p:?}"
            );
        }
    }
    for r in paragraphs(doc) {
        let p = &doc[r];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let fast = model.score_with_content(p, &mut a);
        let reference = model.score_reference(p, &mut b);
        assert_eq!(
            fast.log_odds.to_bits(),
            reference.log_odds.to_bits(),
            "{p:?}"
        );
        assert_eq!(fast, reference, "{p:?}");
        assert_eq!(a, b, "{p:?}");
    }
    let cuts = Settings::from_model(model);
    for settings in [
        cuts,
        Settings {
            keep_unknown: false,
            ..cuts
        },
        // A low threshold, so that many paragraphs go and the fixed point runs several rounds.
        Settings {
            threshold: -2.0,
            unsure: -4.0,
            keep_unknown: true,
        },
    ] {
        let fast: Vec<_> = judge(model, doc, &settings).iter().map(bits).collect();
        let reference: Vec<_> = judge_reference(model, doc, &settings)
            .iter()
            .map(bits)
            .collect();
        assert_eq!(fast, reference, "document {doc:?} ({settings:?})");
    }
}

#[test]
fn lean_scanner_equals_the_reference() {
    let model = Model::builtin().unwrap();
    let mut scanner = Scanner::default();
    let training = training_texts();
    assert!(training.len() > 1000);
    let mut n = 0;
    for doc in seeds()
        .iter()
        .chain(&fixture_documents())
        .chain(&generated_documents(&training, 400))
    {
        check_document(&model, &mut scanner, doc);
        n += 1;
    }
    // Every training paragraph alone, and in documents of eight (the context term).
    for t in &training {
        check_document(&model, &mut scanner, t);
    }
    for chunk in training.chunks(8) {
        check_document(&model, &mut scanner, &chunk.join("\n"));
    }
    assert!(n > 400);
}

/// The real binary's `--report-all` on the fixtures and a generated corpus: every paragraph's
/// verdict, reason and score bits as the reference judges them.
#[test]
fn filter_reports_what_the_reference_judges() {
    let model = Model::builtin().unwrap();
    let settings = Settings::from_model(&model);
    let dir = util::tmp();
    let input = dir.path().join("in");
    let mut docs: Vec<String> = seeds();
    docs.extend(fixture_documents());
    docs.extend(generated_documents(&training_texts(), 150));
    let names: Vec<String> = (0..docs.len()).map(|i| format!("d{i:04}.txt")).collect();
    for (name, doc) in names.iter().zip(&docs) {
        util::write(&input.join(name), doc);
    }
    let out = util::clean(
        dir.path(),
        &[
            "filter",
            "in",
            "out",
            "--report",
            "report.jsonl",
            "--report-all",
            "--threads",
            "2",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let report = std::fs::read_to_string(dir.path().join("report.jsonl")).unwrap();
    // Floats are compared as the report's text: the shortest text that reads back as the same
    // bits, so equal text is equal bits.
    let mut lines = report.lines().map(|l| {
        let v: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
            serde_json::from_str(l).unwrap();
        (
            v["path"].get().trim_matches('"').to_string(),
            v["paragraph"].get().parse::<usize>().unwrap(),
            v["score"].get().to_string(),
            v["p_ad"].get().to_string(),
            v["verdict"].get().trim_matches('"').to_string(),
            v.get("unknown")
                .map(|u| u.get().trim_matches('"').to_string()),
        )
    });
    let mut paragraphs_seen = 0;
    for (name, doc) in names.iter().zip(&docs) {
        for j in judge_reference(&model, doc, &settings) {
            let verdict = serde_json::to_value(j.verdict).unwrap();
            let want = (
                name.clone(),
                j.index,
                serde_json::to_string(&j.log_odds).unwrap(),
                serde_json::to_string(&j.p_ad).unwrap(),
                verdict.as_str().unwrap().to_string(),
                j.unknown.map(|u| u.as_str().to_string()),
            );
            assert_eq!(lines.next(), Some(want), "{name}: {doc:?}");
            paragraphs_seen += 1;
        }
    }
    assert_eq!(lines.next(), None);
    assert!(paragraphs_seen > 300, "{paragraphs_seen}");
}
