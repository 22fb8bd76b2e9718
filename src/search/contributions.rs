//! Per-term parts of the scores of a few hits, for stacked contribution bars.
//!
//! The parts are the exact summands of [`super::splade_scores`] and
//! [`super::bm25_scores`]: SPLADE parts `q[t]·d[t]` in term-id order, BM25 parts one Lucene
//! term score per analyzed query term, in query-term order.

use crate::analysis::QueryTerm;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// One query term's part of a hit's SPLADE score: `(term id, q[t] · d[t])`, in term-id
/// order, for every document in `docs`.
pub fn splade_parts(
    index: &Index,
    query: &SparseVector,
    docs: &[u32],
) -> Result<Vec<Vec<(u32, f32)>>> {
    docs.iter()
        .map(|&d| {
            let vector = index.vector(d)?;
            Ok(query
                .iter()
                .filter_map(|(t, qw)| {
                    let dw = vector.get(t);
                    (dw > 0.0).then_some((t, qw * dw))
                })
                .collect())
        })
        .collect()
}

/// One analyzed query term's part of a hit's BM25 score: `(term, score)`, in query-term
/// order, for every document in `docs`.
pub fn bm25_parts(
    index: &Index,
    terms: &[QueryTerm],
    docs: &[u32],
) -> Result<Vec<Vec<(String, f32)>>> {
    let mut out = vec![Vec::new(); docs.len()];
    let scorer = index.bm25_scorer();
    let dict = index.bm25_terms();
    let postings = index.bm25_postings();
    for qt in terms {
        let Some(n) = dict.find(&qt.term) else {
            continue;
        };
        let weight = scorer.term_weight(qt.qtf, postings.df(n) as u64, dict.doc_count);
        for (slot, &d) in out.iter_mut().zip(docs) {
            if let Some(tf) = postings.tf(n, d)? {
                slot.push((qt.term.clone(), scorer.score(weight, tf, index.norm(d))));
            }
        }
    }
    Ok(out)
}
