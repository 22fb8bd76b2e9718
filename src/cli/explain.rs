//! `spladescope explain`: why a document has its SPLADE and BM25 scores for a query, and
//! where it ranks ("why not retrieved?").

use spladescope::display::visible;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use spladescope::encoder::TermKind;
use spladescope::search::{
    bm25_scores, explain_bm25, explain_splade, splade_scores, Bm25Explanation, RankInfo,
    SpladeExplanation,
};

use super::output::{pad, paint, snippet, use_color};
use super::query::{self, EditArgs, QueryModelArgs};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The query.
    pub query: String,
    /// The document's id (as in the corpus).
    pub doc_id: String,
    /// The cut-off for "retrieved": the gap is measured to the k-th hit.
    #[arg(short = 'k', long, default_value_t = 10, value_parser = super::query::parse_count)]
    pub k: usize,
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
    splade: SpladeExplanation,
    bm25: Bm25Explanation,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<()> {
    let (index, encoder) = query::open(&args.index, &args.model)?;
    let doc = index.find(&args.doc_id)?;
    let stored = index.doc(doc)?;
    let mut encoded = encoder.encode(&args.query)?;
    encoded.vector = args.edits.apply(&encoder, &encoded.vector)?;
    let splade = splade_scores(&index, &encoded.vector)?;
    let bm25 = bm25_scores(&index, &args.query)?;
    let out = ExplainOut {
        query: &args.query,
        id: stored.id,
        title: stored.title,
        splade: explain_splade(&index, &encoder, &encoded, &splade, doc, args.k)?,
        bm25: explain_bm25(&index, &args.query, &bm25, doc, args.k)?,
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
    writeln!(w, "query {:?}\n", out.query)?;
    writeln!(
        w,
        "{}",
        paint(
            &format!("SPLADE  {}", rank_line(&out.splade.rank)),
            "1",
            color
        )
    )?;
    if !out.splade.terms.is_empty() {
        writeln!(
            w,
            "  {:<16} {:>8}   {:>8}   {:>12} {:>7}  query/doc",
            "term", "query", "doc", "contribution", "share"
        )?;
    }
    for t in &out.splade.terms {
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
    writeln!(w, "  {:<16} {:>34.4}", "score", out.splade.score)?;
    if !out.splade.missing.is_empty() {
        let lacks: Vec<String> = out
            .splade
            .missing
            .iter()
            .map(|m| format!("{} {:.3} ({})", m.token, m.query_weight, kind(m.query_kind)))
            .collect();
        writeln!(w, "  lacks (heaviest first): {}", lacks.join(", "))?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        paint(&format!("BM25  {}", rank_line(&out.bm25.rank)), "1", color)
    )?;
    if !out.bm25.terms.is_empty() {
        writeln!(
            w,
            "  {:<16} {:>4} {:>4} {:>6} {:>8} {:>6} {:>8} {:>12} {:>7}",
            "term", "qtf", "tf", "df", "idf", "dl", "avgdl", "contribution", "share"
        )?;
    }
    for t in &out.bm25.terms {
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
    writeln!(w, "  {:<16} {:>61.4}", "score", out.bm25.score)?;
    if !out.bm25.missing.is_empty() {
        let lacks: Vec<String> = out
            .bm25
            .missing
            .iter()
            .map(|m| format!("{} (df {})", m.term, m.df))
            .collect();
        writeln!(w, "  lacks (rarest first): {}", lacks.join(", "))?;
    }
    Ok(())
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
