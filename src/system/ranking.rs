//! What a system returns for a query: its best hits, and where any document ranks.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::search::top_k;

/// One ranked document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Its number in the main index (`None`: a run's document the index lacks).
    #[serde(skip)]
    pub doc: Option<u32>,
    pub id: String,
    /// The number the system ranks by.
    #[serde(serialize_with = "serialize_score")]
    pub score: f64,
}

/// Writes a score as the shortest decimal that reads back to it, as an `f32` when it is
/// one (SPLADE, BM25 and dense scores are `f32`s: `0.3`, not `0.30000001192092896`).
pub fn serialize_score<S: Serializer>(score: &f64, s: S) -> Result<S::Ok, S::Error> {
    let narrow = *score as f32;
    if f64::from(narrow) == *score {
        s.serialize_f32(narrow)
    } else {
        s.serialize_f64(*score)
    }
}

/// How any document's rank is found.
#[derive(Debug, Clone)]
enum Lookup {
    /// Every document of the main index scored.
    Scores(Vec<f32>),
    /// Every document of another index scored; `to_own[d]` is main document `d` there.
    Mapped {
        scores: Vec<f32>,
        to_own: Arc<Vec<Option<u32>>>,
    },
    /// Only listed documents rank: `(rank, score)` by main document number.
    Listed(HashMap<u32, (usize, f64)>),
}

/// A system's answer to one query.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Best first, at most the depth asked for.
    pub hits: Vec<Ranked>,
    /// Documents the system ranks at all (score above 0 for index systems; the listed
    /// documents for runs and fusions).
    pub matching: usize,
    /// False when the system has nothing for this query (a run without it): shown as
    /// such, not as an empty list.
    pub has_query: bool,
    lookup: Lookup,
}

impl Ranking {
    /// The ranking of a score per main-index document (`> 0` ranks; ties by number);
    /// `id` names a document.
    pub fn from_scores(
        scores: Vec<f32>,
        depth: usize,
        id: &dyn Fn(u32) -> crate::index::Result<String>,
    ) -> crate::index::Result<Self> {
        let hits = top_hits(&scores, depth, &|d| Ok((Some(d), id(d)?)))?;
        Ok(Self {
            hits,
            matching: crate::search::matching(&scores),
            has_query: true,
            lookup: Lookup::Scores(scores),
        })
    }

    /// The ranking of a score per document of another index; `to_own[d]` is main document
    /// `d`'s number there, `to_main(o)` the reverse with the id.
    pub fn from_mapped_scores(
        scores: Vec<f32>,
        to_own: Arc<Vec<Option<u32>>>,
        depth: usize,
        to_main: &dyn Fn(u32) -> crate::index::Result<(Option<u32>, String)>,
    ) -> crate::index::Result<Self> {
        let hits = top_hits(&scores, depth, to_main)?;
        Ok(Self {
            hits,
            matching: crate::search::matching(&scores),
            has_query: true,
            lookup: Lookup::Mapped { scores, to_own },
        })
    }

    /// A ranking given as a list, best first (all of it ranks; `hits` keeps `depth`).
    pub fn from_list(mut list: Vec<Ranked>, depth: usize) -> Self {
        let ranks = list
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.doc.map(|d| (d, (i + 1, r.score))))
            .collect();
        let matching = list.len();
        list.truncate(depth);
        Self {
            hits: list,
            matching,
            has_query: true,
            lookup: Lookup::Listed(ranks),
        }
    }

    /// A system without results for the query.
    pub fn absent() -> Self {
        Self {
            hits: Vec::new(),
            matching: 0,
            has_query: false,
            lookup: Lookup::Listed(HashMap::new()),
        }
    }

    /// The 1-based rank of main document `doc`, `None` when the system does not rank it.
    pub fn rank_of(&self, doc: u32) -> Option<usize> {
        self.ranks_of(&[(Some(doc), "")])[0]
    }

    /// [`Self::rank_of`] of several main documents (`None`: not in the main index, looked up
    /// by id among the hits), with one pass over the scores for all of them.
    pub fn ranks_of(&self, docs: &[(Option<u32>, &str)]) -> Vec<Option<usize>> {
        let by_id = |id: &str| self.hits.iter().position(|h| h.id == id).map(|i| i + 1);
        let own: Vec<Option<u32>> = docs
            .iter()
            .map(|&(doc, _)| match &self.lookup {
                Lookup::Scores(_) => doc,
                Lookup::Mapped { to_own, .. } => {
                    doc.and_then(|d| to_own.get(d as usize).copied().flatten())
                }
                Lookup::Listed(_) => None,
            })
            .collect();
        let scored: Vec<u32> = own.iter().flatten().copied().collect();
        let mut ranks = match self.own_scores() {
            Some(scores) => crate::search::ranks_of(scores, &scored).into_iter(),
            None => Vec::new().into_iter(),
        };
        docs.iter()
            .zip(&own)
            .map(|(&(doc, id), own)| match (doc, &self.lookup, own) {
                (None, ..) => by_id(id),
                (Some(d), Lookup::Listed(listed), _) => listed.get(&d).map(|r| r.0),
                (Some(_), _, Some(_)) => ranks.next().flatten(),
                (Some(_), _, None) => None,
            })
            .collect()
    }

    /// Main document `doc`'s score, `None` when the system does not rank it.
    pub fn score_of(&self, doc: u32) -> Option<f64> {
        let positive = |s: f32| (s > 0.0).then_some(f64::from(s));
        match &self.lookup {
            Lookup::Scores(scores) => scores.get(doc as usize).copied().and_then(positive),
            Lookup::Mapped { scores, to_own } => to_own
                .get(doc as usize)
                .copied()
                .flatten()
                .and_then(|own| scores.get(own as usize).copied())
                .and_then(positive),
            Lookup::Listed(ranks) => ranks.get(&doc).map(|r| r.1),
        }
    }

    /// The scores of every main-index document, for systems that score them all.
    pub fn all_scores(&self) -> Option<&[f32]> {
        match &self.lookup {
            Lookup::Scores(scores) => Some(scores),
            _ => None,
        }
    }

    /// The scores of every document of the index the system searches (the main index or
    /// another one), for systems that score them all.
    pub fn own_scores(&self) -> Option<&[f32]> {
        match &self.lookup {
            Lookup::Scores(scores) | Lookup::Mapped { scores, .. } => Some(scores),
            Lookup::Listed(_) => None,
        }
    }

    /// Where a document ranks relative to the top `k` hits: main document `doc`, or for a
    /// document outside the index (`None`), the hit with this `id`.
    pub fn position(&self, doc: Option<u32>, id: &str, k: usize) -> Position {
        let (rank, score) = match doc {
            Some(d) => (self.rank_of(d), self.score_of(d)),
            None => self
                .hits
                .iter()
                .position(|h| h.id == id)
                .map_or((None, None), |i| (Some(i + 1), Some(self.hits[i].score))),
        };
        let kth_score = (k >= 1)
            .then(|| self.hits.get(k - 1))
            .flatten()
            .map(|h| h.score);
        let gap = match (rank, kth_score) {
            (Some(r), _) if r <= k => None,
            (_, Some(kth)) => Some(kth - score.unwrap_or(0.0)),
            _ => None,
        };
        Position {
            rank,
            score,
            k,
            kth_score,
            gap,
            matching: self.matching,
        }
    }
}

fn top_hits(
    scores: &[f32],
    depth: usize,
    name: &dyn Fn(u32) -> crate::index::Result<(Option<u32>, String)>,
) -> crate::index::Result<Vec<Ranked>> {
    top_k(scores, depth)
        .into_iter()
        .map(|h| {
            let (doc, id) = name(h.doc)?;
            Ok(Ranked {
                doc,
                id,
                score: f64::from(h.score),
            })
        })
        .collect()
}

/// Where a document ranks for a query, relative to a cut-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    /// 1-based rank, `None` when the system does not rank the document.
    pub rank: Option<usize>,
    #[serde(serialize_with = "serialize_opt_score")]
    pub score: Option<f64>,
    /// The cut-off.
    pub k: usize,
    /// Score of the k-th hit (`None` with fewer hits).
    #[serde(serialize_with = "serialize_opt_score")]
    pub kth_score: Option<f64>,
    /// How far below the k-th hit's score the document is (when outside the top k).
    #[serde(serialize_with = "serialize_opt_score")]
    pub gap: Option<f64>,
    /// Documents the system ranks.
    pub matching: usize,
}

fn serialize_opt_score<S: Serializer>(score: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match score {
        Some(v) => serialize_score(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_rank_every_document_lists_only_theirs() {
        let r =
            Ranking::from_scores(vec![0.0, 2.0, 1.0, 2.0], 2, &|d| Ok(format!("d{d}"))).unwrap();
        let ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["d1", "d3"]);
        assert_eq!((r.rank_of(2), r.rank_of(0), r.matching), (Some(3), None, 3));
        let p = r.position(Some(2), "d2", 2);
        assert_eq!((p.kth_score, p.gap), (Some(2.0), Some(1.0)));

        let listed = Ranking::from_list(
            vec![
                Ranked {
                    doc: Some(4),
                    id: "a".into(),
                    score: 0.5,
                },
                Ranked {
                    doc: None,
                    id: "x".into(),
                    score: 0.25,
                },
                Ranked {
                    doc: Some(1),
                    id: "b".into(),
                    score: 0.125,
                },
            ],
            1,
        );
        assert_eq!(listed.hits.len(), 1);
        assert_eq!(
            (listed.rank_of(1), listed.score_of(1), listed.matching),
            (Some(3), Some(0.125), 3)
        );
        assert_eq!(listed.rank_of(2), None);

        // All at once, as one at a time: main documents, outsiders by id, unknown ones.
        let mapped = Ranking::from_mapped_scores(
            vec![1.0, 3.0, 0.0],
            Arc::new(vec![Some(2), None, Some(0), Some(1)]),
            2,
            &|own| Ok(([Some(2), Some(3), None][own as usize], format!("o{own}"))),
        )
        .unwrap();
        let asked: [(Option<u32>, &str); 6] = [
            (Some(2), "d2"),
            (Some(0), "d0"),
            (Some(3), "d3"),
            (None, "x"),
            (None, "o1"),
            (Some(9), "d9"),
        ];
        for ranking in [&r, &listed, &mapped] {
            let one_by_one: Vec<_> = asked
                .iter()
                .map(|&(doc, id)| ranking.position(doc, id, 2).rank)
                .collect();
            assert_eq!(ranking.ranks_of(&asked), one_by_one);
        }
        assert_eq!(mapped.ranks_of(&asked[..3]), [Some(2), None, Some(1)]);
    }

    #[test]
    fn scores_serialise_short_when_they_are_f32() {
        let json = |score: f64| {
            serde_json::to_string(&Ranked {
                doc: None,
                id: "d".into(),
                score,
            })
            .unwrap()
        };
        assert_eq!(json(f64::from(0.3f32)), r#"{"id":"d","score":0.3}"#);
        assert_eq!(
            json(1.0 / 61.0),
            r#"{"id":"d","score":0.01639344262295082}"#
        );
    }
}
