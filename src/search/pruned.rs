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
//!    when `k` needs more than four fifths of their documents) are scored exactly, best first, until
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
//! When the live ranges after step 2 could reach more than half of the query terms' blocks
//! ([`EXHAUSTIVE_ABOVE`]), every posting is scored instead. Queries with a negative weight,
//! which no bound covers, are scored exhaustively.

use super::topk::TopK;
use super::{splade_scores, top_k, Hit};
use crate::index::blocks::{seek_block, BlockPostings, TermInfo, BLOCK};
use crate::index::ranges::RANGE;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Ranges scored best first (at least; more when `k` needs them).
pub const BATCH: usize = 32;

/// When the document-order phase could decode more than this fraction (numerator,
/// denominator) of the query terms' blocks, every posting is scored instead: visiting
/// ranges one by one costs more per block than one pass over the lists. Each term's
/// estimate is the lesser of its blocks and the ranges alive after the first batch (a
/// live range reaches one or two of its blocks). Chosen on the 1M-document benchmark
/// corpora, where range by range was slower than every posting above about half.
const EXHAUSTIVE_ABOVE: (usize, usize) = (1, 2);

/// Ranges per window of the document-order phase.
pub const WINDOW_RANGES: usize = 256;

/// A block reaching at least this many live ranges is read whole rather than bisected
/// once per range.
const SCAN_RANGES: usize = 8;

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
    id: u32,
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
    fn new(id: u32, info: TermInfo, qw: f32) -> Self {
        Self {
            id,
            info,
            qw,
            block: 0,
            cached: usize::MAX,
            len: 0,
            docs: [0; BLOCK],
        }
    }

    /// Moves to the first block whose last document is at or past `doc` (the end when
    /// none is).
    fn seek(&mut self, postings: &BlockPostings, doc: u32) {
        let last = |b: usize| postings.block(&self.info, b).last_doc;
        self.block = seek_block(self.block, self.info.blocks, doc, last);
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
            terms.push(Term::new(t, info, qw));
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
    // Enough ranges to fill the top k with a quarter to spare if they can.
    let batch = BATCH.max((k + k / 4).div_ceil(RANGE)).min(best.len());
    if batch < best.len() {
        best.select_nth_unstable_by(batch - 1, by_bound);
    }
    best.truncate(batch);
    best.sort_unstable_by(by_bound);

    let mut top = TopK::new(k);
    let mut acc = vec![0.0f32; WINDOW_RANGES * RANGE];
    let mut live = Vec::with_capacity(WINDOW_RANGES);
    for &(bound, r) in &best {
        if top.threshold().is_some_and(|theta| bound < theta) {
            break;
        }
        let lo = r as usize * RANGE;
        score_window(index, &mut terms, lo, &[0], &mut acc, &mut top)?;
        stats.scored += 1;
        bounds[r as usize] = 0.0;
    }
    if let Some(theta) = top.threshold() {
        let live = bounds.iter().filter(|&&u| u > 0.0 && u >= theta).count();
        let (visit, all) = terms.iter().fold((0, 0), |(v, a), t| {
            (v + t.info.blocks.min(live), a + t.info.blocks)
        });
        if visit * EXHAUSTIVE_ABOVE.1 > all * EXHAUSTIVE_ABOVE.0 {
            stats.exhaustive = true;
            return Ok((top_k(&splade_scores(index, query)?, k), stats));
        }
    }
    for (w, window) in bounds.chunks(WINDOW_RANGES).enumerate() {
        let theta = top.threshold().unwrap_or(f32::NEG_INFINITY);
        live.clear();
        live.extend((0..window.len()).filter(|&i| window[i] > 0.0 && window[i] >= theta));
        if live.is_empty() {
            continue;
        }
        let lo = w * WINDOW_RANGES * RANGE;
        score_window(index, &mut terms, lo, &live, &mut acc, &mut top)?;
        stats.scored += live.len();
    }
    Ok((top.into_hits(), stats))
}

/// Scores exactly the documents of the live ranges of the window starting at document
/// `lo` (`live`: range numbers within the window, ascending) and offers them to `top`:
/// `q_t·w` of every posting of every term, added term after term in term-id order.
///
/// Each term decodes only the blocks that reach a live range in which its range maxima do
/// not rule it out. In a block reaching many such ranges it reads every posting and keeps
/// those of live ranges; otherwise it bisects to each range's postings.
fn score_window(
    index: &Index,
    terms: &mut [Term],
    lo: usize,
    live: &[usize],
    acc: &mut [f32],
    top: &mut TopK,
) -> Result<()> {
    let postings = index.splade();
    let maxima = index.splade_ranges();
    let n = index.len();
    let window_end = (lo + WINDOW_RANGES * RANGE).min(n);
    let mut alive = [false; WINDOW_RANGES];
    for &i in live {
        alive[i] = true;
    }
    let start_of = |x: usize| (lo + live[x] * RANGE) as u32;
    let end_of = |x: usize| (lo + (live[x] + 1) * RANGE).min(n) as u32;
    for term in terms.iter_mut() {
        let weights = postings.weight_bytes(&term.info);
        let codes = maxima.dense_codes(term.id as usize);
        let absent = |x: usize| codes.is_some_and(|c| c[lo / RANGE + live[x]] == 0);
        let qw = term.qw;
        let add = |acc: &mut [f32], at: usize, d: u32| {
            let w = &weights[at * 4..][..4];
            acc[d as usize - lo] += qw * f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        };
        // Documents before `cursor` are done; `x` is the first live range not yet done.
        let (mut cursor, mut x) = (lo as u32, 0);
        loop {
            while x < live.len() && (end_of(x) <= cursor || absent(x)) {
                x += 1;
            }
            if x == live.len() {
                break;
            }
            let from = start_of(x).max(cursor);
            term.seek(postings, from);
            if term.block >= term.info.blocks {
                break;
            }
            let block_last = postings.block(&term.info, term.block).last_doc;
            // Live ranges reaching into this block: x..y.
            let mut y = x;
            while y < live.len() && start_of(y) <= block_last {
                y += 1;
            }
            term.load(postings)?;
            let docs = &term.docs[..term.len];
            let base = term.block * BLOCK;
            let first = docs.partition_point(|&d| d < from);
            if (x..y).filter(|&z| !absent(z)).count() >= SCAN_RANGES {
                for (j, &d) in docs.iter().enumerate().skip(first) {
                    if d as usize >= window_end {
                        break;
                    }
                    if alive[(d as usize - lo) / RANGE] {
                        add(acc, base + j, d);
                    }
                }
            } else {
                for z in (x..y).filter(|&z| !absent(z)) {
                    let (a, b) = (start_of(z).max(from), end_of(z));
                    let at = first + docs[first..].partition_point(|&d| d < a);
                    for (j, &d) in docs.iter().enumerate().skip(at) {
                        if d >= b {
                            break;
                        }
                        add(acc, base + j, d);
                    }
                }
            }
            cursor = block_last.saturating_add(1);
        }
    }
    for &i in live {
        let from = lo + i * RANGE;
        let to = (from + RANGE).min(n);
        for (slot, d) in acc[from - lo..to - lo].iter_mut().zip(from as u32..) {
            if *slot > 0.0 {
                top.offer(d, *slot);
            }
            *slot = 0.0;
        }
    }
    Ok(())
}
