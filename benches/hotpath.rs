//! Per-core throughput of the filter's stages, the lean hot path against the reference, on one
//! thread, in the same process, in alternating rounds (the machine is shared: figures are the
//! median of the rounds, in MB/s of thread CPU time, with wall time beside them).
//!
//! ```sh
//! cargo bench --bench hotpath -- DIR [MB] [ROUNDS]
//! ```
//! DIR: a directory of text files (e.g. the corpus benches/bench.sh generates, kept with
//! BENCH_KEEP=1); MB: how much of it to load (default 40); ROUNDS (default 5). With
//! `HOTPATH_ONLY=TEXT`, only the stages whose name holds TEXT run (for a profiler).

use clean::internals::paragraphs;
use clean::internals::Scanner;
use clean::internals::{judge, judge_reference};
use clean::Model;
use clean::Settings;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Thread CPU time in seconds.
fn cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench hotpath -- DIR [MB] [ROUNDS]");
        std::process::exit(2);
    };
    let mb: f64 = args.get(1).map_or(40.0, |s| s.parse().expect("MB"));
    let rounds: usize = args.get(2).map_or(5, |s| s.parse().expect("ROUNDS"));
    let mut paths = Vec::new();
    files(Path::new(dir), &mut paths);
    let mut docs = Vec::new();
    let mut bytes = 0usize;
    for p in paths {
        let Ok(t) = std::fs::read_to_string(&p) else {
            continue;
        };
        bytes += t.len();
        docs.push(t);
        if bytes as f64 >= mb * 1e6 {
            break;
        }
    }
    let mbytes = bytes as f64 / 1e6;
    let model = Model::builtin().unwrap();
    let settings = Settings::from_model(&model);
    let cfg = model.meta.features;
    let paras: Vec<&str> = docs
        .iter()
        .flat_map(|d| paragraphs(d).into_iter().map(move |r| &d[r]))
        .collect();
    let (mut ids, mut known) = (0usize, 0usize);
    let mut scanner = Scanner::default();
    for p in &paras {
        scanner.scan(p, &cfg);
        ids += scanner.ids.len();
        known += model.score_scanned(&scanner.ids, 0).known_tokens as usize;
    }
    println!(
        "{} documents, {} paragraphs, {mbytes:.1} MB; {:.0} token ids per KB, {:.1}% of them known",
        docs.len(),
        paras.len(),
        ids as f64 / (bytes as f64 / 1e3),
        100.0 * known as f64 / ids as f64
    );
    // Sanity: the same verdicts and bits on what is measured.
    let only = std::env::var("HOTPATH_ONLY").unwrap_or_default();
    for d in docs.iter().filter(|_| only.is_empty()) {
        assert_eq!(
            judge(&model, d, &settings),
            judge_reference(&model, d, &settings)
        );
    }

    type Stage<'a> = (&'static str, Box<dyn Fn() + 'a>);
    let stages: Vec<Stage> = vec![
        (
            "segmentation",
            Box::new(|| {
                for d in &docs {
                    black_box(paragraphs(d));
                }
            }),
        ),
        (
            "reference: tokens, ids, lookups, content words (score_reference)",
            Box::new(|| {
                let mut w = Vec::new();
                for p in &paras {
                    w.clear();
                    black_box(model.score_reference(p, &mut w));
                }
            }),
        ),
        (
            "reference: unknown-text statistics (unknown::stats)",
            Box::new(|| {
                for p in &paras {
                    black_box(clean::internals::stats(p));
                }
            }),
        ),
        (
            "reference: whole judge (judge_reference)",
            Box::new(|| {
                for d in &docs {
                    black_box(judge_reference(&model, d, &settings));
                }
            }),
        ),
        (
            "lean: scan (ids, content words, statistics; Scanner::scan)",
            Box::new(|| {
                let mut s = Scanner::default();
                for p in &paras {
                    black_box(s.scan(p, &cfg));
                }
            }),
        ),
        (
            "lean: scan + lookups (score_scanned)",
            Box::new(|| {
                let mut s = Scanner::default();
                for p in &paras {
                    let sc = s.scan(p, &cfg);
                    black_box(model.score_scanned(&s.ids, sc.words));
                }
            }),
        ),
        (
            "lean: whole judge (judge)",
            Box::new(|| {
                for d in &docs {
                    black_box(judge(&model, d, &settings));
                }
            }),
        ),
    ];
    let stages: Vec<Stage> = stages
        .into_iter()
        .filter(|(name, _)| name.contains(only.as_str()))
        .collect();
    let mut cpu_times = vec![Vec::new(); stages.len()];
    let mut wall_times = vec![Vec::new(); stages.len()];
    for round in 0..rounds {
        // Rotate the order so a noisy moment does not always hit the same stage.
        for k in 0..stages.len() {
            let i = (k + round) % stages.len();
            let (c0, w0) = (cpu(), Instant::now());
            (stages[i].1)();
            cpu_times[i].push(cpu() - c0);
            wall_times[i].push(w0.elapsed().as_secs_f64());
        }
    }
    println!("{:<68} {:>12} {:>12}", "stage", "MB/s (cpu)", "MB/s (wall)");
    for (i, (name, _)) in stages.iter().enumerate() {
        println!(
            "{name:<68} {:>12.0} {:>12.0}",
            mbytes / median(cpu_times[i].clone()),
            mbytes / median(wall_times[i].clone())
        );
    }
    if stages.len() == 7 {
        let r = median(cpu_times[3].clone()) / median(cpu_times[6].clone());
        println!("judge speed-up, lean over reference (cpu medians): {r:.2}x");
    }
}
