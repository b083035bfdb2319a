//! Issue 13: what a corpus pipeline depends on, through the real binary: every format for
//! `explain` and `check`, no silent no-ops, bad records, byte-faithful records, no accidental
//! overwrites, closed pipes, errors said once, shell integration, dolma attributes.

mod util;
use std::io::{BufRead, Read};
use util::*;

fn jsonl(recs: &[serde_json::Value]) -> String {
    recs.iter().map(|r| r.to_string() + "\n").collect()
}

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

// 6. Pipes.

/// Runs `args` with stdout piped, reads one line, closes the pipe, and returns (exit code,
/// stderr).
fn first_line_then_close(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
        r.read_line(&mut first).unwrap();
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), first, err)
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let t = tmp();
    // Far more output than a pipe holds, so the writer must meet the closed pipe.
    let recs: Vec<serde_json::Value> = (0..3000)
        .map(|i| serde_json::json!({"id": i, "text": with_ad(&format!("t{i}"))}))
        .collect();
    write(&t.path().join("in/a.jsonl"), jsonl(&recs));
    let (c, first, err) = first_line_then_close(t.path(), &["check", "in", "-q"]);
    assert!(
        first.starts_with("in/a.jsonl:record 0 (id 0):paragraph 2:"),
        "{first}"
    );
    assert_eq!(c, Some(1), "check keeps its verdict (ads found): {err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("error"),
        "{err}"
    );
    let (c, _, err) = first_line_then_close(t.path(), &["explain", "in/a.jsonl"]);
    assert_eq!(c, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

// 7. Errors read once, with the path's role.

#[test]
fn errors_say_the_reason_once_and_the_role() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), article("rail"));
    let once = |s: &str| s.matches("No such file or directory").count() == 1;
    let o = clean(t.path(), &["filter", "nothere", "out"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("input nothere: No such file"),
        "{}",
        stderr(&o)
    );
    assert!(once(&stderr(&o)), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "out", "--model", "no.model"]);
    assert!(
        stderr(&o).contains("model no.model: No such file"),
        "{}",
        stderr(&o)
    );
    assert!(once(&stderr(&o)), "{}", stderr(&o));
    let o = clean(t.path(), &["train", "--data", "nodata", "--out", "m.model"]);
    assert!(
        stderr(&o).contains("training data nodata"),
        "{}",
        stderr(&o)
    );
    assert!(once(&stderr(&o)), "{}", stderr(&o));
    let o = clean(t.path(), &["explain", "missing.txt"]);
    assert!(
        stderr(&o).contains("input missing.txt: No such file"),
        "{}",
        stderr(&o)
    );
    assert!(once(&stderr(&o)), "{}", stderr(&o));
}

// 2. No silent no-ops.

#[test]
fn a_text_field_no_record_has_is_an_error() {
    let t = tmp();
    let recs = [
        serde_json::json!({"id": 1, "text": with_ad("a")}),
        serde_json::json!({"id": 2, "text": article("b")}),
    ];
    write(&t.path().join("in/a.jsonl"), jsonl(&recs));
    let o = clean(t.path(), &["filter", "in", "out", "--text-field", "body"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("in/a.jsonl") && e.contains("2 of 2 record(s) have no field `body`"),
        "{e}"
    );
    assert!(!t.path().join("out/a.jsonl").exists());
}

#[test]
fn an_include_that_matches_nothing_is_an_error() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("a"));
    let o = clean(t.path(), &["filter", "in", "out", "--include", "*.jsonl"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--include \"*.jsonl\" matches no file"),
        "{}",
        stderr(&o)
    );
    assert!(!t.path().join("out").exists());
    let o = clean(t.path(), &["filter", "in", "out", "--include", "*.txt"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
}

#[test]
fn format_applies_to_files_and_a_jsonl_shard_without_extension_draws_a_warning() {
    let t = tmp();
    let recs = [
        serde_json::json!({"id": "x", "text": with_ad("ports")}),
        serde_json::json!({"id": "y", "text": article("mines")}),
    ];
    write(&t.path().join("in/part-00000"), jsonl(&recs));
    let o = clean(t.path(), &["filter", "in", "as-text"]);
    assert!(stderr(&o).contains("--format jsonl"), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "out", "--format", "jsonl"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(t.path().join("out/part-00000")).unwrap();
    let want = jsonl(&[
        serde_json::json!({"id": "x", "text": article("ports")}),
        recs[1].clone(),
    ]);
    assert_eq!(out, want);
}

// 3. Bad records.

#[test]
fn bad_records_follow_the_policy() {
    let t = tmp();
    let good0 = serde_json::json!({"id": 0, "text": with_ad("a")}).to_string();
    let good2 = serde_json::json!({"id": 2, "text": with_ad("c")}).to_string();
    let input = format!("{good0}\n{{\"id\": 1, \"text\": tru\n{good2}\n");
    write(&t.path().join("in/a.jsonl"), &input);
    let o = clean(t.path(), &["filter", "in", "err"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("in/a.jsonl: line 2: not a JSON object"),
        "{}",
        stderr(&o)
    );
    assert!(!t.path().join("err/a.jsonl").exists());
    let o = clean(
        t.path(),
        &[
            "filter",
            "in",
            "keep",
            "--on-bad-record",
            "keep",
            "--summary-json",
            "s.json",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("line 2: not a JSON object"),
        "{}",
        stderr(&o)
    );
    let out = std::fs::read_to_string(t.path().join("keep/a.jsonl")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1], "{\"id\": 1, \"text\": tru",
        "the bad line passes unchanged"
    );
    assert!(!lines[0].contains("vCard") && !lines[2].contains("vCard"));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(s["bad_records"], 1);
    // On stdin, `error` writes every record before the bad line, filtered and whole, then nothing.
    let o = clean_stdin(
        t.path(),
        &["filter", "-", "-", "--format", "jsonl"],
        input.as_bytes(),
    );
    assert_eq!(code(&o), Some(2));
    let first = serde_json::json!({"id": 0, "text": article("a")}).to_string() + "\n";
    assert_eq!(String::from_utf8_lossy(&o.stdout), first);
}

// 4. Records that change keep every byte outside the text.

#[test]
fn a_rewritten_record_keeps_every_byte_outside_the_text_value() {
    let t = tmp();
    let text = serde_json::to_string(&with_ad("docks")).unwrap();
    let line = format!(
        "{{ \"id\" : \"caf\\u00e9\",\t\"text\":\"first\", \"meta\" : {{\"n\": 1.50e3, \"s\": \"\\u00e9\\/\"}},  \"text\" :  {text} , \"tail\":[1 ,2] }}\r\n"
    );
    write(&t.path().join("in/a.jsonl"), &line);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let want = line.replace(&text, &serde_json::to_string(&article("docks")).unwrap());
    assert_ne!(want, line);
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/a.jsonl")).unwrap(),
        want
    );
}

// 5. Never overwrite by accident.

#[test]
fn swapped_in_and_out_are_refused_and_reruns_work() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("farms"));
    write(&t.path().join("in/b/c.txt"), article("roads"));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(code(&o), Some(0), "the same command again: {}", stderr(&o));
    let o = clean(t.path(), &["filter", "out", "in"]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("--overwrite"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("in/a.txt")).unwrap(),
        with_ad("farms"),
        "the originals were replaced"
    );
    // A single file, swapped, too.
    let o = clean(t.path(), &["filter", "out/a.txt", "in/a.txt"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("in/a.txt")).unwrap(),
        with_ad("farms")
    );
    // Shards writing into one OUT each rerun on their own.
    for k in 1..=2 {
        let s = format!("{k}/2");
        let o = clean(t.path(), &["filter", "in", "sharded", "--shard", &s]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let o = clean(t.path(), &["filter", "in", "sharded", "--shard", &s]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    }
    let o = clean(t.path(), &["filter", "out", "in", "--overwrite"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("in/a.txt")).unwrap(),
        article("farms")
    );
}

// 1. explain and check on every format.

#[test]
fn explain_and_check_read_every_format() {
    let t = tmp();
    let recs = [
        serde_json::json!({"id": "r1", "body": article("wheat")}),
        serde_json::json!({"id": "r2", "body": with_ad("barley")}),
    ];
    write(
        &t.path().join("in/recs.jsonl.gz"),
        gz(jsonl(&recs).as_bytes()),
    );
    write(
        &t.path().join("in/doc.txt.gz"),
        gz(with_ad("oats").as_bytes()),
    );
    let o = clean(
        t.path(),
        &[
            "explain",
            "in/recs.jsonl.gz",
            "--text-field",
            "body",
            "--record",
            "1",
            "--json",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "the paragraphs of record 1 only");
    assert!(lines.iter().all(|l| l["record"] == 1 && l["id"] == "r2"));
    assert_eq!(lines[2]["text"], AD);
    assert_eq!(lines[2]["verdict"], "removed");
    let o = clean(
        t.path(),
        &[
            "explain",
            "in/recs.jsonl.gz",
            "--text-field",
            "body",
            "--id",
            "r1",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.starts_with("== record 0 (id r1)") && !s.contains("removed"),
        "{s}"
    );
    let o = clean(t.path(), &["explain", "in/doc.txt.gz"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("#2 removed"));
    let o = clean_stdin(
        t.path(),
        &[
            "explain",
            "-",
            "--format",
            "jsonl",
            "--text-field",
            "body",
            "--on-unknown",
            "score",
        ],
        jsonl(&recs).as_bytes(),
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("== record 1 (id r2)"));
    let o = clean(t.path(), &["check", "in/", "--text-field", "body"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("in/doc.txt.gz:paragraph 2: log-odds"), "{s}");
    assert!(
        s.contains("in/recs.jsonl.gz:record 1 (id r2):paragraph 2: log-odds"),
        "{s}"
    );
}

// 8. Install and shell.

#[test]
fn completions_man_page_and_version() {
    let t = tmp();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = clean(t.path(), &["completions", shell]);
        assert_eq!(code(&o), Some(0), "{shell}: {}", stderr(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("filter"),
            "{shell}"
        );
    }
    let o = clean(t.path(), &["man"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with(".ie"),
        "roff"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains(".TH clean 1"));
    let o = clean(t.path(), &["man", "filter"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\\-\\-overwrite"));
    let o = clean(t.path(), &["--version"]);
    let v = String::from_utf8_lossy(&o.stdout);
    assert!(
        v.starts_with("clean ") && v.contains("built-in model: training data "),
        "{v}"
    );
}

// Dolma attributes.

/// `text` with the character spans taken out, as dolma's mixer does with replacement "".
fn without_spans(text: &str, spans: &[serde_json::Value]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for s in spans {
        let (a, b) = (
            s[0].as_u64().unwrap() as usize,
            s[1].as_u64().unwrap() as usize,
        );
        out.extend(&chars[at..a]);
        at = b;
    }
    out.extend(&chars[at..]);
    out
}

#[test]
fn attributes_are_dolma_spans_in_characters_mirroring_the_documents() {
    let t = tmp();
    let recs = [
        serde_json::json!({"id": "d1", "text": format!("Zürich — état: {}", with_ad("naïve"))}),
        serde_json::json!({"id": 7, "text": article("fish")}),
        serde_json::json!({"id": "d3", "meta": 1}),
    ];
    write(
        &t.path().join("documents/x/a.json.gz"),
        gz(jsonl(&recs).as_bytes()),
    );
    write(&t.path().join("documents/b.txt"), with_ad("lamb"));
    let o = clean(
        t.path(),
        &[
            "filter",
            "documents",
            "cleaned",
            "--attributes",
            "attributes/exp",
            "--attributes-name",
            "exp",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        !t.path().join("attributes/exp/b.txt").exists(),
        "text files have no attributes"
    );
    let attrs = gunzip(&std::fs::read(t.path().join("attributes/exp/x/a.json.gz")).unwrap());
    let cleaned = gunzip(&std::fs::read(t.path().join("cleaned/x/a.json.gz")).unwrap());
    let attrs: Vec<serde_json::Value> = String::from_utf8(attrs)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cleaned: Vec<serde_json::Value> = String::from_utf8(cleaned)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(attrs.len(), 3, "one line per document");
    for ((a, d), c) in attrs.iter().zip(&recs).zip(&cleaned) {
        assert_eq!(a["id"], d["id"]);
        let spans = a["attributes"]["exp__clean__ad"].as_array().unwrap();
        if let Some(text) = d["text"].as_str() {
            assert_eq!(without_spans(text, spans), c["text"].as_str().unwrap());
        } else {
            assert!(spans.is_empty());
        }
    }
    assert_eq!(
        attrs[0]["attributes"]["exp__clean__ad"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Attributes written inside IN are not read back as documents on the next run.
    for _ in 0..2 {
        let o = clean(
            t.path(),
            &[
                "filter",
                "documents",
                "c2",
                "--attributes",
                "documents/attrs",
            ],
        );
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    }
    assert!(t.path().join("documents/attrs/x/a.json.gz").exists());
    assert!(
        !t.path().join("c2/attrs").exists(),
        "attribute files were read back"
    );
}

// The recipes under examples/, run as their schedulers would run them.

fn tree(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with(".clean-manifest") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn slurm_and_kubernetes_recipes_run_every_shard_once() {
    let t = tmp();
    let data = t.path().join("data");
    for i in 0..24 {
        let body = if i % 3 == 0 {
            with_ad(&format!("t{i}"))
        } else {
            article(&format!("t{i}"))
        };
        write(&data.join(format!("corpus/d{}/f{i}.txt", i % 3)), body);
    }
    let o = clean(t.path(), &["filter", "data/corpus", "whole"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for k in 1..=8 {
        let o = std::process::Command::new("bash")
            .arg(root().join("examples/slurm.sh"))
            .env("PATH", &path)
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "8")
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("IN", data.join("corpus"))
            .env("OUT", data.join("slurm"))
            .env("REPORTS", data.join("reports"))
            .output()
            .unwrap();
        assert_eq!(code(&o), Some(0), "task {k}: {}", stderr(&o));
    }
    assert_eq!(tree(&data.join("slurm")), tree(&t.path().join("whole")));
    // The Kubernetes Job's shell line, with /data pointing at this test's directory.
    let job = std::fs::read_to_string(root().join("examples/k8s-job.yaml")).unwrap();
    let line = job
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("args:"))
        .nth(1)
        .unwrap()
        .trim_start()
        .trim_start_matches("- ")
        .replace("/data", &data.to_string_lossy())
        .replace("/cleaned", "/k8s");
    for i in 0..8 {
        let o = std::process::Command::new("sh")
            .args(["-c", &line])
            .env("PATH", &path)
            .env("JOB_COMPLETION_INDEX", i.to_string())
            .output()
            .unwrap();
        assert_eq!(code(&o), Some(0), "index {i}: {}", stderr(&o));
    }
    assert_eq!(tree(&data.join("k8s")), tree(&t.path().join("whole")));
}
