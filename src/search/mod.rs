//! Exact top-k retrieval over an [`Index`], for SPLADE and for BM25, and explanations of
//! any document's score.
//!
//! Both systems can score every matching document exhaustively (term-at-a-time into one
//! accumulator per document); their top k can also be found with exact dynamic pruning
//! (SPLADE: [`pruned`], over document ranges; BM25: [`bm25_pruned`], block-max MaxScore),
//! which returns the same hits and scores bit for bit. Ranking: score
//! descending, ties by document number (corpus order) ascending; documents scoring 0 are
//! not returned.
//!
//! - SPLADE: `score(d) = Σ_t q[t] · d[t]` over the query's terms in increasing term id, in
//!   `f32`: bit for bit the dot product [`crate::sparse::SparseVector::dot`] of the query
//!   vector with the stored document vector.
//! - BM25: Lucene's BM25 ([`crate::analysis::Bm25Scorer`]) summed over the distinct
//!   analyzed query terms (each weighted by its count in the query, as Anserini does), the
//!   sum taken in `f64` and rounded once to `f32`, as Lucene does.

pub mod bm25;
pub mod bm25_pruned;
pub mod compare;
pub mod contributions;
pub mod cost;
pub mod doc_sources;
pub mod edit;
pub mod explain;
pub mod latency;
pub mod pruned;
pub mod splade;
pub mod term_postings;
pub mod topk;
pub mod what_if;

use serde::Serialize;

pub use bm25::{bm25_scores, bm25_scores_in_parts, bm25_scores_parallel};
pub use bm25_pruned::{bm25_max_score, bm25_pruning_pays, bm25_top_k};
pub use compare::{SpladeComparison, TermChange};
pub use cost::{CostTally, SparsityCost};
pub use doc_sources::DocumentSources;
pub use edit::{Pruning, QueryEdits};
pub use explain::{explain_bm25, explain_splade, Bm25Explanation, RankInfo, SpladeExplanation};
pub use pruned::splade_top_k;
pub use splade::{splade_scores, splade_scores_in_parts, splade_scores_parallel};
pub use term_postings::TermPostings;
pub use topk::TopK;

/// Runs `score(lo, part)` on `parts` contiguous chunks of `out` (`lo`: the chunk's first
/// document), each on its own scoped thread; the first error wins.
pub(crate) fn for_each_part<T: Send>(
    out: &mut [T],
    parts: usize,
    score: impl Fn(usize, &mut [T]) -> crate::index::Result<()> + Sync,
) -> crate::index::Result<()> {
    let chunk = out.len().div_ceil(parts.max(1)).max(1);
    let score = &score;
    std::thread::scope(|s| {
        let workers: Vec<_> = out
            .chunks_mut(chunk)
            .enumerate()
            .map(|(i, part)| s.spawn(move || score(i * chunk, part)))
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

/// One retrieved document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hit {
    /// Document number in the index.
    pub doc: u32,
    /// Its score (the number used to rank it).
    pub score: f32,
}

/// The `k` best documents of a score array (score > 0), by score descending then document
/// number ascending. One pass in document order: a document must beat the `k`-th best so
/// far to enter (a tie loses to the earlier document), and a chunk of scores whose maximum
/// cannot enter is passed over at once.
pub fn top_k(scores: &[f32], k: usize) -> Vec<Hit> {
    const CHUNK: usize = 64;
    if k == 0 {
        return Vec::new();
    }
    let mut top = TopK::new(k);
    let mut floor = 0.0f32;
    for (c, chunk) in scores.chunks(CHUNK).enumerate() {
        // An OR of comparisons, which vectorises (a maximum would be summed in order).
        if !chunk.iter().fold(false, |any, &s| any | (s > floor)) {
            continue;
        }
        for (d, &s) in (c * CHUNK..).zip(chunk) {
            if s > floor {
                top.offer(d as u32, s);
                if let Some(theta) = top.threshold() {
                    floor = theta;
                }
            }
        }
    }
    top.into_hits()
}

/// The 1-based rank of `doc` among the documents scoring above 0 (ties by document
/// number), or `None` when it scores 0.
pub fn rank_of(scores: &[f32], doc: u32) -> Option<usize> {
    ranks_of(scores, &[doc])[0]
}

/// [`rank_of`] of several documents in one pass over the scores: blocks of scores small
/// enough for the first-level cache are read once and counted for every document, instead
/// of one pass over memory per document.
pub fn ranks_of(scores: &[f32], docs: &[u32]) -> Vec<Option<usize>> {
    const BLOCK: usize = 4096;
    let targets: Vec<(usize, f32)> = docs
        .iter()
        .map(|&d| (d as usize, scores.get(d as usize).copied().unwrap_or(0.0)))
        .collect();
    let mut ranks = vec![1usize; docs.len()];
    for (b, block) in scores.chunks(BLOCK).enumerate() {
        count_above(block, b * BLOCK, &targets, &mut ranks);
    }
    targets
        .iter()
        .zip(ranks)
        .map(|(&(_, score), rank)| (score > 0.0).then_some(rank))
        .collect()
}

/// Adds to `ranks[i]` the documents of `block` (starting at document `start`) that rank
/// above target `i` (document, score), at the CPU's widest vectors.
fn count_above(block: &[f32], start: usize, targets: &[(usize, f32)], ranks: &mut [usize]) {
    crate::simd::dispatch!((block: &[f32], start: usize, targets: &[(usize, f32)], ranks: &mut [usize]) => count_above_loop(block, start, targets, ranks))
}

#[inline(always)]
fn count_above_loop(block: &[f32], start: usize, targets: &[(usize, f32)], ranks: &mut [usize]) {
    // Sums of 0/1 in `u32` lanes (a block holds fewer than 2³² scores).
    let above = |part: &[f32], score: f32| -> usize {
        part.iter().map(|&s| u32::from(s > score)).sum::<u32>() as usize
    };
    let at_least = |part: &[f32], score: f32| -> usize {
        part.iter().map(|&s| u32::from(s >= score)).sum::<u32>() as usize
    };
    for (&(d, score), rank) in targets.iter().zip(ranks.iter_mut()) {
        if score <= 0.0 {
            continue;
        }
        *rank += if d < start {
            above(block, score)
        } else if d >= start + block.len() {
            at_least(block, score)
        } else {
            at_least(&block[..d - start], score) + above(&block[d - start + 1..], score)
        };
    }
}

/// Number of documents with a score above 0.
pub fn matching(scores: &[f32]) -> usize {
    scores.iter().map(|&s| usize::from(s > 0.0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_score_then_doc_and_skips_zeros() {
        let scores = [0.0, 2.0, 1.0, 2.0, 0.5, 0.0];
        let all = top_k(&scores, 10);
        let docs: Vec<u32> = all.iter().map(|h| h.doc).collect();
        assert_eq!(docs, vec![1, 3, 2, 4]);
        assert_eq!(
            top_k(&scores, 2).iter().map(|h| h.doc).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(top_k(&scores, 0).is_empty());
        assert_eq!(matching(&scores), 4);
        let ranks: Vec<_> = (0..7).map(|d| rank_of(&scores, d)).collect();
        assert_eq!(
            ranks,
            [None, Some(1), Some(3), Some(2), Some(4), None, None]
        );
    }

    proptest::proptest! {
        #[test]
        fn top_k_is_the_sorted_prefix_of_the_positive_scores(
            scores in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just(0.0f32), proptest::strategy::Just(1.5), 0.0f32..3.0],
                0..400,
            ),
            k in 0usize..40,
        ) {
            let mut want: Vec<Hit> = scores.iter().enumerate().filter(|(_, &s)| s > 0.0)
                .map(|(d, &score)| Hit { doc: d as u32, score }).collect();
            want.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
            want.truncate(k);
            proptest::prop_assert_eq!(top_k(&scores, k), want.clone());
            let all = top_k(&scores, scores.len());
            for (i, h) in all.iter().enumerate() {
                proptest::prop_assert_eq!(rank_of(&scores, h.doc), Some(i + 1));
            }
            // Every document (and one past the end) at once, in reverse order: its place
            // in the sorted list, or none.
            let docs: Vec<u32> = (0..=scores.len() as u32).rev().collect();
            let sorted: Vec<_> = docs
                .iter()
                .map(|&d| all.iter().position(|h| h.doc == d).map(|i| i + 1))
                .collect();
            proptest::prop_assert_eq!(ranks_of(&scores, &docs), sorted);
        }
    }
}
