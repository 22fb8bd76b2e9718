//! `--system`: the retrieval systems a command runs, and opening the pipeline behind them.

use std::path::{Path, PathBuf};

use clap::Args;

use spladescope::system::{Leaf, Pipeline, SecondIndex, SystemSpec};

use super::query::{self, QueryModelArgs};

/// The systems to run.
#[derive(Debug, Clone, Default, Args)]
pub struct SystemArgs {
    /// A retrieval system (repeatable): splade, splade-b (the --compare index), what-if
    /// (SPLADE with the query and --doc-* edits), bm25, dense (the index's dense part,
    /// `index --dense`), splade@ENGINE (SPLADE scored as an engine scores it:
    /// elasticsearch[:prune[:R:W]], opensearch[:two-phase[:P:E:M]], qdrant,
    /// qdrant-float16, qdrant-uint8, anserini[:S], pisa[:BITS[:M]], bmp), run:NAME=FILE (a
    /// TREC run, or an engine's JSON results with query-ids.txt beside it), rrf:A+B[:K]
    /// (reciprocal rank fusion, K = 60), linear:A+B:ALPHA[:minmax|:zscore] (ALPHA weighs A;
    /// min–max by default). Fusions take each component's top -k (in the explorer: the
    /// hits per list). The explorer always loads splade, bm25 (and splade-b with
    /// --compare), adds these, and `<` / `>` pick the systems of its two lists; a run
    /// answers judged queries (opened from Evaluate).
    #[arg(long = "system", value_name = "SYSTEM", value_parser = parse_system)]
    pub systems: Vec<SystemSpec>,
    /// A second index of the same corpus, built with another checkpoint: the `splade-b`
    /// system, searched with the model it was built with (in the explorer, also the
    /// Compare view).
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    /// Accept a --compare index of another corpus (by default refused).
    #[arg(long, requires = "compare")]
    pub allow_corpus_mismatch: bool,
}

pub fn parse_system(s: &str) -> Result<SystemSpec, String> {
    SystemSpec::parse(s).map_err(|e| match e {
        spladescope::system::SystemError::Spec { why, .. } => why,
        other => other.to_string(),
    })
}

/// An open pipeline and what opening it noticed.
pub struct Opened {
    pub pipeline: Pipeline,
    pub notes: Vec<String>,
}

/// Opens the index with its query model and whatever the systems need (the --compare
/// index, the dense model, run files); `default` when no --system is given.
pub fn open(
    index_dir: &Path,
    model: &QueryModelArgs,
    args: &SystemArgs,
    default: &[Leaf],
) -> anyhow::Result<Opened> {
    let (index, encoder) = query::open(index_dir, model)?;
    let mut pipeline = Pipeline::new(index, encoder);
    let mut notes = Vec::new();
    let mut systems = args.systems.clone();
    if systems.is_empty() {
        systems = default.iter().cloned().map(SystemSpec::Leaf).collect();
        if args.compare.is_some() && !systems.contains(&SystemSpec::Leaf(Leaf::SpladeB)) {
            systems.push(SystemSpec::Leaf(Leaf::SpladeB));
        }
    }
    if let Some(dir) = &args.compare {
        let b = query::open_compare(dir, model, &pipeline.index, args.allow_corpus_mismatch)?;
        if let Some(reason) = b.corpus_difference {
            notes.push(format!("--compare indexes another corpus: {reason}"));
        }
        pipeline.b = Some(SecondIndex::new(&pipeline.index, b.index, b.encoder)?);
    }
    pipeline.load_resources(&systems, model.threads, model.allow_model_mismatch)?;
    pipeline.set_systems(systems)?;
    Ok(Opened { pipeline, notes })
}

/// [`open`] for one query (`search`, `explain`): notes go to stderr, and run systems need
/// the query's id.
pub fn open_for_query(
    index_dir: &Path,
    model: &QueryModelArgs,
    args: &SystemArgs,
    default: &[Leaf],
    qid: Option<&str>,
) -> anyhow::Result<Pipeline> {
    let opened = open(index_dir, model, args, default)?;
    for note in &opened.notes {
        eprintln!("spladescope: note: {note}");
    }
    if opened.pipeline.uses_runs() && qid.is_none() {
        anyhow::bail!("run systems look results up by query id: give --qid ID");
    }
    Ok(opened.pipeline)
}

/// A one-line description of a system for reports.
/// `", idf query encoder"` for an inference-free query encoder, else nothing.
fn query_encoder_note(encoder: &spladescope::encoder::SparseEncoder) -> String {
    let e = encoder.query_encoding();
    if e.inference_free() {
        format!(", {e} query encoder")
    } else {
        String::new()
    }
}

/// The what-if system's edits in words: `SPLADE what-if: drop alzheimer; documents
/// parkinson ×0 where an expansion`.
fn describe_what_if(pipeline: &Pipeline) -> String {
    let token = |id: u32| pipeline.encoder.token(id).to_string();
    format!("SPLADE what-if: {}", pipeline.what_if.describe(&token))
}

pub fn describe(pipeline: &Pipeline, spec: &SystemSpec) -> String {
    let index = &pipeline.index;
    let dir = index.dir().display();
    match spec {
        SystemSpec::Leaf(Leaf::Splade) => format!(
            "SPLADE {}{} ({dir})",
            index.manifest().model.id,
            query_encoder_note(&pipeline.encoder)
        ),
        SystemSpec::Leaf(Leaf::SpladeB) => match &pipeline.b {
            Some(b) => format!(
                "SPLADE {}{} ({})",
                b.index.manifest().model.id,
                query_encoder_note(&b.encoder),
                b.index.dir().display()
            ),
            None => "SPLADE-B".into(),
        },
        SystemSpec::Leaf(Leaf::Bm25) => format!(
            "BM25 k1 {} b {} ({dir})",
            index.manifest().bm25.k1,
            index.manifest().bm25.b
        ),
        SystemSpec::Leaf(Leaf::Dense) => match &index.manifest().dense {
            Some(d) => format!(
                "dense {} ({} pooling{}, {dir})",
                d.model.id,
                d.pooling.name(),
                if d.normalize { ", normalised" } else { "" }
            ),
            None => "dense".into(),
        },
        SystemSpec::Leaf(Leaf::WhatIf) => describe_what_if(pipeline),
        SystemSpec::Leaf(leaf @ Leaf::Profile(_)) => match leaf.profile() {
            Some(profile) => format!("SPLADE as {} ({dir})", profile.describe()),
            None => leaf.name().to_string(),
        },
        SystemSpec::Leaf(Leaf::Run(name)) => format!("run {name}"),
        SystemSpec::RunFile { path, .. } => format!("run file {}", path.display()),
        SystemSpec::Fused { fusion, a, b, .. } => match fusion {
            spladescope::system::Fusion::Rrf { k } => {
                format!(
                    "reciprocal rank fusion of {} and {} (k {k})",
                    a.name(),
                    b.name()
                )
            }
            spladescope::system::Fusion::Linear {
                alpha,
                normalization,
            } => format!(
                "{alpha}·{} + {}·{} ({} normalised)",
                a.name(),
                ((1.0 - alpha) * 1e9).round() / 1e9,
                b.name(),
                match normalization {
                    spladescope::system::Normalization::MinMax => "min–max",
                    spladescope::system::Normalization::ZScore => "z-score",
                }
            ),
        },
    }
}
