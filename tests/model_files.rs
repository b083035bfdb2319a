//! Model files: the committed model is what `clean train` makes today, bad files give clear errors.

mod util;
use util::*;

/// Runs `clean train` on the committed training data and returns the model's bytes.
fn train_from_repo(out: &std::path::Path) -> Vec<u8> {
    let o = clean(
        &root(),
        &[
            "train",
            "--data",
            "training",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read(out).unwrap()
}

#[test]
fn committed_model_is_reproducible_from_training() {
    let t = tmp();
    let fresh = train_from_repo(&t.path().join("m.model"));
    let committed = std::fs::read(root().join("models/clean.model")).unwrap();
    assert!(
        fresh == committed,
        "models/clean.model differs from what `clean train` produces from training/ today; run `cargo run --release -- train` and commit models/clean.model"
    );
    // Training twice gives the same bytes.
    assert_eq!(train_from_repo(&t.path().join("m2.model")), fresh);
}

/// The same training data gives the same model wherever its directory is (document ids name
/// files by their path inside the training directory, not by where it is).
#[test]
fn the_same_data_in_another_directory_trains_the_same_model() {
    let t = tmp();
    let mut models = Vec::new();
    for dir in ["a", "elsewhere/b"] {
        let data = t.path().join(dir);
        std::fs::create_dir_all(&data).unwrap();
        for f in std::fs::read_dir(root().join("training")).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("web_editorial_docs_") || name.starts_with("ads_") {
                std::fs::copy(&f, data.join(&name)).unwrap();
            }
        }
        let out = t.path().join(format!("{}.model", models.len()));
        let o = clean(
            t.path(),
            &[
                "train",
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        models.push(std::fs::read(&out).unwrap());
    }
    assert!(
        models[0] == models[1],
        "the model depends on where the training directory is"
    );
}

fn filter_with_model(model_bytes: Option<&[u8]>) -> (std::process::Output, tempfile::TempDir) {
    let t = tmp();
    write(&t.path().join("in/a.txt"), "Some text.\n");
    if let Some(b) = model_bytes {
        write(&t.path().join("bad.model"), b);
    }
    let o = clean(t.path(), &["filter", "--model", "bad.model", "in", "out"]);
    (o, t)
}

#[test]
fn bad_model_files_give_a_clear_error_and_no_output() {
    let good = std::fs::read(root().join("models/clean.model")).unwrap();
    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    let mut corrupt = good.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0xff;
    let cases: Vec<(Option<Vec<u8>>, &str)> = vec![
        (None, "No such file"),
        (
            Some(b"hello, not a model".to_vec()),
            "does not start with the clean model header",
        ),
        (
            Some(good[..good.len() / 3].to_vec()),
            "truncated or corrupt",
        ),
        (Some(corrupt), "truncated or corrupt"),
        (Some(newer), "newer clean"),
        (
            Some(Vec::new()),
            "does not start with the clean model header",
        ),
    ];
    for (bytes, expect) in cases {
        let (o, t) = filter_with_model(bytes.as_deref());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("bad.model"), "error must name the file: {err}");
        assert!(err.contains(expect), "expected {expect:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!t.path().join("out/a.txt").exists());
    }
}
