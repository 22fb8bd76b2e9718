//! Driving the explorer headless: a real engine over the demo collection, and a loop that
//! feeds actions through `update` and answers the state's requests synchronously.
#![allow(dead_code)]

use std::path::Path;

use spladescope::encoder::QueryEncoding;
use spladescope::engine::Loaded;
use spladescope::engine::{Engine, Judged, Side, Timings};
use spladescope::eval::{read_qrels, read_queries, QrelsOptions};
use spladescope::index::Index;
use spladescope::tui::action::Action;
use spladescope::tui::config::{Config, History};
use spladescope::tui::state::State;
use spladescope::tui::update::update;

/// An engine over the demo index (splade-tiny), optionally with the NFCorpus-tuned
/// checkpoint's demo index as B and the demo queries and qrels.
pub fn demo_engine(with_b: bool, judged: bool) -> Option<Engine> {
    demo_engine_querying(with_b, judged, QueryEncoding::Model)
}

/// [`demo_engine`] with A's queries encoded by `encoding` (inference-free with `Idf` or
/// `Ones`).
pub fn demo_engine_querying(with_b: bool, judged: bool, encoding: QueryEncoding) -> Option<Engine> {
    // Beside the other cached indexes (tests, benches and examples share it).
    let dir = &Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("tmp");
    let side = |model: &str| -> Option<Side> {
        let path = super::cached::demo_index(dir, model)?;
        Some(Side {
            index: Index::open(&path).unwrap(),
            encoder: super::cached::encoder(model, 64)?,
            name: "demo".into(),
        })
    };
    let mut a = side("splade-tiny")?;
    a.encoder.set_query_encoding(encoding).unwrap();
    let b = if with_b {
        Some(side("splade-tiny-nfcorpus")?)
    } else {
        None
    };
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let judged = judged.then(|| Judged {
        queries: read_queries(assets.join("queries.jsonl")).unwrap().queries,
        qrels: read_qrels(assets.join("qrels/test.tsv"), &QrelsOptions::default())
            .unwrap()
            .qrels,
        name: "Fernpage demo".into(),
        notes: Vec::new(),
        args: vec![
            "--queries".into(),
            assets.join("queries.jsonl").display().to_string(),
            "--qrels".into(),
            assets.join("qrels/test.tsv").display().to_string(),
        ],
    });
    Some(Engine::new(a, b, judged).unwrap())
}

/// The demo engine (no B, judged) with more systems: `rrf:splade+bm25` and the run
/// `prod`, written into `dir` for every demo query: BM25's top 20 in reverse order
/// (scores 20, 19, …), so that it disagrees with every built-in system.
pub fn demo_engine_with_systems(dir: &Path) -> Option<(Engine, std::path::PathBuf)> {
    use spladescope::search::{bm25_scores, top_k};
    let mut e = demo_engine(false, true)?;
    let run = dir.join("prod.trec");
    let mut out = String::new();
    let judged = e.judged.as_ref().unwrap();
    for q in judged.queries.iter() {
        let index = e.index();
        let scores = bm25_scores(index, &index.analyzer().query_terms(&q.text)).unwrap();
        let mut top = top_k(&scores, 20);
        top.reverse();
        for (rank, h) in top.iter().enumerate() {
            let id = index.doc(h.doc).unwrap().id.to_string();
            out.push_str(&format!(
                "{} Q0 {id} {} {} prod\n",
                q.id,
                rank + 1,
                20 - rank
            ));
        }
    }
    std::fs::write(&run, out).unwrap();
    let specs = [
        spladescope::system::SystemSpec::parse("rrf:splade+bm25").unwrap(),
        spladescope::system::SystemSpec::parse(&format!("run:prod={}", run.display())).unwrap(),
    ];
    e.add_systems(&specs, 1, false).unwrap();
    Some((e, run))
}

/// A fresh state (default config, no history file) of the given size.
pub fn state(width: u16, height: u16) -> State {
    let mut s = State::new(Config::default(), None, History::default());
    update(&mut s, Action::Resize(width, height));
    s
}

/// Marks the engine loaded (machine-independent model names for snapshots).
pub fn load(state: &mut State, engine: &Engine) {
    let mut loaded = Loaded::of(engine);
    loaded.model = "splade-tiny".into();
    loaded.stats.model = "splade-tiny".into();
    if let Some(c) = &mut loaded.compare {
        c.0 = "splade-tiny-nfcorpus".into();
    }
    update(state, Action::Loaded(Box::new(Ok(loaded))));
    settle(state, engine);
}

/// Keep measured timings in replies (screenshots) instead of zeroing them (snapshots).
pub static REAL_TIMINGS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Answers every queued request (timings zeroed so snapshots are stable).
pub fn settle(state: &mut State, engine: &Engine) {
    let real = REAL_TIMINGS.load(std::sync::atomic::Ordering::Relaxed);
    while !state.outbox.is_empty() {
        let requests: Vec<_> = state.outbox.drain(..).collect();
        for r in requests {
            let mut reply = engine.compute(&r);
            if let (Ok(v), false) = (&mut reply, real) {
                v.timings = Timings::default();
                for list in &mut v.lists {
                    list.time = Default::default();
                }
                if let Some(c) = &mut v.compare {
                    c.encode_b = Default::default();
                    c.search_b = Default::default();
                    c.model_a = "splade-tiny".into();
                    c.model_b = "splade-tiny-nfcorpus".into();
                }
            }
            update(state, Action::Reply(r.generation, Box::new(reply)));
        }
    }
    if let Some((_, what_if)) = state.eval_request.take() {
        evaluate_with(state, engine, Some(&what_if));
    }
}

/// Applies actions one by one, answering requests after each.
pub fn apply(state: &mut State, engine: &Engine, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        update(state, a);
        settle(state, engine);
    }
}

/// Key actions typing `text`.
pub fn typing(text: &str) -> Vec<Action> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    text.chars()
        .map(|c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
        .collect()
}

/// The key action of a key code.
pub fn key(code: ratatui::crossterm::event::KeyCode) -> Action {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Runs the evaluation synchronously into the state.
pub fn evaluate(state: &mut State, engine: &Engine) {
    evaluate_with(state, engine, None);
}

/// [`evaluate`] with a `what-if` system of these edits (what `E` asks the worker for).
pub fn evaluate_with(
    state: &mut State,
    engine: &Engine,
    what_if: Option<&spladescope::system::WhatIf>,
) {
    let mut result = engine.evaluate(what_if, &mut |_, _| {});
    // Search times vary from run to run; snapshots show a fixed one.
    if let Ok(Some(table)) = &mut result {
        for cost in table.costs.iter_mut().flatten() {
            cost.search_ms = 0.25;
        }
    }
    update(
        state,
        Action::Evaluated(state.eval.generation, Box::new(result)),
    );
}

/// The key action of Ctrl and a character.
pub fn ctrl(c: char) -> Action {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The screen's text at `width` × `height`.
pub fn screen(state: &State, width: u16, height: u16) -> String {
    use spladescope::tui::snapshot::{render, text};
    text(&render(state, width, height))
}

/// Shows the Evaluate view (evaluating first if needed) with the cursor on query `qid`.
pub fn select_judged(state: &mut State, engine: &Engine, qid: &str) {
    if state.eval.table.is_none() {
        evaluate(state, engine);
    }
    apply(state, engine, [Action::ViewEvaluate]);
    let table = state.eval.table.as_ref().unwrap();
    let order = state.eval.sorted_rows(table);
    state.eval.selected = order
        .iter()
        .position(|&i| table.rows[i].qid == qid)
        .unwrap_or_else(|| panic!("{qid} is not in the Evaluate table"));
}
