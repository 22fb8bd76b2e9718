//! Evaluation of the judged query set for the Evaluate view: the runs and measures of
//! `spladescope eval` (top 1000, trec_eval semantics, paired tests of SPLADE against the
//! other systems).

use super::{Engine, EvalRow, EvalTable};

impl Engine {
    /// Runs every judged query through SPLADE, BM25 and B (top 1000, as `spladescope eval`)
    /// and evaluates them; `progress(done, total)` after each query.
    pub fn evaluate(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Option<EvalTable>, String> {
        use crate::eval::{compare, evaluate, EvalOptions, Metric, RandomizationOptions};
        use crate::search::runs::{bm25_run, splade_run};
        let Some(j) = &self.judged else {
            return Ok(None);
        };
        const K: usize = 1000;
        let list: Vec<(&str, &str)> = j
            .queries
            .iter()
            .filter(|q| j.qrels.contains_query(&q.id))
            .map(|q| (q.id.as_str(), q.text.as_str()))
            .collect();
        let systems = 2 + usize::from(self.b.is_some());
        let total = list.len() * systems;
        let err = |e: crate::index::IndexError| e.to_string();
        let mut runs = Vec::new();
        let mut names = vec!["SPLADE".to_string(), "BM25".to_string()];
        runs.push(
            splade_run(&self.a.index, &self.a.encoder, &list, K, &mut |d| {
                progress(d, total)
            })
            .map_err(err)?,
        );
        let n = list.len();
        runs.push(bm25_run(&self.a.index, &list, K, &mut |d| progress(n + d, total)).map_err(err)?);
        if let Some(b) = &self.b {
            names.push("SPLADE-B".into());
            runs.push(
                splade_run(&b.index, &b.encoder, &list, K, &mut |d| {
                    progress(2 * n + d, total)
                })
                .map_err(err)?,
            );
        }
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
        let comparisons = evals[1..]
            .iter()
            .map(|other| {
                compare(
                    &evals[0],
                    other,
                    Metric::Ndcg10,
                    &RandomizationOptions::default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(Some(EvalTable {
            title: format!("{} · {} judged queries · top {K}", j.name, j.qrels.len()),
            systems: names,
            rows,
            means: evals.iter().map(|e| e.mean).collect(),
            comparisons,
            k: K,
            notes: j.notes.clone(),
        }))
    }
}
