//! `spladescope term` and `spladescope doc`: one term across the index, one document's whole
//! vector (the explorer's term and document browsers).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use spladescope::browse::{encode_queries, find_token, DocumentReport, TermFilter, TermReport};
use spladescope::display::visible;
use spladescope::encoder::TermKind;
use spladescope::eval::{load_beir, read_queries};

use super::output::{bar, pad, paint, snippet, source_suffix, term_table, use_color};
use super::query::QueryModelArgs;

#[derive(Debug, Args)]
pub struct TermArgs {
    /// The index directory.
    pub index: PathBuf,
    /// A vocabulary token, as the tokenizer writes it (`##in` for a word piece); a word
    /// that is not one token is refused with the pieces it is cut into.
    pub token: String,
    /// How many of its heaviest documents to list.
    #[arg(long, short = 'k', default_value_t = 10)]
    pub top: usize,
    /// Also list the queries of this BEIR folder's split (--split) whose vectors have the
    /// term.
    #[arg(long, conflicts_with = "queries")]
    pub beir: Option<PathBuf>,
    /// The qrels split of --beir: its judged queries are the ones looked at.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Also list the queries of this file (BEIR queries.jsonl) whose vectors have the term.
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

pub fn run_term(args: &TermArgs) -> anyhow::Result<()> {
    let (index, encoder) = super::query::open(&args.index, &args.model)?;
    let id = find_token(&encoder, &args.token)?;
    let texts: Vec<(String, String)> = if let Some(dir) = &args.beir {
        let split = load_beir(dir, &args.split)?;
        split
            .queries
            .judged(&split.qrels)
            .into_iter()
            .map(|(q, t)| (q.to_string(), t.to_string()))
            .collect()
    } else if let Some(file) = &args.queries {
        read_queries(file)?
            .queries
            .iter()
            .map(|q| (q.id.clone(), q.text.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let queries = encode_queries(&encoder, texts)?;
    let report = TermReport::compute(&index, &encoder, id, args.top, &queries)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    print_term(&mut out, &report, use_color())?;
    Ok(())
}

/// A weight to 3 decimals, or in scientific notation when that would print 0.000.
fn small(w: f32) -> String {
    if w > 0.0 && w < 5e-4 {
        format!("{w:.1e}")
    } else {
        format!("{w:.3}")
    }
}

fn print_term(out: &mut impl Write, r: &TermReport, color: bool) -> std::io::Result<()> {
    let share = |n: usize, of: usize| {
        if of == 0 {
            0.0
        } else {
            n as f64 * 100.0 / of as f64
        }
    };
    writeln!(
        out,
        "{}",
        paint(&format!("{} (id {})", visible(&r.token), r.id), "1", color)
    )?;
    writeln!(
        out,
        "in {} of {} documents ({:.2}%): {} as one of their own tokens ({:.0}%), {} as an \
         expansion ({:.0}%)",
        r.documents,
        r.corpus,
        share(r.documents, r.corpus),
        r.input_documents,
        share(r.input_documents, r.documents),
        r.expansion_documents,
        share(r.expansion_documents, r.documents),
    )?;
    if r.documents == 0 {
        return Ok(());
    }
    let w = &r.weights;
    writeln!(
        out,
        "weights: min {}, mean {:.3}, median {:.3}, p90 {:.3}, max {:.3}",
        small(w.min),
        w.mean,
        w.median,
        w.p90,
        w.max
    )?;
    let most = r.histogram.iter().map(|b| b.documents).max().unwrap_or(1);
    for b in &r.histogram {
        writeln!(
            out,
            "  {:>6.3}–{:<6.3} {:>8}  {}",
            b.from,
            b.to,
            b.documents,
            bar(b.documents as f32, most as f32, 30)
        )?;
    }
    writeln!(out, "\nheaviest documents")?;
    for (i, d) in r.top.iter().enumerate() {
        let source = source_suffix(&r.token, d.source.as_ref());
        writeln!(
            out,
            "{:>4}  {:>7.4}  {}  {:<9}  {}{}",
            i + 1,
            d.weight,
            pad(&visible(&d.id), 12),
            d.kind.word(),
            snippet(&d.title, 60),
            paint(&source, "2", color),
        )?;
    }
    if let Some(why) = &r.sources_unavailable {
        writeln!(
            out,
            "{}",
            paint(&format!("no document sources: {why}"), "2", color)
        )?;
    }
    if r.queries_given > 0 {
        writeln!(
            out,
            "\n{} of {} queries use it",
            r.queries.len(),
            r.queries_given
        )?;
        for q in &r.queries {
            let source = source_suffix(&r.token, q.source.as_ref());
            writeln!(
                out,
                "  {:>7.4}  {}  {:<9}  {}{}",
                q.weight,
                pad(&visible(&q.id), 10),
                q.kind.word(),
                snippet(&q.text, 60),
                paint(&source, "2", color),
            )?;
        }
    }
    Ok(())
}

/// `--kind` of `doc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Input,
    Expansion,
}

#[derive(Debug, Args)]
pub struct DocArgs {
    /// The index directory.
    pub index: PathBuf,
    /// The document's id (as in the corpus).
    pub doc_id: String,
    /// Only the K heaviest terms (after the other filters).
    #[arg(long, short = 'k')]
    pub top: Option<usize>,
    /// Only input terms (the document's own tokens) or only expansions.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only terms whose token or source word contains this text (case-insensitive).
    #[arg(long = "match")]
    pub matching: Option<String>,
    /// Leave the document's text out of the human output.
    #[arg(long)]
    pub no_text: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: QueryModelArgs,
}

pub fn run_doc(args: &DocArgs) -> anyhow::Result<()> {
    let (index, encoder) = super::query::open(&args.index, &args.model)?;
    let doc = index.find(&args.doc_id)?;
    let filter = TermFilter {
        kind: args.kind.map(|k| match k {
            KindArg::Input => TermKind::Input,
            KindArg::Expansion => TermKind::Expansion,
        }),
        matching: args.matching.clone(),
        top: args.top,
    };
    let report = DocumentReport::compute(&index, &encoder, doc, &filter)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    print_doc(&mut out, &report, !args.no_text, use_color())?;
    Ok(())
}

fn print_doc(
    out: &mut impl Write,
    r: &DocumentReport,
    with_text: bool,
    color: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        paint(
            &format!("{} · {}", visible(&r.id), snippet(&r.title, 80)),
            "1",
            color
        )
    )?;
    if with_text {
        writeln!(out, "{}", visible(&r.text))?;
    }
    let truncated = if r.truncated { ", truncated" } else { "" };
    writeln!(
        out,
        "{}",
        paint(
            &format!(
                "{} tokens{truncated}; {} non-zeros ({} input, {} expansion); L1 {:.3}",
                r.tokens, r.nnz, r.input_terms, r.expansion_terms, r.l1
            ),
            "2",
            color
        )
    )?;
    if let Some(why) = &r.sources_unavailable {
        writeln!(out, "{}", paint(&format!("no sources: {why}"), "2", color))?;
    }
    term_table(out, &r.terms, color)?;
    if r.terms.len() < r.nnz {
        writeln!(
            out,
            "{}",
            paint(
                &format!("{} of {} terms shown", r.terms.len(), r.nnz),
                "2",
                color
            )
        )?;
    }
    Ok(())
}
