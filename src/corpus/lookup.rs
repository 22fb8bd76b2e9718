//! [`CorpusLookup`]: documents of a line-format corpus by id, for texts that live apart from
//! their vectors (`index --vectors V --corpus C`).
//!
//! Opening reads the corpus once (checking every record) and keeps each id's byte offset;
//! a lookup in corpus order is read on from where the last one ended, any other seeks to
//! its line.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{CorpusError, CorpusOptions, CorpusReader, Document, Format};

/// Documents of a corpus by id.
pub struct CorpusLookup {
    path: PathBuf,
    format: Format,
    options: CorpusOptions,
    offsets: HashMap<Box<str>, u64>,
    /// Reads on in corpus order; `next` is the document it has read ahead.
    sequential: CorpusReader,
    next: Option<Document>,
}

impl CorpusLookup {
    /// Reads the corpus at `path` (a BEIR, JSONL or TSV file) and notes where each document
    /// is. Bad records are errors unless `options.skip_bad`.
    pub fn open(path: &Path, options: &CorpusOptions) -> Result<Self, CorpusError> {
        let mut reader = CorpusReader::open(path, options)?;
        let format = reader.format();
        if format == Format::Folder {
            return Err(CorpusError::BadFile {
                path: path.to_path_buf(),
                problem: "texts for imported vectors are looked up by id in a line-format \
                          corpus (beir, jsonl or tsv), not a folder"
                    .into(),
            });
        }
        let path = reader.path().to_path_buf();
        let mut offsets = HashMap::new();
        loop {
            let start = reader.progress().bytes_read;
            match reader.next() {
                None => break,
                Some(Ok(doc)) => {
                    offsets.insert(doc.id.into_boxed_str(), start);
                }
                Some(Err(e)) => return Err(e),
            }
        }
        let options = CorpusOptions {
            format: Some(format),
            skip_bad: true,
            check_duplicates: false,
            ..options.clone()
        };
        let mut sequential = CorpusReader::open(&path, &options)?;
        let next = sequential.next().and_then(Result::ok);
        Ok(Self {
            path,
            format,
            options,
            offsets,
            sequential,
            next,
        })
    }

    /// The corpus file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether the corpus has no documents.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The document with `id`, `None` when the corpus lacks it.
    pub fn get(&mut self, id: &str) -> Result<Option<Document>, CorpusError> {
        if self.next.as_ref().is_some_and(|d| d.id == id) {
            let doc = self.next.take();
            self.next = self.sequential.next().and_then(Result::ok);
            return Ok(doc);
        }
        let Some(&offset) = self.offsets.get(id) else {
            return Ok(None);
        };
        let io_error = |e| CorpusError::io(&self.path, e);
        let mut file = File::open(&self.path).map_err(io_error)?;
        file.seek(SeekFrom::Start(offset)).map_err(io_error)?;
        let reader = BufReader::with_capacity(8 << 10, file);
        let mut docs =
            CorpusReader::from_reader(&self.path, reader, None, self.format, &self.options)?;
        Ok(docs.find_map(|d| d.ok().filter(|d| d.id == id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_documents_in_and_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.jsonl");
        std::fs::write(
            &path,
            "\u{feff}{\"_id\": \"a\", \"text\": \"first\"}\n\n{\"_id\": \"b\", \"title\": \"T\", \"text\": \"second\"}\r\n{\"_id\": \"c\", \"text\": \"third\"}",
        )
        .unwrap();
        let mut lookup = CorpusLookup::open(&path, &CorpusOptions::default()).unwrap();
        assert_eq!(lookup.len(), 3);
        for id in ["a", "c", "b", "b", "a", "c"] {
            let doc = lookup.get(id).unwrap().unwrap();
            assert_eq!(doc.id, id);
        }
        assert_eq!(lookup.get("b").unwrap().unwrap().title, "T");
        assert!(lookup.get("zz").unwrap().is_none());
    }

    #[test]
    fn a_bad_record_is_an_error_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.jsonl");
        std::fs::write(
            &path,
            "{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"a\", \"text\": \"y\"}\n",
        )
        .unwrap();
        let e = CorpusLookup::open(&path, &CorpusOptions::default())
            .err()
            .unwrap();
        assert!(e.to_string().contains(":2: duplicate document id"), "{e}");
    }
}
