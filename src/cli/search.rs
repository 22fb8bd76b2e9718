//! `spladescope search`: exact top-k with SPLADE, BM25 or both, optionally explained.

use spladescope::display::visible;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use spladescope::encoder::{Encoded, SparseEncoder};
use spladescope::index::Index;
use spladescope::search::{
    bm25_scores, explain_bm25, explain_splade, splade_scores, top_k, Bm25Explanation, RankInfo,
    SpladeExplanation, System,
};

use super::output::{paint, snippet, use_color};
use super::query::{self, EditArgs, QueryModelArgs};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The query.
    pub query: String,
    /// Number of hits.
    #[arg(short = 'k', long, default_value_t = 10, value_parser = super::query::parse_count)]
    pub k: usize,
    /// BM25 instead of SPLADE.
    #[arg(long, conflicts_with = "both")]
    pub bm25: bool,
    /// SPLADE and BM25, each hit with its rank in the other list.
    #[arg(long)]
    pub both: bool,
    /// Show each hit's per-term score contributions.
    #[arg(long)]
    pub explain: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub edits: EditArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

#[derive(Serialize)]
struct HitOut {
    rank: usize,
    id: String,
    title: String,
    score: f32,
    /// Rank in the other system's list (with --both; null when it scores 0 there).
    #[serde(skip_serializing_if = "Option::is_none")]
    other_rank: Option<Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    splade: Option<SpladeExplanation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bm25: Option<Bm25Explanation>,
}

#[derive(Serialize)]
struct ListOut {
    system: System,
    matching: usize,
    search_ms: f64,
    hits: Vec<HitOut>,
}

#[derive(Serialize)]
struct SearchOut<'a> {
    query: &'a str,
    k: usize,
    encode_ms: f64,
    results: Vec<ListOut>,
}

pub fn run(args: &SearchArgs) -> anyhow::Result<()> {
    let (index, encoder) = query::open(&args.index, &args.model)?;
    let systems: Vec<System> = if args.both {
        vec![System::Splade, System::Bm25]
    } else if args.bm25 {
        vec![System::Bm25]
    } else {
        vec![System::Splade]
    };
    let start = Instant::now();
    let mut encoded = encoder.encode(&args.query)?;
    encoded.vector = args.edits.apply(&encoder, &encoded.vector)?;
    let encode_ms = start.elapsed().as_secs_f64() * 1e3;
    let mut scored = Vec::new();
    for &system in &systems {
        let start = Instant::now();
        let scores = match system {
            System::Splade => splade_scores(&index, &encoded.vector)?,
            System::Bm25 => bm25_scores(&index, &args.query)?,
        };
        let hits = top_k(&scores, args.k);
        scored.push((system, scores, hits, start.elapsed().as_secs_f64() * 1e3));
    }
    let mut results = Vec::new();
    for (i, (system, scores, hits, ms)) in scored.iter().enumerate() {
        let other = scored.get(1 - i.min(1)).filter(|_| scored.len() == 2);
        let ctx = Ctx {
            index: &index,
            encoder: &encoder,
            encoded: &encoded,
            text: &args.query,
            k: args.k,
        };
        let mut out = Vec::new();
        for (r, hit) in hits.iter().enumerate() {
            let doc = index.doc(hit.doc)?;
            let (splade, bm25) = if args.explain {
                ctx.explain(*system, scores, hit.doc)?
            } else {
                (None, None)
            };
            out.push(HitOut {
                rank: r + 1,
                id: doc.id.to_string(),
                title: if doc.title.is_empty() {
                    snippet(doc.text, 80)
                } else {
                    doc.title.to_string()
                },
                score: hit.score,
                other_rank: other.map(|o| RankInfo::of(&o.1, hit.doc, args.k).rank),
                splade,
                bm25,
            });
        }
        results.push(ListOut {
            system: *system,
            matching: spladescope::search::matching(scores),
            search_ms: *ms,
            hits: out,
        });
    }
    let report = SearchOut {
        query: &args.query,
        k: args.k,
        encode_ms,
        results,
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        print_text(&mut stdout, &report, &index, use_color())?;
    }
    Ok(())
}

/// What explaining a hit needs.
struct Ctx<'a> {
    index: &'a Index,
    encoder: &'a SparseEncoder,
    encoded: &'a Encoded,
    text: &'a str,
    k: usize,
}

impl Ctx<'_> {
    fn explain(
        &self,
        system: System,
        scores: &[f32],
        doc: u32,
    ) -> anyhow::Result<(Option<SpladeExplanation>, Option<Bm25Explanation>)> {
        Ok(match system {
            System::Splade => (
                Some(explain_splade(
                    self.index,
                    self.encoder,
                    self.encoded,
                    scores,
                    doc,
                    self.k,
                )?),
                None,
            ),
            System::Bm25 => (
                None,
                Some(explain_bm25(self.index, self.text, scores, doc, self.k)?),
            ),
        })
    }
}

fn print_text(
    out: &mut impl Write,
    r: &SearchOut,
    index: &Index,
    color: bool,
) -> std::io::Result<()> {
    for list in &r.results {
        writeln!(
            out,
            "{}",
            paint(
                &format!(
                    "{} · {:?} · {} of {} documents match · encode {:.2} ms · search {:.2} ms",
                    list.system.name(),
                    r.query,
                    list.matching,
                    index.len(),
                    r.encode_ms,
                    list.search_ms
                ),
                "1",
                color
            )
        )?;
        if list.hits.is_empty() {
            writeln!(out, "  no document matches")?;
        }
        for h in &list.hits {
            let other = match h.other_rank {
                Some(Some(rank)) => format!("  [{} #{rank}]", other_name(list.system)),
                Some(None) => format!("  [{} —]", other_name(list.system)),
                None => String::new(),
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
            if let Some(e) = &h.splade {
                let parts = e.terms.iter().map(|t| {
                    format!(
                        "{} {:.2}×{:.2}={:.2} ({:.0}%)",
                        t.token,
                        t.query_weight,
                        t.doc_weight,
                        t.contribution,
                        t.share * 100.0
                    )
                });
                breakdown(out, parts, color)?;
            }
            if let Some(e) = &h.bm25 {
                let parts = e.terms.iter().map(|t| {
                    format!(
                        "{} tf {} idf {:.2} = {:.2} ({:.0}%)",
                        t.term,
                        t.parts.tf,
                        t.parts.idf,
                        t.parts.score,
                        t.share * 100.0
                    )
                });
                breakdown(out, parts, color)?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The six largest term contributions of a hit, on one dimmed line under it.
fn breakdown(
    out: &mut impl Write,
    parts: impl Iterator<Item = String>,
    color: bool,
) -> std::io::Result<()> {
    let line = parts.take(6).collect::<Vec<_>>().join(" · ");
    writeln!(out, "                   {}", paint(&line, "2", color))
}

fn other_name(system: System) -> &'static str {
    match system {
        System::Splade => "bm25",
        System::Bm25 => "splade",
    }
}
