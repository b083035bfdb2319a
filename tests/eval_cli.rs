//! `clean eval` and the unsure band through the real binary.

mod util;
use util::*;

const CSV: &str = "label,genre,text
ad,saas,\"vCard.red is a free platform for creating a mobile-friendly digital business cards. You can easily create a vCard and generate a QR code for it.\"
ad,coupon,Save 20% on your first order with code SPRING20 - shop now at bloomly.shop!
editorial,politics,The minister said on Tuesday that the budget would be published next month after a long delay.
editorial,courts,The judge adjourned the case until March and granted the defendant bail with conditions.
";

#[test]
fn eval_reports_confusion_precision_recall_and_genres() {
    let t = tmp();
    write(&t.path().join("data.csv"), CSV);
    let o = clean(t.path(), &["eval", "data.csv", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &v["confusion"];
    let total: u64 = [
        "true_positive",
        "false_positive",
        "true_negative",
        "false_negative",
    ]
    .iter()
    .map(|k| c[k].as_u64().unwrap())
    .sum();
    assert_eq!(total, 4);
    assert_eq!(c["true_positive"], 2, "{v}");
    assert_eq!(c["false_positive"], 0, "{v}");
    assert_eq!(v["recall"], 1.0);
    assert_eq!(v["genres"]["ad/saas"]["removed"], 1);
    assert_eq!(v["genres"]["editorial/courts"]["paragraphs"], 1);
    let o = clean(t.path(), &["eval", "data.csv"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("precision") && out.contains("recall") && out.contains("F1"),
        "{out}"
    );
    assert!(out.contains("ad/coupon"), "{out}");
}

#[test]
fn eval_folds_cross_validates_and_calibrates() {
    let t = tmp();
    let o = clean(
        &root(),
        &[
            "eval",
            "--folds",
            "3",
            "--target-editorial-removed",
            "0.01",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["editorial_removed"].as_f64().unwrap() <= 0.01, "{v}");
    assert!(v["recall"].as_f64().unwrap() > 0.5, "{v}");
    let o = clean(t.path(), &["eval", "--folds", "1", "nothing.csv"]);
    assert_eq!(o.status.code(), Some(2));
    write(&t.path().join("bad.csv"), "label,text\nspam,hello\n");
    let o = clean(t.path(), &["eval", "bad.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv") && stderr(&o).contains("row 2"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unsure_paragraphs_are_kept_and_reported() {
    let t = tmp();
    // Clear ad copy scores above the unsure cut (log-odds 0); with the removal threshold raised
    // out of reach it must be kept and reported as unsure.
    let text =
        "Download the app now and get 50% off your first order! Visit shopnow.example today.\n";
    write(&t.path().join("in/a.txt"), text);
    let o = clean(
        t.path(),
        &[
            "filter",
            "in",
            "out",
            "--report",
            "rep.jsonl",
            "--summary-json",
            "sum.json",
            "--threshold",
            "1000",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/a.txt")).unwrap(),
        text
    );
    let info: serde_json::Value =
        serde_json::from_slice(&clean(t.path(), &["info", "--json"]).stdout).unwrap();
    let (unsure, threshold) = (info["meta"]["unsure"].as_f64().unwrap(), 1000.0);
    let line: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(t.path().join("rep.jsonl"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    assert_eq!(line["verdict"], "unsure");
    let score = line["score"].as_f64().unwrap();
    assert!(
        unsure <= score && score < threshold,
        "{unsure} <= {score} < {threshold}"
    );
    let sum: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("sum.json")).unwrap()).unwrap();
    assert_eq!(sum["unsure"], 1);
    assert_eq!(sum["removed"], 0);
    assert_eq!(sum["files"], 1);
}
