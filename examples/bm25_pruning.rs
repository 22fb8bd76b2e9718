//! Where BM25's block-max MaxScore pays: every query of a BEIR-style query file searched
//! both ways (MaxScore, `search::bm25_max_score`, and scoring every posting), timed per
//! query on one thread, alternating which goes first; prints the mean time of each and,
//! by the number of query terms found in the index, the mean ratio MaxScore / exhaustive.
//! `search::bm25_pruning_pays` was chosen from its output on the 1M-document corpus with
//! texts (README, Scale).
//!
//! ```text
//! taskset -c 0 cargo run --release --example bm25_pruning -- /tmp/scale-text/idx \
//!     /tmp/scale-text/queries-text.jsonl 1000
//! ```

use std::collections::BTreeMap;
use std::io::BufRead;
use std::time::Instant;

use spladescope::index::Index;
use spladescope::search::{bm25_max_score, bm25_scores, top_k};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() == 4, "usage: bm25_pruning INDEX QUERIES.jsonl K");
    let index = Index::open(std::path::Path::new(&args[1]))?;
    let k: usize = args[3].parse()?;
    let file = std::io::BufReader::new(std::fs::File::open(&args[2])?);
    let (mut pruned_ms, mut exhaustive_ms) = (0.0, 0.0);
    // Terms found → (queries, sum of ratios).
    let mut by_terms: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    let mut queries = 0;
    for (i, line) in file.lines().enumerate() {
        let line: serde_json::Value = serde_json::from_str(&line?)?;
        let text = line["text"].as_str().unwrap_or_default();
        let terms = index.analyzer().query_terms(text);
        let found = terms
            .iter()
            .filter(|t| index.bm25_terms().find(&t.term).is_some())
            .count();
        let time = |f: &dyn Fn() -> anyhow::Result<usize>| -> anyhow::Result<(f64, usize)> {
            let start = Instant::now();
            let hits = f()?;
            Ok((start.elapsed().as_secs_f64() * 1e3, hits))
        };
        let pruned = || Ok(bm25_max_score(&index, &terms, k)?.len());
        let exhaustive = || Ok(top_k(&bm25_scores(&index, &terms)?, k).len());
        let ((p, a), (e, b)) = if i % 2 == 0 {
            let p = time(&pruned)?;
            (p, time(&exhaustive)?)
        } else {
            let e = time(&exhaustive)?;
            (time(&pruned)?, e)
        };
        anyhow::ensure!(a == b, "query {i}: {a} hits against {b}");
        pruned_ms += p;
        exhaustive_ms += e;
        queries += 1;
        if found > 0 {
            let entry = by_terms.entry(found).or_default();
            entry.0 += 1;
            entry.1 += p / e;
        }
    }
    let n = f64::from(queries.max(1));
    println!(
        "{queries} queries, k {k}: MaxScore {:.3} ms mean, exhaustive {:.3} ms mean",
        pruned_ms / n,
        exhaustive_ms / n
    );
    println!("terms  queries  MaxScore / exhaustive (mean)");
    for (terms, (count, ratios)) in by_terms {
        println!("{terms:>5}  {count:>7}  {:.3}", ratios / count as f64);
    }
    Ok(())
}
