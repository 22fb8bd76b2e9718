//! Exact SPLADE top-k with dynamic pruning over document ranges, returning exactly what
//! exhaustive scoring returns.
//!
//! 1. **Range bounds.** Every range `r` of [`RANGE`] consecutive documents gets
//!    `U(r) = Σ_t p_t·c_t(r)`, with `c_t(r)` term `t`'s largest impact code in the range
//!    ([`crate::index::ranges`]) and `p_t ≥ q_t·Δ_t` (rounded up to `f32`), summed in
//!    `f32` in term-id order. Each addend is at least the document's `q_t·w_t` (`c·Δ ≥ w`),
//!    and rounding is monotonic, so `U(r)` is at least the `f32` score of every document
//!    in `r`: no widening is needed.
//! 2. **Best ranges first** (as BMP does with its blocks): ranges are scored in decreasing
//!    order of their bounds, until the next one's bound falls below θ, the `k`-th score so
//!    far (a range whose bound equals θ is scored: a tie can still enter by document
//!    number). The [`BATCH`] best ranges (more when `k` needs more than four fifths of
//!    their documents) set θ; the ranges whose bounds still reach it are then sorted and
//!    scored in turn while θ rises.
//! 3. **Scoring a range** is one pass over its record in the forward index
//!    ([`crate::index::forward`]): its distinct terms in increasing id, each looked up in a
//!    table of the query's weights, each match adding `q_t·w` to its documents. Every
//!    document thus gets the very `f32` sum [`super::splade_scores`] computes.
//!
//! When the ranges left after the first batch hold more term entries than
//! [`EXHAUSTIVE_ABOVE`] times the query terms' postings (a corpus without locality, where a
//! range's bound sums the largest weights of 16 unrelated documents and rarely falls below
//! θ), every posting is scored instead. Queries with a negative or non-finite weight, which
//! no bound covers, are scored exhaustively.

use super::topk::TopK;
use super::{splade_scores, top_k, Hit};
use crate::index::forward::QueryTable;
use crate::index::ranges::RANGE;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Ranges scored best first before the rest are sorted (at least; more when `k` needs
/// them).
pub const BATCH: usize = 32;

/// When the ranges whose bounds reach θ after the first batch hold more term entries
/// (on average per range, [`crate::index::forward::Forward::term_entries`]) than this
/// fraction (numerator, denominator) of the query terms' postings, every posting is scored
/// instead: one pass over the posting lists costs less per posting than a range record
/// per term entry. Chosen on the 1M-document benchmark corpora.
const EXHAUSTIVE_ABOVE: (u64, u64) = (1, 3);

/// How [`splade_top_k`] found its hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Ranges with a non-zero bound.
    pub ranges: usize,
    /// Ranges scored exactly.
    pub scored: usize,
    /// Ranges whose bounds still reached θ after the first batch.
    pub live: usize,
    /// Whether so many ranges stayed alive that every posting was scored instead.
    pub exhaustive: bool,
}

/// The `k` best documents for `query` (score > 0; score descending, ties by document
/// number): exactly [`super::top_k`] of [`super::splade_scores`], found with pruning.
pub fn splade_top_k(index: &Index, query: &SparseVector, k: usize) -> Result<Vec<Hit>> {
    Ok(splade_top_k_with_stats(index, query, k)?.0)
}

/// [`splade_top_k`], with how many ranges it scored.
pub fn splade_top_k_with_stats(
    index: &Index,
    query: &SparseVector,
    k: usize,
) -> Result<(Vec<Hit>, PruneStats)> {
    let mut stats = PruneStats::default();
    if query.iter().any(|(_, w)| !(w >= 0.0 && w.is_finite())) {
        return Ok((top_k(&splade_scores(index, query)?, k), stats));
    }
    let postings = index.splade();
    let maxima = index.splade_ranges();
    let forward = index.forward();
    // Bounds are summed in term-id order, the query's order.
    let mut bounds = vec![0.0f32; maxima.ranges()];
    let mut weights = QueryTable::new(postings.terms());
    let mut query_postings = 0u64;
    for (t, qw) in query.iter() {
        let info = postings.term(t as usize);
        if qw > 0.0 && info.df > 0 {
            let p = f64::from(qw) * f64::from(info.delta);
            let mut per_code = p as f32;
            if f64::from(per_code) < p {
                per_code = per_code.next_up();
            }
            maxima.add_bounds(t as usize, per_code, &mut bounds);
            weights.set(t, qw);
            query_postings += info.df as u64;
        }
    }
    if k == 0 || query_postings == 0 {
        return Ok((Vec::new(), stats));
    }
    let mut ranked: Vec<(f32, u32)> = bounds
        .iter()
        .zip(0u32..)
        .filter(|&(&u, _)| u > 0.0)
        .map(|(&u, r)| (u, r))
        .collect();
    stats.ranges = ranked.len();
    let by_bound = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    // Enough ranges to fill the top k with a quarter to spare if they can.
    let batch = BATCH.max((k + k / 4).div_ceil(RANGE)).min(ranked.len());
    if batch < ranked.len() {
        ranked.select_nth_unstable_by(batch - 1, by_bound);
    }
    let (first, rest) = ranked.split_at_mut(batch);
    first.sort_unstable_by(by_bound);

    let mut top = TopK::new(k);
    let score = |r: u32, top: &mut TopK| -> Result<()> {
        let mut acc = [0.0f32; RANGE];
        forward.add_range_scores(r as usize, &weights, &mut acc)?;
        // A damaged record's mask cannot name a document past the last.
        for (d, &s) in (r * RANGE as u32..index.len() as u32).zip(&acc) {
            if s > 0.0 {
                top.offer(d, s);
            }
        }
        Ok(())
    };
    let alive = |bound: f32, top: &TopK| top.threshold().is_none_or(|theta| bound >= theta);
    // Scores `ranges` (best first) until one's bound falls below θ, prefetching each next
    // record; returns whether one did.
    let best_first = |ranges: &[(f32, u32)], top: &mut TopK, scored: &mut usize| {
        for (i, &(bound, r)) in ranges.iter().enumerate() {
            if !alive(bound, top) {
                return Ok(true);
            }
            if let Some(&(_, next)) = ranges.get(i + 1) {
                forward.prefetch(next as usize);
            }
            score(r, top)?;
            *scored += 1;
        }
        Ok::<_, crate::index::IndexError>(false)
    };
    if best_first(first, &mut top, &mut stats.scored)? {
        return Ok((top.into_hits(), stats));
    }
    let mut live: Vec<(f32, u32)> = rest
        .iter()
        .copied()
        .filter(|&(u, _)| alive(u, &top))
        .collect();
    stats.live = live.len();
    let entries = live.len() as u64 * forward.term_entries() / forward.ranges().max(1) as u64;
    if entries * EXHAUSTIVE_ABOVE.1 > query_postings * EXHAUSTIVE_ABOVE.0 {
        stats.exhaustive = true;
        return Ok((top_k(&splade_scores(index, query)?, k), stats));
    }
    live.sort_unstable_by(by_bound);
    best_first(&live, &mut top, &mut stats.scored)?;
    Ok((top.into_hits(), stats))
}
