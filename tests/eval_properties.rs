//! Property tests: invariants of the measures, the readers and the statistics.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use spladescope::eval::stats::incomplete_beta;
use spladescope::eval::{
    evaluate, evaluate_query, paired_t_test, parse_qrels, parse_queries, parse_run,
    randomization_test, trec_ranking, write_run_to, EvalOptions, Metric, Qrels, QrelsOptions,
    QueryScope, RandomizationOptions, Run, RunOptions, ScoredDoc,
};

fn judgments() -> impl Strategy<Value = BTreeMap<String, i64>> {
    prop::collection::btree_map((0u32..40).prop_map(|i| format!("d{i}")), -1i64..=3, 0..25)
}

/// Unique documents with scores drawn from a small set (many ties) or anywhere.
fn ranking() -> impl Strategy<Value = Vec<ScoredDoc>> {
    let score = prop_oneof![
        (0u8..6).prop_map(|k| f64::from(k) / 2.0),
        any::<f32>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(f64::from),
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
    ];
    prop::collection::btree_map((0u32..60).prop_map(|i| format!("d{i}")), score, 0..60)
        .prop_map(|m| m.into_iter().map(|(d, s)| ScoredDoc::new(d, s)).collect())
}

proptest! {
    #[test]
    fn measures_lie_in_unit_interval(j in judgments(), docs in ranking(), level in 1i64..=2) {
        let e = evaluate_query("q", &docs, Some(&j), level).unwrap();
        for (m, v) in e.values.iter() {
            prop_assert!(v.is_finite() && (0.0..=1.0).contains(&v), "{m} = {v}");
        }
        prop_assert!(e.num_rel_ret <= e.num_rel.min(e.num_ret));
    }

    #[test]
    fn perfect_ranking_scores_one(j in judgments(), extra in 0usize..30) {
        let num_rel = j.values().filter(|&&r| r >= 1).count();
        prop_assume!(num_rel > 0);
        // Judged documents scored by grade, then unjudged ones below everything.
        let mut docs: Vec<ScoredDoc> = j.iter().map(|(d, &r)| ScoredDoc::new(d.clone(), r as f64)).collect();
        docs.extend((0..extra).map(|i| ScoredDoc::new(format!("x{i}"), -10.0 - i as f64)));
        let v = evaluate_query("q", &docs, Some(&j), 1).unwrap().values;
        prop_assert!((v.ndcg_cut_10 - 1.0).abs() < 1e-12, "ndcg {}", v.ndcg_cut_10);
        prop_assert_eq!(v.recip_rank_10, 1.0);
        prop_assert_eq!(v.recall_100, 1.0);
        prop_assert_eq!(v.recall_1000, 1.0);
        prop_assert!((v.map_cut_1000 - 1.0).abs() < 1e-12);
        prop_assert!((v.p_10 - num_rel.min(10) as f64 / 10.0).abs() < 1e-12);
    }

    #[test]
    fn input_order_does_not_matter(j in judgments(), docs in ranking().prop_shuffle()) {
        let mut sorted = docs.clone();
        sorted.sort_by(|a, b| a.docid.cmp(&b.docid));
        let a = evaluate_query("q", &docs, Some(&j), 1).unwrap();
        let b = evaluate_query("q", &sorted, Some(&j), 1).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn written_run_reads_back_to_the_same_ranking(docs in ranking(), j in judgments()) {
        let mut run = Run::new();
        run.set("q1", docs.clone());
        let mut buf = Vec::new();
        write_run_to(&mut buf, &run, "t").unwrap();
        let back = parse_run(&buf, Path::new("mem"), &RunOptions::default()).unwrap().run;
        let empty: &[ScoredDoc] = &[];
        let got = back.get("q1").unwrap_or(empty);
        // Scores come back bit for bit, so the ranking and every measure are identical.
        let want_rank = trec_ranking("q1", &docs).unwrap();
        let got_rank = trec_ranking("q1", got).unwrap();
        prop_assert_eq!(want_rank, got_rank);
        let mut qrels = Qrels::new();
        for (d, r) in &j { qrels.insert("q1", d.clone(), *r); }
        qrels.insert("q1", "anchor", 1);
        let a = evaluate(&run, &qrels, &EvalOptions::default()).unwrap();
        let b = evaluate(&back, &qrels, &EvalOptions::default()).unwrap();
        prop_assert_eq!(a.mean, b.mean);
    }

    #[test]
    fn all_qrels_mean_is_run_mean_diluted_by_zeros(
        per_query in prop::collection::vec((judgments(), ranking(), any::<bool>()), 1..8)
    ) {
        let mut qrels = Qrels::new();
        let mut run = Run::new();
        for (i, (j, docs, in_run)) in per_query.iter().enumerate() {
            let q = format!("q{i}");
            qrels.insert(q.clone(), "anchor", 1);
            for (d, r) in j { qrels.insert(q.clone(), d.clone(), *r); }
            if *in_run || i == 0 { run.set(q, docs.clone()); }
        }
        let all = evaluate(&run, &qrels, &EvalOptions::default()).unwrap();
        let both = evaluate(&run, &qrels, &EvalOptions { scope: QueryScope::RunAndQrels, ..Default::default() }).unwrap();
        prop_assert_eq!(all.num_queries(), qrels.len());
        prop_assert_eq!(both.num_queries(), run.len());
        for m in Metric::ALL {
            let lhs = all.mean(m) * all.num_queries() as f64;
            let rhs = both.mean(m) * both.num_queries() as f64;
            prop_assert!((lhs - rhs).abs() < 1e-9, "{m}: {lhs} vs {rhs}");
        }
    }

    #[test]
    fn readers_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let p = Path::new("fuzz");
        let _ = parse_qrels(&data, p, &QrelsOptions::default());
        let _ = parse_run(&data, p, &RunOptions::default());
        let _ = parse_queries(&data, p);
    }

    #[test]
    fn readers_never_panic_on_near_valid_lines(
        lines in prop::collection::vec(
            prop::collection::vec(prop_oneof![
                Just("q1".to_string()), Just("0".to_string()), Just("d\u{e9}".to_string()),
                Just("-1".to_string()), Just("1e400".to_string()), Just("NaN".to_string()),
                Just("{\"_id\":".to_string()), Just("\"x\"}".to_string()), Just("".to_string()),
                "[a-z0-9.]{0,4}",
            ], 0..8),
            0..6),
        sep in prop_oneof![Just(" "), Just("\t"), Just("  ")],
        eol in prop_oneof![Just("\n"), Just("\r\n")],
    ) {
        let text: String = lines.iter().map(|l| l.join(sep) + eol).collect();
        let p = Path::new("fuzz");
        if let Err(e) = parse_qrels(text.as_bytes(), p, &QrelsOptions::default()) {
            prop_assert!(e.to_string().starts_with("fuzz:"), "{e}");
        }
        if let Err(e) = parse_run(text.as_bytes(), p, &RunOptions::default()) {
            prop_assert!(e.to_string().starts_with("fuzz:"), "{e}");
        }
        if let Err(e) = parse_queries(text.as_bytes(), p) {
            prop_assert!(e.to_string().starts_with("fuzz:"), "{e}");
        }
    }

    #[test]
    fn tests_give_valid_symmetric_p_values(diffs in prop::collection::vec(-1.0f64..1.0, 0..40)) {
        let neg: Vec<f64> = diffs.iter().map(|d| -d).collect();
        match (paired_t_test(&diffs), paired_t_test(&neg)) {
            (Some(a), Some(b)) => {
                prop_assert!((0.0..=1.0).contains(&a.p_value), "{}", a.p_value);
                prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
                prop_assert!(a.t == -b.t);
            }
            (None, None) => prop_assert!(diffs.len() < 2),
            _ => prop_assert!(false, "asymmetric None"),
        }
        let opts = RandomizationOptions { trials: 200, seed: 9 };
        match randomization_test(&diffs, &opts) {
            Some(r) => prop_assert!(r.p_value > 0.0 && r.p_value <= 1.0),
            None => prop_assert!(diffs.is_empty()),
        }
    }

    #[test]
    fn incomplete_beta_symmetry(a in 0.05f64..300.0, b in 0.05f64..300.0, x in 0.0f64..=1.0) {
        let i = incomplete_beta(a, b, x);
        let j = incomplete_beta(b, a, 1.0 - x);
        prop_assert!((0.0..=1.0).contains(&i), "{i}");
        prop_assert!((i + j - 1.0).abs() < 1e-9, "I={i} J={j}");
    }
}
