//! The cost of sparsity end to end, on a tiny generated model: `index --doc-top/--doc-min`
//! stores exactly the pruned document vectors and records the pruning, and `eval` reports
//! each SPLADE system's query non-zeros, postings touched and FLOPS, checked against a
//! brute-force count over the documents' stored vectors and the queries' encodings.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use cli::{doc_terms, encoded_terms, json_of, spladescope, text, Setup};

const CORPUS: &str = r#"{"id": "d1", "text": "reset my password"}
{"id": "d2", "text": "the password of the account is not fast"}
{"id": "d3", "text": "my cat and the dog run"}
{"id": "d4", "text": "search engine for sparse vector terms and weights"}
{"id": "d5", "text": "reset the search engine and run the query"}
{"id": "d6", "text": "red blue green model of the document"}
{"id": "d7", "text": "a fast model is not a slow model"}
"#;

const QUERIES: &str = r#"{"_id": "q1", "text": "reset password"}
{"_id": "q2", "text": "sparse vector search"}
{"_id": "q3", "text": "slow red dog"}
"#;

const QRELS: &str = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td3\t1\nq3\td6\t1\n";

const IDS: [&str; 7] = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"];

/// Document `id`'s stored vector, term id → weight.
fn stored(index: &Path, id: &str) -> BTreeMap<u64, f64> {
    doc_terms(index, id)
        .iter()
        .map(|t| (t["id"].as_u64().unwrap(), t["weight"].as_f64().unwrap()))
        .collect()
}

fn manifest(index: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(index.join("manifest.json")).unwrap()).unwrap()
}

fn eval(s: &Setup, index: &str) -> serde_json::Value {
    json_of(
        spladescope()
            .arg("eval")
            .arg(s.path(index))
            .arg("--queries")
            .arg(s.path("queries.jsonl"))
            .arg("--qrels")
            .arg(s.path("qrels.tsv"))
            .arg("--json"),
    )
}

#[test]
fn document_pruning_and_eval_cost_columns() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    s.write("queries.jsonl", QUERIES.as_bytes());
    s.write("qrels.tsv", QRELS.as_bytes());
    for (out, extra) in [
        ("full", &[][..]),
        ("pruned", &["--doc-top", "5", "--doc-min", "0.3"][..]),
    ] {
        let o = s.index(&corpus, out, extra);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let (full, pruned) = (s.path("full"), s.path("pruned"));

    // Every stored vector is the full one's 5 heaviest terms (ties: lower id), then those
    // weighing at least 0.3; the manifest records the pruning and what it removed.
    let mut removed = 0;
    for id in IDS {
        let whole = stored(&full, id);
        let mut expected: Vec<(u64, f64)> = whole.iter().map(|(&t, &w)| (t, w)).collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        expected.truncate(5);
        expected.retain(|&(_, w)| w >= 0.3);
        let expected: BTreeMap<u64, f64> = expected.into_iter().collect();
        assert!(
            whole.len() > 5,
            "{id}: the test needs vectors longer than 5"
        );
        assert_eq!(stored(&pruned, id), expected, "{id}");
        removed += whole.len() - expected.len();
    }
    let m = manifest(&pruned);
    assert_eq!(
        m["splade"]["doc_pruning"],
        serde_json::json!({"top_n": 5, "min_weight": 0.3})
    );
    assert_eq!(m["splade"]["pruned_postings"], removed as u64);
    assert_eq!(
        m["splade"]["postings"].as_u64().unwrap() + removed as u64,
        manifest(&full)["splade"]["postings"].as_u64().unwrap()
    );
    assert!(manifest(&full)["splade"].get("doc_pruning").is_none());
    let stats = json_of(spladescope().arg("stats").arg(&pruned).arg("--json"));
    assert_eq!(stats["doc_pruning"]["top_n"], 5);
    assert_eq!(stats["pruned_postings"], removed as u64);
    let out = spladescope().arg("stats").arg(&pruned).output().unwrap();
    assert!(
        text(&out.stdout).contains("documents cut to top 5 terms, then weight ≥ 0.3"),
        "{}",
        text(&out.stdout)
    );

    // Query vectors as the query encoder makes them.
    let queries: Vec<Vec<u64>> = ["reset password", "sparse vector search", "slow red dog"]
        .iter()
        .map(|q| {
            encoded_terms(&s.path("model"), q)
                .iter()
                .map(|t| t["id"].as_u64().unwrap())
                .collect()
        })
        .collect();
    for index in ["full", "pruned"] {
        let dir = s.path(index);
        let mut df: HashMap<u64, u64> = HashMap::new();
        let mut postings = 0;
        for id in IDS {
            for t in stored(&dir, id).keys() {
                *df.entry(*t).or_default() += 1;
                postings += 1;
            }
        }
        let n = IDS.len() as f64;
        let touched: f64 = queries
            .iter()
            .map(|q| {
                q.iter()
                    .map(|t| df.get(t).copied().unwrap_or(0))
                    .sum::<u64>() as f64
            })
            .sum::<f64>()
            / queries.len() as f64;
        // FLOPS from its definition: Σ_t p_query(t)·p_doc(t).
        let mut query_freq: HashMap<u64, f64> = HashMap::new();
        for q in &queries {
            for t in q {
                *query_freq.entry(*t).or_default() += 1.0 / queries.len() as f64;
            }
        }
        let flops: f64 = query_freq
            .iter()
            .map(|(t, p)| p * df.get(t).copied().unwrap_or(0) as f64 / n)
            .sum();
        let nnz = queries.iter().map(Vec::len).sum::<usize>() as f64 / queries.len() as f64;

        let report = eval(&s, index);
        let systems = report["systems"].as_array().unwrap();
        assert_eq!(systems[0]["name"], "splade");
        assert!(systems[1].get("cost").is_none(), "BM25 has no SPLADE cost");
        let c = &systems[0]["cost"];
        let close = |field: &str, want: f64| {
            let got = c[field].as_f64().unwrap();
            assert!(
                (got - want).abs() < 1e-9,
                "{index} {field}: {got} vs {want}"
            );
        };
        close("query_nonzeros", nnz);
        close("postings_touched", touched);
        close("flops", flops);
        close("doc_nonzeros", postings as f64 / n);
        assert_eq!(c["queries"], 3);
        assert_eq!(c["index_postings"], postings);
        assert!(c["splade_bytes"].as_u64().unwrap() > 0);
        assert!(c["search_ms"].as_f64().unwrap() >= 0.0);
    }

    // The text report has the cost table.
    let out = spladescope()
        .arg("eval")
        .arg(&pruned)
        .arg("--queries")
        .arg(s.path("queries.jsonl"))
        .arg("--qrels")
        .arg(s.path("qrels.tsv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("cost of sparsity"), "{report}");
    assert!(report.contains("postings/q"), "{report}");

    // Bad pruning values are usage errors.
    for bad in [["--doc-top", "0"], ["--doc-min", "-1"]] {
        let o = s.index(&corpus, "bad", &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        s.assert_nothing_left("bad");
    }
}
