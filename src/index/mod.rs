//! The on-disk index: SPLADE inverted and forward indexes, a BM25 index and a document
//! store, in one directory.
//!
//! | file | contents |
//! |---|---|
//! | `manifest.json` | format version, model id and file hashes, max length, counts, BM25 parameters and analyzer, each file's size and CRC-32 (written last) |
//! | `docs.bin` | document store: id, title, text; sorted id table ([`docstore`]) |
//! | `splade.inv` | SPLADE inverted index: per vocabulary term, blocks of 128 bit-packed documents with 8-bit impact bounds and per-block maxima ([`blocks`]) |
//! | `splade.imp` | the exact `f32` weight of every SPLADE posting, in posting order ([`blocks`]) |
//! | `splade.rmx` | per SPLADE term, its largest impact code in each range of 16 documents ([`ranges`]) |
//! | `splade.fwd` | forward index: every document's sparse vector, by range of 16 documents: each range's distinct terms with a document mask, then the weights ([`forward`]) |
//! | `bm25.dict` | BM25 term dictionary, `docCount`, `sumTotalTermFreq` ([`termdict`]) |
//! | `bm25.post` | BM25 postings: per term, blocks of 128 bit-packed documents and term frequencies with per-block score bounds ([`bm25_blocks`]) |
//! | `bm25.norms` | one Lucene norm byte per document (its token count, `SmallFloat.intToByte4`) |
//! | `dense.emb` | optional (`index --dense`): one `f32` embedding per document ([`dense`]) |
//!
//! Every binary file ends in a footer with a format version and a CRC-32 ([`format`]);
//! readers memory-map the files and verify them at open. SPLADE impacts are the encoder's
//! `f32` weights, unquantised: an index score is exactly the `f32` dot product of the query
//! and document vectors (summed in term-id order). BM25 uses the Lucene English analyzer and
//! Lucene's BM25 ([`crate::analysis`]).

pub mod blocks;
pub mod bm25_blocks;
pub mod bm25_runs;
pub mod build;
pub mod codec;
pub mod dense;
pub mod docstore;
pub mod error;
pub mod format;
pub mod forward;
pub mod import;
pub mod manifest;
pub mod output;
pub mod ranges;
pub mod reorder;
pub mod spill;
pub mod stats;
pub mod termdict;

use std::path::{Path, PathBuf};

pub use build::{build, BuildOptions, BuildProgress, Built, Encoders, IndexBuilder, IndexInfo};
pub use docstore::{StoredDoc, TextRange};
pub use error::{IndexError, Result};
pub use import::{import, ImportOptions};
pub use manifest::Manifest;
pub use reorder::Bisection;

use crate::analysis::{avg_field_length, Analyzer, Bm25Params, Bm25Scorer};
use crate::sparse::SparseVector;
use blocks::BlockPostings;
use bm25_blocks::Bm25Postings;
use dense::DenseVectors;
use docstore::DocStore;
use format::FileData;
use forward::Forward;
use ranges::RangeMaxima;
use termdict::TermDict;

/// The BM25 analyzer, as recorded in manifests.
pub const ANALYZER_DESCRIPTION: &str = "Lucene EnglishAnalyzer as in Anserini: StandardTokenizer \
(UAX#29), English possessive filter, lowercase, 33 English stop words, Porter stemmer";

/// File names and kind tags.
pub mod files {
    pub const DOCS: &str = "docs.bin";
    pub const SPLADE: &str = "splade.inv";
    pub const SPLADE_WEIGHTS: &str = "splade.imp";
    pub const SPLADE_RANGES: &str = "splade.rmx";
    pub const FORWARD: &str = "splade.fwd";
    pub const FORWARD_KIND: &[u8; 4] = b"SPLF";
    pub const BM25_TERMS: &str = "bm25.dict";
    pub const BM25_POSTINGS: &str = "bm25.post";
    pub const BM25_NORMS: &str = "bm25.norms";
    pub const BM25_NORMS_KIND: &[u8; 4] = b"BMNM";
}

/// An open index.
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    docs: DocStore,
    splade: BlockPostings,
    ranges: RangeMaxima,
    forward: Forward,
    bm25_terms: TermDict,
    bm25_postings: Bm25Postings,
    norms: FileData,
    dense: Option<DenseVectors>,
    analyzer: Analyzer,
    scorer: Bm25Scorer,
}

impl Index {
    /// Opens the index in `dir`, verifying every file (structure, sizes, builds and
    /// checksums).
    pub fn open(dir: &Path) -> Result<Self> {
        let index = Self::open_deferred(dir)?;
        index.verify()?;
        Ok(index)
    }

    /// Opens the index in `dir` like [`Self::open`], except that files larger than
    /// [`format::VERIFY_AT_OPEN`] are not checksummed until [`Self::verify`] is called:
    /// opening then reads only the small files and the tables it checks, not every page
    /// of a large index.
    pub fn open_deferred(dir: &Path) -> Result<Self> {
        let manifest = Manifest::read(dir)?;
        let docs = DocStore::open(&dir.join(files::DOCS))?;
        let splade =
            BlockPostings::open(&dir.join(files::SPLADE), &dir.join(files::SPLADE_WEIGHTS))?;
        let ranges = RangeMaxima::open(&dir.join(files::SPLADE_RANGES))?;
        let forward = Forward::open(&dir.join(files::FORWARD), files::FORWARD_KIND)?;
        let bm25_terms = TermDict::open(&dir.join(files::BM25_TERMS))?;
        let bm25_postings = Bm25Postings::open(&dir.join(files::BM25_POSTINGS))?;
        let norms = FileData::open(&dir.join(files::BM25_NORMS), files::BM25_NORMS_KIND)?;
        let n = manifest.documents as usize;
        let dense = match &manifest.dense {
            Some(info) => Some(DenseVectors::open(&dir.join(dense::FILE), info.dim, n)?),
            None => None,
        };
        let params = Bm25Params::new(manifest.bm25.k1, manifest.bm25.b).map_err(|e| {
            IndexError::Corrupt {
                path: dir.join(manifest::FILE),
                reason: e.to_string(),
            }
        })?;
        let avgdl = avg_field_length(bm25_terms.sum_total_term_freq, bm25_terms.doc_count);
        let index = Self {
            dir: dir.to_path_buf(),
            manifest,
            docs,
            splade,
            ranges,
            forward,
            bm25_terms,
            bm25_postings,
            norms,
            dense,
            analyzer: Analyzer::default(),
            scorer: Bm25Scorer::new(params, avgdl),
        };
        let manifest = &index.manifest;
        for (name, file) in index.parts() {
            manifest.check_file(name, file)?;
        }
        let consistent = index.docs.len() == n
            && index.forward.documents() == n
            && index.norms.bytes().len() == n
            && index.splade.terms() == manifest.model.vocab_size
            && index.ranges.terms() == index.splade.terms()
            && index.ranges.ranges() == n.div_ceil(ranges::RANGE)
            && index.splade.postings() == manifest.splade.postings
            && index.bm25_postings.terms() == index.bm25_terms.len();
        if !consistent {
            return Err(IndexError::Corrupt {
                path: dir.join(manifest::FILE),
                reason: "the index files disagree on their sizes".into(),
            });
        }
        index.bm25_postings.check_scorer(&index.scorer)?;
        Ok(index)
    }

    /// Every file of the index with its name (the dense part when there is one).
    fn parts(&self) -> impl Iterator<Item = (&'static str, &FileData)> {
        [
            (files::DOCS, self.docs.file()),
            (files::SPLADE, self.splade.file()),
            (files::SPLADE_WEIGHTS, self.splade.weights_file()),
            (files::SPLADE_RANGES, self.ranges.file()),
            (files::FORWARD, self.forward.file()),
            (files::BM25_TERMS, self.bm25_terms.file()),
            (files::BM25_POSTINGS, self.bm25_postings.file()),
            (files::BM25_NORMS, &self.norms),
        ]
        .into_iter()
        .chain(self.dense.as_ref().map(|d| (dense::FILE, d.file())))
    }

    /// Checks every file's payload against its CRC-32 (those already checked are not read
    /// again).
    pub fn verify(&self) -> Result<()> {
        self.parts().try_for_each(|(_, f)| f.verify())
    }

    /// An error if a file of the index changed length on disk since it was opened (reading
    /// it could then crash the process); call it before a search in long-running readers.
    pub fn check_unchanged(&self) -> Result<()> {
        self.parts().try_for_each(|(_, f)| f.check_unchanged())
    }

    /// Why `other` does not index the same documents as this index (`None` when both hold
    /// the same ids): checked by id, since the corpus may have moved or been copied.
    pub fn corpus_difference(&self, other: &Index) -> Result<Option<String>> {
        let mut missing = 0usize;
        let mut example = None;
        for n in 0..self.len() as u32 {
            let id = self.doc(n)?.id;
            if other.docs.find(id)?.is_none() {
                missing += 1;
                example.get_or_insert_with(|| id.to_string());
            }
        }
        if missing == 0 && self.len() == other.len() {
            return Ok(None);
        }
        let mut reason = format!("{} documents against {}", other.len(), self.len());
        if let Some(id) = example {
            reason += &format!(
                "; {missing} of these {} are not in it, e.g. {:?}",
                self.len(),
                id
            );
        }
        Ok(Some(reason))
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index has no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Document number `n`.
    pub fn doc(&self, n: u32) -> Result<StoredDoc<'_>> {
        self.docs.get(n)
    }

    /// The number of the document with `id`.
    pub fn find(&self, id: &str) -> Result<u32> {
        self.docs
            .find(id)?
            .ok_or_else(|| IndexError::UnknownDocument(id.to_string()))
    }

    /// The stored SPLADE vector of document `n`.
    pub fn vector(&self, n: u32) -> Result<SparseVector> {
        let mut v = SparseVector::default();
        self.forward
            .vector(n as usize, &mut v.ids, &mut v.weights)?;
        Ok(v)
    }

    /// The SPLADE inverted index (block postings by term id, with exact weights).
    pub fn splade(&self) -> &BlockPostings {
        &self.splade
    }

    /// The SPLADE range maxima (per term, its largest impact code per range of documents).
    pub fn splade_ranges(&self) -> &RangeMaxima {
        &self.ranges
    }

    /// The forward index (document vectors, by range of documents).
    pub fn forward(&self) -> &Forward {
        &self.forward
    }

    /// The BM25 term dictionary.
    pub fn bm25_terms(&self) -> &TermDict {
        &self.bm25_terms
    }

    /// The BM25 postings (by term number).
    pub fn bm25_postings(&self) -> &Bm25Postings {
        &self.bm25_postings
    }

    /// The norm byte of document `n`.
    pub fn norm(&self, n: u32) -> u8 {
        self.norms.bytes().get(n as usize).copied().unwrap_or(0)
    }

    /// The BM25 analyzer.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The BM25 scorer (parameters, avgdl and norm cache of this index).
    pub fn bm25_scorer(&self) -> &Bm25Scorer {
        &self.scorer
    }

    /// The document embeddings, when the index has a dense part.
    pub fn dense(&self) -> Option<&DenseVectors> {
        self.dense.as_ref()
    }

    /// Bytes on disk per file, in file-name order.
    pub fn file_sizes(&self) -> Vec<(&'static str, u64)> {
        let mut sizes = vec![
            (files::BM25_TERMS, self.bm25_terms.file_len()),
            (files::BM25_NORMS, self.norms.file_len()),
            (files::BM25_POSTINGS, self.bm25_postings.file().file_len()),
        ];
        if let Some(dense) = &self.dense {
            sizes.push((dense::FILE, dense.file().file_len()));
        }
        sizes.extend([
            (files::DOCS, self.docs.file_len()),
            (files::FORWARD, self.forward.file_len()),
            (files::SPLADE_WEIGHTS, self.splade.weights_file().file_len()),
            (files::SPLADE_RANGES, self.ranges.file().file_len()),
            (files::SPLADE, self.splade.file().file_len()),
        ]);
        sizes
    }
}
