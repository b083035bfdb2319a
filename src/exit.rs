//! The exit-code contract, in one place: 0 success, 1 `check` found ad paragraphs, 2 trouble.

/// How `clean` exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked (for `check`: nothing would be removed).
    Success = 0,
    /// `clean check` found paragraphs that would be removed.
    Found = 1,
    /// A usage error, or a file that could not be read or written.
    Trouble = 2,
}

impl ExitCode {
    /// The worse of two outcomes: trouble beats found beats success.
    pub fn merge(self, other: ExitCode) -> ExitCode {
        if (other as i32) > (self as i32) {
            other
        } else {
            self
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::ExitCode::*;

    #[test]
    fn merge_keeps_the_worst() {
        assert_eq!(Success.merge(Found), Found);
        assert_eq!(Found.merge(Success), Found);
        assert_eq!(Found.merge(Trouble), Trouble);
        assert_eq!(Trouble.merge(Success), Trouble);
    }
}
