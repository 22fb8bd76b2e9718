//! Two SPLADE explanations side by side, term by term: one document under two checkpoints
//! ("why did it move?"), or two documents under one query ("why does this one win?").
//!
//! Each side is a query vector `q`, a document vector `d` and the explanation of their dot
//! product. Terms are aligned by token string (two checkpoints may number their vocabulary
//! differently). For every term that contributes on either side:
//!
//! ```text
//! contribution = q[t] · d[t]        (per side, the explanation's own numbers)
//! delta        = contribution_b − contribution_a
//! ```
//!
//! and both weights are shown on both sides, also where a side's contribution is 0, so a
//! change is visible as query-side (`q` moved) or document-side (`d` moved). Rows come
//! largest `|delta|` first; the deltas add up to the score difference (up to float
//! rounding).

use std::collections::HashMap;

use serde::Serialize;

use super::explain::{SpladeExplanation, SpladeTermRow};
use crate::encoder::Source;
use crate::sparse::SparseVector;

/// One side to compare: an explanation and the vectors it explains.
pub struct Side<'a> {
    pub explanation: &'a SpladeExplanation,
    /// The query vector searched (edits applied).
    pub query: &'a SparseVector,
    /// The document's stored vector.
    pub doc: &'a SparseVector,
    /// Token string of a term id of this side's vocabulary.
    pub token: &'a dyn Fn(u32) -> String,
}

/// A term's weights and contribution on one side.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TermPart {
    pub query_weight: f32,
    pub doc_weight: f32,
    /// `query_weight × doc_weight` (0 when either is).
    pub contribution: f32,
    /// Where the query weight came from (when the term contributes on this side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_source: Option<Source>,
    /// Where the document weight came from (when known and the term contributes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_source: Option<Source>,
}

impl TermPart {
    /// `1.20×1.90=2.280`, or `0.00×1.90` where the term does not contribute.
    pub fn product(&self) -> String {
        if self.contribution > 0.0 {
            format!(
                "{:.2}×{:.2}={:.3}",
                self.query_weight, self.doc_weight, self.contribution
            )
        } else {
            format!("{:.2}×{:.2}", self.query_weight, self.doc_weight)
        }
    }

    /// The document word behind the weight of `token`: `—` where it does not contribute,
    /// `·` where the word is the term itself, `?` where the sources are unknown.
    pub fn word(&self, token: &str) -> String {
        match (&self.doc_source, self.contribution > 0.0) {
            (_, false) => "—".into(),
            (Some(s), true) => s
                .other_word(token)
                .map_or("·".into(), |w| crate::display::visible(w).into_owned()),
            (None, true) => "?".into(),
        }
    }
}

/// One term on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermChange {
    pub token: String,
    pub a: TermPart,
    pub b: TermPart,
    /// `b.contribution − a.contribution`.
    pub delta: f32,
}

/// Two explanations side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpladeComparison {
    pub a: SpladeExplanation,
    pub b: SpladeExplanation,
    /// `b.score − a.score`.
    pub score_delta: f32,
    /// Every term contributing on either side, largest `|delta|` first.
    pub terms: Vec<TermChange>,
}

/// An explanation's shared terms by token.
fn rows(x: &SpladeExplanation) -> HashMap<&str, &SpladeTermRow> {
    x.terms.iter().map(|t| (t.token.as_str(), t)).collect()
}

/// Compares two sides term by term.
pub fn compare(a: Side<'_>, b: Side<'_>) -> SpladeComparison {
    let weights = |s: &Side<'_>| -> HashMap<String, (f32, f32)> {
        let mut m: HashMap<String, (f32, f32)> = HashMap::new();
        for (id, w) in s.query.iter() {
            m.entry((s.token)(id)).or_default().0 = w;
        }
        for (id, w) in s.doc.iter() {
            m.entry((s.token)(id)).or_default().1 = w;
        }
        m
    };
    let (wa, wb) = (weights(&a), weights(&b));
    let (ra, rb) = (rows(a.explanation), rows(b.explanation));
    let part = |weights: &HashMap<String, (f32, f32)>,
                rows: &HashMap<&str, &SpladeTermRow>,
                token: &str| {
        let (q, d) = weights.get(token).copied().unwrap_or_default();
        let row = rows.get(token);
        TermPart {
            query_weight: q,
            doc_weight: d,
            contribution: row.map_or(0.0, |r| r.contribution),
            query_source: row.and_then(|r| r.query_source.clone()),
            doc_source: row.and_then(|r| r.doc_source.clone()),
        }
    };
    let mut tokens: Vec<&str> = ra.keys().chain(rb.keys()).copied().collect();
    tokens.sort_unstable();
    tokens.dedup();
    let mut terms: Vec<TermChange> = tokens
        .into_iter()
        .map(|token| {
            let pa = part(&wa, &ra, token);
            let pb = part(&wb, &rb, token);
            TermChange {
                token: token.to_string(),
                delta: pb.contribution - pa.contribution,
                a: pa,
                b: pb,
            }
        })
        .collect();
    terms.sort_by(|x, y| {
        y.delta
            .abs()
            .total_cmp(&x.delta.abs())
            .then_with(|| x.token.cmp(&y.token))
    });
    SpladeComparison {
        score_delta: b.explanation.score - a.explanation.score,
        a: a.explanation.clone(),
        b: b.explanation.clone(),
        terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::TermKind;
    use crate::search::explain::RankInfo;

    fn explanation(
        q: &SparseVector,
        d: &SparseVector,
        token: &dyn Fn(u32) -> String,
    ) -> SpladeExplanation {
        let mut terms = Vec::new();
        let mut score = 0.0;
        for (id, qw) in q.iter() {
            let dw = d.get(id);
            if dw > 0.0 {
                score += qw * dw;
                terms.push(SpladeTermRow {
                    id,
                    token: token(id),
                    query_weight: qw,
                    doc_weight: dw,
                    contribution: qw * dw,
                    share: 0.0,
                    query_kind: TermKind::Input,
                    doc_kind: TermKind::Input,
                    query_source: None,
                    doc_source: None,
                });
            }
        }
        SpladeExplanation {
            doc_id: "d".into(),
            rank: RankInfo {
                rank: Some(1),
                score,
                k: 10,
                kth_score: None,
                gap: 0.0,
                matching: 1,
            },
            score,
            terms,
            by_query_word: Vec::new(),
            missing: Vec::new(),
        }
    }

    #[test]
    fn terms_align_by_token_and_deltas_add_up() {
        // Side A numbers its vocabulary 0.., side B the same tokens shifted by 100.
        let names = ["cat", "dog", "fish", "bird"];
        let ta = |id: u32| names[id as usize].to_string();
        let tb = |id: u32| names[(id - 100) as usize].to_string();
        let qa = SparseVector::from_pairs(vec![(0, 1.0), (1, 2.0), (2, 0.5)]);
        let da = SparseVector::from_pairs(vec![(0, 1.5), (1, 1.0), (3, 2.0)]);
        let qb = SparseVector::from_pairs(vec![(100, 1.0), (102, 0.5), (103, 1.0)]);
        let db = SparseVector::from_pairs(vec![(100, 1.5), (101, 3.0), (102, 2.0), (103, 2.0)]);
        let (ea, eb) = (explanation(&qa, &da, &ta), explanation(&qb, &db, &tb));
        let c = compare(
            Side {
                explanation: &ea,
                query: &qa,
                doc: &da,
                token: &ta,
            },
            Side {
                explanation: &eb,
                query: &qb,
                doc: &db,
                token: &tb,
            },
        );
        let got: Vec<(&str, f32)> = c
            .terms
            .iter()
            .map(|t| (t.token.as_str(), t.delta))
            .collect();
        // dog: 2.0 → 0 (query-side: B's query lacks it though the document has it at 3.0);
        // bird: 0 → 2.0 (B's query gained it); fish: 0 → 1.0 (B's document gained it);
        // cat unchanged.
        assert_eq!(
            got,
            vec![("bird", 2.0), ("dog", -2.0), ("fish", 1.0), ("cat", 0.0)]
        );
        let dog = &c.terms[1];
        assert_eq!((dog.a.query_weight, dog.a.doc_weight), (2.0, 1.0));
        assert_eq!(
            (dog.b.query_weight, dog.b.doc_weight, dog.b.contribution),
            (0.0, 3.0, 0.0)
        );
        let fish = &c.terms[2];
        assert_eq!((fish.a.query_weight, fish.a.doc_weight), (0.5, 0.0));
        let sum: f32 = c.terms.iter().map(|t| t.delta).sum();
        assert!((sum - c.score_delta).abs() < 1e-6);
        assert_eq!(c.score_delta, eb.score - ea.score);
    }
}
