//! [`VectorReader`]: streams the records of a vector file (plain or gzip), hashing the file
//! as it goes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::parse::parse_line;
use super::{VectorOptions, VectorRecord, Vocabulary};
use crate::corpus::lines::{Line, LineReader};
use crate::corpus::tally::Tally;
use crate::corpus::{CorpusError, Progress};

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What the file reader has seen: the sha256 of the bytes read and their count.
#[derive(Default)]
struct Seen {
    hasher: Sha256,
    bytes: u64,
}

/// Reads the file and feeds [`Seen`].
struct Hashing {
    file: File,
    seen: Arc<Mutex<Seen>>,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.hasher.update(&buf[..n]);
        seen.bytes += n as u64;
        Ok(n)
    }
}

/// Streams `Result<VectorRecord, CorpusError>` from a vector file; bad records are errors
/// (or skipped and counted with [`VectorOptions::skip_bad`]), repeated ids too.
pub struct VectorReader<'v> {
    path: PathBuf,
    lines: LineReader,
    /// A CIFF file's documents (read whole) and the next to yield, instead of lines.
    ciff: Option<CiffSource>,
    seen: Arc<Mutex<Seen>>,
    total_bytes: u64,
    vocab: &'v dyn Vocabulary,
    options: VectorOptions,
    tally: Tally,
    records: u64,
    done: bool,
}

/// A CIFF file turned into records: each term's vocabulary id, each document's postings.
struct CiffSource {
    docs: crate::export::CiffDocs,
    ids: Vec<u32>,
    next: usize,
}

/// Whether `path` names a CIFF file (`.ciff`).
fn is_ciff(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ciff"))
}

impl<'v> VectorReader<'v> {
    /// Opens a CIFF file: read whole, each term looked up in the vocabulary (an unknown term
    /// is an error naming it); each document's weights are its integer impacts, divided by
    /// the impact scale when one is given.
    fn open_ciff(
        path: &Path,
        vocab: &'v dyn Vocabulary,
        options: &VectorOptions,
    ) -> Result<Self, CorpusError> {
        let bytes = std::fs::read(path).map_err(|e| CorpusError::io(path, e))?;
        let bad = |problem: String| CorpusError::BadFile {
            path: path.to_path_buf(),
            problem,
        };
        let docs = crate::export::parse_ciff(&bytes, path)
            .map_err(|e| bad(format!("{}: {}", e.place, e.problem)))?;
        let ids = docs
            .terms
            .iter()
            .enumerate()
            .map(|(i, term)| {
                let id = match options.keys {
                    super::Keys::Tokens => vocab.id(term),
                    super::Keys::Ids => super::parse::term_id(term, vocab.size()),
                };
                id.ok_or_else(|| {
                    bad(format!(
                        "postings list {} ({term:?}): not a {} of the model's vocabulary",
                        i + 1,
                        if options.keys == super::Keys::Ids {
                            "term id"
                        } else {
                            "token"
                        }
                    ))
                })
            })
            .collect::<Result<Vec<u32>, _>>()?;
        let mut first = std::collections::HashMap::new();
        for (i, &id) in ids.iter().enumerate() {
            if let Some(j) = first.insert(id, i) {
                return Err(bad(format!(
                    "postings lists {} ({:?}) and {} ({:?}) are the same term",
                    j + 1,
                    docs.terms[j],
                    i + 1,
                    docs.terms[i]
                )));
            }
        }
        let seen = Arc::new(Mutex::new(Seen::default()));
        {
            let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
            s.hasher.update(&bytes);
            s.bytes = bytes.len() as u64;
        }
        Ok(Self {
            path: path.to_path_buf(),
            lines: LineReader::new(Box::new(io::empty()), options.max_record_bytes),
            ciff: Some(CiffSource { docs, ids, next: 0 }),
            seen,
            total_bytes: bytes.len() as u64,
            vocab,
            options: options.clone(),
            tally: Tally::new(path.to_path_buf(), options.skip_bad, true),
            records: 0,
            done: false,
        })
    }

    /// The next CIFF document as a record.
    fn next_ciff(&mut self) -> Option<Result<VectorRecord, CorpusError>> {
        let source = self.ciff.as_mut()?;
        let n = source.next;
        if n >= source.docs.ids.len() {
            self.done = true;
            return None;
        }
        source.next += 1;
        let scale = self.options.impact_scale;
        let pairs = source.docs.postings[n]
            .iter()
            .map(|&(t, tf)| {
                let w = match scale {
                    Some(s) => (f64::from(tf) / s) as f32,
                    None => tf as f32,
                };
                (source.ids[t as usize], w)
            })
            .collect();
        let id = source.docs.ids[n].clone();
        let record = VectorRecord {
            doc: crate::corpus::Document {
                id,
                title: String::new(),
                text: String::new(),
            },
            vector: crate::sparse::SparseVector::from_pairs(pairs),
            has_text: false,
        };
        Some(
            self.tally
                .check_duplicate(&record.doc.id, n as u64 + 1)
                .map(|()| record),
        )
    }

    /// Opens a vector file: JSON Lines, plain or gzip (detected by its first bytes), or a
    /// CIFF file (`.ciff`).
    pub fn open(
        path: &Path,
        vocab: &'v dyn Vocabulary,
        options: &VectorOptions,
    ) -> Result<Self, CorpusError> {
        if is_ciff(path) {
            return Self::open_ciff(path, vocab, options);
        }
        let io_error = |e| CorpusError::io(path, e);
        let mut file = File::open(path).map_err(io_error)?;
        let meta = file.metadata().map_err(io_error)?;
        if meta.is_dir() {
            return Err(CorpusError::BadFile {
                path: path.to_path_buf(),
                problem: "is a directory; --vectors takes a JSONL file (.jsonl or .jsonl.gz)"
                    .into(),
            });
        }
        let mut magic = [0u8; 2];
        let gzip = file.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
        drop(file);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let raw = Hashing {
            file: File::open(path).map_err(io_error)?,
            seen: seen.clone(),
        };
        let inner: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                256 << 10,
                flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 << 10, raw)),
            ))
        } else {
            Box::new(BufReader::with_capacity(256 << 10, raw))
        };
        Ok(Self {
            path: path.to_path_buf(),
            lines: LineReader::new(inner, options.max_record_bytes),
            ciff: None,
            seen,
            total_bytes: meta.len(),
            vocab,
            options: options.clone(),
            tally: Tally::new(path.to_path_buf(), options.skip_bad, true),
            records: 0,
            done: false,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// File bytes read so far (compressed bytes for gzip) and the file size.
    pub fn progress(&self) -> Progress {
        Progress {
            bytes_read: self.lock().bytes,
            total_bytes: Some(self.total_bytes),
        }
    }

    /// Records yielded so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bad records skipped so far.
    pub fn skipped(&self) -> u64 {
        self.tally.skipped
    }

    /// The first skipped errors, for a summary.
    pub fn first_skipped(&self) -> &[CorpusError] {
        &self.tally.first_skipped
    }

    /// The hex sha256 of the file, once it has been read to the end.
    pub fn sha256(&self) -> Option<String> {
        self.done.then(|| {
            let hash = self.lock().hasher.clone().finalize();
            hash.iter().map(|b| format!("{b:02x}")).collect()
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_record(&mut self) -> Option<Result<VectorRecord, CorpusError>> {
        if self.ciff.is_some() {
            return self.next_ciff();
        }
        loop {
            let (line_no, line) = match self.lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => {
                    // At the end every byte of the file has gone through the hasher.
                    self.done = true;
                    return None;
                }
                Err(e) => return Some(Err(CorpusError::io(&self.path, e))),
            };
            let bad = |problem| CorpusError::BadLine {
                path: self.path.clone(),
                line: line_no,
                problem,
            };
            let text = match line {
                Line::Bad(problem) => return Some(Err(bad(problem))),
                Line::Text(t) if t.trim().is_empty() => continue,
                Line::Text(t) => t,
            };
            let record = parse_line(text, self.vocab, &self.options).map_err(bad);
            return Some(record.and_then(|r| {
                self.tally.check_duplicate(&r.doc.id, line_no)?;
                Ok(r)
            }));
        }
    }
}

impl Iterator for VectorReader<'_> {
    type Item = Result<VectorRecord, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.next_record()? {
                Ok(r) => {
                    self.records += 1;
                    return Some(Ok(r));
                }
                Err(e) => {
                    if let Some(e) = self.tally.skip(e) {
                        self.done = !e.is_record_error();
                        return Some(Err(e));
                    }
                }
            }
        }
        None
    }
}
