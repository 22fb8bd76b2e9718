//! Index + search on small corpora and a tiny generated model: every SPLADE and BM25 score
//! from the index equals a brute-force computation, top-k equals a full sort, and every
//! explanation adds up to its score.

mod common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use proptest::prelude::*;
use spladescope::analysis::{avg_field_length, Analyzer, Bm25Params, Bm25Scorer};
use spladescope::encoder::{EncoderOptions, ModelFiles, SparseEncoder};
use spladescope::index::{self, BuildOptions, Index};
use spladescope::search::{
    bm25_scores, explain_bm25, explain_splade, splade_scores, top_k, RankInfo,
};

use common::checkpoint::{self, BERT_TIED, VOCAB};

fn encoder(dir: &Path) -> SparseEncoder {
    checkpoint::write(dir, BERT_TIED, 11);
    let options = EncoderOptions {
        max_length: 24,
        batch_size: 8,
        threads: 2,
        ..Default::default()
    };
    SparseEncoder::load(ModelFiles::from_dir(dir).unwrap(), options).unwrap()
}

fn write_corpus(path: &Path, docs: &[(String, String)]) {
    let lines: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, (title, text))| {
            serde_json::json!({"_id": format!("d{i}"), "title": title, "text": text}).to_string()
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn build(dir: &Path, encoder: &SparseEncoder, docs: &[(String, String)]) -> Index {
    let corpus = dir.join("corpus.jsonl");
    write_corpus(&corpus, docs);
    let out = dir.join("idx");
    index::build(
        &corpus,
        &out,
        encoder,
        &BuildOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    Index::open(&out).unwrap()
}

/// BM25 recomputed from the stored document texts alone.
fn brute_bm25(index: &Index, query: &str) -> Vec<f32> {
    let analyzer = Analyzer::default();
    let docs: Vec<Vec<String>> = (0..index.len() as u32)
        .map(|d| {
            let doc = index.doc(d).unwrap();
            let text = format!("{} {}", doc.title, doc.text);
            analyzer.terms(text.trim())
        })
        .collect();
    let doc_count = docs.iter().filter(|t| !t.is_empty()).count() as u64;
    let total: u64 = docs.iter().map(|t| t.len() as u64).sum();
    let scorer = Bm25Scorer::new(Bm25Params::default(), avg_field_length(total, doc_count));
    let qterms = analyzer.query_terms(query);
    docs.iter()
        .map(|terms| {
            let mut sum = 0.0f64;
            for qt in &qterms {
                let tf = terms.iter().filter(|t| **t == qt.term).count() as u32;
                if tf == 0 {
                    continue;
                }
                let df = docs.iter().filter(|d| d.contains(&qt.term)).count() as u64;
                let w = scorer.term_weight(qt.qtf, df, doc_count);
                let norm = spladescope::analysis::encode_length(terms.len());
                sum += f64::from(scorer.score(w, tf, norm));
            }
            sum as f32
        })
        .collect()
}

fn check(dir: &Path, encoder: &SparseEncoder, docs: &[(String, String)], queries: &[String]) {
    let index = build(dir, encoder, docs);
    assert_eq!(index.len(), docs.len());
    // Stored vectors are the encoder's vectors.
    for (d, (title, text)) in docs.iter().enumerate() {
        let full = format!("{title} {text}");
        let fresh = encoder.encode(full.trim()).unwrap();
        assert_eq!(index.vector(d as u32).unwrap(), fresh.vector, "doc {d}");
    }
    for q in queries {
        let encoded = encoder.encode(q).unwrap();
        let scores = splade_scores(&index, &encoded.vector).unwrap();
        for d in 0..index.len() as u32 {
            let brute = encoded.vector.dot(&index.vector(d).unwrap());
            assert_eq!(
                scores[d as usize].to_bits(),
                brute.to_bits(),
                "SPLADE {q:?} doc {d}"
            );
            let e = explain_splade(&index, encoder, q, &encoded, RankInfo::of(&scores, d, 3), d)
                .unwrap();
            assert_eq!(
                e.score.to_bits(),
                scores[d as usize].to_bits(),
                "explanation = score"
            );
            let mut by_id = e.terms.clone();
            by_id.sort_by_key(|t| t.id);
            let sum = by_id.iter().fold(0.0f32, |s, t| s + t.contribution);
            assert_eq!(sum.to_bits(), e.score.to_bits());
            assert_eq!(e.terms.len() + e.missing.len(), encoded.vector.nnz());
        }
        let mut brute: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .filter(|(_, &s)| s > 0.0)
            .map(|(d, &s)| (d as u32, s))
            .collect();
        brute.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for k in [1, 3, 1000] {
            let got: Vec<(u32, f32)> = top_k(&scores, k).iter().map(|h| (h.doc, h.score)).collect();
            assert_eq!(got, brute.iter().copied().take(k).collect::<Vec<_>>());
        }

        let bm25 = bm25_scores(&index, &index.analyzer().query_terms(q)).unwrap();
        let brute = brute_bm25(&index, q);
        for d in 0..index.len() {
            assert_eq!(
                bm25[d].to_bits(),
                brute[d].to_bits(),
                "BM25 {q:?} doc {d}: {} vs {}",
                bm25[d],
                brute[d]
            );
            let e = explain_bm25(
                &index,
                &index.analyzer().query_terms(q),
                RankInfo::of(&bm25, d as u32, 3),
                d as u32,
            )
            .unwrap();
            assert_eq!(e.score.to_bits(), bm25[d].to_bits());
            let rank = e.rank.rank;
            assert_eq!(rank.is_some(), bm25[d] > 0.0);
        }
    }
}

fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(&VOCAB[5..]), 0..12)
        .prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn index_scores_equal_brute_force(
        docs in proptest::collection::vec((words(), words()), 1..25),
        queries in proptest::collection::vec(words(), 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let enc = encoder(dir.path());
        check(dir.path(), &enc, &docs, &queries);
    }
}

#[test]
fn fixed_corpus_with_empty_and_repeated_documents() {
    let dir = tempfile::tempdir().unwrap();
    let enc = encoder(dir.path());
    let docs: Vec<(String, String)> = [
        ("", ""),
        ("reset my login", "the account password is not fast"),
        ("reset my login", "the account password is not fast"),
        ("sparse vector", "a query term weight model and a document"),
        ("", "red blue green cat dog running"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let queries = [
        "reset my password",
        "sparse document weight",
        "",
        "zzz unknown",
    ]
    .map(String::from);
    check(dir.path(), &enc, &docs, &queries);
    let index = Index::open(&dir.path().join("idx")).unwrap();
    assert_eq!(index.manifest().empty_documents, 1);
    assert_eq!(index.find("d3").unwrap(), 3);
    assert!(index.find("nope").is_err());
    // Tied documents rank by document number.
    let q = enc.encode("reset my login").unwrap();
    let scores = splade_scores(&index, &q.vector).unwrap();
    let hits = top_k(&scores, 2);
    assert_eq!(scores[1], scores[2]);
    assert_eq!((hits[0].doc, hits[1].doc), (1, 2));
}

#[test]
fn bm25_counts_match_a_hand_made_example() {
    let dir = tempfile::tempdir().unwrap();
    let enc = encoder(dir.path());
    let docs: Vec<(String, String)> = vec![
        ("".into(), "cats running and cats sleeping".into()),
        ("".into(), "the dog".into()),
    ];
    let index = build(dir.path(), &enc, &docs);
    let scores = bm25_scores(&index, &index.analyzer().query_terms("cat")).unwrap();
    let e = explain_bm25(
        &index,
        &index.analyzer().query_terms("cat"),
        RankInfo::of(&scores, 0, 10),
        0,
    )
    .unwrap();
    assert_eq!(e.terms.len(), 1);
    let t = &e.terms[0].parts;
    // "cats running and cats sleeping" -> cat run cat sleep (stop word "and" removed).
    assert_eq!((t.tf, t.df, t.dl, t.doc_count), (2, 1, 4, 2));
    assert_eq!(e.rank.rank, Some(1));
    assert_eq!(scores[1], 0.0);
}
