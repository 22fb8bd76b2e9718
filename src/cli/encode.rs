//! `spladescope encode`: the sparse vector of texts, as a table or as JSON Lines.

use std::io::{BufRead, Write};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use spladescope::encoder::{Encoded, QueryEncoding, SparseEncoder, Term, TermKind};

use super::output::{paint, term_table, use_color};
use super::ModelArgs;

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Encode the texts as queries with this query encoder: `model` (the model, at
    /// --max-length), or inference-free `idf` (the texts' tokens weighted by the model
    /// folder's idf.json) or `ones` (each token 1.0). Without it the model encodes them.
    #[arg(long, value_name = "ENCODER", value_parser = super::query_encoder_parser())]
    pub query_encoder: Option<QueryEncoding>,
    /// Show only the K heaviest terms of each text (all by default).
    #[arg(long, short = 'k')]
    pub top: Option<usize>,
    /// Print one JSON object per text (JSON Lines) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Texts to encode; without any (or with "-"), one text per line from standard input.
    pub texts: Vec<String>,
}

/// The JSON record of one text (also the numbers the table shows).
#[derive(Serialize)]
struct Record<'a> {
    text: &'a str,
    model: &'a str,
    /// How the text was encoded: `model`, or inference-free `idf` / `ones`.
    query_encoder: QueryEncoding,
    max_length: usize,
    tokens: Vec<String>,
    token_ids: &'a [u32],
    untruncated_tokens: usize,
    truncated: bool,
    nnz: usize,
    /// Non-zero terms whose id occurs in the text's tokens.
    input_terms: usize,
    /// Non-zero terms added by the model.
    expansion_terms: usize,
    l1: f32,
    /// Milliseconds to encode (for stdin batches: the batch time divided by its size).
    encode_ms: f64,
    /// Terms shown (all, or the top K), heaviest first, each with its `source`: the input
    /// position whose logit gave the weight, its token and the word it belongs to.
    terms: Vec<Term>,
}

pub fn run(args: &EncodeArgs) -> anyhow::Result<()> {
    let mut encoder = args.model.load()?;
    if let Some(encoding) = args.query_encoder {
        encoder.set_query_encoding(encoding)?;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let color = use_color();
    let from_stdin = args.texts.is_empty() || args.texts == ["-"];
    if from_stdin {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock().lines();
        loop {
            let mut batch = Vec::new();
            for line in lines.by_ref().take(encoder.options().batch_size) {
                batch.push(line.context("cannot read standard input")?);
            }
            if batch.is_empty() {
                break;
            }
            let start = Instant::now();
            let encoded = encoder.encode_queries(&batch)?;
            let ms = start.elapsed().as_secs_f64() * 1e3 / batch.len() as f64;
            for (text, enc) in batch.iter().zip(&encoded) {
                emit(&mut out, &encoder, args, text, enc, ms, color)?;
            }
            out.flush()?;
        }
    } else {
        for text in &args.texts {
            let start = Instant::now();
            let enc = encoder.encode_query(text)?;
            let ms = start.elapsed().as_secs_f64() * 1e3;
            emit(&mut out, &encoder, args, text, &enc, ms, color)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn emit(
    out: &mut impl Write,
    encoder: &SparseEncoder,
    args: &EncodeArgs,
    text: &str,
    enc: &Encoded,
    encode_ms: f64,
    color: bool,
) -> anyhow::Result<()> {
    let input = encoder.input_text(text, enc)?;
    let mut terms = encoder.terms(enc, &input);
    let input_terms = terms.iter().filter(|t| t.kind == TermKind::Input).count();
    if let Some(k) = args.top {
        terms.truncate(k);
    }
    let record = Record {
        text,
        model: &encoder.files().id,
        query_encoder: encoder.query_encoding(),
        max_length: encoder.options().max_length,
        tokens: encoder.tokens(&enc.token_ids),
        token_ids: &enc.token_ids,
        untruncated_tokens: enc.untruncated_tokens,
        truncated: enc.truncated(),
        nnz: enc.vector.nnz(),
        input_terms,
        expansion_terms: enc.vector.nnz() - input_terms,
        l1: enc.vector.l1(),
        encode_ms,
        terms,
    };
    if args.json {
        serde_json::to_writer(&mut *out, &record)?;
        writeln!(out)?;
    } else {
        table(out, &record, color)?;
    }
    Ok(())
}

fn table(out: &mut impl Write, r: &Record, color: bool) -> std::io::Result<()> {
    writeln!(out, "{}", paint(&format!("{:?}", r.text), "1", color))?;
    term_table(out, &r.terms, color)?;
    let shown = if r.terms.len() < r.nnz {
        format!(", top {} shown", r.terms.len())
    } else {
        String::new()
    };
    let truncated = if r.truncated {
        format!(
            "truncated from {} to {}",
            r.untruncated_tokens,
            r.token_ids.len()
        )
    } else {
        "not truncated".to_string()
    };
    writeln!(
        out,
        "{}",
        paint(
            &format!(
                "{} tokens, {truncated}; {} non-zeros ({} input, {} expansion){shown}; \
                 L1 {:.3}; encoded in {:.2} ms{}",
                r.token_ids.len(),
                r.nnz,
                r.input_terms,
                r.expansion_terms,
                r.l1,
                r.encode_ms,
                if r.query_encoder.inference_free() {
                    format!(" ({} query encoder, no model run)", r.query_encoder)
                } else {
                    String::new()
                }
            ),
            "2",
            color
        )
    )?;
    writeln!(out)
}
