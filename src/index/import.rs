//! Building an index from imported document vectors (`index --vectors`): the vectors come
//! from a file in the import format ([`crate::vectors`]), encoded elsewhere; the texts from
//! the same file or from a corpus looked up by id; BM25 is built from the texts as usual.
//! The query model names the vocabulary the keys belong to and encodes queries later.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::build::{
    absolute_display, finish, BuildProgress, Built, IndexBuilder, IndexInfo, TempDir,
};
use super::error::{IndexError, Result};
use super::manifest::{CorpusInfo, ImportInfo, ModelInfo};
use super::output::Output;
use crate::analysis::Bm25Params;
use crate::corpus::{CorpusError, CorpusLookup, CorpusOptions};
use crate::encoder::SparseEncoder;
use crate::vectors::{VectorOptions, VectorReader};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// How to read the vector file.
    pub vectors: VectorOptions,
    /// A corpus holding the texts, looked up by id (otherwise the vector file's own text
    /// fields are used).
    pub texts: Option<(PathBuf, CorpusOptions)>,
    /// BM25 parameters stored with the index.
    pub bm25: Bm25Params,
    /// Replace an existing index at the output path.
    pub force: bool,
    /// Pruning of every document vector before it is stored.
    pub doc_pruning: crate::sparse::Pruning,
    /// Reorder the documents by graph bisection before writing ([`super::reorder`]).
    pub reorder: Option<super::reorder::Bisection>,
}

/// Documents between two progress reports and cancel checks.
const STEP: usize = 4096;

/// Builds an index at `out` from the vectors in `vectors`; `model` is the query encoder
/// (its vocabulary reads the keys). `progress` is called every few thousand documents,
/// `cancel` polled as often.
pub fn import(
    vectors: &Path,
    out: &Path,
    model: &SparseEncoder,
    options: &ImportOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&BuildProgress),
) -> Result<Built> {
    let output = Output::prepare(vectors, out, options.force)?;
    let mut texts = match &options.texts {
        Some((path, corpus)) => Some(CorpusLookup::open(path, corpus)?),
        None => None,
    };
    let mut reader = VectorReader::open(vectors, model, &options.vectors)?;
    let tmp = TempDir::create(&output)?;
    let mut c = IndexBuilder::new(model.vocab_size())
        .with_doc_pruning(options.doc_pruning)
        .spill_into(tmp.path())?;
    let mut without_text = 0u64;
    while let Some(record) = reader.next() {
        let mut record = record?;
        if let Some(lookup) = &mut texts {
            match lookup.get(&record.doc.id)? {
                Some(doc) => record.doc = doc,
                None => without_text += 1,
            }
        }
        c.add(&record.doc, &record.vector, false)?;
        if c.len().is_multiple_of(STEP) {
            if cancel.load(Ordering::Relaxed) {
                return Err(IndexError::Interrupted);
            }
            progress(&BuildProgress::read(c.len(), reader.progress()));
        }
    }
    if c.is_empty() {
        return Err(CorpusError::EmptyCorpus {
            path: vectors.to_path_buf(),
            skipped: reader.skipped(),
        }
        .into());
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(IndexError::Interrupted);
    }
    let sha256 = reader.sha256().unwrap_or_default();
    let info = IndexInfo {
        corpus: CorpusInfo {
            path: absolute_display(vectors),
            format: "vectors".into(),
        },
        model: ModelInfo::of(model)?,
        bm25: options.bm25,
        empty_documents: c.empty_documents(),
        skipped_records: reader.skipped(),
        dense: None,
        imported: Some(ImportInfo {
            vectors: absolute_display(vectors),
            sha256,
            keys: options.vectors.keys,
            impact_scale: options.vectors.impact_scale,
            texts: match &texts {
                Some(lookup) => absolute_display(lookup.path()),
                None => "the vector file".into(),
            },
            without_text,
        }),
    };
    let first_skipped = reader.first_skipped().iter().map(|e| e.to_string());
    BuildProgress::announce_reordering(options.reorder, c.len(), reader.progress(), progress);
    finish(
        c,
        tmp,
        &output,
        info,
        cancel,
        first_skipped.collect(),
        options.reorder,
    )
}
