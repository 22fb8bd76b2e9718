//! Keystroke replay: typing SciFact queries character by character through the path the
//! explorer takes for each key — `update` (the key), the engine (encode with splade-tiny,
//! SPLADE search, BM25 search, per-hit contributions, explanation of the selected hit) and a
//! full redraw into a 150×44 `TestBackend` (the wide layout, inspector included).
//!
//! `cargo bench --bench keystrokes` prints the per-keystroke median, p95, p99 and max over
//! every keystroke of the first 100 test queries, and the median of each part. The SciFact
//! index is built once under `target/` (about a minute).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use spladescope::engine::Loaded;
use spladescope::engine::{Engine, Side};
use spladescope::eval::load_beir;
use spladescope::index::Index;
use spladescope::tui::action::Action;
use spladescope::tui::config::{Config, History};
use spladescope::tui::snapshot::render;
use spladescope::tui::state::State;
use spladescope::tui::update::update;

const QUERIES: usize = 100;
const WIDTH: u16 = 150;
const HEIGHT: u16 = 44;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let (Some(dir), Some(data)) = (
        common::cached::index(&target, "scifact", "splade-tiny", 256, 5183, true),
        common::shared("data/scifact"),
    ) else {
        eprintln!("skipped: ../shared/data/scifact or the splade-tiny model is absent");
        return;
    };
    let encoder = common::cached::encoder("splade-tiny", 64).unwrap();
    let engine = Engine::new(
        Side {
            index: Index::open(&dir).unwrap(),
            encoder,
            name: "scifact".into(),
        },
        None,
        None,
    )
    .unwrap();
    let split = load_beir(&data, "test").unwrap();
    let queries: Vec<String> = split
        .queries
        .iter()
        .filter(|q| split.qrels.contains_query(&q.id))
        .take(QUERIES)
        .map(|q| q.text.clone())
        .collect();
    let mut state = State::new(Config::default(), None, History::default());
    update(&mut state, Action::Resize(WIDTH, HEIGHT));
    update(
        &mut state,
        Action::Loaded(Box::new(Ok(Loaded::of(&engine)))),
    );
    // Warm up caches and the allocator.
    let _ = engine.compute(&Default::default());
    let (mut total, mut compute, mut draw) = (Vec::new(), Vec::new(), Vec::new());
    for q in &queries {
        update(&mut state, Action::ClearQuery);
        state.outbox.clear();
        for c in q.chars() {
            let start = Instant::now();
            update(
                &mut state,
                Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
            let t0 = Instant::now();
            for request in state.outbox.drain(..).collect::<Vec<_>>() {
                let reply = engine.compute(&request);
                update(
                    &mut state,
                    Action::Reply(request.generation, Box::new(reply)),
                );
            }
            let t1 = Instant::now();
            let buffer = render(&state, WIDTH, HEIGHT);
            std::hint::black_box(&buffer);
            let end = Instant::now();
            total.push(end - start);
            compute.push(t1 - t0);
            draw.push(end - t1);
        }
    }
    for v in [&mut total, &mut compute, &mut draw] {
        v.sort_unstable();
    }
    println!(
        "keystrokes: {} over {} SciFact queries (splade-tiny, {} documents, {WIDTH}x{HEIGHT})",
        total.len(),
        queries.len(),
        engine.index().len()
    );
    println!(
        "per keystroke: median {} · p95 {} · p99 {} · max {}",
        ms(percentile(&total, 0.5)),
        ms(percentile(&total, 0.95)),
        ms(percentile(&total, 0.99)),
        ms(*total.last().unwrap())
    );
    println!(
        "  encode+search+explain: median {} · p95 {};  draw: median {} · p95 {}",
        ms(percentile(&compute, 0.5)),
        ms(percentile(&compute, 0.95)),
        ms(percentile(&draw, 0.5)),
        ms(percentile(&draw, 0.95))
    );
}
