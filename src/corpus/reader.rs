//! [`CorpusReader`]: the streaming iterator over documents, with counters and progress.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::detect::detect;
use super::error::{CorpusError, LineProblem};
use super::folder::{self, FolderSource};
use super::jsonl::{self, JsonlFields};
use super::lines::{Line, LineReader};
use super::tally::Tally;
use super::tsv::{self, TsvOptions};
use super::{CorpusOptions, Document, Format};

/// How many skipped errors [`CorpusReader::first_skipped`] keeps.
pub const MAX_KEPT_ERRORS: usize = 10;

/// Capacity of the file reading buffer.
const READ_BUFFER: usize = 256 * 1024;

/// How far a reader has got, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes consumed so far (for a folder: the sizes of the files read so far).
    pub bytes_read: u64,
    /// Total bytes, when known (file size; for a folder the sum of the file sizes).
    pub total_bytes: Option<u64>,
}

impl Progress {
    /// `bytes_read / total_bytes` in `0.0..=1.0`, when the total is known.
    pub fn fraction(&self) -> Option<f64> {
        match self.total_bytes {
            Some(0) => Some(1.0),
            Some(t) => Some((self.bytes_read as f64 / t as f64).min(1.0)),
            None => None,
        }
    }
}

enum Parser {
    Json(JsonlFields),
    Tsv(TsvOptions),
}

enum Source {
    Lines {
        lines: LineReader,
        parser: Parser,
        total_bytes: Option<u64>,
    },
    Folder(FolderSource),
}

/// Streams the documents of a collection as `Result<Document, CorpusError>` items.
///
/// Memory stays constant in the collection size (one line or one file at a time), apart from
/// the id set of the duplicate check (see [`CorpusOptions::check_duplicates`]) and, for a
/// folder, the sorted list of its file paths.
pub struct CorpusReader {
    path: PathBuf,
    format: Format,
    source: Source,
    skip_header: bool,
    tally: Tally,
    documents: u64,
    empty: u64,
    done: bool,
}

impl CorpusReader {
    /// Opens a collection: detects its format (unless `options.format` is set) and starts
    /// reading. Fails only on I/O and detection errors; bad records come from the iterator.
    pub fn open(path: impl AsRef<Path>, options: &CorpusOptions) -> Result<Self, CorpusError> {
        let detected = detect(path.as_ref(), options)?;
        let path = detected.path;
        if detected.format == Format::Folder {
            let entries = folder::walk(&path, false)?;
            let source = Source::Folder(FolderSource::new(entries, options.max_record_bytes));
            return Ok(Self::new(path, Format::Folder, source, options));
        }
        let file = fs::File::open(&path).map_err(|e| CorpusError::io(&path, e))?;
        let total = file
            .metadata()
            .map_err(|e| CorpusError::io(&path, e))?
            .len();
        let reader = BufReader::with_capacity(READ_BUFFER, file);
        Self::from_reader(path, reader, Some(total), detected.format, options)
    }

    /// Reads a line format (BEIR, JSONL or TSV) from any buffered reader, e.g. standard input.
    /// `name` is used in error messages; `total_bytes` for [`Progress`]. `options.format` is
    /// ignored. The folder format needs a directory: use [`CorpusReader::open`].
    pub fn from_reader(
        name: impl Into<PathBuf>,
        reader: impl BufRead + Send + 'static,
        total_bytes: Option<u64>,
        format: Format,
        options: &CorpusOptions,
    ) -> Result<Self, CorpusError> {
        let name = name.into();
        let parser = match format {
            Format::Beir => Parser::Json(JsonlFields::beir()),
            Format::Jsonl => Parser::Json(options.fields.clone()),
            Format::Tsv => Parser::Tsv(options.tsv.clone()),
            Format::Folder => {
                return Err(CorpusError::UnknownFormat {
                    path: name,
                    reason: "the folder format needs a directory, not a stream".into(),
                })
            }
        };
        let source = Source::Lines {
            lines: LineReader::new(Box::new(reader), options.max_record_bytes),
            parser,
            total_bytes,
        };
        Ok(Self::new(name, format, source, options))
    }

    fn new(path: PathBuf, format: Format, source: Source, options: &CorpusOptions) -> Self {
        let lines = matches!(source, Source::Lines { .. });
        CorpusReader {
            tally: Tally::new(
                path.clone(),
                options.skip_bad,
                lines && options.check_duplicates,
            ),
            path,
            format,
            source,
            skip_header: format == Format::Tsv && options.tsv.skip_header,
            documents: 0,
            empty: 0,
            done: false,
        }
    }

    /// The file (or folder) being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes read so far and in total.
    pub fn progress(&self) -> Progress {
        match &self.source {
            Source::Lines {
                lines, total_bytes, ..
            } => Progress {
                bytes_read: lines.offset(),
                total_bytes: *total_bytes,
            },
            Source::Folder(f) => Progress {
                bytes_read: f.bytes_read(),
                total_bytes: Some(f.total_bytes()),
            },
        }
    }

    /// Documents yielded so far (empty ones included).
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// Documents yielded so far whose title and text are both empty or whitespace
    /// ([`Document::is_empty`]).
    pub fn empty(&self) -> u64 {
        self.empty
    }

    /// Bad records skipped so far (with `skip_bad`).
    pub fn skipped(&self) -> u64 {
        self.tally.skipped
    }

    /// The first [`MAX_KEPT_ERRORS`] skipped errors, for a summary.
    pub fn first_skipped(&self) -> &[CorpusError] {
        &self.tally.first_skipped
    }

    /// A [`CorpusError::EmptyCorpus`] for this collection, for callers that refuse an empty one.
    pub fn empty_corpus_error(&self) -> CorpusError {
        CorpusError::EmptyCorpus {
            path: self.path.clone(),
            skipped: self.tally.skipped,
        }
    }

    /// The next document and its line (None for a folder), or an error.
    fn next_record(&mut self) -> Option<Result<(Document, Option<u64>), CorpusError>> {
        let (lines, parser) = match &mut self.source {
            Source::Folder(f) => return f.next_doc().map(|r| r.map(|d| (d, None))),
            Source::Lines { lines, parser, .. } => (lines, parser),
        };
        let bad = |line: u64, problem: LineProblem| CorpusError::BadLine {
            path: self.path.clone(),
            line,
            problem,
        };
        loop {
            let (line_no, line) = match lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => return None,
                Err(e) => return Some(Err(CorpusError::io(&self.path, e))),
            };
            if self.skip_header && line_no == 1 {
                continue;
            }
            let text = match line {
                Line::Bad(problem) => return Some(Err(bad(line_no, problem))),
                Line::Text(text) => text,
            };
            let parsed = match parser {
                Parser::Json(_) if text.trim().is_empty() => continue,
                Parser::Tsv(_) if text.is_empty() => continue,
                Parser::Json(fields) => jsonl::parse_record(text, fields),
                Parser::Tsv(options) => tsv::parse_record(text, options),
            };
            return Some(
                parsed
                    .map(|d| (d, Some(line_no)))
                    .map_err(|p| bad(line_no, p)),
            );
        }
    }
}

impl Iterator for CorpusReader {
    type Item = Result<Document, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let result = match self.next_record() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Ok((doc, Some(line)))) => {
                    self.tally.check_duplicate(&doc.id, line).map(|()| doc)
                }
                Some(Ok((doc, None))) => Ok(doc),
                Some(Err(e)) => Err(e),
            };
            match result {
                Ok(doc) => {
                    self.documents += 1;
                    if doc.is_empty() {
                        self.empty += 1;
                    }
                    return Some(Ok(doc));
                }
                Err(e) => {
                    let Some(e) = self.tally.skip(e) else {
                        continue;
                    };
                    // After an I/O error the input cannot be trusted to move on.
                    self.done = !e.is_record_error();
                    return Some(Err(e));
                }
            }
        }
    }
}
