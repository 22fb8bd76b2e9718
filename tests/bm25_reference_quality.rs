//! End-to-end check against published Anserini BM25 ("flat") numbers on BEIR test splits.
//!
//! Builds an in-memory BM25 index (document text = `title + " " + text`, as BEIR does),
//! runs every test query top-1000 with Anserini's bag-of-words query, and computes nDCG@10
//! with trec_eval semantics. Data: `../shared/data/<dataset>` (or `$SPLADESCOPE_SHARED`); a missing dataset is
//! reported as skipped (a failure under `SPLADESCOPE_REQUIRE_SHARED=1`). Run with `--release`.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use common::bm25_index::{dataset_dir, read_jsonl, read_qrels, Doc, Index, Query};
use spladescope::analysis::{avg_field_length, Analyzer, Bm25Params, Bm25Scorer};

/// trec_eval's `ndcg_cut.10` for one query. `run`: (doc id, score). trec_eval re-sorts by
/// score (as printed in the run file: Anserini writes 6 decimals) desc, then doc id desc.
fn ndcg_at_10(run: &[(String, f32)], qrels: &HashMap<String, i64>) -> f64 {
    let mut ranked: Vec<(i64, &str)> = run
        .iter()
        .map(|(id, s)| ((f64::from(*s) * 1e6).round() as i64, id.as_str()))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    let gain = |g: i64| g.max(0) as f64;
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, (_, id))| gain(qrels.get(*id).copied().unwrap_or(0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<i64> = qrels.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| gain(g) / ((i + 2) as f64).log2())
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

/// Returns None (and prints why) when the dataset is not available.
fn evaluate(dataset: &str) -> Option<f64> {
    let dir = dataset_dir(dataset)?;
    let t0 = Instant::now();
    let analyzer = Analyzer::default();
    let docs: Vec<Doc> = read_jsonl(&dir.join("corpus.jsonl"));
    let index = Index::build(&docs, &analyzer);
    let avgdl = avg_field_length(index.sum_total_term_freq, index.doc_count);
    let scorer = Bm25Scorer::new(Bm25Params::ANSERINI, avgdl);
    let t_index = t0.elapsed();

    let queries: HashMap<String, String> = read_jsonl::<Query>(&dir.join("queries.jsonl"))
        .into_iter()
        .map(|q| (q.id, q.text))
        .collect();
    let qrels = read_qrels(&dir.join("qrels").join("test.tsv"));
    let (mut sum, mut evaluated, mut empty) = (0.0, 0usize, 0usize);
    let mut dump = String::new();
    for (qid, judged) in &qrels {
        let text = queries
            .get(qid)
            .unwrap_or_else(|| panic!("query {qid} of qrels/test.tsv is not in queries.jsonl"));
        let hits = index.search(&analyzer, &scorer, text, 1000);
        if hits.is_empty() {
            // Pyserini evaluates BEIR with `trec_eval -c`: a query with no hits scores 0.
            empty += 1;
            evaluated += 1;
            continue;
        }
        let run: Vec<(String, f32)> = hits
            .iter()
            .map(|&(d, s)| (index.ids[d as usize].clone(), s))
            .collect();
        for (rank, (id, s)) in run.iter().enumerate() {
            dump.push_str(&format!("{qid} Q0 {id} {} {s:.6} rs\n", rank + 1));
        }
        sum += ndcg_at_10(&run, judged);
        evaluated += 1;
    }
    let ndcg = sum / evaluated.max(1) as f64;
    if let Ok(dir) = std::env::var("SPLADESCOPE_DUMP_RUNS") {
        let path = PathBuf::from(dir).join(format!("{dataset}.bm25.trec"));
        std::fs::write(&path, dump).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    println!(
        "{dataset}: {} docs, {} terms, avgdl {avgdl:.3}; {evaluated} queries ({empty} with no hits); \
         nDCG@10 = {ndcg:.4} (index {:.2?}, total {:.2?})",
        docs.len(),
        index.postings.len(),
        t_index,
        t0.elapsed()
    );
    Some(ndcg)
}

#[test]
fn scifact_ndcg_at_10_matches_anserini() {
    if let Some(ndcg) = evaluate("scifact") {
        assert!(
            (ndcg - 0.6789).abs() <= 0.002,
            "SciFact nDCG@10 {ndcg:.4}, expected 0.6789 ± 0.002"
        );
    }
}

#[test]
fn nfcorpus_ndcg_at_10_matches_reference() {
    if let Some(ndcg) = evaluate("nfcorpus") {
        assert!(
            (ndcg - 0.3203).abs() <= 0.003,
            "NFCorpus nDCG@10 {ndcg:.4}, expected 0.3203 ± 0.003"
        );
    }
}
