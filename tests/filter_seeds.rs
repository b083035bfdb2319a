//! `clean filter` end to end on the user's seeds, with the built-in model.

mod util;
use util::*;

use clean::internals::paragraphs;

const VCARD_1: &str =
    "vCard.red is a free platform for creating a mobile-friendly digital business cards.";
const VCARD_2: &str = "The platform allows you to display contact information, social media links";

#[test]
fn seeds_lose_exactly_the_two_vcard_paragraphs() {
    let t = tmp();
    copy_tree(&root().join("seeds"), &t.path().join("seeds"));
    let o = clean(
        t.path(),
        &["filter", "seeds", "out", "--report", "report.jsonl"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut kept_total = 0;
    let mut names: Vec<_> = std::fs::read_dir(t.path().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3);
    for name in names {
        let src = std::fs::read_to_string(t.path().join("seeds").join(&name)).unwrap();
        let out = std::fs::read_to_string(t.path().join("out").join(&name)).unwrap();
        let src_pars: Vec<&str> = paragraphs(&src).into_iter().map(|r| &src[r]).collect();
        let expected: Vec<&str> = src_pars
            .iter()
            .copied()
            .filter(|p| !p.starts_with(VCARD_1) && !p.starts_with(VCARD_2))
            .collect();
        let out_pars: Vec<&str> = paragraphs(&out).into_iter().map(|r| &out[r]).collect();
        assert_eq!(out_pars, expected, "{name:?}");
        kept_total += out_pars.len();
        if name == "000_be24da9828f494ed.txt" {
            assert_eq!(src_pars.len() - out_pars.len(), 2);
            // One paragraph per line, and the insert's padding blank line is gone too.
            assert!(!out.contains("\n\n"));
        } else {
            assert_eq!(out, src, "{name:?} must be byte-identical");
        }
    }
    assert_eq!(kept_total, 44);
    let report = std::fs::read_to_string(t.path().join("report.jsonl")).unwrap();
    let removed: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["verdict"] == "removed")
        .collect();
    assert_eq!(removed.len(), 2, "{report}");
    let src = std::fs::read_to_string(t.path().join("seeds/000_be24da9828f494ed.txt")).unwrap();
    for r in &removed {
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&src[s..e], r["text"].as_str().unwrap());
        assert_eq!(r["path"], "000_be24da9828f494ed.txt");
    }
    assert!(
        stderr(&o).contains("3 file(s), 46 paragraph(s), 2 removed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn seeds_in_the_repo_are_the_users_documents() {
    // The shipped seeds are never modified by a run (inputs are read only).
    let t = tmp();
    let before: Vec<Vec<u8>> = [
        "000_be24da9828f494ed.txt",
        "001_75faad6d54b46e5b.txt",
        "002_1dfb63bf47ca936e.txt",
    ]
    .iter()
    .map(|n| std::fs::read(root().join("seeds").join(n)).unwrap())
    .collect();
    let o = clean(
        t.path(),
        &["filter", root().join("seeds").to_str().unwrap(), "out"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (i, n) in [
        "000_be24da9828f494ed.txt",
        "001_75faad6d54b46e5b.txt",
        "002_1dfb63bf47ca936e.txt",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(
            std::fs::read(root().join("seeds").join(n)).unwrap(),
            before[i]
        );
    }
}
