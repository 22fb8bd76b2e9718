//! SPLADE scoring: the query vector against the inverted index.
//!
//! The exhaustive path reads every posting of every query term and adds `q_t·w` to the
//! document's accumulator, term after term in term-id order. [`splade_scores_parallel`]
//! splits the documents into contiguous parts, one thread each: every part reads, per term,
//! only the blocks that reach it (found by bisecting the block table on last documents), so
//! each document still sees its terms in term-id order and its score is the same `f32` sum.

use crate::index::blocks::{partition_point, BLOCK};
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Below this many documents per thread, [`splade_scores_parallel`] uses fewer threads:
/// starting one costs more than it saves.
pub(crate) const MIN_DOCUMENTS_PER_THREAD: usize = 100_000;

/// The SPLADE score of every document (`f32` dot products, summed in term-id order):
/// every posting of every query term is read (the exhaustive path).
pub fn splade_scores(index: &Index, query: &SparseVector) -> Result<Vec<f32>> {
    let mut acc = vec![0.0f32; index.len()];
    score_part(index, query, 0, &mut acc)?;
    Ok(acc)
}

/// [`splade_scores`] on up to `threads` threads (document ranges of at least
/// [`MIN_DOCUMENTS_PER_THREAD`]): the same scores, bit for bit.
pub fn splade_scores_parallel(
    index: &Index,
    query: &SparseVector,
    threads: usize,
) -> Result<Vec<f32>> {
    let parts = threads.min(index.len() / MIN_DOCUMENTS_PER_THREAD);
    splade_scores_in_parts(index, query, parts)
}

/// [`splade_scores`] over `parts` contiguous document ranges, each on its own thread (one
/// part, or none, runs on the calling thread): the same scores, bit for bit.
pub fn splade_scores_in_parts(
    index: &Index,
    query: &SparseVector,
    parts: usize,
) -> Result<Vec<f32>> {
    let n = index.len();
    if parts <= 1 || n < 2 {
        return splade_scores(index, query);
    }
    let mut acc = vec![0.0f32; n];
    super::for_each_part(&mut acc, parts, |lo, part| {
        score_part(index, query, lo, part)
    })?;
    Ok(acc)
}

/// Adds every posting of the documents `lo..lo + acc.len()` into `acc` (indexed from `lo`).
fn score_part(index: &Index, query: &SparseVector, lo: usize, acc: &mut [f32]) -> Result<()> {
    let hi = lo + acc.len();
    let postings = index.splade();
    let mut docs = [0u32; BLOCK];
    for (term, qw) in query.iter() {
        let t = postings.term(term as usize);
        let weights = postings.weight_bytes(&t);
        let first = if lo == 0 {
            0
        } else {
            partition_point(t.blocks, |b| (postings.block(&t, b).last_doc as usize) < lo)
        };
        for b in first..t.blocks {
            let n = postings.decode(&t, b, &mut docs, None)?;
            let w = &weights[b * BLOCK * 4..][..n * 4];
            for (&d, w) in docs[..n].iter().zip(w.chunks_exact(4)) {
                if let Some(slot) = acc.get_mut((d as usize).wrapping_sub(lo)) {
                    *slot += qw * f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                }
            }
            if docs[..n].last().is_some_and(|&d| d as usize >= hi) {
                break;
            }
        }
    }
    Ok(())
}
