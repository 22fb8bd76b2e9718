//! Evaluation of the judged query set for the Evaluate view: the runs and measures of
//! `spladescope eval` (top 1000, trec_eval semantics, paired tests between every two
//! systems, so that the view can take any of them as the baseline).

use super::{Engine, EvalRow, EvalTable};
use crate::system::WhatIf;

impl Engine {
    /// Runs every judged query through every system (top 1000, as `spladescope eval`)
    /// and evaluates them; with `what_if`, also the `what-if` system with those edits (as
    /// `eval --drop …` does); `progress(done, total)` as queries are done.
    pub fn evaluate(
        &self,
        what_if: Option<&WhatIf>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<EvalTable>, String> {
        use crate::eval::{compare, evaluate, EvalOptions, Metric, RandomizationOptions};
        let Some(j) = &self.judged else {
            return Ok(None);
        };
        const K: usize = 1000;
        let list = j.queries.judged(&j.qrels);
        let total = list.len();
        let mut only: Vec<usize> = (0..self.what_if_system()).collect();
        let mut names = self.systems();
        if what_if.is_some() {
            only.push(self.what_if_system());
            names.push("what-if".to_string());
        }
        let default = WhatIf::default();
        let crate::system::QueryRuns { runs, costs } = self
            .pipeline
            .run_queries_with(&list, K, what_if.unwrap_or(&default), &only, &mut |d| {
                progress(d, total)
            })
            .map_err(|e| e.to_string())?;
        let (runs, costs): (Vec<_>, Vec<_>) = runs
            .into_iter()
            .zip(costs)
            .enumerate()
            .filter(|(i, _)| only.contains(i))
            .map(|(_, rc)| rc)
            .unzip();
        let opts = EvalOptions::default();
        let evals = runs
            .iter()
            .map(|r| evaluate(r, &j.qrels, &opts))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let text = |id: &str| {
            j.queries
                .get(id)
                .map(|q| q.text.clone())
                .unwrap_or_default()
        };
        let rows = evals[0]
            .per_query
            .keys()
            .map(|qid| EvalRow {
                qid: qid.clone(),
                text: text(qid),
                ndcg: evals
                    .iter()
                    .map(|e| {
                        e.per_query
                            .get(qid)
                            .map_or(0.0, |q| q.values.get(Metric::Ndcg10))
                    })
                    .collect(),
            })
            .collect();
        // Every pair both ways, so that any column can be the baseline.
        let comparisons = evals
            .iter()
            .enumerate()
            .map(|(a, base)| {
                evals
                    .iter()
                    .enumerate()
                    .map(|(b, other)| {
                        (a != b)
                            .then(|| {
                                compare(
                                    base,
                                    other,
                                    Metric::Ndcg10,
                                    &RandomizationOptions::default(),
                                )
                            })
                            .transpose()
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(Some(EvalTable {
            title: format!("{} · {} judged queries · top {K}", j.name, j.qrels.len()),
            systems: names,
            rows,
            means: evals.iter().map(|e| e.mean).collect(),
            costs,
            comparisons,
            k: K,
            notes: j.notes.clone(),
        }))
    }
}
