//! Parity with pytrec_eval / scipy on fixtures made by `scripts/make_trec_eval_fixtures.py`,
//! and on the SciFact and NFCorpus test qrels when the shared data is present.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use spladescope::eval::prng::splitmix64;
use spladescope::eval::stats::{incomplete_beta, student_t_two_sided};
use spladescope::eval::{
    compare, evaluate, load_beir, paired_t_test, read_qrels, read_run, write_run, EvalError,
    EvalOptions, Evaluation, Metric, OnDuplicate, Qrels, QrelsFormat, QrelsOptions, QueryScope,
    RandomizationOptions, Run, RunOptions,
};

const TOL: f64 = 1e-9;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/trec_eval")
        .join(name)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn qrels() -> Qrels {
    read_qrels(fixture("qrels.txt"), &QrelsOptions::default())
        .unwrap()
        .qrels
}

fn run(name: &str) -> Run {
    let opts = RunOptions {
        on_duplicate: OnDuplicate::KeepLast,
    };
    read_run(fixture(name), &opts).unwrap().run
}

fn opts(scope: QueryScope, relevance_level: i64) -> EvalOptions {
    EvalOptions {
        scope,
        relevance_level,
    }
}

/// Fixture key of a measure (the field names of `MetricValues`).
fn key(m: Metric) -> &'static str {
    match m {
        Metric::Ndcg10 => "ndcg_cut_10",
        Metric::Mrr10 => "recip_rank_10",
        Metric::Recall100 => "recall_100",
        Metric::Recall1000 => "recall_1000",
        Metric::Map1000 => "map_cut_1000",
        Metric::P10 => "p_10",
    }
}

/// Asserts per-query values and means equal pytrec_eval's; returns the largest difference.
fn assert_matches(label: &str, got: &Evaluation, want: &Value) -> f64 {
    let want_q = want["per_query"].as_object().unwrap();
    let got_ids: Vec<&String> = got.per_query.keys().collect();
    let want_ids: BTreeSet<&String> = want_q.keys().collect();
    assert_eq!(
        got_ids.iter().copied().collect::<BTreeSet<_>>(),
        want_ids,
        "{label}: evaluated queries differ"
    );
    let mut worst: f64 = 0.0;
    for (qid, e) in &got.per_query {
        for m in Metric::ALL {
            let w = want_q[qid][key(m)].as_f64().unwrap();
            let g = e.values.get(m);
            worst = worst.max((g - w).abs());
            assert!(
                (g - w).abs() <= TOL,
                "{label} query {qid} {m}: got {g}, pytrec_eval {w}"
            );
        }
    }
    for m in Metric::ALL {
        let w = want["mean"][key(m)].as_f64().unwrap();
        let g = got.mean(m);
        worst = worst.max((g - w).abs());
        assert!(
            (g - w).abs() <= TOL,
            "{label} mean {m}: got {g}, pytrec_eval {w}"
        );
    }
    worst
}

#[test]
fn qrels_in_trec_and_beir_form_are_the_same() {
    let trec = read_qrels(fixture("qrels.txt"), &QrelsOptions::default()).unwrap();
    let beir = read_qrels(fixture("qrels.tsv"), &QrelsOptions::default()).unwrap();
    assert_eq!(trec.format, QrelsFormat::Trec);
    assert_eq!(beir.format, QrelsFormat::BeirTsv);
    assert!(beir.header && !trec.header);
    assert_eq!(trec.qrels, beir.qrels);
    // One repeated judgment (q09 d903: 0 then 2); the last wins.
    for f in [&trec, &beir] {
        assert_eq!((f.duplicates.count, f.duplicates.conflicting), (1, 1));
        assert_eq!(f.qrels.relevance("q09", "d903"), Some(2));
    }
    assert_eq!(trec.qrels.relevance("q07", "\u{e9}t\u{e9}"), Some(1));
    assert_eq!(trec.qrels.relevance("q06", "d600"), Some(-1));
}

#[test]
fn run_with_repeated_line_fails_by_default_like_trec_eval() {
    let err = read_run(fixture("run_a.trec"), &RunOptions::default()).unwrap_err();
    match &err {
        EvalError::Duplicate {
            line,
            first_line,
            qid,
            docid,
            count,
            ..
        } => {
            assert_eq!(
                (*first_line, qid.as_str(), docid.as_str(), *count),
                (2, "q01", "d005", 1)
            );
            assert!(*line > 2);
        }
        other => panic!("unexpected error {other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("run_a.trec:") && msg.contains("already appeared on line 2"),
        "{msg}"
    );
    let kept = read_run(
        fixture("run_a.trec"),
        &RunOptions {
            on_duplicate: OnDuplicate::KeepLast,
        },
    )
    .unwrap();
    assert_eq!(kept.duplicates.count, 1);
    assert_eq!(kept.tags, ["a"]);
    assert_ne!(
        kept.run
            .get("q01")
            .unwrap()
            .iter()
            .find(|d| d.docid == "d005")
            .unwrap()
            .score,
        99.0
    );
}

#[test]
fn every_value_matches_pytrec_eval() {
    let exp = expected();
    let qrels = qrels();
    let mut worst: f64 = 0.0;
    for name in ["run_a", "run_b"] {
        let r = run(&format!("{name}.trec"));
        for (scope, label) in [
            (QueryScope::AllQrels, "all_qrels"),
            (QueryScope::RunAndQrels, "run_and_qrels"),
        ] {
            let got = evaluate(&r, &qrels, &opts(scope, 1)).unwrap();
            worst = worst.max(assert_matches(
                &format!("{name} {label}"),
                &got,
                &exp["runs"][name][label],
            ));
        }
    }
    let r = run("run_a.trec");
    for (scope, label) in [
        (QueryScope::AllQrels, "all_qrels"),
        (QueryScope::RunAndQrels, "run_and_qrels"),
    ] {
        let got = evaluate(&r, &qrels, &opts(scope, 2)).unwrap();
        worst = worst.max(assert_matches(
            &format!("run_a level 2 {label}"),
            &got,
            &exp["run_a_relevance_level_2"][label],
        ));
    }
    println!("largest difference from pytrec_eval: {worst:e}");
}

#[test]
fn scope_bookkeeping_on_fixture() {
    let got = evaluate(&run("run_a.trec"), &qrels(), &EvalOptions::default()).unwrap();
    assert_eq!(got.run_queries_not_in_qrels, ["q99"]);
    assert_eq!(got.qrels_queries_not_in_run, ["q03"]);
    assert_eq!(got.queries_without_relevant, ["q02"]);
    assert!(!got.per_query["q03"].in_run);
    assert_eq!(got.per_query["q05"].num_ret, 1100);
}

#[test]
fn t_tests_match_scipy() {
    let exp = expected();
    let qrels = qrels();
    let a = evaluate(&run("run_a.trec"), &qrels, &EvalOptions::default()).unwrap();
    let b = evaluate(&run("run_b.trec"), &qrels, &EvalOptions::default()).unwrap();
    for m in Metric::ALL {
        let c = compare(&a, &b, m, &RandomizationOptions::default()).unwrap();
        let t = c.t_test.unwrap();
        let want = &exp["ttest_all_qrels"][key(m)];
        assert_eq!(t.n as u64, want["n"].as_u64().unwrap());
        let (wt, wp) = (want["t"].as_f64().unwrap(), want["p"].as_f64().unwrap());
        assert!(
            (t.t - wt).abs() <= 1e-9 * wt.abs().max(1.0),
            "{m}: t {} vs {wt}",
            t.t
        );
        assert!(
            (t.p_value - wp).abs() <= 1e-9,
            "{m}: p {} vs {wp}",
            t.p_value
        );
        let w = c.win_tie_loss;
        assert_eq!(w.wins + w.ties + w.losses, c.n);
        let r = c.randomization.unwrap();
        assert!(r.p_value > 0.0 && r.p_value <= 1.0);
        assert_eq!((r.n, r.trials), (24, 10_000));
    }
}

#[test]
fn special_functions_match_scipy() {
    let exp = expected();
    for c in exp["special"]["student_t_two_sided"].as_array().unwrap() {
        let (t, df, p) = (
            c["t"].as_f64().unwrap(),
            c["df"].as_f64().unwrap(),
            c["p"].as_f64().unwrap(),
        );
        let got = student_t_two_sided(t, df);
        assert!(
            (got - p).abs() <= 1e-12 + 1e-10 * p,
            "t={t} df={df}: {got} vs scipy {p}"
        );
    }
    for c in exp["special"]["betainc"].as_array().unwrap() {
        let (a, b, x, i) = (
            c["a"].as_f64().unwrap(),
            c["b"].as_f64().unwrap(),
            c["x"].as_f64().unwrap(),
            c["i"].as_f64().unwrap(),
        );
        let got = incomplete_beta(a, b, x);
        assert!(
            (got - i).abs() <= 1e-12 + 1e-10 * i,
            "I({x}; {a}, {b}): {got} vs scipy {i}"
        );
    }
}

#[test]
fn written_run_evaluates_identically() {
    let qrels = qrels();
    let original = run("run_a.trec");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.trec");
    write_run(&path, &original, "spladescope").unwrap();
    let back = read_run(&path, &RunOptions::default()).unwrap().run;
    assert_eq!(back.num_docs(), original.num_docs());
    let a = evaluate(&original, &qrels, &EvalOptions::default()).unwrap();
    let b = evaluate(&back, &qrels, &EvalOptions::default()).unwrap();
    assert_eq!(a, b);
}

// ------------------------------------------------------------------- real collections

fn shared_dir() -> Option<PathBuf> {
    common::shared("data").map(|data| data.parent().unwrap().to_path_buf())
}

/// Mirror of `synthetic_run` in the fixture script.
fn synthetic_run(qrels: &Qrels, seed: u64) -> Run {
    let pool: BTreeSet<&str> = qrels
        .iter()
        .flat_map(|(_, j)| j.keys().map(String::as_str))
        .collect();
    let mut state = seed;
    let mut run = Run::new();
    for (qid, judged) in qrels.iter() {
        if splitmix64(&mut state).is_multiple_of(10) {
            continue;
        }
        let share = [5, 30, 100][(splitmix64(&mut state) % 3) as usize];
        let mut docs = Vec::new();
        for &d in &pool {
            let r = splitmix64(&mut state);
            let limit = if judged.contains_key(d) { 70 } else { share };
            if r % 100 < limit {
                let mut s = ((r >> 32) % 64) as f64 / 8.0;
                if judged.get(d).copied().unwrap_or(0) > 0 && (r >> 20).is_multiple_of(2) {
                    s += 4.0;
                }
                docs.push(spladescope::eval::ScoredDoc::new(d, s));
            }
        }
        run.set(qid, docs);
    }
    for d in pool.iter().take(3) {
        run.push("not-judged", *d, 1.0);
    }
    run
}

#[test]
fn beir_collections_match_pytrec_eval() {
    let Some(shared) = shared_dir() else {
        println!(
            "SKIPPED beir_collections_match_pytrec_eval: no shared data (set SPLADESCOPE_SHARED)"
        );
        return;
    };
    let text = std::fs::read_to_string(fixture("beir_synthetic.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    for (name, num_queries) in [("scifact", 300), ("nfcorpus", 323)] {
        let split = load_beir(shared.join("data").join(name), "test").unwrap();
        assert_eq!(split.qrels.len(), num_queries, "{name}");
        assert_eq!(
            split.queries.len(),
            num_queries,
            "{name}: every judged query has text"
        );
        assert!(split.judged_queries_without_text.is_empty());
        assert!(split.qrels_duplicates.is_empty());
        let want = &exp[name];
        assert_eq!(want["num_qrels_queries"].as_u64(), Some(num_queries as u64));
        let mut evals = BTreeMap::new();
        for (label, seed) in [("a", 1u64), ("b", 2u64)] {
            let run = synthetic_run(&split.qrels, seed);
            assert_eq!(
                run.len() as u64,
                want[label]["num_run_queries"].as_u64().unwrap()
            );
            for (scope, scope_key) in [
                (QueryScope::AllQrels, "all_qrels"),
                (QueryScope::RunAndQrels, "run_and_qrels"),
            ] {
                let got = evaluate(&run, &split.qrels, &opts(scope, 1)).unwrap();
                for m in Metric::ALL {
                    let w = want[label][scope_key][key(m)].as_f64().unwrap();
                    assert!(
                        (got.mean(m) - w).abs() <= TOL,
                        "{name} run {label} {scope_key} {m}: got {} pytrec_eval {w}",
                        got.mean(m)
                    );
                }
                if scope == QueryScope::RunAndQrels {
                    assert_eq!(
                        got.num_queries() as u64,
                        want[label]["num_run_and_qrels"].as_u64().unwrap()
                    );
                } else {
                    evals.insert(label, got);
                }
            }
        }
        for m in Metric::ALL {
            let c = compare(
                &evals["a"],
                &evals["b"],
                m,
                &RandomizationOptions::default(),
            )
            .unwrap();
            let diffs: Vec<f64> = evals["a"]
                .values(m)
                .iter()
                .zip(evals["b"].values(m))
                .map(|(x, y)| x.1 - y.1)
                .collect();
            assert_eq!(paired_t_test(&diffs), c.t_test);
            let want_p = want["ttest_all_qrels"][key(m)]["p"].as_f64().unwrap();
            let got_p = c.t_test.unwrap().p_value;
            assert!(
                (got_p - want_p).abs() <= 1e-9,
                "{name} {m}: p {got_p} vs scipy {want_p}"
            );
        }
        println!("{name}: 6 means x 2 scopes x 2 runs and 6 t-tests equal pytrec_eval/scipy");
    }
}
