//! Index build and query speed on SciFact with splade-tiny (documents at 256 tokens),
//! encoding excluded:
//!
//! - `build/scifact`: add all 5,183 documents with precomputed SPLADE vectors to an
//!   [`IndexBuilder`] (BM25 analysis included) and write every file; throughput is in
//!   postings (SPLADE + BM25) per second;
//! - `query/{splade,bm25}-top{10,1000}`: the SciFact test queries round robin (SPLADE
//!   queries pre-encoded at 64 tokens): score every document and select the top k.
//!
//! The SciFact index is built once (about a minute) into `target/bench-data/` and reused.
//! Needs `../shared` (or `SPLADESCOPE_SHARED`); says so and measures nothing without it.
//! Run: `cargo bench --bench index`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spladescope::corpus::Document;
use spladescope::encoder::{EncoderOptions, ModelFiles, SparseEncoder};
use spladescope::eval::load_beir;
use spladescope::index::manifest::{CorpusInfo, ModelInfo};
use spladescope::index::{self, BuildOptions, Index, IndexBuilder, IndexInfo};
use spladescope::search::{bm25_scores, splade_scores, top_k};
use spladescope::sparse::SparseVector;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("SPLADESCOPE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("models/splade-tiny").is_dir() && dir.join("data/scifact").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} has no models/splade-tiny or data/scifact; set SPLADESCOPE_SHARED",
            dir.display()
        );
        None
    }
}

fn encoder(shared: &std::path::Path, max_length: usize) -> SparseEncoder {
    let files = ModelFiles::from_dir(&shared.join("models/splade-tiny")).unwrap();
    let options = EncoderOptions {
        max_length,
        ..Default::default()
    };
    SparseEncoder::load(files, options).unwrap()
}

fn scifact_index(shared: &std::path::Path) -> Index {
    let out =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/scifact-splade-tiny-256");
    if let Ok(index) = Index::open(&out) {
        if index.len() == 5183 && index.manifest().model.max_length == 256 {
            return index;
        }
    }
    eprintln!("building the SciFact index once into {} ...", out.display());
    let enc = encoder(shared, 256);
    let options = BuildOptions {
        force: true,
        ..BuildOptions::default()
    };
    index::build(
        &shared.join("data/scifact"),
        &out,
        &enc,
        &options,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    Index::open(&out).unwrap()
}

fn bench(c: &mut Criterion) {
    let Some(shared) = shared() else { return };
    let index = scifact_index(&shared);
    let enc = encoder(&shared, 64);

    // Build from stored vectors: no encoding.
    let docs: Vec<(Document, SparseVector)> = (0..index.len() as u32)
        .map(|d| {
            let s = index.doc(d).unwrap();
            let doc = Document {
                id: s.id.into(),
                title: s.title.into(),
                text: s.text.into(),
            };
            (doc, index.vector(d).unwrap())
        })
        .collect();
    let m = index.manifest();
    let postings = m.splade.postings + m.bm25.postings;
    eprintln!(
        "build: {} documents, {} SPLADE + {} BM25 postings",
        docs.len(),
        m.splade.postings,
        m.bm25.postings
    );
    let model = ModelInfo::of(&enc).unwrap();
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.throughput(Throughput::Elements(postings));
    group.bench_function("scifact", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            let mut builder = IndexBuilder::new(enc.vocab_size());
            for (doc, v) in &docs {
                builder.add(doc, v, false);
            }
            let info = IndexInfo {
                corpus: CorpusInfo {
                    path: "bench".into(),
                    format: "beir".into(),
                },
                model: model.clone(),
                bm25: Default::default(),
                empty_documents: 0,
                skipped_records: 0,
            };
            builder.write(dir.path(), info).unwrap()
        })
    });
    group.finish();

    let split = load_beir(shared.join("data/scifact"), "test").unwrap();
    let texts: Vec<String> = split.queries.iter().map(|q| q.text.clone()).collect();
    let vectors: Vec<SparseVector> = enc
        .encode_batch(&texts)
        .unwrap()
        .into_iter()
        .map(|e| e.vector)
        .collect();
    eprintln!("queries: {} SciFact test queries", texts.len());
    let mut group = c.benchmark_group("query");
    for k in [10, 1000] {
        let mut i = 0;
        group.bench_function(format!("splade-top{k}"), |b| {
            b.iter(|| {
                i = (i + 1) % vectors.len();
                top_k(&splade_scores(&index, &vectors[i]).unwrap(), k)
            })
        });
        let mut i = 0;
        group.bench_function(format!("bm25-top{k}"), |b| {
            b.iter(|| {
                i = (i + 1) % texts.len();
                top_k(&bm25_scores(&index, &texts[i]).unwrap(), k)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
