use std::fmt;

use serde::Serialize;

/// One thing wrong with an input: where it is and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file (or request) the problem is in.
    pub file: String,
    /// The 1-based line of the file; 0 when the problem is about the file as a whole.
    pub line: u64,
    /// The column (header name), when one is at fault.
    pub column: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn new(file: &str, line: u64, column: Option<&str>, reason: impl Into<String>) -> Problem {
        Problem {
            file: file.to_owned(),
            line,
            column: column.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(column) = &self.column {
            write!(f, " [{column}]")?;
        }
        write!(f, ": {}", self.reason)
    }
}
