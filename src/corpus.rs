//! Walking inputs and writing outputs: which files a run reads, in what order, and how each
//! output reaches disk (a temporary name in the same directory, then a rename, so a run killed at
//! any moment leaves only whole files under final names).

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written, removed by [`cleanup_on_signals`] when the process is stopped.
static TEMPS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn temps() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    TEMPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Blocks SIGINT, SIGTERM and SIGHUP (those not ignored) in the calling thread (and so in every thread started after)
/// and starts a thread that waits for them: it removes every temporary file still being written
/// and exits with 128 + the signal number, as a shell does. Call it first thing in `main`.
pub fn cleanup_on_signals() {
    // SAFETY: plain libc calls on a local signal set; no handler runs in signal context.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // A signal the parent set to be ignored (`nohup`, a background job of a script)
            // stays ignored.
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(s, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let set_copy = set;
        std::thread::spawn(move || {
            let mut sig: libc::c_int = 0;
            if libc::sigwait(&set_copy, &mut sig) != 0 {
                return;
            }
            // Holding the lock: no temporary file can be renamed into place after this.
            let held = temps();
            for p in held.iter() {
                let _ = std::fs::remove_file(p);
            }
            std::process::exit(128 + sig);
        });
    }
}

/// A file being written under an unpredictable temporary name beside its final path (created
/// exclusively, so a symlink planted there is never followed); [`AtomicFile::commit`] renames it
/// into place, and dropping it uncommitted, or a SIGINT/SIGTERM/SIGHUP, removes it.
pub struct AtomicFile {
    tmp: Option<tempfile::TempPath>,
    path: PathBuf,
    mode: Option<u32>,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

/// Refuses `-` as a file name: it means standard output where that is supported, and is never
/// written as a file called `-`.
fn not_dash(path: &Path) -> Result<()> {
    if path.as_os_str() == "-" {
        return Err(Error::Invalid(
            "`-` (standard output) is not supported here; give a file name".into(),
        ));
    }
    Ok(())
}

impl AtomicFile {
    /// Creates the temporary file (and the parent directories when they are missing: tried
    /// first without, so a corpus of many files per directory costs no directory call per file),
    /// with the permissions a new file gets (0666 less the umask).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        AtomicFile::create_with_mode(path, None)
    }

    /// Same, and the file gets the permission bits `mode` (those of the input, as `cp -p`).
    pub fn create_with_mode(path: &Path, mode: Option<u32>) -> Result<AtomicFile> {
        not_dash(path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let mut held = temps();
        let make = || {
            tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".clean-tmp")
                .permissions(std::fs::Permissions::from_mode(0o666))
                .tempfile_in(&dir)
        };
        let tmp = match make() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir).map_err(|e| Error::output_io(&dir, e))?;
                make()
            }
            other => other,
        }
        .map_err(|e| Error::output_io(path, e))?;
        let (file, tmp) = tmp.into_parts();
        held.insert(tmp.to_path_buf());
        Ok(AtomicFile {
            tmp: Some(tmp),
            path: path.to_path_buf(),
            mode,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
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
        let file = file
            .into_inner()
            .map_err(|e| Error::output_io(&self.path, e.into_error()))?;
        if let Some(mode) = self.mode {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))
                .map_err(|e| Error::output_io(&self.path, e))?;
        }
        drop(file);
        let tmp = self.tmp.take().expect("open until commit");
        let mut held = temps();
        let tmp_path = tmp.to_path_buf();
        let result = tmp.persist(&self.path);
        held.remove(&tmp_path);
        result.map_err(|e| Error::output_io(&self.path, e.error))?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let mut held = temps();
            held.remove(&tmp.to_path_buf());
            drop(tmp);
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

/// A file's identity: (device, inode). Two paths with the same identity are the same file,
/// whatever their names (symlinks, `..`, bind mounts, hard links).
pub type FileId = (u64, u64);

fn id_of(m: &std::fs::Metadata) -> FileId {
    (m.dev(), m.ino())
}

/// The identity of the file or directory at `p` (following symlinks), if it exists.
pub fn file_id(p: &Path) -> Option<FileId> {
    std::fs::metadata(p).ok().map(|m| id_of(&m))
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
            return Err(Error::Invalid(format!(
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

/// True for the temporary names [`write_atomic`] uses (`.NAME.RANDOM.clean-tmp`); other names
/// that merely contain `clean-tmp` are read like any other input.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".clean-tmp")
}

/// The input files of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Absolute or as-given path of the input root (a directory, or a single file).
    pub root: PathBuf,
    /// Files relative to `root`, sorted; a single-file input has one entry, the empty path.
    pub files: Vec<PathBuf>,
    /// The identities of every input file, so that no output replaces one of them.
    pub ids: BTreeSet<FileId>,
}

fn canonical(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

/// Refuses an output that is the input itself (by path or by identity, as a bind mount of the
/// input is), and an output of the wrong kind: a directory input needs a directory output, a
/// file input a file output.
pub fn check_paths(input: &Path, output: &Path) -> Result<()> {
    let same_path = matches!((canonical(input), canonical(output)), (Some(i), Some(o)) if i == o);
    let same_file = matches!((file_id(input), file_id(output)), (Some(i), Some(o)) if i == o);
    if same_path || same_file {
        return Err(Error::Invalid(format!(
            "the output {} is the input itself; choose another output directory",
            output.display()
        )));
    }
    let (Ok(i), Ok(o)) = (std::fs::metadata(input), std::fs::metadata(output)) else {
        return Ok(());
    };
    if i.is_dir() && !o.is_dir() {
        return Err(Error::Invalid(format!(
            "the input {} is a directory but the output {} is an existing file; give a directory (new or existing) as the output",
            input.display(),
            output.display()
        )));
    }
    if !i.is_dir() && o.is_dir() {
        return Err(Error::Invalid(format!(
            "the input {} is a single file but the output {} is a directory; give the output file's path",
            input.display(),
            output.display()
        )));
    }
    Ok(())
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

fn not_regular(path: PathBuf, ft: &std::fs::FileType) -> Error {
    Error::input(
        path,
        format!(
            "is {}, not a regular file; not read (give it as IN on its own to read it)",
            special_kind(ft)
        ),
    )
}

/// Lists the files under `root` recursively, sorted by path, skipping `exclude_dir` (the output
/// directory when it lies inside the input, found by identity). Directory symlinks are not
/// followed; file symlinks are read as files; FIFOs, sockets and devices inside a directory are
/// named in `problems` and not read. A root that is not a directory (a file, or a pipe such as
/// `<(zcat x.gz)`) is a single-file input. Errors reading a directory are returned in
/// `problems`, not fatal.
pub fn walk(root: &Path, exclude_dir: Option<&Path>) -> Result<(Inputs, Vec<Error>)> {
    let meta = std::fs::metadata(root).map_err(|e| Error::input_io(root, e))?;
    if !meta.is_dir() {
        return Ok((
            Inputs {
                root: root.to_path_buf(),
                files: vec![PathBuf::new()],
                ids: [id_of(&meta)].into_iter().collect(),
            },
            Vec::new(),
        ));
    }
    let exclude = exclude_dir.and_then(file_id);
    let mut files = Vec::new();
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        if exclude.is_some() && file_id(&dir) == exclude {
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
            } else if ft.is_file() || ft.is_symlink() {
                // Follow file symlinks only; a directory symlink could loop. A dangling one is
                // an unreadable file: say so.
                match std::fs::metadata(root.join(&child)) {
                    Ok(m) if m.is_file() => {
                        ids.insert(id_of(&m));
                        files.push(child);
                    }
                    Ok(m) if m.is_dir() => {}
                    Ok(m) => problems.push(not_regular(root.join(&child), &m.file_type())),
                    Err(e) => problems.push(Error::input_io(root.join(&child), e)),
                }
            } else {
                problems.push(not_regular(root.join(&child), &ft));
            }
        }
    }
    files.sort();
    Ok((
        Inputs {
            root: root.to_path_buf(),
            files,
            ids,
        },
        problems,
    ))
}

/// Makes the directories for the output of input `rel` under `out` and returns its path,
/// refusing to write through a symlink inside `out` (the root itself may be one), and refusing an
/// output that is one of the inputs (`ids`) under another name. New directories get the
/// permission bits of the input directory they mirror (the owner keeps write access).
pub fn prepare_output(
    out: &Path,
    rel: &Path,
    in_root: &Path,
    ids: &BTreeSet<FileId>,
) -> Result<PathBuf> {
    let dst = if rel.as_os_str().is_empty() {
        out.to_path_buf()
    } else {
        out.join(rel)
    };
    if rel.as_os_str().is_empty() {
        if let Some(p) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(p).map_err(|e| Error::output_io(p, e))?;
        }
    } else {
        if !out.exists() {
            make_dir(out, in_root)?;
        }
        let mut dir = out.to_path_buf();
        let mut src = in_root.to_path_buf();
        let parent = rel.parent().unwrap_or(Path::new(""));
        for c in parent.components() {
            dir.push(c);
            src.push(c);
            match std::fs::symlink_metadata(&dir) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::input(
                        dir,
                        "is a symbolic link inside the output directory; not writing through it",
                    ))
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(Error::input(
                        dir,
                        "exists in the output directory and is not a directory",
                    ))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => make_dir(&dir, &src)?,
                Err(e) => return Err(Error::output_io(&dir, e)),
            }
        }
    }
    if let Ok(m) = std::fs::symlink_metadata(&dst) {
        if m.is_dir() {
            return Err(Error::input(
                dst,
                "is a directory; cannot write the output there",
            ));
        }
        if ids.contains(&id_of(&m)) {
            return Err(Error::input(dst, "is one of the input files (the same file under another name); not written, so the input is not replaced"));
        }
    }
    Ok(dst)
}

fn make_dir(dir: &Path, like: &Path) -> Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::output_io(dir, e))?
        }
        Err(e) => return Err(Error::output_io(dir, e)),
    }
    if let Ok(m) = std::fs::metadata(like) {
        let mode = (m.permissions().mode() & 0o7777) | 0o700;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::output_io(dir, e))?;
    }
    Ok(())
}
