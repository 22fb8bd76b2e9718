//! The second checkpoint's view of a query, and rank correlation of two top-k lists.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::{hit_view, sort_parts, step, CompareView, Engine, HitView, Part, TermDiff};
use crate::search::contributions::splade_parts;
use crate::search::{rank_of, QueryEdits};
use crate::sparse::SparseVector;
use crate::system::{Leaf, Prepared, Rankings};

/// Checkpoint A's side of a comparison: the query as searched in Explore (with its edits).
pub(super) struct ASide<'a> {
    /// The searched vector (the edits applied).
    pub edited: &'a SparseVector,
    /// Colour slot of each of A's query terms, by vocabulary id.
    pub slots: &'a HashMap<u32, usize>,
    pub edits: &'a QueryEdits,
    pub scores: &'a [f32],
    pub hits: &'a [HitView],
}

impl Engine {
    /// B's view of the query against A as searched (edits included, so the term diff, the
    /// lists, overlap and τ agree), its list as deep as A's; `grade` marks B's relevant
    /// hits.
    pub(super) fn compare_view(
        &self,
        prepared: &Prepared,
        rankings: &Rankings,
        a: &ASide,
        grade: &dyn Fn(&str) -> Option<i64>,
    ) -> step::Result<Option<CompareView>> {
        let (a_scores, a_hits) = (a.scores, a.hits);
        let (Some(b), Some(encoded), Some(ranking)) = (
            &self.pipeline.b,
            &prepared.encoded_b,
            rankings.leaf(&Leaf::SpladeB),
        ) else {
            return Ok(None);
        };
        let search_b = rankings
            .leaf_timed(&Leaf::SpladeB)
            .map_or(Duration::ZERO, |r| r.1);
        let a_encoder = self.encoder();
        let mut tokens: HashMap<String, (f32, f32)> = HashMap::new();
        for (id, w) in a.edited.iter() {
            tokens.entry(a_encoder.token(id).to_string()).or_default().0 = w;
        }
        for (id, w) in encoded.vector.iter() {
            tokens.entry(b.encoder.token(id).to_string()).or_default().1 = w;
        }
        let mut terms: Vec<TermDiff> = tokens
            .into_iter()
            .map(|(token, (a, b))| TermDiff { token, a, b })
            .collect();
        terms.sort_by(|x, y| {
            y.a.max(y.b)
                .total_cmp(&x.a.max(x.b))
                .then_with(|| x.token.cmp(&y.token))
        });
        // B's parts take the colour of the same token in A's query.
        let a_slots: HashMap<&str, usize> = a
            .slots
            .iter()
            .map(|(&id, &slot)| (a_encoder.token(id), slot))
            .collect();
        let b_docs: Vec<u32> = ranking
            .hits
            .iter()
            .map(|h| b.index.find(&h.id))
            .collect::<Result<_, _>>()?;
        let b_parts = splade_parts(&b.index, &encoded.vector, &b_docs)?;
        let mut hits_b = Vec::new();
        for ((h, &own), p) in ranking.hits.iter().zip(&b_docs).zip(b_parts) {
            let mut parts: Vec<Part> = p
                .into_iter()
                .map(|(t, v)| {
                    let label = b.encoder.token(t).to_string();
                    Part {
                        slot: a_slots.get(label.as_str()).copied(),
                        label,
                        value: v,
                    }
                })
                .collect();
            sort_parts(&mut parts);
            let mut hit = hit_view(&b.index, own, h.score as f32, parts)?;
            hit.other_rank = h.doc.and_then(|d| rank_of(a_scores, d));
            hit.grade = grade(&hit.id);
            hits_b.push(hit);
        }
        let a_in_b: Vec<Option<usize>> = a_hits.iter().map(|h| ranking.rank_of(h.doc)).collect();
        let b_ids: HashSet<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let overlap = a_hits
            .iter()
            .filter(|h| b_ids.contains(h.id.as_str()))
            .count();
        let a_ids: Vec<&str> = a_hits.iter().map(|h| h.id.as_str()).collect();
        let b_list: Vec<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let kendall_tau = kendall_tau_topk(&a_ids, &b_list);
        Ok(Some(CompareView {
            model_a: self.index().manifest().model.id.clone(),
            model_b: b.index.manifest().model.id.clone(),
            a_edited: !a.edits.is_empty(),
            terms,
            hits_b,
            a_in_b,
            overlap,
            kendall_tau,
            encode_b: prepared.encode_b_time,
            search_b,
        }))
    }
}

/// Kendall's τ-b between two top-k lists over their union; a document missing from a list
/// ranks k+1 there (ties among the missing).
pub fn kendall_tau_topk(a: &[&str], b: &[&str]) -> Option<f64> {
    let mut union: Vec<&str> = a.to_vec();
    for id in b {
        if !union.contains(id) {
            union.push(id);
        }
    }
    if union.len() < 2 {
        return None;
    }
    let rank = |list: &[&str], id: &str| {
        list.iter()
            .position(|x| *x == id)
            .map_or(list.len() + 1, |p| p + 1) as i64
    };
    let ra: Vec<i64> = union.iter().map(|id| rank(a, id)).collect();
    let rb: Vec<i64> = union.iter().map(|id| rank(b, id)).collect();
    let (mut concordant, mut discordant, mut ties_a, mut ties_b) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..union.len() {
        for j in i + 1..union.len() {
            let da = (ra[i] - ra[j]).signum();
            let db = (rb[i] - rb[j]).signum();
            match (da, db) {
                (0, 0) => {}
                (0, _) => ties_a += 1,
                (_, 0) => ties_b += 1,
                _ if da == db => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n1 = (concordant + discordant + ties_a) as f64;
    let n2 = (concordant + discordant + ties_b) as f64;
    (n1 > 0.0 && n2 > 0.0).then(|| (concordant - discordant) as f64 / (n1 * n2).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kendall_tau_of_equal_reversed_and_disjoint_lists() {
        assert_eq!(
            kendall_tau_topk(&["a", "b", "c"], &["a", "b", "c"]),
            Some(1.0)
        );
        assert_eq!(
            kendall_tau_topk(&["a", "b", "c"], &["c", "b", "a"]),
            Some(-1.0)
        );
        let t = kendall_tau_topk(&["a", "b"], &["c", "d"]).unwrap();
        assert!(t < 0.0, "{t}");
        assert_eq!(kendall_tau_topk(&["a"], &["a"]), None);
    }
}
