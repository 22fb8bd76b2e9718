//! Exact SPLADE top-k with dynamic pruning: block-max MaxScore over the block postings
//! ([`crate::index::blocks`]), returning exactly what exhaustive scoring returns.
//!
//! Documents are visited in number order. Query terms are sorted by their upper bound
//! `ub_t = q_t · max_t`; once `k` hits are held, the longest prefix of that order whose
//! bounds sum below the `k`-th score θ is *non-essential*: a document holding none of the
//! other (*essential*) terms cannot enter, so only essential lists are walked. A candidate
//! is first bounded with the 8-bit codes of its essential postings (`q_t·Δ_t·code ≥ q_t·w`)
//! plus the non-essential bounds, tightened by each non-essential list's block maximum at
//! the document, and dropped as soon as the bound falls below θ. A candidate that survives
//! is scored exactly: `Σ q_t·w_t` over its terms in term-id order from the exact weights,
//! the very `f32` sum [`super::splade_scores`] computes.
//!
//! Bounds are computed in `f64` and widened by `1 + (m + 2)·2⁻²³` for `m` query terms,
//! which covers every rounding of the `f32` score, so pruning never drops a document
//! that the exhaustive path would rank (a bound equal to θ is kept). The heap breaks ties by
//! document number, as the exhaustive ranking does.

use super::topk::TopK;
use super::Hit;
use crate::index::blocks::{BlockPostings, TermInfo, BLOCK};
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Past the last document.
const END: u32 = u32::MAX;

/// A position in one query term's posting list.
struct Cursor<'a> {
    postings: &'a BlockPostings,
    term: TermInfo,
    /// The query weight.
    qw: f32,
    /// Bound per code unit: `q·Δ`.
    per_code: f64,
    /// Bound of any posting: `q·max`.
    ub: f64,
    /// The decoded block.
    block: usize,
    len: usize,
    pos: usize,
    docs: [u32; BLOCK],
    codes: [u8; BLOCK],
    /// The current document (`END` when done).
    doc: u32,
    /// The block the last bound was read from (never behind the documents asked about).
    shallow: usize,
}

impl<'a> Cursor<'a> {
    fn new(postings: &'a BlockPostings, term: TermInfo, qw: f32) -> Result<Self> {
        let mut c = Self {
            postings,
            term,
            qw,
            per_code: f64::from(qw) * f64::from(term.delta),
            ub: f64::from(qw) * f64::from(term.max),
            block: 0,
            len: 0,
            pos: 0,
            docs: [0; BLOCK],
            codes: [0; BLOCK],
            doc: END,
            shallow: 0,
        };
        c.load(0)?;
        Ok(c)
    }

    fn load(&mut self, b: usize) -> Result<()> {
        self.block = b;
        self.pos = 0;
        if b >= self.term.blocks {
            self.len = 0;
            self.doc = END;
            return Ok(());
        }
        self.len = self
            .postings
            .decode(&self.term, b, &mut self.docs, Some(&mut self.codes))?;
        self.doc = self.docs[0];
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        self.pos += 1;
        if self.pos < self.len {
            self.doc = self.docs[self.pos];
            Ok(())
        } else {
            self.load(self.block + 1)
        }
    }

    /// Moves to the first document `>= target`.
    fn next_geq(&mut self, target: u32) -> Result<()> {
        if self.doc >= target {
            return Ok(());
        }
        if self.postings.block(&self.term, self.block).last_doc < target {
            let mut b = (self.block + 1).max(self.shallow);
            while b < self.term.blocks && self.postings.block(&self.term, b).last_doc < target {
                b += 1;
            }
            self.load(b)?;
            if self.doc >= target {
                return Ok(());
            }
        }
        while self.pos + 1 < self.len && self.docs[self.pos] < target {
            self.pos += 1;
        }
        self.doc = self.docs[self.pos];
        if self.doc < target {
            // The block table promised a document >= target in this block.
            self.load(self.block + 1)?;
        }
        Ok(())
    }

    /// A bound on this term's contribution to document `target` (not behind earlier
    /// targets), from the block maximum, without decoding.
    fn block_bound(&mut self, target: u32) -> f64 {
        let mut b = self.shallow.max(self.block);
        while b < self.term.blocks && self.postings.block(&self.term, b).last_doc < target {
            b += 1;
        }
        self.shallow = b;
        if b >= self.term.blocks {
            return 0.0;
        }
        self.per_code * f64::from(self.postings.block(&self.term, b).max_code)
    }

    /// The code bound of the current posting.
    fn code_bound(&self) -> f64 {
        self.per_code * f64::from(self.codes[self.pos])
    }

    /// The exact weight of the current posting.
    fn weight(&self) -> f32 {
        self.postings
            .weight(&self.term, self.block * BLOCK + self.pos)
    }
}

/// The `k` best documents for `query` (score > 0; score descending, ties by document
/// number): exactly [`super::top_k`] of [`super::splade_scores`], found with pruning.
pub fn splade_top_k(index: &Index, query: &SparseVector, k: usize) -> Result<Vec<Hit>> {
    let postings = index.splade();
    let mut cursors = Vec::with_capacity(query.nnz());
    for (term, qw) in query.iter() {
        let info = postings.term(term as usize);
        if info.df > 0 && qw > 0.0 {
            cursors.push(Cursor::new(postings, info, qw)?);
        }
    }
    let m = cursors.len();
    if k == 0 || m == 0 {
        return Ok(Vec::new());
    }
    let slack = 1.0 + (query.nnz() as f64 + 2.0) * f64::powi(2.0, -23);
    // Terms by bound ascending; prefix[i] = sum of the first i bounds.
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| cursors[a].ub.total_cmp(&cursors[b].ub));
    let mut prefix = vec![0.0f64; m + 1];
    for (i, &c) in order.iter().enumerate() {
        prefix[i + 1] = prefix[i] + cursors[c].ub;
    }
    let mut top = TopK::new(k);
    let mut theta = f64::NEG_INFINITY;
    let mut essential_from = 0;
    loop {
        let mut d = END;
        for &i in &order[essential_from..] {
            d = d.min(cursors[i].doc);
        }
        if d == END {
            break;
        }
        let mut bound = 0.0f64;
        for &i in &order[essential_from..] {
            if cursors[i].doc == d {
                bound += cursors[i].code_bound();
            }
        }
        let mut rest = prefix[essential_from];
        let mut alive = (bound + rest) * slack >= theta;
        if alive {
            for &i in order[..essential_from].iter().rev() {
                let c = &mut cursors[i];
                rest -= c.ub;
                let block = c.block_bound(d);
                if block == 0.0 {
                    continue;
                }
                if (bound + block + rest) * slack < theta {
                    alive = false;
                    break;
                }
                c.next_geq(d)?;
                if c.doc == d {
                    bound += c.code_bound();
                }
                if (bound + rest) * slack < theta {
                    alive = false;
                    break;
                }
            }
        }
        if alive {
            // Every list is at or past d: the exact score in term-id order.
            let mut score = 0.0f32;
            for c in &cursors {
                if c.doc == d {
                    score += c.qw * c.weight();
                }
            }
            if score > 0.0 {
                top.offer(d, score);
                if let Some(t) = top.threshold() {
                    theta = f64::from(t);
                    while essential_from < m && prefix[essential_from + 1] * slack < theta {
                        essential_from += 1;
                    }
                }
            }
        }
        for &i in &order[essential_from..] {
            if cursors[i].doc == d {
                cursors[i].next()?;
            }
        }
    }
    Ok(top.into_hits())
}
