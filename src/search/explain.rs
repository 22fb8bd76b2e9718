//! Explanations: why a document has its score, term by term, and where it ranks, also for
//! documents that were not retrieved ("why not?").
//!
//! The contributions shown are the very numbers the search adds up: a SPLADE explanation's
//! contributions, summed in term-id order, equal the document's score bit for bit; a BM25
//! explanation's term scores, summed in `f64` in query-term order, equal its BM25 score.

use std::collections::HashSet;

use serde::Serialize;

use super::{matching, rank_of, top_k};
use crate::analysis::{QueryTerm, TermScoreExplanation};
use crate::encoder::{Encoded, Source, SparseEncoder, TermKind, WordContribution};
use crate::index::{Index, Result};

/// Where a document ranks among all documents for a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankInfo {
    /// 1-based rank among documents scoring above 0 (ties by document number), or `None`
    /// when the document scores 0 (it cannot be retrieved).
    pub rank: Option<usize>,
    /// The document's score.
    pub score: f32,
    /// The cut-off the gap refers to.
    pub k: usize,
    /// Score of the k-th hit (`None` if fewer than k documents match).
    pub kth_score: Option<f32>,
    /// `kth_score - score` when the document is below the cut-off, else 0.
    pub gap: f32,
    /// Documents scoring above 0.
    pub matching: usize,
}

impl RankInfo {
    /// The rank of `doc` in `scores`, relative to the top `k`.
    pub fn of(scores: &[f32], doc: u32, k: usize) -> Self {
        let kth_score = top_k(scores, k).get(k.saturating_sub(1)).map(|h| h.score);
        Self::with_known(scores, doc, k, kth_score, matching(scores))
    }

    /// [`Self::of`] when the k-th score and the number of matching documents are known
    /// already (one pass over `scores` instead of three).
    pub fn with_known(
        scores: &[f32],
        doc: u32,
        k: usize,
        kth_score: Option<f32>,
        matching: usize,
    ) -> Self {
        let score = scores.get(doc as usize).copied().unwrap_or(0.0);
        let rank = rank_of(scores, doc);
        let within = rank.is_some_and(|r| r <= k);
        let gap = match kth_score {
            Some(kth) if !within => kth - score,
            _ => 0.0,
        };
        Self {
            rank,
            score,
            k,
            kth_score,
            gap,
            matching,
        }
    }
}

/// One query term that the document shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpladeTermRow {
    pub id: u32,
    pub token: String,
    pub query_weight: f32,
    pub doc_weight: f32,
    /// `query_weight × doc_weight`.
    pub contribution: f32,
    /// `contribution / score`.
    pub share: f32,
    /// Whether the term is in the query's own tokens.
    pub query_kind: TermKind,
    /// Whether the term is in the document's own tokens (as the model saw them).
    pub doc_kind: TermKind,
    /// The query token (and word) whose logit gave the query weight.
    pub query_source: Option<Source>,
    /// The document token (and word) whose logit gave the document weight, when asked for
    /// ([`super::DocumentSources::attach`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_source: Option<Source>,
}

/// A query term the document lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingTerm {
    pub id: u32,
    pub token: String,
    pub query_weight: f32,
    pub query_kind: TermKind,
    /// The query token (and word) whose logit gave the query weight.
    pub query_source: Option<Source>,
}

/// Why a document has its SPLADE score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpladeExplanation {
    pub doc_id: String,
    pub rank: RankInfo,
    /// The score: the sum of the contributions (in term-id order).
    pub score: f32,
    /// Shared terms, largest contribution first.
    pub terms: Vec<SpladeTermRow>,
    /// The score grouped by the query word that produced each shared term, largest first.
    pub by_query_word: Vec<WordContribution>,
    /// Query terms the document lacks, heaviest first.
    pub missing: Vec<MissingTerm>,
}

/// Explains document `doc`'s SPLADE score for an encoded query (`query_text` encoded, its
/// vector possibly edited), at `rank` among all documents ([`RankInfo::of`] the query's
/// SPLADE scores).
pub fn explain_splade(
    index: &Index,
    encoder: &SparseEncoder,
    query_text: &str,
    query: &Encoded,
    rank: RankInfo,
    doc: u32,
) -> Result<SpladeExplanation> {
    explain_splade_edited(index, encoder, query_text, query, rank, doc, &|_, w| w)
}

/// [`explain_splade`] of the document with its weights edited: `doc_weight(id, w)` is
/// the weight term `id` (stored weight `w`) takes in the document (what-if systems,
/// [`super::what_if`]).
pub fn explain_splade_edited(
    index: &Index,
    encoder: &SparseEncoder,
    query_text: &str,
    query: &Encoded,
    rank: RankInfo,
    doc: u32,
    doc_weight: &dyn Fn(u32, f32) -> f32,
) -> Result<SpladeExplanation> {
    let input = encoder.input_text(query_text, query)?;
    let stored = index.doc(doc)?;
    let mut vector = index.vector(doc)?;
    for (id, w) in vector.ids.iter().zip(vector.weights.iter_mut()) {
        *w = doc_weight(*id, *w);
    }
    let doc_text = stored.indexed_text();
    let max_length = index.manifest().model.max_length;
    let doc_tokens: HashSet<u32> = encoder
        .token_ids(&doc_text, max_length)?
        .into_iter()
        .collect();
    let query_tokens: HashSet<u32> = query.token_ids.iter().copied().collect();
    let kind = |set: &HashSet<u32>, id: u32| TermKind::of(set.contains(&id));
    let mut score = 0.0f32;
    let mut terms = Vec::new();
    let mut missing = Vec::new();
    for (id, qw) in query.vector.iter() {
        let dw = vector.get(id);
        if dw > 0.0 {
            let contribution = qw * dw;
            score += contribution;
            terms.push(SpladeTermRow {
                id,
                token: encoder.token(id).to_string(),
                query_weight: qw,
                doc_weight: dw,
                contribution,
                share: 0.0,
                query_kind: kind(&query_tokens, id),
                doc_kind: kind(&doc_tokens, id),
                query_source: input.source(query, id),
                doc_source: None,
            });
        } else {
            missing.push(MissingTerm {
                id,
                token: encoder.token(id).to_string(),
                query_weight: qw,
                query_kind: kind(&query_tokens, id),
                query_source: input.source(query, id),
            });
        }
    }
    for t in &mut terms {
        t.share = if score > 0.0 {
            t.contribution / score
        } else {
            0.0
        };
    }
    terms.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(a.id.cmp(&b.id))
    });
    missing.sort_by(|a, b| {
        b.query_weight
            .total_cmp(&a.query_weight)
            .then(a.id.cmp(&b.id))
    });
    let parts: Vec<(u32, String, f32)> = terms
        .iter()
        .map(|t| (t.id, t.token.clone(), t.contribution))
        .collect();
    Ok(SpladeExplanation {
        doc_id: stored.id.to_string(),
        rank,
        score,
        by_query_word: input.by_word(query, &parts, score),
        terms,
        missing,
    })
}

/// One query term's part of a BM25 score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bm25TermRow {
    /// The analyzed (stemmed) term.
    pub term: String,
    /// Its factors (tf, qtf, df, idf, dl, avgdl, …) and its score.
    #[serde(flatten)]
    pub parts: TermScoreExplanation,
    /// `score / document score`.
    pub share: f32,
}

/// An analyzed query term the document lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bm25Missing {
    pub term: String,
    pub qtf: u32,
    /// Documents containing the term (0 if no document does).
    pub df: u64,
}

/// Why a document has its BM25 score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bm25Explanation {
    pub doc_id: String,
    pub rank: RankInfo,
    pub score: f32,
    /// Matching terms, largest contribution first.
    pub terms: Vec<Bm25TermRow>,
    /// Query terms the document lacks, rarest first.
    pub missing: Vec<Bm25Missing>,
}

/// Explains document `doc`'s BM25 score for the analysed query, at `rank` among all
/// documents ([`RankInfo::of`] the query's BM25 scores).
pub fn explain_bm25(
    index: &Index,
    terms: &[QueryTerm],
    rank: RankInfo,
    doc: u32,
) -> Result<Bm25Explanation> {
    let stored = index.doc(doc)?;
    let dict = index.bm25_terms();
    let scorer = index.bm25_scorer();
    let mut sum = 0.0f64;
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for qt in terms {
        let found = match dict.find(&qt.term) {
            Some(n) => {
                let df = index.bm25_postings().df(n) as u64;
                match index.bm25_postings().tf(n, doc)? {
                    Some(tf) => {
                        Some(scorer.explain(tf, qt.qtf, df, dict.doc_count, index.norm(doc)))
                    }
                    None => {
                        missing.push(Bm25Missing {
                            term: qt.term.clone(),
                            qtf: qt.qtf,
                            df,
                        });
                        None
                    }
                }
            }
            None => {
                missing.push(Bm25Missing {
                    term: qt.term.clone(),
                    qtf: qt.qtf,
                    df: 0,
                });
                None
            }
        };
        if let Some(parts) = found {
            sum += f64::from(parts.score);
            rows.push(Bm25TermRow {
                term: qt.term.clone(),
                parts,
                share: 0.0,
            });
        }
    }
    let score = sum as f32;
    for t in &mut rows {
        t.share = if score > 0.0 {
            t.parts.score / score
        } else {
            0.0
        };
    }
    rows.sort_by(|a, b| {
        b.parts
            .score
            .total_cmp(&a.parts.score)
            .then(a.term.cmp(&b.term))
    });
    missing.sort_by(|a, b| a.df.cmp(&b.df).then(a.term.cmp(&b.term)));
    Ok(Bm25Explanation {
        doc_id: stored.id.to_string(),
        rank,
        score,
        terms: rows,
        missing,
    })
}
