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

/// What kind of failure an [`Error`] is, for callers that act on it (retry, skip the file,
/// retrain the model) rather than show it. The message ([`std::fmt::Display`]) says the rest.
///
/// ```
/// use clean::{ErrorKind, Model};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("not.model");
/// std::fs::write(&path, b"hello")?;
/// let err = Model::load(&path).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NotAModel);
/// assert!(err.to_string().contains("not.model"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file failed in the operating system ([`Error::io_error`] has it).
    Io,
    /// A path is longer than the system allows.
    PathTooLong,
    /// The file is not a `clean` model (it lacks the header).
    NotAModel,
    /// The model file has a format version this build cannot read (newer, or invalid).
    ModelVersion,
    /// The model file's checksum does not match: truncated or corrupt.
    ModelChecksum,
    /// The model file's checksum matches but its contents are not valid (bad metadata, weights
    /// out of order or not finite, a cut out of range).
    ModelInvalid,
    /// Labelled training data could not be read or is not valid.
    TrainingData,
    /// Training could not be carried out on valid data (linfa refused to fit, or a model
    /// cannot be adapted).
    Fit,
    /// An input document cannot be read as what it was said to be: not UTF-8, a bad JSON
    /// record, too large, or a path that cannot be an input or output.
    Input,
    /// An argument out of its range, or inputs and outputs that conflict.
    InvalidArgument,
}

/// What can go wrong in `clean`'s library. [`Error::kind`] tells the kinds apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed. The message carries the OS reason once; the source is
    /// kept for callers that inspect it (a closed stdout, say).
    #[error("{}{}: {source}", role_prefix(.role), .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the file was to the command, when known.
        role: Option<Role>,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A model file is missing pieces, corrupt, or of another format version.
    #[error("model {}: not a usable model file: {reason}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// [`ErrorKind::NotAModel`], [`ErrorKind::ModelVersion`], [`ErrorKind::ModelChecksum`]
        /// or [`ErrorKind::ModelInvalid`].
        kind: ErrorKind,
        /// What is wrong, for people.
        reason: String,
    },
    /// Training data could not be read or is not valid.
    #[error("training data {}: {reason}", path.display())]
    TrainingData {
        /// The CSV file or directory.
        path: PathBuf,
        /// What is wrong, for people.
        reason: String,
    },
    /// linfa-bayes refused to fit, or a model cannot be trained or adapted as asked.
    #[error("training failed: {0}")]
    Fit(String),
    /// An input document is not what the filter can read.
    #[error("input {}: {reason}", path.display())]
    Input {
        /// The document (or the output path it would be written to).
        path: PathBuf,
        /// What is wrong, for people.
        reason: String,
        /// [`ErrorKind::Input`] or [`ErrorKind::PathTooLong`].
        kind: ErrorKind,
    },
    /// An argument out of range, or inputs and outputs that conflict.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns (its role said later by [`Error::with_role`],
    /// or not at all). A path too long for the system (ENAMETOOLONG) is named with the limit.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        if source.raw_os_error() == Some(libc::ENAMETOOLONG) {
            return Error::Input {
                path: path.into(),
                kind: ErrorKind::PathTooLong,
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

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::Model { kind, .. } | Error::Input { kind, .. } => *kind,
            Error::TrainingData { .. } => ErrorKind::TrainingData,
            Error::Fit(_) => ErrorKind::Fit,
            Error::Invalid(_) => ErrorKind::InvalidArgument,
        }
    }

    /// The operating system's error, for [`ErrorKind::Io`].
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }

    /// An input document that cannot be read as what it was said to be.
    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::Input {
            path: path.into(),
            reason: reason.into(),
            kind: ErrorKind::Input,
        }
    }

    /// True when this is a write to a reader that has gone away (`clean check | head -1`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
