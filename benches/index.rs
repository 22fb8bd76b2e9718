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

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spladescope::corpus::Document;
use spladescope::eval::load_beir;
use spladescope::index::manifest::{CorpusInfo, ModelInfo};
use spladescope::index::{Index, IndexBuilder, IndexInfo};
use spladescope::search::{bm25_scores, bm25_top_k, splade_scores, splade_top_k, top_k};
use spladescope::sparse::SparseVector;

fn bench(c: &mut Criterion) {
    let bench_data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let Some(dir) = common::cached::index(&bench_data, "scifact", "splade-tiny", 256, 5183, false)
    else {
        return;
    };
    let index = Index::open(&dir).unwrap();
    let Some(enc) = common::cached::encoder("splade-tiny", 64) else {
        return;
    };
    let shared = common::shared_dir();

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
                builder.add(doc, v, false).unwrap();
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
                dense: None,
                imported: None,
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
        group.bench_function(format!("splade-pruned-top{k}"), |b| {
            b.iter(|| {
                i = (i + 1) % vectors.len();
                splade_top_k(&index, &vectors[i], k).unwrap()
            })
        });
        let mut i = 0;
        group.bench_function(format!("bm25-top{k}"), |b| {
            b.iter(|| {
                i = (i + 1) % texts.len();
                top_k(
                    &bm25_scores(&index, &index.analyzer().query_terms(&texts[i])).unwrap(),
                    k,
                )
            })
        });
        let mut i = 0;
        group.bench_function(format!("bm25-pruned-top{k}"), |b| {
            b.iter(|| {
                i = (i + 1) % texts.len();
                bm25_top_k(&index, &index.analyzer().query_terms(&texts[i]), k).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
