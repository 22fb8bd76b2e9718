//! `spladescope retrieve` end to end on a tiny generated model: runs per system, latency
//! summaries, pruned against exhaustive, query vectors, and bad arguments.

#[path = "common/cli.rs"]
mod cli;
mod common;

use cli::{json_of, spladescope, text, Setup};
use spladescope::eval::{read_run, RunOptions};

const CORPUS: &str = r#"{"_id": "a1", "title": "Reset your password", "text": "reset my login and the account password"}
{"_id": "a2", "title": "Search engine", "text": "a fast sparse search engine for the query"}
{"_id": "a3", "title": "Pets", "text": "the red cat and the blue dog are running"}
"#;

const QUERIES: &str = r#"{"_id": "q1", "text": "reset password"}
{"_id": "q2", "text": "red cat"}
{"_id": "q3", "text": "sparse search"}
"#;

fn setup() -> Setup {
    let s = Setup::new();
    let corpus = s.write("corpus.jsonl", CORPUS.as_bytes());
    let out = s.index(&corpus, "idx", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    s.write("queries.jsonl", QUERIES.as_bytes());
    s
}

/// The systems a `retrieve --json` report lists, in order.
fn system_names(report: &serde_json::Value) -> Vec<&str> {
    report["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["system"].as_str().unwrap())
        .collect()
}

#[test]
fn runs_and_latencies_for_splade_and_bm25() {
    let s = setup();
    let report = json_of(
        spladescope()
            .arg("retrieve")
            .arg(s.path("idx"))
            .arg("--queries")
            .arg(s.path("queries.jsonl"))
            .args([
                "--system",
                "splade",
                "--system",
                "bm25",
                "-k",
                "2",
                "--json",
                "--versus-exhaustive",
            ])
            .arg("--run-out")
            .arg(s.path("runs")),
    );
    assert_eq!(report["queries"], 3);
    assert_eq!(
        system_names(&report),
        ["splade", "bm25", "splade-exhaustive", "bm25-exhaustive"]
    );
    for r in report["systems"].as_array().unwrap() {
        let l = &r["latency"];
        assert_eq!(l["queries"], 3);
        assert!(l["p50_ms"].as_f64().unwrap() <= l["p99_ms"].as_f64().unwrap());
    }
    for system in ["splade", "bm25"] {
        assert!(
            report["speedup"][system].as_f64().unwrap() > 0.0,
            "{report}"
        );
    }
    // Pruning statistics come with the pruned system only.
    let pruning = &report["systems"][0]["pruning"];
    let share = pruning["mean_ranges_scored"].as_f64().unwrap();
    assert!(share > 0.0 && share <= 1.0, "{report}");
    assert!(pruning["exhaustive_queries"].as_u64().unwrap() <= 3);
    assert!(report["systems"][1].get("pruning").is_none());
    assert!(report["systems"][2].get("pruning").is_none());
    assert!(report["systems"][3].get("pruning").is_none());
    let read = |name: &str| read_run(s.path(name), &RunOptions::default()).unwrap().run;
    let (splade, exhaustive) = (
        read("runs/splade.trec"),
        read("runs/splade-exhaustive.trec"),
    );
    assert_eq!(splade, exhaustive);
    let bm25 = read("runs/bm25.trec");
    assert_eq!(bm25, read("runs/bm25-exhaustive.trec"));
    assert_eq!(bm25.get("q1").unwrap()[0].docid, "a1");

    // Text output names every system and the speed-up.
    let out = spladescope()
        .arg("retrieve")
        .arg(s.path("idx"))
        .arg("--queries")
        .arg(s.path("queries.jsonl"))
        .args(["--algorithm", "pruned", "--versus-exhaustive"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("splade-exhaustive")
            && stdout.contains("results identical")
            && stdout.contains("of the ranges holding a query term"),
        "{stdout}"
    );
}

#[test]
fn fusions_and_runs_are_retrieved_through_the_pipeline_like_eval_runs_them() {
    let s = setup();
    // A run system: q1 only, with a document the index lacks.
    let given = s.write("given.trec", b"q1 Q0 a3 1 9.0 x\nq1 Q0 zz 2 8.0 x\n");
    let systems = [
        "splade".to_string(),
        "rrf:splade+bm25".into(),
        format!("run:given={}", given.display()),
    ];
    let mut cmd = spladescope();
    cmd.arg("retrieve")
        .arg(s.path("idx"))
        .arg("--queries")
        .arg(s.path("queries.jsonl"))
        .args(["-k", "3", "--json", "--run-out"])
        .arg(s.path("runs"));
    for system in &systems {
        cmd.args(["--system", system]);
    }
    let report = json_of(&mut cmd);
    assert_eq!(
        system_names(&report),
        ["splade", "rrf:splade+bm25", "given"]
    );
    let read = |name: &str| read_run(s.path(name), &RunOptions::default()).unwrap().run;
    // The same runs as `eval --run-out` writes for these systems.
    let qrels = s.write("qrels.trec", b"q1 0 a1 1\nq2 0 a3 1\nq3 0 a2 1\n");
    let mut cmd = spladescope();
    cmd.arg("eval")
        .arg(s.path("idx"))
        .arg("--queries")
        .arg(s.path("queries.jsonl"))
        .arg("--qrels")
        .arg(&qrels)
        .args(["-k", "3", "--run-out"])
        .arg(s.path("eval-runs"));
    for system in &systems {
        cmd.args(["--system", system]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in ["splade.trec", "rrf_splade+bm25.trec", "given.trec"] {
        let (a, b) = (
            read(&format!("runs/{file}")),
            read(&format!("eval-runs/{file}")),
        );
        assert_eq!(a, b, "{file}");
    }
    let given = read("runs/given.trec");
    assert_eq!(given.get("q1").unwrap().len(), 2);
    assert!(given.get("q2").is_none());
}

#[test]
fn query_vectors_run_without_a_model_and_bad_arguments_are_refused() {
    let s = setup();
    let qv = s.write(
        "qv.jsonl",
        br#"{"id": "q1", "vector": {"5": 1.0, "9": 0.5}}
{"id": "q2", "vector": {"29": 2.0}}
"#,
    );
    let run = s.path("one.trec");
    let out = spladescope()
        .arg("retrieve")
        .arg(s.path("idx"))
        .arg("--query-vectors")
        .arg(&qv)
        .args(["--vector-keys", "ids", "--run-out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = read_run(&run, &RunOptions::default()).unwrap().run;
    assert!(run.get("q2").is_some());

    let refuse = |extra: &[&str], want: &str| {
        let out = spladescope()
            .arg("retrieve")
            .arg(s.path("idx"))
            .args(extra)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{extra:?}");
        assert!(
            text(&out.stderr).contains(want),
            "{extra:?}: {}",
            text(&out.stderr)
        );
    };
    refuse(
        &[
            "--query-vectors",
            qv.to_str().unwrap(),
            "--vector-keys",
            "ids",
            "--system",
            "bm25",
        ],
        "bm25 needs query texts",
    );
    refuse(
        &["--query-vectors", qv.to_str().unwrap(), "--system", "dense"],
        "--query-vectors gives SPLADE vectors only: dense needs query texts",
    );
    refuse(
        &[],
        "give --beir DIR, --queries FILE or --query-vectors FILE",
    );
    refuse(
        &[
            "--query-vectors",
            qv.to_str().unwrap(),
            "--vector-keys",
            "ids",
            "--algorithm",
            "exhaustive",
            "--versus-exhaustive",
        ],
        "--versus-exhaustive compares pruned SPLADE or BM25",
    );
}
