//! Running many queries through a system into a TREC-style [`Run`] (for evaluation).

use crate::encoder::SparseEncoder;
use crate::eval::Run;
use crate::index::{Index, Result};

use super::{bm25_scores, splade_scores, top_k};

/// Queries encoded per batch.
const BATCH: usize = 64;

/// The top `k` SPLADE hits of every query (`(id, text)` pairs), queries encoded in
/// batches; `progress` gets the number of queries done.
pub fn splade_run(
    index: &Index,
    encoder: &SparseEncoder,
    queries: &[(&str, &str)],
    k: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Run> {
    let mut run = Run::new();
    let mut done = 0;
    for chunk in queries.chunks(BATCH) {
        let texts: Vec<&str> = chunk.iter().map(|q| q.1).collect();
        let encoded = encoder.encode_batch(&texts)?;
        for ((id, _), e) in chunk.iter().zip(&encoded) {
            let scores = splade_scores(index, &e.vector)?;
            add_hits(&mut run, index, id, &scores, k)?;
        }
        done += chunk.len();
        progress(done);
    }
    Ok(run)
}

/// The top `k` BM25 hits of every query.
pub fn bm25_run(
    index: &Index,
    queries: &[(&str, &str)],
    k: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Run> {
    let mut run = Run::new();
    for (i, (id, text)) in queries.iter().enumerate() {
        let scores = bm25_scores(index, &index.analyzer().query_terms(text))?;
        add_hits(&mut run, index, id, &scores, k)?;
        progress(i + 1);
    }
    Ok(run)
}

fn add_hits(run: &mut Run, index: &Index, qid: &str, scores: &[f32], k: usize) -> Result<()> {
    let hits = top_k(scores, k);
    let mut docs = Vec::with_capacity(hits.len());
    for h in hits {
        docs.push(crate::eval::ScoredDoc::new(
            index.doc(h.doc)?.id,
            f64::from(h.score),
        ));
    }
    run.set(qid, docs);
    Ok(())
}
