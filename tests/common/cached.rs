//! BEIR indexes built once with a shared model and kept under `target/` for later runs
//! (used by the quality tests and the benchmarks).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use spladescope::encoder::{DenseEncoder, EncoderOptions, ModelFiles, SparseEncoder};
use spladescope::index::{self, BuildOptions, Encoders, Index};

/// The dense model BEIR test indexes carry (`models/all-MiniLM-L6-v2`).
pub const DENSE_MODEL: &str = "all-MiniLM-L6-v2";

/// The shared dense model, at its own max_seq_length.
pub fn dense_encoder() -> Option<DenseEncoder> {
    let dir = super::shared(&format!("models/{DENSE_MODEL}"))?;
    Some(DenseEncoder::from_spec(dir.to_str().unwrap(), None, 0).unwrap())
}

/// The shared model `models/<model>` with documents or queries cut at `max_length`.
pub fn encoder(model: &str, max_length: usize) -> Option<SparseEncoder> {
    let dir = super::shared(&format!("models/{model}"))?;
    let options = EncoderOptions {
        max_length,
        ..Default::default()
    };
    Some(SparseEncoder::load(ModelFiles::from_dir(&dir).unwrap(), options).unwrap())
}

/// The test index of a BEIR collection (`scifact` or `nfcorpus`) with the default model,
/// documents at 256 tokens, in `parent`. SciFact's carries a dense part ([`DENSE_MODEL`]);
/// NFCorpus's does not: embedding its 3,633 long abstracts takes about 8 minutes on two
/// cores, and the dense checks run on SciFact (NFCorpus's dense nDCG is an ignored test).
pub fn beir_index(parent: &Path, dataset: &str) -> Option<PathBuf> {
    let documents = match dataset {
        "scifact" => 5183,
        "nfcorpus" => 3633,
        other => panic!("no test index for {other}"),
    };
    index(
        parent,
        dataset,
        "splade-tiny",
        256,
        documents,
        dataset == "scifact",
    )
}

/// The index of `data/<dataset>` built with `model` at `max_length` tokens, with a dense
/// part ([`DENSE_MODEL`]) if `dense`, in `parent`: reused when it holds `documents`
/// documents at that length (and a dense part if asked for), else (re)built. Every user of
/// one index asks for the same `dense`, so it is built once.
pub fn index(
    parent: &Path,
    dataset: &str,
    model: &str,
    max_length: usize,
    documents: usize,
    dense: bool,
) -> Option<PathBuf> {
    let data = super::shared(&format!("data/{dataset}"))?;
    let out = parent.join(format!("{dataset}-{model}-{max_length}"));
    if let Ok(index) = Index::open(&out) {
        if index.len() == documents
            && index.manifest().model.max_length == max_length
            && (!dense || index.dense().is_some())
        {
            return Some(out);
        }
    }
    build(&data, &out, model, max_length, dense)
}

/// Builds the index of `corpus` at `out` with `model` and, with `dense`, a dense part
/// (replacing what is there).
fn build(
    corpus: &Path,
    out: &Path,
    model: &str,
    max_length: usize,
    dense: bool,
) -> Option<PathBuf> {
    eprintln!("building {} (once) ...", out.display());
    let enc = encoder(model, max_length)?;
    let dense = if dense { Some(dense_encoder()?) } else { None };
    let options = BuildOptions {
        force: true,
        ..BuildOptions::default()
    };
    index::build(
        corpus,
        out,
        Encoders {
            sparse: &enc,
            dense: dense.as_ref(),
        },
        &options,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    Some(out.to_path_buf())
}

/// The index of the bundled demo collection (`assets/demo`) built with `model`, in
/// `parent` (built once).
pub fn demo_index(parent: &Path, model: &str) -> Option<PathBuf> {
    // Tests of one binary run in parallel threads: build each index once.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/corpus.jsonl");
    let documents = std::fs::read_to_string(&corpus).unwrap().lines().count();
    let out = parent.join(format!("demo-{model}"));
    if let Ok(index) = Index::open(&out) {
        if index.len() == documents {
            return Some(out);
        }
    }
    build(&corpus, &out, model, 512, false)
}
