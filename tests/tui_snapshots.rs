//! Snapshots of every view of the explorer at 80×24 (the smallest supported size) and at a
//! wide size, drawn from a real engine over the demo collection into a `TestBackend`.
//! Timings are zeroed and model paths replaced so the text is machine-independent.

mod common;

use ratatui::crossterm::event::KeyCode;
use spladescope::tui::action::Action;
use spladescope::tui::engine::Engine;
use spladescope::tui::snapshot::{render, text};
use spladescope::tui::state::State;

use common::explorer::{apply, demo_engine, evaluate, key, load, state, typing};

const SIZES: [(u16, u16); 2] = [(80, 24), (150, 44)];

fn engine() -> Option<Engine> {
    let e = demo_engine(true, true);
    if e.is_none() {
        eprintln!("skipped: the shared models are absent");
    }
    e
}

fn snap(name: &str, state: &State, width: u16, height: u16) {
    let buffer = render(state, width, height);
    insta::assert_snapshot!(format!("{name}_{width}x{height}"), text(&buffer));
}

fn explore(engine: &Engine, width: u16, height: u16) -> State {
    let mut s = state(width, height);
    load(&mut s, engine);
    apply(&mut s, engine, typing("reset my login"));
    s
}

#[test]
fn explore_view() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let s = explore(&e, w, h);
        snap("explore", &s, w, h);
    }
}

#[test]
fn explore_with_inspector_open() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        apply(
            &mut s,
            &e,
            [key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Enter)],
        );
        snap("inspector", &s, w, h);
    }
}

#[test]
fn explore_with_an_ablated_term_and_pruning() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        apply(
            &mut s,
            &e,
            [
                key(KeyCode::Tab),
                key(KeyCode::Char(' ')),
                key(KeyCode::Char('[')),
                key(KeyCode::Char('[')),
            ],
        );
        snap("ablated", &s, w, h);
    }
}

#[test]
fn compare_view() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        apply(&mut s, &e, [key(KeyCode::F(3))]);
        snap("compare", &s, w, h);
    }
}

#[test]
fn evaluate_view() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        evaluate(&mut s, &e);
        apply(&mut s, &e, [key(KeyCode::F(4))]);
        snap("evaluate", &s, w, h);
    }
}

#[test]
fn index_view() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        apply(&mut s, &e, [key(KeyCode::F(5))]);
        snap("index", &s, w, h);
    }
}

#[test]
fn help_overlay() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        apply(&mut s, &e, [key(KeyCode::F(1))]);
        snap("help", &s, w, h);
    }
}

#[test]
fn why_not_overlay_for_a_judged_query() {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = explore(&e, w, h);
        evaluate(&mut s, &e);
        // Open q01 ("reset my login") from the Evaluate table sorted by query id.
        apply(
            &mut s,
            &e,
            [
                key(KeyCode::F(4)),
                key(KeyCode::Char('s')),
                key(KeyCode::Char('s')),
            ],
        );
        assert_eq!(s.eval.sort, 0);
        apply(&mut s, &e, [key(KeyCode::Enter), key(KeyCode::Char('w'))]);
        snap("why_not", &s, w, h);
    }
}

#[test]
fn loading_failure_and_too_small() {
    let Some(e) = engine() else { return };
    let s = state(80, 24);
    snap("loading", &s, 80, 24);
    let mut s = state(80, 24);
    spladescope::tui::update::update(
        &mut s,
        Action::Loaded(Box::new(Err(
            "cannot open /nope: not an index (manifest.json missing)".into(),
        ))),
    );
    snap("failed", &s, 80, 24);
    let s = explore(&e, 60, 20);
    snap("too_small", &s, 60, 20);
}
