//! `spladescope stats`: what an index holds and what it costs on disk.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use spladescope::index::stats::{Bucket, IndexStats};
use spladescope::index::Index;
use spladescope::vectors::Vocabulary;

use super::output::bar;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The index directory.
    pub index: PathBuf,
    /// How many of the longest posting lists to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let index = Index::open(&args.index)?;
    // Token strings need only the tokenizer; fall back to ids when the model is not here.
    let vocab = super::query::index_vocabulary(&index).ok();
    let token = |id: u32| match vocab.as_ref().map(|v| v.token(id)) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => format!("#{id}"),
    };
    let stats = IndexStats::compute(&index, args.top, &token);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &stats)?;
        writeln!(out)?;
        return Ok(());
    }
    let s = &stats;
    let d = &s.nonzeros_per_document;
    writeln!(out, "index       {}", args.index.display())?;
    writeln!(
        out,
        "documents   {} ({} truncated at {} tokens)",
        s.documents, s.truncated_documents, s.max_length
    )?;
    writeln!(out, "model       {}", s.model)?;
    if s.query_encoder.inference_free() {
        writeln!(
            out,
            "queries     {} query encoder (inference-free)",
            s.query_encoder
        )?;
    }
    if let Some(p) = &s.doc_pruning {
        let mut rule = Vec::new();
        if let Some(n) = p.top_n {
            rule.push(format!("top {n} terms"));
        }
        if let Some(w) = p.min_weight {
            rule.push(format!("weight ≥ {w}"));
        }
        writeln!(
            out,
            "pruning     documents cut to {}: {} postings removed",
            rule.join(", then "),
            s.pruned_postings
        )?;
    }
    writeln!(
        out,
        "\nSPLADE      {} postings, {} distinct terms; bytes/posting: {:.2} inverted (documents \
         and 8-bit impact bounds), {:.2} exact weights, {:.2} range maxima, {:.2} forward",
        s.splade_postings,
        s.splade_terms,
        s.splade_bytes_per_posting,
        s.splade_weight_bytes_per_posting,
        s.splade_range_bytes_per_posting,
        s.forward_bytes_per_posting
    )?;
    writeln!(
        out,
        "non-zeros per document: mean {:.1}, min {}, p10 {}, median {}, p90 {}, p99 {}, max {}",
        d.mean, d.min, d.p10, d.p50, d.p90, d.p99, d.max
    )?;
    histogram(&mut out, &s.nonzeros_histogram)?;
    writeln!(out, "longest posting lists:")?;
    for p in &s.splade_longest {
        writeln!(out, "  {:<16} {:>8} documents", p.term, p.documents)?;
    }
    writeln!(
        out,
        "\nBM25        {} postings, {} terms, {:.2} bytes/posting, average length {:.1} terms",
        s.bm25_postings, s.bm25_terms, s.bm25_bytes_per_posting, s.bm25_avg_document_length
    )?;
    writeln!(out, "longest posting lists:")?;
    for p in &s.bm25_longest {
        writeln!(out, "  {:<16} {:>8} documents", p.term, p.documents)?;
    }
    writeln!(out, "\nbytes on disk")?;
    for f in &s.files {
        writeln!(
            out,
            "  {:<12} {:>12}  {}",
            f.file,
            f.bytes,
            bar(f.bytes as f32, s.total_bytes as f32, 30)
        )?;
    }
    writeln!(out, "  {:<12} {:>12}", "total", s.total_bytes)?;
    Ok(())
}

/// The non-zeros histogram with bars.
fn histogram(out: &mut impl Write, buckets: &[Bucket]) -> std::io::Result<()> {
    let max = buckets.iter().map(|b| b.documents).max().unwrap_or(1);
    for b in buckets {
        writeln!(
            out,
            "  {:>5}–{:<5} {:>7}  {}",
            b.start,
            b.end,
            b.documents,
            bar(b.documents as f32, max as f32, 30)
        )?;
    }
    Ok(())
}
