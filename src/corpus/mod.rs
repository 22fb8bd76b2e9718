//! Streaming readers for document collections.
//!
//! [`CorpusReader`] yields `Result<Document, CorpusError>` one document at a time: line formats
//! are read through a buffered reader line by line (one line in memory, at most
//! [`CorpusOptions::max_record_bytes`]), a folder one file at a time. [`CorpusReader::progress`]
//! gives bytes read / total bytes for progress bars.
//!
//! ```
//! use spladescope::corpus::{CorpusError, CorpusOptions, CorpusReader};
//! # fn main() -> Result<(), CorpusError> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("corpus.jsonl");
//! # std::fs::write(&path, "{\"_id\": \"d1\", \"title\": \"T\", \"text\": \"body\"}\n").unwrap();
//! let mut reader = CorpusReader::open(&path, &CorpusOptions::default())?;
//! for doc in &mut reader {
//!     let doc = doc?;
//!     assert_eq!(doc.indexed_text(), "T body"); // what the encoder and BM25 see
//! }
//! if reader.documents() == 0 {
//!     return Err(reader.empty_corpus_error());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Formats
//!
//! - **`beir`**: a directory holding `corpus.jsonl`, or such a file. One JSON object per line:
//!   ```text
//!   {"_id": "4983", "title": "Microstructural development ...", "text": "Alterations of ...", "metadata": {}}
//!   ```
//!   `_id` is a string or an integer (an integer becomes its decimal string, `42` -> `"42"`).
//!   `title` may be missing or `null` (then empty); `text` must be a string. Other fields are
//!   skipped without being parsed into memory.
//! - **`jsonl`**: one JSON object per line with configurable field names ([`JsonlFields`],
//!   defaults `id`, `text`, `title`): `{"id": 7, "text": "...", "title": "..."}`. With the
//!   default id field `id`, a line without `id` may use `_id` instead. No title field, or a
//!   missing / `null` title, gives an empty title.
//! - **`tsv`**: `id<TAB>text` per line, no header, no quoting (MS MARCO `collection.tsv`):
//!   ```text
//!   0<TAB>The presence of communication amid scientific minds was ...
//!   ```
//!   A third column is an error unless [`TsvOptions::title_column`] reads it as the title
//!   (`id<TAB>text<TAB>title`, DPR's order); [`TsvOptions::skip_header`] skips line 1.
//! - **`folder`**: a directory of `.txt` and `.md` files (extension case-insensitive), walked
//!   recursively. One document per file; id = the path relative to the directory with `/`
//!   separators (`notes/rust/ownership.md`). For `.md` the title is the first level-1 heading
//!   (`# Title`, outside code fences) and the text is the file without that line; for `.txt`
//!   the title is empty. Title and text are trimmed. Documents come sorted by id (byte order).
//!   Hidden files and directories (name starting with `.`) are skipped. Symbolic links are
//!   followed unless they point inside the directory (the real path is read instead), and each
//!   directory is walked once, so link loops end.
//!
//! In the line formats a UTF-8 byte order mark at the start of the file, `\r\n` line ends and
//! a last line without `\n` are accepted, and blank lines are skipped. Line numbers in errors
//! count every line, blank ones included, from 1.
//!
//! # Detection ([`detect`])
//!
//! With [`CorpusOptions::format`] set, that format is used (a directory given for `beir` means
//! `DIR/corpus.jsonl`). Otherwise:
//! 1. a directory containing `corpus.jsonl` is `beir` (even if it also holds text files);
//! 2. another directory containing at least one `.txt`/`.md` file is `folder`;
//! 3. a `*.jsonl` or `*.json` file is read as `jsonl` if [`CorpusOptions::fields`] was changed
//!    from the defaults; otherwise its first non-blank line decides: `beir` if it has `_id`,
//!    `jsonl` if it has `id`, an error listing its fields if neither (an empty file is `beir`
//!    and yields nothing);
//! 4. a `*.tsv` file is `tsv`;
//! 5. anything else (including `.gz`, which is not supported, and a lone `.txt`/`.md` file) is
//!    a [`CorpusError::UnknownFormat`] that lists the formats and the `--format` option.
//!
//! # Bad input
//!
//! Every error names the file and, for a record, the 1-based line and the problem
//! ([`LineProblem`]: invalid JSON with serde's column, not an object, missing id or text field,
//! wrong field type, empty id, invalid UTF-8 with its byte offset, missing TAB, wrong column
//! count, line too long). Nothing panics on bad input. After a record error the reader can go
//! on; after an I/O error it stops. With [`CorpusOptions::skip_bad`] record errors are skipped,
//! counted ([`CorpusReader::skipped`]) and the first few kept ([`CorpusReader::first_skipped`]).
//!
//! Empty documents (title and text empty or whitespace) are yielded and counted
//! ([`CorpusReader::empty`]): whether to index them is the indexer's choice.
//!
//! Duplicate ids are detected with a hash map of the ids seen (id -> line), about 60 bytes per
//! document (≈ 0.5 GB for MS MARCO's 8.8 M passages); [`CorpusOptions::check_duplicates`]
//! turns it off. The second occurrence is an error naming both lines (with `skip_bad` it is
//! skipped, the first kept). A folder cannot have duplicate ids and keeps no such map.

mod detect;
mod error;
mod folder;
pub(crate) mod jsonl;
pub(crate) mod lines;
mod lookup;
mod reader;
pub(crate) mod tally;
mod tsv;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use detect::{detect, Detected};
pub use error::{CorpusError, LineProblem, ParseFormatError, VectorProblem};
pub use jsonl::JsonlFields;
pub use lookup::CorpusLookup;
pub use reader::{CorpusReader, Progress, MAX_KEPT_ERRORS};
pub use tsv::TsvOptions;

use lines::is_py_space;

/// Default of [`CorpusOptions::max_record_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// Checks a document id: not empty, no whitespace (TREC run and qrels files separate
/// fields by whitespace) and no control characters.
pub fn check_id(id: &str) -> Result<(), LineProblem> {
    if id.is_empty() {
        return Err(LineProblem::EmptyId);
    }
    let what = |c: char| {
        let kind = if c.is_whitespace() {
            "whitespace"
        } else {
            "a control character"
        };
        format!("{kind} (U+{:04X})", c as u32)
    };
    match id.chars().find(|c| c.is_whitespace() || c.is_control()) {
        Some(c) => Err(LineProblem::UnusableId {
            id: id.to_string(),
            what: what(c),
        }),
        None => Ok(()),
    }
}

/// One document of a collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Unique id (non-empty).
    pub id: String,
    /// Title, empty when the collection has none.
    pub title: String,
    /// Body text.
    pub text: String,
}

impl Document {
    /// The text to index: BEIR's `(title + " " + text).strip()`, whitespace as Python's
    /// `str.isspace`. With an empty title this is the stripped text. The reference pipeline's
    /// unstripped `title + " " + text` tokenises identically.
    pub fn indexed_text(&self) -> String {
        let mut s = String::with_capacity(self.title.len() + 1 + self.text.len());
        s.push_str(&self.title);
        s.push(' ');
        s.push_str(&self.text);
        let end = s.trim_end_matches(is_py_space).len();
        s.truncate(end);
        let start = s.len() - s.trim_start_matches(is_py_space).len();
        s.drain(..start);
        s
    }

    /// Where [`Document::indexed_text`] starts in `title + " " + text`: the bytes of
    /// leading whitespace it strips (to map its byte ranges back to title and text).
    pub fn indexed_start(&self) -> usize {
        let title = self.title.trim_start_matches(is_py_space);
        if !title.is_empty() {
            return self.title.len() - title.len();
        }
        let text = self.text.trim_start_matches(is_py_space);
        if text.is_empty() {
            return 0;
        }
        self.title.len() + 1 + self.text.len() - text.len()
    }

    /// True when [`Document::indexed_text`] is empty (title and text empty or whitespace).
    pub fn is_empty(&self) -> bool {
        self.title.trim_matches(is_py_space).is_empty()
            && self.text.trim_matches(is_py_space).is_empty()
    }
}

/// A collection format (the values of `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// BEIR `corpus.jsonl` (`_id`, `title`, `text`).
    Beir,
    /// JSON Lines with configurable field names.
    Jsonl,
    /// `id<TAB>text` lines.
    Tsv,
    /// A directory of `.txt` / `.md` files.
    Folder,
}

impl Format {
    /// Every format, in the order they are listed to users.
    pub const ALL: [Format; 4] = [Format::Beir, Format::Jsonl, Format::Tsv, Format::Folder];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Beir => "beir",
            Format::Jsonl => "jsonl",
            Format::Tsv => "tsv",
            Format::Folder => "folder",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ParseFormatError;

    /// Parses a format name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseFormatError(s.to_owned()))
    }
}

/// How to read a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusOptions {
    /// The format; `None` detects it (see the module docs).
    pub format: Option<Format>,
    /// Field names for the `jsonl` format.
    pub fields: JsonlFields,
    /// Options of the `tsv` format.
    pub tsv: TsvOptions,
    /// Skip and count bad records instead of yielding errors for them.
    pub skip_bad: bool,
    /// Detect duplicate ids (line formats). Default true.
    pub check_duplicates: bool,
    /// Longest line (line formats) or file (folder) accepted, in bytes.
    pub max_record_bytes: usize,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            format: None,
            fields: JsonlFields::default(),
            tsv: TsvOptions::default(),
            skip_bad: false,
            check_duplicates: true,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}
