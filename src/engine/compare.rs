//! The second checkpoint's view of a query, and rank correlation of two top-k lists.

use std::collections::{HashMap, HashSet};

use super::{ranks_in, CompareView, Engine, ListView, TermDiff};
use crate::system::{Prepared, Rankings};

impl Engine {
    /// B's view of the query against A as searched (edits included, so the term diff, the
    /// lists, overlap and τ agree): `a` is A's SPLADE list and `b` B's, as deep.
    pub(super) fn compare_view(
        &self,
        prepared: &Prepared,
        rankings: &Rankings,
        a: ListView,
        b: ListView,
        a_edited: bool,
    ) -> Option<CompareView> {
        let p = &self.pipeline;
        let (Some(second), Some(encoded), Some(edited)) =
            (&p.b, &prepared.encoded_b, &prepared.edited)
        else {
            return None;
        };
        let a_encoder = self.encoder();
        let mut tokens: HashMap<String, (f32, f32)> = HashMap::new();
        for (id, w) in edited.iter() {
            tokens.entry(a_encoder.token(id).to_string()).or_default().0 = w;
        }
        for (id, w) in encoded.vector.iter() {
            tokens
                .entry(second.encoder.token(id).to_string())
                .or_default()
                .1 = w;
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
        let (a_ranking, b_ranking) = (rankings.get(p, a.system), rankings.get(p, b.system));
        let (in_b, in_a) = (ranks_in(b_ranking, &a.hits), ranks_in(a_ranking, &b.hits));
        let mut hits_a = a.hits;
        for (h, rank) in hits_a.iter_mut().zip(in_b) {
            h.other_rank = rank;
            h.base_rank = None;
        }
        let mut hits_b = b.hits;
        for (h, rank) in hits_b.iter_mut().zip(in_a) {
            h.other_rank = rank;
        }
        let b_ids: HashSet<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let overlap = hits_a
            .iter()
            .filter(|h| b_ids.contains(h.id.as_str()))
            .count();
        let a_ids: Vec<&str> = hits_a.iter().map(|h| h.id.as_str()).collect();
        let b_list: Vec<&str> = hits_b.iter().map(|h| h.id.as_str()).collect();
        let kendall_tau = kendall_tau_topk(&a_ids, &b_list);
        Some(CompareView {
            model_a: self.index().manifest().model.id.clone(),
            model_b: second.index.manifest().model.id.clone(),
            a_edited,
            terms,
            hits_a,
            hits_b,
            overlap,
            kendall_tau,
            encode_b: prepared.encode_b_time,
            search_b: b.time,
        })
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
