//! `spladescope stats`: what an index holds and what it costs on disk.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use spladescope::encoder::{ModelFiles, ModelSpec};
use spladescope::index::Index;

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

#[derive(Serialize)]
struct Distribution {
    mean: f64,
    min: usize,
    p10: usize,
    p50: usize,
    p90: usize,
    p99: usize,
    max: usize,
}

#[derive(Serialize)]
struct Posting {
    term: String,
    documents: usize,
}

#[derive(Serialize)]
struct FileSize {
    file: &'static str,
    bytes: u64,
}

#[derive(Serialize)]
struct Stats {
    documents: usize,
    model: String,
    max_length: usize,
    truncated_documents: u64,
    splade_postings: u64,
    splade_terms: usize,
    nonzeros_per_document: Distribution,
    splade_longest: Vec<Posting>,
    splade_bytes_per_posting: f64,
    bm25_postings: u64,
    bm25_terms: usize,
    bm25_avg_document_length: f64,
    bm25_longest: Vec<Posting>,
    bm25_bytes_per_posting: f64,
    files: Vec<FileSize>,
    total_bytes: u64,
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let index = Index::open(&args.index)?;
    let m = index.manifest();
    let mut nnz: Vec<usize> = (0..index.len())
        .map(|d| index.forward().row_len(d))
        .collect();
    nnz.sort_unstable();
    let pct = |p: f64| nnz[((nnz.len() - 1) as f64 * p).round() as usize];
    let dist = Distribution {
        mean: nnz.iter().sum::<usize>() as f64 / nnz.len() as f64,
        min: nnz[0],
        p10: pct(0.1),
        p50: pct(0.5),
        p90: pct(0.9),
        p99: pct(0.99),
        max: nnz[nnz.len() - 1],
    };
    // Token strings need only the tokenizer; fall back to ids when the model is not here.
    let vocab = ModelSpec::parse(&m.model.id)
        .ok()
        .and_then(|spec| ModelFiles::resolve(&spec).ok())
        .and_then(|files| tokenizers::Tokenizer::from_file(files.tokenizer).ok());
    let token = |id: usize| {
        vocab
            .as_ref()
            .and_then(|t| t.id_to_token(id as u32))
            .unwrap_or_else(|| format!("#{id}"))
    };
    let longest = |rows: &spladescope::index::rows::Rows, name: &dyn Fn(usize) -> String| {
        let mut lens: Vec<(usize, usize)> =
            (0..rows.rows()).map(|r| (rows.row_len(r), r)).collect();
        lens.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        lens.into_iter()
            .take(args.top)
            .map(|(documents, r)| Posting {
                term: name(r),
                documents,
            })
            .collect::<Vec<_>>()
    };
    let sizes = index.file_sizes();
    let size_of = |f: &str| sizes.iter().find(|(n, _)| *n == f).map_or(0, |s| s.1);
    let splade_terms = (0..index.splade().rows())
        .filter(|&r| index.splade().row_len(r) > 0)
        .count();
    let stats = Stats {
        documents: index.len(),
        model: m.model.id.clone(),
        max_length: m.model.max_length,
        truncated_documents: m.truncated_documents,
        splade_postings: index.splade().entries(),
        splade_terms,
        nonzeros_per_document: dist,
        splade_longest: longest(index.splade(), &token),
        splade_bytes_per_posting: size_of("splade.inv") as f64
            / index.splade().entries().max(1) as f64,
        bm25_postings: index.bm25_postings().entries(),
        bm25_terms: index.bm25_terms().len(),
        bm25_avg_document_length: index.bm25_scorer().avgdl() as f64,
        bm25_longest: longest(index.bm25_postings(), &|r| {
            index.bm25_terms().term(r).to_string()
        }),
        bm25_bytes_per_posting: size_of("bm25.post") as f64
            / index.bm25_postings().entries().max(1) as f64,
        total_bytes: sizes.iter().map(|s| s.1).sum(),
        files: sizes
            .iter()
            .map(|&(file, bytes)| FileSize { file, bytes })
            .collect(),
    };
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
    writeln!(
        out,
        "\nSPLADE      {} postings, {} distinct terms, {:.2} bytes/posting",
        s.splade_postings, s.splade_terms, s.splade_bytes_per_posting
    )?;
    writeln!(
        out,
        "non-zeros per document: mean {:.1}, min {}, p10 {}, median {}, p90 {}, p99 {}, max {}",
        d.mean, d.min, d.p10, d.p50, d.p90, d.p99, d.max
    )?;
    histogram(&mut out, &nnz)?;
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

/// Ten equal-width buckets of non-zeros per document, with bars.
fn histogram(out: &mut impl Write, sorted: &[usize]) -> std::io::Result<()> {
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let width = ((hi - lo) / 10 + 1).max(1);
    let mut counts = [0usize; 10];
    for &n in sorted {
        counts[((n - lo) / width).min(9)] += 1;
    }
    let max = *counts.iter().max().unwrap_or(&1);
    for (i, c) in counts.iter().enumerate() {
        let start = lo + i * width;
        if start > hi {
            break;
        }
        writeln!(
            out,
            "  {:>5}–{:<5} {:>7}  {}",
            start,
            start + width - 1,
            c,
            bar(*c as f32, max as f32, 30)
        )?;
    }
    Ok(())
}
