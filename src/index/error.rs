//! Errors of building, opening and reading an index.

use std::path::PathBuf;

use crate::corpus::CorpusError;
use crate::encoder::EncoderError;

/// Everything that can go wrong with an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file's footer, checksum or contents are wrong.
    #[error("{path}: corrupt index file: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// An index written by another format version.
    #[error(
        "{path}: index format version {found}, but this spladescope reads version {expected}; \
         rebuild the index with `spladescope index`"
    )]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// A file is not the one the manifest describes (another build, or edited).
    #[error("{path}: {reason}; the index files come from different builds, rebuild the index")]
    Mismatch { path: PathBuf, reason: String },
    /// A mapped file changed length on disk while it was open.
    #[error(
        "{path} changed on disk while it was open ({opened} bytes then, {now} now); \
         reopen the index"
    )]
    Changed {
        path: PathBuf,
        opened: u64,
        now: u64,
    },
    /// The directory is not an index.
    #[error(
        "{0} is not a spladescope index (no manifest.json); build one with `spladescope index`"
    )]
    NotAnIndex(PathBuf),
    /// The output may not be replaced, even with `--force`.
    #[error("{path} {reason}")]
    NotReplaceable { path: PathBuf, reason: String },
    /// A killed build's previous index was put back at the output, which now exists.
    #[error(
        "put the index {path} back from {from}, where a build killed during its swap had left \
         it; pass --force to replace it"
    )]
    Restored { path: PathBuf, from: PathBuf },
    /// Another build holds the output's lock.
    #[error(
        "another spladescope build is writing {path} (it holds {lock}); wait for it to finish"
    )]
    Busy { path: PathBuf, lock: PathBuf },
    /// The output exists and `--force` was not given.
    #[error("{0} already exists; pass --force to replace it")]
    Exists(PathBuf),
    /// The corpus could not be read.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The encoder failed.
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    /// The build was interrupted (Ctrl-C); nothing was left behind.
    #[error("interrupted; the partial index was removed")]
    Interrupted,
    /// The query model differs from the index model.
    #[error(
        "the index was built with model {index_model} but the query model is {query_model} \
         (different files); search with the index's model, or pass --allow-model-mismatch"
    )]
    ModelMismatch {
        index_model: String,
        query_model: String,
    },
    /// No document has this id.
    #[error("no document with id {0:?} in the index")]
    UnknownDocument(String),

    /// `hint` names the pieces the tokenizer cuts the token into, if any.
    #[error("{token:?} is not a term of the vocabulary{hint}")]
    UnknownTerm { token: String, hint: String },
}

/// Result type of the index.
pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// Wraps an I/O error with its path.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}
