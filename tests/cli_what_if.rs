//! The `what-if` system end to end on a tiny generated model: query edits and document-side
//! edits (a term switched off or scaled in every document, or only where it is an
//! expansion), cross-checked against a brute-force recomputation from the stored document
//! vectors (with their input/expansion marks) and the query's encoding; `eval` runs the
//! edits over every query as a system beside the unedited one.

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use cli::{doc_terms, encoded_terms, json_of, spladescope, text, token_weights, Setup};

const CORPUS: &str = r#"{"id": "d1", "text": "reset my password"}
{"id": "d2", "text": "the password of the account is not fast"}
{"id": "d3", "text": "my cat and the dog run"}
{"id": "d4", "text": "search engine for sparse vector terms and weights"}
{"id": "d5", "text": "reset the search engine and run the query"}
{"id": "d6", "text": "red blue green model of the document"}
"#;

const IDS: [&str; 6] = ["d1", "d2", "d3", "d4", "d5", "d6"];

/// A document's stored vector: token → (weight, is an input term).
fn stored(index: &Path, id: &str) -> BTreeMap<String, (f64, bool)> {
    doc_terms(index, id)
        .iter()
        .map(|t| {
            (
                t["token"].as_str().unwrap().to_string(),
                (t["weight"].as_f64().unwrap(), t["kind"] == "input"),
            )
        })
        .collect()
}

#[test]
fn what_if_scores_equal_a_brute_force_recomputation() {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    assert!(s.index(&corpus, "idx", &[]).status.success());
    let idx = s.path("idx");
    let docs: HashMap<&str, BTreeMap<String, (f64, bool)>> =
        IDS.iter().map(|&id| (id, stored(&idx, id))).collect();
    let query = "reset the password";
    let q: BTreeMap<String, f64> = token_weights(&encoded_terms(&s.path("model"), query));
    // Edit terms the query and the documents actually hold, input in some documents and
    // expansion in others where possible.
    let mut by_weight: Vec<(&String, &f64)> = q.iter().collect();
    by_weight.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    let dropped = by_weight[0].0.clone();
    let doc_dropped = by_weight[1].0.clone();
    let doc_scaled = by_weight[2].0.clone();

    for expansions_only in [false, true] {
        let mut cmd = spladescope();
        cmd.arg("search")
            .arg(&idx)
            .arg(query)
            .args(["--system", "what-if", "--json", "-k", "10"])
            .args(["--drop", &dropped, "--doc-drop", &doc_dropped])
            .args(["--doc-scale", &format!("{doc_scaled}=0.5")]);
        if expansions_only {
            cmd.arg("--doc-expansions-only");
        }
        let r = json_of(&mut cmd);
        let hits: HashMap<String, f64> = r["results"][0]["hits"]
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
        let mut edited_somewhere = false;
        for id in IDS {
            let mut score = 0.0;
            for (t, qw) in &q {
                if *t == dropped {
                    continue;
                }
                let Some(&(dw, input)) = docs[id].get(t) else {
                    continue;
                };
                let edited = !(expansions_only && input);
                let f = match t {
                    t if *t == doc_dropped && edited => 0.0,
                    t if *t == doc_scaled && edited => 0.5,
                    _ => 1.0,
                };
                edited_somewhere |= f != 1.0;
                score += qw * dw * f;
            }
            match hits.get(id) {
                Some(found) => assert!(
                    (found - score).abs() < 1e-4 * score.max(1.0),
                    "{id} (expansions only: {expansions_only}): {found} vs brute force {score}"
                ),
                None => assert!(score <= 0.0, "{id} scores {score} but was not returned"),
            }
        }
        assert!(edited_somewhere, "the edits must change some score");

        // Explain: the document weights shown are the edited ones, and they add up.
        let e = json_of(
            spladescope()
                .arg("explain")
                .arg(&idx)
                .args([query, "d1", "--system", "what-if", "--json"])
                .args(["--drop", &dropped, "--doc-drop", &doc_dropped])
                .args(["--doc-scale", &format!("{doc_scaled}=0.5")])
                .args(if expansions_only {
                    &["--doc-expansions-only"][..]
                } else {
                    &[][..]
                }),
        );
        let x = &e["what-if"];
        assert!(
            (x["score"].as_f64().unwrap() - hits.get("d1").copied().unwrap_or(0.0)).abs() < 1e-4,
            "{x}"
        );
        for t in x["terms"].as_array().unwrap() {
            assert_ne!(t["token"].as_str().unwrap(), dropped);
        }
    }

    // eval: the edits over every query, as a system beside the unedited SPLADE.
    s.write(
        "queries.jsonl",
        br#"{"_id": "q1", "text": "reset the password"}
{"_id": "q2", "text": "sparse vector search"}
"#,
    );
    s.write(
        "qrels.tsv",
        b"query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\n",
    );
    let r = json_of(
        spladescope()
            .arg("eval")
            .arg(&idx)
            .arg("--queries")
            .arg(s.path("queries.jsonl"))
            .arg("--qrels")
            .arg(s.path("qrels.tsv"))
            .args(["--system", "splade", "--doc-drop", &doc_dropped, "--json"]),
    );
    let names: Vec<&str> = r["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["splade", "what-if"]);
    assert!(r["systems"][1]["description"]
        .as_str()
        .unwrap()
        .contains(&format!("documents {doc_dropped} ×0")));
    assert_eq!(r["pairs"][0]["b"], "what-if");

    // An unknown term is an error naming it.
    let out = spladescope()
        .arg("search")
        .arg(&idx)
        .args(["reset", "--doc-drop", "zebra"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("\"zebra\""),
        "{}",
        text(&out.stderr)
    );
}
