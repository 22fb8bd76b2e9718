//! What the engine hands the UI: plain data, computed once per request.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use crate::encoder::{Source, TermKind};
use crate::system::{Explanation, Leaf, SystemSpec};

/// A query term with its model weight and its weight after the edits.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub id: u32,
    pub token: String,
    /// The model's weight.
    pub weight: f32,
    /// Weight searched with (0 when switched off or pruned).
    pub edited: f32,
    pub kind: TermKind,
    /// Colour slot: rank by model weight, for the first [`COLORED_TERMS`].
    pub slot: Option<usize>,
    pub dropped: bool,
    pub reweighted: bool,
    /// The query token (and word) that produced the weight.
    pub source: Option<Source>,
}

/// One term's part of a hit's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub label: String,
    pub slot: Option<usize>,
    pub value: f32,
}

/// One hit of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct HitView {
    /// Document number in index A (`None`: a run's or B's document that A lacks).
    pub doc: Option<u32>,
    pub id: String,
    pub title: String,
    pub snippet: String,
    pub score: f64,
    /// Parts of the score, largest first: per term (SPLADE, BM25), per component
    /// (fusion), or the score itself (dense, runs).
    pub parts: Vec<Part>,
    /// Rank in the other list's system (its full ranking where it scores every
    /// document; in Compare, A's rank for B's hits and back).
    pub other_rank: Option<usize>,
    /// Rank for the unedited query (SPLADE with edits only).
    pub base_rank: Option<usize>,
    /// Relevance grade when the query is judged.
    pub grade: Option<i64>,
}

/// Which system matched a highlighted word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Both,
    Splade,
    Bm25,
    /// The source word of the document term selected in the inspector.
    Source,
}

/// A highlighted byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub range: Range<usize>,
    pub kind: MarkKind,
}

/// A term of the inspected document's own vector.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTerm {
    /// Vocabulary id.
    pub id: u32,
    pub token: String,
    pub weight: f32,
    pub kind: TermKind,
    pub in_query: bool,
    /// The document word that produced it (when the sources were asked for and known).
    pub source: Option<Source>,
    /// Where that word's token is in the title or the text shown (`None` when unknown or
    /// past the text shown).
    pub source_range: Option<crate::index::TextRange>,
}

/// Everything about one document for the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub doc: u32,
    pub id: String,
    pub title: String,
    pub text: String,
    pub title_marks: Vec<Mark>,
    pub text_marks: Vec<Mark>,
    /// The document in the left and right lists' systems: their names and explanations.
    pub columns: [(String, Explanation); 2],
    /// Colour slot of each SPLADE term id of the query.
    pub slots: HashMap<u32, usize>,
    /// The document's heaviest terms.
    pub doc_terms: Vec<DocTerm>,
    /// Whether the document's term sources were found (`Ok`), why not (`Err`), or were not
    /// asked for (`None`).
    pub doc_sources: Option<Result<(), String>>,
    pub grade: Option<i64>,
}

/// A judged relevant document of the query and where both shown systems rank it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelevantDoc {
    pub id: String,
    pub grade: i64,
    pub in_index: bool,
    /// Its rank in the left and right lists' systems.
    pub ranks: [Option<usize>; 2],
}

/// A term of either checkpoint's query vector.
#[derive(Debug, Clone, PartialEq)]
pub struct TermDiff {
    pub token: String,
    pub a: f32,
    pub b: f32,
}

/// The second checkpoint's view of the query.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareView {
    pub model_a: String,
    pub model_b: String,
    /// Whether A is the query as edited in Explore (term edits, pruning); the term diff,
    /// both lists, overlap and τ all use the same A.
    pub a_edited: bool,
    /// Union of both vectors' terms, by max weight.
    pub terms: Vec<TermDiff>,
    /// A's SPLADE hits; `other_rank` is the rank in B.
    pub hits_a: Vec<HitView>,
    /// B's hits; `other_rank` is the rank in A.
    pub hits_b: Vec<HitView>,
    /// Documents in both top-k lists.
    pub overlap: usize,
    /// Kendall's τ-b over the union of both top-k lists, a document missing from one list
    /// placed at rank k+1 there (`None` with fewer than two documents).
    pub kendall_tau: Option<f64>,
    pub encode_b: Duration,
    pub search_b: Duration,
}

/// How long each step took (each list's search time is in its [`ListView`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// SPLADE encoding with A's model.
    pub encode: Duration,
    /// Dense query embedding, when a shown system needs it.
    pub dense: Option<Duration>,
    /// SPLADE search with the unedited query (when edits are on).
    pub splade_unedited: Option<Duration>,
    pub explain: Duration,
}

/// What a list's parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// SPLADE (A or B): per vocabulary term.
    Sparse,
    /// BM25: per analysed term.
    Bm25,
    /// A dense score: no parts.
    Dense,
    /// A run file's score: no parts.
    Run,
    /// A fusion: per component.
    Fusion,
}

impl ListKind {
    /// The kind of a system's list.
    pub fn of(spec: &SystemSpec) -> Self {
        match spec {
            SystemSpec::Leaf(Leaf::Splade | Leaf::SpladeB | Leaf::WhatIf | Leaf::Profile(_)) => {
                Self::Sparse
            }
            SystemSpec::Leaf(Leaf::Bm25) => Self::Bm25,
            SystemSpec::Leaf(Leaf::Dense) => Self::Dense,
            SystemSpec::Leaf(Leaf::Run(_)) | SystemSpec::RunFile { .. } => Self::Run,
            SystemSpec::Fused { .. } => Self::Fusion,
        }
    }

    /// Whether scores are small (fused scores, cosine similarities, run scores of any
    /// scale) and are shown with four decimals rather than two.
    pub fn fine_scores(self) -> bool {
        matches!(self, Self::Dense | Self::Run | Self::Fusion)
    }
}

/// One hit list of a system.
#[derive(Debug, Clone, PartialEq)]
pub struct ListView {
    /// Position of the system in the engine's systems, and its display name.
    pub system: usize,
    pub name: String,
    pub kind: ListKind,
    pub hits: Vec<HitView>,
    /// Documents the system ranks.
    pub matching: usize,
    /// False when the system has no results for the query (a run without it).
    pub has_query: bool,
    /// Search time.
    pub time: Duration,
}

/// Everything the explorer shows for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryView {
    pub query: String,
    pub terms: Vec<QueryTerm>,
    /// Whether SPLADE saw only the first `tokens` of `untruncated_tokens` (BM25 always
    /// sees the whole text, as `spladescope search` does).
    pub truncated: bool,
    pub tokens: usize,
    pub untruncated_tokens: usize,
    pub nnz: usize,
    pub l1: f32,
    /// Non-zeros of the query searched with (after edits).
    pub edited_nnz: usize,
    /// The left and right hit lists.
    pub lists: [ListView; 2],
    /// Analyzed BM25 query terms.
    pub bm25_terms: Vec<String>,
    /// Documents in both lists.
    pub overlap: usize,
    pub k: usize,
    pub timings: Timings,
    pub inspect: Option<Result<Inspection, String>>,
    pub relevant: Vec<RelevantDoc>,
    /// A judged query's SPLADE measures, as edited and unedited.
    pub metrics: Option<super::QueryMetrics>,
    pub compare: Option<CompareView>,
    /// The open browser's report, when one is open.
    pub browse: Option<Result<super::Browsed, String>>,
    /// The side-by-side explanations, when asked for.
    pub side_by_side: Option<Result<crate::search::SpladeComparison, String>>,
}

/// One row of the Evaluate table.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    pub qid: String,
    pub text: String,
    /// nDCG@10 per system, in [`EvalTable::systems`] order.
    pub ndcg: Vec<f64>,
}

/// Per-query nDCG@10, means and significance for every system.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalTable {
    pub title: String,
    pub systems: Vec<String>,
    pub rows: Vec<EvalRow>,
    /// Mean of every measure per system.
    pub means: Vec<crate::eval::MetricValues>,
    /// What each SPLADE system's queries cost (`None` for other systems).
    pub costs: Vec<Option<crate::search::SparsityCost>>,
    /// `comparisons[a][b]`: system `a` as the baseline against system `b` on nDCG@10
    /// (differences a − b; `None` on the diagonal).
    pub comparisons: Vec<Vec<Option<crate::eval::Comparison>>>,
    pub k: usize,
    /// Notes on the judged set, as `spladescope eval` prints them.
    pub notes: Vec<String>,
}
