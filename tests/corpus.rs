//! The real binary over real files: formats, compression, stdin/stdout, check, shards, threads,
//! and bad input.

mod util;
use std::path::Path;
use util::*;

#[test]
fn text_files_lose_the_ad_and_nothing_else() {
    let t = tmp();
    write(&t.path().join("in/a/one.txt"), with_ad("health"));
    write(&t.path().join("in/b.txt"), article("transport"));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/a/one.txt")).unwrap(),
        article("health")
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/b.txt")).unwrap(),
        article("transport")
    );
}

#[test]
fn jsonl_gz_keeps_other_fields_and_order() {
    let t = tmp();
    let recs = [
        serde_json::json!({"id": "r1", "text": with_ad("energy"), "meta": {"url": "http://x/1", "n": 1.5e3}}),
        serde_json::json!({"id": "r2", "text": article("schools"), "score": 0.25}),
        serde_json::json!({"id": "r3", "other": "no text field"}),
    ];
    let mut raw = String::new();
    for r in &recs {
        raw += &serde_json::to_string(r).unwrap();
        raw.push('\n');
    }
    write(&t.path().join("in/shard.jsonl.gz"), gz(raw.as_bytes()));
    let o = clean(t.path(), &["filter", "in", "out", "--report", "rep.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(gunzip(
        &std::fs::read(t.path().join("out/shard.jsonl.gz")).unwrap(),
    ))
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let raw_lines: Vec<&str> = raw.lines().collect();
    assert_eq!(lines.len(), 3);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["text"], article("energy"));
    assert_eq!(first["meta"], recs[0]["meta"]);
    assert_eq!(first["id"], "r1");
    assert_eq!(
        lines[1], raw_lines[1],
        "untouched records are byte-identical"
    );
    assert_eq!(lines[2], raw_lines[2]);
    let rep = std::fs::read_to_string(t.path().join("rep.jsonl")).unwrap();
    let removed: Vec<serde_json::Value> = rep
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["verdict"] == "removed")
        .collect();
    assert_eq!(removed.len(), 1, "{rep}");
    assert_eq!(removed[0]["record"], 0);
    assert_eq!(removed[0]["text"], AD);
}

#[test]
fn zstd_text_round_trip() {
    let t = tmp();
    let z = zstd::encode_all(with_ad("farming").as_bytes(), 3).unwrap();
    write(&t.path().join("in/doc.txt.zst"), z);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out =
        zstd::decode_all(&std::fs::read(t.path().join("out/doc.txt.zst")).unwrap()[..]).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), article("farming"));
}

#[test]
fn stdin_to_stdout() {
    let t = tmp();
    let o = clean_stdin(
        t.path(),
        &["filter", "-", "-", "-q"],
        with_ad("housing").as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), article("housing"));
    let line = serde_json::to_string(&serde_json::json!({"text": with_ad("rail"), "id": 7}))
        .unwrap()
        + "\n";
    let o = clean_stdin(
        t.path(),
        &["filter", "-", "-", "--format", "jsonl", "-q"],
        line.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["text"], article("rail"));
}

#[test]
fn check_writes_nothing_and_exits_by_what_it_finds() {
    let t = tmp();
    write(&t.path().join("clean/a.txt"), article("water"));
    write(&t.path().join("dirty/a.txt"), with_ad("water"));
    let o = clean(t.path(), &["check", "clean"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = clean(t.path(), &["check", "dirty"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("a.txt:paragraph 2"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = clean(t.path(), &["check", "dirty", "--max-removed", "1"]);
    assert_eq!(o.status.code(), Some(0));
    let o = clean(t.path(), &["check", "missing-dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing-dir"));
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        2,
        "check wrote something"
    );
}

fn tree_bytes(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with(".clean-manifest") {
                continue; // each run's list of what it wrote (see `--overwrite`)
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn shards_together_equal_one_run_and_threads_do_not_matter() {
    let t = tmp();
    for i in 0..40 {
        let body = if i % 3 == 0 {
            with_ad(&format!("topic{i}"))
        } else {
            article(&format!("topic{i}"))
        };
        write(&t.path().join(format!("in/d{}/f{i}.txt", i % 4)), body);
    }
    let o = clean(
        t.path(),
        &["filter", "in", "whole", "-j", "1", "--report", "r1.jsonl"],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = clean(
        t.path(),
        &["filter", "in", "whole2", "-j", "2", "--report", "r2.jsonl"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        tree_bytes(&t.path().join("whole")),
        tree_bytes(&t.path().join("whole2"))
    );
    assert_eq!(
        std::fs::read(t.path().join("r1.jsonl")).unwrap(),
        std::fs::read(t.path().join("r2.jsonl")).unwrap()
    );
    let mut union = Vec::new();
    for k in 1..=3 {
        let o = clean(
            t.path(),
            &["filter", "in", "sharded", "--shard", &format!("{k}/3")],
        );
        assert_eq!(o.status.code(), Some(0));
        let n = tree_bytes(&t.path().join("sharded")).len();
        union.push(n);
    }
    assert_eq!(
        tree_bytes(&t.path().join("sharded")),
        tree_bytes(&t.path().join("whole"))
    );
    assert!(
        union[0] > 0 && union[0] < 40,
        "shard 1 took {} files",
        union[0]
    );
    let o = clean(t.path(), &["filter", "in", "x", "--shard", "4/3"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bytes_kept_exactly_crlf_bom_nul_no_final_newline() {
    let t = tmp();
    let crlf = with_ad("ports").replace('\n', "\r\n");
    let bom = format!("\u{feff}{}", with_ad("tax"));
    let nul = format!(
        "{}\n\nA line with a NUL \0 byte inside it, kept as it is.",
        article("banks")
    );
    let no_nl = with_ad("courts").trim_end().to_string();
    write(&t.path().join("in/crlf.txt"), &crlf);
    write(&t.path().join("in/bom.txt"), &bom);
    write(&t.path().join("in/nul.txt"), &nul);
    write(&t.path().join("in/nonl.txt"), &no_nl);
    write(&t.path().join("in/empty.txt"), "");
    write(&t.path().join("in/blank.txt"), " \n\t\n");
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rd = |n: &str| std::fs::read_to_string(t.path().join("out").join(n)).unwrap();
    assert_eq!(rd("crlf.txt"), article("ports").replace('\n', "\r\n"));
    assert_eq!(rd("bom.txt"), format!("\u{feff}{}", article("tax")));
    assert_eq!(rd("nul.txt"), nul);
    assert_eq!(rd("nonl.txt"), article("courts").trim_end());
    assert_eq!(rd("empty.txt"), "");
    assert_eq!(rd("blank.txt"), " \n\t\n");
}

#[test]
fn non_text_files_are_copied_skipped_or_errors() {
    let t = tmp();
    let bin: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe, 0x00, 0x10];
    write(&t.path().join("in/img.png"), &bin);
    write(&t.path().join("in/latin1.txt"), b"caf\xe9 au lait\n");
    write(&t.path().join("in/ok.txt"), article("roads"));
    let o = clean(t.path(), &["filter", "in", "copy"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("img.png: not valid UTF-8"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(t.path().join("copy/img.png")).unwrap(), bin);
    assert_eq!(
        std::fs::read(t.path().join("copy/latin1.txt")).unwrap(),
        b"caf\xe9 au lait\n"
    );
    let o = clean(t.path(), &["filter", "in", "skip", "--non-text", "skip"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!t.path().join("skip/img.png").exists());
    assert!(t.path().join("skip/ok.txt").exists());
    let o = clean(t.path(), &["filter", "in", "err", "--non-text", "error"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("latin1.txt"), "{}", stderr(&o));
    assert!(
        t.path().join("err/ok.txt").exists(),
        "an error in one file must not stop the others"
    );
    assert!(!t.path().join("err/latin1.txt").exists());
}

#[test]
fn output_paths_are_checked_and_never_read_back() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("dairy"));
    let o = clean(t.path(), &["filter", "in", "in"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is the input itself"), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "in/out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "in/out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !t.path().join("in/out/out").exists(),
        "OUT inside IN was read back"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("in/a.txt")).unwrap(),
        with_ad("dairy"),
        "input modified"
    );
    let names: Vec<String> = std::fs::read_dir(t.path().join("in/out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".clean-manifest")
        .collect();
    assert_eq!(names, vec!["a.txt"], "temporary files left behind");
}

#[cfg(unix)]
#[test]
fn directory_symlink_loops_do_not_hang() {
    let t = tmp();
    write(
        &t.path().join("in/deep/a/b/c/d/e/f/g/h/i/j/doc.txt"),
        article("mines"),
    );
    std::os::unix::fs::symlink(t.path().join("in"), t.path().join("in/deep/loop")).unwrap();
    std::os::unix::fs::symlink(
        t.path().join("in/deep/a/b/c/d/e/f/g/h/i/j/doc.txt"),
        t.path().join("in/link.txt"),
    )
    .unwrap();
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(t
        .path()
        .join("out/deep/a/b/c/d/e/f/g/h/i/j/doc.txt")
        .exists());
    assert!(
        t.path().join("out/link.txt").exists(),
        "file symlinks are read"
    );
    assert!(!t.path().join("out/deep/loop").exists());
}

#[test]
fn bad_jsonl_line_is_an_error_naming_file_and_line() {
    let t = tmp();
    write(
        &t.path().join("in/s.jsonl"),
        "{\"text\":\"ok\"}\nnot json\n",
    );
    write(&t.path().join("in/t.txt"), article("ferries"));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("s.jsonl: line 2"), "{}", stderr(&o));
    assert!(
        !t.path().join("out/s.jsonl").exists(),
        "no half-written output"
    );
    assert!(t.path().join("out/t.txt").exists());
}

#[test]
fn a_single_100_mb_line_is_kept_whole() {
    let t = tmp();
    let line: String = "The council said the road would reopen next week after repairs. "
        .repeat(100 * 1024 * 1024 / 65);
    write(&t.path().join("in/big.txt"), &line);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read(t.path().join("out/big.txt")).unwrap() == line.as_bytes());
}

#[test]
fn an_unreadable_file_is_named_and_the_others_are_processed() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("bridges"));
    write(&t.path().join("in/z.txt"), article("canals"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        t.path().join("missing-target.txt"),
        t.path().join("in/m.txt"),
    )
    .unwrap();
    // A directory where a file is expected, and a file in a directory this run cannot create.
    std::fs::create_dir_all(t.path().join("out/a.txt")).unwrap();
    let o = clean(t.path(), &["filter", "in", "out", "--overwrite"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("a.txt"),
        "a failed write names the file: {err}"
    );
    #[cfg(unix)]
    assert!(err.contains("m.txt"), "an unreadable file is named: {err}");
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/z.txt")).unwrap(),
        article("canals")
    );
    let leftovers: Vec<_> = std::fs::read_dir(t.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("clean-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_existing_out_is_updated_predictably() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("buses"));
    write(&t.path().join("out/a.txt"), "old output");
    write(&t.path().join("out/other.txt"), "not ours");
    // out/a.txt was not written by clean: refused, left alone, unless --overwrite.
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/a.txt")).unwrap(),
        "old output"
    );
    let o = clean(t.path(), &["filter", "in", "out", "--overwrite"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/a.txt")).unwrap(),
        article("buses")
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/other.txt")).unwrap(),
        "not ours"
    );
}

#[test]
fn a_killed_run_leaves_only_whole_files() {
    let t = tmp();
    for i in 0..400 {
        let body = if i % 2 == 0 {
            with_ad(&format!("t{i}"))
        } else {
            article(&format!("t{i}"))
        }
        .repeat(20);
        write(&t.path().join(format!("in/{i:03}.txt")), body);
    }
    let o = clean(t.path(), &["filter", "in", "full", "-j", "1"]);
    assert_eq!(o.status.code(), Some(0));
    for delay_ms in [5u64, 20, 60] {
        let out = format!("killed{delay_ms}");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clean"))
            .args(["filter", "in", &out, "-j", "1", "-q"])
            .current_dir(t.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let dir = t.path().join(&out);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".clean-tmp") {
                continue; // a temporary name: never a final one
            }
            if name == ".clean-manifest" {
                continue; // written first: the list of what the run writes
            }
            assert_eq!(
                std::fs::read(dir.join(&name)).unwrap(),
                std::fs::read(t.path().join("full").join(&name)).unwrap(),
                "{out}/{name} is not whole"
            );
        }
    }
}

#[test]
fn a_large_jsonl_shard_is_the_same_whatever_the_thread_count() {
    let t = tmp();
    let mut raw = String::new();
    let mut i = 0;
    while raw.len() < 9 << 20 {
        let text = if i % 5 == 0 {
            with_ad(&format!("t{i}"))
        } else {
            article(&format!("t{i}"))
        };
        raw += &serde_json::json!({"id": i, "text": text}).to_string();
        raw += if i % 7 == 0 { "\r\n\n" } else { "\n" };
        i += 1;
    }
    write(&t.path().join("in/big.jsonl"), &raw);
    for j in ["1", "2"] {
        let o = clean(
            t.path(),
            &[
                "filter",
                "in",
                &format!("out{j}"),
                "-j",
                j,
                "--report",
                &format!("r{j}.jsonl"),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let a = std::fs::read(t.path().join("out1/big.jsonl")).unwrap();
    assert!(a == std::fs::read(t.path().join("out2/big.jsonl")).unwrap());
    assert!(
        std::fs::read(t.path().join("r1.jsonl")).unwrap()
            == std::fs::read(t.path().join("r2.jsonl")).unwrap()
    );
    let out = String::from_utf8(a).unwrap();
    assert_eq!(out.lines().filter(|l| !l.is_empty()).count(), i as usize);
    let last: serde_json::Value =
        serde_json::from_str(out.lines().rfind(|l| !l.is_empty()).unwrap()).unwrap();
    assert_eq!(last["id"], i - 1, "records in order");
    let reps: Vec<serde_json::Value> = std::fs::read_to_string(t.path().join("r1.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["verdict"] == "removed")
        .collect();
    assert_eq!(reps.len() as u64, (i as u64).div_ceil(5));
    assert!(reps
        .windows(2)
        .all(|w| w[0]["record"].as_u64() < w[1]["record"].as_u64()));
}

#[test]
fn check_with_ads_and_a_bad_file_exits_2_and_still_lists_the_ads() {
    // Trouble beats found (`ExitCode::merge`): a file that cannot be read makes the exit code 2
    // even when other files have ad paragraphs, and those are still listed.
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("water"));
    write(&t.path().join("in/bad.txt.gz"), "not gzip");
    let o = clean(t.path(), &["check", "in"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.txt.gz"), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("a.txt:paragraph 2"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
