//! `spladescope retrieve`: batch retrieval with timing: a TREC run per system and each
//! system's search latency (encoding excluded).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use spladescope::eval::{load_beir, read_queries, write_run, Run};
use spladescope::index::Index;
use spladescope::search::latency::Latency;
use spladescope::search::pruned::{splade_top_k_with_stats, PruneStats};
use spladescope::search::{bm25_scores, splade_scores, top_k, Hit};
use spladescope::sparse::SparseVector;
use spladescope::vectors::{Keys, VectorOptions, VectorReader};

use super::index::VectorKeys;
use super::query::{self, QueryModelArgs};

#[derive(Debug, Args)]
pub struct RetrieveArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Queries of a BEIR folder (queries.jsonl; those judged in qrels/<split>.tsv).
    #[arg(long, conflicts_with_all = ["queries", "query_vectors"])]
    pub beir: Option<PathBuf>,
    /// The qrels split of --beir whose queries run.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Queries (BEIR queries.jsonl: _id, text), encoded here.
    #[arg(long, conflicts_with = "query_vectors")]
    pub queries: Option<PathBuf>,
    /// Query vectors encoded elsewhere, in the import format ({"id", "vector"} lines, see
    /// `index --vectors`): SPLADE only.
    #[arg(long, value_name = "QV.jsonl")]
    pub query_vectors: Option<PathBuf>,
    /// With --query-vectors: the keys are WordPiece tokens or numeric term ids.
    #[arg(long, value_enum, default_value = "tokens")]
    pub vector_keys: VectorKeys,
    /// Systems to run: splade, bm25 (repeatable).
    #[arg(long = "system", default_value = "splade")]
    pub systems: Vec<String>,
    /// Hits per query.
    #[arg(short, long, default_value_t = 10)]
    pub k: usize,
    /// How SPLADE finds its top k, exactly either way: `pruned` scores the ranges of 16
    /// documents whose impact bounds can still reach the top k, best first; `exhaustive`
    /// scores every matching document.
    #[arg(long, value_enum, default_value = "pruned")]
    pub algorithm: Algorithm,
    /// Also run exhaustive SPLADE (as `splade-exhaustive`), query by query in turn with the
    /// pruned path: report both latencies and the speed-up, and fail if any result differs.
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
    /// Best ranges first, skipping those whose bounds cannot reach the top k.
    Pruned,
    /// Score every document holding a query term.
    Exhaustive,
}

/// What runs for each query.
#[derive(Debug, Clone, Copy, PartialEq)]
enum System {
    Splade { pruned: bool },
    Bm25,
}

impl System {
    fn name(self) -> &'static str {
        match self {
            System::Splade { pruned: true } => "splade",
            System::Splade { pruned: false } => "splade-exhaustive",
            System::Bm25 => "bm25",
        }
    }
}

/// A query to run: its id, text (when known) and SPLADE vector.
struct Query {
    id: String,
    text: Option<String>,
    vector: SparseVector,
}

#[derive(Serialize)]
struct SystemReport {
    system: &'static str,
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
    /// Queries whose ranges mostly stayed live, scored exhaustively instead.
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
    hits: Vec<Hit>,
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
    /// Mean exhaustive latency over mean pruned latency (with --versus-exhaustive).
    #[serde(skip_serializing_if = "Option::is_none")]
    speedup: Option<f64>,
}

pub fn run(args: &RetrieveArgs) -> anyhow::Result<()> {
    let mut systems = Vec::new();
    for s in &args.systems {
        let system = match s.as_str() {
            "splade" => System::Splade {
                pruned: args.algorithm == Algorithm::Pruned,
            },
            "bm25" => System::Bm25,
            other => bail!(
                "retrieve runs splade and bm25; {other:?} is not one of them (eval --run-out \
                 writes runs of any system)"
            ),
        };
        if !systems.contains(&system) {
            systems.push(system);
        }
    }
    if args.versus_exhaustive {
        if !systems.contains(&(System::Splade { pruned: true })) {
            bail!(
                "--versus-exhaustive compares pruned SPLADE (--system splade, --algorithm \
                 pruned) with the exhaustive path"
            );
        }
        systems.push(System::Splade { pruned: false });
    }
    // --threads also sets how many queries run at once (each latency is one query's);
    // by default one at a time, the single-thread latency.
    let search_threads = args.model.threads.max(1);
    let encode_start = Instant::now();
    let (index, queries) = load(args, &systems)?;
    let encode_seconds = encode_start.elapsed().as_secs_f64();
    if queries.is_empty() {
        bail!("no queries to run");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(search_threads)
        .build()
        .context("cannot start the search threads")?;
    // Per query: each system's hits and time, systems in turn (so noise hits all alike).
    let results: Vec<Vec<Searched>> = pool.install(|| {
        queries
            .par_iter()
            .map(|q| {
                systems
                    .iter()
                    .map(|&s| search(&index, q, s, args.k))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    if args.versus_exhaustive {
        let (p, e) = (
            systems.len() - 1,
            systems
                .iter()
                .position(|s| *s == System::Splade { pruned: true })
                .expect("checked"),
        );
        for (q, r) in queries.iter().zip(&results) {
            let same = r[p].hits.len() == r[e].hits.len()
                && r[p]
                    .hits
                    .iter()
                    .zip(&r[e].hits)
                    .all(|(a, b)| a.doc == b.doc && a.score.to_bits() == b.score.to_bits());
            if !same {
                bail!(
                    "query {}: pruned and exhaustive results differ (please report this)",
                    q.id
                );
            }
        }
    }
    let mut reports = Vec::new();
    for (i, &system) in systems.iter().enumerate() {
        let times: Vec<Duration> = results.iter().map(|r| r[i].time).collect();
        let pruning: Vec<PruneStats> = results.iter().filter_map(|r| r[i].pruning).collect();
        let run_file = match &args.run_out {
            Some(out) => {
                let mut run = Run::new();
                for (q, r) in queries.iter().zip(&results) {
                    let mut docs = Vec::with_capacity(r[i].hits.len());
                    for h in &r[i].hits {
                        docs.push(spladescope::eval::ScoredDoc::new(
                            index.doc(h.doc)?.id,
                            f64::from(h.score),
                        ));
                    }
                    run.set(q.id.clone(), docs);
                }
                let path = run_path(out, system, systems.len())?;
                write_run(&path, &run, &format!("spladescope-{}", system.name()))?;
                Some(path.display().to_string())
            }
            None => None,
        };
        reports.push(SystemReport {
            system: system.name(),
            latency: Latency::of(&times),
            run_file,
            pruning: (!pruning.is_empty()).then(|| PruningReport::of(&pruning)),
        });
    }
    let speedup = args.versus_exhaustive.then(|| {
        let mean = |name| {
            reports
                .iter()
                .find(|r| r.system == name)
                .map_or(0.0, |r| r.latency.mean_ms)
        };
        mean("splade-exhaustive") / mean("splade").max(1e-12)
    });
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
        "{} queries · top {} · {} search thread{} · encoding took {:.1} s (not counted)",
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
                 queries kept most ranges live and were scored exhaustively",
                r.system,
                100.0 * p.mean_ranges_scored,
                p.exhaustive_queries,
                report.queries
            );
        }
    }
    if let Some(s) = report.speedup {
        println!(
            "pruned: {s:.2}× the speed of exhaustive scoring (mean latency); results identical"
        );
    }
    Ok(())
}

/// One system's hits for one query, timed.
fn search(index: &Index, q: &Query, system: System, k: usize) -> anyhow::Result<Searched> {
    let start = Instant::now();
    let mut pruning = None;
    let hits = match system {
        System::Splade { pruned: true } => {
            let (hits, stats) = splade_top_k_with_stats(index, &q.vector, k)?;
            pruning = Some(stats);
            hits
        }
        System::Splade { pruned: false } => top_k(&splade_scores(index, &q.vector)?, k),
        System::Bm25 => {
            let text = q.text.as_deref().unwrap_or_default();
            top_k(&bm25_scores(index, &index.analyzer().query_terms(text))?, k)
        }
    };
    Ok(Searched {
        hits,
        time: start.elapsed(),
        pruning,
    })
}

/// Where a system's run goes.
fn run_path(out: &Path, system: System, systems: usize) -> anyhow::Result<PathBuf> {
    if systems == 1 && !out.is_dir() {
        return Ok(out.to_path_buf());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    Ok(out.join(spladescope::system::run_file_name(system.name())))
}

/// Opens the index and reads (and encodes) the queries.
fn load(args: &RetrieveArgs, systems: &[System]) -> anyhow::Result<(Index, Vec<Query>)> {
    if let Some(path) = &args.query_vectors {
        if systems.contains(&System::Bm25) {
            bail!("bm25 needs query texts: --query-vectors gives SPLADE vectors only");
        }
        let index = Index::open(&args.index)?;
        let keys: Keys = args.vector_keys.into();
        let vocab = query::key_vocabulary(&index, keys)?;
        let options = VectorOptions {
            keys,
            ..VectorOptions::default()
        };
        let mut queries = Vec::new();
        for record in VectorReader::open(path, vocab.as_ref(), &options)? {
            let r = record?;
            queries.push(Query {
                id: r.doc.id,
                text: None,
                vector: r.vector,
            });
        }
        return Ok((index, queries));
    }
    let texts: Vec<(String, String)> = match (&args.beir, &args.queries) {
        (Some(dir), _) => {
            let split = load_beir(dir, &args.split)?;
            split
                .queries
                .iter()
                .filter(|q| split.qrels.contains_query(&q.id))
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect()
        }
        (None, Some(file)) => read_queries(file)?
            .queries
            .iter()
            .map(|q| (q.id.clone(), q.text.clone()))
            .collect(),
        (None, None) => bail!("give --beir DIR, --queries FILE or --query-vectors FILE"),
    };
    let (index, encoder) = query::open(&args.index, &args.model)?;
    let list: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
    let encoded = encoder.encode_batch(&list)?;
    let queries = texts
        .into_iter()
        .zip(encoded)
        .map(|((id, text), e)| Query {
            id,
            text: Some(text),
            vector: e.vector,
        })
        .collect();
    Ok((index, queries))
}
