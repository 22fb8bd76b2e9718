//! Keystroke replay: typing SciFact queries character by character through the path the
//! explorer takes for each key — `update` (the key), the engine (encode with splade-tiny,
//! SPLADE search, BM25 search, per-hit contributions, explanation of the selected hit) and a
//! full redraw into a 150×44 `TestBackend` (the wide layout, inspector included).
//!
//! `cargo bench --bench keystrokes` prints the per-keystroke median, p95, p99 and max over
//! every keystroke of the first 100 test queries, and the median of each part, for two
//! layouts run alternately query by query in one process: SPLADE beside BM25 (the default)
//! and SPLADE beside the hybrid `rrf:splade+dense` (each key also embeds the query with
//! all-MiniLM-L6-v2 and fuses). The SciFact index (with its dense part) is built once under
//! `target/`.
//!
//! `SPLADESCOPE_BENCH_INDEX=DIR cargo bench --bench keystrokes` types the same queries into
//! another index of splade-tiny's vocabulary instead (e.g. a 1M-document import), in the
//! default layout, plus the hybrid one when that index has a dense part;
//! `SPLADESCOPE_BENCH_QUERIES=N` types the first N queries instead of 100. On a machine
//! with more than one core, the default layout runs a second time with each query's
//! SPLADE scores on one thread (the explorer splits them over every core).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use spladescope::engine::Loaded;
use spladescope::engine::{Engine, Side};
use spladescope::eval::load_beir;
use spladescope::index::Index;
use spladescope::system::SystemSpec;
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
    // The SciFact index is built only when no other index is given.
    let (dir, name) = match std::env::var_os("SPLADESCOPE_BENCH_INDEX") {
        Some(other) => (Some(std::path::PathBuf::from(other)), "other index"),
        None => (
            common::cached::index(&target, "scifact", "splade-tiny", 256, 5183, true),
            "scifact",
        ),
    };
    let (Some(dir), Some(data)) = (dir, common::shared("data/scifact")) else {
        eprintln!("skipped: ../shared/data/scifact or the splade-tiny model is absent");
        return;
    };
    let opened = Instant::now();
    let index = Index::open_deferred(&dir).unwrap();
    println!(
        "{}: opened in {} (checksums of large files deferred)",
        dir.display(),
        ms(opened.elapsed())
    );
    index.verify().unwrap();
    let has_dense = index.dense().is_some();
    let side = |index| Side {
        index,
        encoder: common::cached::encoder("splade-tiny", 64).unwrap(),
        name: name.into(),
    };
    let mut engine = Engine::new(side(index), None, None).unwrap();
    // The default layout again, scoring each query on one thread (the explorer uses every
    // core), when there is more than one.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let one_thread = (cores > 1).then(|| {
        let mut e = Engine::new(side(Index::open_deferred(&dir).unwrap()), None, None).unwrap();
        e.set_search_threads(1);
        e
    });
    let hybrid = SystemSpec::parse("rrf:splade+dense").unwrap();
    if has_dense {
        engine
            .add_systems(
                &[SystemSpec::parse("dense").unwrap(), hybrid.clone()],
                0,
                false,
            )
            .unwrap();
    }
    let split = load_beir(&data, "test").unwrap();
    let queries: Vec<String> = split
        .queries
        .iter()
        .filter(|q| split.qrels.contains_query(&q.id))
        .take(
            std::env::var("SPLADESCOPE_BENCH_QUERIES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(QUERIES),
        )
        .map(|q| q.text.clone())
        .collect();
    let mut layouts = vec![("SPLADE | BM25", [0, 1], &engine)];
    if let Some(hybrid_at) = engine.systems().iter().position(|n| n == hybrid.title()) {
        layouts.push(("SPLADE | rrf:splade+dense", [0, hybrid_at], &engine));
    }
    if let Some(e) = &one_thread {
        layouts.push(("SPLADE | BM25, one search thread", [0, 1], e));
    }
    let mut runs: Vec<Run> = layouts
        .iter()
        .map(|&(name, columns, engine)| {
            let mut state = State::new(Config::default(), None, History::default());
            update(&mut state, Action::Resize(WIDTH, HEIGHT));
            update(&mut state, Action::Loaded(Box::new(Ok(Loaded::of(engine)))));
            state.columns = columns;
            Run {
                name,
                engine,
                state,
                total: Vec::new(),
                compute: Vec::new(),
                draw: Vec::new(),
            }
        })
        .collect();
    // Warm up caches and the allocator.
    for (.., e) in &layouts {
        let _ = e.compute(&Default::default());
    }
    for (i, q) in queries.iter().enumerate() {
        // Alternate which layout goes first, so that neither always follows the other.
        for r in 0..runs.len() {
            let r = if i % 2 == 0 { r } else { runs.len() - 1 - r };
            type_query(&mut runs[r], q);
        }
    }
    println!(
        "keystrokes: {} per layout over {} SciFact queries (splade-tiny, {} documents, {WIDTH}x{HEIGHT})",
        runs[0].total.len(),
        queries.len(),
        engine.index().len()
    );
    let mut medians = Vec::new();
    for r in &mut runs {
        for v in [&mut r.total, &mut r.compute, &mut r.draw] {
            v.sort_unstable();
        }
        medians.push(percentile(&r.total, 0.5));
        println!("{}:", r.name);
        println!(
            "  per keystroke: median {} · p95 {} · p99 {} · max {}",
            ms(percentile(&r.total, 0.5)),
            ms(percentile(&r.total, 0.95)),
            ms(percentile(&r.total, 0.99)),
            ms(*r.total.last().unwrap())
        );
        println!(
            "  encode+search+explain: median {} · p95 {};  draw: median {} · p95 {}",
            ms(percentile(&r.compute, 0.5)),
            ms(percentile(&r.compute, 0.95)),
            ms(percentile(&r.draw, 0.5)),
            ms(percentile(&r.draw, 0.95))
        );
    }
    for (i, (name, ..)) in layouts.iter().enumerate().skip(1) {
        println!(
            "median ratio, {name} / default: {:.2}",
            medians[i].as_secs_f64() / medians[0].as_secs_f64()
        );
    }
}

/// One layout's engine, state and measurements.
struct Run<'e> {
    name: &'static str,
    engine: &'e Engine,
    state: State,
    total: Vec<Duration>,
    compute: Vec<Duration>,
    draw: Vec<Duration>,
}

/// Types `q` key by key into the run's state from an empty query box, timing each key:
/// update, the engine's replies, and a full redraw.
fn type_query(run: &mut Run, q: &str) {
    let (engine, state) = (run.engine, &mut run.state);
    update(state, Action::ClearQuery);
    state.outbox.clear();
    for c in q.chars() {
        let start = Instant::now();
        update(
            state,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
        let t0 = Instant::now();
        for request in state.outbox.drain(..).collect::<Vec<_>>() {
            let reply = engine.compute(&request);
            update(state, Action::Reply(request.generation, Box::new(reply)));
        }
        let t1 = Instant::now();
        let buffer = render(state, WIDTH, HEIGHT);
        std::hint::black_box(&buffer);
        let end = Instant::now();
        run.total.push(end - start);
        run.compute.push(t1 - t0);
        run.draw.push(end - t1);
    }
}
