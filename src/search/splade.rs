//! SPLADE scoring: the query vector against the inverted index.

use crate::index::blocks::BLOCK;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// The SPLADE score of every document (`f32` dot products, summed in term-id order):
/// every posting of every query term is read (the exhaustive path).
pub fn splade_scores(index: &Index, query: &SparseVector) -> Result<Vec<f32>> {
    let mut acc = vec![0.0f32; index.len()];
    let postings = index.splade();
    let mut docs = [0u32; BLOCK];
    for (term, qw) in query.iter() {
        let t = postings.term(term as usize);
        let weights = postings.weight_bytes(&t);
        for b in 0..t.blocks {
            let n = postings.decode(&t, b, &mut docs, None)?;
            let w = &weights[b * BLOCK * 4..][..n * 4];
            for (&d, w) in docs[..n].iter().zip(w.chunks_exact(4)) {
                if let Some(slot) = acc.get_mut(d as usize) {
                    *slot += qw * f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                }
            }
        }
    }
    Ok(acc)
}
