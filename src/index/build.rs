//! Building an index from a corpus: encode documents in batches, analyze them for BM25, and
//! write every part into a temporary directory that is renamed into place at the end.
//!
//! An interrupted (Ctrl-C, SIGTERM, SIGHUP) or failed build removes its temporary
//! directory; an existing index is only replaced with `force`, and only once the new one is
//! complete ([`super::output`] says what may be replaced, and locks the output).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::blocks::BlockPostingsWriter;
use super::bm25_blocks::Bm25PostingsWriter;
use super::bm25_runs::Bm25Collector;
use super::dense::{self, DenseBuilder, DenseInfo};
use super::docstore::DocStoreBuilder;
use super::error::{io, IndexError, Result};
use super::format::{FileWriter, FORMAT_VERSION};
use super::forward::ForwardBuilder;
use super::manifest::{
    Bm25Info, CorpusInfo, FileInfo, ImportInfo, Manifest, ModelInfo, ReorderInfo, SpladeInfo,
};
use super::output::Output;
use super::reorder::Bisection;
use super::spill::{PostingCollector, RUN_POSTINGS};
use super::Index;
use super::{files, termdict, ANALYZER_DESCRIPTION};
use crate::analysis::{avg_field_length, encode_length, Analyzer, Bm25Params, Bm25Scorer};
use crate::corpus::{CorpusOptions, CorpusReader, Document};
use crate::encoder::{DenseEncoder, EncoderError, SparseEncoder};
use crate::sparse::{Pruning, SparseVector};

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// How to read the corpus.
    pub corpus: CorpusOptions,
    /// BM25 parameters stored with the index.
    pub bm25: Bm25Params,
    /// Replace an existing index at the output path.
    pub force: bool,
    /// Documents read and encoded per step (the encoder batches within it by length).
    pub chunk: usize,
    /// Pruning of every document vector before it is stored.
    pub doc_pruning: Pruning,
    /// Reorder the documents by graph bisection before writing ([`super::reorder`]).
    pub reorder: Option<Bisection>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            corpus: CorpusOptions::default(),
            bm25: Bm25Params::default(),
            force: false,
            chunk: 512,
            doc_pruning: Pruning::default(),
            reorder: None,
        }
    }
}

/// Where a build is.
#[derive(Debug, Clone, Copy)]
pub struct BuildProgress {
    pub documents: u64,
    pub bytes_read: u64,
    pub total_bytes: Option<u64>,
    /// Every document is read, and they are being reordered (`--reorder`).
    pub reordering: bool,
}

impl BuildProgress {
    /// `documents` read so far, at the reader's place `read`.
    pub(crate) fn read(documents: usize, read: crate::corpus::Progress) -> Self {
        Self {
            documents: documents as u64,
            bytes_read: read.bytes_read,
            total_bytes: read.total_bytes,
            reordering: false,
        }
    }

    /// Tells `progress` that the reordering begins, when there is one.
    pub(crate) fn announce_reordering(
        reorder: Option<Bisection>,
        documents: usize,
        read: crate::corpus::Progress,
        progress: &mut dyn FnMut(&BuildProgress),
    ) {
        if reorder.is_some() {
            progress(&BuildProgress {
                reordering: true,
                ..Self::read(documents, read)
            });
        }
    }
}

/// Removes the temporary directory unless the build completed.
pub(crate) struct TempDir(pub(crate) Option<PathBuf>);

impl TempDir {
    /// Creates the build's temporary directory.
    /// The directory (while the build is unfinished).
    pub(crate) fn path(&self) -> &Path {
        self.0
            .as_deref()
            .expect("an unfinished build has its directory")
    }

    pub(crate) fn create(output: &Output) -> Result<Self> {
        let path = output.building_dir();
        std::fs::create_dir(&path).map_err(io(&path))?;
        Ok(Self(Some(path)))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The models a build runs: SPLADE, and a dense bi-encoder for the optional dense part.
#[derive(Clone, Copy)]
pub struct Encoders<'a> {
    pub sparse: &'a SparseEncoder,
    pub dense: Option<&'a DenseEncoder>,
}

impl<'a> From<&'a SparseEncoder> for Encoders<'a> {
    fn from(sparse: &'a SparseEncoder) -> Self {
        Self {
            sparse,
            dense: None,
        }
    }
}

/// Collects documents with their SPLADE vectors (postings, forward vectors, document
/// records, BM25 postings and embeddings in memory, or spilled to disk with
/// [`IndexBuilder::spill_into`]) and writes the index files. [`build`] drives it from a corpus and an
/// encoder; it can also be fed precomputed vectors.
pub struct IndexBuilder {
    analyzer: Analyzer,
    docs: DocStoreBuilder,
    forward: ForwardBuilder,
    splade: PostingCollector,
    bm25: Bm25Collector,
    /// Where parts spill ([`Self::spill_into`]).
    spill_dir: Option<PathBuf>,
    norms: Vec<u8>,
    bm25_doc_count: u64,
    sum_ttf: u64,
    truncated: u64,
    empty: u64,
    dense: Option<DenseBuilder>,
    /// Pruning of every document vector before it is stored.
    doc_pruning: Pruning,
    /// Postings the pruning removed.
    pruned_postings: u64,
}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    /// The new index's manifest.
    pub manifest: Manifest,
    /// Leftovers of earlier builds of this output that died (killed) and were removed.
    pub removed_leftovers: Vec<PathBuf>,
    /// The first records skipped with `skip_bad` (the manifest counts them all).
    pub first_skipped: Vec<String>,
}

/// Builds an index of `corpus` at `out` with the `encoders` (SPLADE, and a dense model for
/// the optional dense part); `progress` is called after every step, and `cancel` is polled
/// between model batches (Ctrl-C stops within a second). The output is checked and locked
/// first ([`Output`]).
pub fn build<'a>(
    corpus: &Path,
    out: &Path,
    encoders: impl Into<Encoders<'a>>,
    options: &BuildOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&BuildProgress),
) -> Result<Built> {
    let output = Output::prepare(corpus, out, options.force)?;
    let mut reader = CorpusReader::open(corpus, &options.corpus)?;
    let encoders = encoders.into();
    let encoder = encoders.sparse;
    let model = ModelInfo::of(encoder)?;
    let dense_info = match encoders.dense {
        Some(d) => Some(DenseInfo {
            model: ModelInfo::of_dense(d)?,
            modules_sha256: super::manifest::sha256_file(d.modules_file())?,
            pooling: d.spec().pooling,
            normalize: d.spec().normalize,
            dim: d.dim(),
        }),
        None => None,
    };
    let tmp = TempDir::create(&output)?;

    let mut c = IndexBuilder::new(encoder.vocab_size()).with_doc_pruning(options.doc_pruning);
    if let Some(d) = encoders.dense {
        c = c.with_dense(d.dim());
    }
    let mut c = c.spill_into(tmp.path())?;
    let chunk = options.chunk.max(1);
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(IndexError::Interrupted);
        }
        let batch: Vec<Document> = reader.by_ref().take(chunk).collect::<Result<_, _>>()?;
        if batch.is_empty() {
            break;
        }
        let texts: Vec<String> = batch.iter().map(Document::indexed_text).collect();
        let interrupted = |e: EncoderError| match e {
            EncoderError::Interrupted => IndexError::Interrupted,
            other => other.into(),
        };
        let encoded = encoder
            .encode_batch_until(&texts, cancel)
            .map_err(interrupted)?;
        let embedded = match encoders.dense {
            Some(d) => Some(d.encode_batch_until(&texts, cancel).map_err(interrupted)?),
            None => None,
        };
        drop(texts);
        for (i, (doc, enc)) in batch.iter().zip(encoded).enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(IndexError::Interrupted);
            }
            c.add(doc, &enc.vector, enc.truncated())?;
            if let Some(e) = &embedded {
                c.add_dense(&e[i])?;
            }
        }
        progress(&BuildProgress::read(c.len(), reader.progress()));
    }
    if c.is_empty() {
        return Err(reader.empty_corpus_error().into());
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(IndexError::Interrupted);
    }
    let info = IndexInfo {
        corpus: CorpusInfo {
            path: absolute_display(corpus),
            format: reader.format().name().to_string(),
        },
        model,
        bm25: options.bm25,
        empty_documents: reader.empty(),
        skipped_records: reader.skipped(),
        dense: dense_info,
        imported: None,
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

/// Writes the collected index into the temporary directory and moves it into place.
pub(crate) fn finish(
    c: IndexBuilder,
    mut tmp: TempDir,
    output: &Output,
    info: IndexInfo,
    cancel: &AtomicBool,
    first_skipped: Vec<String>,
    reorder: Option<Bisection>,
) -> Result<Built> {
    let tmp_path = tmp
        .0
        .clone()
        .expect("an unfinished build has its directory");
    let manifest = match reorder {
        None => c.write(&tmp_path, info)?,
        Some(bisection) => write_reordered(c, &tmp_path, info, bisection, cancel)?,
    };
    // Writing takes a while on a large index: a late Ctrl-C still keeps the old one.
    if cancel.load(Ordering::Relaxed) {
        return Err(IndexError::Interrupted);
    }
    move_into_place(&tmp_path, output)?;
    tmp.0 = None;
    Ok(Built {
        manifest,
        removed_leftovers: output.removed.clone(),
        first_skipped,
    })
}

/// Writes the collected index into a directory inside `tmp`, reorders its documents
/// ([`super::reorder`]) and writes them in that order into `tmp` itself.
fn write_reordered(
    c: IndexBuilder,
    tmp: &Path,
    info: IndexInfo,
    bisection: Bisection,
    cancel: &AtomicBool,
) -> Result<Manifest> {
    let first = tmp.join("in-input-order");
    std::fs::create_dir(&first).map_err(io(&first))?;
    c.write(&first, info.clone())?;
    let start = std::time::Instant::now();
    // Just written here: no need to read every page for its checksums.
    let source = Index::open_deferred(&first)?;
    let order = super::reorder::bisection_order(&source, &bisection)?;
    if cancel.load(Ordering::Relaxed) {
        return Err(IndexError::Interrupted);
    }
    let spill = tmp.join("reorder-spill");
    std::fs::create_dir(&spill).map_err(io(&spill))?;
    let second = super::reorder::rebuild(&source, &order, &spill)?;
    drop(source);
    let mut manifest = second.write(tmp, info)?;
    std::fs::remove_dir_all(&first).map_err(io(&first))?;
    std::fs::remove_dir_all(&spill).map_err(io(&spill))?;
    manifest.reordered = Some(ReorderInfo {
        method: "graph bisection".into(),
        bisection,
        seconds: start.elapsed().as_secs_f64(),
    });
    manifest.write(tmp)?;
    Ok(manifest)
}

/// `path` made absolute (as given when that fails), for the manifest.
pub(crate) fn absolute_display(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// What the manifest records besides the collected data.
#[derive(Clone)]
pub struct IndexInfo {
    pub corpus: CorpusInfo,
    pub model: ModelInfo,
    pub bm25: Bm25Params,
    pub empty_documents: u64,
    pub skipped_records: u64,
    /// The dense part's model and settings (with [`IndexBuilder::with_dense`]).
    pub dense: Option<DenseInfo>,
    /// Where imported vectors came from.
    pub imported: Option<ImportInfo>,
}

impl IndexBuilder {
    /// An empty builder for a model vocabulary of `vocab_size` terms.
    pub fn new(vocab_size: usize) -> Self {
        Self {
            analyzer: Analyzer::default(),
            docs: DocStoreBuilder::default(),
            forward: ForwardBuilder::new(vocab_size),
            splade: PostingCollector::new(vocab_size),
            bm25: Bm25Collector::default(),
            spill_dir: None,
            norms: Vec::new(),
            bm25_doc_count: 0,
            sum_ttf: 0,
            truncated: 0,
            empty: 0,
            dense: None,
            doc_pruning: Pruning::default(),
            pruned_postings: 0,
        }
    }

    /// Prunes every document vector with `pruning` before storing it (`index --doc-top`,
    /// `--doc-min`); the manifest records it and the postings it removed.
    pub fn with_doc_pruning(mut self, pruning: Pruning) -> Self {
        self.doc_pruning = pruning;
        self
    }

    /// Records counts of an earlier build of the same documents ([`super::reorder`]): its
    /// truncated documents and the postings its document pruning removed.
    pub(crate) fn carrying(mut self, truncated: u64, pruned_postings: u64) -> Self {
        self.truncated = truncated;
        self.pruned_postings = pruned_postings;
        self
    }

    /// Keeps memory bounded: SPLADE and BM25 postings go to runs, and forward rows, document
    /// records and embeddings (after [`Self::with_dense`]) to files, in `dir` (the build's
    /// temporary directory) as documents are added.
    pub fn spill_into(mut self, dir: &Path) -> Result<Self> {
        self.splade.spill_into(dir, RUN_POSTINGS);
        self.bm25.spill_into(dir, RUN_POSTINGS);
        self.spill_dir = Some(dir.to_path_buf());
        self.forward.spill_into(&dir.join("forward.records"))?;
        self.docs.spill_into(&dir.join("docs.records"))?;
        if let Some(d) = &mut self.dense {
            d.spill_into(&dir.join("dense.values"))?;
        }
        Ok(self)
    }

    /// Also collects a `dim`-dimensional embedding per document ([`Self::add_dense`]).
    pub fn with_dense(mut self, dim: usize) -> Self {
        self.dense = Some(DenseBuilder::new(dim));
        self
    }

    /// Adds the dense embedding of the document last added; fails only when spilling does.
    pub fn add_dense(&mut self, embedding: &[f32]) -> Result<()> {
        match &mut self.dense {
            Some(d) => d.push(embedding),
            None => Ok(()),
        }
    }

    /// Documents added so far.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Documents added without text ([`Document::is_empty`]).
    pub fn empty_documents(&self) -> u64 {
        self.empty
    }

    /// Whether no document was added.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Adds the next document with its SPLADE vector (term ids below the vocabulary size)
    /// and whether the encoder truncated it; fails only when spilling does.
    pub fn add(&mut self, doc: &Document, vector: &SparseVector, truncated: bool) -> Result<()> {
        let pruned;
        let vector = if self.doc_pruning.is_off() {
            vector
        } else {
            pruned = self.doc_pruning.apply(vector);
            self.pruned_postings += (vector.nnz() - pruned.nnz()) as u64;
            &pruned
        };
        let n = self.docs.len() as u32;
        self.docs.push(&doc.id, &doc.title, &doc.text)?;
        self.forward.push(&vector.ids, &vector.weights)?;
        self.splade.push(n, vector)?;
        self.truncated += u64::from(truncated);
        self.empty += u64::from(doc.is_empty());
        // Term frequencies without holding the document's terms (long texts stay cheap).
        let mut tf: HashMap<String, u32> = HashMap::new();
        let mut length = 0usize;
        self.analyzer.for_each_term(&doc.indexed_text(), |term| {
            length += 1;
            *tf.entry(term).or_default() += 1;
        });
        self.bm25.push(n, tf)?;
        self.norms.push(encode_length(length));
        self.bm25_doc_count += u64::from(length > 0);
        self.sum_ttf += length as u64;
        Ok(())
    }

    /// Writes every part and the manifest (last) into `dir`, which must exist.
    pub fn write(self, dir: &Path, info: IndexInfo) -> Result<Manifest> {
        write_parts(dir, self, info)
    }
}

fn write_parts(dir: &Path, c: IndexBuilder, info: IndexInfo) -> Result<Manifest> {
    let bm25 = info.bm25;
    let build = super::manifest::new_build_id();
    let mut file_infos = std::collections::BTreeMap::new();
    let mut record = |name: &str, (bytes, crc): (u64, u32)| {
        file_infos.insert(
            name.to_string(),
            FileInfo {
                bytes,
                crc32: format!("{crc:08x}"),
            },
        );
    };
    let documents = c.docs.len() as u64;
    record(files::DOCS, c.docs.write(&dir.join(files::DOCS), build)?);
    record(
        files::FORWARD,
        c.forward
            .write(&dir.join(files::FORWARD), files::FORWARD_KIND, build)?,
    );

    let mut inverted = BlockPostingsWriter::create(
        [
            &dir.join(files::SPLADE),
            &dir.join(files::SPLADE_WEIGHTS),
            &dir.join(files::SPLADE_RANGES),
        ],
        documents as usize,
        build,
    )?;
    c.splade.write(&mut inverted)?;
    let splade_postings = inverted.postings();
    let splade_terms = inverted.terms_with_postings();
    let [inv, imp, rmx] = inverted.finish()?;
    record(files::SPLADE, inv);
    record(files::SPLADE_WEIGHTS, imp);
    record(files::SPLADE_RANGES, rmx);

    let avgdl = avg_field_length(c.sum_ttf, c.bm25_doc_count);
    let mut postings = Bm25PostingsWriter::create(
        &dir.join(files::BM25_POSTINGS),
        Bm25Scorer::new(bm25, avgdl),
        build,
    )?;
    let mut terms: Vec<String> = Vec::new();
    c.bm25.write(|term, docs, tfs| {
        terms.push(term.to_string());
        postings.push(docs, tfs, &c.norms)
    })?;
    let bm25_postings = postings.postings();
    let term_strs: Vec<&str> = terms.iter().map(|s| s.as_str()).collect();
    record(
        files::BM25_TERMS,
        termdict::write(
            &dir.join(files::BM25_TERMS),
            &term_strs,
            c.bm25_doc_count,
            c.sum_ttf,
            build,
        )?,
    );
    record(files::BM25_POSTINGS, postings.finish()?);
    let mut norms =
        FileWriter::create(&dir.join(files::BM25_NORMS), files::BM25_NORMS_KIND, build)?;
    norms.write(&c.norms)?;
    record(files::BM25_NORMS, norms.finish()?);
    let dense_info = match (c.dense, info.dense) {
        (Some(d), Some(info)) => {
            record(dense::FILE, d.write(&dir.join(dense::FILE), build)?);
            Some(info)
        }
        (None, None) => None,
        _ => panic!("IndexBuilder::with_dense and IndexInfo::dense go together"),
    };

    let manifest = Manifest {
        format: "spladescope-index".into(),
        format_version: FORMAT_VERSION,
        built_by: format!("spladescope {}", env!("CARGO_PKG_VERSION")),
        build_id: format!("{build:08x}"),
        documents,
        empty_documents: info.empty_documents,
        skipped_records: info.skipped_records,
        truncated_documents: c.truncated,
        corpus: info.corpus,
        model: info.model,
        splade: SpladeInfo {
            postings: splade_postings,
            terms: splade_terms,
            impacts: "f32".into(),
            doc_pruning: (!c.doc_pruning.is_off()).then_some(c.doc_pruning),
            pruned_postings: c.pruned_postings,
        },
        bm25: Bm25Info {
            k1: bm25.k1,
            b: bm25.b,
            analyzer: ANALYZER_DESCRIPTION.into(),
            terms: terms.len() as u64,
            postings: bm25_postings,
            doc_count: c.bm25_doc_count,
            sum_total_term_freq: c.sum_ttf,
            norms: "Lucene SmallFloat.intToByte4 of the token count".into(),
        },
        dense: dense_info,
        imported: info.imported,
        reordered: None,
        files: file_infos,
    };
    manifest.write(dir)?;
    Ok(manifest)
}

/// Renames the finished `tmp` to the output, replacing an old index only after the new one
/// is complete.
fn move_into_place(tmp: &Path, output: &Output) -> Result<()> {
    let out = &output.path;
    if out.exists() {
        let old = output.old_dir();
        std::fs::rename(out, &old).map_err(io(out))?;
        if let Err(e) = std::fs::rename(tmp, out) {
            // Put the old index back rather than leave none.
            let _ = std::fs::rename(&old, out);
            return Err(io(out)(e));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(tmp, out).map_err(io(out))?;
    }
    Ok(())
}
