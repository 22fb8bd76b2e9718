//! BM25 scoring with Lucene's formula over the index's BM25 block postings.

use crate::analysis::QueryTerm;
use crate::index::blocks::{partition_point, BLOCK};
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

/// The BM25 score of every document for the analysed query ([`query_terms`]): every
/// posting of every query term is read (the exhaustive path).
pub fn bm25_scores(index: &Index, terms: &[QueryTerm]) -> Result<Vec<f32>> {
    bm25_scores_in_parts(index, terms, 1)
}

/// [`bm25_scores`] on up to `threads` threads (document ranges of at least 100,000
/// documents): the same scores, bit for bit.
pub fn bm25_scores_parallel(
    index: &Index,
    terms: &[QueryTerm],
    threads: usize,
) -> Result<Vec<f32>> {
    let parts = threads.min(index.len() / super::splade::MIN_DOCUMENTS_PER_THREAD);
    bm25_scores_in_parts(index, terms, parts)
}

/// [`bm25_scores`] over `parts` contiguous document ranges, each on its own thread: every
/// part reads, per term, only the blocks that reach it, so each document still adds its
/// terms' scores in query order, and its score is the same `f64` sum rounded once.
pub fn bm25_scores_in_parts(index: &Index, terms: &[QueryTerm], parts: usize) -> Result<Vec<f32>> {
    let found = found_terms(index, terms);
    if found.is_empty() {
        // Nothing matches (e.g. an index of imported vectors without texts): no `f64`
        // accumulators to fill and convert.
        return Ok(vec![0.0; index.len()]);
    }
    if parts <= 1 || index.len() < 2 {
        // The accumulators become the scores in place: no second array to fault in.
        let acc = sums(index, &found, 0, index.len())?;
        return Ok(acc.into_iter().map(|s| s as f32).collect());
    }
    let mut scores = vec![0.0f32; index.len()];
    super::for_each_part(&mut scores, parts, |lo, part| {
        let acc = sums(index, &found, lo, part.len())?;
        for (o, a) in part.iter_mut().zip(acc) {
            *o = a as f32;
        }
        Ok(())
    })?;
    Ok(scores)
}

/// The `f64` score sums of the documents `lo..lo + len` (indexed from `lo`).
fn sums(index: &Index, found: &[FoundTerm], lo: usize, len: usize) -> Result<Vec<f64>> {
    let hi = lo + len;
    let scorer = index.bm25_scorer();
    let postings = index.bm25_postings();
    let mut acc = vec![0.0f64; len];
    let (mut docs, mut tfs) = ([0u32; BLOCK], [0u32; BLOCK]);
    for term in found {
        let info = &term.info;
        let first = partition_point(info.blocks, |b| {
            (postings.block(info, b).last_doc as usize) < lo
        });
        for b in first..info.blocks {
            let n = postings.decode(info, b, &mut docs, &mut tfs)?;
            for (&d, &tf) in docs[..n].iter().zip(&tfs[..n]) {
                if let Some(slot) = acc.get_mut((d as usize).wrapping_sub(lo)) {
                    *slot += f64::from(scorer.score(term.weight, tf, index.norm(d)));
                }
            }
            if docs[..n].last().is_some_and(|&d| d as usize >= hi) {
                break;
            }
        }
    }
    Ok(acc)
}
