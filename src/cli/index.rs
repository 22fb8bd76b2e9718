//! `spladescope index`: build an index from a corpus.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use spladescope::analysis::Bm25Params;
use spladescope::corpus::{CorpusOptions, Format, JsonlFields, TsvOptions};
use spladescope::encoder::{DenseEncoder, QueryEncoding};
use spladescope::index::{self, BuildOptions, ImportOptions, IndexError};
use spladescope::sparse::Pruning;
use spladescope::vectors::{Keys, VectorOptions};

use super::ModelArgs;

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The corpus: a BEIR folder or corpus.jsonl, a JSONL file, a TSV file (id<TAB>text) or a
    /// folder of .txt/.md files. Not with --vectors.
    #[arg(required_unless_present = "vectors", conflicts_with = "vectors")]
    pub corpus: Option<PathBuf>,
    /// Import document vectors encoded elsewhere instead of encoding a corpus: a JSONL file
    /// (optionally .gz) of {"id", "contents", "vector": {token: weight}} lines, as Anserini's
    /// JsonVectorCollection and Seismic write them, or a CIFF file (.ciff, as PISA, BMP and
    /// `export --to ciff` read it: integer impacts, divided by --impact-scale when given).
    /// --model names the query encoder, whose vocabulary the tokens belong to.
    #[arg(long, value_name = "FILE", conflicts_with = "dense")]
    pub vectors: Option<PathBuf>,
    /// With --vectors: take each document's text from this corpus (beir, jsonl or tsv), by
    /// id, instead of the vector file's text fields.
    #[arg(long = "corpus", value_name = "CORPUS", requires = "vectors")]
    pub texts: Option<PathBuf>,
    /// With --vectors: the vector keys are WordPiece tokens or numeric term ids.
    #[arg(long, value_enum, default_value = "tokens", requires = "vectors")]
    pub vector_keys: VectorKeys,
    /// With --vectors: divide every weight by this (integer impacts, e.g. 100 for
    /// Anserini's quantised SPLADE vectors).
    #[arg(long, value_name = "S", requires = "vectors")]
    pub impact_scale: Option<f64>,
    /// Where to write the index (a directory).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// How queries against this index are encoded, recorded in the manifest (query commands
    /// default to it): `model` runs the model; `idf` and `ones` are inference-free, for
    /// doc-only models: the query's own tokens, weighted by the model folder's idf.json
    /// (1.0 for tokens it does not list) or all 1.0.
    #[arg(long, value_name = "ENCODER", default_value = "model", value_parser = super::query_encoder_parser())]
    pub query_encoder: QueryEncoding,
    /// Keep only the N heaviest terms of each document vector (ties: lower term id), to
    /// measure what a smaller index costs in quality (`eval` shows size, speed and quality).
    #[arg(long, value_name = "N", value_parser = super::query::parse_count)]
    pub doc_top: Option<usize>,
    /// Keep only document terms weighing at least W (after --doc-top).
    #[arg(long, value_name = "W", value_parser = super::query::parse_min_weight)]
    pub doc_min: Option<f32>,
    /// Reorder the documents by recursive graph bisection before writing, so that
    /// documents sharing terms sit in the same ranges of 16 and the pruned SPLADE search
    /// (`retrieve`) can skip the rest: for collections that arrive in arbitrary order. The
    /// index is written twice (about twice the build time); ids, texts, vectors and scores
    /// are unchanged, ties follow the new order.
    #[arg(long)]
    pub reorder: bool,
    /// --reorder: the heaviest terms per document that represent it.
    #[arg(long, value_name = "N", default_value_t = 128, requires = "reorder", value_parser = super::query::parse_count)]
    pub reorder_terms: usize,
    /// --reorder: rounds of swaps per cut.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "reorder", value_parser = super::query::parse_count)]
    pub reorder_iterations: usize,
    /// Corpus format (detected when omitted): beir, jsonl, tsv, folder.
    #[arg(long)]
    pub format: Option<Format>,
    /// JSONL: the id field.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSONL: the text field.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSONL: the title field.
    #[arg(long, default_value = "title")]
    pub title_field: String,
    /// TSV: a third column holds the title.
    #[arg(long)]
    pub tsv_title: bool,
    /// TSV: skip the first line.
    #[arg(long)]
    pub tsv_header: bool,
    /// Skip malformed records (and duplicate ids), counting them, instead of stopping.
    #[arg(long)]
    pub skip_bad: bool,
    /// Replace an existing index at --out.
    #[arg(long)]
    pub force: bool,
    /// BM25 k1.
    #[arg(long, default_value_t = 0.9)]
    pub k1: f32,
    /// BM25 b.
    #[arg(long, default_value_t = 0.4)]
    pub b: f32,
    /// Also store a dense embedding of every document, made with this sentence-embedding
    /// model (a directory or Hub repo id with sentence-transformers files, e.g.
    /// sentence-transformers/all-MiniLM-L6-v2), for the `dense` system.
    #[arg(long, value_name = "MODEL")]
    pub dense: Option<String>,
    /// Longest text for the dense model, in tokens, for documents and queries [default: the
    /// model's max_seq_length].
    #[arg(long, requires = "dense")]
    pub dense_max_length: Option<usize>,
}

/// `--vector-keys`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum VectorKeys {
    /// WordPiece tokens ("micro", "##structural").
    Tokens,
    /// Decimal term ids ("2436").
    Ids,
}

impl From<VectorKeys> for Keys {
    fn from(k: VectorKeys) -> Self {
        match k {
            VectorKeys::Tokens => Keys::Tokens,
            VectorKeys::Ids => Keys::Ids,
        }
    }
}

pub fn run(args: &IndexArgs) -> anyhow::Result<()> {
    let bm25 = Bm25Params::new(args.k1, args.b).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(s) = args.impact_scale {
        anyhow::ensure!(
            s.is_finite() && s > 0.0,
            "--impact-scale must be a positive number, not {s}"
        );
    }
    let input = match (&args.vectors, &args.corpus) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => anyhow::bail!("give a corpus, or --vectors FILE"),
    };
    // Refuse a bad --out before the model loads; the build checks again under its lock.
    index::output::check_replaceable(input, &args.out, args.force)?;
    let doc_pruning = Pruning {
        top_n: args.doc_top,
        min_weight: args.doc_min,
    };
    let reorder = args.reorder.then_some(index::Bisection {
        terms: args.reorder_terms,
        iterations: args.reorder_iterations,
    });
    let mut encoder = args.model.load()?;
    encoder.set_query_encoding(args.query_encoder)?;
    let dense = match &args.dense {
        Some(spec) => Some(
            DenseEncoder::from_spec(spec, args.dense_max_length, encoder.threads())
                .with_context(|| format!("cannot load the dense model {spec}"))?,
        ),
        None => None,
    };
    let corpus_options = CorpusOptions {
        format: args.format,
        fields: JsonlFields {
            id_field: args.id_field.clone(),
            text_field: args.text_field.clone(),
            title_field: Some(args.title_field.clone()),
        },
        tsv: TsvOptions {
            title_column: args.tsv_title,
            skip_header: args.tsv_header,
        },
        skip_bad: args.skip_bad,
        ..CorpusOptions::default()
    };
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        // Ctrl-C, SIGTERM and SIGHUP all cancel the build. A second handler cannot be
        // installed in one process; ignore that case (tests).
        let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::Relaxed));
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {percent:>3}%  {msg}  ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let start = Instant::now();
    let mut report = |p: &index::BuildProgress| {
        if let Some(total) = p.total_bytes {
            bar.set_length(total);
        }
        bar.set_position(p.bytes_read);
        if p.reordering {
            bar.set_message(format!(
                "{} docs read; reordering them by graph bisection and writing them again",
                p.documents
            ));
            return;
        }
        let rate = p.documents as f64 / start.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{} docs, {rate:.0} docs/s", p.documents));
    };
    let result = match &args.vectors {
        Some(vectors) => {
            let options = ImportOptions {
                vectors: VectorOptions {
                    keys: args.vector_keys.into(),
                    impact_scale: args.impact_scale,
                    skip_bad: args.skip_bad,
                    ..VectorOptions::default()
                },
                texts: args.texts.clone().map(|t| (t, corpus_options)),
                bm25,
                force: args.force,
                doc_pruning,
                reorder,
            };
            index::import(vectors, &args.out, &encoder, &options, &cancel, &mut report)
        }
        None => {
            let options = BuildOptions {
                corpus: corpus_options,
                bm25,
                force: args.force,
                doc_pruning,
                reorder,
                ..BuildOptions::default()
            };
            let encoders = index::Encoders {
                sparse: &encoder,
                dense: dense.as_ref(),
            };
            index::build(input, &args.out, encoders, &options, &cancel, &mut report)
        }
    };
    bar.finish_and_clear();
    let built = match result {
        Err(IndexError::Interrupted) => {
            eprintln!(
                "spladescope: interrupted; nothing was written to {}",
                args.out.display()
            );
            std::process::exit(130);
        }
        other => other.with_context(|| format!("cannot index {}", input.display()))?,
    };
    for path in &built.removed_leftovers {
        eprintln!(
            "spladescope: removed {}, left behind by an earlier build that was killed",
            path.display()
        );
    }
    let manifest = &built.manifest;
    let secs = start.elapsed().as_secs_f64();
    let bytes: u64 = manifest.files.values().map(|f| f.bytes).sum();
    println!(
        "indexed {} documents in {secs:.1} s ({:.1} docs/s) into {} ({:.1} MB)",
        manifest.documents,
        manifest.documents as f64 / secs,
        args.out.display(),
        bytes as f64 / 1e6
    );
    match &manifest.imported {
        Some(i) => {
            println!(
                "  SPLADE: {} postings over {} terms, imported from {} (sha256 {}); queries \
                 encoded by {}",
                manifest.splade.postings,
                manifest.splade.terms,
                i.vectors,
                &i.sha256[..i.sha256.len().min(12)],
                manifest.model.id
            );
            if i.without_text > 0 {
                println!(
                    "  {} documents are not in {} and have no text (no BM25 terms)",
                    i.without_text, i.texts
                );
            }
        }
        None => println!(
            "  SPLADE: {} postings over {} terms; {} documents truncated at {} tokens",
            manifest.splade.postings,
            manifest.splade.terms,
            manifest.truncated_documents,
            manifest.model.max_length
        ),
    }
    if let Some(r) = &manifest.reordered {
        println!(
            "  documents reordered by {} ({} terms per document, {} rounds) in {:.1} s",
            r.method, r.bisection.terms, r.bisection.iterations, r.seconds
        );
    }
    if let Some(p) = &manifest.splade.doc_pruning {
        let mut rule = Vec::new();
        if let Some(n) = p.top_n {
            rule.push(format!("--doc-top {n}"));
        }
        if let Some(w) = p.min_weight {
            rule.push(format!("--doc-min {w}"));
        }
        let total = manifest.splade.postings + manifest.splade.pruned_postings;
        println!(
            "  pruned by {}: {} of {total} document postings removed ({:.1} %)",
            rule.join(" "),
            manifest.splade.pruned_postings,
            100.0 * manifest.splade.pruned_postings as f64 / total.max(1) as f64
        );
    }
    if manifest.model.query_encoder.inference_free() {
        println!(
            "  queries: inference-free ({} query encoder){}",
            manifest.model.query_encoder,
            match &manifest.model.idf_sha256 {
                Some(sha) => format!(", idf.json sha256 {}", &sha[..sha.len().min(12)]),
                None => String::new(),
            }
        );
    }
    println!(
        "  BM25: {} postings over {} terms (k1 {}, b {})",
        manifest.bm25.postings, manifest.bm25.terms, manifest.bm25.k1, manifest.bm25.b
    );
    if let Some(d) = &manifest.dense {
        println!(
            "  dense: {} ({}-dimensional, {} pooling{}, documents cut at {} tokens)",
            d.model.id,
            d.dim,
            d.pooling.name(),
            if d.normalize { ", normalised" } else { "" },
            d.model.max_length
        );
    }
    if manifest.empty_documents > 0 {
        println!("  {} empty documents (indexed)", manifest.empty_documents);
    }
    if manifest.skipped_records > 0 {
        println!(
            "  {} bad records skipped (--skip-bad), the first {}:",
            manifest.skipped_records,
            built.first_skipped.len()
        );
        for e in &built.first_skipped {
            println!("    {}", spladescope::display::visible(e));
        }
    }
    Ok(())
}
