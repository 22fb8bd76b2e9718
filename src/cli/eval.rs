//! `spladescope eval`: run a query set through SPLADE, BM25 and optionally a second index,
//! and report trec_eval metrics, paired significance tests and per-query differences.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use spladescope::eval::{
    evaluate, load_beir, read_qrels, read_queries, write_run, EvalOptions, Qrels, QrelsOptions,
    Queries, RandomizationOptions, Run,
};
use spladescope::index::Index;
use spladescope::search::runs::{bm25_run, splade_run};

use super::query::{self, QueryModelArgs};
use super::report::{self, SystemEval};

/// Where the judged queries come from: a BEIR folder, or a queries file and a qrels file.
#[derive(Debug, Clone, Args)]
pub struct JudgedArgs {
    /// A BEIR folder (queries.jsonl, qrels/<split>.tsv).
    #[arg(long)]
    pub beir: Option<PathBuf>,
    /// The qrels split of --beir.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Queries (BEIR queries.jsonl), instead of --beir.
    #[arg(long, conflicts_with = "beir", requires = "qrels")]
    pub queries: Option<PathBuf>,
    /// Qrels (BEIR TSV or TREC `qid 0 docid rel`), instead of --beir.
    #[arg(long, conflicts_with = "beir", requires = "queries")]
    pub qrels: Option<PathBuf>,
}

impl JudgedArgs {
    /// Whether judged queries were given.
    pub fn given(&self) -> bool {
        self.beir.is_some() || self.queries.is_some()
    }

    /// Reads the queries and qrels; returns them with a title, noting repeated lines in
    /// `notes`.
    pub fn load(&self, notes: &mut Vec<String>) -> anyhow::Result<(Queries, Qrels, String)> {
        if let Some(dir) = &self.beir {
            let split = load_beir(dir, &self.split)?;
            report_duplicates(notes, "queries", split.query_duplicates.count);
            report_duplicates(notes, "qrels", split.qrels_duplicates.count);
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Ok((split.queries, split.qrels, format!("{name} {}", self.split)));
        }
        let (Some(q), Some(r)) = (&self.queries, &self.qrels) else {
            bail!("give --beir DIR, or --queries and --qrels");
        };
        let queries = read_queries(q)?;
        let qrels = read_qrels(r, &QrelsOptions::default())?;
        report_duplicates(notes, "queries", queries.duplicates.count);
        report_duplicates(notes, "qrels", qrels.duplicates.count);
        Ok((queries.queries, qrels.qrels, r.display().to_string()))
    }
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("judgments").required(true).args(["beir", "qrels"]))]
pub struct EvalArgs {
    /// The index directory.
    pub index: PathBuf,
    #[command(flatten)]
    pub judged: JudgedArgs,
    /// Systems of INDEX to evaluate: splade, bm25.
    #[arg(long, value_delimiter = ',', default_value = "splade,bm25")]
    pub systems: Vec<String>,
    /// A second index of the same corpus (e.g. built with another checkpoint): its SPLADE
    /// is evaluated too, as "splade-B", with the model it was built with.
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Accept a --compare index of another corpus (by default refused).
    #[arg(long, requires = "compare")]
    pub allow_corpus_mismatch: bool,
    /// Hits per query.
    #[arg(short = 'k', long, default_value_t = 1000, value_parser = query::parse_count)]
    pub k: usize,
    /// Write a TREC run file per system into this directory.
    #[arg(long)]
    pub run_out: Option<PathBuf>,
    /// List every query with its nDCG@10 per system, by difference.
    #[arg(long)]
    pub per_query: bool,
    /// Randomization-test trials.
    #[arg(long, default_value_t = 10_000)]
    pub trials: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let mut notes = Vec::new();
    let (queries, qrels, title) = args.judged.load(&mut notes)?;
    let (index, encoder) = query::open(&args.index, &args.model)?;
    check_corpus(&index, &qrels, &mut notes)?;
    let list: Vec<(&str, &str)> = queries
        .iter()
        .filter(|q| qrels.contains_query(&q.id))
        .map(|q| (q.id.as_str(), q.text.as_str()))
        .collect();
    let missing_text = qrels
        .query_ids()
        .filter(|id| queries.get(id).is_none())
        .count();
    if missing_text > 0 {
        notes.push(format!(
            "{missing_text} judged queries have no text in the queries file: they score 0"
        ));
    }
    let b = match &args.compare {
        Some(dir) => {
            let b = query::open_compare(dir, &args.model, &index, args.allow_corpus_mismatch)?;
            if let Some(reason) = b.corpus_difference {
                notes.push(format!("--compare indexes another corpus: {reason}"));
            }
            Some((b.index, b.encoder))
        }
        None => None,
    };
    for s in &args.systems {
        if !matches!(s.as_str(), "splade" | "bm25") {
            bail!("unknown system {s:?} in --systems (splade, bm25)");
        }
    }
    let total = list.len() * (args.systems.len() + usize::from(b.is_some()));
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} queries  {msg}  ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let mut runs: Vec<(String, String, Run)> = Vec::new();
    let mut offset = 0;
    for s in &args.systems {
        bar.set_message(s.clone());
        let tick = &mut |done: usize| bar.set_position((offset + done) as u64);
        let (run, description) = if s == "splade" {
            (
                splade_run(&index, &encoder, &list, args.k, tick)?,
                format!(
                    "SPLADE {} ({})",
                    index.manifest().model.id,
                    args.index.display()
                ),
            )
        } else {
            (
                bm25_run(&index, &list, args.k, tick)?,
                format!(
                    "BM25 k1 {} b {} ({})",
                    index.manifest().bm25.k1,
                    index.manifest().bm25.b,
                    args.index.display()
                ),
            )
        };
        runs.push((s.clone(), description, run));
        offset += list.len();
    }
    if let (Some((b_index, b_encoder)), Some(dir)) = (&b, &args.compare) {
        bar.set_message("splade-B");
        let tick = &mut |done: usize| bar.set_position((offset + done) as u64);
        let run = splade_run(b_index, b_encoder, &list, args.k, tick)?;
        runs.push((
            "splade-B".into(),
            format!("SPLADE {} ({})", b_index.manifest().model.id, dir.display()),
            run,
        ));
    }
    bar.finish_and_clear();

    let options = EvalOptions::default();
    let mut systems = Vec::new();
    for (name, description, run) in runs {
        let run_file = match &args.run_out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let path = dir.join(format!("{name}.trec"));
                write_run(&path, &run, &format!("spladescope-{name}"))?;
                Some(path.display().to_string())
            }
            None => None,
        };
        let evaluation = evaluate(&run, &qrels, &options)?;
        systems.push(SystemEval {
            name,
            description,
            evaluation,
            run_file,
        });
    }
    let randomization = RandomizationOptions {
        trials: args.trials,
        ..Default::default()
    };
    let texts = |id: &str| queries.get(id).map(|q| q.text.clone()).unwrap_or_default();
    let title = format!("{title} · {} judged queries · top {}", qrels.len(), args.k);
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

fn report_duplicates(notes: &mut Vec<String>, what: &str, count: usize) {
    if count > 0 {
        notes.push(format!(
            "{count} repeated lines in the {what} file (the last one kept)"
        ));
    }
}

/// Refuses qrels that name none of the index's documents; notes the ones it lacks.
pub fn check_corpus(index: &Index, qrels: &Qrels, notes: &mut Vec<String>) -> anyhow::Result<()> {
    let mut judged = std::collections::BTreeSet::new();
    for (_, docs) in qrels.iter() {
        judged.extend(docs.keys().map(String::as_str));
    }
    let mut unknown = 0;
    for id in &judged {
        if index.find(id).is_err() {
            unknown += 1;
        }
    }
    if !judged.is_empty() && unknown == judged.len() {
        bail!(
            "none of the {} judged documents is in the index: the index's corpus does not match these qrels",
            judged.len()
        );
    }
    if unknown > 0 {
        notes.push(format!(
            "{unknown} of {} judged documents are not in the index",
            judged.len()
        ));
    }
    Ok(())
}
