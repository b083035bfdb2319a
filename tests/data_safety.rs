//! Issue 12: no way to lose or leak data. Each test drives the real binary through one of the
//! attacks of the issue (aliasing, temp files, stale outputs, hard-wrapped text, side outputs,
//! permissions, memory, JSON Lines, concurrent learn, unclear errors).

mod util;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use util::*;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_clean")
}

fn gz(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir(dir) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("clean-tmp") {
            out.push(e.display().to_string());
        }
    }
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// Runs the binary, killing it if it has not finished after `secs` (then returns None).
fn run_with_timeout(dir: &Path, args: &[&str], secs: u64) -> Option<std::process::Output> {
    let child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(o) => Some(o.unwrap()),
        Err(_) => {
            // SAFETY: kill(2) on the pid of our own child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            None
        }
    }
}

// ---- 1. aliasing -------------------------------------------------------------------------

#[test]
fn an_output_never_replaces_an_input_through_aliasing() {
    let t = tmp();
    let u = t.path().join("u");
    write(&u.join("corpus/a.txt"), with_ad("health"));
    write(&u.join("corpus/corpus/a.txt"), "text\n");
    let o = clean(&u, &["filter", "corpus", "."]);
    assert_eq!(
        std::fs::read_to_string(u.join("corpus/a.txt")).unwrap(),
        with_ad("health"),
        "the input corpus/a.txt was replaced: {}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("one of the input files"),
        "{}",
        stderr(&o)
    );
    // A hard link to an input given as the output file is the input too.
    std::fs::hard_link(u.join("corpus/a.txt"), u.join("link.txt")).unwrap();
    let o = clean(&u, &["filter", "corpus/a.txt", "link.txt"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(u.join("corpus/a.txt")).unwrap(),
        with_ad("health")
    );
}

#[test]
fn a_bind_mount_of_the_input_is_refused_as_output() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("health"));
    std::fs::create_dir(t.path().join("in2")).unwrap();
    let mounted = Command::new("mount")
        .args(["--bind", "in", "in2"])
        .current_dir(t.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "skipped: `mount --bind` is not permitted here (needs root in a mount namespace)"
        );
        return;
    }
    let o = clean(t.path(), &["filter", "in", "in2"]);
    let _ = Command::new("umount")
        .arg("in2")
        .current_dir(t.path())
        .status();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("in/a.txt")).unwrap(),
        with_ad("health")
    );
}

// ---- 2. writes escaping OUT ------------------------------------------------------------------

#[test]
fn a_planted_temp_symlink_is_not_followed() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("health"));
    write(&t.path().join("victim/t2.txt"), "victim\n");
    std::fs::create_dir(t.path().join("out3")).unwrap();
    let script = format!(
        "ln -s ../victim/t2.txt out3/.a.txt.clean-tmp-$$; exec {} filter in/a.txt out3/a.txt",
        bin()
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(t.path().join("victim/t2.txt")).unwrap(),
        "victim\n",
        "written through the planted symlink: {}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out3/a.txt")).unwrap(),
        article("health")
    );
}

#[test]
fn a_directory_symlink_inside_out_is_not_written_through() {
    let t = tmp();
    write(&t.path().join("in/sub/a.txt"), with_ad("health"));
    write(&t.path().join("in/b.txt"), article("schools"));
    std::fs::create_dir_all(t.path().join("victim")).unwrap();
    std::fs::create_dir_all(t.path().join("out")).unwrap();
    std::os::unix::fs::symlink("../victim", t.path().join("out/sub")).unwrap();
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert!(
        !t.path().join("victim/a.txt").exists(),
        "written through out/sub: {}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/b.txt")).unwrap(),
        article("schools")
    );
}

// ---- 3. signals ------------------------------------------------------------------------------

#[test]
fn sigint_and_sigterm_remove_temp_files() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let t = tmp();
        let fifo = t.path().join("in.txt");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        std::fs::create_dir(t.path().join("out")).unwrap();
        let child = Command::new(bin())
            .args(["filter", "in.txt", "out/a.txt"])
            .current_dir(t.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Once clean has opened the FIFO, it creates its temporary file and reads until the
        // writer closes, which it does not before the signal. (Non-blocking open: fails until
        // clean has opened the FIFO, rather than waiting for ever if it never does.)
        let mut w = None;
        for _ in 0..1500 {
            use std::os::unix::fs::OpenOptionsExt;
            match std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&fifo)
            {
                Ok(f) => {
                    w = Some(f);
                    break;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        let Some(mut w) = w else {
            let mut child = child;
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("clean never opened the FIFO: {}", stderr(&o));
        };
        w.write_all(with_ad("health").as_bytes()).unwrap();
        let mut waited = 0;
        while temp_files(&t.path().join("out")).is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(20));
            waited += 1;
            if waited > 1500 {
                let mut child = child;
                let _ = child.kill();
                panic!("no temporary file appeared");
            }
        }
        // SAFETY: kill(2) on the pid of our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let o = child.wait_with_output().unwrap();
        drop(w);
        assert_eq!(
            temp_files(&t.path().join("out")),
            Vec::<String>::new(),
            "signal {sig}: {}",
            stderr(&o)
        );
        assert_eq!(o.status.code(), Some(128 + sig), "{}", stderr(&o));
    }
}

#[test]
fn input_files_with_temp_like_names_are_read() {
    let t = tmp();
    write(&t.path().join("in/.a.txt.clean-tmp-123"), with_ad("health"));
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/.a.txt.clean-tmp-123")).unwrap(),
        article("health")
    );
}

// ---- 4 and 5. learn --------------------------------------------------------------------------

#[test]
fn concurrent_learn_runs_keep_every_correction() {
    let t = tmp();
    copy_tree(&root().join("training"), &t.path().join("training"));
    let texts = [
        "Order the premium cheese hamper today and save a fifth on delivery.",
        "Join our rewards club now for double points on every purchase this week.",
    ];
    let children: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Command::new(bin())
                .args([
                    "learn",
                    "--ad",
                    text,
                    "--folds",
                    "0",
                    "--out",
                    &format!("m{i}.model"),
                ])
                .current_dir(t.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let learned = std::fs::read_to_string(t.path().join("training/learned.csv")).unwrap();
    for text in texts {
        assert!(learned.contains(text), "lost {text:?}:\n{learned}");
    }
}

#[test]
fn learn_finishes_a_correction_a_killed_run_left_too_light() {
    let t = tmp();
    copy_tree(&root().join("training"), &t.path().join("training"));
    write(&t.path().join("in/match.txt"), match_report());
    // What a run killed after writing learned.csv, before raising the weight, leaves behind.
    write(
        &t.path().join("training/learned.csv"),
        format!("label,genre,weight,text\neditorial,learned,1,\"{HOUSE_NOTE}\"\n"),
    );
    let o = clean(
        t.path(),
        &[
            "learn",
            "--editorial",
            HOUSE_NOTE,
            "--folds",
            "0",
            "--out",
            "m.model",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = clean(t.path(), &["filter", "in", "out", "--model", "m.model"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(t.path().join("out/match.txt")).unwrap();
    assert!(
        out.contains(HOUSE_NOTE),
        "the known correction is still not satisfied"
    );
}

// ---- 6. hard-wrapped text --------------------------------------------------------------------

const EDITORIAL: &[&str] = &[
    "The council met on Tuesday to discuss the new budget, which will cut spending on roads and libraries by a fifth.",
    "Residents who came to the meeting said they were angry about the plans and would protest outside the town hall.",
    "The minister said the review had taken longer than expected because of the number of responses.",
    "Critics of the plans said the proposals came too late for the region's farmers, who have faced two dry summers.",
    "A spokesman for the opposition said the party would call for a vote on the plans before the end of the year.",
    "The report found that waiting times at the hospital had risen for the third year in a row.",
    "Police said the road would remain closed until Thursday while repairs to the bridge were carried out.",
    "The company said its profits had fallen by a tenth last year, blaming higher energy costs and weaker demand.",
    "Teachers at the school said the new timetable had been introduced without enough consultation.",
    "The museum will reopen in the spring after a two-year renovation of its main gallery.",
];

const ADS: &[&str] = &[
    AD,
    "Save 20% on your first order at shopnow.io with the code SAVE20. Free delivery on all orders over $50, limited time offer!",
    "Download our free app today and get the latest deals delivered straight to your phone. Sign up now and win a $100 gift card!",
    "Looking for cheap flights? Compare prices from hundreds of airlines at flyfast.com and book your next holiday in minutes.",
];

/// 300 documents of one to four editorial paragraphs of the seeds, hard-wrapped at 72 columns,
/// the ad after one of them with a single line break (so it is often one block with it). Returns
/// (document, its editorial lines).
fn wrapped_documents() -> Vec<(String, Vec<String>)> {
    let paragraphs = seed_paragraphs();
    let mut seed: u64 = 12;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    (0..300)
        .map(|_| {
            let n = 1 + next(4);
            let with_ad = next(n);
            let mut blocks = Vec::new();
            let mut editorial = Vec::new();
            for p in 0..n {
                let lines = wrap(&paragraphs[next(paragraphs.len())], 72);
                editorial.extend(lines.iter().cloned());
                let mut block = lines.join("\n");
                if p == with_ad {
                    block.push('\n');
                    block.push_str(&wrap(AD, 72).join("\n"));
                }
                blocks.push(block);
            }
            (blocks.join("\n\n") + "\n", editorial)
        })
        .collect()
}

#[test]
fn no_editorial_line_is_removed_to_take_out_an_ad_in_hard_wrapped_text() {
    let t = tmp();
    let docs = wrapped_documents();
    for (i, (d, _)) in docs.iter().enumerate() {
        write(&t.path().join(format!("in/{i:03}.txt")), d);
    }
    let o = clean(t.path(), &["filter", "in", "out", "--report", "r.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (mut lost, mut empty, mut ads_gone) = (0, 0, 0);
    for (i, (_, editorial)) in docs.iter().enumerate() {
        let out = std::fs::read_to_string(t.path().join(format!("out/{i:03}.txt"))).unwrap();
        let out_lines: Vec<&str> = out.lines().collect();
        if editorial.iter().any(|l| !out_lines.contains(&l.as_str())) {
            lost += 1;
        }
        empty += usize::from(out.trim().is_empty());
        ads_gone += usize::from(!out_lines.contains(&wrap(AD, 72)[0].as_str()));
    }
    eprintln!(
        "hard-wrapped: {lost} of 300 documents lost an editorial line, {empty} came out empty, the ad was taken out of {ads_gone}"
    );
    assert_eq!((lost, empty), (0, 0));
}

// ---- 7. stale outputs ------------------------------------------------------------------------

#[test]
fn a_skipped_or_failed_file_leaves_no_earlier_output() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("health"));
    write(
        &t.path().join("in/s.jsonl"),
        serde_json::json!({"text": with_ad("energy")}).to_string() + "\n",
    );
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(t.path().join("out/a.txt").exists() && t.path().join("out/s.jsonl").exists());
    write(&t.path().join("in/a.txt"), b"\xff\xfe binary \x00\x01");
    write(
        &t.path().join("in/s.jsonl"),
        "{\"text\": \"ok\"}\nnot json\n",
    );
    let o = clean(t.path(), &["filter", "in", "out", "--non-text", "skip"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        !t.path().join("out/a.txt").exists(),
        "stale out/a.txt: {}",
        stderr(&o)
    );
    assert!(
        !t.path().join("out/s.jsonl").exists(),
        "stale out/s.jsonl: {}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o).matches("an earlier run's output").count(),
        2,
        "{}",
        stderr(&o)
    );
}

// ---- 8. side outputs -------------------------------------------------------------------------

#[test]
fn side_outputs_never_go_into_the_data_stream() {
    let t = tmp();
    let rec = serde_json::json!({"text": with_ad("energy")}).to_string() + "\n";
    for flag in ["--summary-json", "--report"] {
        let o = clean_stdin(
            t.path(),
            &["filter", "-", "-", "--format", "jsonl", flag, "-"],
            rec.as_bytes(),
        );
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let o = clean_stdin(
        t.path(),
        &["check", "-", "--report", "-"],
        with_ad("x").as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Into a directory, `--report -` is standard output, never a file named `-`.
    write(&t.path().join("in/a.txt"), with_ad("health"));
    let o = clean(t.path(), &["filter", "in", "out", "--report", "-"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!t.path().join("-").exists(), "a file named - was created");
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(line["verdict"], "removed");
    // Nor does any other writer create a file named `-`.
    let o = clean(t.path(), &["adapt", "in", "--out", "-"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!t.path().join("-").exists());
}

// ---- 9. permissions --------------------------------------------------------------------------

#[test]
fn outputs_keep_the_permission_bits_of_their_inputs() {
    let t = tmp();
    write(&t.path().join("in/private/a.txt"), with_ad("health"));
    write(&t.path().join("in/private/b.bin"), b"\xff\xfe\x00");
    write(&t.path().join("in/pub.txt"), article("x"));
    let set = |p: &str, m: u32| {
        std::fs::set_permissions(t.path().join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    set("in/private/a.txt", 0o600);
    set("in/private/b.bin", 0o640);
    set("in/pub.txt", 0o644);
    set("in/private", 0o700);
    let o = clean(t.path(), &["filter", "in", "out", "--report", "r.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = |p: &str| {
        std::fs::metadata(t.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!(mode("out/private/a.txt"), 0o600);
    assert_eq!(mode("out/private/b.bin"), 0o640);
    assert_eq!(mode("out/pub.txt"), 0o644);
    assert_eq!(mode("out/private"), 0o700);
}

// ---- 10. everything removed --------------------------------------------------------------------

#[test]
fn a_document_with_every_paragraph_removed_keeps_its_bom_and_final_crlf() {
    let t = tmp();
    let ad2 = "Save 20% on your first order at shopnow.io - limited time offer! Sign up today and get free delivery on every order.";
    let doc = format!("\u{feff}{AD}\r\n\r\n{ad2}\r\n");
    write(&t.path().join("in/a.txt"), &doc);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 removed"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(t.path().join("out/a.txt")).unwrap(),
        "\u{feff}\r\n".as_bytes()
    );
}

// ---- 11. unbounded work ----------------------------------------------------------------------

fn tiny_training(dir: &Path) {
    let mut csv = String::from("label,text\n");
    for (i, e) in EDITORIAL.iter().enumerate() {
        csv += &format!("editorial,\"{e} {i}\"\n");
    }
    for (i, a) in ADS.iter().enumerate() {
        csv += &format!("ad,\"{a} {i}\"\n");
        csv += &format!("ad,\"{a} again {i}\"\n");
    }
    write(&dir.join("data/t.csv"), csv);
}

#[test]
fn numeric_flags_are_checked_before_any_work() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("health"));
    tiny_training(t.path());
    let o = run_with_timeout(t.path(), &["filter", "in", "out", "--threads", "20000"], 30)
        .expect("--threads 20000 did not finish in 30 s");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--threads"), "{}", stderr(&o));
    for args in [
        &[
            "train", "--data", "data", "--out", "m.model", "--folds", "20000",
        ][..],
        &[
            "train", "--data", "data", "--out", "m.model", "--folds", "1",
        ],
        &[
            "train",
            "--data",
            "data",
            "--out",
            "m.model",
            "--folds",
            "0",
            "--context-weight",
            "nan",
        ],
        &[
            "train",
            "--data",
            "data",
            "--out",
            "m.model",
            "--folds",
            "0",
            "--threshold",
            "-1",
        ],
        &["eval", "data", "--folds", "1"],
        &["filter", "in", "out", "--max-doc-bytes", "0"],
    ] {
        let o = run_with_timeout(t.path(), args, 30).expect("did not finish in 30 s");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!t.path().join("m.model").exists(), "{args:?} wrote a model");
    }
}

/// FNV-1a, 64 bits (the model file's checksum).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[test]
fn a_rechecksummed_model_with_a_negative_threshold_is_refused() {
    let t = tmp();
    let bytes = std::fs::read(root().join("models/clean.model")).unwrap();
    let meta_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut meta: serde_json::Value = serde_json::from_slice(&bytes[16..16 + meta_len]).unwrap();
    meta["threshold"] = serde_json::json!(-1.0);
    meta["unsure"] = serde_json::json!(-1.0);
    let meta = serde_json::to_vec(&meta).unwrap();
    let mut out = bytes[..12].to_vec();
    out.extend((meta.len() as u32).to_le_bytes());
    out.extend(&meta);
    out.extend(&bytes[16 + meta_len..bytes.len() - 8]);
    let sum = fnv1a64(&out);
    out.extend(sum.to_le_bytes());
    write(&t.path().join("bad.model"), out);
    write(&t.path().join("in/a.txt"), article("health"));
    let o = clean(t.path(), &["filter", "in", "out", "--model", "bad.model"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.model"), "{}", stderr(&o));
}

// ---- 12. bounded memory ----------------------------------------------------------------------

/// Runs the binary under `/usr/bin/time` and returns (exit code, peak RSS in KiB if measured,
/// stderr). Measured by `time` (a small process), not by this test process, whose own memory a
/// child's peak would otherwise include.
fn run_rss(dir: &Path, args: &[&str]) -> (Option<i32>, Option<i64>, String) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipped: the peak-memory check needs /usr/bin/time");
        let o = clean(dir, args);
        return (o.status.code(), None, stderr(&o));
    }
    let o = Command::new(time)
        .args(["-f", "maxrss=%M"])
        .arg(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let err = stderr(&o);
    let rss = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok());
    (o.status.code(), rss, err)
}

#[test]
fn a_document_over_the_limit_is_streamed_through_unchanged() {
    let t = tmp();
    // A gzip bomb: 200 MB of zeros in about 200 KB, and a 100 MB binary file.
    let zeros = vec![0u8; 200 << 20];
    write(&t.path().join("in/bomb.txt.gz"), gz(&zeros, 6));
    drop(zeros);
    let mut bin_bytes = vec![0xffu8; 100 << 20];
    bin_bytes[1] = b'a';
    write(&t.path().join("in/big.bin"), &bin_bytes);
    drop(bin_bytes);
    // A text file and a JSON Lines record over a small limit, with an ad in them.
    write(&t.path().join("in/a.txt"), with_ad("health").repeat(20));
    let rec = serde_json::json!({"text": with_ad("energy").repeat(20)}).to_string() + "\n";
    let small = serde_json::json!({"text": with_ad("energy")}).to_string() + "\n";
    write(&t.path().join("in/s.jsonl"), format!("{small}{rec}{small}"));
    let (code, rss_kib, err) = run_rss(
        t.path(),
        &[
            "filter",
            "in",
            "out",
            "--threads",
            "2",
            "--max-doc-bytes",
            "4000000",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    if let Some(rss_kib) = rss_kib {
        eprintln!("peak RSS {} MiB", rss_kib / 1024);
        assert!(rss_kib < 100 * 1024, "peak RSS {rss_kib} KiB\n{err}");
    }
    for f in ["bomb.txt.gz", "big.bin"] {
        assert!(
            std::fs::read(t.path().join("in").join(f)).unwrap()
                == std::fs::read(t.path().join("out").join(f)).unwrap(),
            "{f} not copied byte for byte"
        );
    }
    assert!(
        err.contains("bomb.txt.gz: larger than --max-doc-bytes"),
        "{err}"
    );
    let o = clean(
        t.path(),
        &["filter", "in/a.txt", "a.txt", "--max-doc-bytes", "1000"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("a.txt")).unwrap(),
        with_ad("health").repeat(20)
    );
    assert!(
        stderr(&o).contains("larger than --max-doc-bytes"),
        "{}",
        stderr(&o)
    );
    let o = clean(
        t.path(),
        &["filter", "in/s.jsonl", "s.jsonl", "--max-doc-bytes", "2000"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(t.path().join("s.jsonl")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1], rec.trim_end(), "the long record passed through");
    assert_ne!(lines[0], small.trim_end(), "the short records are filtered");
    assert!(
        stderr(&o).contains("line 2: longer than --max-doc-bytes"),
        "{}",
        stderr(&o)
    );
}

// ---- 13. JSON Lines --------------------------------------------------------------------------

#[test]
fn jsonl_bad_records_are_passed_through_and_listed() {
    let t = tmp();
    let good = serde_json::json!({"text": with_ad("energy")}).to_string();
    let lines = [
        good.clone(),
        r#"{"id":1,"text":null}"#.to_string(),
        r#"{"id":2,"text":42}"#.to_string(),
        r#"{"id":3}"#.to_string(),
        r#"{"id":4,"text":"lone \ud800 surrogate"}"#.to_string(),
    ];
    write(&t.path().join("in/s.jsonl"), lines.join("\n") + "\n");
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(t.path().join("out/s.jsonl")).unwrap();
    let out_lines: Vec<&str> = out.lines().collect();
    assert_eq!(out_lines.len(), 5);
    assert_ne!(out_lines[0], good, "the good record is filtered");
    assert_eq!(
        &out_lines[1..],
        &lines[1..],
        "bad records pass through unchanged"
    );
    assert!(
        stderr(&o).contains("line 2: field `text` is null") && stderr(&o).contains("3 more"),
        "{}",
        stderr(&o)
    );
    let o = clean(
        t.path(),
        &["filter", "in", "out2", "--on-bad-record", "error"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("s.jsonl: line 2"), "{}", stderr(&o));
    // The lone surrogate is named as such, not as "not a string".
    write(&t.path().join("in/s.jsonl"), &lines[4]);
    let o = clean(
        t.path(),
        &["filter", "in", "out3", "--on-bad-record", "error"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not Unicode"), "{}", stderr(&o));
}

#[test]
fn jsonl_with_a_bom_is_read_and_the_bom_kept() {
    let t = tmp();
    let good = serde_json::json!({"text": with_ad("energy")}).to_string();
    write(
        &t.path().join("in/s.jsonl"),
        format!("\u{feff}{good}\n{good}\n"),
    );
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(t.path().join("out/s.jsonl")).unwrap();
    let want = serde_json::json!({"text": article("energy")}).to_string();
    assert_eq!(out, format!("\u{feff}{want}\n{want}\n"));
}

#[test]
fn non_utf8_jsonl_follows_non_text() {
    let t = tmp();
    let good = serde_json::json!({"text": with_ad("energy")}).to_string();
    let mut bytes = format!("{good}\n").into_bytes();
    bytes.extend(b"{\"text\": \"caf\xe9\"}\n");
    bytes.extend(format!("{good}\n").as_bytes());
    write(&t.path().join("in/s.jsonl"), &bytes);
    let want = serde_json::json!({"text": article("energy")}).to_string();
    let o = clean(t.path(), &["filter", "in", "copy"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut expect = format!("{want}\n").into_bytes();
    expect.extend(b"{\"text\": \"caf\xe9\"}\n");
    expect.extend(format!("{want}\n").as_bytes());
    assert_eq!(
        std::fs::read(t.path().join("copy/s.jsonl")).unwrap(),
        expect
    );
    assert!(
        stderr(&o).contains("line 2: not valid UTF-8"),
        "{}",
        stderr(&o)
    );
    let o = clean(t.path(), &["filter", "in", "skip", "--non-text", "skip"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("skip/s.jsonl")).unwrap(),
        format!("{want}\n{want}\n")
    );
    let o = clean(t.path(), &["filter", "in", "err", "--non-text", "error"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_non_text_gz_is_copied_byte_for_byte() {
    let t = tmp();
    let raw = gz(b"\xff\xfe\x00binary\x80", 9);
    write(&t.path().join("in/b.txt.gz"), &raw);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(t.path().join("out/b.txt.gz")).unwrap(), raw);
}

// ---- 14. unclear errors ----------------------------------------------------------------------

#[test]
fn a_fifo_inside_in_is_named() {
    let t = tmp();
    write(&t.path().join("in/a.txt"), with_ad("health"));
    let c = std::ffi::CString::new(t.path().join("in/pipe").to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("pipe: is a FIFO"), "{}", stderr(&o));
    assert!(t.path().join("out/a.txt").exists());
}

#[test]
fn a_pipe_as_in_is_read_as_one_file() {
    let t = tmp();
    let script = format!("exec {} filter <(cat in.txt) out.txt", bin());
    write(&t.path().join("in.txt"), with_ad("health"));
    let o = Command::new("bash")
        .args(["-c", &script])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out.txt")).unwrap(),
        article("health")
    );
}

#[test]
fn a_directory_into_an_existing_file_is_one_clear_error() {
    let t = tmp();
    for i in 0..3 {
        write(&t.path().join(format!("in/{i}.txt")), article("x"));
    }
    write(&t.path().join("out"), "a file\n");
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("existing file"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(t.path().join("out")).unwrap(),
        "a file\n"
    );
}

#[test]
fn a_path_beyond_path_max_is_named_with_the_limit() {
    let t = tmp();
    let name = "d".repeat(200);
    let script = format!(
        "mkdir in && cd in && for i in $(seq 25); do mkdir {name} && cd {name}; done && echo text > f.txt"
    );
    let ok = Command::new("bash")
        .args(["-c", &script])
        .current_dir(t.path())
        .status()
        .unwrap()
        .success();
    assert!(ok, "could not build the deep tree");
    let o = clean(t.path(), &["filter", "in", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("PATH_MAX"), "{}", stderr(&o));
    // Clean up the deep tree from the inside (remove_dir_all would hit the same limit).
    let _ = Command::new("bash")
        .args(["-c", &format!("cd in && for i in $(seq 25); do cd {name}; done; rm f.txt; for i in $(seq 25); do cd .. && rmdir {name}; done")])
        .current_dir(t.path())
        .status();
}
