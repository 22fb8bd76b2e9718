//! Exact BM25 top-k with block-max MaxScore, returning exactly what exhaustive scoring
//! returns.
//!
//! Each query term `t` has a bound `U_t`: its weight scored at its largest scaled term
//! frequency ([`crate::index::bm25_blocks`]); each block of its postings has a tighter one,
//! from the block's largest. Terms are sorted by `U_t`, ascending, with prefix sums
//! `P_i = U_0 + … + U_i`. Documents are visited in increasing number:
//!
//! 1. **MaxScore.** The first terms whose `P_i` cannot beat θ, the `k`-th score so far, are
//!    *non-essential*: a document holding only them cannot enter the top k, so candidates
//!    come from the other (*essential*) terms' lists alone. As θ rises, terms move over.
//! 2. **Block maxima.** A candidate's essential scores plus the non-essential terms' bounds
//!    in the blocks holding the candidate must beat θ, or the candidate is dropped without
//!    decoding those blocks; the remaining terms are then looked up, highest bound first,
//!    while the score so far plus the remaining blocks' bounds can still beat θ.
//! 3. **Exact score.** A surviving candidate's term scores are added in query order in
//!    `f64` and rounded once: the very number [`super::bm25_scores`] computes.
//!
//! Documents come in increasing number, so a later document that ties θ loses to the one
//! holding it: a candidate must *beat* θ. The bounds are added in another order than the
//! exact scores, so they are widened by `MARGIN` (far above the rounding error of any
//! such sum) before the comparison, and compared after rounding to `f32`, as the scores
//! are: a bound that cannot beat θ proves that the score cannot either.

use super::bm25::{found_terms, FoundTerm};
use super::topk::TopK;
use super::{bm25_scores, top_k, Hit};
use crate::analysis::{Bm25Scorer, QueryTerm};
use crate::index::blocks::BLOCK;
use crate::index::bm25_blocks::Bm25Postings;
use crate::index::{Index, Result};

/// Relative widening of bounds summed in another order than the scores.
const MARGIN: f64 = 1e-9;

/// No document (a cursor past its last posting).
const END: u32 = u32::MAX;

/// Whether a document whose score is at most `bound` could enter a top k whose
/// threshold is `theta`.
fn can_enter(bound: f64, theta: Option<f32>) -> bool {
    theta.is_none_or(|t| ((bound * (1.0 + MARGIN)) as f32) > t)
}

/// One query term's position in its postings.
struct Cursor {
    term: FoundTerm,
    /// Place in query order.
    order: usize,
    /// The term's bound: its weight at its largest scaled term frequency.
    bound: f32,
    /// The sum of the bounds of this term and every term sorted before it.
    upper: f64,
    /// Scratch: the sum of the bounds, in the blocks that would hold the candidate, of
    /// this term and every term sorted before it.
    block_upper: f64,
    /// The current document ([`END`] past the last).
    doc: u32,
    /// The current block (ahead of the decoded one after [`Self::bound_at`]).
    block: usize,
    decoded: usize,
    pos: usize,
    len: usize,
    docs: [u32; BLOCK],
    tfs: [u32; BLOCK],
}

impl Cursor {
    fn new(term: FoundTerm, order: usize, scorer: &Bm25Scorer) -> Self {
        Self {
            term,
            order,
            bound: scorer.score_of_scaled_tf(term.weight, term.info.max_x),
            upper: 0.0,
            block_upper: 0.0,
            doc: 0,
            block: 0,
            decoded: usize::MAX,
            pos: 0,
            len: 0,
            docs: [0; BLOCK],
            tfs: [0; BLOCK],
        }
    }

    /// Moves `block` forward to the first block whose last document is at or past
    /// `target` (the end when none is), without decoding.
    fn seek_block(&mut self, postings: &Bm25Postings, target: u32) {
        // Step by step: candidates move a block or less at a time, and one table read
        // per step beats galloping's two (`blocks::seek_block`, measured).
        while self.block < self.term.info.blocks
            && postings.block(&self.term.info, self.block).last_doc < target
        {
            self.block += 1;
        }
    }

    /// Moves to the first posting at or past `target` (never backwards); a block naming a
    /// document past the index's `documents` is an error.
    fn advance_to(&mut self, postings: &Bm25Postings, documents: u32, target: u32) -> Result<()> {
        if self.doc >= target && self.decoded == self.block {
            return Ok(());
        }
        self.seek_block(postings, target);
        if self.block == self.term.info.blocks {
            self.doc = END;
            return Ok(());
        }
        if self.decoded != self.block {
            let info = &self.term.info;
            self.len = postings.decode(info, self.block, &mut self.docs, &mut self.tfs)?;
            self.decoded = self.block;
            self.pos = 0;
            if self.docs[self.len - 1] >= documents {
                return Err(postings
                    .file()
                    .corrupt("a posting names a document past the end"));
            }
        }
        self.pos += self.docs[self.pos..self.len].partition_point(|&d| d < target);
        self.doc = self.docs[self.pos];
        Ok(())
    }

    /// Moves to the next posting.
    fn next(&mut self, postings: &Bm25Postings, documents: u32) -> Result<()> {
        self.pos += 1;
        if self.pos < self.len {
            self.doc = self.docs[self.pos];
            return Ok(());
        }
        self.block += 1;
        self.advance_to(postings, documents, self.doc.saturating_add(1))
    }

    /// The term's score in the current document.
    fn score(&self, scorer: &Bm25Scorer, index: &Index) -> f32 {
        scorer.score(self.term.weight, self.tfs[self.pos], index.norm(self.doc))
    }

    /// A bound on the term's score in document `target` (0 past its postings), from the
    /// block that would hold it.
    fn bound_at(&mut self, postings: &Bm25Postings, scorer: &Bm25Scorer, target: u32) -> f32 {
        self.seek_block(postings, target);
        if self.block == self.term.info.blocks {
            return 0.0;
        }
        let max_x = postings.block(&self.term.info, self.block).max_x;
        scorer.score_of_scaled_tf(self.term.weight, max_x)
    }
}

/// Whether block-max MaxScore is expected to beat scoring every posting for a query of
/// `terms` terms (found in the dictionary) at depth `k`: up to 10 terms at k = 10, 6 at
/// k = 100, 1 at k = 1000 (`10 − 4.5·log10(k/10)`, rounded), none beyond. Measured on the
/// 1M-document topical corpus with texts, one thread, per query both ways: at top 1000 the
/// threshold stays low, most terms stay essential, and visiting documents one at a time
/// over several lists costs more per posting than adding every posting to an array.
pub fn bm25_pruning_pays(terms: usize, k: usize) -> bool {
    let limit = 10.0 - 4.5 * (k.max(1) as f64 / 10.0).log10();
    terms as f64 <= limit.round()
}

/// The `k` best documents for the analysed query (score > 0; score descending, ties by
/// document number): exactly [`super::top_k`] of [`super::bm25_scores`], found with
/// block-max MaxScore ([`bm25_max_score`]) when [`bm25_pruning_pays`], else by scoring
/// every posting.
pub fn bm25_top_k(index: &Index, terms: &[QueryTerm], k: usize) -> Result<Vec<Hit>> {
    if bm25_pruning_pays(found_terms(index, terms).len(), k) {
        bm25_max_score(index, terms, k)
    } else {
        Ok(top_k(&bm25_scores(index, terms)?, k))
    }
}

/// [`bm25_top_k`] always by block-max MaxScore (whatever the query's length): the same
/// hits.
pub fn bm25_max_score(index: &Index, terms: &[QueryTerm], k: usize) -> Result<Vec<Hit>> {
    let found = found_terms(index, terms);
    if k == 0 || found.is_empty() {
        return Ok(Vec::new());
    }
    // A weight below 0 or not finite (only in a damaged index: idf is positive) breaks the
    // bounds: score every posting instead.
    if found
        .iter()
        .any(|t| !t.weight.is_finite() || t.weight < 0.0)
    {
        return Ok(top_k(&bm25_scores(index, terms)?, k));
    }
    let documents = u32::try_from(index.len()).unwrap_or(END);
    let postings = index.bm25_postings();
    let scorer = index.bm25_scorer();
    let mut cursors: Vec<Cursor> = found
        .into_iter()
        .enumerate()
        .map(|(order, term)| Cursor::new(term, order, scorer))
        .collect();
    cursors.sort_by(|a, b| a.bound.total_cmp(&b.bound));
    let mut sum = 0.0f64;
    for c in &mut cursors {
        sum += f64::from(c.bound);
        c.upper = sum;
        c.advance_to(postings, documents, 0)?;
    }
    let n = cursors.len();
    let mut top = TopK::new(k);
    // The first non-essential terms are `..essential`.
    let mut essential = 0;
    let mut parts = vec![0.0f32; n];
    while let Some(doc) = cursors[essential..].iter().map(|c| c.doc).min() {
        if doc == END {
            break;
        }
        parts.fill(0.0);
        let mut partial = 0.0f64;
        for c in &mut cursors[essential..] {
            if c.doc == doc {
                let s = c.score(scorer, index);
                parts[c.order] = s;
                partial += f64::from(s);
                c.next(postings, documents)?;
            }
        }
        let theta = top.threshold();
        let rest = &mut cursors[..essential];
        if !rest.is_empty() && !lookup_rest(index, rest, doc, partial, theta, &mut parts)? {
            continue;
        }
        let score = parts.iter().map(|&s| f64::from(s)).sum::<f64>() as f32;
        if score > 0.0 {
            top.offer(doc, score);
            let theta = top.threshold();
            while essential < n && !can_enter(cursors[essential].upper, theta) {
                essential += 1;
            }
        }
    }
    Ok(top.into_hits())
}

/// Adds the non-essential terms' scores of `doc` to `parts` (by query order) unless the
/// bounds show on the way that it cannot beat `theta`; returns whether it still can.
fn lookup_rest(
    index: &Index,
    rest: &mut [Cursor],
    doc: u32,
    mut partial: f64,
    theta: Option<f32>,
    parts: &mut [f32],
) -> Result<bool> {
    let (postings, scorer) = (index.bm25_postings(), index.bm25_scorer());
    let documents = u32::try_from(index.len()).unwrap_or(END);
    if !can_enter(partial + rest[rest.len() - 1].upper, theta) {
        return Ok(false);
    }
    // Each term's block bound, summed with those of the terms sorted before it.
    let mut blocks = 0.0f64;
    for c in rest.iter_mut() {
        blocks += f64::from(c.bound_at(postings, scorer, doc));
        c.block_upper = blocks;
    }
    // Highest bound first; before each term, the bound of it and all below it.
    for i in (0..rest.len()).rev() {
        if !can_enter(partial + rest[i].block_upper.min(rest[i].upper), theta) {
            return Ok(false);
        }
        let c = &mut rest[i];
        c.advance_to(postings, documents, doc)?;
        if c.doc == doc {
            let s = c.score(scorer, index);
            parts[c.order] = s;
            partial += f64::from(s);
        }
    }
    Ok(true)
}
