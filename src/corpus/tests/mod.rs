//! Tests of the corpus readers through the public API.

mod detection;
mod errors;
mod folder;
mod formats;
mod props;
mod shared_data;

use std::fs;
use std::path::{Path, PathBuf};

use super::{CorpusError, CorpusOptions, CorpusReader, Document};

/// Writes `content` to `dir/name` (creating parent directories) and returns the path.
fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, content).unwrap();
    path
}

/// Reads everything; errors as their messages.
fn read_all(path: &Path, options: &CorpusOptions) -> (Vec<Result<Document, String>>, CorpusReader) {
    let mut reader = CorpusReader::open(path, options).unwrap_or_else(|e| panic!("open: {e}"));
    let items = (&mut reader)
        .map(|r| r.map_err(|e| e.to_string()))
        .collect();
    (items, reader)
}

/// Reads everything and expects no error.
fn docs(path: &Path, options: &CorpusOptions) -> Vec<Document> {
    let (items, _) = read_all(path, options);
    items
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn doc(id: &str, title: &str, text: &str) -> Document {
    Document {
        id: id.into(),
        title: title.into(),
        text: text.into(),
    }
}

/// The only error of a reading, as the error value.
fn first_error(path: &Path, options: &CorpusOptions) -> CorpusError {
    CorpusReader::open(path, options)
        .unwrap_or_else(|e| panic!("open: {e}"))
        .find_map(|r| r.err())
        .expect("an error")
}
