//! Inference-free query encoders end to end: a doc-only model folder (a tiny DistilBERT MLM
//! checkpoint written by `common::checkpoint`, plus an `idf.json`), indexed with
//! `--query-encoder idf`, searched and explained; scores checked against a brute-force dot
//! product of the idf-weighted query tokens with each document's stored vector.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::HashMap;
use std::path::Path;

use cli::{doc_terms, json_of, spladescope, text, token_weights, Setup};
use common::checkpoint::{self, Layout};

const DISTILBERT: Layout = Layout {
    distilbert: true,
    tied: true,
    gamma_beta: false,
};

const IDF: &str = r#"{"reset": 3.5, "password": 2.25, "my": 0.5, "the": 0.0, "[CLS]": 0.7}"#;

const CORPUS: &str = r#"{"id": "d1", "text": "reset my password"}
{"id": "d2", "text": "the password of the account"}
{"id": "d3", "text": "my cat is not a dog"}
{"id": "d4", "text": "search engine for sparse vector terms"}
{"id": "d5", "text": "reset the search engine and run"}
"#;

/// The doc-only model folder, the corpus, and an index built with `--query-encoder idf`.
fn setup() -> Setup {
    let s = Setup::new();
    let model = s.path("doc-only");
    std::fs::create_dir(&model).unwrap();
    checkpoint::write(&model, DISTILBERT, 17);
    std::fs::write(model.join("idf.json"), IDF).unwrap();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let mut cmd = spladescope();
    cmd.arg("index")
        .arg(&corpus)
        .arg("--out")
        .arg(s.path("idx"))
        .arg("--model")
        .arg(&model)
        .args(["--query-encoder", "idf"]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    s
}

/// Each document's stored SPLADE vector, token → weight (`spladescope doc --json`).
fn doc_vector(index: &Path, id: &str) -> HashMap<String, f64> {
    token_weights(&doc_terms(index, id))
}

/// `search --json` hits of the first system: id → score.
fn search(index: &Path, query: &str, extra: &[&str]) -> (serde_json::Value, HashMap<String, f64>) {
    let r = json_of(
        spladescope()
            .arg("search")
            .arg(index)
            .arg(query)
            .args(["--json", "-k", "10"])
            .args(extra),
    );
    let hits = r["results"][0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["score"].as_f64().unwrap(),
            )
        })
        .collect();
    (r, hits)
}

fn brute_force(index: &Path, query: &[(&str, f64)]) -> HashMap<String, f64> {
    ["d1", "d2", "d3", "d4", "d5"]
        .into_iter()
        .filter_map(|id| {
            let d = doc_vector(index, id);
            let score: f64 = query
                .iter()
                .map(|(t, w)| w * d.get(*t).copied().unwrap_or(0.0))
                .sum();
            (score > 0.0).then(|| (id.to_string(), score))
        })
        .collect()
}

fn assert_scores(found: &HashMap<String, f64>, expected: &HashMap<String, f64>) {
    assert_eq!(
        found.keys().collect::<std::collections::BTreeSet<_>>(),
        expected.keys().collect(),
        "found {found:?}, expected {expected:?}"
    );
    for (id, score) in expected {
        assert!(
            (found[id] - score).abs() < 1e-4 * score.max(1.0),
            "{id}: {} vs brute force {score}",
            found[id]
        );
    }
}

#[test]
fn idf_queries_index_search_and_explain_end_to_end() {
    let s = setup();
    let idx = s.path("idx");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(idx.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["model"]["query_encoder"], "idf");
    assert_eq!(manifest["model"]["architecture"], "DistilBertForMaskedLM");
    let sha = manifest["model"]["idf_sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    let stats = json_of(spladescope().arg("stats").arg(&idx).arg("--json"));
    assert_eq!(stats["query_encoder"], "idf");

    // The query encoder is the index's without asking; "password" twice counts once, "the"
    // weighs 0 and drops out, "search" is not in idf.json and weighs 1.0.
    let query = "reset my password password the search";
    let (r, hits) = search(&idx, query, &[]);
    assert_eq!(r["query_encoder"], "idf");
    let expected = brute_force(
        &idx,
        &[
            ("reset", 3.5),
            ("my", 0.5),
            ("password", 2.25),
            ("search", 1.0),
        ],
    );
    assert_scores(&hits, &expected);
    assert_eq!(expected.len(), 5, "every document matches some query token");

    // Overridden per query: every token 1.0.
    let (r, hits) = search(&idx, query, &["--query-encoder", "ones"]);
    assert_eq!(r["query_encoder"], "ones");
    let expected = brute_force(
        &idx,
        &[
            ("reset", 1.0),
            ("my", 1.0),
            ("password", 1.0),
            ("the", 1.0),
            ("search", 1.0),
        ],
    );
    assert_scores(&hits, &expected);

    // The human header says no model ran for the query.
    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .arg(query)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("(idf query encoder)"),
        "{}",
        text(&out.stdout)
    );

    // Explain: the query terms are the query's own tokens, each sourced at its first
    // position, and the SPLADE score adds up.
    let e = json_of(
        spladescope()
            .arg("explain")
            .arg(&idx)
            .arg(query)
            .args(["d1", "--json"]),
    );
    let splade = &e["splade"];
    let d1 = doc_vector(&idx, "d1");
    let terms = splade["terms"].as_array().unwrap();
    let mut sum = 0.0;
    for t in terms {
        let token = t["token"].as_str().unwrap();
        let q = t["query_weight"].as_f64().unwrap();
        let expected_q = match token {
            "reset" => 3.5,
            "my" => 0.5,
            "password" => 2.25,
            "search" => 1.0,
            other => panic!("{other} is not a token of the query"),
        };
        assert!((q - expected_q).abs() < 1e-6, "{token}: {q}");
        assert_eq!(t["query_source"]["word"].as_str(), Some(token));
        sum += q * d1[token];
    }
    assert!(
        (splade["score"].as_f64().unwrap() - sum).abs() < 1e-4,
        "{splade}"
    );
    let password = terms.iter().find(|t| t["token"] == "password").unwrap();
    assert_eq!(password["query_source"]["position"], 3, "first occurrence");

    // `encode --query-encoder idf` shows the same vector without an index.
    let enc = json_of(
        spladescope()
            .arg("encode")
            .arg("--model")
            .arg(s.path("doc-only"))
            .args(["--query-encoder", "idf", "--json", query]),
    );
    assert_eq!(enc["query_encoder"], "idf");
    assert_eq!(enc["nnz"], 4);
    assert_eq!(enc["expansion_terms"], 0);
    assert_eq!(enc["terms"][0]["token"], "reset");
    assert_eq!(enc["terms"][0]["weight"], 3.5);
}

#[test]
fn idf_problems_are_clear_errors() {
    let s = setup();
    let idx = s.path("idx");
    let model = s.path("doc-only");
    let corpus = s.path("corpus.jsonl");
    let index_with = |model: &Path, out: &str| {
        let mut cmd = spladescope();
        cmd.arg("index")
            .arg(&corpus)
            .arg("--out")
            .arg(s.path(out))
            .arg("--model")
            .arg(model)
            .args(["--query-encoder", "idf"]);
        cmd.output().unwrap()
    };

    // A model without idf.json: refused before anything is built.
    let out = index_with(&s.path("model"), "no-idf");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("needs the model's idf.json") && err.contains("--query-encoder ones"),
        "{err}"
    );
    s.assert_nothing_left("no-idf");

    // A malformed idf.json names the file and the line; a foreign token names the token.
    let broken = s.path("broken");
    std::fs::create_dir(&broken).unwrap();
    checkpoint::write(&broken, DISTILBERT, 17);
    for (content, expect) in [
        ("{\"reset\": 1.0,\n\"my\": }", "line 2"),
        (r#"{"reset": -2}"#, "not a finite number of 0 or more"),
        (
            r#"{"zebra": 1.5}"#,
            "\"zebra\" is not in the model's vocabulary",
        ),
    ] {
        std::fs::write(broken.join("idf.json"), content).unwrap();
        let out = index_with(&broken, "broken-idx");
        assert!(!out.status.success(), "{content}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&broken.join("idf.json").display().to_string()) && err.contains(expect),
            "{content}: {err}"
        );
        s.assert_nothing_left("broken-idx");
    }

    // An idf.json changed after the build: searching with it is refused unless allowed.
    std::fs::write(model.join("idf.json"), r#"{"reset": 1.0}"#).unwrap();
    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .arg("reset")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("differs from the idf.json the index")
            && err.contains("--allow-model-mismatch"),
        "{err}"
    );
    let (_, hits) = search(&idx, "reset", &["--allow-model-mismatch"]);
    assert!(!hits.is_empty());
    // `ones` needs no idf.json at all.
    std::fs::remove_file(model.join("idf.json")).unwrap();
    let (r, _) = search(&idx, "reset", &["--query-encoder", "ones"]);
    assert_eq!(r["query_encoder"], "ones");

    // An unknown encoder is a usage error listing the choices.
    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .arg("reset")
        .args(["--query-encoder", "bm25"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("[possible values: model, idf, ones]"),
        "{}",
        text(&out.stderr)
    );
}
