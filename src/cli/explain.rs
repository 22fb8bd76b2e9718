//! `spladescope explain`: why a document has its score in each system (SPLADE and BM25 by
//! default) for a query, and where it ranks ("why not retrieved?").

use spladescope::display::visible;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use std::collections::BTreeMap;

use spladescope::profile::ProfileExplanation;
use spladescope::search::explain::SpladeTermRow;
use spladescope::search::{
    Bm25Explanation, DocumentSources, RankInfo, SpladeComparison, SpladeExplanation,
};
use spladescope::system::{Explanation, Leaf, Position, SystemSpec};

use super::explain_compare;
use super::output::{pad, paint, snippet, use_color};
use super::query::{self, DocEditArgs, EditArgs, QueryModelArgs};
use super::systems::{self, SystemArgs};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The query.
    pub query: String,
    /// The document's id (as in the corpus).
    pub doc_id: String,
    /// A second document: both side by side, SPLADE term by term with the difference of
    /// each contribution ("why does DOC_B beat DOC_ID?").
    pub doc_b: Option<String>,
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
    pub doc_edits: DocEditArgs,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

/// `explain … DOC_A DOC_B`: both documents in every system, and SPLADE side by side.
#[derive(Serialize)]
struct PairOut<'a> {
    query: &'a str,
    a: DocOut<'a>,
    b: DocOut<'a>,
    /// SPLADE term by term (`delta` = B − A).
    splade_pair: Option<SpladeComparison>,
    /// Each system's explanation of each document, by system name.
    systems: BTreeMap<String, [Explanation; 2]>,
}

#[derive(Serialize)]
struct DocOut<'a> {
    id: &'a str,
    title: String,
}

#[derive(Serialize)]
struct ExplainOut<'a> {
    query: &'a str,
    id: &'a str,
    title: &'a str,
    /// Why the document's term sources (`doc_source`) are missing, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    doc_sources_unavailable: Option<String>,
    /// With `--compare`: the document under checkpoint A and B, term by term (`delta` =
    /// B − A).
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint_move: Option<SpladeComparison>,
    /// Each system's explanation, by system name.
    #[serde(flatten)]
    systems: BTreeMap<String, Explanation>,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<()> {
    let mut pipeline = systems::open_for_query(
        &args.index,
        &args.model,
        &args.systems,
        &[Leaf::Splade, Leaf::Bm25],
        args.qid.as_deref(),
    )?;
    let edits = query::edit_pipeline(&mut pipeline, &args.edits, &args.doc_edits)?;
    let p = &pipeline;
    // A run may rank a document the index lacks; other systems need it in the index.
    let doc = match p.index.find(&args.doc_id) {
        Ok(d) => Some(d),
        Err(e) if !p.uses_runs() => return Err(e.into()),
        Err(_) => None,
    };
    let stored = doc.map(|d| p.index.doc(d)).transpose()?;
    let q = p.prepare(&args.query, args.qid.as_deref(), &edits)?;
    if let Some(e) = &q.encoded {
        EditArgs::warn_absent(&edits, &p.encoder, &e.vector);
    }
    let rankings = p.rank(&q, args.k)?;
    if let Some(doc_b) = &args.doc_b {
        return run_pair(args, p, &q, &rankings, doc_b);
    }
    let splade_systems = [Leaf::Splade, Leaf::SpladeB].map(SystemSpec::Leaf);
    let checkpoint_move = match doc {
        Some(_) if splade_systems.iter().all(|s| p.systems().contains(s)) => {
            Some(p.explain_checkpoints(&q, &rankings, &args.doc_id, args.k)?)
        }
        _ => None,
    };
    let mut order = Vec::new();
    let mut systems = BTreeMap::new();
    // Where the document's terms came from: the document encoded again (index A's SPLADE).
    let doc_sources = match doc {
        Some(d) if p.systems().contains(&SystemSpec::Leaf(Leaf::Splade)) => {
            Some(DocumentSources::of(&p.index, &p.encoder, d)?)
        }
        _ => None,
    };
    for (i, s) in p.systems().iter().enumerate() {
        let mut e = p.explain(i, &q, &rankings, doc, &args.doc_id, args.k)?;
        if let (SystemSpec::Leaf(Leaf::Splade), Explanation::Splade(x), Some(Ok(sources))) =
            (s, &mut e, &doc_sources)
        {
            sources.attach(x);
        }
        order.push(s.name().to_string());
        systems.insert(s.name().to_string(), e);
    }
    let out = ExplainOut {
        query: &args.query,
        id: &args.doc_id,
        title: stored.as_ref().map_or("", |s| s.title),
        doc_sources_unavailable: doc_sources.and_then(|s| s.err()),
        checkpoint_move,
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
    if let Some(why) = &out.doc_sources_unavailable {
        writeln!(
            w,
            "{}",
            paint(&format!("document sources: {why}"), "2", color)
        )?;
    }
    for name in &order {
        writeln!(w)?;
        print_explanation(w, name, &out.systems[name], color)?;
    }
    if let Some(c) = &out.checkpoint_move {
        writeln!(w)?;
        explain_compare::print(
            w,
            "checkpoint A → B (splade → splade-b)",
            ["A", "B", "→"],
            c,
            color,
        )?;
    }
    Ok(())
}

/// `explain INDEX QUERY DOC_A DOC_B`.
fn run_pair(
    args: &ExplainArgs,
    p: &spladescope::system::Pipeline,
    q: &spladescope::system::Prepared,
    rankings: &spladescope::system::Rankings,
    doc_b: &str,
) -> anyhow::Result<()> {
    let ids = [args.doc_id.as_str(), doc_b];
    let mut docs = Vec::new();
    for id in ids {
        let doc = match p.index.find(id) {
            Ok(d) => Some(d),
            Err(e) if !p.uses_runs() => return Err(e.into()),
            Err(_) => None,
        };
        let title = doc
            .map(|d| p.index.doc(d))
            .transpose()?
            .map_or(String::new(), |s| s.title.to_string());
        docs.push((doc, DocOut { id, title }));
    }
    let mut order = Vec::new();
    let mut systems = BTreeMap::new();
    for (i, s) in p.systems().iter().enumerate() {
        let explain =
            |(doc, out): &(Option<u32>, DocOut)| p.explain(i, q, rankings, *doc, out.id, args.k);
        systems.insert(
            s.name().to_string(),
            [explain(&docs[0])?, explain(&docs[1])?],
        );
        order.push(s.name().to_string());
    }
    let splade_pair = if p.systems().contains(&SystemSpec::Leaf(Leaf::Splade)) {
        Some(p.explain_pair(q, rankings, ids[0], ids[1], args.k)?)
    } else {
        None
    };
    let mut docs = docs.into_iter().map(|(_, out)| out);
    let out = PairOut {
        query: &args.query,
        a: docs.next().expect("two documents"),
        b: docs.next().expect("two documents"),
        splade_pair,
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
    for d in [&out.a, &out.b] {
        writeln!(
            w,
            "{}",
            paint(
                &format!("{} · {}", visible(d.id), snippet(&d.title, 80)),
                "1",
                color
            )
        )?;
    }
    writeln!(w, "query {:?}", out.query)?;
    if let Some(c) = &out.splade_pair {
        writeln!(w)?;
        let (a, b) = (visible(out.a.id), visible(out.b.id));
        explain_compare::print(w, "splade side by side", [&a, &b, "vs"], c, color)?;
    }
    for name in &order {
        for (d, e) in [&out.a, &out.b].iter().zip(&out.systems[name]) {
            writeln!(w)?;
            print_explanation(w, &format!("{name} · {}", visible(d.id)), e, color)?;
        }
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
        Explanation::Profile(x) => print_profile(w, name, x, color),
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
        let source = sources_note(t);
        writeln!(
            w,
            "  {} {:>8.4} × {:>8.4} = {:>12.4} {:>6.1}%  {}/{}{}",
            pad(&t.token, 16),
            t.query_weight,
            t.doc_weight,
            t.contribution,
            t.share * 100.0,
            t.query_kind.word(),
            t.doc_kind.word(),
            paint(&source, "2", color),
        )?;
    }
    writeln!(w, "  {:<16} {:>34.4}", "score", x.score)?;
    if !x.by_query_word.is_empty() {
        writeln!(
            w,
            "  {:<16} {:>34} {:>7}  through",
            "by query word", "contribution", "share"
        )?;
        for g in &x.by_query_word {
            let word = g.word.as_deref().unwrap_or("(no source)");
            writeln!(
                w,
                "  {} {:>34.4} {:>6.1}%  {}",
                pad(&visible(word), 16),
                g.contribution,
                g.share * 100.0,
                g.terms
                    .iter()
                    .map(|t| visible(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
    }
    if !x.missing.is_empty() {
        let lacks: Vec<String> = x
            .missing
            .iter()
            .map(|m| {
                format!(
                    "{} {:.3} ({})",
                    visible(&m.token),
                    m.query_weight,
                    m.query_kind.word()
                )
            })
            .collect();
        writeln!(w, "  lacks (heaviest first): {}", lacks.join(", "))?;
    }
    Ok(())
}

fn print_profile(
    w: &mut impl Write,
    name: &str,
    x: &ProfileExplanation,
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
            "  {:<16} {:>8} {:>8} {:>10}   {:>8} {:>8} {:>10} {:>11}",
            "term", "query", "doc", "exact", "engine q", "engine d", "engine", "difference"
        )?;
    }
    for t in &x.terms {
        let engine_q = t.engine_note(x.rescored).map_or_else(
            || format!("{:.4}", t.engine_query_weight.unwrap_or_default()),
            str::to_string,
        );
        writeln!(
            w,
            "  {} {:>8.4} {:>8.4} {:>10.6}   {:>8} {:>8.4} {:>10.6} {:>+11.6}",
            pad(&t.token, 16),
            t.query_weight,
            t.doc_weight,
            t.exact,
            engine_q,
            t.engine_doc_weight,
            t.engine,
            t.difference,
        )?;
    }
    writeln!(
        w,
        "  {:<16} {:>28.6}   {:>28.6} {:>+11.6}",
        "score", x.exact_score, x.score, x.difference
    )?;
    match x.rescored {
        Some(true) => writeln!(
            w,
            "  in the rescored window (phase 2 added the light tokens)"
        )?,
        Some(false) => writeln!(w, "  outside the rescored window (phase-1 tokens only)")?,
        None => {}
    }
    if !x.dropped.is_empty() {
        let dropped: Vec<String> = x
            .dropped
            .iter()
            .map(|m| format!("{} {:.3}", visible(&m.token), m.query_weight))
            .collect();
        writeln!(w, "  the engine drops: {}", dropped.join(", "))?;
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

/// `  query ← login (log) · doc ← password`: where the query's and the document's weights
/// came from, where that is not the term itself.
fn sources_note(t: &SpladeTermRow) -> String {
    let parts: Vec<String> = [("query", &t.query_source), ("doc", &t.doc_source)]
        .into_iter()
        .filter_map(|(side, s)| Some(format!("{side} ← {}", s.as_ref()?.note(&t.token)?)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("  {}", parts.join(" · "))
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
