//! The web beyond news, end to end through the real binary with the built-in model: team-written
//! editorial pages in web registers (a recipe, a tutorial, a forum thread, a review with "!") are
//! kept byte for byte; ads of seven genres inserted into such pages are removed and nothing else
//! is; `clean adapt` is deterministic.

mod util;
use util::*;

use clean::internals::paragraphs;
use std::collections::BTreeMap;
use std::path::Path;

fn fixtures() -> std::path::PathBuf {
    root().join("tests/fixtures/web")
}

fn paragraph_texts(text: &str) -> Vec<String> {
    paragraphs(text)
        .into_iter()
        .map(|r| text[r].to_string())
        .collect()
}

#[test]
fn web_register_editorial_pages_are_kept_byte_for_byte() {
    let t = tmp();
    copy_tree(&fixtures().join("editorial"), &t.path().join("in"));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut n = 0;
    for e in std::fs::read_dir(t.path().join("in")).unwrap() {
        let name = e.unwrap().file_name();
        let src = std::fs::read(t.path().join("in").join(&name)).unwrap();
        let out = std::fs::read(t.path().join("out").join(&name)).unwrap();
        assert!(
            src == out,
            "{name:?} changed:\n{}",
            String::from_utf8_lossy(&out)
        );
        n += 1;
    }
    assert_eq!(n, 4);
    assert!(stderr(&o).contains("0 removed"), "{}", stderr(&o));
}

#[test]
fn ads_of_seven_genres_are_removed_and_nothing_else() {
    let t = tmp();
    let ads: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("ads/ads.json")).unwrap())
            .unwrap();
    assert!(ads.len() >= 6);
    for name in ads.keys() {
        write(
            &t.path().join("in").join(name),
            std::fs::read(fixtures().join("ads").join(name)).unwrap(),
        );
    }
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (name, inserted) in &ads {
        let src = std::fs::read_to_string(t.path().join("in").join(name)).unwrap();
        let out = std::fs::read_to_string(t.path().join("out").join(name)).unwrap();
        let want: Vec<String> = paragraph_texts(&src)
            .into_iter()
            .filter(|p| !inserted.contains(p))
            .collect();
        assert_eq!(
            want.len() + inserted.len(),
            paragraph_texts(&src).len(),
            "{name}: the fixture's ad text must be whole paragraphs"
        );
        assert_eq!(paragraph_texts(&out), want, "{name}");
    }
}

fn adapt(dir: &Path, threads: &str, out: &str) -> Vec<u8> {
    let o = clean(dir, &["adapt", "corpus", "-o", out, "-j", threads, "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read(dir.join(out)).unwrap()
}

#[test]
fn adapt_is_deterministic_and_filter_adapt_uses_it() {
    let t = tmp();
    copy_tree(
        &fixtures().join("editorial"),
        &t.path().join("corpus/editorial"),
    );
    copy_tree(&fixtures().join("ads"), &t.path().join("corpus/ads"));
    copy_tree(&root().join("seeds"), &t.path().join("corpus/seeds"));
    std::fs::remove_file(t.path().join("corpus/ads/ads.json")).unwrap();
    let one = adapt(t.path(), "1", "a1.model");
    let two = adapt(t.path(), "2", "a2.model");
    let again = adapt(t.path(), "2", "a3.model");
    assert!(one == two && two == again, "adapt is not deterministic");
    // The adapted model differs from the built-in one and says what was done.
    let o = clean(t.path(), &["info", "a1.model"]);
    let info = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(info.contains("adapted:"), "{info}");
    let o = clean(t.path(), &["info", "a1.model", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["meta"]["adaptation"]["rounds"], 1);
    assert!(v["meta"]["adaptation"]["added"][0].as_u64().unwrap() > 40);
    // `filter --adapt` gives the same bytes as `adapt` then `filter --model`, on any thread count.
    for (j, out) in [("1", "o1"), ("2", "o2")] {
        let o = clean(t.path(), &["filter", "corpus", out, "--adapt", "-j", j]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = clean(t.path(), &["filter", "corpus", "o3", "--model", "a1.model"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tree = |d: &str| {
        let mut files = BTreeMap::new();
        for sub in ["editorial", "ads", "seeds"] {
            for e in std::fs::read_dir(t.path().join(d).join(sub)).unwrap() {
                let p = e.unwrap().path();
                files.insert(
                    p.strip_prefix(t.path().join(d)).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
        files
    };
    assert_eq!(tree("o1"), tree("o2"));
    assert_eq!(tree("o1"), tree("o3"));
    // Adapting twice is refused, and stdin cannot be adapted on.
    let o = clean(
        t.path(),
        &["adapt", "corpus", "-o", "b.model", "--model", "a1.model"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already adapted"), "{}", stderr(&o));
    let o = clean_stdin(t.path(), &["filter", "-", "-", "--adapt"], b"text\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
}
