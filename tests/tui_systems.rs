//! The explorer with systems beyond SPLADE and BM25 (a hybrid and a run file), headless
//! through `update`, against the CLI twins, in snapshots, and in tmux with real keys.

#[path = "common/cli.rs"]
mod cli;
mod common;
#[path = "common/tmux.rs"]
mod tmux;

use ratatui::crossterm::event::KeyCode;
use spladescope::engine::{Engine, ListKind};
use spladescope::system::Explanation;
use spladescope::tui::state::{Focus, State, View};

use cli::{json_of, spladescope};
use common::explorer::{
    apply, demo_engine_with_systems, evaluate, key, load, screen, select_judged, state, typing,
};
use tmux::{no_tmux, start};

fn engine(dir: &std::path::Path) -> Option<(Engine, std::path::PathBuf)> {
    let e = demo_engine_with_systems(dir);
    if e.is_none() {
        eprintln!("skipped: the shared models are absent");
    }
    e
}

/// Loaded, "reset my login" typed, the focus in the term list.
fn typed(e: &Engine, w: u16, h: u16) -> State {
    let mut s = state(w, h);
    load(&mut s, e);
    apply(&mut s, e, typing("reset my login"));
    apply(&mut s, e, [key(KeyCode::Tab)]);
    s
}

/// `spladescope search` on the demo index with `args`: each result's (system, hits as
/// (id, score)).
fn cli_search(e: &Engine, args: &[&str]) -> Vec<(String, Vec<(String, f64)>)> {
    let json = json_of(
        spladescope()
            .arg("search")
            .arg(e.index().dir())
            .args(args)
            .arg("--json"),
    );
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let hits = r["hits"]
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
            (r["system"].as_str().unwrap().to_string(), hits)
        })
        .collect()
}

#[test]
fn a_hybrid_beside_splade_equals_the_cli_and_explains_its_hits_by_component() {
    let t = tempfile::tempdir().unwrap();
    let Some((e, _)) = engine(t.path()) else {
        return;
    };
    assert_eq!(
        e.systems(),
        ["SPLADE", "BM25", "rrf:splade+bm25", "prod"].map(String::from)
    );
    let mut s = typed(&e, 150, 44);
    // `>`: the right list shows the next system, the hybrid.
    apply(&mut s, &e, [key(KeyCode::Char('>'))]);
    assert_eq!(s.columns, [0, 2]);
    let v = s.shown.clone().unwrap();
    let (left, right) = (&v.lists[0], &v.lists[1]);
    assert_eq!(
        (left.name.as_str(), right.name.as_str()),
        ("SPLADE", "rrf:splade+bm25")
    );
    assert_eq!(right.kind, ListKind::Fusion);
    // The same numbers as the CLI twin.
    let cli = cli_search(
        &e,
        &[
            "reset my login",
            "--system",
            "splade",
            "--system",
            "rrf:splade+bm25",
        ],
    );
    for (list, (system, hits)) in v.lists.iter().zip(&cli) {
        // The JSON writes scores that are `f32` values in their shortest `f32` form.
        let shown: Vec<(String, f32)> = list
            .hits
            .iter()
            .map(|h| (h.id.clone(), h.score as f32))
            .collect();
        let cli: Vec<(String, f32)> = hits.iter().map(|(id, s)| (id.clone(), *s as f32)).collect();
        assert_eq!(shown, cli, "{system}");
    }
    // A fused hit's bar is its components' contributions, which add up to its score, and
    // the cross-rank marks compare with SPLADE.
    for (rank, h) in right.hits.iter().enumerate() {
        let sum: f64 = h.parts.iter().map(|p| f64::from(p.value)).sum();
        assert!(
            (sum - h.score).abs() < 1e-6,
            "{}: {sum} vs {}",
            h.id,
            h.score
        );
        let in_splade = left.hits.iter().position(|l| l.id == h.id).map(|p| p + 1);
        if let Some(r) = in_splade {
            assert_eq!(h.other_rank, Some(r), "rank {}", rank + 1);
        }
    }
    let screen_text = screen(&s, 150, 44);
    assert!(screen_text.contains(" rrf:splade+bm25 "), "{screen_text}");
    assert!(
        screen_text.contains("↑↓ vs rrf:splade+bm25"),
        "{screen_text}"
    );

    // The second hybrid hit, inspected: both systems explain it.
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    assert_eq!((s.focus, s.list), (Focus::Inspector, Focus::Right));
    let v = s.shown.clone().unwrap();
    let x = v.inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, v.lists[1].hits[1].id);
    let (Explanation::Splade(splade), Explanation::Fusion(fused)) =
        (&x.columns[0].1, &x.columns[1].1)
    else {
        panic!("{:?}", x.columns)
    };
    assert_eq!(fused.position.rank, Some(2));
    let total: f64 = fused.parts.iter().map(|p| p.contribution).sum();
    assert_eq!(total, fused.position.score.unwrap());
    for part in &fused.parts {
        let list = &cli_search(
            &e,
            &["reset my login", "--system", &part.system, "-k", "10"],
        )[0]
        .1;
        let rank = list.iter().position(|(id, _)| *id == x.id).map(|p| p + 1);
        assert_eq!(part.rank, rank, "{}", part.system);
        if let Some(r) = rank {
            assert_eq!(part.contribution, 1.0 / (60.0 + r as f64));
        }
    }
    assert_eq!(
        splade.rank.rank,
        v.lists[0]
            .hits
            .iter()
            .position(|h| h.id == x.id)
            .map(|p| p + 1)
            .or(splade.rank.rank)
    );
    let w = screen(&s, 150, 44);
    assert!(w.contains("rrf:splade+bm25 #2"), "{w}");
    assert!(w.contains("rank  score  norm  ×w   = part  share"), "{w}");
    assert!(w.contains("■splade") && w.contains("■bm25"), "{w}");
    // `<` moves the left list on (skipping the right one's system).
    apply(&mut s, &e, [key(KeyCode::Char('<'))]);
    assert_eq!(s.columns, [1, 2]);
    apply(&mut s, &e, [key(KeyCode::Char('<'))]);
    assert_eq!(s.columns, [3, 2]);
}

#[test]
fn a_run_is_shown_next_to_splade_for_judged_queries_and_lacking_otherwise() {
    let t = tempfile::tempdir().unwrap();
    let Some((e, run)) = engine(t.path()) else {
        return;
    };
    let mut s = typed(&e, 150, 44);
    apply(
        &mut s,
        &e,
        [key(KeyCode::Char('>')), key(KeyCode::Char('>'))],
    );
    assert_eq!(s.columns, [0, 3]);
    // A typed query has no id: the run lacks it, and says so.
    let v = s.shown.clone().unwrap();
    assert!(!v.lists[1].has_query && v.lists[1].hits.is_empty());
    let w = screen(&s, 150, 44);
    assert!(w.contains("this run has no results for this query"), "{w}");

    // Opened from Evaluate, the judged query has the run's hits, in the file's order.
    select_judged(&mut s, &e, "q01");
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert_eq!((s.view, s.columns), (View::Explore, [0, 3]));
    let v = s.shown.clone().unwrap();
    let file = std::fs::read_to_string(&run).unwrap();
    let expected: Vec<(String, f64)> = file
        .lines()
        .filter(|l| l.starts_with("q01 "))
        .take(10)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[2].to_string(), f[4].parse().unwrap())
        })
        .collect();
    let shown: Vec<(String, f64)> = v.lists[1]
        .hits
        .iter()
        .map(|h| (h.id.clone(), h.score))
        .collect();
    assert_eq!(shown, expected);
    assert_eq!(v.lists[1].kind, ListKind::Run);
    // Relevant documents are marked in both lists.
    let graded: Vec<bool> = v.lists[0].hits.iter().map(|h| h.grade.is_some()).collect();
    assert!(graded.contains(&true) && !v.relevant.is_empty());
    // The CLI twin with --qid gives the same list.
    let cli = cli_search(
        &e,
        &[
            "reset my login",
            "--qid",
            "q01",
            "--system",
            &format!("run:prod={}", run.display()),
        ],
    );
    assert_eq!(cli[0].1, shown);
    // A run hit in the inspector: its score only, with SPLADE's explanation beside it.
    apply(&mut s, &e, [key(KeyCode::Right), key(KeyCode::Enter)]);
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, expected[0].0);
    assert!(matches!(x.columns[0].1, Explanation::Splade(_)));
    let Explanation::Run(r) = &x.columns[1].1 else {
        panic!("{:?}", x.columns[1])
    };
    assert_eq!((r.position.rank, r.position.score), (Some(1), Some(20.0)));
    let w = screen(&s, 150, 44);
    assert!(w.contains("prod #1 20.0000"), "{w}");
    assert!(w.contains("a run file gives only its score"), "{w}");
}

#[test]
fn evaluate_shows_every_system_against_the_baseline_the_user_picks() {
    let t = tempfile::tempdir().unwrap();
    let Some((e, run)) = engine(t.path()) else {
        return;
    };
    let mut s = typed(&e, 150, 44);
    evaluate(&mut s, &e);
    apply(&mut s, &e, [key(KeyCode::Char('3'))]);
    let table = s.eval.table.clone().unwrap();
    assert_eq!(table.systems.len(), 4);
    // `b`: BM25 is the baseline; the deltas and tests are BM25's.
    apply(&mut s, &e, [key(KeyCode::Char('b'))]);
    assert_eq!(s.eval.baseline, 1);
    let w = screen(&s, 150, 44);
    assert!(w.contains("Δ vs BM25 (b)"), "{w}");
    assert!(w.contains("BM25 vs"), "{w}");
    // The same numbers as `spladescope eval --baseline bm25`.
    let qrels = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let json = json_of(
        spladescope()
            .arg("eval")
            .arg(e.index().dir())
            .arg("--queries")
            .arg(qrels.join("queries.jsonl"))
            .arg("--qrels")
            .arg(qrels.join("qrels/test.tsv"))
            .args([
                "--system",
                "splade",
                "--system",
                "bm25",
                "--system",
                "rrf:splade+bm25",
            ])
            .arg("--system")
            .arg(format!("run:prod={}", run.display()))
            .args(["--baseline", "bm25", "--json"]),
    );
    let pairs = json["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    for pair in pairs {
        let other = pair["b"].as_str().unwrap();
        let i = ["splade", "bm25", "rrf:splade+bm25", "prod"]
            .iter()
            .position(|n| *n == other)
            .unwrap();
        let c = table.comparisons[1][i].as_ref().unwrap();
        let p = pair["randomization"]["p_value"].as_f64().unwrap();
        assert!((c.randomization.as_ref().unwrap().p_value - p).abs() < 1e-12);
        let shown = format!("{:.4}", p);
        assert!(
            w.lines()
                .any(|l| l.contains(&short(&table.systems[i])) && l.contains(&shown)),
            "{}: {shown}\n{w}",
            table.systems[i]
        );
    }
    // Sorting by a delta sorts by BM25 minus that system.
    apply(&mut s, &e, [key(KeyCode::Char('s'))]);
    let order = s.eval.sorted_rows(&table);
    let d = |r: usize, i: usize| table.rows[r].ndcg[1] - table.rows[r].ndcg[i];
    if let spladescope::tui::state::EvalColumn::Delta(i) = s.eval.sort {
        assert_ne!(i, 1);
        assert!(order.windows(2).all(|w| d(w[0], i) <= d(w[1], i)));
    }
}

#[test]
fn snapshots_of_a_hybrid_and_of_evaluate_against_bm25() {
    let t = tempfile::tempdir().unwrap();
    let Some((e, _)) = engine(t.path()) else {
        return;
    };
    for (w, h) in [(80, 24), (150, 44)] {
        let mut s = typed(&e, w, h);
        apply(
            &mut s,
            &e,
            [
                key(KeyCode::Char('>')),
                key(KeyCode::Tab),
                key(KeyCode::Tab),
                key(KeyCode::Enter),
            ],
        );
        insta::assert_snapshot!(format!("hybrid_inspected_{w}x{h}"), screen(&s, w, h));
        evaluate(&mut s, &e);
        apply(
            &mut s,
            &e,
            [key(KeyCode::Char('3')), key(KeyCode::Char('b'))],
        );
        insta::assert_snapshot!(format!("evaluate_against_bm25_{w}x{h}"), screen(&s, w, h));
    }
}

#[test]
fn real_keys_put_a_hybrid_and_a_run_beside_splade() {
    if no_tmux() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let Some((e, run)) = engine(t.path()) else {
        return;
    };
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let args = format!(
        "tui '{}' --queries '{}' --qrels '{}' --system rrf:splade+bm25 --system 'run:prod={}' --query 'reset my login'",
        e.index().dir().display(),
        assets.join("queries.jsonl").display(),
        assets.join("qrels/test.tsv").display(),
        run.display()
    );
    let (tmux, _home) = start("systems", &args, 150, 44);
    tmux.wait("the hits", 120, |s| s.contains("overlap@10"));
    // To the hit lists, then `>`: the hybrid on the right, explained in the inspector.
    tmux.keys(&["Tab", "Tab", ">"]);
    tmux.wait("the hybrid", 30, |s| s.contains(" rrf:splade+bm25 "));
    tmux.keys(&["Right", "Enter"]);
    let s = tmux.wait("the fused hit explained", 30, |s| {
        s.contains("rrf:splade+bm25 #1") && s.contains("= part  share")
    });
    assert!(s.contains("SPLADE #"), "{s}");
    // `>` again: the run, which has no results for a typed query.
    tmux.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    tmux.keys(&[">"]);
    tmux.wait("the run's note", 30, |s| {
        s.contains("this run has no results")
    });
    // Evaluate, Enter on a judged query: the run's hits next to SPLADE's.
    tmux.keys(&["3"]);
    tmux.wait("the evaluation", 120, |s| {
        s.contains("prod vs") || s.contains("SPLADE vs")
    });
    tmux.keys(&["Enter"]);
    let s = tmux.wait("the run's hits", 30, |s| {
        s.contains(" prod ") && s.contains("judged query") && s.contains("20.0000")
    });
    assert!(s.contains(" SPLADE "), "{s}");
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(30), 0);
}

/// The first 10 characters of a name (as narrow tables cut it).
fn short(name: &str) -> String {
    name.chars().take(10).collect()
}

#[test]
fn a_system_that_cannot_load_is_one_clear_message() {
    if no_tmux() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let Some((e, _)) = engine(t.path()) else {
        return;
    };
    let missing = t.path().join("no-such-run.trec");
    let args = format!(
        "tui '{}' --system 'run:x={}'",
        e.index().dir().display(),
        missing.display()
    );
    let (tmux, _home) = start("badrun", &args, 120, 30);
    let s = tmux.wait("the error screen", 60, |s| s.contains("no-such-run.trec"));
    // The cause is said once, not repeated by each layer that passes it on.
    assert_eq!(s.matches("os error 2").count(), 1, "{s}");
    tmux.keys(&["q"]);
    let s = tmux.wait("the exit", 30, |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=1"), "{s}");
}
