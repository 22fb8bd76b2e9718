//! `explain` side by side, on tiny generated checkpoints: one document under two checkpoints
//! (`--compare`), and two documents for one query, checked term by term against brute-force
//! dot products of the stored document vectors with the queries' encodings.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use cli::{doc_terms, encoded_terms, json_of, spladescope, text, token_weights, Setup};
use common::checkpoint::{self, BERT_TIED};

const CORPUS: &str = r#"{"id": "d1", "text": "reset my password"}
{"id": "d2", "text": "the password of the account is not fast"}
{"id": "d3", "text": "my cat and the dog run"}
{"id": "d4", "text": "search engine for sparse vector terms and weights"}
{"id": "d5", "text": "reset the search engine and run the query"}
"#;

const QUERY: &str = "reset the password";

/// Token → weight of a document's stored vector.
fn stored(index: &Path, id: &str) -> BTreeMap<String, f64> {
    token_weights(&doc_terms(index, id))
}

/// Token → weight of the query as `model` encodes it.
fn query(model: &Path) -> BTreeMap<String, f64> {
    token_weights(&encoded_terms(model, QUERY))
}

/// A query's and a document's token → weight.
type Vectors<'a> = (&'a BTreeMap<String, f64>, &'a BTreeMap<String, f64>);

/// Checks a comparison's rows against brute force: each side's weights, contributions
/// `q·d` for the terms both hold, `delta` = B − A, every contributing term present, rows by
/// `|delta|`, and deltas adding up to the score difference.
fn check(c: &serde_json::Value, sides: [Vectors<'_>; 2]) {
    let rows = c["terms"].as_array().unwrap();
    let mut expected_terms = std::collections::BTreeSet::new();
    for (q, d) in sides {
        for t in q.keys() {
            if d.contains_key(t) {
                expected_terms.insert(t.clone());
            }
        }
    }
    let tokens: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|r| r["token"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tokens, expected_terms);
    let mut previous = f64::INFINITY;
    let mut sum = 0.0;
    for r in rows {
        let token = r["token"].as_str().unwrap();
        let mut parts = [0.0; 2];
        for (i, (side, (q, d))) in ["a", "b"].iter().zip(sides).enumerate() {
            let qw = q.get(token).copied().unwrap_or(0.0);
            let dw = d.get(token).copied().unwrap_or(0.0);
            let p = &r[side];
            assert!(
                (p["query_weight"].as_f64().unwrap() - qw).abs() < 1e-5,
                "{token} {side}"
            );
            assert!(
                (p["doc_weight"].as_f64().unwrap() - dw).abs() < 1e-5,
                "{token} {side}"
            );
            let contribution = p["contribution"].as_f64().unwrap();
            assert!((contribution - qw * dw).abs() < 1e-4, "{token} {side}");
            parts[i] = contribution;
        }
        let delta = r["delta"].as_f64().unwrap();
        assert!((delta - (parts[1] - parts[0])).abs() < 1e-5, "{token}");
        assert!(delta.abs() <= previous + 1e-9, "rows by |delta|");
        previous = delta.abs();
        sum += delta;
    }
    let score_delta = c["score_delta"].as_f64().unwrap();
    assert!((sum - score_delta).abs() < 1e-4, "{sum} vs {score_delta}");
    let scores = c["b"]["score"].as_f64().unwrap() - c["a"]["score"].as_f64().unwrap();
    assert!((scores - score_delta).abs() < 1e-5);
}

#[test]
fn one_document_under_two_checkpoints_and_two_documents_side_by_side() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let other = s.path("other-model");
    std::fs::create_dir(&other).unwrap();
    checkpoint::write(&other, BERT_TIED, 99);
    assert!(s.index(&corpus, "a", &[]).status.success());
    let out = spladescope()
        .arg("index")
        .arg(&corpus)
        .arg("--out")
        .arg(s.path("b"))
        .arg("--model")
        .arg(&other)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (a, b) = (s.path("a"), s.path("b"));

    // One document, two checkpoints.
    let e = json_of(
        spladescope()
            .arg("explain")
            .arg(&a)
            .args([QUERY, "d1", "--json", "--compare"])
            .arg(&b),
    );
    let c = &e["checkpoint_move"];
    let (qa, qb) = (query(&s.path("model")), query(&other));
    let (da, db) = (stored(&a, "d1"), stored(&b, "d1"));
    check(c, [(&qa, &da), (&qb, &db)]);
    for field in ["terms", "score", "rank", "missing"] {
        assert_eq!(
            c["a"][field], e["splade"][field],
            "side A is the splade explanation"
        );
    }
    assert_eq!(c["b"]["score"], e["splade-b"]["score"]);
    assert_eq!(c["b"]["rank"], e["splade-b"]["rank"]);

    // Two documents, one query.
    let e = json_of(
        spladescope()
            .arg("explain")
            .arg(&a)
            .args([QUERY, "d1", "d5", "--json"]),
    );
    assert_eq!(e["a"]["id"], "d1");
    assert_eq!(e["b"]["id"], "d5");
    let pair = &e["splade_pair"];
    check(pair, [(&qa, &da), (&qa, &stored(&a, "d5"))]);
    assert_eq!(pair["a"]["score"], e["systems"]["splade"][0]["score"]);
    assert_eq!(pair["b"]["score"], e["systems"]["splade"][1]["score"]);
    assert_eq!(e["systems"]["bm25"][1]["doc_id"], "d5");

    // The text forms.
    let out = spladescope()
        .arg("explain")
        .arg(&a)
        .args([QUERY, "d1", "d5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("splade side by side  · d1 #"), "{shown}");
    assert!(shown.contains("splade · d5"), "{shown}");
    let out = spladescope()
        .arg("explain")
        .arg(&a)
        .args([QUERY, "d1", "--compare"])
        .arg(&b)
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("checkpoint A → B (splade → splade-b)"),
        "{}",
        text(&out.stdout)
    );

    // A second document the index lacks is an error naming it.
    let out = spladescope()
        .arg("explain")
        .arg(&a)
        .args([QUERY, "d1", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nope"), "{}", text(&out.stderr));
}
