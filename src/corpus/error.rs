//! Errors of the corpus readers: every message names the file and, for a bad record, the
//! 1-based line number and what is wrong with it.

use std::io;
use std::path::{Path, PathBuf};

/// An error while opening or reading a document collection.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file or directory could not be opened or read. Reading stops after this error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// One line of a JSONL or TSV file (or one line of a folder's text file) is unusable.
    #[error("{path}:{line}: {problem}")]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        problem: LineProblem,
    },
    /// A document id appeared a second time.
    #[error("{path}:{line}: duplicate document id {id:?} (first seen on line {first_line})")]
    DuplicateId {
        /// The file.
        path: PathBuf,
        /// 1-based line of the second occurrence.
        line: u64,
        /// 1-based line of the first occurrence.
        first_line: u64,
        /// The repeated id.
        id: String,
    },
    /// One file (or sub-directory) of a folder corpus is unusable.
    #[error("{path}: {problem}")]
    BadFile {
        /// The file or sub-directory.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The format could not be detected, or the path does not suit the format asked for.
    #[error(
        "{path}: {reason}. Supported formats: beir (DIR/corpus.jsonl or a corpus.jsonl file with \
         \"_id\"), jsonl (one JSON object per line with id and text fields), tsv (id<TAB>text per \
         line), folder (a directory of .txt/.md files). Use --format beir|jsonl|tsv|folder to \
         choose one"
    )]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
        /// Why no format fits.
        reason: String,
    },
    /// The collection yielded no document. The readers never return this themselves (an empty
    /// file simply yields nothing); see [`super::CorpusReader::empty_corpus_error`].
    #[error("{path}: the corpus has no documents{}", skipped_note(*.skipped))]
    EmptyCorpus {
        /// The collection.
        path: PathBuf,
        /// How many bad records were skipped.
        skipped: u64,
    },
}

fn skipped_note(skipped: u64) -> String {
    if skipped == 0 {
        String::new()
    } else {
        format!(" ({skipped} bad records were skipped)")
    }
}

impl CorpusError {
    /// True for errors about one record (a line, a duplicate id, one file of a folder): the
    /// reader can go on after them, and `skip_bad` skips them. False for I/O and setup errors.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            CorpusError::BadLine { .. }
                | CorpusError::DuplicateId { .. }
                | CorpusError::BadFile { .. }
        )
    }

    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            CorpusError::Io { path, .. }
            | CorpusError::BadLine { path, .. }
            | CorpusError::DuplicateId { path, .. }
            | CorpusError::BadFile { path, .. }
            | CorpusError::UnknownFormat { path, .. }
            | CorpusError::EmptyCorpus { path, .. } => path,
        }
    }

    /// The 1-based line number, for errors about one line.
    pub fn line(&self) -> Option<u64> {
        match self {
            CorpusError::BadLine { line, .. } | CorpusError::DuplicateId { line, .. } => {
                Some(*line)
            }
            _ => None,
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        CorpusError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    /// The line is not valid JSON (serde_json's message and 1-based column).
    #[error("invalid JSON at column {column}: {message}")]
    InvalidJson {
        /// 1-based column (in characters, as serde_json counts).
        column: usize,
        /// serde_json's message without its position.
        message: String,
    },
    /// The line is valid JSON but not an object.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A required field is absent.
    #[error("missing {role} field {field} (fields present: {present})")]
    MissingField {
        /// `id` or `text`.
        role: &'static str,
        /// The field name(s) looked for, quoted.
        field: String,
        /// The field names the line has (the first few).
        present: String,
    },
    /// A field has the wrong JSON type.
    #[error("{role} field {field:?} must be {expected}, found {found}")]
    WrongType {
        /// `id`, `text` or `title`.
        role: &'static str,
        /// The field name.
        field: String,
        /// The types accepted.
        expected: &'static str,
        /// The type found.
        found: String,
    },
    /// The document id is the empty string.
    #[error("empty document id")]
    EmptyId,
    /// The document id holds whitespace or a control character, which TREC run and qrels
    /// files (whitespace-separated) cannot hold and terminals would act on.
    #[error(
        "document id {id:?} contains {what}; TREC run and qrels files cannot hold it \
         (fix the id, or pass --skip-bad to skip the record)"
    )]
    UnusableId {
        /// The id.
        id: String,
        /// What it contains, in words.
        what: String,
    },
    /// The bytes are not UTF-8.
    #[error("invalid UTF-8 at byte offset {offset} of the file (byte {column} of the line)")]
    InvalidUtf8 {
        /// 0-based byte offset of the first bad byte in the file.
        offset: u64,
        /// 1-based byte column of the first bad byte in the line.
        column: usize,
    },
    /// A TSV line without a TAB.
    #[error("missing TAB: expected id<TAB>text")]
    MissingTab,
    /// A TSV line with the wrong number of columns.
    #[error("expected {expected} TAB-separated columns, found {found}{}", columns_hint(*.expected))]
    ColumnCount {
        /// Columns expected.
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// A field of a vector record is missing or unusable (import format, [`crate::vectors`]).
    #[error("{0}")]
    BadVector(VectorProblem),
    /// The line is longer than the configured limit.
    #[error("line longer than {limit} bytes")]
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
}

fn columns_hint(expected: usize) -> &'static str {
    if expected == 2 {
        " (id<TAB>text; a third column is read as the title only with the TSV title_column option)"
    } else {
        " (id<TAB>text<TAB>title)"
    }
}

/// What is wrong with the `vector` of an imported record ([`crate::vectors`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VectorProblem {
    /// No `vector` field.
    #[error("missing \"vector\" field (fields present: {present})")]
    Missing {
        /// The field names the line has (the first few).
        present: String,
    },
    /// `vector` is not an object.
    #[error("\"vector\" must be an object of term: weight, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: String,
    },
    /// A weight is not a number, or not a finite non-negative one.
    #[error("weight of term {term:?} {why}")]
    BadWeight {
        /// The term key as written.
        term: String,
        /// What is wrong, e.g. "is negative (-0.5)".
        why: String,
    },
    /// A token key that the model's vocabulary lacks.
    #[error("unknown token {token:?}: not in the model's vocabulary (keys are WordPiece tokens; numeric term ids need --vector-keys ids)")]
    UnknownToken {
        /// The key.
        token: String,
    },
    /// A numeric key that is not a term id of the vocabulary.
    #[error(
        "term key {key:?} is not a term id below the vocabulary size {vocab} (--vector-keys ids)"
    )]
    BadTermId {
        /// The key.
        key: String,
        /// The vocabulary size.
        vocab: usize,
    },
    /// Two keys name the same term.
    #[error("term {key:?} appears twice in the vector")]
    DuplicateTerm {
        /// The second key.
        key: String,
    },
}

/// An unknown `--format` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown corpus format {0:?}: expected one of beir, jsonl, tsv, folder")]
pub struct ParseFormatError(pub String);
