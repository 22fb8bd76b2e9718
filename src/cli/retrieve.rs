//! `spladescope retrieve`: batch retrieval with timing: a TREC run per system and each
//! system's search latency (query encoding and analysis excluded).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use spladescope::eval::{write_run, Run, ScoredDoc};
use spladescope::index::Index;
use spladescope::search::latency::Latency;
use spladescope::search::pruned::{splade_top_k_with_stats, PruneStats};
use spladescope::search::{bm25_scores, bm25_top_k, splade_scores, top_k, Hit, QueryEdits};
use spladescope::sparse::SparseVector;
use spladescope::system::{Leaf, Pipeline, Prepared, SystemSpec};

use super::query::{QueryModelArgs, QuerySetArgs};
use super::systems::{self, SystemArgs};

#[derive(Debug, Args)]
pub struct RetrieveArgs {
    /// The index directory.
    pub index: PathBuf,
    #[command(flatten)]
    pub query_set: QuerySetArgs,
    /// Systems (default: splade). SPLADE and BM25 are searched here (SPLADE as
    /// --algorithm says); any other system through the same pipeline as `eval`, its
    /// latency covering all of its leaves' searches and the fusion.
    #[command(flatten)]
    pub systems: SystemArgs,
    /// Hits per query.
    #[arg(short, long, default_value_t = 10)]
    pub k: usize,
    /// How SPLADE and BM25 find their top k, exactly either way: `pruned` skips what the
    /// bounds show cannot reach the top k (SPLADE: ranges of 16 documents, best first,
    /// unless too many ranges stay alive; BM25: block-max MaxScore for short queries at
    /// small k); `exhaustive` scores every matching document.
    #[arg(long, value_enum, default_value = "pruned")]
    pub algorithm: Algorithm,
    /// Also run the exhaustive path of pruned SPLADE and BM25 (as `splade-exhaustive`,
    /// `bm25-exhaustive`), query by query in turn with the pruned one: report both
    /// latencies and the speed-ups, and fail if any result differs.
    #[arg(long)]
    pub versus_exhaustive: bool,
    /// Write the TREC run here: a file for one system, a directory (one file per system)
    /// for several.
    #[arg(long)]
    pub run_out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

/// `--algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// Skip what the bounds show cannot reach the top k.
    Pruned,
    /// Score every document holding a query term.
    Exhaustive,
}

/// What runs for each query.
#[derive(Debug, Clone, PartialEq)]
enum System {
    Splade {
        pruned: bool,
    },
    Bm25 {
        pruned: bool,
    },
    /// System `at` of the pipeline (dense, splade-b, runs, fusions).
    Other {
        at: usize,
        name: String,
    },
}

impl System {
    fn name(&self) -> &str {
        match self {
            System::Splade { pruned: true } => "splade",
            System::Splade { pruned: false } => "splade-exhaustive",
            System::Bm25 { pruned: true } => "bm25",
            System::Bm25 { pruned: false } => "bm25-exhaustive",
            System::Other { name, .. } => name,
        }
    }
}

/// A query to run: its id, SPLADE vector (empty when SPLADE does not run) and, for text
/// queries, what the pipeline prepared (its analysed BM25 terms, the other encodings).
struct Query {
    id: String,
    vector: SparseVector,
    prepared: Option<Prepared>,
}

#[derive(Serialize)]
struct SystemReport {
    system: String,
    latency: Latency,
    run_file: Option<String>,
    /// What pruning did (pruned SPLADE only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pruning: Option<PruningReport>,
}

/// What the pruned path did over all queries.
#[derive(Serialize)]
struct PruningReport {
    /// Mean share of the ranges holding a query term that were scored.
    mean_ranges_scored: f64,
    /// Queries whose live ranges held too many term entries for their postings, scored
    /// exhaustively instead.
    exhaustive_queries: usize,
}

impl PruningReport {
    fn of(stats: &[PruneStats]) -> Self {
        let share = |s: &PruneStats| {
            if s.exhaustive {
                1.0
            } else {
                s.scored as f64 / s.ranges.max(1) as f64
            }
        };
        Self {
            mean_ranges_scored: stats.iter().map(share).sum::<f64>() / stats.len().max(1) as f64,
            exhaustive_queries: stats.iter().filter(|s| s.exhaustive).count(),
        }
    }
}

/// One system's hits for one query, the time the search took, and what pruning did.
struct Searched {
    hits: Vec<ScoredDoc>,
    time: Duration,
    pruning: Option<PruneStats>,
}

#[derive(Serialize)]
struct Report {
    index: String,
    queries: usize,
    k: usize,
    search_threads: usize,
    encode_seconds: f64,
    systems: Vec<SystemReport>,
    /// Per pruned system, its exhaustive twin's mean latency over its own (with
    /// --versus-exhaustive).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    speedup: BTreeMap<String, f64>,
}

pub fn run(args: &RetrieveArgs) -> anyhow::Result<()> {
    let pruned = args.algorithm == Algorithm::Pruned;
    // --threads also sets how many queries run at once (each latency is one query's);
    // by default one at a time, the single-thread latency.
    let search_threads = args.model.threads.max(1);
    let encode_start = Instant::now();
    let (source, queries) = load(args)?;
    let encode_seconds = encode_start.elapsed().as_secs_f64();
    let (index, pipeline) = (source.index(), source.pipeline());
    let mut systems: Vec<System> = Vec::new();
    let specs = match pipeline {
        Some(p) => p.systems().to_vec(),
        None => vec![SystemSpec::Leaf(Leaf::Splade)],
    };
    for (at, spec) in specs.iter().enumerate() {
        let system = match spec {
            SystemSpec::Leaf(Leaf::Splade) => System::Splade { pruned },
            SystemSpec::Leaf(Leaf::Bm25) => System::Bm25 { pruned },
            other => System::Other {
                at,
                name: other.name().to_string(),
            },
        };
        if !systems.contains(&system) {
            systems.push(system);
        }
    }
    // (pruned, exhaustive) positions in `systems`.
    let mut pairs = Vec::new();
    if args.versus_exhaustive {
        for twin in [
            System::Splade { pruned: false },
            System::Bm25 { pruned: false },
        ] {
            let of = match twin {
                System::Splade { .. } => System::Splade { pruned: true },
                _ => System::Bm25 { pruned: true },
            };
            if let Some(p) = systems.iter().position(|s| *s == of) {
                pairs.push((p, systems.len()));
                systems.push(twin);
            }
        }
        if pairs.is_empty() {
            bail!(
                "--versus-exhaustive compares pruned SPLADE or BM25 (--system splade or \
                 --system bm25, --algorithm pruned) with the exhaustive path"
            );
        }
    }
    if queries.is_empty() {
        bail!("no queries to run");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(search_threads)
        .build()
        .context("cannot start the search threads")?;
    // Per query: each system's hits and time, systems in turn (so noise hits all alike),
    // in reverse order every other query (so no system always finds the postings the
    // one before it read in the cache).
    let results: Vec<Vec<Searched>> = pool.install(|| {
        queries
            .par_iter()
            .enumerate()
            .map(|(i, q)| {
                let mut order: Vec<usize> = (0..systems.len()).collect();
                if i % 2 == 1 {
                    order.reverse();
                }
                let mut out: Vec<Option<Searched>> = (0..systems.len()).map(|_| None).collect();
                for s in order {
                    out[s] = Some(search(index, pipeline, q, &systems[s], args.k)?);
                }
                Ok(out.into_iter().flatten().collect())
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    for &(p, e) in &pairs {
        for (q, r) in queries.iter().zip(&results) {
            let same = r[p].hits.len() == r[e].hits.len()
                && r[p]
                    .hits
                    .iter()
                    .zip(&r[e].hits)
                    .all(|(a, b)| a.docid == b.docid && a.score.to_bits() == b.score.to_bits());
            if !same {
                bail!(
                    "query {}: pruned and exhaustive {} results differ (please report this)",
                    q.id,
                    systems[p].name()
                );
            }
        }
    }
    let mut reports = Vec::new();
    for (i, system) in systems.iter().enumerate() {
        let times: Vec<Duration> = results.iter().map(|r| r[i].time).collect();
        let pruning: Vec<PruneStats> = results.iter().filter_map(|r| r[i].pruning).collect();
        let run_file = match &args.run_out {
            Some(out) => {
                let mut run = Run::new();
                for (q, r) in queries.iter().zip(&results) {
                    run.set(q.id.clone(), r[i].hits.clone());
                }
                let path = run_path(out, system, systems.len())?;
                write_run(&path, &run, &format!("spladescope-{}", system.name()))?;
                Some(path.display().to_string())
            }
            None => None,
        };
        reports.push(SystemReport {
            system: system.name().to_string(),
            latency: Latency::of(&times),
            run_file,
            pruning: (!pruning.is_empty()).then(|| PruningReport::of(&pruning)),
        });
    }
    let speedup = pairs
        .iter()
        .map(|&(p, e)| {
            let (pruned, exhaustive) = (&reports[p], &reports[e]);
            let ratio = exhaustive.latency.mean_ms / pruned.latency.mean_ms.max(1e-12);
            (pruned.system.clone(), ratio)
        })
        .collect();
    let report = Report {
        index: args.index.display().to_string(),
        queries: queries.len(),
        k: args.k,
        search_threads,
        encode_seconds,
        systems: reports,
        speedup,
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    println!(
        "{} queries · top {} · {} search thread{} · encoding and analysis took {:.1} s (not counted)",
        report.queries,
        report.k,
        report.search_threads,
        if report.search_threads == 1 { "" } else { "s" },
        report.encode_seconds
    );
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>9} {:>9}  run",
        "system", "mean ms", "p50", "p95", "p99", "max"
    );
    for r in &report.systems {
        let l = &r.latency;
        println!(
            "{:<20} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}  {}",
            r.system,
            l.mean_ms,
            l.p50_ms,
            l.p95_ms,
            l.p99_ms,
            l.max_ms,
            r.run_file.as_deref().unwrap_or("-")
        );
    }
    for r in &report.systems {
        if let Some(p) = &r.pruning {
            println!(
                "{}: scored {:.1}% of the ranges holding a query term on average; {} of {} \
                 queries were scored exhaustively (their live ranges held many term entries for their postings)",
                r.system,
                100.0 * p.mean_ranges_scored,
                p.exhaustive_queries,
                report.queries
            );
        }
    }
    for (system, s) in &report.speedup {
        println!(
            "{system}: pruned {s:.2}× the speed of exhaustive scoring (mean latency); results \
             identical"
        );
    }
    Ok(())
}

/// One system's hits for one query, timed (the search alone: hits are named after).
fn search(
    index: &Index,
    pipeline: Option<&Pipeline>,
    q: &Query,
    system: &System,
    k: usize,
) -> anyhow::Result<Searched> {
    let named = |hits: Vec<Hit>| -> anyhow::Result<Vec<ScoredDoc>> {
        hits.iter()
            .map(|h| Ok(ScoredDoc::new(index.doc(h.doc)?.id, f64::from(h.score))))
            .collect()
    };
    let start = Instant::now();
    let (hits, time, pruning) = match system {
        System::Splade { pruned: true } => {
            let (hits, stats) = splade_top_k_with_stats(index, &q.vector, k)?;
            let time = start.elapsed();
            (named(hits)?, time, Some(stats))
        }
        System::Splade { pruned: false } => {
            let hits = top_k(&splade_scores(index, &q.vector)?, k);
            let time = start.elapsed();
            (named(hits)?, time, None)
        }
        System::Bm25 { pruned } => {
            let terms = q.prepared.as_ref().map_or(&[][..], |p| &p.bm25[..]);
            let hits = if *pruned {
                bm25_top_k(index, terms, k)?
            } else {
                top_k(&bm25_scores(index, terms)?, k)
            };
            let time = start.elapsed();
            (named(hits)?, time, None)
        }
        System::Other { at, .. } => {
            let (Some(pipeline), Some(prepared)) = (pipeline, &q.prepared) else {
                bail!("{} needs query texts", system.name());
            };
            let rankings = pipeline.rank_systems(prepared, k, &[*at])?;
            let time = start.elapsed();
            let hits = rankings
                .get(pipeline, *at)
                .hits
                .iter()
                .map(|h| ScoredDoc::new(h.id.clone(), h.score))
                .collect();
            (hits, time, None)
        }
    };
    Ok(Searched {
        hits,
        time,
        pruning,
    })
}

/// Where a system's run goes.
fn run_path(out: &Path, system: &System, systems: usize) -> anyhow::Result<PathBuf> {
    if systems == 1 && !out.is_dir() {
        return Ok(out.to_path_buf());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    Ok(out.join(spladescope::system::run_file_name(system.name())))
}

/// Opens the index (and, for text queries, the pipeline of the systems) and reads and
/// encodes the queries.
fn load(args: &RetrieveArgs) -> anyhow::Result<(Source, Vec<Query>)> {
    if args.query_set.query_vectors.is_some() {
        let specs = &args.systems.systems;
        if specs.contains(&SystemSpec::Leaf(Leaf::Bm25)) {
            bail!("bm25 needs query texts: --query-vectors gives SPLADE vectors only");
        }
        if let Some(other) = specs.iter().find(|s| **s != SystemSpec::Leaf(Leaf::Splade)) {
            bail!(
                "--query-vectors gives SPLADE vectors only: {} needs query texts (--queries \
                 or --beir)",
                other.name()
            );
        }
        if args.systems.compare.is_some() {
            bail!("--query-vectors gives SPLADE vectors only: --compare needs query texts");
        }
        let index = Index::open(&args.index)?;
        let queries = args
            .query_set
            .vectors(&index)?
            .unwrap_or_default()
            .into_iter()
            .map(|(id, vector)| Query {
                id,
                vector,
                prepared: None,
            })
            .collect();
        return Ok((Source::Index(Box::new(index)), queries));
    }
    let texts = args.query_set.texts()?;
    let opened = systems::open(&args.index, &args.model, &args.systems, &[Leaf::Splade])?;
    for note in &opened.notes {
        eprintln!("spladescope: note: {note}");
    }
    let pipeline = opened.pipeline;
    let list: Vec<(&str, &str)> = texts
        .iter()
        .map(|(id, t)| (id.as_str(), t.as_str()))
        .collect();
    let prepared = pipeline.prepare_batch(&list, &QueryEdits::default())?;
    let queries = texts
        .into_iter()
        .zip(prepared)
        .map(|((id, _), p)| Query {
            id,
            vector: p
                .encoded
                .as_ref()
                .map(|e| e.vector.clone())
                .unwrap_or_default(),
            prepared: Some(p),
        })
        .collect();
    Ok((Source::Pipeline(Box::new(pipeline)), queries))
}

/// What the queries run against: the index alone (query vectors), or the pipeline of the
/// systems (text queries).
enum Source {
    Index(Box<Index>),
    Pipeline(Box<Pipeline>),
}

impl Source {
    fn index(&self) -> &Index {
        match self {
            Source::Index(index) => index,
            Source::Pipeline(p) => &p.index,
        }
    }

    fn pipeline(&self) -> Option<&Pipeline> {
        match self {
            Source::Index(_) => None,
            Source::Pipeline(p) => Some(p),
        }
    }
}
