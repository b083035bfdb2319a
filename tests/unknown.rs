//! Text the model does not know is kept and marked `unknown`: other languages and scripts, code,
//! a table of figures, a list of links. English with foreign names is judged normally.

mod util;
use util::*;

fn report_of(dir: &std::path::Path, extra: &[&str]) -> (Vec<serde_json::Value>, String) {
    let mut args = vec!["filter", "in", "out", "--report", "rep.jsonl"];
    args.extend_from_slice(extra);
    let o = clean(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rep = std::fs::read_to_string(dir.join("rep.jsonl")).unwrap();
    (
        rep.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        stderr(&o),
    )
}

#[test]
fn foreign_code_figures_and_links_are_kept_as_unknown() {
    let t = tmp();
    let fixtures = root().join("tests/fixtures/unknown");
    copy_tree(&fixtures, &t.path().join("in"));
    let (lines, err) = report_of(t.path(), &[]);
    let expect = [
        ("ar.txt", "script"),
        ("ru.txt", "script"),
        ("zh.txt", "script"),
        ("de.txt", "vocabulary"),
        ("es.txt", "vocabulary"),
        ("fr.txt", "vocabulary"),
        ("code.txt", "code"),
        ("table.txt", "digits"),
        ("links.txt", "links"),
    ];
    for (file, why) in expect {
        let src = std::fs::read_to_string(fixtures.join(file)).unwrap();
        let n = clean::internals::paragraphs(&src).len();
        let mine: Vec<&serde_json::Value> = lines.iter().filter(|l| l["path"] == file).collect();
        assert_eq!(mine.len(), n, "{file}: every paragraph listed: {lines:?}");
        for l in mine {
            assert_eq!(l["verdict"], "unknown", "{file}: {l}");
            assert_eq!(l["unknown"], why, "{file}: {l}");
        }
        let out = std::fs::read_to_string(t.path().join("out").join(file)).unwrap();
        assert_eq!(out, src, "{file} must be kept byte for byte");
    }
    assert!(
        !lines.iter().any(|l| l["path"] == "en_names.txt"),
        "English with foreign names is judged normally: {lines:?}"
    );
    assert!(err.contains("0 removed"), "{err}");
    assert!(err.contains(" unknown"), "{err}");
}

#[test]
fn on_unknown_score_judges_them_like_any_other() {
    let t = tmp();
    copy_tree(&root().join("tests/fixtures/unknown"), &t.path().join("in"));
    let (lines, _) = report_of(t.path(), &["--on-unknown", "score"]);
    assert!(lines.iter().all(|l| l["verdict"] != "unknown"), "{lines:?}");
}
