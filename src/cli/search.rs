//! `spladescope search`: exact top-k with any systems (SPLADE by default), each hit with its
//! rank in the other systems, optionally explained.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use spladescope::display::visible;
use spladescope::encoder::QueryEncoding;
use spladescope::system::{Explanation, Leaf, SystemSpec};

use super::output::{paint, snippet, use_color};
use super::query::{self, DocEditArgs, EditArgs, QueryModelArgs};
use super::systems::{self, SystemArgs};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The query.
    pub query: String,
    /// Number of hits (and the depth fusions take from each component).
    #[arg(short = 'k', long, default_value_t = 10, value_parser = super::query::parse_count)]
    pub k: usize,
    /// BM25 instead of SPLADE (as --system bm25).
    #[arg(long, conflicts_with_all = ["both", "systems"])]
    pub bm25: bool,
    /// SPLADE and BM25 (as --system splade --system bm25).
    #[arg(long, conflicts_with = "systems")]
    pub both: bool,
    #[command(flatten)]
    pub systems: SystemArgs,
    /// The query's id, for run systems (a run's results are looked up by query id).
    #[arg(long)]
    pub qid: Option<String>,
    /// Explain each hit's score in its system (per-term parts; per component for fusions).
    #[arg(long)]
    pub explain: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub edits: EditArgs,
    #[command(flatten)]
    pub doc_edits: DocEditArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

#[derive(Serialize)]
struct HitOut {
    rank: usize,
    id: String,
    title: String,
    #[serde(serialize_with = "spladescope::system::ranking::serialize_score")]
    score: f64,
    /// Rank in each other system (null: it does not rank the document).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    other_ranks: BTreeMap<String, Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation>,
}

#[derive(Serialize)]
struct ListOut {
    system: String,
    matching: usize,
    /// False when a run system has no results for the query.
    has_query: bool,
    search_ms: f64,
    hits: Vec<HitOut>,
}

#[derive(Serialize)]
struct SearchOut<'a> {
    query: &'a str,
    k: usize,
    encode_ms: f64,
    /// How the query was encoded: `model`, or inference-free `idf` / `ones`.
    query_encoder: QueryEncoding,
    results: Vec<ListOut>,
}

pub fn run(args: &SearchArgs) -> anyhow::Result<()> {
    let default: &[Leaf] = if args.both {
        &[Leaf::Splade, Leaf::Bm25]
    } else if args.bm25 {
        &[Leaf::Bm25]
    } else {
        &[Leaf::Splade]
    };
    let mut pipeline = systems::open_for_query(
        &args.index,
        &args.model,
        &args.systems,
        default,
        args.qid.as_deref(),
    )?;
    let edits = query::edit_pipeline(&mut pipeline, &args.edits, &args.doc_edits)?;
    let p = &pipeline;
    let q = p.prepare(&args.query, args.qid.as_deref(), &edits)?;
    if let Some(e) = &q.encoded {
        EditArgs::warn_absent(&edits, &p.encoder, &e.vector);
    }
    let encode_ms = (q.encode_time + q.encode_b_time + q.dense_time).as_secs_f64() * 1e3;
    let rankings = p.rank(&q, args.k)?;
    let names: Vec<&str> = p.systems().iter().map(SystemSpec::name).collect();
    let mut results = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (ranking, time) = rankings.get_timed(p, i);
        let mut hits = Vec::new();
        for (r, hit) in ranking.hits.iter().enumerate() {
            let stored = hit.doc.map(|d| p.index.doc(d)).transpose()?;
            let title = match &stored {
                Some(s) if !s.title.is_empty() => s.title.to_string(),
                Some(s) => snippet(s.text, 80),
                None => "(not in the index)".to_string(),
            };
            let other_ranks = names
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(j, other)| {
                    let rank = hit.doc.and_then(|d| rankings.get(p, j).rank_of(d));
                    (other.to_string(), rank)
                })
                .collect();
            let explanation = if args.explain {
                Some(p.explain(i, &q, &rankings, hit.doc, &hit.id, args.k)?)
            } else {
                None
            };
            hits.push(HitOut {
                rank: r + 1,
                id: hit.id.clone(),
                title,
                score: hit.score,
                other_ranks,
                explanation,
            });
        }
        results.push(ListOut {
            system: name.to_string(),
            matching: ranking.matching,
            has_query: ranking.has_query,
            search_ms: time.as_secs_f64() * 1e3,
            hits,
        });
    }
    let report = SearchOut {
        query: &args.query,
        k: args.k,
        encode_ms,
        query_encoder: p.encoder.query_encoding(),
        results,
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        print_text(&mut stdout, &report, p.index.len(), use_color())?;
    }
    Ok(())
}

fn print_text(
    out: &mut impl Write,
    r: &SearchOut,
    documents: usize,
    color: bool,
) -> std::io::Result<()> {
    for list in &r.results {
        writeln!(
            out,
            "{}",
            paint(
                &format!(
                    "{} · {:?} · {} of {} documents ranked · encode {:.2} ms{} · search {:.2} ms",
                    list.system,
                    r.query,
                    list.matching,
                    documents,
                    r.encode_ms,
                    if r.query_encoder.inference_free() {
                        format!(" ({} query encoder)", r.query_encoder)
                    } else {
                        String::new()
                    },
                    list.search_ms
                ),
                "1",
                color
            )
        )?;
        if !list.has_query {
            writeln!(out, "  the run has no results for this query id")?;
        } else if list.hits.is_empty() {
            writeln!(out, "  no document matches")?;
        }
        for h in &list.hits {
            let other: Vec<String> = h
                .other_ranks
                .iter()
                .map(|(name, rank)| match rank {
                    Some(rank) => format!("{name} #{rank}"),
                    None => format!("{name} —"),
                })
                .collect();
            let other = if other.is_empty() {
                String::new()
            } else {
                format!("  [{}]", other.join(" · "))
            };
            writeln!(
                out,
                "{:>5}  {:>9.4}  {:<12} {}{}",
                h.rank,
                h.score,
                visible(&h.id),
                snippet(&h.title, 70),
                paint(&other, "2", color)
            )?;
            if let Some(e) = &h.explanation {
                breakdown(out, e, color)?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A hit's six largest parts on one dimmed line under it.
fn breakdown(out: &mut impl Write, e: &Explanation, color: bool) -> std::io::Result<()> {
    let parts: Vec<String> = match e {
        Explanation::Splade(e) => e
            .terms
            .iter()
            .map(|t| {
                format!(
                    "{} {:.2}×{:.2}={:.2} ({:.0}%)",
                    visible(&t.token),
                    t.query_weight,
                    t.doc_weight,
                    t.contribution,
                    t.share * 100.0
                )
            })
            .collect(),
        Explanation::Profile(e) => e
            .terms
            .iter()
            .map(|t| {
                format!(
                    "{} {:.4}→{:.4} ({:+.4})",
                    visible(&t.token),
                    t.exact,
                    t.engine,
                    t.difference
                )
            })
            .collect(),
        Explanation::Bm25(e) => e
            .terms
            .iter()
            .map(|t| {
                format!(
                    "{} tf {} idf {:.2} = {:.2} ({:.0}%)",
                    visible(&t.term),
                    t.parts.tf,
                    t.parts.idf,
                    t.parts.score,
                    t.share * 100.0
                )
            })
            .collect(),
        Explanation::Fusion(e) => e
            .parts
            .iter()
            .map(|p| {
                let rank = p.rank.map_or("—".to_string(), |r| format!("#{r}"));
                format!(
                    "{} {rank} → {:.4} ({:.0}%)",
                    p.system,
                    p.contribution,
                    p.share * 100.0
                )
            })
            .collect(),
        Explanation::Dense(e) | Explanation::Run(e) => vec![e.note.to_string()],
        Explanation::NotIndexed { why, .. } => vec![why.clone()],
    };
    let line = parts.into_iter().take(6).collect::<Vec<_>>().join(" · ");
    writeln!(out, "                   {}", paint(&line, "2", color))
}
