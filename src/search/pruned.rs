//! Exact SPLADE top-k with dynamic pruning over document ranges, returning exactly what
//! exhaustive scoring returns.
//!
//! 1. **Range bounds.** Every range `r` of [`RANGE`] consecutive documents gets
//!    `U(r) = Σ_t p_t·c_t(r)`, with `c_t(r)` term `t`'s largest impact code in the range
//!    ([`crate::index::ranges`]) and `p_t ≥ q_t·Δ_t` (rounded up to `f32`), summed in
//!    `f32` in term-id order. Each addend is at least the document's `q_t·w_t` (`c·Δ ≥ w`),
//!    and rounding is monotonic, so `U(r)` is at least the `f32` score of every document
//!    in `r`: no widening is needed.
//! 2. **Best ranges first** (as BMP does): the [`BATCH`] ranges with the highest bounds (more
//!    when `k` needs more than half of their documents) are scored exactly, best first, until
//!    one's bound falls below θ, the `k`-th score so far.
//! 3. **The rest in document order**, [`WINDOW_RANGES`] ranges at a time: a range is
//!    *alive* while `U(r) ≥ θ` (a range with `U(r) = θ` is kept: a tie can still enter by
//!    document number). A window without a live range is skipped; otherwise its live
//!    ranges are scored term at a time, in term-id order, from the block postings' exact
//!    weights, decoding only the blocks that reach a live range. θ rises as hits enter.
//!
//! Each document's score is thus the very `f32` sum [`super::splade_scores`] computes. On a
//! corpus without locality almost every range stays alive and the cost approaches the
//! exhaustive path's; on one with locality (after document reordering) most ranges are
//! never decoded.
//!
//! Queries with a negative weight, which no bound covers, are scored exhaustively.

use super::topk::TopK;
use super::{splade_scores, top_k, Hit};
use crate::index::blocks::{BlockPostings, TermInfo, BLOCK};
use crate::index::ranges::RANGE;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Ranges scored best first (at least; more when `k` needs them).
pub const BATCH: usize = 32;

/// When more than this fraction (numerator, denominator) of the ranges is still alive
/// after the first batch, every posting is scored instead: range by range would cost more
/// (measured on the 1M-document benchmark corpora).
const EXHAUSTIVE_BELOW: (usize, usize) = (2, 5);

/// Ranges per window of the document-order phase.
pub const WINDOW_RANGES: usize = 256;

/// How [`splade_top_k`] found its hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Ranges with a non-zero bound.
    pub ranges: usize,
    /// Ranges scored exactly.
    pub scored: usize,
    /// Whether so many ranges stayed alive that every posting was scored instead.
    pub exhaustive: bool,
}

/// One query term and a position in its blocks.
struct Term {
    info: TermInfo,
    qw: f32,
    /// The current block.
    block: usize,
    /// The decoded block (`usize::MAX` before the first).
    cached: usize,
    len: usize,
    docs: [u32; BLOCK],
}

impl Term {
    fn new(info: TermInfo, qw: f32) -> Self {
        Self {
            info,
            qw,
            block: 0,
            cached: usize::MAX,
            len: 0,
            docs: [0; BLOCK],
        }
    }

    /// Moves to the first block whose last document is at or past `doc` (the end when
    /// none is): forward by galloping from the current block, else back by bisection.
    fn seek(&mut self, postings: &BlockPostings, doc: u32) {
        let last = |b: usize| postings.block(&self.info, b).last_doc;
        let blocks = self.info.blocks;
        let (mut a, mut b) = if self.block > 0 && last(self.block - 1) >= doc {
            (0, self.block)
        } else {
            let mut step = 1;
            let mut hi = self.block;
            while hi < blocks && last(hi) < doc {
                hi += step;
                step *= 2;
            }
            (self.block, hi.min(blocks))
        };
        while a < b {
            let mid = (a + b) / 2;
            if last(mid) < doc {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        self.block = a;
    }

    /// Decodes the current block unless it is the cached one.
    fn load(&mut self, postings: &BlockPostings) -> Result<()> {
        if self.cached != self.block {
            self.len = postings.decode(&self.info, self.block, &mut self.docs, None)?;
            self.cached = self.block;
        }
        Ok(())
    }
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
    // Query order is term-id order, which both the bounds and the scores are summed in.
    let mut terms = Vec::with_capacity(query.nnz());
    let mut bounds = vec![0.0f32; maxima.ranges()];
    for (t, qw) in query.iter() {
        let info = postings.term(t as usize);
        if qw > 0.0 && info.df > 0 {
            let p = f64::from(qw) * f64::from(info.delta);
            let mut per_code = p as f32;
            if f64::from(per_code) < p {
                per_code = per_code.next_up();
            }
            maxima.add_bounds(t as usize, per_code, &mut bounds);
            terms.push(Term::new(info, qw));
        }
    }
    if k == 0 || terms.is_empty() {
        return Ok((Vec::new(), stats));
    }
    let mut best: Vec<(f32, u32)> = bounds
        .iter()
        .zip(0u32..)
        .filter(|&(&u, _)| u > 0.0)
        .map(|(&u, r)| (u, r))
        .collect();
    stats.ranges = best.len();
    let by_bound = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    // Enough ranges to fill the top k twice over if they can.
    let batch = BATCH.max(2 * k.div_ceil(RANGE)).min(best.len());
    if batch < best.len() {
        best.select_nth_unstable_by(batch - 1, by_bound);
    }
    best.truncate(batch);
    best.sort_unstable_by(by_bound);

    let mut top = TopK::new(k);
    let mut acc = vec![0.0f32; WINDOW_RANGES * RANGE];
    let mut alive = [false; WINDOW_RANGES];
    for &(bound, r) in &best {
        if top.threshold().is_some_and(|theta| bound < theta) {
            break;
        }
        alive[0] = true;
        let lo = r as usize * RANGE;
        score_window(index, &mut terms, lo, &alive[..1], &mut acc, &mut top)?;
        stats.scored += 1;
        bounds[r as usize] = 0.0;
    }
    if let Some(theta) = top.threshold() {
        let live = bounds.iter().filter(|&&u| u > 0.0 && u >= theta).count();
        if live * EXHAUSTIVE_BELOW.1 > stats.ranges * EXHAUSTIVE_BELOW.0 {
            stats.exhaustive = true;
            return Ok((top_k(&splade_scores(index, query)?, k), stats));
        }
    }
    for (w, window) in bounds.chunks(WINDOW_RANGES).enumerate() {
        let theta = top.threshold().unwrap_or(f32::NEG_INFINITY);
        let mut live = 0;
        for (a, &u) in alive.iter_mut().zip(window) {
            *a = u > 0.0 && u >= theta;
            live += usize::from(*a);
        }
        if live == 0 {
            continue;
        }
        let lo = w * WINDOW_RANGES * RANGE;
        score_window(
            index,
            &mut terms,
            lo,
            &alive[..window.len()],
            &mut acc,
            &mut top,
        )?;
        stats.scored += live;
    }
    Ok((top.into_hits(), stats))
}

/// Scores exactly the documents of the live ranges of the window starting at document
/// `lo` (`alive[i]`: range `lo / RANGE + i`) and offers them to `top`: `q_t·w` of every
/// posting of every term, added term after term in term-id order. Blocks whose documents
/// reach no live range are not decoded.
fn score_window(
    index: &Index,
    terms: &mut [Term],
    lo: usize,
    alive: &[bool],
    acc: &mut [f32],
    top: &mut TopK,
) -> Result<()> {
    let postings = index.splade();
    let n = index.len();
    let (Some(first), Some(last)) = (
        alive.iter().position(|&a| a),
        alive.iter().rposition(|&a| a),
    ) else {
        return Ok(());
    };
    // Documents from the first live range to the end of the last.
    let start = (lo + first * RANGE) as u32;
    let end = (lo + (last + 1) * RANGE).min(n) as u32;
    let live = |d: u32| alive[(d as usize - lo) / RANGE];
    // Live ranges up to each range, to test a block's span at once.
    let mut live_before = [0u16; WINDOW_RANGES + 1];
    for (i, &a) in alive.iter().enumerate() {
        live_before[i + 1] = live_before[i] + u16::from(a);
    }
    let any_live = |from: u32, to: u32| {
        let a = (from.max(start) as usize - lo) / RANGE;
        let b = (to.min(end - 1) as usize - lo) / RANGE;
        live_before[b + 1] > live_before[a]
    };
    for term in terms.iter_mut() {
        term.seek(postings, start);
        let weights = postings.weight_bytes(&term.info);
        while term.block < term.info.blocks {
            let block_first = match term.block {
                0 => 0,
                b => postings.block(&term.info, b - 1).last_doc + 1,
            };
            let block_last = postings.block(&term.info, term.block).last_doc;
            if block_first < end && any_live(block_first, block_last) {
                term.load(postings)?;
                let docs = &term.docs[..term.len];
                let from = docs.partition_point(|&d| d < start);
                for (i, &d) in docs.iter().enumerate().skip(from) {
                    if d >= end {
                        break;
                    }
                    if live(d) {
                        let w = &weights[(term.block * BLOCK + i) * 4..][..4];
                        acc[d as usize - lo] +=
                            term.qw * f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    }
                }
            }
            if block_last >= end - 1 {
                break;
            }
            term.block += 1;
        }
    }
    for (slot, d) in acc[start as usize - lo..end as usize - lo]
        .iter_mut()
        .zip(start..)
    {
        if *slot > 0.0 {
            top.offer(d, *slot);
        }
        *slot = 0.0;
    }
    Ok(())
}
