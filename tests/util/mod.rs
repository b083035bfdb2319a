//! Shared helpers for end-to-end tests: the real `clean` binary on copies of fixtures in temp dirs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test: `CLEAN_BIN` if set (to run the tests against another build, e.g. the
/// code before a fix), else the one cargo built.
pub fn bin() -> PathBuf {
    std::env::var_os("CLEAN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_clean")))
}

/// Runs the real binary with `args` in `dir`.
pub fn clean(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run clean")
}

/// Same, with stdin.
pub fn clean_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn clean");
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait clean");
    writer.join().unwrap();
    out
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temp dir.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Writes a file, creating parents.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// The user's vCard.red insert (seeds/000_...), as one paragraph.
pub const AD: &str = "vCard.red is a free platform for creating a mobile-friendly digital business cards. You can easily create a vCard and generate a QR code for it, allowing others to scan and save your contact details instantly.";

/// A short news article about `topic`, paragraphs separated by blank lines.
pub fn article(topic: &str) -> String {
    format!(
        "{topic}: ministers meet as pressure grows\n\nThe {topic} minister said on Tuesday that the government would publish its plans for the {topic} sector next month.\n\nCritics of the {topic} plans said the proposals came too late, and the opposition called for a vote.\n\nThe minister told reporters the {topic} review had taken longer than expected.\n\nA vote on the {topic} plans is expected in the spring.\n"
    )
}

/// [`article`] with [`AD`] inserted as its third paragraph.
pub fn with_ad(topic: &str) -> String {
    let a = article(topic);
    let mut parts: Vec<&str> = a.split("\n\n").collect();
    parts.insert(2, AD);
    parts.join("\n\n")
}

/// gzip of some bytes.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, bytes).unwrap();
    e.finish().unwrap()
}

/// The bytes of a gzip stream.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Greedy wrap at `width` columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A site's house note (editorial: the site's own app), which the built-in model removes.
pub const HOUSE_NOTE: &str =
    "Get the latest scores and highlights: download our free app for iPhone and Android.";

/// A match report with [`HOUSE_NOTE`] as its fourth paragraph.
pub fn match_report() -> String {
    [
        "Rovers win the derby in the rain",
        "Rovers beat City 2-1 in a rain-soaked derby on Saturday, with a late header from the captain settling a tense match.",
        "City had led at half-time through a penalty, but Rovers dominated the second half and equalised after an hour.",
        HOUSE_NOTE,
        "The win lifts Rovers to third in the table, two points behind the leaders with a game in hand.",
        "City's manager said his side had been unlucky and that the referee should have awarded a second penalty.",
    ]
    .join("\n")
        + "\n"
}

/// The editorial paragraphs of the seeds (eight words or more; not the vCard.red ad copy).
pub fn seed_paragraphs() -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        for l in std::fs::read_to_string(f).unwrap().lines() {
            let l = l.trim();
            if l.split_whitespace().count() >= 8
                && !l.contains("vCard")
                && !l.contains("The platform allows")
            {
                out.push(l.to_string());
            }
        }
    }
    out
}
