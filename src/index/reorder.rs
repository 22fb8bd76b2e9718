//! Document reordering at build time (`index --reorder`) by recursive graph bisection (BP:
//! Dhulipala et al., KDD 2016, the ordering PISA and BMP use): documents that share terms
//! end up in the same ranges of 16, which is the locality the pruned SPLADE search needs
//! ([`crate::search::pruned`]) when a collection arrives in arbitrary order.
//!
//! Each document is represented by its `terms` heaviest SPLADE terms. The documents are cut
//! into two halves, and for `iterations` rounds every document gets the gain of moving to
//! the other half, the drop in `Σ_t d_A(t)·log2(n_A/(d_A(t)+1)) + d_B(t)·log2(n_B/(d_B(t)+1))`
//! (`d_X(t)`: documents of half X holding `t`; the log-gap cost of the two halves' posting
//! lists); the documents of each half are sorted by gain and swapped pairwise while the two
//! gains sum above zero. Both halves are then cut again, down to parts of [`RANGE`]
//! documents. The halves of the first levels are processed on separate threads.
//!
//! Reordering changes document numbers only: every document keeps its id, text and vector,
//! so every score is unchanged; ties, broken by document number, follow the new order.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::build::IndexBuilder;
use super::error::Result;
use super::ranges::RANGE;
use super::Index;
use crate::corpus::Document;

/// How documents are reordered (`index --reorder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bisection {
    /// Heaviest terms per document that represent it.
    pub terms: usize,
    /// Rounds of swaps per cut.
    pub iterations: usize,
}

impl Default for Bisection {
    fn default() -> Self {
        Self {
            terms: 128,
            iterations: 10,
        }
    }
}

/// Levels whose two halves run on separate threads.
const PARALLEL_LEVELS: usize = 6;

/// The new document order (old document numbers, in their new places) for the documents
/// of `index`.
pub fn bisection_order(index: &Index, options: &Bisection) -> Result<Vec<u32>> {
    let forward = index.forward();
    let mut terms = Vec::with_capacity(index.len());
    for r in 0..forward.ranges() {
        for v in forward.range_vectors(r)? {
            let mut pairs: Vec<(u32, f32)> = v.iter().collect();
            pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            terms.push(pairs.iter().take(options.terms).map(|p| p.0).collect());
        }
    }
    Ok(order(&terms, index.splade().terms(), options.iterations))
}

/// The bisection order of documents given by their term lists (ids below `vocab`).
fn order(terms: &[Vec<u32>], vocab: usize, iterations: usize) -> Vec<u32> {
    let mut docs: Vec<u32> = (0..terms.len() as u32).collect();
    bisect(&mut docs, terms, vocab, iterations, 0);
    docs
}

/// The log-gap cost of a term held by `d` of a part's `n` documents.
fn cost(d: f32, n: f32) -> f32 {
    d * (n / (d + 1.0)).log2()
}

fn bisect(docs: &mut [u32], terms: &[Vec<u32>], vocab: usize, iterations: usize, level: usize) {
    if docs.len() <= RANGE {
        return;
    }
    let mid = docs.len() / 2;
    let (mut in_a, mut in_b) = (vec![0i32; vocab], vec![0i32; vocab]);
    for (i, &d) in docs.iter().enumerate() {
        let degrees = if i < mid { &mut in_a } else { &mut in_b };
        for &t in &terms[d as usize] {
            degrees[t as usize] += 1;
        }
    }
    let (na, nb) = (mid as f32, (docs.len() - mid) as f32);
    let mut gains: Vec<(f32, u32)> = Vec::with_capacity(docs.len());
    for _ in 0..iterations {
        gains.clear();
        for (i, &d) in docs.iter().enumerate() {
            let from_a = i < mid;
            let gain: f32 = terms[d as usize]
                .iter()
                .map(|&t| {
                    let (a, b) = (in_a[t as usize] as f32, in_b[t as usize] as f32);
                    let (a2, b2) = if from_a {
                        (a - 1.0, b + 1.0)
                    } else {
                        (a + 1.0, b - 1.0)
                    };
                    cost(a, na) + cost(b, nb) - cost(a2, na) - cost(b2, nb)
                })
                .sum();
            gains.push((gain, d));
        }
        let (ga, gb) = gains.split_at_mut(mid);
        // Ties by document, so the order is the same on every run.
        let by_gain = |x: &(f32, u32), y: &(f32, u32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
        ga.sort_unstable_by(by_gain);
        gb.sort_unstable_by(by_gain);
        let mut swaps = 0;
        for (x, y) in ga.iter_mut().zip(gb.iter_mut()) {
            if x.0 + y.0 <= 0.0 {
                break;
            }
            for &t in &terms[x.1 as usize] {
                in_a[t as usize] -= 1;
                in_b[t as usize] += 1;
            }
            for &t in &terms[y.1 as usize] {
                in_b[t as usize] -= 1;
                in_a[t as usize] += 1;
            }
            std::mem::swap(&mut x.1, &mut y.1);
            swaps += 1;
        }
        for (slot, &(_, d)) in docs.iter_mut().zip(gains.iter()) {
            *slot = d;
        }
        if swaps == 0 {
            break;
        }
    }
    drop((in_a, in_b));
    let (a, b) = docs.split_at_mut(mid);
    if level < PARALLEL_LEVELS {
        rayon::join(
            || bisect(a, terms, vocab, iterations, level + 1),
            || bisect(b, terms, vocab, iterations, level + 1),
        );
    } else {
        bisect(a, terms, vocab, iterations, level + 1);
        bisect(b, terms, vocab, iterations, level + 1);
    }
}

/// A builder holding the documents of `source` in `order` (texts, vectors and embeddings
/// as stored; the counts the manifest carries over from the first build), spilling into
/// `spill`.
pub(crate) fn rebuild(source: &Index, order: &[u32], spill: &Path) -> Result<IndexBuilder> {
    let m = source.manifest();
    // Pruning again is a no-op on pruned vectors; it is set for the manifest.
    let mut builder = IndexBuilder::new(source.splade().terms())
        .with_doc_pruning(m.splade.doc_pruning.unwrap_or_default())
        .carrying(m.truncated_documents, m.splade.pruned_postings);
    if let Some(dense) = source.dense() {
        builder = builder.with_dense(dense.dim());
    }
    let mut builder = builder.spill_into(spill)?;
    for &d in order {
        let stored = source.doc(d)?;
        let doc = Document {
            id: stored.id.to_string(),
            title: stored.title.to_string(),
            text: stored.text.to_string(),
        };
        builder.add(&doc, &source.vector(d)?, false)?;
        if let Some(row) = source.dense().and_then(|dense| dense.row(d)) {
            builder.add_dense(row)?;
        }
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A topic (0..4) for document `i`, scattered pseudo-randomly.
    fn topic(i: u32) -> u32 {
        (i.wrapping_mul(2_654_435_761) >> 7) % 4
    }

    #[test]
    fn bisection_gathers_documents_that_share_terms() {
        // 256 documents on four topics, in scattered order: each holds six of its topic's
        // eight terms.
        let terms: Vec<Vec<u32>> = (0..256u32)
            .map(|i| (0..6).map(|j| topic(i) * 10 + (i + j) % 8).collect())
            .collect();
        let order = order(&terms, 40, 10);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..256).collect::<Vec<_>>(), "a permutation");
        // Most ranges of 16 hold one topic (a topic's count need not fill whole ranges).
        let pure = order
            .chunks(RANGE)
            .filter(|range| range.iter().all(|&d| topic(d) == topic(range[0])))
            .count();
        assert!(pure >= 12, "{pure} of 16 ranges hold one topic: {order:?}");
        // In input order, none does.
        let input: Vec<u32> = (0..256).collect();
        assert!(input
            .chunks(RANGE)
            .all(|range| range.iter().any(|&d| topic(d) != topic(range[0]))));
        // The same input gives the same order.
        assert_eq!(super::order(&terms, 40, 10), order);
    }
}
