//! BM25 scoring with Lucene's formula over the index's BM25 block postings.

use crate::analysis::QueryTerm;
use crate::index::blocks::BLOCK;
use crate::index::bm25_blocks::Bm25Term;
use crate::index::{Index, Result};

/// The analyzed query: its distinct terms with their counts (Anserini's bag of words).
pub fn query_terms(index: &Index, text: &str) -> Vec<QueryTerm> {
    index.analyzer().query_terms(text)
}

/// A query term found in the dictionary: its postings and its weight (`qtf · idf`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FoundTerm {
    pub info: Bm25Term,
    pub weight: f32,
}

/// The query terms the index holds, in query order (the order scores are summed in).
pub(crate) fn found_terms(index: &Index, terms: &[QueryTerm]) -> Vec<FoundTerm> {
    let scorer = index.bm25_scorer();
    let dict = index.bm25_terms();
    terms
        .iter()
        .filter_map(|qt| {
            let info = index.bm25_postings().term(dict.find(&qt.term)?);
            let weight = scorer.term_weight(qt.qtf, info.df as u64, dict.doc_count);
            Some(FoundTerm { info, weight })
        })
        .collect()
}

/// The BM25 score of every document for the analysed query ([`query_terms`]).
pub fn bm25_scores(index: &Index, terms: &[QueryTerm]) -> Result<Vec<f32>> {
    let found = found_terms(index, terms);
    if found.is_empty() {
        // Nothing matches (e.g. an index of imported vectors without texts): no `f64`
        // accumulators to fill and convert.
        return Ok(vec![0.0; index.len()]);
    }
    let scorer = index.bm25_scorer();
    let postings = index.bm25_postings();
    let mut acc = vec![0.0f64; index.len()];
    let (mut docs, mut tfs) = ([0u32; BLOCK], [0u32; BLOCK]);
    for term in &found {
        for b in 0..term.info.blocks {
            let len = postings.decode(&term.info, b, &mut docs, &mut tfs)?;
            for (&d, &tf) in docs[..len].iter().zip(&tfs[..len]) {
                if let Some(slot) = acc.get_mut(d as usize) {
                    *slot += f64::from(scorer.score(term.weight, tf, index.norm(d)));
                }
            }
        }
    }
    Ok(acc.into_iter().map(|s| s as f32).collect())
}
