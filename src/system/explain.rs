//! Why a system gives a document its score: parts that add up to the score exactly.

use serde::Serialize;

use super::ranking::{serialize_score, Position};
use super::spec::Fusion;
use crate::profile::ProfileExplanation;
use crate::search::{Bm25Explanation, SpladeExplanation};

/// One system's explanation of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Explanation {
    /// Per vocabulary term: `q[t] · d[t]`.
    Splade(SpladeExplanation),
    /// Per term: the exact SPLADE part and an engine profile's part.
    Profile(ProfileExplanation),
    /// Per analysed term: Lucene's BM25 term score.
    Bm25(Bm25Explanation),
    /// A dense score: one inner product of two embeddings, with no per-term parts.
    Dense(ScoreOnly),
    /// A run file's score: only the score the file gives.
    Run(ScoreOnly),
    /// Per component: its rank, score, normalised score and share of the fused score.
    Fusion(FusionExplanation),
    /// The system searches an index without this document.
    NotIndexed { doc_id: String, why: String },
}

/// A score without parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreOnly {
    pub doc_id: String,
    pub position: Position,
    /// Why there are no parts.
    pub note: &'static str,
}

/// Why a fused document has its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FusionExplanation {
    pub doc_id: String,
    pub fusion: Fusion,
    /// Rank and score in the fused list (the score is the sum of the parts' contributions,
    /// in component order).
    pub position: Position,
    /// One part per component, in the order the fusion names them.
    pub parts: Vec<FusionPart>,
}

/// One component's part of a fused score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FusionPart {
    pub system: String,
    /// Rank in the component's list (`None`: not among its hits).
    pub rank: Option<usize>,
    #[serde(serialize_with = "serialize_opt")]
    pub score: Option<f64>,
    /// The normalised score (linear fusion; a document missing from the component gets
    /// the component's lowest).
    #[serde(serialize_with = "serialize_opt")]
    pub normalized: Option<f64>,
    /// α or 1 − α (linear), 1 (RRF).
    pub weight: f64,
    /// `weight · normalized` (linear) or `1 / (k + rank)` (RRF; 0 when missing).
    #[serde(serialize_with = "serialize_score")]
    pub contribution: f64,
    /// `contribution / fused score`.
    pub share: f64,
}

fn serialize_opt<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => serialize_score(v, s),
        None => s.serialize_none(),
    }
}

/// Note of a dense explanation.
pub const DENSE_NOTE: &str =
    "a dense score is one inner product of two embeddings: it has no per-term parts";
/// Note of a run explanation.
pub const RUN_NOTE: &str = "a run file gives only its score; SPLADE and BM25 can explain the document where the index holds it";
