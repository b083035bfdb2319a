//! Walking inputs and writing outputs: which files a run reads, in what order, and how each
//! output reaches disk (a temporary name in the same directory, then a rename, so a run killed at
//! any moment leaves only whole files under final names).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file being written under a temporary name beside its final path; [`AtomicFile::commit`]
/// renames it into place, and dropping it uncommitted removes it.
pub struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file (and the parent directories when they are missing: tried
    /// first without, so a corpus of many files per directory costs no directory call per file).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let pid = *PID.get_or_init(std::process::id);
        let tmp = dir.join(format!(".{name}.clean-tmp-{pid}"));
        let file = match std::fs::File::create(&tmp) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir).map_err(|e| Error::output_io(&dir, e))?;
                std::fs::File::create(&tmp)
            }
            other => other,
        }
        .map_err(|e| Error::output_io(path, e))?;
        Ok(AtomicFile {
            tmp,
            path: path.to_path_buf(),
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
            committed: false,
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<std::fs::File> {
        self.file.as_mut().expect("open until commit")
    }

    /// Flushes and renames the file to its final name.
    /// On any failure the temporary file is removed (by `Drop`) and the error names the path.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("open until commit");
        // No fsync: a killed process leaves no partial file under a final name (rename is
        // atomic), which is the guarantee promised; surviving power loss is not.
        drop(
            file.into_inner()
                .map_err(|e| Error::output_io(&self.path, e.into_error()))?,
        );
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::output_io(&self.path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename. Parent
/// directories are created. On failure the temporary file is removed and the error names `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.writer()
        .write_all(bytes)
        .map_err(|e| Error::output_io(path, e))?;
    f.commit()
}

/// The directory, inside an output directory, where each `clean filter` run lists the files it
/// writes there (one file per run kind: `all`, or `shard-K-of-N`). A file in an output directory
/// may be replaced only when a manifest lists it (or with `--overwrite`), so swapping IN and OUT
/// cannot replace originals. The walk never reads it as input.
pub const MANIFEST_DIR: &str = ".clean-manifest";

/// Checks that every output `dir/rel` that already exists was written by an earlier `clean` run
/// (is listed in a manifest under `dir`), unless `overwrite`; then records `rels` in the manifest
/// named `key`, before any output is written (so a run killed halfway can be run again).
pub fn guard_outputs(dir: &Path, rels: &[PathBuf], key: &str, overwrite: bool) -> Result<()> {
    let mdir = dir.join(MANIFEST_DIR);
    let mut listed = std::collections::BTreeSet::new();
    let mut own = std::collections::BTreeSet::new();
    if let Ok(rd) = std::fs::read_dir(&mdir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_temp_name(&name) {
                continue;
            }
            let text =
                std::fs::read_to_string(e.path()).map_err(|err| Error::output_io(e.path(), err))?;
            for line in text.lines() {
                if let Ok(p) = serde_json::from_str::<String>(line) {
                    if name == key {
                        own.insert(p.clone());
                    }
                    listed.insert(p);
                }
            }
        }
    }
    let shown = |rel: &Path| rel.to_string_lossy().replace('\\', "/");
    if !overwrite {
        let foreign: Vec<String> = rels
            .iter()
            .filter(|rel| std::fs::symlink_metadata(dir.join(rel)).is_ok())
            .map(|rel| shown(rel))
            .filter(|rel| !listed.contains(rel))
            .collect();
        if let Some(first) = foreign.first() {
            return Err(Error::Usage(format!(
                "output {}: {} file(s) there would be replaced that no earlier `clean filter` wrote \
                 (first: {first}); refusing, in case IN and OUT are swapped. Pass --overwrite to \
                 replace them",
                dir.display(),
                foreign.len()
            )));
        }
    }
    let before = own.len();
    own.extend(rels.iter().map(|r| shown(r)));
    if own.len() != before || !mdir.join(key).exists() {
        let mut text = String::new();
        for p in &own {
            text.push_str(&serde_json::to_string(p).expect("a string serializes"));
            text.push('\n');
        }
        write_atomic(&mdir.join(key), text.as_bytes())?;
    }
    Ok(())
}

/// True for the temporary names [`write_atomic`] uses.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(".clean-tmp-")
}

/// The input files of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Absolute or as-given path of the input root (a directory, or a single file).
    pub root: PathBuf,
    /// Files relative to `root`, sorted; a single-file input has one entry, the empty path.
    pub files: Vec<PathBuf>,
}

fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

/// Refuses an output that is the input itself.
pub fn check_paths(input: &Path, output: &Path) -> Result<()> {
    if let (Some(i), Some(o)) = (canonical(input), canonical(output)) {
        if i == o {
            return Err(Error::Usage(format!(
                "the output {} is the input itself; choose another output directory",
                output.display()
            )));
        }
    }
    Ok(())
}

/// Lists the files under `root` recursively, sorted by path, skipping `exclude_dir` (the output
/// directory when it lies inside the input). Directory symlinks are not followed; file symlinks
/// are read as files. Errors reading a directory are returned in `problems`, not fatal.
pub fn walk(root: &Path, exclude_dir: Option<&Path>) -> Result<(Inputs, Vec<Error>)> {
    let meta = std::fs::metadata(root).map_err(|e| Error::input_io(root, e))?;
    if meta.is_file() {
        return Ok((
            Inputs {
                root: root.to_path_buf(),
                files: vec![PathBuf::new()],
            },
            Vec::new(),
        ));
    }
    let exclude = exclude_dir.and_then(canonical);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        if exclude.is_some() && canonical(&dir) == exclude {
            continue;
        }
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                problems.push(Error::input_io(&dir, e));
                continue;
            }
        };
        for entry in rd {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Error::input_io(&dir, e));
                    continue;
                }
            };
            let name = entry.file_name();
            if is_temp_name(&name.to_string_lossy()) || name == MANIFEST_DIR {
                continue;
            }
            let child = rel.join(&name);
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    problems.push(Error::input_io(root.join(&child), e));
                    continue;
                }
            };
            if ft.is_dir() {
                stack.push(child);
            } else if ft.is_file() {
                files.push(child);
            } else if ft.is_symlink() {
                // Follow file symlinks only; a directory symlink could loop. A dangling one is
                // an unreadable file: say so.
                match std::fs::metadata(root.join(&child)) {
                    Ok(m) if m.is_file() => files.push(child),
                    Ok(_) => {}
                    Err(e) => problems.push(Error::input_io(root.join(&child), e)),
                }
            }
        }
    }
    files.sort();
    Ok((
        Inputs {
            root: root.to_path_buf(),
            files,
        },
        problems,
    ))
}
