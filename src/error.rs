//! The one error type at the library boundary. Every variant names the file it is about.

use std::path::PathBuf;

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in `clean`'s library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A model file is missing pieces, corrupt, or of another format version.
    #[error("{}: not a usable model file: {reason}", path.display())]
    Model { path: PathBuf, reason: String },
    /// Training data could not be read or is not valid.
    #[error("{}: {reason}", path.display())]
    TrainingData { path: PathBuf, reason: String },
    /// linfa-bayes refused to fit.
    #[error("training failed: {0}")]
    Fit(String),
    /// An input document is not what the filter can read.
    #[error("{}: {reason}", path.display())]
    Input { path: PathBuf, reason: String },
    /// The command line asked for something that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns. A path too long for the system
    /// (ENAMETOOLONG) is named with the limit.
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
            source,
        }
    }
}
