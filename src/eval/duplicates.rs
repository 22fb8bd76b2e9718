//! What readers do with repeated keys, and how they report them.

use serde::Serialize;

/// What a reader does when a (query, document) pair occurs on more than one line.
///
/// trec_eval 9.x/10.0 aborts on such files (`form_res_rels: duplicate docs`), and so do
/// `pytrec_eval.parse_run` / `parse_qrel`. Anything that loads a file into a Python dict
/// (BEIR's `GenericDataLoader`, hand-written loaders feeding `pytrec_eval`) keeps the last
/// line silently. Runs default to [`OnDuplicate::Error`], qrels to [`OnDuplicate::KeepLast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum OnDuplicate {
    /// Fail with [`EvalError::Duplicate`](super::EvalError::Duplicate) (trec_eval).
    #[default]
    Error,
    /// Keep the first line's value.
    KeepFirst,
    /// Keep the last line's value (Python dict semantics, BEIR).
    KeepLast,
}

/// One repeated key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// Query id.
    pub qid: String,
    /// Document id (`None` for a repeated query in `queries.jsonl`).
    pub docid: Option<String>,
    /// 1-based line of this repetition.
    pub line: usize,
    /// 1-based line where the key first appeared.
    pub first_line: usize,
    /// Whether the repeated line carries the value already kept (relevance, score or text).
    pub same_value: bool,
}

impl Duplicate {
    /// The error refusing a file whose first repetition is `self` (of `count` in all).
    pub fn into_error(self, path: &std::path::Path, count: usize) -> super::EvalError {
        super::EvalError::Duplicate {
            path: path.to_path_buf(),
            line: self.line,
            first_line: self.first_line,
            qid: self.qid,
            docid: self.docid.unwrap_or_default(),
            count,
        }
    }
}

/// Counts of repeated keys in one file, with the first few as examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DuplicateReport {
    /// Number of lines whose key had already appeared.
    pub count: usize,
    /// How many of those carried a value different from the one kept at that point.
    pub conflicting: usize,
    /// The first [`DuplicateReport::MAX_EXAMPLES`] repetitions, in file order.
    pub examples: Vec<Duplicate>,
}

impl DuplicateReport {
    /// How many examples are kept.
    pub const MAX_EXAMPLES: usize = 20;

    /// True when the file had no repeated key.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn record(&mut self, dup: Duplicate) {
        self.count += 1;
        if !dup.same_value {
            self.conflicting += 1;
        }
        if self.examples.len() < Self::MAX_EXAMPLES {
            self.examples.push(dup);
        }
    }
}
