//! `spladescope eval`: run a judged query set through any systems (SPLADE and BM25 by
//! default), and report trec_eval metrics, paired significance tests against a baseline and
//! per-query differences.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use spladescope::eval::{
    evaluate, load_beir, read_qrels, read_queries, write_run, EvalOptions, Qrels, QrelsOptions,
    Queries, RandomizationOptions,
};
use spladescope::index::Index;
use spladescope::system::{run_file_name, Leaf, QueryRuns};

use super::query::{self, DocEditArgs, EditArgs, QueryModelArgs};
use super::report::{self, SystemEval};
use super::systems::{self, SystemArgs};

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

    /// The flags that read the same judged set again.
    pub fn command_line(&self) -> Vec<String> {
        match (&self.beir, &self.queries, &self.qrels) {
            (Some(dir), _, _) => vec![
                "--beir".into(),
                dir.display().to_string(),
                "--split".into(),
                self.split.clone(),
            ],
            (None, Some(q), Some(r)) => vec![
                "--queries".into(),
                q.display().to_string(),
                "--qrels".into(),
                r.display().to_string(),
            ],
            _ => Vec::new(),
        }
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
    #[command(flatten)]
    pub systems: SystemArgs,
    /// The system the others are tested against [default: the first].
    #[arg(long, value_name = "SYSTEM")]
    pub baseline: Option<String>,
    /// Hits per query (and the depth fusions take from each component).
    #[arg(short = 'k', long, default_value_t = 1000, value_parser = query::parse_count)]
    pub k: usize,
    /// Write a TREC run file per system into this directory, named after the system.
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
    /// What-if query edits: with any of --drop, --weight, --prune-top, --prune-min (or a
    /// --doc-* edit), the `what-if` system runs every query with them, beside the unedited
    /// systems, and is tested against the baseline.
    #[command(flatten)]
    pub edits: EditArgs,
    #[command(flatten)]
    pub doc_edits: DocEditArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let mut notes = Vec::new();
    let (queries, qrels, title) = args.judged.load(&mut notes)?;
    let opened = systems::open(
        &args.index,
        &args.model,
        &args.systems,
        &[Leaf::Splade, Leaf::Bm25],
    )?;
    notes.extend(opened.notes);
    let mut pipeline = opened.pipeline;
    if args.edits.given() || args.doc_edits.given() {
        let edits = args.edits.edits(&pipeline.encoder)?;
        query::set_what_if(&mut pipeline, edits, &args.doc_edits, true)?;
    }
    let pipeline = &pipeline;
    check_corpus(&pipeline.index, &qrels, &mut notes)?;
    let names: Vec<String> = pipeline
        .systems()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    let baseline = match &args.baseline {
        None => 0,
        Some(b) => names.iter().position(|n| n == b).ok_or_else(|| {
            anyhow::anyhow!(
                "--baseline {b:?} is not one of the systems ({})",
                names.join(", ")
            )
        })?,
    };
    let list = queries.judged(&qrels);
    let missing_text = qrels
        .query_ids()
        .filter(|id| queries.get(id).is_none())
        .count();
    if missing_text > 0 {
        notes.push(format!(
            "{missing_text} judged queries have no text in the queries file: they score 0 \
             (except in run systems that hold them)"
        ));
    }
    let bar = ProgressBar::new(list.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} queries  {msg}  ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(names.join(", "));
    let QueryRuns { runs, costs } =
        pipeline.run_queries(&list, args.k, &mut |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();

    let options = EvalOptions::default();
    let mut evaluated = Vec::new();
    for (((spec, name), run), cost) in pipeline.systems().iter().zip(&names).zip(&runs).zip(costs) {
        let run_file = match &args.run_out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let path = dir.join(run_file_name(name));
                write_run(&path, run, &format!("spladescope-{name}"))?;
                Some(path.display().to_string())
            }
            None => None,
        };
        evaluated.push(SystemEval {
            name: name.clone(),
            description: systems::describe(pipeline, spec),
            evaluation: evaluate(run, &qrels, &options)?,
            run_file,
            cost,
        });
    }
    // The baseline goes first: pairs are the baseline against each other system.
    let first = evaluated.remove(baseline);
    evaluated.insert(0, first);
    let randomization = RandomizationOptions {
        trials: args.trials,
        ..Default::default()
    };
    let texts = |id: &str| queries.get(id).map(|q| q.text.clone()).unwrap_or_default();
    let title = format!("{title} · {} judged queries · top {}", qrels.len(), args.k);
    let report = report::Report {
        title,
        systems: evaluated,
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
