//! The one error type at the library boundary. Every variant names the file it is about, and an
//! I/O error also says what the file was to the command ([`Role`]): input, output, model, ...

use std::path::PathBuf;

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a path was to the command that failed on it; shown before the path in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A document read by `filter`, `check`, `explain`, `adapt`.
    Input,
    /// A document written by `filter`.
    Output,
    /// A model file, read or written.
    Model,
    /// Labelled CSV read by `train`, `eval`, `learn`.
    TrainingData,
    /// A `--report`, `--summary-json` or `--attributes` file written.
    Report,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Input => "input",
            Role::Output => "output",
            Role::Model => "model",
            Role::TrainingData => "training data",
            Role::Report => "report",
        })
    }
}

fn role_prefix(role: &Option<Role>) -> String {
    role.map(|r| format!("{r} ")).unwrap_or_default()
}

/// What can go wrong in `clean`'s library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed. The message carries the OS reason once; the source is
    /// kept for callers that inspect it (a closed stdout, say).
    #[error("{}{}: {source}", role_prefix(.role), .path.display())]
    Io {
        path: PathBuf,
        role: Option<Role>,
        #[source]
        source: std::io::Error,
    },
    /// A model file is missing pieces, corrupt, or of another format version.
    #[error("model {}: not a usable model file: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// Training data could not be read or is not valid.
    #[error("training data {}: {reason}", path.display())]
    TrainingData { path: PathBuf, reason: String },
    /// linfa-bayes refused to fit.
    #[error("training failed: {0}")]
    Fit(String),
    /// An input document is not what the filter can read.
    #[error("input {}: {reason}", path.display())]
    Input { path: PathBuf, reason: String },
    /// The command line asked for something that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns (its role said later by [`Error::with_role`],
    /// or not at all). A path too long for the system (ENAMETOOLONG) is named with the limit.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        if source.raw_os_error() == Some(libc::ENAMETOOLONG) {
            return Error::Input {
                path: path.into(),
                reason: format!(
                    "the path is longer than the system allows (PATH_MAX, {} bytes, or NAME_MAX, 255 bytes, for one name); clean cannot reach it: move or rename it",
                    libc::PATH_MAX
                ),
            };
        }
        Error::Io {
            path: path.into(),
            role: None,
            source,
        }
    }

    /// An I/O error on an input document.
    pub fn input_io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::io(path, source).with_role(Role::Input)
    }

    /// An I/O error on an output document.
    pub fn output_io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::io(path, source).with_role(Role::Output)
    }

    /// Says what the path of an I/O error was to the command (replacing a role set deeper down,
    /// since the caller knows the file's purpose best). Other errors are returned unchanged.
    pub fn with_role(self, role: Role) -> Error {
        match self {
            Error::Io { path, source, .. } => Error::Io {
                path,
                role: Some(role),
                source,
            },
            e => e,
        }
    }

    /// True when this is a write to a reader that has gone away (`clean check | head -1`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
