//! Every document's score under an engine profile (exhaustive: every posting of every kept
//! query token is read).
//!
//! A document's engine score is `Σ_t q'[t] · stored(d[t])` over the engine query's tokens
//! ([`EngineQuery`]), each product in `f32`, added as the engine adds ([`Accumulate`]).
//! OpenSearch's two-phase search is scored as OpenSearch runs it: phase 1 (the heavy
//! tokens) ranks every document; the best `⌊k · expansion_rate⌋` (ties by document number)
//! then get `f32(phase 1) + f32(phase 2)` (`QueryRescorer`, `QueryRescoreMode.Total`); the
//! others keep their phase-1 score, and a document with no heavy token scores 0 (not
//! returned).

use super::codec::TermCodec;
use super::query::{EngineQuery, Phase};
use super::{Accumulate, Profile, ProfileStats};
use crate::index::blocks::{partition_point, TermInfo, BLOCK};
use crate::index::{Index, Result};
use crate::search::for_each_part;
use crate::search::splade::MIN_DOCUMENTS_PER_THREAD;

/// The engine score of every document for `query`; `depth` is the number of hits asked
/// for (OpenSearch's two-phase window is `depth · expansion_rate`); on up to `threads`
/// threads (document ranges, as [`crate::search::splade_scores_parallel`]: the same
/// scores).
pub fn profile_scores(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    depth: usize,
    threads: usize,
) -> Result<Vec<f32>> {
    let mut scores = phase_scores(index, profile, stats, query, Phase::One, threads)?;
    if let Some(window) = window_size(profile, query, depth) {
        let second = phase_scores(index, profile, stats, query, Phase::Two, threads)?;
        for hit in crate::search::top_k(&scores, window) {
            let d = hit.doc as usize;
            scores[d] += second[d];
        }
    }
    Ok(scores)
}

/// OpenSearch two-phase's rescored window for `depth` hits, when the query has light
/// tokens (OpenSearch refuses a window above `max_window`, [`Profile::refuses`]).
fn window_size(profile: &Profile, query: &EngineQuery, depth: usize) -> Option<usize> {
    match profile {
        Profile::OpenSearch { two_phase: Some(t) } if query.has_second_phase() => {
            let window = ((depth.max(1) as f32) * t.expansion_rate) as usize;
            Some(window.min(t.max_window))
        }
        _ => None,
    }
}

/// The documents OpenSearch two-phase rescores for `depth` hits (`None`: no second phase).
pub fn rescored_window(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    depth: usize,
    threads: usize,
) -> Result<Option<std::collections::HashSet<u32>>> {
    let Some(window) = window_size(profile, query, depth) else {
        return Ok(None);
    };
    let first = phase_scores(index, profile, stats, query, Phase::One, threads)?;
    Ok(Some(
        crate::search::top_k(&first, window)
            .into_iter()
            .map(|h| h.doc)
            .collect(),
    ))
}

/// A query token's postings and how the engine reads their weights.
struct Term {
    info: TermInfo,
    weight: f32,
    codec: TermCodec,
}

/// The scores of the tokens scored in `phase` alone.
fn phase_scores(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    phase: Phase,
    threads: usize,
) -> Result<Vec<f32>> {
    let terms = query
        .scored(phase)
        .map(|(t, weight)| {
            Ok(Term {
                info: index.splade().term(t as usize),
                weight,
                codec: TermCodec::for_term(profile, stats, index, t)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let n = index.len();
    let parts = threads.min(n / MIN_DOCUMENTS_PER_THREAD).max(1);
    match profile.accumulate() {
        Accumulate::Double => {
            let mut acc = vec![0.0f64; n];
            for_each_part(&mut acc, parts, |lo, part| {
                add_part(index, &terms, lo, part, |a, s| *a += f64::from(s))
            })?;
            Ok(acc.into_iter().map(|s| s as f32).collect())
        }
        Accumulate::Single => {
            let mut acc = vec![0.0f32; n];
            for_each_part(&mut acc, parts, |lo, part| {
                add_part(index, &terms, lo, part, |a, s| *a += s)
            })?;
            Ok(acc)
        }
        Accumulate::Wrapping16 => {
            let mut acc = vec![0u16; n];
            for_each_part(&mut acc, parts, |lo, part| {
                add_part(index, &terms, lo, part, |a, s| {
                    *a = a.wrapping_add(s as u16)
                })
            })?;
            Ok(acc.into_iter().map(f32::from).collect())
        }
    }
}

/// Adds every posting of the documents `lo..lo + acc.len()` into `acc` (indexed from
/// `lo`), term after term: `add(slot, q' · stored(w))`.
fn add_part<A>(
    index: &Index,
    terms: &[Term],
    lo: usize,
    acc: &mut [A],
    add: impl Fn(&mut A, f32),
) -> Result<()> {
    let hi = lo + acc.len();
    let postings = index.splade();
    let mut docs = [0u32; BLOCK];
    for term in terms {
        let t = &term.info;
        let weights = postings.weight_bytes(t);
        let first = if lo == 0 {
            0
        } else {
            partition_point(t.blocks, |b| (postings.block(t, b).last_doc as usize) < lo)
        };
        for b in first..t.blocks {
            let n = postings.decode(t, b, &mut docs, None)?;
            let w = &weights[b * BLOCK * 4..][..n * 4];
            for (&d, w) in docs[..n].iter().zip(w.chunks_exact(4)) {
                if let Some(slot) = acc.get_mut((d as usize).wrapping_sub(lo)) {
                    let w = f32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    add(slot, term.weight * term.codec.stored(w));
                }
            }
            if docs[..n].last().is_some_and(|&d| d as usize >= hi) {
                break;
            }
        }
    }
    Ok(())
}
