//! SciFact end to end with splade-tiny: build the index (documents at 256 tokens, as the
//! reference pipeline), search every test query with SPLADE and BM25, and check retrieval
//! quality against `../shared/reference/quality.md`, plus exact explanations on real data.
//!
//! The index is built once into Cargo's test scratch directory and reused by later runs.
//! Run in release mode (`cargo test --release`): encoding 5,183 documents takes about a
//! minute there.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use spladescope::encoder::SparseEncoder;
use spladescope::eval::{evaluate, load_beir, EvalOptions, Metric, Run};
use spladescope::index::Index;
use spladescope::search::{
    bm25_scores, explain_bm25, explain_splade, splade_scores, top_k, RankInfo,
};

fn encoder(max_length: usize) -> Option<SparseEncoder> {
    common::cached::encoder("splade-tiny", max_length)
}

/// The SciFact index, built on first use.
fn scifact_index() -> Option<&'static Index> {
    static INDEX: OnceLock<Option<Index>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
            let dir = common::cached::beir_index(&tmp, "scifact")?;
            Some(Index::open(&dir).unwrap())
        })
        .as_ref()
}

#[test]
fn index_holds_the_collection() {
    let Some(index) = scifact_index() else { return };
    let m = index.manifest();
    assert_eq!(index.len(), 5183);
    let avg_nnz = m.splade.postings as f64 / 5183.0;
    // Reference: 248.5 non-zeros per document at 256 tokens.
    assert!((avg_nnz - 248.5).abs() < 0.5, "avg nnz {avg_nnz}");
    assert_eq!(m.bm25.terms, 28865);
    assert_eq!(index.doc(0).unwrap().id, "4983");
}

#[test]
fn ndcg_matches_the_reference_pipeline() {
    let Some(index) = scifact_index() else { return };
    let Some(enc) = encoder(64) else { return };
    let split = load_beir(common::shared("data/scifact").unwrap(), "test").unwrap();
    let texts: Vec<&str> = split.queries.iter().map(|q| q.text.as_str()).collect();
    let encoded = enc.encode_batch(&texts).unwrap();
    let (mut splade, mut bm25) = (Run::new(), Run::new());
    for (q, e) in split.queries.iter().zip(&encoded) {
        let scores = splade_scores(index, &e.vector).unwrap();
        for hit in top_k(&scores, 1000) {
            splade.push(&q.id, index.doc(hit.doc).unwrap().id, f64::from(hit.score));
        }
        let scores = bm25_scores(index, &index.analyzer().query_terms(&q.text)).unwrap();
        for hit in top_k(&scores, 1000) {
            bm25.push(&q.id, index.doc(hit.doc).unwrap().id, f64::from(hit.score));
        }
    }
    let opts = EvalOptions::default();
    let s = evaluate(&splade, &split.qrels, &opts).unwrap();
    let b = evaluate(&bm25, &split.qrels, &opts).unwrap();
    let (sn, bn) = (s.mean(Metric::Ndcg10), b.mean(Metric::Ndcg10));
    eprintln!("SciFact test, {} queries: SPLADE nDCG@10 {sn:.4} (reference 0.6436), BM25 {bn:.4} (Anserini 0.6789)", split.queries.len());
    eprintln!(
        "SPLADE MRR@10 {:.4} R@100 {:.4} R@1000 {:.4} MAP@1000 {:.4} (reference 0.6159 0.8930 0.9733 0.6072)",
        s.mean(Metric::Mrr10),
        s.mean(Metric::Recall100),
        s.mean(Metric::Recall1000),
        s.mean(Metric::Map1000)
    );
    assert!((sn - 0.6436).abs() <= 0.003, "SPLADE nDCG@10 {sn}");
    assert!((bn - 0.6789).abs() <= 0.002, "BM25 nDCG@10 {bn}");
}

#[test]
fn explanations_add_up_on_real_documents() {
    let Some(index) = scifact_index() else { return };
    let Some(enc) = encoder(64) else { return };
    let split = load_beir(common::shared("data/scifact").unwrap(), "test").unwrap();
    for q in split.queries.iter().take(25) {
        let e = enc.encode(&q.text).unwrap();
        let scores = splade_scores(index, &e.vector).unwrap();
        let bm25 = bm25_scores(index, &index.analyzer().query_terms(&q.text)).unwrap();
        // The top hits, and a relevant document wherever it ranks.
        let relevant = split.qrels.get(&q.id).unwrap().keys().next().unwrap();
        let mut docs: Vec<u32> = top_k(&scores, 10).iter().map(|h| h.doc).collect();
        docs.push(index.find(relevant).unwrap());
        for d in docs {
            let x =
                explain_splade(index, &enc, &q.text, &e, RankInfo::of(&scores, d, 10), d).unwrap();
            let sum: f32 = x.terms.iter().map(|t| t.contribution).sum();
            assert!(
                (sum - scores[d as usize]).abs() <= 1e-4,
                "{}: {sum} vs {}",
                q.id,
                scores[d as usize]
            );
            assert_eq!(x.score.to_bits(), scores[d as usize].to_bits());
            let y = explain_bm25(
                index,
                &index.analyzer().query_terms(&q.text),
                RankInfo::of(&bm25, d, 10),
                d,
            )
            .unwrap();
            let sum: f32 = y.terms.iter().map(|t| t.parts.score).sum();
            assert!((sum - bm25[d as usize]).abs() <= 1e-4);
        }
    }
}
