//! `spladescope explain`: why a document has its score in each system (SPLADE and BM25 by
//! default) for a query, and where it ranks ("why not retrieved?").

use spladescope::display::visible;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use std::collections::BTreeMap;

use spladescope::encoder::TermKind;
use spladescope::search::{Bm25Explanation, RankInfo, SpladeExplanation};
use spladescope::system::{Explanation, Leaf, Position};

use super::output::{pad, paint, snippet, use_color};
use super::query::{EditArgs, QueryModelArgs};
use super::systems::{self, SystemArgs};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The query.
    pub query: String,
    /// The document's id (as in the corpus).
    pub doc_id: String,
    /// The cut-off for "retrieved": the gap is measured to the k-th hit (and fusions take
    /// each component's top k).
    #[arg(short = 'k', long, default_value_t = 10, value_parser = super::query::parse_count)]
    pub k: usize,
    #[command(flatten)]
    pub systems: SystemArgs,
    /// The query's id, for run systems.
    #[arg(long)]
    pub qid: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub edits: EditArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

#[derive(Serialize)]
struct ExplainOut<'a> {
    query: &'a str,
    id: &'a str,
    title: &'a str,
    /// Each system's explanation, by system name.
    #[serde(flatten)]
    systems: BTreeMap<String, Explanation>,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<()> {
    let pipeline = systems::open_for_query(
        &args.index,
        &args.model,
        &args.systems,
        &[Leaf::Splade, Leaf::Bm25],
        args.qid.as_deref(),
    )?;
    let p = &pipeline;
    // A run may rank a document the index lacks; other systems need it in the index.
    let doc = match p.index.find(&args.doc_id) {
        Ok(d) => Some(d),
        Err(e) if !p.uses_runs() => return Err(e.into()),
        Err(_) => None,
    };
    let stored = doc.map(|d| p.index.doc(d)).transpose()?;
    let edits = args.edits.edits(&p.encoder)?;
    let q = p.prepare(&args.query, args.qid.as_deref(), &edits)?;
    if let Some(e) = &q.encoded {
        EditArgs::warn_absent(&edits, &p.encoder, &e.vector);
    }
    let rankings = p.rank(&q, args.k)?;
    let mut order = Vec::new();
    let mut systems = BTreeMap::new();
    for (i, s) in p.systems().iter().enumerate() {
        let e = p.explain(i, &q, &rankings, doc, &args.doc_id, args.k)?;
        order.push(s.name().to_string());
        systems.insert(s.name().to_string(), e);
    }
    let out = ExplainOut {
        query: &args.query,
        id: &args.doc_id,
        title: stored.as_ref().map_or("", |s| s.title),
        systems,
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &out)?;
        writeln!(stdout)?;
        return Ok(());
    }
    let color = use_color();
    let w = &mut stdout;
    writeln!(
        w,
        "{}",
        paint(
            &format!("{} · {}", visible(out.id), snippet(out.title, 80)),
            "1",
            color
        )
    )?;
    writeln!(w, "query {:?}", out.query)?;
    for name in &order {
        writeln!(w)?;
        print_explanation(w, name, &out.systems[name], color)?;
    }
    Ok(())
}

/// Prints one system's explanation of a document.
pub fn print_explanation(
    w: &mut impl Write,
    name: &str,
    e: &Explanation,
    color: bool,
) -> std::io::Result<()> {
    match e {
        Explanation::Splade(x) => print_splade(w, name, x, color),
        Explanation::Bm25(x) => print_bm25(w, name, x, color),
        Explanation::Dense(x) | Explanation::Run(x) => {
            let heading = format!("{name}  {}", position_line(&x.position));
            writeln!(w, "{}", paint(&heading, "1", color))?;
            writeln!(w, "  {}", x.note)
        }
        Explanation::Fusion(x) => {
            let heading = format!("{name}  {}", position_line(&x.position));
            writeln!(w, "{}", paint(&heading, "1", color))?;
            writeln!(
                w,
                "  {:<16} {:>6} {:>12} {:>10} {:>7} {:>12} {:>7}",
                "component", "rank", "score", "normalised", "weight", "contribution", "share"
            )?;
            for part in &x.parts {
                let opt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.4}"));
                writeln!(
                    w,
                    "  {} {:>6} {:>12} {:>10} {:>7.3} {:>12.6} {:>6.1}%",
                    pad(&part.system, 16),
                    part.rank.map_or("—".to_string(), |r| format!("#{r}")),
                    opt(part.score),
                    opt(part.normalized),
                    part.weight,
                    part.contribution,
                    part.share * 100.0
                )?;
            }
            let total: f64 = x.parts.iter().map(|p| p.contribution).sum();
            writeln!(w, "  {:<16} {:>58.6}", "score", total)
        }
        Explanation::NotIndexed { why, .. } => {
            writeln!(
                w,
                "{}",
                paint(&format!("{name}  not explained"), "1", color)
            )?;
            writeln!(w, "  {why}")
        }
    }
}

fn print_splade(
    w: &mut impl Write,
    name: &str,
    x: &SpladeExplanation,
    color: bool,
) -> std::io::Result<()> {
    writeln!(
        w,
        "{}",
        paint(&format!("{name}  {}", rank_line(&x.rank)), "1", color)
    )?;
    if !x.terms.is_empty() {
        writeln!(
            w,
            "  {:<16} {:>8}   {:>8}   {:>12} {:>7}  query/doc",
            "term", "query", "doc", "contribution", "share"
        )?;
    }
    for t in &x.terms {
        writeln!(
            w,
            "  {} {:>8.4} × {:>8.4} = {:>12.4} {:>6.1}%  {}/{}",
            pad(&t.token, 16),
            t.query_weight,
            t.doc_weight,
            t.contribution,
            t.share * 100.0,
            kind(t.query_kind),
            kind(t.doc_kind)
        )?;
    }
    writeln!(w, "  {:<16} {:>34.4}", "score", x.score)?;
    if !x.missing.is_empty() {
        let lacks: Vec<String> = x
            .missing
            .iter()
            .map(|m| {
                format!(
                    "{} {:.3} ({})",
                    visible(&m.token),
                    m.query_weight,
                    kind(m.query_kind)
                )
            })
            .collect();
        writeln!(w, "  lacks (heaviest first): {}", lacks.join(", "))?;
    }
    Ok(())
}

fn print_bm25(
    w: &mut impl Write,
    name: &str,
    x: &Bm25Explanation,
    color: bool,
) -> std::io::Result<()> {
    writeln!(
        w,
        "{}",
        paint(&format!("{name}  {}", rank_line(&x.rank)), "1", color)
    )?;
    if !x.terms.is_empty() {
        writeln!(
            w,
            "  {:<16} {:>4} {:>4} {:>6} {:>8} {:>6} {:>8} {:>12} {:>7}",
            "term", "qtf", "tf", "df", "idf", "dl", "avgdl", "contribution", "share"
        )?;
    }
    for t in &x.terms {
        let p = &t.parts;
        writeln!(
            w,
            "  {} {:>4} {:>4} {:>6} {:>8.4} {:>6} {:>8.2} {:>12.4} {:>6.1}%",
            pad(&t.term, 16),
            p.qtf,
            p.tf,
            p.df,
            p.idf,
            p.dl,
            p.avgdl,
            p.score,
            t.share * 100.0
        )?;
    }
    writeln!(w, "  {:<16} {:>61.4}", "score", x.score)?;
    if !x.missing.is_empty() {
        let lacks: Vec<String> = x
            .missing
            .iter()
            .map(|m| format!("{} (df {})", visible(&m.term), m.df))
            .collect();
        writeln!(w, "  lacks (rarest first): {}", lacks.join(", "))?;
    }
    Ok(())
}

fn position_line(p: &Position) -> String {
    let rank = match p.rank {
        Some(rank) => format!("rank {rank} of {} ranked", p.matching),
        None => format!("not ranked ({} documents ranked)", p.matching),
    };
    let cut = match (p.rank, p.kth_score, p.gap) {
        (Some(rank), _, _) if rank <= p.k => format!("within the top {}", p.k),
        (_, Some(kth), Some(gap)) => format!("{gap:.4} below the #{} hit ({kth:.4})", p.k),
        _ => format!("fewer than {} documents ranked", p.k),
    };
    let score = p.score.map_or("—".to_string(), |s| format!("{s:.4}"));
    format!("· score {score} · {rank} · {cut}")
}

fn kind(k: TermKind) -> &'static str {
    match k {
        TermKind::Input => "input",
        TermKind::Expansion => "expansion",
    }
}

fn rank_line(r: &RankInfo) -> String {
    let rank = match r.rank {
        Some(rank) => format!("rank {rank} of {} matching", r.matching),
        None => format!(
            "not retrieved: no query term matches ({} documents match)",
            r.matching
        ),
    };
    let cut = match (r.rank, r.kth_score) {
        (Some(rank), _) if rank <= r.k => format!("within the top {}", r.k),
        (_, Some(kth)) => format!("{:.4} below the #{} hit ({kth:.4})", r.gap, r.k),
        (_, None) => format!("fewer than {} documents match", r.k),
    };
    format!("· score {:.4} · {rank} · {cut}", r.score)
}
