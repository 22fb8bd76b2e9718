//! Encoder speed with splade-tiny, side by side with `../shared/reference/torch-encode.md`:
//!
//! - `query/8-words-1-thread`: the first 8 words of SciFact queries (≈ 10 tokens, like the
//!   reference's 8-word queries), one at a time, one thread;
//! - `query/scifact-1-thread`: whole SciFact queries (≈ 22 tokens), one at a time, one thread;
//! - `passages/batch32-2-threads`: a batch of 32 SciFact passages of ≈ 200 tokens
//!   (documents with 180–230 tokens, cut at 256), two threads.
//!
//! Needs `../shared` (or `SPLADESCOPE_SHARED`); prints a clear message and measures nothing
//! when it is absent. Run: `cargo bench --bench encode`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spladescope::encoder::{EncoderOptions, ModelFiles, SparseEncoder};

fn jsonl_texts(path: &std::path::Path, with_title: bool) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap_or_default();
            if with_title {
                format!("{} {}", v["title"].as_str().unwrap_or_default(), text)
            } else {
                text.to_string()
            }
        })
        .collect()
}

fn load(shared: &std::path::Path, max_length: usize, threads: usize) -> SparseEncoder {
    let files = ModelFiles::from_dir(&shared.join("models/splade-tiny")).unwrap();
    let options = EncoderOptions {
        max_length,
        batch_size: 32,
        threads,

        ..Default::default()
    };
    SparseEncoder::load(files, options).unwrap()
}

fn bench(c: &mut Criterion) {
    let (Some(_), Some(shared)) = (common::splade_tiny(), common::shared("data/scifact")) else {
        return;
    };
    let shared = shared
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .to_path_buf();
    let queries = jsonl_texts(&shared.join("data/scifact/queries.jsonl"), false);
    let corpus = jsonl_texts(&shared.join("data/scifact/corpus.jsonl"), true);

    let enc = load(&shared, 64, 1);
    let queries: Vec<String> = queries.into_iter().take(200).collect();
    let short: Vec<String> = queries
        .iter()
        .map(|q| q.split_whitespace().take(8).collect::<Vec<_>>().join(" "))
        .collect();
    let mut group = c.benchmark_group("query");
    for (name, set) in [("8-words-1-thread", &short), ("scifact-1-thread", &queries)] {
        let tokens: usize = set
            .iter()
            .map(|q| enc.encode(q).unwrap().token_ids.len())
            .sum();
        eprintln!(
            "{name}: {} queries, {:.1} tokens on average",
            set.len(),
            tokens as f64 / set.len() as f64
        );
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % set.len();
                enc.encode(&set[i]).unwrap()
            })
        });
    }
    group.finish();

    let enc = load(&shared, 256, 2);
    let passages: Vec<String> = corpus
        .into_iter()
        .filter(|p| (180..=230).contains(&enc.encode(p).unwrap().untruncated_tokens))
        .take(32 * 4)
        .collect();
    let batches: Vec<&[String]> = passages.chunks(32).collect();
    let tokens: usize = passages
        .iter()
        .map(|p| enc.encode(p).unwrap().token_ids.len())
        .sum();
    eprintln!(
        "passages: {} SciFact passages, {:.1} tokens on average, batches of 32",
        passages.len(),
        tokens as f64 / passages.len() as f64
    );
    let mut group = c.benchmark_group("passages");
    group.throughput(Throughput::Elements(32));
    group.sample_size(10);
    let mut j = 0;
    group.bench_function("batch32-2-threads", |b| {
        b.iter(|| {
            j = (j + 1) % batches.len();
            enc.encode_batch(batches[j]).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
