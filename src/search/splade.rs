//! SPLADE scoring: the query vector against the inverted index.

use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// The SPLADE score of every document (`f32` dot products, summed in term-id order).
pub fn splade_scores(index: &Index, query: &SparseVector) -> Result<Vec<f32>> {
    let mut acc = vec![0.0f32; index.len()];
    let (mut docs, mut weights) = (Vec::new(), Vec::new());
    for (term, qw) in query.iter() {
        index
            .splade()
            .row_f32(term as usize, &mut docs, &mut weights)?;
        for (&d, &w) in docs.iter().zip(&weights) {
            if let Some(slot) = acc.get_mut(d as usize) {
                *slot += qw * w;
            }
        }
    }
    Ok(acc)
}
