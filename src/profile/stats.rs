//! The index-wide numbers some engine rules read: Elasticsearch's token pruning (documents
//! with the field, distinct terms) and PISA's quantisation (the largest weight).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::index::{Index, Result};

/// Index-wide statistics of the SPLADE field, as an engine holding the same vectors in one
/// segment sees them.
#[derive(Debug, Default)]
pub struct ProfileStats {
    /// Documents with at least one term (Lucene's `getDocCount(field)`).
    pub documents_with_terms: usize,
    /// Terms with at least one posting (Lucene's `Terms.size()`).
    pub distinct_terms: usize,
    /// Postings of all terms (Lucene's `getSumDocFreq(field)`).
    pub sum_doc_freq: u64,
    /// The largest document weight in the index.
    pub max_weight: f32,
    /// Each posting list's smallest and largest weight, read once when first asked for
    /// (Qdrant's `uint8` scales each list between them).
    ranges: Mutex<HashMap<u32, (f32, f32)>>,
}

impl ProfileStats {
    /// Reads them from the index's term table and document lengths (no postings are read).
    pub fn of(index: &Index) -> Self {
        let postings = index.splade();
        let (mut distinct_terms, mut max_weight) = (0, 0.0f32);
        for t in 0..postings.terms() {
            let info = postings.term(t);
            if info.df > 0 {
                distinct_terms += 1;
                max_weight = max_weight.max(info.max);
            }
        }
        let forward = index.forward();
        let documents_with_terms = (0..index.len()).filter(|&d| forward.doc_len(d) > 0).count();
        Self {
            documents_with_terms,
            distinct_terms,
            sum_doc_freq: postings.postings(),
            max_weight,
            ranges: Mutex::default(),
        }
    }

    /// Term `t`'s smallest and largest document weight (its weights read once, without
    /// decoding its documents).
    pub fn range(&self, index: &Index, t: u32) -> Result<(f32, f32)> {
        let mut ranges = self.ranges.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&r) = ranges.get(&t) {
            return Ok(r);
        }
        let postings = index.splade();
        let info = postings.term(t as usize);
        let r = super::codec::min_max(
            postings
                .weight_bytes(&info)
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        ranges.insert(t, r);
        Ok(r)
    }
}
