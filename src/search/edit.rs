//! Query edits: switch SPLADE query terms off, change their weights, and prune the query to
//! its heaviest terms, to see how each term drives the ranking.
//!
//! Edits apply in this order to the encoded query vector `q`:
//! 1. **reweight**: `q[t] ← w` for every term given a new weight (a weight of 0 removes it;
//!    a term the query lacks is added with weight `w`);
//! 2. **drop**: `q[t] ← 0` for every switched-off term;
//! 3. **prune**: keep the `top_n` heaviest remaining terms (ties by term id), then only
//!    those with weight `≥ min_weight`.
//!
//! The result is an ordinary sparse vector; scores against it are exact dot products.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use crate::sparse::Pruning;
use crate::sparse::SparseVector;

/// Edits of an encoded query, keyed by vocabulary id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueryEdits {
    /// Terms switched off.
    pub dropped: BTreeSet<u32>,
    /// Terms given a new weight.
    pub weights: BTreeMap<u32, f32>,
    /// Pruning applied after the term edits.
    pub pruning: Pruning,
}

impl QueryEdits {
    /// The dropped terms that `query` does not hold (edits that do nothing).
    pub fn absent_terms(&self, query: &SparseVector) -> Vec<u32> {
        self.dropped
            .iter()
            .copied()
            .filter(|id| query.ids.binary_search(id).is_err())
            .collect()
    }

    /// The weighted terms that `query` does not hold: the edits add them.
    pub fn added_terms(&self, query: &SparseVector) -> Vec<u32> {
        self.weights
            .keys()
            .copied()
            .filter(|id| query.ids.binary_search(id).is_err())
            .collect()
    }

    /// Whether the edits leave every query unchanged.
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty() && self.weights.is_empty() && self.pruning.is_off()
    }

    /// The edited query vector.
    pub fn apply(&self, query: &SparseVector) -> SparseVector {
        let added = self.added_terms(query);
        let pairs: Vec<(u32, f32)> = query
            .iter()
            .map(|(id, w)| (id, self.weights.get(&id).copied().unwrap_or(w)))
            .chain(added.into_iter().map(|id| (id, self.weights[&id])))
            .filter(|&(id, w)| w > 0.0 && w.is_finite() && !self.dropped.contains(&id))
            .collect();
        self.pruning.prune(pairs)
    }

    /// Whether term `id` survives the edits of `query` (false for terms not in it).
    pub fn keeps(&self, query: &SparseVector, id: u32) -> bool {
        self.apply(query).get(id) > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> SparseVector {
        SparseVector::from_pairs(vec![(5, 1.0), (2, 3.0), (9, 2.0), (7, 2.0)])
    }

    #[test]
    fn no_edits_keep_the_query() {
        assert_eq!(QueryEdits::default().apply(&query()), query());
        assert!(QueryEdits::default().is_empty());
    }

    #[test]
    fn drop_reweight_then_prune() {
        let mut e = QueryEdits::default();
        e.dropped.insert(2);
        e.weights.insert(5, 4.0);
        let v = e.apply(&query());
        assert_eq!(
            v.iter().collect::<Vec<_>>(),
            vec![(5, 4.0), (7, 2.0), (9, 2.0)]
        );
        e.pruning.top_n = Some(2);
        // 7 and 9 tie at 2.0: the lower id is kept.
        assert_eq!(
            e.apply(&query()).iter().collect::<Vec<_>>(),
            vec![(5, 4.0), (7, 2.0)]
        );
        e.pruning = Pruning {
            top_n: None,
            min_weight: Some(2.5),
        };
        assert_eq!(e.apply(&query()).iter().collect::<Vec<_>>(), vec![(5, 4.0)]);
        assert!(e.keeps(&query(), 5) && !e.keeps(&query(), 9) && !e.keeps(&query(), 42));
    }

    #[test]
    fn zero_or_invalid_weights_remove_a_term() {
        let mut e = QueryEdits::default();
        e.weights.insert(9, 0.0);
        e.weights.insert(7, f32::NAN);
        assert_eq!(
            e.apply(&query()).iter().collect::<Vec<_>>(),
            vec![(2, 3.0), (5, 1.0)]
        );
    }

    #[test]
    fn absent_terms_are_the_edits_that_do_nothing() {
        let query = SparseVector {
            ids: vec![3, 7],
            weights: vec![1.0, 2.0],
        };
        let mut edits = QueryEdits::default();
        edits.dropped.extend([3, 9]);
        edits.weights.insert(11, 2.0);
        edits.weights.insert(7, 0.5);
        assert_eq!(edits.absent_terms(&query), [9]);
        assert_eq!(edits.added_terms(&query), [11]);
        // The weighted term the query lacks is added; the dropped one stays out.
        assert_eq!(
            edits.apply(&query).iter().collect::<Vec<_>>(),
            vec![(7, 0.5), (11, 2.0)]
        );
    }
}
