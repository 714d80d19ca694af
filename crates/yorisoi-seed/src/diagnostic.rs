//! A steward-facing error: `path:line:col: message`.

use std::fmt;
use std::path::PathBuf;

/// One problem in a seed file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as given to `check` joined with its path below the seed directory.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What is wrong and what to do; lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)
    }
}
