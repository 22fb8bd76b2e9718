//! One SPLADE term's postings with, for each document, whether the term is one of the
//! document's own tokens (input) or an expansion the model added. The index stores weights
//! only, so each document's text is tokenised again at the index's `max_length` (in
//! parallel): the cost grows with the term's document frequency.

use rayon::prelude::*;

use crate::encoder::SparseEncoder;
use crate::index::{Index, Result};

/// A term's posting list with input/expansion marks.
#[derive(Debug, Clone, PartialEq)]
pub struct TermPostings {
    /// Documents holding the term, ascending.
    pub docs: Vec<u32>,
    /// Their weights.
    pub weights: Vec<f32>,
    /// Whether the term is among each document's own tokens (empty when read without,
    /// [`TermPostings::read_weights`]).
    pub input: Vec<bool>,
}

impl TermPostings {
    /// Reads term `id`'s postings without tokenising their documents (`input` empty).
    pub fn read_weights(index: &Index, id: u32) -> Result<Self> {
        let mut docs = Vec::new();
        let mut weights = Vec::new();
        index
            .splade()
            .row_f32(id as usize, &mut docs, &mut weights)?;
        Ok(Self {
            docs,
            weights,
            input: Vec::new(),
        })
    }

    /// Reads term `id`'s postings and tokenises their documents.
    pub fn read(index: &Index, encoder: &SparseEncoder, id: u32) -> Result<Self> {
        let mut docs = Vec::new();
        let mut weights = Vec::new();
        index
            .splade()
            .row_f32(id as usize, &mut docs, &mut weights)?;
        let max_length = index.manifest().model.max_length;
        let input = docs
            .par_iter()
            .map(|&d| -> Result<bool> {
                let text = index.doc(d)?.indexed_text();
                Ok(encoder.token_ids(&text, max_length)?.contains(&id))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            docs,
            weights,
            input,
        })
    }
}
