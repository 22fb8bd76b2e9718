//! What sparsity costs: the numbers SPLADE's FLOPS regulariser trades against quality, for
//! a set of queries run against one index.
//!
//! For `Q` queries over an index of `N` documents, with `df(t)` the documents holding term
//! `t` and `Q(t)` the queries holding it:
//!
//! ```text
//! query non-zeros     = (1/Q) Σ_q |q|
//! postings touched    = (1/Q) Σ_q Σ_{t ∈ q} df(t)        (what exhaustive scoring reads)
//! FLOPS               = Σ_t p_q(t) · p_d(t),  p_q(t) = Q(t)/Q,  p_d(t) = df(t)/N
//!                     = postings touched / N
//! ```
//!
//! FLOPS is the expected number of multiply-adds per query–document pair (Paria et al.
//! 2020; the quantity SPLADE's regulariser bounds), estimated from the loaded queries and
//! the index's document frequencies. Search time is the mean wall time of the system's
//! ranking per query, as run.

use std::time::Duration;

use serde::Serialize;

use crate::index::Index;
use crate::sparse::SparseVector;

/// A running tally of one sparse system's queries against one index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostTally {
    queries: u64,
    nonzeros: u64,
    postings: u64,
    search: Duration,
}

impl CostTally {
    /// Counts one query vector searched against `index` in `search` time.
    pub fn add(&mut self, index: &Index, query: &SparseVector, search: Duration) {
        let splade = index.splade();
        self.queries += 1;
        self.nonzeros += query.nnz() as u64;
        self.postings += query
            .ids
            .iter()
            .map(|&t| splade.term(t as usize).df as u64)
            .sum::<u64>();
        self.search += search;
    }

    /// The means, with the index's own sizes beside them.
    pub fn summary(&self, index: &Index) -> SparsityCost {
        let q = self.queries.max(1) as f64;
        let documents = index.len();
        let postings_touched = self.postings as f64 / q;
        let index_postings = index.splade().postings();
        SparsityCost {
            queries: self.queries,
            query_nonzeros: self.nonzeros as f64 / q,
            postings_touched,
            flops: postings_touched / documents.max(1) as f64,
            search_ms: self.search.as_secs_f64() * 1e3 / q,
            doc_nonzeros: index_postings as f64 / documents.max(1) as f64,
            index_postings,
            splade_bytes: splade_bytes(index),
        }
    }
}

/// Bytes on disk of an index's SPLADE part: inverted lists, exact weights, range maxima
/// and the forward vectors.
pub fn splade_bytes(index: &Index) -> u64 {
    use crate::index::files;
    index
        .file_sizes()
        .into_iter()
        .filter(|(name, _)| {
            [
                files::SPLADE,
                files::SPLADE_WEIGHTS,
                files::SPLADE_RANGES,
                files::FORWARD,
            ]
            .contains(name)
        })
        .map(|(_, bytes)| bytes)
        .sum()
}

/// The cost of one sparse system over a query set (see the module docs for the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SparsityCost {
    /// Queries counted.
    pub queries: u64,
    /// Mean non-zero terms per query vector searched.
    pub query_nonzeros: f64,
    /// Mean postings of the query's terms (what exhaustive scoring reads).
    pub postings_touched: f64,
    /// Σ_t p_query(t)·p_doc(t): expected multiply-adds per query–document pair.
    pub flops: f64,
    /// Mean search time per query, in milliseconds.
    pub search_ms: f64,
    /// Mean non-zero terms per document (index postings / documents).
    pub doc_nonzeros: f64,
    /// SPLADE postings in the index.
    pub index_postings: u64,
    /// Bytes on disk of the SPLADE part ([`splade_bytes`]).
    pub splade_bytes: u64,
}
