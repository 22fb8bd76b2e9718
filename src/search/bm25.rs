//! BM25 scoring with Lucene's formula over the index's BM25 postings.

use crate::analysis::QueryTerm;
use crate::index::{Index, Result};

/// The analyzed query: its distinct terms with their counts (Anserini's bag of words).
pub fn query_terms(index: &Index, text: &str) -> Vec<QueryTerm> {
    index.analyzer().query_terms(text)
}

/// The BM25 score of every document for the analysed query ([`query_terms`]).
pub fn bm25_scores(index: &Index, terms: &[QueryTerm]) -> Result<Vec<f32>> {
    let scorer = index.bm25_scorer();
    let dict = index.bm25_terms();
    let found: Vec<_> = terms
        .iter()
        .filter_map(|qt| Some((dict.find(&qt.term)?, qt.qtf)))
        .collect();
    if found.is_empty() {
        // Nothing matches (e.g. an index of imported vectors without texts): no `f64`
        // accumulators to fill and convert.
        return Ok(vec![0.0; index.len()]);
    }
    let mut acc = vec![0.0f64; index.len()];
    let (mut docs, mut tfs) = (Vec::new(), Vec::new());
    for (n, qtf) in found {
        index.bm25_postings().row_u32(n, &mut docs, &mut tfs)?;
        let weight = scorer.term_weight(qtf, docs.len() as u64, dict.doc_count);
        for (&d, &tf) in docs.iter().zip(&tfs) {
            if let Some(slot) = acc.get_mut(d as usize) {
                *slot += f64::from(scorer.score(weight, tf, index.norm(d)));
            }
        }
    }
    Ok(acc.into_iter().map(|s| s as f32).collect())
}
