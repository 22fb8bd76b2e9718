//! `spladescope compare`: metrics and paired significance tests for two TREC run files
//! produced anywhere (Anserini, PISA, Python, spladescope).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use spladescope::eval::{
    evaluate, read_qrels, read_queries, read_run, EvalOptions, OnDuplicate, QrelsOptions,
    RandomizationOptions, RunOptions,
};

use super::report::{self, SystemEval};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Run A (TREC: qid Q0 docid rank score tag).
    pub run_a: PathBuf,
    /// Run B.
    pub run_b: PathBuf,
    /// Qrels (BEIR TSV or TREC `qid 0 docid rel`).
    #[arg(long)]
    pub qrels: PathBuf,
    /// Queries (BEIR queries.jsonl), to show query texts with --per-query.
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// List every query with its nDCG@10 per run, by difference.
    #[arg(long)]
    pub per_query: bool,
    /// Randomization-test trials.
    #[arg(long, default_value_t = 10_000)]
    pub trials: usize,
    /// A document repeated within a query of a run: error (as trec_eval), keep-first or
    /// keep-last (as Python dict-based tools).
    #[arg(long, value_enum, default_value = "error")]
    pub on_duplicate: Duplicates,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Values of `--on-duplicate`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Duplicates {
    Error,
    KeepFirst,
    KeepLast,
}

pub fn run(args: &CompareArgs) -> anyhow::Result<()> {
    let qrels = read_qrels(&args.qrels, &QrelsOptions::default())?;
    let queries = match &args.queries {
        Some(p) => Some(read_queries(p)?.queries),
        None => None,
    };
    let mut notes = Vec::new();
    if qrels.duplicates.count > 0 {
        notes.push(format!(
            "{} repeated lines in the qrels (the last one kept)",
            qrels.duplicates.count
        ));
    }
    let options = EvalOptions::default();
    let mut systems = Vec::new();
    for (name, path) in [("A", &args.run_a), ("B", &args.run_b)] {
        let on_duplicate = match args.on_duplicate {
            Duplicates::Error => OnDuplicate::Error,
            Duplicates::KeepFirst => OnDuplicate::KeepFirst,
            Duplicates::KeepLast => OnDuplicate::KeepLast,
        };
        let file = read_run(path, &RunOptions { on_duplicate })?;
        if file.duplicates.count > 0 {
            notes.push(format!(
                "run {name}: {} repeated (query, document) lines (--on-duplicate {})",
                file.duplicates.count,
                args.on_duplicate
                    .to_possible_value()
                    .map_or(String::new(), |v| v.get_name().to_string())
            ));
        }
        let evaluation = evaluate(&file.run, &qrels.qrels, &options)?;
        if !evaluation.run_queries_not_in_qrels.is_empty() {
            notes.push(format!(
                "run {name}: {} queries have no judgments and are ignored",
                evaluation.run_queries_not_in_qrels.len()
            ));
        }
        if !evaluation.qrels_queries_not_in_run.is_empty() {
            notes.push(format!(
                "run {name}: {} judged queries are missing and score 0",
                evaluation.qrels_queries_not_in_run.len()
            ));
        }
        let unknown = file
            .run
            .iter()
            .filter(|(q, _)| qrels.qrels.contains_query(q))
            .flat_map(|(q, docs)| docs.iter().map(move |d| (q, d)))
            .filter(|(q, d)| qrels.qrels.relevance(q, &d.docid).is_none())
            .count();
        if unknown > 0 {
            notes.push(format!("run {name}: {unknown} retrieved documents are unjudged (they count as not relevant)"));
        }
        let tags = if file.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", file.tags.join(", "))
        };
        systems.push(SystemEval {
            name: name.into(),
            description: format!("{}{tags}", path.display()),
            evaluation,
            run_file: Some(path.display().to_string()),
            cost: None,
        });
    }
    let randomization = RandomizationOptions {
        trials: args.trials,
        ..Default::default()
    };
    let texts = |id: &str| {
        queries
            .as_ref()
            .and_then(|q| q.get(id))
            .map(|q| q.text.clone())
            .unwrap_or_default()
    };
    let title = format!(
        "{} · {} judged queries",
        args.qrels.display(),
        qrels.qrels.len()
    );
    let report = report::Report {
        title,
        systems,
        notes,
        per_query: args.per_query,
        randomization,
        json: args.json,
    };
    report::print(&mut std::io::stdout().lock(), &report, &texts)
}
