//! The one error type of the `eval` module.

use std::path::PathBuf;

/// Everything that can go wrong while reading inputs, evaluating or comparing.
///
/// Messages name the file, the 1-based line, what was expected and, where it helps, what
/// to do about it.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be opened, read or written.
    #[error("{}: {action} failed: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// `"reading"` or `"writing"`.
        action: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A line of an input file does not follow its format.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },

    /// The same (query, document) pair occurs twice in a run read with
    /// [`OnDuplicate::Error`](super::OnDuplicate::Error), the behaviour of trec_eval.
    #[error(
        "{}:{line}: document '{docid}' for query '{qid}' already appeared on line {first_line} \
         ({count} duplicate (query, document) lines in the file); trec_eval refuses such files \
         (\"duplicate docs\"): fix the producer, or keep the last line (spladescope compare --on-duplicate keep-last)",
        path.display()
    )]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// Line of the second occurrence (the first duplicate in the file).
        line: usize,
        /// Line of the first occurrence.
        first_line: usize,
        /// Query id.
        qid: String,
        /// Document id.
        docid: String,
        /// How many duplicate lines the whole file holds.
        count: usize,
    },

    /// A BEIR folder lacks a file or is otherwise unusable.
    #[error("BEIR folder {}: {message}", dir.display())]
    Beir {
        /// The folder given to [`load_beir`](super::load_beir).
        dir: PathBuf,
        /// What is missing and where it was looked for.
        message: String,
    },

    /// An in-memory run cannot be evaluated or written as it is.
    #[error("run, query '{qid}': {message}")]
    InvalidRun {
        /// The query whose ranking is at fault.
        qid: String,
        /// What is wrong.
        message: String,
    },

    /// No query is left to average over.
    #[error("nothing to evaluate: {0}")]
    NoQueries(String),

    /// Two evaluations to compare do not cover the same queries.
    #[error(
        "cannot compare: the two evaluations cover different queries ({only_a} only in A, \
         {only_b} only in B; e.g. '{example}'); evaluate both runs with the same qrels and \
         QueryScope::AllQrels"
    )]
    QueryMismatch {
        /// Number of queries only in the first evaluation.
        only_a: usize,
        /// Number of queries only in the second evaluation.
        only_b: usize,
        /// One query id that differs.
        example: String,
    },
}

impl EvalError {
    /// Shorthand for [`EvalError::Parse`].
    pub(crate) fn parse(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        EvalError::Parse {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// Shorthand for [`EvalError::Io`] while reading.
    pub(crate) fn read(path: &std::path::Path, source: std::io::Error) -> Self {
        EvalError::Io {
            path: path.to_path_buf(),
            action: "reading",
            source,
        }
    }
}
