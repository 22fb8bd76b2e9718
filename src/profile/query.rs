//! The query an engine scores: which of the SPLADE query's tokens it keeps, and the weight
//! it gives each.
//!
//! - **Elasticsearch `pruning_config`** (`WeightedTokensUtils.queryBuilderWithPrunedTokens`,
//!   `server/src/main/java/org/elasticsearch/inference/WeightedTokensUtils.java`; 8.15–8.18:
//!   `x-pack/plugin/core/.../ml/search/WeightedTokensUtils.java`), all in `f32`:
//!   `avg = sumDocFreq / docCount / uniqueTerms`; a token is kept iff `df > 0` and
//!   (`df / docCount < R · avg` or `w > W · max w`), both strict. A token is dropped only
//!   when it is both frequent and light.
//! - **OpenSearch two-phase** (`NeuralSparseTwoPhaseProcessor`, `util/prune/PruneUtils.java`
//!   in opensearch-project/neural-search, `max_ratio`): a token is scored in phase 1 iff
//!   `w ≥ prune_ratio · max w` (`f32` product); the others rescore the phase-1 top window.
//! - **Anserini's integer query weights** (ours: the export repeats each token that many
//!   times): `round(q · S)`, half away from zero; a token whose weight rounds to 0 is dropped.
//! - **PISA/BMP integer query weights**: `min(⌈q · (M / max q)⌉, M)` in `f32`, BMP's
//!   rescaling (`python/src/lib.rs` in pisa-engine/BMP, `M = MAX_TERM_WEIGHT = 32`), capped
//!   so that the heaviest token weighs exactly `M` (then BMP's own rescaling changes
//!   nothing), every token 1 to `M`.

use serde::Serialize;

use super::codec::impact;
use super::{Profile, ProfileStats, TokenPruning};
use crate::index::Index;
use crate::sparse::SparseVector;

/// When a kept token is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// With the query (every profile but OpenSearch's two-phase low tokens).
    One,
    /// Only when rescoring the phase-1 window (OpenSearch two-phase).
    Two,
}

/// One token of the SPLADE query, as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineTerm {
    pub id: u32,
    /// The exact SPLADE query weight.
    pub exact: f32,
    /// The weight the engine scores with; `None`: the engine drops the token.
    pub weight: Option<f32>,
    pub phase: Phase,
}

/// The SPLADE query as an engine runs it: every query token, in term-id order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineQuery {
    pub terms: Vec<EngineTerm>,
}

impl EngineQuery {
    /// The engine's query for the exact SPLADE query `query` on `index`.
    pub fn new(
        profile: &Profile,
        query: &SparseVector,
        index: &Index,
        stats: &ProfileStats,
    ) -> Self {
        let max = query.weights.iter().copied().fold(0.0f32, f32::max);
        let term = |id: u32, exact: f32, weight: Option<f32>, phase: Phase| EngineTerm {
            id,
            exact,
            weight,
            phase,
        };
        let terms = query
            .iter()
            .map(|(id, w)| match profile {
                Profile::Elasticsearch { pruning: Some(p) } => {
                    let df = index.splade().term(id as usize).df;
                    let keep = keeps_token(p, df, w, max, stats);
                    term(id, w, keep.then_some(w), Phase::One)
                }
                Profile::OpenSearch { two_phase: Some(t) } => {
                    let phase = if w >= t.prune_ratio * max {
                        Phase::One
                    } else {
                        Phase::Two
                    };
                    term(id, w, Some(w), phase)
                }
                Profile::Anserini { scale } => {
                    let q = impact(w, *scale);
                    term(id, w, (q > 0.0).then_some(q), Phase::One)
                }
                Profile::Pisa { .. } | Profile::Bmp => {
                    let m = match profile {
                        Profile::Pisa { query_max, .. } => *query_max as f32,
                        _ => super::DEFAULT_PISA_QUERY_MAX as f32,
                    };
                    let q = (w * (m / max)).ceil().min(m);
                    term(id, w, (q > 0.0).then_some(q), Phase::One)
                }
                _ => term(id, w, Some(w), Phase::One),
            })
            .collect();
        Self { terms }
    }

    /// The tokens scored in `phase`, with the engine's weights, in term-id order.
    pub fn scored(&self, phase: Phase) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.terms
            .iter()
            .filter(move |t| t.phase == phase)
            .filter_map(|t| t.weight.map(|w| (t.id, w)))
    }

    /// The tokens the engine keeps (in either phase), with their exact weights.
    pub fn kept(&self) -> SparseVector {
        SparseVector::from_pairs(
            self.terms
                .iter()
                .filter(|t| t.weight.is_some())
                .map(|t| (t.id, t.exact))
                .collect(),
        )
    }

    /// Whether any token waits for a second phase.
    pub fn has_second_phase(&self) -> bool {
        self.terms
            .iter()
            .any(|t| t.phase == Phase::Two && t.weight.is_some())
    }
}

/// Elasticsearch's keep rule for a token of document frequency `df` and weight `w`, in a
/// query whose heaviest token weighs `max`.
pub fn keeps_token(p: &TokenPruning, df: usize, w: f32, max: f32, stats: &ProfileStats) -> bool {
    if df == 0 || stats.documents_with_terms == 0 || stats.distinct_terms == 0 {
        return false;
    }
    let doc_count = stats.documents_with_terms as f32;
    let average = stats.sum_doc_freq as f32 / doc_count / stats.distinct_terms as f32;
    let ratio = df as f32 / doc_count;
    ratio < p.freq_ratio * average || w > p.weight * max
}
