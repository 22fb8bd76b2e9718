//! An engine profile (`splade@elasticsearch:prune`) next to exact SPLADE in the explorer:
//! headless against the CLI twin, the inspector's exact and engine parts, snapshots, and in
//! tmux with real keys.

#[path = "common/cli.rs"]
mod cli;
mod common;
#[path = "common/tmux.rs"]
mod tmux;

use ratatui::crossterm::event::KeyCode;
use spladescope::engine::{Engine, ListKind};
use spladescope::system::{Explanation, SystemSpec};
use spladescope::tui::state::{Focus, State};

use cli::{json_of, spladescope};
use common::explorer::{apply, demo_engine, evaluate, key, load, screen, state, typing};
use tmux::{no_tmux, start};

const PROFILE: &str = "splade@elasticsearch:prune";
const QUERY: &str = "reset my login";

fn engine() -> Option<Engine> {
    let mut e = demo_engine(false, true)?;
    e.add_systems(&[SystemSpec::parse(PROFILE).unwrap()], 1, false)
        .unwrap();
    Some(e)
}

/// Loaded, the query typed, the profile in the right list (`>` from the hit lists).
fn beside(e: &Engine, w: u16, h: u16) -> State {
    let mut s = state(w, h);
    load(&mut s, e);
    apply(&mut s, e, typing(QUERY));
    apply(
        &mut s,
        e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Char('>')),
        ],
    );
    s
}

#[test]
fn the_profile_beside_splade_equals_the_cli_and_marks_the_hits_that_move() {
    let Some(e) = engine() else { return };
    assert_eq!(e.systems()[2], PROFILE);
    let s = beside(&e, 150, 44);
    assert_eq!(s.columns, [0, 2]);
    let v = s.shown.clone().unwrap();
    let (left, right) = (&v.lists[0], &v.lists[1]);
    assert_eq!(right.name, PROFILE);
    assert_eq!(right.kind, ListKind::Sparse);
    let json = json_of(
        spladescope()
            .arg("search")
            .arg(e.index().dir())
            .args([QUERY, "--system", "splade", "--system", PROFILE, "--json"]),
    );
    for (list, r) in v.lists.iter().zip(json["results"].as_array().unwrap()) {
        let cli: Vec<(String, f32)> = r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_string(),
                    h["score"].as_f64().unwrap() as f32,
                )
            })
            .collect();
        let shown: Vec<(String, f32)> = list
            .hits
            .iter()
            .map(|h| (h.id.clone(), h.score as f32))
            .collect();
        assert_eq!(shown, cli, "{}", list.name);
    }
    // Each engine hit's bar holds its engine parts, which add up (in f64) to its score, and
    // its mark gives its rank in exact SPLADE.
    for h in &right.hits {
        let sum: f64 = h.parts.iter().map(|p| f64::from(p.value)).sum();
        assert_eq!(sum as f32, h.score as f32, "{}", h.id);
        let exact = left.hits.iter().position(|l| l.id == h.id).map(|p| p + 1);
        if exact.is_some() {
            assert_eq!(h.other_rank, exact, "{}", h.id);
        }
    }
    // Pruning and 9-bit weights move scores: no engine score equals the exact one.
    let moved = right
        .hits
        .iter()
        .filter(|h| left.hits.iter().any(|l| l.id == h.id && l.score != h.score))
        .count();
    assert!(moved > 0, "no score moved");
    let w = screen(&s, 150, 44);
    assert!(w.contains(&format!(" {PROFILE} ")), "{w}");
}

#[test]
fn the_inspector_shows_exact_and_engine_parts_and_the_dropped_tokens() {
    let Some(e) = engine() else { return };
    let mut s = beside(&e, 150, 44);
    apply(&mut s, &e, [key(KeyCode::Right), key(KeyCode::Enter)]);
    assert_eq!((s.focus, s.list), (Focus::Inspector, Focus::Right));
    let v = s.shown.clone().unwrap();
    let x = v.inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, v.lists[1].hits[0].id);
    let Explanation::Profile(p) = &x.columns[1].1 else {
        panic!("{:?}", x.columns[1].1)
    };
    assert_eq!(p.rank.rank, Some(1));
    assert_eq!(p.score, v.lists[1].hits[0].score as f32);
    // The exact parts add up to SPLADE's score of the document, the engine parts to the
    // engine's, and each row's difference is engine − exact.
    let Explanation::Splade(exact) = &x.columns[0].1 else {
        panic!("{:?}", x.columns[0].1)
    };
    assert_eq!(p.exact_score, exact.score);
    let engine_sum: f64 = p.terms.iter().map(|t| f64::from(t.engine)).sum();
    assert_eq!(engine_sum as f32, p.score);
    for t in &p.terms {
        assert_eq!(t.difference, t.engine - t.exact, "{}", t.token);
        assert_eq!(t.exact, t.query_weight * t.doc_weight);
        // FeatureField keeps 9 significant bits: never more than the weight.
        assert!(t.engine_doc_weight <= t.doc_weight && t.engine_doc_weight > t.doc_weight * 0.99);
    }
    let w = screen(&s, 150, 44);
    assert!(w.contains("exact  engine       Δ"), "{w}");
    assert!(w.contains(&format!("{PROFILE} #1")), "{w}");
    if !p.dropped.is_empty() {
        assert!(w.contains("drops "), "{w}");
    }
}

#[test]
fn evaluate_tests_the_profile_against_exact_splade_as_the_cli_does() {
    let Some(e) = engine() else { return };
    let mut s = beside(&e, 150, 44);
    evaluate(&mut s, &e);
    let table = s.eval.table.clone().unwrap();
    let i = table.systems.iter().position(|n| n == PROFILE).unwrap();
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let json = json_of(
        spladescope()
            .arg("eval")
            .arg(e.index().dir())
            .arg("--queries")
            .arg(assets.join("queries.jsonl"))
            .arg("--qrels")
            .arg(assets.join("qrels/test.tsv"))
            .args(["--system", "splade", "--system", PROFILE, "--json"]),
    );
    let ndcg = json["systems"][1]["metrics"]["nDCG@10"].as_f64().unwrap();
    assert_eq!(table.means[i].ndcg_cut_10, ndcg);
    // SPLADE as the baseline against the profile: the same paired test as the CLI's.
    let c = table.comparisons[0][i].as_ref().unwrap();
    let p = json["pairs"][0]["randomization"]["p_value"]
        .as_f64()
        .unwrap();
    assert!((c.randomization.as_ref().unwrap().p_value - p).abs() < 1e-12);
    let w = screen(&s, 150, 44);
    assert!(w.contains("splade@elasticsearch"), "{w}");
}

#[test]
fn snapshots_of_a_profile_beside_splade() {
    let Some(e) = engine() else { return };
    for (w, h) in [(80, 24), (150, 44)] {
        let mut s = beside(&e, w, h);
        insta::assert_snapshot!(format!("profile_beside_splade_{w}x{h}"), screen(&s, w, h));
        apply(&mut s, &e, [key(KeyCode::Right), key(KeyCode::Enter)]);
        insta::assert_snapshot!(format!("profile_inspected_{w}x{h}"), screen(&s, w, h));
    }
}

#[test]
fn real_keys_put_an_engine_profile_beside_splade() {
    if no_tmux() {
        return;
    }
    let Some(e) = engine() else { return };
    let args = format!(
        "tui '{}' --system {PROFILE} --query '{QUERY}'",
        e.index().dir().display(),
    );
    let (tmux, _home) = start("profiles", &args, 150, 44);
    tmux.wait("the hits", 120, |s| s.contains("overlap@10"));
    // To the hit lists, then `>`: the profile on the right, its first hit inspected.
    tmux.keys(&["Tab", "Tab", ">"]);
    tmux.wait("the profile", 30, |s| s.contains(&format!(" {PROFILE} ")));
    tmux.keys(&["Right", "Enter"]);
    let s = tmux.wait("the engine hit explained", 30, |s| {
        s.contains(&format!("{PROFILE} #1")) && s.contains("exact  engine")
    });
    assert!(s.contains("SPLADE #"), "{s}");
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(30), 0);
}
