//! The measures of a judged query's SPLADE ranking as edited, next to the unedited one: what
//! an edit does to this query (`eval` with the same edits does it for every query). Each
//! ranking is the top 1000 of every document's score, evaluated as `spladescope eval` does.

use std::collections::BTreeMap;

use crate::eval::{evaluate_query, EvalOptions, MetricValues, ScoredDoc};
use crate::index::Index;
use crate::search::top_k;

/// Depth of the rankings measured (as `eval`'s default `-k`).
pub const DEPTH: usize = 1000;

/// The SPLADE measures of a judged query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryMetrics {
    /// With the query's edits.
    pub edited: MetricValues,
    /// Without them (equal to `edited` when there are none).
    pub unedited: MetricValues,
}

/// The measures of the ranking of `scores` (every document's, of `index`) for query `qid`.
pub fn measure(
    index: &Index,
    scores: &[f32],
    qid: &str,
    judgments: &BTreeMap<String, i64>,
) -> crate::system::Result<MetricValues> {
    let docs = top_k(scores, DEPTH)
        .into_iter()
        .map(|h| {
            let id = index.doc(h.doc)?.id.to_string();
            Ok(ScoredDoc::new(id, f64::from(h.score)))
        })
        .collect::<crate::system::Result<Vec<_>>>()?;
    let level = EvalOptions::default().relevance_level;
    Ok(evaluate_query(qid, &docs, Some(judgments), level)?.values)
}
