//! Fusing two systems' rankings (hybrid retrieval).
//!
//! Each component contributes its hits (its top `depth`). For a document `d` of the union:
//!
//! ```text
//! RRF:     fused(d) = 1/(k + rank_A(d)) + 1/(k + rank_B(d))      (a missing term is 0)
//! linear:  fused(d) = α · n_A(d) + (1 − α) · n_B(d)
//!          min–max  n(d) = (s(d) − min) / (max − min)   (1 when max = min)
//!          z-score  n(d) = (s(d) − mean) / σ            (σ over the hits, population; 0 when σ = 0)
//!          a document missing from a component gets that component's lowest n (as Pyserini's
//!          hybrid search does), 0 when the component has no hits
//! ```
//!
//! summed in `f64`, A's part first; the sum is the fused score exactly. Ties rank by main-index
//! document number, documents outside the index last by id.

use std::collections::HashMap;

use super::explain::{FusionExplanation, FusionPart};
use super::ranking::{Ranked, Ranking};
use super::spec::{Fusion, Normalization};

/// One component's view of the union: rank, score, normalised score, contribution.
#[derive(Debug, Clone, Copy, Default)]
struct Part {
    rank: Option<usize>,
    score: Option<f64>,
    normalized: Option<f64>,
    weight: f64,
    contribution: f64,
}

/// Per component: `id → (rank, score)`, and the normaliser.
struct Component<'a> {
    positions: HashMap<&'a str, (usize, f64)>,
    normalize: Box<dyn Fn(f64) -> f64>,
    lowest: f64,
    weight: f64,
}

impl<'a> Component<'a> {
    fn new(ranking: &'a Ranking, fusion: Fusion, weight: f64) -> Self {
        let positions = ranking
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), (i + 1, h.score)))
            .collect();
        let scores: Vec<f64> = ranking.hits.iter().map(|h| h.score).collect();
        let normalize: Box<dyn Fn(f64) -> f64> = match fusion {
            Fusion::Rrf { .. } => Box::new(|s| s),
            Fusion::Linear {
                normalization: Normalization::MinMax,
                ..
            } => {
                let min = scores.iter().copied().fold(f64::INFINITY, f64::min);
                let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                Box::new(move |s| {
                    if max > min {
                        (s - min) / (max - min)
                    } else {
                        1.0
                    }
                })
            }
            Fusion::Linear {
                normalization: Normalization::ZScore,
                ..
            } => {
                let n = scores.len().max(1) as f64;
                let mean = scores.iter().sum::<f64>() / n;
                let var = scores.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / n;
                let sd = var.sqrt();
                Box::new(move |s| if sd > 0.0 { (s - mean) / sd } else { 0.0 })
            }
        };
        let lowest = scores
            .iter()
            .map(|&s| normalize(s))
            .fold(f64::INFINITY, f64::min);
        Self {
            positions,
            normalize,
            lowest: if lowest.is_finite() { lowest } else { 0.0 },
            weight,
        }
    }

    fn part(&self, id: &str, fusion: Fusion) -> Part {
        let found = self.positions.get(id).copied();
        match fusion {
            Fusion::Rrf { k } => Part {
                rank: found.map(|p| p.0),
                score: found.map(|p| p.1),
                normalized: None,
                weight: 1.0,
                contribution: found.map_or(0.0, |(rank, _)| 1.0 / (k + rank as f64)),
            },
            Fusion::Linear { .. } => {
                let normalized = found.map_or(self.lowest, |(_, s)| (self.normalize)(s));
                Part {
                    rank: found.map(|p| p.0),
                    score: found.map(|p| p.1),
                    normalized: Some(normalized),
                    weight: self.weight,
                    contribution: self.weight * normalized,
                }
            }
        }
    }
}

fn weights(fusion: Fusion) -> (f64, f64) {
    match fusion {
        Fusion::Rrf { .. } => (1.0, 1.0),
        Fusion::Linear { alpha, .. } => (alpha, 1.0 - alpha),
    }
}

/// The fused ranking of `a` and `b`; `hits` keeps `depth`.
pub fn fuse(fusion: Fusion, a: &Ranking, b: &Ranking, depth: usize) -> Ranking {
    if !a.has_query && !b.has_query {
        return Ranking::absent();
    }
    let (wa, wb) = weights(fusion);
    let (ca, cb) = (Component::new(a, fusion, wa), Component::new(b, fusion, wb));
    let mut seen = std::collections::HashSet::new();
    let mut list: Vec<Ranked> = Vec::new();
    for h in a.hits.iter().chain(&b.hits) {
        if !seen.insert(h.id.as_str()) {
            continue;
        }
        let score = ca.part(&h.id, fusion).contribution + cb.part(&h.id, fusion).contribution;
        list.push(Ranked {
            doc: h.doc,
            id: h.id.clone(),
            score,
        });
    }
    list.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| match (x.doc, y.doc) {
                (Some(p), Some(q)) => p.cmp(&q),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => x.id.cmp(&y.id),
            })
    });
    Ranking::from_list(list, depth)
}

/// Why document `id` (main number `doc`) has its fused score; `fused` is [`fuse`]'s result.
pub fn explain(
    fusion: Fusion,
    names: [&str; 2],
    components: [&Ranking; 2],
    fused: &Ranking,
    doc: Option<u32>,
    id: &str,
    k: usize,
) -> FusionExplanation {
    let (wa, wb) = weights(fusion);
    let parts = [
        Component::new(components[0], fusion, wa).part(id, fusion),
        Component::new(components[1], fusion, wb).part(id, fusion),
    ];
    let total = parts[0].contribution + parts[1].contribution;
    FusionExplanation {
        doc_id: id.to_string(),
        fusion,
        position: fused.position(doc, id, k),
        parts: parts
            .iter()
            .zip(names)
            .map(|(p, name)| FusionPart {
                system: name.to_string(),
                rank: p.rank,
                score: p.score,
                normalized: p.normalized,
                weight: p.weight,
                contribution: p.contribution,
                share: if total != 0.0 {
                    p.contribution / total
                } else {
                    0.0
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[(u32, f64)]) -> Ranking {
        Ranking::from_list(
            items
                .iter()
                .map(|&(d, score)| Ranked {
                    doc: Some(d),
                    id: format!("d{d}"),
                    score,
                })
                .collect(),
            100,
        )
    }

    #[test]
    fn rrf_sums_reciprocal_ranks() {
        let a = list(&[(1, 9.0), (2, 8.0), (3, 7.0)]);
        let b = list(&[(3, 0.9), (4, 0.8)]);
        let f = fuse(Fusion::Rrf { k: 60.0 }, &a, &b, 10);
        let got: Vec<(&str, f64)> = f.hits.iter().map(|h| (h.id.as_str(), h.score)).collect();
        let r = |rank: f64| 1.0 / (60.0 + rank);
        assert_eq!(
            got,
            [
                ("d3", r(3.0) + r(1.0)),
                ("d1", r(1.0)),
                ("d2", r(2.0)),
                ("d4", r(2.0))
            ]
        );
        let x = explain(
            Fusion::Rrf { k: 60.0 },
            ["a", "b"],
            [&a, &b],
            &f,
            Some(3),
            "d3",
            10,
        );
        assert_eq!(
            x.parts[0].contribution + x.parts[1].contribution,
            f.hits[0].score
        );
        assert_eq!(x.position.rank, Some(1));
    }

    #[test]
    fn linear_min_max_gives_missing_documents_the_lowest() {
        let a = list(&[(1, 10.0), (2, 6.0), (3, 2.0)]);
        let b = list(&[(2, 0.5), (4, 0.25)]);
        let fusion = Fusion::Linear {
            alpha: 0.25,
            normalization: Normalization::MinMax,
        };
        let f = fuse(fusion, &a, &b, 10);
        let score = |id: &str| f.hits.iter().find(|h| h.id == id).unwrap().score;
        assert_eq!(score("d1"), 0.25 * 1.0 + 0.75 * 0.0);
        assert_eq!(score("d2"), 0.25 * 0.5 + 0.75 * 1.0);
        assert_eq!(score("d4"), 0.25 * 0.0 + 0.75 * 0.0);
        let z = fuse(
            Fusion::Linear {
                alpha: 0.5,
                normalization: Normalization::ZScore,
            },
            &a,
            &b,
            10,
        );
        // z-scores of a: (10, 6, 2) → (1.2247…, 0, −1.2247…); d4 missing from a gets the lowest.
        let z4 = z.hits.iter().find(|h| h.id == "d4").unwrap().score;
        let sd = (32.0f64 / 3.0).sqrt();
        assert!((z4 - (-0.5 * (4.0 / sd) - 0.5)).abs() < 1e-12, "{z4}");
    }
}
