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
use crate::index::{Index, Result};

/// The engine score of every document for `query`; `depth` is the number of hits asked
/// for (OpenSearch's two-phase window is `depth · expansion_rate`).
pub fn profile_scores(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    depth: usize,
) -> Result<Vec<f32>> {
    let mut scores = phase_scores(index, profile, stats, query, Phase::One)?;
    if let (Profile::OpenSearch { two_phase: Some(t) }, true) = (profile, query.has_second_phase())
    {
        let window = ((depth.max(1) as f32) * t.expansion_rate) as usize;
        let window = window.min(t.max_window);
        let second = phase_scores(index, profile, stats, query, Phase::Two)?;
        for hit in crate::search::top_k(&scores, window) {
            let d = hit.doc as usize;
            scores[d] += second[d];
        }
    }
    Ok(scores)
}

/// The scores of the tokens scored in `phase` alone.
fn phase_scores(
    index: &Index,
    profile: &Profile,
    stats: &ProfileStats,
    query: &EngineQuery,
    phase: Phase,
) -> Result<Vec<f32>> {
    let n = index.len();
    let (mut docs, mut weights) = (Vec::new(), Vec::new());
    let mut each_posting = |add: &mut dyn FnMut(usize, f32)| -> Result<()> {
        for (t, q) in query.scored(phase) {
            index
                .splade()
                .row_f32(t as usize, &mut docs, &mut weights)?;
            let codec = TermCodec::new(profile, stats, &weights);
            for (&d, &w) in docs.iter().zip(&weights) {
                add(d as usize, q * codec.stored(w));
            }
        }
        Ok(())
    };
    match profile.accumulate() {
        Accumulate::Double => {
            let mut acc = vec![0.0f64; n];
            each_posting(&mut |d, s| {
                if let Some(a) = acc.get_mut(d) {
                    *a += f64::from(s);
                }
            })?;
            Ok(acc.into_iter().map(|s| s as f32).collect())
        }
        Accumulate::Single => {
            let mut acc = vec![0.0f32; n];
            each_posting(&mut |d, s| {
                if let Some(a) = acc.get_mut(d) {
                    *a += s;
                }
            })?;
            Ok(acc)
        }
        Accumulate::Wrapping16 => {
            let mut acc = vec![0u16; n];
            each_posting(&mut |d, s| {
                if let Some(a) = acc.get_mut(d) {
                    *a = a.wrapping_add(s as u16);
                }
            })?;
            Ok(acc.into_iter().map(f32::from).collect())
        }
    }
}
