//! Sparse vectors over a vocabulary: sorted term ids with non-negative `f32` weights.
//!
//! This is the representation SPLADE produces and the index stores. Ids are strictly
//! increasing, weights are finite and `> 0` (zero weights are never stored).

use serde::{Deserialize, Serialize};

/// A sparse vector: `ids` strictly increasing, `weights[i]` belongs to `ids[i]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVector {
    /// Term ids, strictly increasing.
    pub ids: Vec<u32>,
    /// Weights, one per id, all `> 0`.
    pub weights: Vec<f32>,
}

impl SparseVector {
    /// Builds a vector from a dense row, keeping the entries `> 0`.
    pub fn from_dense(dense: &[f32]) -> Self {
        let mut ids = Vec::new();
        let mut weights = Vec::new();
        for (id, &w) in dense.iter().enumerate() {
            if w > 0.0 {
                ids.push(id as u32);
                weights.push(w);
            }
        }
        Self { ids, weights }
    }

    /// Builds a vector from `(id, weight)` pairs in any order; pairs with weight `<= 0`
    /// are dropped and repeated ids keep their largest weight.
    pub fn from_pairs(mut pairs: Vec<(u32, f32)>) -> Self {
        pairs.retain(|&(_, w)| w > 0.0);
        pairs.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        pairs.dedup_by_key(|p| p.0);
        let (ids, weights) = pairs.into_iter().unzip();
        Self { ids, weights }
    }

    /// Number of non-zero entries.
    pub fn nnz(&self) -> usize {
        self.ids.len()
    }

    /// True when the vector has no non-zero entry.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Sum of the weights (the L1 norm, as weights are positive).
    pub fn l1(&self) -> f32 {
        self.weights.iter().sum()
    }

    /// The weight of `id`, or 0 when absent.
    pub fn get(&self, id: u32) -> f32 {
        match self.ids.binary_search(&id) {
            Ok(i) => self.weights[i],
            Err(_) => 0.0,
        }
    }

    /// Iterates `(id, weight)` pairs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.ids.iter().copied().zip(self.weights.iter().copied())
    }

    /// Dot product with another sparse vector (merge of the two sorted id lists).
    pub fn dot(&self, other: &SparseVector) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
        while i < self.ids.len() && j < other.ids.len() {
            match self.ids[i].cmp(&other.ids[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.weights[i] * other.weights[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    /// Entries sorted by weight (highest first), ties by id.
    pub fn by_weight(&self) -> Vec<(u32, f32)> {
        let mut pairs: Vec<(u32, f32)> = self.iter().collect();
        pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        pairs
    }
}

/// How a vector is pruned: a query before search, or a document before indexing
/// (`index --doc-top`, `--doc-min`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    /// Keep at most this many terms (the heaviest; on equal weights, the lower ids).
    #[serde(default)]
    pub top_n: Option<usize>,
    /// Keep only terms with at least this weight.
    #[serde(default)]
    pub min_weight: Option<f32>,
}

impl Pruning {
    /// Whether the pruning keeps every term.
    pub fn is_off(&self) -> bool {
        self.top_n.is_none() && self.min_weight.is_none()
    }

    /// `vector` pruned.
    pub fn apply(&self, vector: &SparseVector) -> SparseVector {
        if self.is_off() {
            return vector.clone();
        }
        self.prune(vector.iter().collect())
    }

    /// The vector of `(id, weight)` pairs (ids distinct, weights > 0) after pruning.
    pub(crate) fn prune(&self, mut pairs: Vec<(u32, f32)>) -> SparseVector {
        if let Some(n) = self.top_n {
            if pairs.len() > n {
                pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                pairs.truncate(n);
            }
        }
        if let Some(min) = self.min_weight {
            pairs.retain(|&(_, w)| w >= min);
        }
        SparseVector::from_pairs(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_dense_keeps_positive_entries_in_id_order() {
        let v = SparseVector::from_dense(&[0.0, 1.5, 0.0, 0.25, -1.0]);
        assert_eq!(v.ids, vec![1, 3]);
        assert_eq!(v.weights, vec![1.5, 0.25]);
        assert_eq!(v.nnz(), 2);
        assert!((v.l1() - 1.75).abs() < 1e-6);
        assert_eq!(v.get(3), 0.25);
        assert_eq!(v.get(2), 0.0);
    }

    #[test]
    fn from_pairs_sorts_dedups_and_drops_non_positive() {
        let v = SparseVector::from_pairs(vec![(5, 1.0), (2, 0.5), (5, 3.0), (7, 0.0)]);
        assert_eq!(v.ids, vec![2, 5]);
        assert_eq!(v.weights, vec![0.5, 3.0]);
    }

    #[test]
    fn dot_matches_dense_dot() {
        let a = SparseVector::from_dense(&[1.0, 0.0, 2.0, 3.0, 0.0]);
        let b = SparseVector::from_dense(&[0.5, 4.0, 0.0, 2.0, 1.0]);
        assert_eq!(a.dot(&b), 1.0 * 0.5 + 3.0 * 2.0);
        assert_eq!(a.dot(&SparseVector::default()), 0.0);
    }

    #[test]
    fn by_weight_orders_descending_then_by_id() {
        let v = SparseVector::from_pairs(vec![(9, 1.0), (3, 2.0), (4, 1.0)]);
        assert_eq!(v.by_weight(), vec![(3, 2.0), (4, 1.0), (9, 1.0)]);
    }
}
