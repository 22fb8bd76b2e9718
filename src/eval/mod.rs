//! Retrieval evaluation with trec_eval semantics: reading queries, qrels and runs, six
//! measures computed exactly as trec_eval 9.x / pytrec_eval compute them, and paired
//! significance tests.
//!
//! Parity with pytrec_eval-terrier 0.5.11 (trec_eval 9.0.8 inside) is checked to 1e-9 per query and per
//! mean by `tests/trec_eval_parity.rs` on fixtures made by
//! `scripts/make_trec_eval_fixtures.py`, and on SciFact and NFCorpus.
//!
//! # File formats
//!
//! All readers accept UTF-8 with LF or CRLF line endings and a leading byte order mark,
//! report errors as `file:line: problem` ([`EvalError`]) and never panic.
//!
//! * **`queries.jsonl`** (BEIR): one object per line, `{"_id": "q1", "text": "...",
//!   "metadata": {...}}`. `_id` may be a JSON string or number (kept as its text), `text`
//!   is required, `metadata` optional. File order is kept; blank lines are skipped. A
//!   repeated `_id` keeps the later text at the first position (Python dict semantics) and
//!   is reported in [`QueriesFile::duplicates`].
//! * **BEIR qrels** `qrels/<split>.tsv`: `query-id<TAB>corpus-id<TAB>score`, integer grade.
//!   The first line is a header when its score column holds no digit (it may be absent).
//! * **TREC qrels**: `qid iter docid rel`, whitespace-separated; `iter` may be any token.
//!   [`QrelsFormat::Auto`] picks BEIR when the first data line has 3 tab-separated fields and
//!   TREC when it has 4 whitespace-separated fields. Blank lines and lines starting with
//!   `#` are skipped in both. Grades must be integers (`1.0` is an error, not `atol`'s 1).
//! * **TREC run**: `qid Q0 docid rank score tag`, whitespace-separated; blank and `#` lines
//!   skipped, columns 2 and 4 ignored (ranking comes from the scores), extra columns
//!   ignored, score parsed as `f64` (NaN and non-numbers are errors). [`write_run`] writes
//!   scores with the shortest text that parses back to the same `f64` ([`format_score`]),
//!   so ties and non-ties survive the round trip exactly (`{:.6}` would turn float32 scores
//!   that differ after the 6th decimal into ties and reorder them by docid).
//!
//! # Duplicates
//!
//! trec_eval aborts on a (query, document) pair listed twice, in the qrels or in the run
//! (`form_res_rels: duplicate docs`); so do `pytrec_eval.parse_run` / `parse_qrel`.
//! pytrec_eval's evaluator itself takes Python dicts, where a repeated key keeps its last
//! value, which is what BEIR's loader does with qrels. Here ([`OnDuplicate`]):
//! * runs default to [`OnDuplicate::Error`] (trec_eval); the error gives the first repeat's
//!   line, the line of the original, and the number of repeated lines;
//! * qrels default to [`OnDuplicate::KeepLast`] (BEIR / dict);
//! * with `KeepFirst`/`KeepLast` the repeats are counted in a [`DuplicateReport`] (count,
//!   how many changed the value, first 20 with line numbers). Nothing is printed.
//!
//! In-memory [`Run`]s with a repeated document, or a NaN score, are refused by [`evaluate`].
//!
//! # Ranking
//!
//! Whatever the order or rank column of the input, each query's documents are ranked as
//! trec_eval's `form_res_rels.c` does ([`trec_order`]): by score descending, ties broken by
//! document id in **descending** byte order (`strcmp(docno2, docno1)`); `-0.0 == 0.0`.
//! Checked against pytrec_eval: docs `a`,`b` tied → `b` ranks first; `a`,`B` tied → `a`
//! first. No truncation: a run longer than 1000 is evaluated whole (R@1000 and MAP@1000
//! look at ranks 1..=1000).
//!
//! # Measures (per query)
//!
//! Let `rel(i)` be the grade of the document at rank `i` (1-based) — not judged counts as
//! non-relevant, a negative grade counts as unjudged — `L` the relevance level (default 1),
//! "relevant" mean `rel >= L`, `R` the number of judged documents with `rel >= L` (and
//! `rel >= 0`), and `N` the number retrieved.
//! * **nDCG@10** (`ndcg_cut_10`): `DCG = Σ_{i≤min(10,N), rel(i)>0} rel(i) / log2(i+1)`;
//!   `IDCG` is the same sum over the query's positive grades from the qrels sorted
//!   descending (all judged documents, retrieved or not), first 10; `nDCG = DCG / IDCG`,
//!   or 0 when `IDCG = 0`. Gains are the raw grades, independent of `L`; grades `<= 0`
//!   give no gain.
//! * **MRR@10** (`recip_rank` over the top 10, i.e. `trec_eval -M 10 -m recip_rank`):
//!   `1 / i` for the first relevant `i ≤ 10`, else 0. (BEIR's own `mrr` breaks score ties
//!   by dict insertion order instead of docid, so it can differ on tied runs.)
//! * **R@k** (`recall_k`, k = 100, 1000): relevant in the top k over `R`; 0 when `R = 0`.
//! * **MAP@1000** (`map_cut_1000`): `Σ_{relevant i ≤ 1000} (relevant in top i) / i`, over
//!   `R`; 0 when `R = 0`.
//! * **P@10** (`P_10`): relevant in the top 10 over 10 (missing ranks are non-relevant).
//!
//! # Which queries count
//!
//! Queries of the run that have no judgment are ignored (trec_eval, pytrec_eval). A query
//! whose judgments are all non-relevant (`rel < L`) is evaluated and scores 0 on all six
//! measures; it counts in the mean (trec_eval and pytrec_eval do this: checked). The
//! default [`QueryScope::AllQrels`] averages over **every query in the qrels**, scoring a
//! query missing from the run as an empty ranking (0): `trec_eval -c`. This is the number
//! that cannot be inflated by dropping hard queries. [`QueryScope::RunAndQrels`] averages
//! over queries in both the run and the qrels: trec_eval without `-c`, pytrec_eval, and
//! BEIR's `EvaluateRetrieval.evaluate` (mean over pytrec_eval's result dict). A query
//! present in an in-memory [`Run`] with no documents is "in the run" (as an empty dict in
//! pytrec_eval); BEIR's retrievers emit every query, so both scopes agree there. The mean
//! is the arithmetic mean of the per-query values.
//!
//! # Significance
//!
//! [`compare`] pairs the per-query values of two [`Evaluation`]s over the same queries
//! (differences A − B) and reports win/tie/loss (tie: `|d| < 1e-9`), a two-sided paired
//! t-test (as `scipy.stats.ttest_rel`; Student t tail from the regularized incomplete beta
//! function) and a two-sided paired randomization test (random sign flips of the
//! differences, fixed seed, `p = (#{|Σ±d| ≥ |Σd|} + 1) / (trials + 1)`). See
//! [`paired_t_test`] and [`randomization_test`] for the degenerate cases.

mod beir;
mod duplicates;
pub mod engine_results;
mod error;
mod evaluate;
mod lines;
mod metrics;
pub mod order;
pub mod prng;
mod qrels;
mod queries;
mod run;
mod significance;
pub mod stats;

pub use beir::{load_beir, BeirSplit};
pub use duplicates::{Duplicate, DuplicateReport, OnDuplicate};
pub use error::EvalError;
pub use evaluate::{evaluate, evaluate_query, EvalOptions, Evaluation, QueryEval, QueryScope};
pub use metrics::{Metric, MetricValues};
pub use order::natural_cmp;
pub use qrels::{parse_qrels, read_qrels, Qrels, QrelsFile, QrelsFormat, QrelsOptions};
pub use queries::{parse_queries, read_queries, Queries, QueriesFile, Query};
pub use run::{
    format_score, parse_run, read_run, trec_order, trec_ranking, write_run, write_run_to, Run,
    RunFile, RunOptions, ScoredDoc,
};
pub use significance::{
    compare, paired_t_test, paired_values, randomization_test, win_tie_loss, Comparison,
    RandomizationOptions, RandomizationTest, TTest, WinTieLoss, TIE_EPSILON,
};
