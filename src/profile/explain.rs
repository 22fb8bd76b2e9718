//! Why a document has its engine score: each shared query token's exact SPLADE part next to
//! the engine's, and the tokens the engine drops.
//!
//! The engine parts add up (as the engine adds, [`super::Accumulate`]) to the document's
//! engine score bit for bit; the exact parts add up (in `f32`, term-id order) to its exact
//! SPLADE score.

use std::collections::HashSet;

use serde::Serialize;

use super::codec::TermCodec;
use super::query::{EngineQuery, Phase};
use super::{Profile, ProfileStats};
use crate::encoder::SparseEncoder;
use crate::index::{Index, Result};
use crate::search::RankInfo;

/// One query token the document holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileTermRow {
    pub id: u32,
    pub token: String,
    /// Exact SPLADE weights and their product.
    pub query_weight: f32,
    pub doc_weight: f32,
    pub exact: f32,
    /// The engine's weights (`None`: the engine drops the token) and their product (0
    /// when dropped, or when the token waits for a second phase the document misses).
    pub engine_query_weight: Option<f32>,
    pub engine_doc_weight: f32,
    pub engine: f32,
    /// `engine − exact`.
    pub difference: f32,
    pub phase: Phase,
}

impl ProfileTermRow {
    /// The engine's query weight in words: `dropped`, `phase 2` (a light token of a
    /// document outside the rescored window), or `None` when it scored (then show the
    /// weight or the part).
    pub fn engine_note(&self, rescored: Option<bool>) -> Option<&'static str> {
        match (self.engine_query_weight, self.phase) {
            (None, _) => Some("dropped"),
            (Some(_), Phase::Two) if rescored == Some(false) => Some("phase 2"),
            _ => None,
        }
    }
}

/// A query token the engine drops (whether or not the document holds it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DroppedToken {
    pub id: u32,
    pub token: String,
    pub query_weight: f32,
}

/// Why a document has its score under an engine profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileExplanation {
    pub doc_id: String,
    /// The profile (`elasticsearch:prune:5:0.4`, …).
    pub profile: String,
    /// Rank and score under the profile.
    pub rank: RankInfo,
    /// The engine score: the engine parts added as the engine adds them.
    pub score: f32,
    /// The exact SPLADE score.
    pub exact_score: f32,
    /// `score − exact_score`.
    pub difference: f32,
    /// OpenSearch two-phase: whether the document was in the rescored window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescored: Option<bool>,
    /// Shared tokens, largest exact part first.
    pub terms: Vec<ProfileTermRow>,
    /// Tokens the engine drops, heaviest first.
    pub dropped: Vec<DroppedToken>,
}

/// One shared token's exact and engine parts, before names are attached.
struct Part {
    id: u32,
    exact_query: f32,
    doc: f32,
    engine_query: Option<f32>,
    engine_doc: f32,
    engine: f32,
    phase: Phase,
}

/// The document's shared tokens (term-id order), its engine score and whether it was
/// rescored (two-phase only: `window` is the rescored documents,
/// [`super::score::rescored_window`]).
fn engine_parts(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    doc: u32,
    window: Option<&HashSet<u32>>,
) -> Result<(Vec<Part>, f32, Option<bool>)> {
    let vector = index.vector(doc)?;
    let mut parts = Vec::new();
    for t in &query.terms {
        let d = vector.get(t.id);
        if d <= 0.0 {
            continue;
        }
        let engine_doc = TermCodec::for_term(profile, stats, index, t.id)?.stored(d);
        parts.push(Part {
            id: t.id,
            exact_query: t.exact,
            doc: d,
            engine_query: t.weight,
            engine_doc,
            engine: t.weight.map_or(0.0, |q| q * engine_doc),
            phase: t.phase,
        });
    }
    let sum = |phase: Phase| {
        profile
            .accumulate()
            .sum(parts.iter().filter(|p| p.phase == phase).map(|p| p.engine))
    };
    let first = sum(Phase::One);
    let Some(window) = window else {
        return Ok((parts, first, None));
    };
    let both = first + sum(Phase::Two);
    let rescored = window.contains(&doc);
    if !rescored {
        for p in parts.iter_mut().filter(|p| p.phase == Phase::Two) {
            p.engine = 0.0;
        }
        return Ok((parts, first, Some(false)));
    }
    Ok((parts, both, Some(true)))
}

/// Each shared token's engine part of document `doc`, in term-id order (`window`: the
/// documents two-phase rescores): the explorer's hit bars.
pub fn profile_parts(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    doc: u32,
    window: Option<&HashSet<u32>>,
) -> Result<Vec<(u32, f32)>> {
    let (parts, _, _) = engine_parts(index, profile, stats, query, doc, window)?;
    Ok(parts.into_iter().map(|p| (p.id, p.engine)).collect())
}

/// Explains document `doc`'s engine score; `rank` is its place in the profile's ranking,
/// `window` the documents two-phase rescores.
#[allow(clippy::too_many_arguments)]
pub fn explain_profile(
    index: &Index,
    encoder: &SparseEncoder,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    rank: RankInfo,
    doc: u32,
    window: Option<&HashSet<u32>>,
) -> Result<ProfileExplanation> {
    let (parts, score, rescored) = engine_parts(index, profile, stats, query, doc, window)?;
    let exact_score = parts.iter().fold(0.0f32, |a, p| a + p.exact_query * p.doc);
    let mut terms: Vec<ProfileTermRow> = parts
        .into_iter()
        .map(|p| {
            let exact = p.exact_query * p.doc;
            ProfileTermRow {
                id: p.id,
                token: encoder.token(p.id).to_string(),
                query_weight: p.exact_query,
                doc_weight: p.doc,
                exact,
                engine_query_weight: p.engine_query,
                engine_doc_weight: p.engine_doc,
                engine: p.engine,
                difference: p.engine - exact,
                phase: p.phase,
            }
        })
        .collect();
    let mut dropped: Vec<DroppedToken> = query
        .terms
        .iter()
        .filter(|t| t.weight.is_none())
        .map(|t| DroppedToken {
            id: t.id,
            token: encoder.token(t.id).to_string(),
            query_weight: t.exact,
        })
        .collect();
    terms.sort_by(|a, b| b.exact.total_cmp(&a.exact).then(a.id.cmp(&b.id)));
    dropped.sort_by(|a, b| {
        b.query_weight
            .total_cmp(&a.query_weight)
            .then(a.id.cmp(&b.id))
    });
    Ok(ProfileExplanation {
        doc_id: index.doc(doc)?.id.to_string(),
        profile: profile.to_string(),
        rank,
        score,
        exact_score,
        difference: score - exact_score,
        rescored,
        terms,
        dropped,
    })
}
