//! A seeded generator of large SPLADE corpora for the scale benchmark: N document vectors in
//! the import format, drawn from the statistics of real encodings, and the real test
//! queries as query vectors.
//!
//! ```text
//! cargo run --release --example scale_vectors -- --shape independent --docs 1000000 \
//!     --from target/tmp/scifact-splade-tiny-256 --from target/tmp/nfcorpus-splade-tiny-256 \
//!     --beir ../shared/data/scifact --beir ../shared/data/nfcorpus \
//!     --model ../shared/models/splade-tiny --seed 1 --out /tmp/scale-independent
//! ```
//!
//! Writes `OUT/docs.jsonl` (term-id keys: `index --vectors OUT/docs.jsonl --vector-keys ids`)
//! and `OUT/queries.jsonl` (`retrieve --query-vectors`), queries encoded by `--model`.
//!
//! Shapes:
//! - `independent`: each document draws its number of terms from the real documents'
//!   non-zero counts, its terms without repetition with probability proportional to their
//!   real document frequency, and each weight from that term's real weights. No two
//!   neighbouring documents share a topic: the worst case for block-based pruning.
//! - `topical`: runs of 8 to 64 neighbouring documents, each run derived from one real
//!   document: a document keeps each of its terms with probability 0.8, weight jittered by
//!   a factor in [0.8, 1.25], and draws as many other terms as it dropped from the document
//!   frequencies: the locality of a corpus after document reordering.
//! - `--shuffle` writes either in a random order.
//!
//! `--text` gives every document a text too (`contents`, for BM25), made the same way from
//! the words of the real documents' texts: a topical document keeps each word of its real
//! document with probability 0.8 and draws as many others from all the real words (so by
//! frequency); an independent one draws a real document's word count. It also writes
//! `OUT/queries-text.jsonl` (BEIR queries: `retrieve --queries`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use spladescope::encoder::SparseEncoder;
use spladescope::eval::load_beir;
use spladescope::index::Index;
use spladescope::sparse::SparseVector;
use spladescope::vectors::{write_record, Keys, TermIds};

/// SplitMix64: small, fast and seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The statistics of the real encodings.
struct Stats {
    docs: Vec<SparseVector>,
    /// Cumulative document frequency by term, for drawing terms.
    cumulative: Vec<u64>,
    weights: Vec<Vec<f32>>,
    vocab: usize,
}

impl Stats {
    fn term(&self, rng: &mut Rng) -> u32 {
        let total = *self.cumulative.last().unwrap();
        let x = rng.next() % total;
        self.cumulative.partition_point(|&c| c <= x) as u32
    }

    fn weight(&self, term: u32, rng: &mut Rng) -> f32 {
        let w = &self.weights[term as usize];
        w[rng.below(w.len())]
    }

    /// Adds `n` terms drawn by document frequency that `taken` does not hold yet.
    fn draw(&self, n: usize, rng: &mut Rng, taken: &mut [bool], out: &mut Vec<(u32, f32)>) {
        let mut added = 0;
        let mut tries = 0;
        while added < n && tries < n * 50 {
            tries += 1;
            let t = self.term(rng);
            if !taken[t as usize] {
                taken[t as usize] = true;
                out.push((t, self.weight(t, rng)));
                added += 1;
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut shape, mut n, mut seed, mut shuffle, mut with_text) = (
        String::from("independent"),
        1_000_000usize,
        1u64,
        false,
        false,
    );
    let (mut from, mut beir, mut model, mut out) = (Vec::new(), Vec::new(), None, None);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--shape" => shape = value()?,
            "--docs" => n = value()?.parse()?,
            "--seed" => seed = value()?.parse()?,
            "--from" => from.push(PathBuf::from(value()?)),
            "--beir" => beir.push(PathBuf::from(value()?)),
            "--model" => model = Some(value()?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--shuffle" => shuffle = true,
            "--text" => with_text = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(
        shape == "independent" || shape == "topical",
        "--shape independent|topical"
    );
    let out = out.ok_or_else(|| anyhow::anyhow!("--out DIR"))?;
    let model = model.ok_or_else(|| anyhow::anyhow!("--model M"))?;
    anyhow::ensure!(!from.is_empty(), "--from INDEX (at least one)");
    std::fs::create_dir_all(&out)?;

    let mut docs = Vec::new();
    let mut words: Vec<Vec<String>> = Vec::new();
    let mut vocab = 0;
    for dir in &from {
        let index = Index::open(dir)?;
        vocab = vocab.max(index.manifest().model.vocab_size);
        for d in 0..index.len() as u32 {
            docs.push(index.vector(d)?);
            if with_text {
                let doc = index.doc(d)?;
                let text = format!("{} {}", doc.title, doc.text);
                words.push(text.split_whitespace().map(str::to_string).collect());
            }
        }
    }
    let pool: Vec<&str> = words.iter().flatten().map(String::as_str).collect();
    let mut df = vec![0u64; vocab];
    let mut weights = vec![Vec::new(); vocab];
    for v in &docs {
        for (t, w) in v.iter() {
            df[t as usize] += 1;
            weights[t as usize].push(w);
        }
    }
    let mut cumulative = Vec::with_capacity(vocab);
    let mut sum = 0;
    for &f in &df {
        sum += f;
        cumulative.push(sum);
    }
    let stats = Stats {
        docs,
        cumulative,
        weights,
        vocab,
    };
    eprintln!(
        "statistics of {} real documents over {} terms",
        stats.docs.len(),
        df.iter().filter(|&&f| f > 0).count()
    );

    let mut rng = Rng(seed);
    let mut position: Vec<u32> = (0..n as u32).collect();
    if shuffle {
        for i in (1..n).rev() {
            position.swap(i, rng.below(i + 1));
        }
    }
    let mut vectors: Vec<SparseVector> = Vec::with_capacity(if shuffle { n } else { 0 });
    let file = std::fs::File::create(out.join("docs.jsonl"))?;
    let mut w = BufWriter::with_capacity(1 << 22, file);
    let ids = TermIds(stats.vocab);
    let mut taken = vec![false; stats.vocab];
    let mut pairs = Vec::new();
    let mut base: Option<usize> = None;
    let mut text = String::new();
    let mut run_left = 0usize;
    for i in 0..n {
        pairs.clear();
        text.clear();
        if shape == "independent" {
            let real = rng.below(stats.docs.len());
            let nnz = stats.docs[real].nnz();
            stats.draw(nnz, &mut rng, &mut taken, &mut pairs);
            if with_text {
                for _ in 0..words[real].len() {
                    push_word(&mut text, pool[rng.below(pool.len())]);
                }
            }
        } else {
            if run_left == 0 {
                base = Some(rng.below(stats.docs.len()));
                run_left = 8 + rng.below(57);
            }
            run_left -= 1;
            let real = base.unwrap();
            if with_text {
                let mut dropped = 0;
                for w in &words[real] {
                    if rng.unit() < 0.8 {
                        push_word(&mut text, w);
                    } else {
                        dropped += 1;
                    }
                }
                for _ in 0..dropped {
                    push_word(&mut text, pool[rng.below(pool.len())]);
                }
            }
            let b = &stats.docs[real];
            let mut dropped = 0;
            for (t, wt) in b.iter() {
                if rng.unit() < 0.8 {
                    taken[t as usize] = true;
                    pairs.push((t, wt * (0.8 + 0.45 * rng.unit()) as f32));
                } else {
                    dropped += 1;
                }
            }
            stats.draw(dropped, &mut rng, &mut taken, &mut pairs);
        }
        for &(t, _) in &pairs {
            taken[t as usize] = false;
        }
        let v = SparseVector::from_pairs(pairs.clone());
        if shuffle {
            anyhow::ensure!(!with_text, "--shuffle does not take --text");
            vectors.push(v);
        } else {
            let contents = with_text.then_some(text.as_str());
            write_record(&mut w, &format!("g{i}"), contents, &v, &ids, Keys::Ids)?;
            w.write_all(b"\n")?;
        }
        if i % 100_000 == 0 {
            eprintln!("{i} documents");
        }
    }
    if shuffle {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| position[i]);
        for i in order {
            write_record(&mut w, &format!("g{i}"), None, &vectors[i], &ids, Keys::Ids)?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;

    let encoder = SparseEncoder::from_spec(&model, Default::default())?;
    let mut q = BufWriter::new(std::fs::File::create(out.join("queries.jsonl"))?);
    let mut queries = 0;
    let mut text_queries = with_text
        .then(|| std::fs::File::create(out.join("queries-text.jsonl")).map(BufWriter::new))
        .transpose()?;
    for dir in &beir {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let split = load_beir(dir, "test")?;
        if let Some(t) = &mut text_queries {
            for query in &split.queries {
                let line =
                    serde_json::json!({"_id": format!("{name}-{}", query.id), "text": query.text});
                writeln!(t, "{line}")?;
            }
        }
        let texts: Vec<&str> = split.queries.iter().map(|q| q.text.as_str()).collect();
        for (query, e) in split.queries.iter().zip(encoder.encode_batch(&texts)?) {
            write_record(
                &mut q,
                &format!("{name}-{}", query.id),
                None,
                &e.vector,
                &encoder,
                Keys::Ids,
            )?;
            q.write_all(b"\n")?;
            queries += 1;
        }
    }
    q.flush()?;
    if let Some(mut t) = text_queries {
        t.flush()?;
    }
    eprintln!(
        "wrote {n} documents and {queries} queries to {}",
        out.display()
    );
    Ok(())
}

/// Appends `word` to `text`, space-separated.
fn push_word(text: &mut String, word: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(word);
}
