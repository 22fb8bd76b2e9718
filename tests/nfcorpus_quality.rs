//! NFCorpus end to end with two real checkpoints: index the corpus with splade-tiny and with
//! splade-tiny-nfcorpus (documents at 256 tokens, as the reference pipeline), then
//! `spladescope eval --compare` both against the test qrels. Checks nDCG@10 against
//! `../shared/reference/quality.md` and that the comparison reports per-query deltas and
//! p-values. Indexes are built once into Cargo's test scratch directory; run in release.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds (or reuses) the NFCorpus index of `model` at 256 tokens.
fn nfcorpus_index(model: &str) -> Option<PathBuf> {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    if model == "splade-tiny" {
        return common::cached::beir_index(tmp, "nfcorpus");
    }
    common::cached::index(tmp, "nfcorpus", model, 256, 3633, false)
}

fn eval(a: &Path, b: &Path, data: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_spladescope"))
        .arg("eval")
        .arg(a)
        .arg("--beir")
        .arg(data)
        .arg("--compare")
        .arg(b)
        .args(["--per-query", "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn two_checkpoints_compared_on_nfcorpus_test() {
    let (Some(a), Some(b)) = (
        nfcorpus_index("splade-tiny"),
        nfcorpus_index("splade-tiny-nfcorpus"),
    ) else {
        return;
    };
    let report = eval(&a, &b, &common::shared("data/nfcorpus").unwrap());
    let ndcg = |i: usize| report["systems"][i]["metrics"]["nDCG@10"].as_f64().unwrap();
    let names: Vec<&str> = (0..3)
        .map(|i| report["systems"][i]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["splade", "bm25", "splade-b"]);
    eprintln!(
        "NFCorpus test: splade-tiny {:.4} (reference 0.3056), BM25 {:.4} (Anserini 0.3218), splade-tiny-nfcorpus {:.4} (reference 0.3154)",
        ndcg(0),
        ndcg(1),
        ndcg(2)
    );
    assert!((ndcg(0) - 0.3056).abs() <= 0.003, "splade-tiny {}", ndcg(0));
    assert!((ndcg(1) - 0.3218).abs() <= 0.01, "BM25 {}", ndcg(1));
    assert!(
        (ndcg(2) - 0.3154).abs() <= 0.003,
        "splade-tiny-nfcorpus {}",
        ndcg(2)
    );
    // Pairs: the baseline (splade) against bm25 and splade-b, each with both tests.
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2);
    let ab = &pairs[1];
    assert_eq!(
        (ab["a"].as_str(), ab["b"].as_str()),
        (Some("splade"), Some("splade-b"))
    );
    let p = ab["t_test"]["p_value"].as_f64().unwrap();
    eprintln!("splade-tiny − splade-tiny-nfcorpus: Δ {:.4}, t-test p {p:.4} (reference +0.0098 for B, p = 0.048), randomization p {:.4}",
        ab["mean_diff"].as_f64().unwrap(), ab["randomization"]["p_value"].as_f64().unwrap());
    assert!((0.0..=1.0).contains(&p));
    let per_query = report["per_query"].as_array().unwrap();
    assert_eq!(per_query.len(), 323);
    assert!(per_query
        .iter()
        .all(|q| q["ndcg_at_10"].as_array().unwrap().len() == 3
            && !q["text"].as_str().unwrap().is_empty()));
}
