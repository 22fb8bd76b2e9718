//! Exact dynamic pruning returns exactly what exhaustive scoring returns: the same
//! documents in the same order with bit-identical scores, on random indexes (ties,
//! underflow, partial blocks, k past the matches, terms past the vocabulary) and on every
//! SciFact and NFCorpus test query, for SPLADE (ranges) and BM25 (block-max MaxScore).

mod common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use spladescope::analysis::Bm25Params;
use spladescope::corpus::Document;
use spladescope::eval::load_beir;
use spladescope::index::manifest::{CorpusInfo, ModelInfo};
use spladescope::index::{Index, IndexBuilder, IndexInfo};
use spladescope::search::pruned::splade_top_k_with_stats;
use spladescope::search::{
    bm25_max_score, bm25_pruning_pays, bm25_scores, bm25_scores_in_parts, bm25_top_k,
    splade_scores, splade_scores_in_parts, splade_top_k, top_k, Hit,
};
use spladescope::sparse::SparseVector;

/// Writes an index of `vectors` (documents `d0`, `d1`, ...) over `vocab` terms.
fn build(dir: &Path, vocab: usize, vectors: &[SparseVector]) -> Index {
    let texts = vec!["x".to_string(); vectors.len()];
    build_with_texts(dir, vocab, vectors, &texts, Bm25Params::default())
}

/// [`build`], with a text per document for BM25 and BM25's parameters.
fn build_with_texts(
    dir: &Path,
    vocab: usize,
    vectors: &[SparseVector],
    texts: &[String],
    bm25: Bm25Params,
) -> Index {
    let mut b = IndexBuilder::new(vocab);
    for (i, (v, text)) in vectors.iter().zip(texts).enumerate() {
        let doc = Document {
            id: format!("d{i}"),
            title: String::new(),
            text: text.clone(),
        };
        b.add(&doc, v, false).unwrap();
    }
    let info = IndexInfo {
        corpus: CorpusInfo {
            path: "generated".into(),
            format: "vectors".into(),
        },
        model: ModelInfo {
            id: "generated".into(),
            architecture: "none".into(),
            vocab_size: vocab,
            max_length: 512,
            config_sha256: String::new(),
            tokenizer_sha256: String::new(),
            weights_sha256: String::new(),
            query_encoder: Default::default(),
            idf_sha256: None,
        },
        bm25,
        empty_documents: 0,
        skipped_records: 0,
        dense: None,
        imported: None,
    };
    b.write(dir, info).unwrap();
    Index::open(dir).unwrap()
}

fn bits(hits: &[Hit]) -> Vec<(u32, u32)> {
    hits.iter().map(|h| (h.doc, h.score.to_bits())).collect()
}

/// Pruned search equals exhaustive search, scoring no range twice.
fn assert_same(index: &Index, query: &SparseVector, k: usize) {
    let want = bits(&top_k(&splade_scores(index, query).unwrap(), k));
    let (got, stats) = splade_top_k_with_stats(index, query, k).unwrap();
    assert_eq!(bits(&got), want, "k {k}, query {query:?}");
    assert!(stats.scored <= stats.ranges, "{stats:?}");
    assert_eq!(bits(&splade_top_k(index, query, k).unwrap()), want);
}

/// Scores computed over 2, 3 and 7 document ranges equal the one-thread scores bit for bit.
fn assert_same_in_parts(scores: &[f32], in_parts: impl Fn(usize) -> Vec<f32>) {
    let bits = |s: &[f32]| s.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
    for parts in [2, 3, 7] {
        assert_eq!(bits(&in_parts(parts)), bits(scores), "{parts} parts");
    }
}

fn weight() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => 0.001f32..10.0,
        2 => prop::sample::select(vec![0.5f32, 1.0, 1.5, 2.0]),
        1 => 1e-25f32..1e-20,
    ]
}

fn vector(vocab: u32, max_nnz: usize) -> impl Strategy<Value = SparseVector> {
    proptest::collection::vec((0..vocab, weight()), 0..max_nnz).prop_map(SparseVector::from_pairs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn pruned_equals_exhaustive_on_random_indexes(
        (vocab, docs) in (1u32..40).prop_flat_map(|v| (Just(v), proptest::collection::vec(vector(v, 12), 0..700))),
        queries in proptest::collection::vec(vector(48, 16), 1..6),
        ks in proptest::collection::vec(0usize..60, 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let index = build(dir.path(), vocab as usize, &docs);
        for q in &queries {
            for &k in ks.iter().chain([1, 1000].iter()) {
                assert_same(&index, q, k);
            }
            assert_same_in_parts(&splade_scores(&index, q).unwrap(), |parts| {
                splade_scores_in_parts(&index, q, parts).unwrap()
            });
        }
    }
}

#[test]
fn ties_everywhere_and_one_document_with_every_term() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs: Vec<SparseVector> = (0..1000)
        .map(|i| SparseVector {
            ids: vec![i % 7, 7 + i % 3],
            weights: vec![1.0, 1.0],
        })
        .collect();
    docs[517] = SparseVector {
        ids: (0..10).collect(),
        weights: vec![1.0; 10],
    };
    let index = build(dir.path(), 10, &docs);
    let q = SparseVector {
        ids: (0..12).collect(),
        weights: vec![0.5; 12],
    };
    for k in [0, 1, 2, 10, 127, 128, 129, 999, 1000, 1001] {
        assert_same(&index, &q, k);
    }
    assert_eq!(splade_top_k(&index, &q, 1).unwrap()[0].doc, 517);
}

/// Pruned BM25 equals exhaustive BM25.
fn assert_same_bm25(index: &Index, query: &str, k: usize) {
    let terms = index.analyzer().query_terms(query);
    let want = bits(&top_k(&bm25_scores(index, &terms).unwrap(), k));
    assert_eq!(
        bits(&bm25_max_score(index, &terms, k).unwrap()),
        want,
        "k {k}, query {query:?}"
    );
    assert_eq!(bits(&bm25_top_k(index, &terms, k).unwrap()), want);
}

/// Words the analyzer keeps as they are, from frequent to rare.
const WORDS: [&str; 12] = [
    "cell", "gene", "protein", "tumor", "brain", "virus", "insulin", "enzyme", "neuron", "plasma",
    "kinase", "axon",
];

/// A text of words drawn from [`WORDS`] (by index).
fn text(words: &[usize]) -> String {
    words
        .iter()
        .map(|&w| WORDS[w % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn pruned_bm25_equals_exhaustive_on_random_indexes(
        docs in proptest::collection::vec(
            proptest::collection::vec((0usize..12).prop_map(|w| w * w / 12), 0..40), 0..900),
        queries in proptest::collection::vec(proptest::collection::vec(0usize..13, 1..8), 1..6),
        ks in proptest::collection::vec(0usize..60, 1..4),
        (k1, b) in prop_oneof![
            Just((0.9f32, 0.4f32)),
            Just((0.0, 0.0)),
            Just((1.2, 1.0)),
            (0.0f32..3.0, 0.0f32..=1.0),
        ],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<String> = docs.iter().map(|d| text(d)).collect();
        let vectors = vec![SparseVector::from_pairs(vec![(0, 1.0)]); texts.len()];
        let params = Bm25Params::new(k1, b).unwrap();
        let index = build_with_texts(dir.path(), 1, &vectors, &texts, params);
        for q in &queries {
            // Index 12 is a word no document has.
            let mut query = text(&q.iter().copied().filter(|&w| w < 12).collect::<Vec<_>>());
            if q.contains(&12) {
                query.push_str(" unseen");
            }
            for &k in ks.iter().chain([1, 1000].iter()) {
                assert_same_bm25(&index, &query, k);
            }
            let terms = index.analyzer().query_terms(&query);
            assert_same_in_parts(&bm25_scores(&index, &terms).unwrap(), |parts| {
                bm25_scores_in_parts(&index, &terms, parts).unwrap()
            });
        }
    }
}

#[test]
fn pruned_bm25_breaks_ties_by_document_number() {
    // 1,000 documents of the same length holding the same terms: every score ties.
    let dir = tempfile::tempdir().unwrap();
    let texts: Vec<String> = (0..1000)
        .map(|i| {
            if i % 3 == 0 {
                "cell gene cell"
            } else {
                "cell gene gene"
            }
            .to_string()
        })
        .collect();
    let vectors = vec![SparseVector::from_pairs(vec![(0, 1.0)]); texts.len()];
    let index = build_with_texts(dir.path(), 1, &vectors, &texts, Bm25Params::default());
    for k in [0, 1, 2, 10, 127, 128, 129, 999, 1000, 1001] {
        for q in [
            "cell",
            "gene",
            "cell gene",
            "gene gene cell",
            "brain",
            "cell brain",
        ] {
            assert_same_bm25(&index, q, k);
        }
    }
    let terms = index.analyzer().query_terms("cell");
    let hits = bm25_top_k(&index, &terms, 3).unwrap();
    assert_eq!(hits.iter().map(|h| h.doc).collect::<Vec<_>>(), [0, 3, 6]);
}

#[test]
fn bm25_prunes_short_queries_at_small_depths_only() {
    assert!(bm25_pruning_pays(10, 10) && !bm25_pruning_pays(11, 10));
    assert!(bm25_pruning_pays(6, 100) && !bm25_pruning_pays(7, 100));
    assert!(bm25_pruning_pays(1, 1000) && !bm25_pruning_pays(2, 1000));
    assert!(bm25_pruning_pays(14, 1) && !bm25_pruning_pays(1, 100_000));
}

/// Every test query of a BEIR collection, at several depths.
fn every_test_query(dataset: &str) {
    let Some(enc) = common::cached::encoder("splade-tiny", 512) else {
        return;
    };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let Some(dir) = common::cached::beir_index(&tmp, dataset) else {
        return;
    };
    let index = Index::open(&dir).unwrap();
    let split = load_beir(common::shared(&format!("data/{dataset}")).unwrap(), "test").unwrap();
    let texts: Vec<&str> = split.queries.iter().map(|q| q.text.as_str()).collect();
    let encoded = enc.encode_batch(&texts).unwrap();
    for (e, text) in encoded.iter().zip(&texts) {
        for k in [1, 10, 100, 1000] {
            assert_same(&index, &e.vector, k);
            assert_same_bm25(&index, text, k);
        }
    }
}

#[test]
fn pruned_equals_exhaustive_on_every_scifact_test_query() {
    every_test_query("scifact");
}

#[test]
fn pruned_equals_exhaustive_on_every_nfcorpus_test_query() {
    every_test_query("nfcorpus");
}

#[test]
fn ranges_whose_bounds_fall_below_the_threshold_are_not_scored() {
    // 200 ranges of 16 documents: range 100 matches the query strongly, the others weakly.
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<SparseVector> = (0..3200u32)
        .map(|i| {
            if i / 16 == 100 {
                SparseVector::from_pairs(vec![(0, 3.0), (1, 3.0)])
            } else {
                SparseVector::from_pairs(vec![(0, 0.1), (2 + i % 5, 1.0)])
            }
        })
        .collect();
    let index = build(dir.path(), 8, &docs);
    let q = SparseVector::from_pairs(vec![(0, 1.0), (1, 1.0)]);
    assert_same(&index, &q, 10);
    let (hits, stats) = splade_top_k_with_stats(&index, &q, 10).unwrap();
    assert_eq!(hits[0].doc, 1600);
    assert_eq!(stats.ranges, 200);
    assert!(!stats.exhaustive);
    // The best range is scored first; its documents set a threshold no other range reaches.
    assert_eq!(stats.scored, 1, "{stats:?}");
}

#[test]
fn queries_whose_live_ranges_hold_many_term_entries_are_scored_exhaustively() {
    // Every document has term 0 and ten of terms 1..=150; the last document of every third
    // range has term 160 too, strongly. Those 67 ranges tie at the top, so after the first
    // batch 35 ranges are still alive, holding about 35 × 150 term entries: more than a third
    // of the query's 3,267 postings.
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<SparseVector> = (0..3200u32)
        .map(|i| {
            let mut pairs: Vec<(u32, f32)> = vec![(0, 1.0)];
            pairs.extend((0..10).map(|j| (1 + (i * 7 + j * 15) % 150, 1.0)));
            if i % 16 == 15 && (i / 16) % 3 == 0 {
                pairs.push((160, 15.5));
            }
            SparseVector::from_pairs(pairs)
        })
        .collect();
    let index = build(dir.path(), 170, &docs);
    let q = SparseVector::from_pairs(vec![(0, 1.0), (160, 1.0)]);
    assert_same(&index, &q, 10);
    let (_, stats) = splade_top_k_with_stats(&index, &q, 10).unwrap();
    assert_eq!(stats.ranges, 200);
    assert_eq!(stats.live, 35, "{stats:?}");
    assert!(stats.exhaustive, "{stats:?}");
}
