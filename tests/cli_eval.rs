//! `spladescope compare` and `spladescope eval` end to end: metric values equal
//! pytrec_eval's (fixtures), t-test p-values equal scipy's, and bad inputs fail cleanly.

#[path = "common/cli.rs"]
mod cli;
mod common;

use cli::{json_of, spladescope};
use common::checkpoint::{self, BERT_TIED};

#[test]
fn compare_matches_pytrec_eval_and_scipy() {
    let f = |name: &str| common::fixture(&format!("trec_eval/{name}"));
    let report = json_of(
        spladescope()
            .arg("compare")
            .arg(f("run_a.trec"))
            .arg(f("run_b.trec"))
            .arg("--qrels")
            .arg(f("qrels.txt"))
            .args(["--on-duplicate", "keep-last", "--json"]),
    );
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f("expected.json")).unwrap()).unwrap();
    let names = [
        ("nDCG@10", "ndcg_cut_10"),
        ("MRR@10", "recip_rank_10"),
        ("R@100", "recall_100"),
        ("R@1000", "recall_1000"),
        ("MAP@1000", "map_cut_1000"),
        ("P@10", "p_10"),
    ];
    for (i, run) in ["run_a", "run_b"].iter().enumerate() {
        let got = &report["systems"][i]["metrics"];
        let want = &expected["runs"][run]["all_qrels"]["mean"];
        for (ours, theirs) in names {
            let (g, w) = (got[ours].as_f64().unwrap(), want[theirs].as_f64().unwrap());
            assert!((g - w).abs() < 1e-9, "{run} {ours}: {g} vs {w}");
        }
    }
    let p = report["pairs"][0]["t_test"]["p_value"].as_f64().unwrap();
    let want = expected["ttest_all_qrels"]["ndcg_cut_10"]["p"]
        .as_f64()
        .unwrap();
    assert!((p - want).abs() < 1e-6, "t-test p {p} vs scipy {want}");
    assert!(
        report["pairs"][0]["randomization"]["p_value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn compare_text_report_and_bad_runs() {
    let f = |name: &str| common::fixture(&format!("trec_eval/{name}"));
    let out = spladescope()
        .arg("compare")
        .arg(f("run_a.trec"))
        .arg(f("run_b.trec"))
        .arg("--qrels")
        .arg(f("qrels.tsv"))
        .arg("--per-query")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "run_a repeats a document: refused by default"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--on-duplicate keep-last"));
    let out = spladescope()
        .arg("compare")
        .arg(f("run_a.trec"))
        .arg(f("run_b.trec"))
        .arg("--qrels")
        .arg(f("qrels.tsv"))
        .args(["--per-query", "--on-duplicate", "keep-last"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("nDCG@10") && text.contains("A vs B") && text.contains("per query"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.trec");
    std::fs::write(&bad, "q1 Q0 d1 1 1.5 tag\nq1 Q0 d2 2 not-a-number tag\n").unwrap();
    let out = spladescope()
        .arg("compare")
        .arg(&bad)
        .arg(f("run_b.trec"))
        .arg("--qrels")
        .arg(f("qrels.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.trec:2"), "{err}");
}

#[test]
fn eval_on_a_small_index_writes_runs_and_rejects_foreign_qrels() {
    let dir = tempfile::tempdir().unwrap();
    let p = |rel: &str| dir.path().join(rel);
    std::fs::create_dir(p("model")).unwrap();
    checkpoint::write(&p("model"), BERT_TIED, 3);
    std::fs::write(
        p("corpus.jsonl"),
        "{\"_id\": \"a\", \"text\": \"reset my login password\"}\n{\"_id\": \"b\", \"text\": \"the red cat\"}\n{\"_id\": \"c\", \"text\": \"a fast search engine\"}\n",
    )
    .unwrap();
    let out = spladescope()
        .arg("index")
        .arg(p("corpus.jsonl"))
        .arg("--out")
        .arg(p("idx"))
        .arg("--model")
        .arg(p("model"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        p("queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"password\"}\n{\"_id\": \"q2\", \"text\": \"cat\"}\n",
    )
    .unwrap();
    std::fs::write(
        p("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\ta\t1\nq2\tb\t2\nq3\tc\t1\n",
    )
    .unwrap();
    let report = json_of(
        spladescope()
            .arg("eval")
            .arg(p("idx"))
            .arg("--queries")
            .arg(p("queries.jsonl"))
            .arg("--qrels")
            .arg(p("qrels.tsv"))
            .arg("--run-out")
            .arg(p("runs"))
            .arg("--json"),
    );
    assert_eq!(report["systems"][1]["name"], "bm25");
    // BM25 finds both answerable queries at rank 1; q3 has no text and scores 0.
    let bm25 = report["systems"][1]["metrics"]["nDCG@10"].as_f64().unwrap();
    assert!((bm25 - 2.0 / 3.0).abs() < 1e-9, "{bm25}");
    assert!(
        report["notes"].to_string().contains("no text"),
        "{}",
        report["notes"]
    );
    let run = std::fs::read_to_string(p("runs/bm25.trec")).unwrap();
    assert!(run.starts_with("q1 Q0 a 1 "), "{run}");

    std::fs::write(p("foreign.tsv"), "q1\t0\tzzz\t1\n").unwrap();
    let out = spladescope()
        .arg("eval")
        .arg(p("idx"))
        .arg("--queries")
        .arg(p("queries.jsonl"))
        .arg("--qrels")
        .arg(p("foreign.tsv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not match"), "{err}");
}
