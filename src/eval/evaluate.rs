//! Evaluating a run against qrels: which queries count, per-query values and means.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::EvalError;
use super::metrics::{compute, rel_value, Metric, MetricValues};
use super::qrels::Qrels;
use super::run::{trec_ranking, Run, ScoredDoc};

/// Which queries are evaluated and averaged over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum QueryScope {
    /// Every query of the qrels (even one judged only non-relevant); a query missing from
    /// the run scores 0 on every measure. `trec_eval -c`. The default.
    #[default]
    AllQrels,
    /// Queries in both the run and the qrels: trec_eval without `-c`, pytrec_eval, and BEIR's
    /// `EvaluateRetrieval.evaluate` (which averages over pytrec_eval's result dict).
    RunAndQrels,
}

/// Evaluation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvalOptions {
    /// Which queries count; [`QueryScope::AllQrels`] by default.
    pub scope: QueryScope,
    /// Smallest grade that counts as relevant (trec_eval `-l`, default 1). nDCG gains do not
    /// depend on it: they are the grades themselves when positive.
    pub relevance_level: i64,
}

impl Default for EvalOptions {
    fn default() -> Self {
        Self {
            scope: QueryScope::AllQrels,
            relevance_level: 1,
        }
    }
}

/// One query's values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueryEval {
    /// The six measures.
    pub values: MetricValues,
    /// Documents retrieved (whole ranking, not cut).
    pub num_ret: usize,
    /// Documents judged relevant (`rel >= relevance_level`).
    pub num_rel: usize,
    /// Relevant documents retrieved (whole ranking).
    pub num_rel_ret: usize,
    /// False when the query is absent from the run (scored as an empty ranking).
    pub in_run: bool,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Values per evaluated query, in byte order of query id.
    pub per_query: BTreeMap<String, QueryEval>,
    /// Arithmetic mean over `per_query`.
    pub mean: MetricValues,
    /// The options used.
    pub options: EvalOptions,
    /// Run queries without any judgment: ignored (as trec_eval and pytrec_eval do).
    pub run_queries_not_in_qrels: Vec<String>,
    /// Qrels queries absent from the run: scored 0 under [`QueryScope::AllQrels`], left out
    /// under [`QueryScope::RunAndQrels`].
    pub qrels_queries_not_in_run: Vec<String>,
    /// Evaluated queries with no relevant judgment: they score 0 on every measure but are
    /// counted in the mean, as trec_eval counts them.
    pub queries_without_relevant: Vec<String>,
}

impl Evaluation {
    /// Number of queries averaged over.
    pub fn num_queries(&self) -> usize {
        self.per_query.len()
    }

    /// Mean of one measure.
    pub fn mean(&self, metric: Metric) -> f64 {
        self.mean.get(metric)
    }

    /// (query id, value) of one measure, in byte order of query id.
    pub fn values(&self, metric: Metric) -> Vec<(&str, f64)> {
        self.per_query
            .iter()
            .map(|(q, e)| (q.as_str(), e.values.get(metric)))
            .collect()
    }
}

/// Evaluates one query's results (any order; ranked with [`trec_order`]) against its
/// judgments (`None`: no judgment, everything scores 0).
///
/// [`trec_order`]: super::trec_order
pub fn evaluate_query(
    qid: &str,
    docs: &[ScoredDoc],
    judgments: Option<&BTreeMap<String, i64>>,
    relevance_level: i64,
) -> Result<QueryEval, EvalError> {
    let ranked = trec_ranking(qid, docs)?;
    let rels: Vec<i64> = ranked
        .iter()
        .map(|d| rel_value(judgments.and_then(|j| j.get(&d.docid).copied())))
        .collect();
    let (values, counts) = compute(&rels, judgments, relevance_level);
    Ok(QueryEval {
        values,
        num_ret: counts.num_ret,
        num_rel: counts.num_rel,
        num_rel_ret: counts.num_rel_ret,
        in_run: true,
    })
}

/// Evaluates `run` against `qrels` with trec_eval semantics (see the module docs).
///
/// Fails on a NaN score or a document listed twice for a query (trec_eval refuses both),
/// and when no query is left to average over.
pub fn evaluate(run: &Run, qrels: &Qrels, opts: &EvalOptions) -> Result<Evaluation, EvalError> {
    let mut per_query = BTreeMap::new();
    let mut qrels_queries_not_in_run = Vec::new();
    let mut queries_without_relevant = Vec::new();
    for (qid, judgments) in qrels.iter() {
        let eval = match run.get(qid) {
            Some(docs) => evaluate_query(qid, docs, Some(judgments), opts.relevance_level)?,
            None => {
                qrels_queries_not_in_run.push(qid.to_string());
                if opts.scope == QueryScope::RunAndQrels {
                    continue;
                }
                let mut e = evaluate_query(qid, &[], Some(judgments), opts.relevance_level)?;
                e.in_run = false;
                e
            }
        };
        if eval.num_rel == 0 {
            queries_without_relevant.push(qid.to_string());
        }
        per_query.insert(qid.to_string(), eval);
    }
    let run_queries_not_in_qrels: Vec<String> = run
        .query_ids()
        .filter(|q| !qrels.contains_query(q))
        .map(str::to_string)
        .collect();

    if per_query.is_empty() {
        let why = if qrels.is_empty() {
            "the qrels hold no judgment".to_string()
        } else {
            format!(
                "no query of the run is in the qrels (run: {} queries, e.g. '{}'; qrels: {} \
                 queries, e.g. '{}'); check that both use the same query ids",
                run.len(),
                run.query_ids().next().unwrap_or(""),
                qrels.len(),
                qrels.query_ids().next().unwrap_or("")
            )
        };
        return Err(EvalError::NoQueries(why));
    }

    let n = per_query.len() as f64;
    let mut mean = MetricValues::default();
    for m in Metric::ALL {
        let sum: f64 = per_query
            .values()
            .map(|e: &QueryEval| e.values.get(m))
            .sum();
        *mean.get_mut(m) = sum / n;
    }
    Ok(Evaluation {
        per_query,
        mean,
        options: *opts,
        run_queries_not_in_qrels,
        qrels_queries_not_in_run,
        queries_without_relevant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Run, Qrels) {
        let mut qrels = Qrels::new();
        qrels.insert("q1", "a", 1);
        qrels.insert("q1", "b", 0);
        qrels.insert("q2", "x", 0); // no relevant document
        qrels.insert("q3", "r", 2); // not in the run
        let mut run = Run::new();
        run.push("q1", "a", 1.0);
        run.push("q1", "b", 1.0); // tie: 'b' ranks first (descending docid)
        run.push("q2", "x", 3.0);
        run.push("q9", "a", 1.0); // not in the qrels
        (run, qrels)
    }

    #[test]
    fn all_qrels_scope_counts_missing_queries_as_zero() {
        let (run, qrels) = setup();
        let e = evaluate(&run, &qrels, &EvalOptions::default()).unwrap();
        assert_eq!(e.num_queries(), 3);
        assert_eq!(e.per_query["q1"].values.recip_rank_10, 0.5);
        assert!(!e.per_query["q3"].in_run);
        assert_eq!(e.per_query["q3"].values, MetricValues::default());
        assert_eq!(e.mean(Metric::Mrr10), 0.5 / 3.0);
        assert_eq!(e.run_queries_not_in_qrels, ["q9"]);
        assert_eq!(e.qrels_queries_not_in_run, ["q3"]);
        assert_eq!(e.queries_without_relevant, ["q2"]);
    }

    #[test]
    fn run_and_qrels_scope_skips_missing_queries() {
        let (run, qrels) = setup();
        let opts = EvalOptions {
            scope: QueryScope::RunAndQrels,
            ..Default::default()
        };
        let e = evaluate(&run, &qrels, &opts).unwrap();
        assert_eq!(e.num_queries(), 2);
        assert_eq!(e.mean(Metric::Mrr10), 0.25);
    }

    #[test]
    fn empty_ranking_is_in_the_run() {
        let (mut run, qrels) = setup();
        run.set("q3", vec![]);
        let opts = EvalOptions {
            scope: QueryScope::RunAndQrels,
            ..Default::default()
        };
        let e = evaluate(&run, &qrels, &opts).unwrap();
        assert_eq!(e.num_queries(), 3);
        assert!(e.per_query["q3"].in_run);
    }

    #[test]
    fn nothing_to_evaluate_is_an_error() {
        let mut run = Run::new();
        run.push("1", "d", 1.0);
        let mut qrels = Qrels::new();
        qrels.insert("PLAIN-1", "d", 1);
        let opts = EvalOptions {
            scope: QueryScope::RunAndQrels,
            ..Default::default()
        };
        let e = evaluate(&run, &qrels, &opts).unwrap_err().to_string();
        assert!(e.contains("no query of the run is in the qrels"), "{e}");
        let e = evaluate(&run, &Qrels::new(), &EvalOptions::default()).unwrap_err();
        assert!(e.to_string().contains("no judgment"));
    }

    #[test]
    fn duplicate_docs_in_memory_are_refused() {
        let (mut run, qrels) = setup();
        run.push("q1", "a", 0.5);
        let e = evaluate(&run, &qrels, &EvalOptions::default()).unwrap_err();
        assert!(e
            .to_string()
            .contains("run, query 'q1': document 'a' appears more than once"));
    }
}
