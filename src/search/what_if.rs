//! What-if SPLADE: the index searched as if its documents' vectors were edited.
//!
//! A document-side edit scales term `t` by `s[t]` (0 switches it off) in every document's
//! vector, or, with `expansions_only`, only in the documents where `t` is an expansion (not
//! one of the document's own tokens, [`TermPostings`]):
//!
//! ```text
//! score(d) = Σ_t q[t] · d[t] · f(t, d)
//! f(t, d)  = s[t]   if t is edited (and, with expansions_only, an expansion of d)
//!          = 1      otherwise
//! ```
//!
//! Terms without edits are scored exactly as [`super::splade_scores`] scores them; each
//! edited term's postings are then added document by document, so a score may differ from
//! the term-id-ordered sum in the last bits (rounding only).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::term_postings::TermPostings;
use crate::encoder::SparseEncoder;
use crate::index::{Index, Result};
use crate::sparse::SparseVector;

/// Edits of every document's vector.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DocEdits {
    /// Term id → factor (0 switches the term off).
    pub scales: BTreeMap<u32, f32>,
    /// Edit a term only in the documents where it is an expansion.
    pub expansions_only: bool,
}

impl DocEdits {
    /// Whether the edits change no document.
    pub fn is_empty(&self) -> bool {
        self.scales.values().all(|&s| s == 1.0)
    }
}

/// Edited terms' postings with their input/expansion marks, read once per term.
#[derive(Debug, Default)]
pub struct PostingsCache {
    terms: Mutex<HashMap<u32, Arc<TermPostings>>>,
}

impl PostingsCache {
    /// Term `id`'s postings, read on first use; with `input`, with their input/expansion
    /// marks (each document tokenised once).
    pub fn get(
        &self,
        index: &Index,
        encoder: &SparseEncoder,
        id: u32,
        input: bool,
    ) -> Result<Arc<TermPostings>> {
        if let Some(p) = self.terms.lock().expect("cache lock").get(&id) {
            if !input || p.input.len() == p.docs.len() {
                return Ok(p.clone());
            }
        }
        let p = Arc::new(if input {
            TermPostings::read(index, encoder, id)?
        } else {
            TermPostings::read_weights(index, id)?
        });
        self.terms.lock().expect("cache lock").insert(id, p.clone());
        Ok(p)
    }
}

/// The factor of term `id` in a document where it is an input term or not.
pub fn factor(edits: &DocEdits, id: u32, input: bool) -> f32 {
    match edits.scales.get(&id) {
        Some(&s) if !(edits.expansions_only && input) => s,
        _ => 1.0,
    }
}

/// Every document's what-if score for `query` ([`splade_scores_parallel`](super::splade_scores_parallel)
/// on `threads` for the unedited terms).
pub fn what_if_scores(
    index: &Index,
    encoder: &SparseEncoder,
    query: &SparseVector,
    edits: &DocEdits,
    cache: &PostingsCache,
    threads: usize,
) -> Result<Vec<f32>> {
    let edited: Vec<(u32, f32)> = query
        .iter()
        .filter(|(id, _)| edits.scales.contains_key(id))
        .collect();
    let rest = SparseVector::from_pairs(
        query
            .iter()
            .filter(|(id, _)| !edits.scales.contains_key(id))
            .collect(),
    );
    let mut scores = super::splade_scores_parallel(index, &rest, threads)?;
    for (id, q) in edited {
        let p = cache.get(index, encoder, id, edits.expansions_only)?;
        for (i, (&d, &w)) in p.docs.iter().zip(&p.weights).enumerate() {
            let input = p.input.get(i).copied().unwrap_or(false);
            scores[d as usize] += q * (w * factor(edits, id, input));
        }
    }
    Ok(scores)
}
