//! `--system` on the command line with tiny generated models: a dense part built with
//! `index --dense`, every system kind in `search`, `explain` and `eval`, and clear errors
//! for systems that cannot run.

#[path = "common/cli.rs"]
mod cli;
mod common;

use cli::{spladescope, text, Setup};

const CORPUS: &str = r#"{"_id": "d1", "title": "Reset", "text": "reset my password"}
{"_id": "d2", "title": "Login", "text": "log in to my account"}
{"_id": "d3", "title": "Search", "text": "the search engine and the sparse vector"}
{"_id": "d4", "title": "Pets", "text": "the red cat and the blue dog"}
"#;

/// The tiny checkpoint turned into a sentence-transformers model (mean pooling, normalised).
fn dense_model(s: &Setup) -> std::path::PathBuf {
    let dir = s.path("dense-model");
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    for f in ["tokenizer.json", "model.safetensors"] {
        std::fs::copy(s.path("model").join(f), dir.join(f)).unwrap();
    }
    // A bare BertModel, as sentence-transformers saves it.
    let config = std::fs::read_to_string(s.path("model/config.json")).unwrap();
    assert!(config.contains("BertForMaskedLM"));
    std::fs::write(
        dir.join("config.json"),
        config.replace("BertForMaskedLM", "BertModel"),
    )
    .unwrap();
    std::fs::write(
        dir.join("modules.json"),
        r#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"word_embedding_dimension":8,"pooling_mode_mean_tokens":true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        r#"{"max_seq_length":16}"#,
    )
    .unwrap();
    dir
}

fn setup() -> (Setup, String) {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let dense = dense_model(&s);
    let out = s.index(&corpus, "idx", &["--dense", dense.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("dense:"),
        "{}",
        text(&out.stdout)
    );
    let idx = s.path("idx").display().to_string();
    (s, idx)
}

fn run(args: &[&str]) -> std::process::Output {
    spladescope().args(args).output().unwrap()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_system_kind_searches_and_explains() {
    let (s, idx) = setup();
    let qrels = s.write(
        "qrels.tsv",
        b"query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\n",
    );
    let queries = s.write(
        "queries.jsonl",
        b"{\"_id\": \"q1\", \"text\": \"reset password\"}\n{\"_id\": \"q2\", \"text\": \"red cat\"}\n",
    );
    let runs = s.path("runs");
    // eval with every kind writes one run per system, named after it.
    let out = run(&[
        "eval",
        &idx,
        "--queries",
        queries.to_str().unwrap(),
        "--qrels",
        qrels.to_str().unwrap(),
        "--system",
        "splade",
        "--system",
        "bm25",
        "--system",
        "dense",
        "--system",
        "rrf:splade+dense",
        "--system",
        "linear:bm25+dense:0.7:zscore",
        "--run-out",
        runs.to_str().unwrap(),
        "--trials",
        "50",
        "--json",
    ]);
    let report = json(&out);
    let names: Vec<&str> = report["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "splade",
            "bm25",
            "dense",
            "rrf:splade+dense",
            "linear:bm25+dense:0.7:zscore"
        ]
    );
    for file in [
        "splade.trec",
        "dense.trec",
        "rrf_splade+dense.trec",
        "linear_bm25+dense_0.7_zscore.trec",
    ] {
        assert!(runs.join(file).is_file(), "{file}");
    }
    // A run file is a system of its own, looked up by query id.
    let spec = format!("run:prod={}", runs.join("bm25.trec").display());
    let out = run(&[
        "search",
        &idx,
        "reset password",
        "--system",
        &spec,
        "--system",
        "dense",
        "--system",
        "rrf:prod+dense",
        "--qid",
        "q1",
        "--explain",
        "--json",
    ]);
    let r = json(&out);
    let lists = r["results"].as_array().unwrap();
    assert_eq!(lists[0]["system"], "prod");
    assert_eq!(lists[0]["hits"][0]["id"], "d1");
    assert_eq!(lists[0]["hits"][0]["explanation"]["kind"], "run");
    assert_eq!(lists[1]["hits"][0]["explanation"]["kind"], "dense");
    let fused = &lists[2]["hits"][0];
    let parts = fused["explanation"]["parts"].as_array().unwrap();
    let sum: f64 = parts
        .iter()
        .map(|p| p["contribution"].as_f64().unwrap())
        .sum();
    assert_eq!(sum, fused["score"].as_f64().unwrap());
    assert!(fused["other_ranks"]
        .as_object()
        .unwrap()
        .contains_key("prod"));
    // A query the run lacks is shown as such.
    let out = run(&["search", &idx, "x", "--system", &spec, "--qid", "nope"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("the run has no results for this query id"));
    // explain shows a dense score as the score alone, with the reason.
    let out = run(&[
        "explain", &idx, "red cat", "d4", "--system", "dense", "--system", "bm25",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("no per-term parts") && t.contains("bm25"), "{t}");
}

#[test]
fn systems_that_cannot_run_say_why() {
    let (s, idx) = setup();
    let corpus = s.path("corpus.jsonl");
    assert!(s.index(&corpus, "plain", &[]).status.success());
    let plain = s.path("plain").display().to_string();
    for (args, expect) in [
        (
            vec!["search", &plain, "x", "--system", "dense"],
            "has no dense part",
        ),
        (
            vec!["search", &idx, "x", "--system", "splade-b"],
            "--compare",
        ),
        (
            vec!["search", &idx, "x", "--system", "rrf:splade+prod"],
            "no run called \"prod\"",
        ),
        (
            vec!["search", &idx, "x", "--system", "rrf:splade"],
            "two systems joined by '+'",
        ),
        (
            vec!["search", &idx, "x", "--system", "linear:splade+bm25:2"],
            "between 0 and 1",
        ),
        (
            vec!["search", &idx, "x", "--system", "bm25", "--system", "bm25"],
            "given twice",
        ),
        (
            vec!["search", &idx, "x", "--system", "run:r=/no/such/file"],
            "/no/such/file",
        ),
        (
            vec![
                "eval",
                &idx,
                "--beir",
                "/no/such/dir",
                "--baseline",
                "dense",
            ],
            "/no/such/dir",
        ),
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(
            text(&out.stderr).contains(expect),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let runs = s.write("r.trec", b"q1 Q0 d1 1 2.0 x\n");
    let spec = format!("run:r={}", runs.display());
    let out = run(&["search", &idx, "x", "--system", &spec]);
    assert!(text(&out.stderr).contains("--qid"), "{}", text(&out.stderr));
    // A sentence encoder is refused as a SPLADE model, by name.
    let out = run(&[
        "encode",
        "x",
        "--model",
        s.path("dense-model").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("BertModel") && err.contains("--dense"),
        "{err}"
    );
}
