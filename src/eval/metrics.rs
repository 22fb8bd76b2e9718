//! The six measures, and their computation on one ranked relevance list exactly as
//! trec_eval 9.x computes them (`m_ndcg_cut.c`, `m_recip_rank.c`, `m_recall.c`,
//! `m_map_cut.c`, `m_P.c`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A measure. Display names are the ones researchers quote (`nDCG@10`); [`Metric::trec_name`]
/// gives trec_eval's.
/// In JSON, a measure is its trec_eval name ([`Metric::trec_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// `ndcg_cut_10`.
    #[serde(rename = "ndcg_cut_10")]
    Ndcg10,
    /// `recip_rank` on the top 10 only (`trec_eval -M 10 -m recip_rank`), i.e. MRR@10.
    #[serde(rename = "recip_rank")]
    Mrr10,
    /// `recall_100`.
    #[serde(rename = "recall_100")]
    Recall100,
    /// `recall_1000`.
    #[serde(rename = "recall_1000")]
    Recall1000,
    /// `map_cut_1000`.
    #[serde(rename = "map_cut_1000")]
    Map1000,
    /// `P_10`.
    #[serde(rename = "P_10")]
    P10,
}

impl Metric {
    /// All measures, in display order.
    pub const ALL: [Metric; 6] = [
        Metric::Ndcg10,
        Metric::Mrr10,
        Metric::Recall100,
        Metric::Recall1000,
        Metric::Map1000,
        Metric::P10,
    ];

    /// Display name: `nDCG@10`, `MRR@10`, `R@100`, `R@1000`, `MAP@1000`, `P@10`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Ndcg10 => "nDCG@10",
            Metric::Mrr10 => "MRR@10",
            Metric::Recall100 => "R@100",
            Metric::Recall1000 => "R@1000",
            Metric::Map1000 => "MAP@1000",
            Metric::P10 => "P@10",
        }
    }

    /// trec_eval / pytrec_eval name: `ndcg_cut_10`, `recip_rank` (computed with `-M 10`),
    /// `recall_100`, `recall_1000`, `map_cut_1000`, `P_10`.
    pub fn trec_name(self) -> &'static str {
        match self {
            Metric::Ndcg10 => "ndcg_cut_10",
            Metric::Mrr10 => "recip_rank",
            Metric::Recall100 => "recall_100",
            Metric::Recall1000 => "recall_1000",
            Metric::Map1000 => "map_cut_1000",
            Metric::P10 => "P_10",
        }
    }

    /// Parses a display name or trec_eval name, ignoring ASCII case (`ndcg@10`, `P_10`,
    /// `mrr@10`, `recip_rank`, `ndcg_cut.10` …).
    pub fn from_name(s: &str) -> Option<Metric> {
        let s = s.trim().to_ascii_lowercase().replace('.', "_");
        Metric::ALL
            .into_iter()
            .find(|m| s == m.name().to_ascii_lowercase() || s == m.trec_name().to_ascii_lowercase())
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per measure (a query's, or a mean).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricValues {
    /// nDCG@10.
    pub ndcg_cut_10: f64,
    /// MRR@10.
    pub recip_rank_10: f64,
    /// R@100.
    pub recall_100: f64,
    /// R@1000.
    pub recall_1000: f64,
    /// MAP@1000.
    pub map_cut_1000: f64,
    /// P@10.
    pub p_10: f64,
}

impl MetricValues {
    /// The value of one measure.
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Ndcg10 => self.ndcg_cut_10,
            Metric::Mrr10 => self.recip_rank_10,
            Metric::Recall100 => self.recall_100,
            Metric::Recall1000 => self.recall_1000,
            Metric::Map1000 => self.map_cut_1000,
            Metric::P10 => self.p_10,
        }
    }

    /// Mutable access to one measure.
    pub fn get_mut(&mut self, metric: Metric) -> &mut f64 {
        match metric {
            Metric::Ndcg10 => &mut self.ndcg_cut_10,
            Metric::Mrr10 => &mut self.recip_rank_10,
            Metric::Recall100 => &mut self.recall_100,
            Metric::Recall1000 => &mut self.recall_1000,
            Metric::Map1000 => &mut self.map_cut_1000,
            Metric::P10 => &mut self.p_10,
        }
    }

    /// (measure, value) in [`Metric::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, f64)> + '_ {
        Metric::ALL.into_iter().map(|m| (m, self.get(m)))
    }
}

/// trec_eval's relevance value of a retrieved document that is not in the qrels.
pub(crate) const RELVALUE_NONPOOL: i64 = -1;
/// trec_eval's relevance value of a retrieved document judged with a negative grade.
pub(crate) const RELVALUE_UNJUDGED: i64 = -2;

/// Relevance of each ranked document as trec_eval's `form_res_rels` encodes it.
pub(crate) fn rel_value(judged: Option<i64>) -> i64 {
    match judged {
        None => RELVALUE_NONPOOL,
        Some(r) if r < 0 => RELVALUE_UNJUDGED,
        Some(r) => r,
    }
}

/// Counts that come with a query's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub num_ret: usize,
    pub num_rel: usize,
    pub num_rel_ret: usize,
}

/// All six measures of one query from `rels` (relevance per rank, [`rel_value`] encoding,
/// full retrieved list) and the query's judgments.
pub(crate) fn compute(
    rels: &[i64],
    judgments: Option<&BTreeMap<String, i64>>,
    relevance_level: i64,
) -> (MetricValues, Counts) {
    let is_rel = |r: i64| r >= relevance_level;
    let num_rel = judgments.map_or(0, |j| j.values().filter(|&&r| r >= 0 && is_rel(r)).count());
    let counts = Counts {
        num_ret: rels.len(),
        num_rel,
        num_rel_ret: rels.iter().filter(|&&r| r >= 0 && is_rel(r)).count(),
    };

    // nDCG@10: gain = relevance value when > 0 (independent of relevance_level).
    let mut dcg = 0.0;
    for (i, &r) in rels.iter().take(10).enumerate() {
        if r > 0 {
            dcg += r as f64 / ((i + 2) as f64).log2();
        }
    }
    let mut ideal: Vec<i64> = judgments.map_or_else(Vec::new, |j| {
        j.values().copied().filter(|&r| r > 0).collect()
    });
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let mut idcg = 0.0;
    for (i, &r) in ideal.iter().take(10).enumerate() {
        idcg += r as f64 / ((i + 2) as f64).log2();
    }
    let ndcg = if idcg > 0.0 { dcg / idcg } else { dcg };

    // MRR@10: first relevant document within the top 10.
    let rr = rels
        .iter()
        .take(10)
        .position(|&r| is_rel(r))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);

    let relevant_in = |k: usize| rels.iter().take(k).filter(|&&r| is_rel(r)).count();
    let recall = |k: usize| {
        if num_rel == 0 {
            0.0
        } else {
            relevant_in(k) as f64 / num_rel as f64
        }
    };

    let map = if num_rel == 0 {
        0.0
    } else {
        let mut sum = 0.0;
        let mut so_far = 0usize;
        for (i, &r) in rels.iter().take(1000).enumerate() {
            if is_rel(r) {
                so_far += 1;
                sum += so_far as f64 / (i + 1) as f64;
            }
        }
        sum / num_rel as f64
    };

    let values = MetricValues {
        ndcg_cut_10: ndcg,
        recip_rank_10: rr,
        recall_100: recall(100),
        recall_1000: recall(1000),
        map_cut_1000: map,
        p_10: relevant_in(10) as f64 / 10.0,
    };
    (values, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judg(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert_eq!(Metric::from_name(m.trec_name()), Some(m));
        }
        assert_eq!(Metric::from_name("ndcg_cut.10"), Some(Metric::Ndcg10));
        assert_eq!(Metric::from_name("ndcg@1"), None);
        assert_eq!(Metric::Recall1000.to_string(), "R@1000");
    }

    #[test]
    fn hand_computed_graded_example() {
        // Judged: a=2, b=1, c=0, n=-1; ranking: n, a, x (unjudged), b, c.
        let j = judg(&[("a", 2), ("b", 1), ("c", 0), ("n", -1)]);
        let rels = [RELVALUE_UNJUDGED, 2, RELVALUE_NONPOOL, 1, 0];
        let (v, c) = compute(&rels, Some(&j), 1);
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2();
        assert!((v.ndcg_cut_10 - dcg / idcg).abs() < 1e-15);
        assert_eq!(v.recip_rank_10, 0.5);
        assert_eq!(v.recall_100, 1.0);
        assert!((v.map_cut_1000 - (1.0 / 2.0 + 2.0 / 4.0) / 2.0).abs() < 1e-15);
        assert_eq!(v.p_10, 0.2);
        assert_eq!(
            c,
            Counts {
                num_ret: 5,
                num_rel: 2,
                num_rel_ret: 2
            }
        );
    }

    #[test]
    fn cutoffs_apply() {
        let j = judg(&[("r", 1)]);
        let mut rels = vec![RELVALUE_NONPOOL; 1500];
        rels[10] = 1; // rank 11
        let (v, _) = compute(&rels, Some(&j), 1);
        assert_eq!((v.ndcg_cut_10, v.recip_rank_10, v.p_10), (0.0, 0.0, 0.0));
        assert_eq!(v.recall_100, 1.0);
        rels[10] = RELVALUE_NONPOOL;
        rels[1000] = 1; // rank 1001
        let (v, _) = compute(&rels, Some(&j), 1);
        assert_eq!(
            (v.recall_100, v.recall_1000, v.map_cut_1000),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn no_relevant_or_no_results_give_zero() {
        let j = judg(&[("c", 0)]);
        let (v, _) = compute(&[0, RELVALUE_NONPOOL], Some(&j), 1);
        assert_eq!(v, MetricValues::default());
        let (v, c) = compute(&[], Some(&judg(&[("a", 1)])), 1);
        assert_eq!(v, MetricValues::default());
        assert_eq!(c.num_rel, 1);
    }

    #[test]
    fn relevance_level_two_keeps_graded_gain() {
        let j = judg(&[("a", 2), ("b", 1)]);
        let (v, c) = compute(&[1, 2], Some(&j), 2);
        assert_eq!(c.num_rel, 1);
        assert_eq!(v.recip_rank_10, 0.5);
        // nDCG still uses gain 1 for b and the ideal over both judged-positive documents.
        let want = (1.0 + 2.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2());
        assert!((v.ndcg_cut_10 - want).abs() < 1e-15);
    }
}
