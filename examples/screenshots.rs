//! Dumps every view of the explorer, driven by keys over the demo collection (splade-tiny,
//! with the NFCorpus-tuned checkpoint as B), as JSON screen buffers into a directory.
//! `scripts/screenshots.sh` runs it and renders the PNGs in `screenshots/`.
//!
//! `cargo run --release --example screenshots -- OUT_DIR`

#[path = "../tests/common/mod.rs"]
mod common;

use ratatui::crossterm::event::KeyCode;
use spladescope::tui::snapshot::{json, render};
use spladescope::tui::state::State;

use common::explorer::{apply, demo_engine, evaluate, key, load, state, typing};

const W: u16 = 150;
const H: u16 = 44;

fn main() {
    let out =
        std::path::PathBuf::from(std::env::args().nth(1).expect("usage: screenshots OUT_DIR"));
    std::fs::create_dir_all(&out).unwrap();
    common::explorer::REAL_TIMINGS.store(true, std::sync::atomic::Ordering::Relaxed);
    let e = demo_engine(true, true).expect("the shared models (../shared/models) are needed");
    let save = |name: &str, s: &State, w: u16, h: u16| {
        let buffer = render(s, w, h);
        let path = out.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(&json(&buffer, &s.theme)).unwrap()).unwrap();
        println!("{}", path.display());
    };
    let fresh = |w, h| {
        let mut s = state(w, h);
        load(&mut s, &e);
        evaluate(&mut s, &e);
        apply(&mut s, &e, typing("reset my login"));
        s
    };

    let mut s = fresh(W, H);
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    save("explore", &s, W, H);

    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Char(' ')),
            key(KeyCode::Down),
            key(KeyCode::Char('+')),
        ],
    );
    save("ablation", &s, W, H);

    let mut s = fresh(80, 24);
    apply(
        &mut s,
        &e,
        [key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Enter)],
    );
    save("inspector-80x24", &s, 80, 24);

    // Attribution: `settlement` selected in the expansion pane (its source `login (log)`
    // on the first line, the terms of `log` underlined), the inspector focused (document
    // words); then the term browser (`t`) and the document browser of its first document.
    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::Down),
            key(KeyCode::Down),
        ],
    );
    save("attribution", &s, W, H);
    apply(&mut s, &e, [key(KeyCode::Char('t'))]);
    save("term-browser", &s, W, H);
    apply(&mut s, &e, [key(KeyCode::Char('d'))]);
    save("document-browser", &s, W, H);

    let mut s = fresh(W, H);
    apply(&mut s, &e, [key(KeyCode::F(3))]);
    save("compare", &s, W, H);

    let mut s = fresh(W, H);
    apply(&mut s, &e, [key(KeyCode::F(4))]);
    save("evaluate", &s, W, H);

    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::F(4)),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('s')),
            key(KeyCode::Enter),
            key(KeyCode::Char('w')),
        ],
    );
    save("why-not", &s, W, H);

    let mut s = fresh(W, H);
    apply(&mut s, &e, [key(KeyCode::F(5))]);
    save("index", &s, W, H);

    let mut s = fresh(W, H);
    apply(&mut s, &e, [key(KeyCode::F(1))]);
    save("help", &s, W, H);

    // Side by side: two hits (`c` pins the first, `c` on the second compares), then in
    // Compare why a document moved between the checkpoints.
    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Char('c')),
            key(KeyCode::Down),
            key(KeyCode::Char('c')),
        ],
    );
    save("side-by-side", &s, W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Esc),
            key(KeyCode::Char('2')),
            key(KeyCode::Char('c')),
        ],
    );
    save("checkpoint-move", &s, W, H);

    // What-if: a judged query (q01, from Evaluate) with its top term off shows its measures
    // edited ← unedited; `E` evaluates the edit over every judged query.
    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::F(4)),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('s')),
            key(KeyCode::Home),
            key(KeyCode::Enter),
            key(KeyCode::BackTab),
            key(KeyCode::Char(' ')),
        ],
    );
    save("what-if-query", &s, W, H);
    apply(&mut s, &e, [key(KeyCode::Char('E'))]);
    save("what-if-evaluate", &s, W, H);

    // Document-side what-if: the inspected hit's top query term switched off in every
    // document; the right list is the what-if system.
    let mut s = fresh(W, H);
    apply(
        &mut s,
        &e,
        [key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Enter)],
    );
    let terms = s
        .shown
        .as_ref()
        .unwrap()
        .inspect
        .clone()
        .unwrap()
        .unwrap()
        .doc_terms;
    let i = terms.iter().position(|t| t.in_query).unwrap_or(0);
    apply(&mut s, &e, (0..=i).map(|_| key(KeyCode::Char('n'))));
    apply(&mut s, &e, [key(KeyCode::Char('x'))]);
    save("what-if-documents", &s, W, H);

    // A hybrid beside SPLADE: rrf:splade+bm25 on the right, its second hit inspected; then
    // Evaluate with every system against BM25.
    let dir = std::env::temp_dir().join(format!("spladescope-shots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (hybrid, _) = common::explorer::demo_engine_with_systems(&dir).unwrap();
    let mut s = state(W, H);
    load(&mut s, &hybrid);
    apply(&mut s, &hybrid, typing("reset my login"));
    apply(
        &mut s,
        &hybrid,
        [
            key(KeyCode::Tab),
            key(KeyCode::Char('>')),
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    save("hybrid", &s, W, H);
    evaluate(&mut s, &hybrid);
    apply(
        &mut s,
        &hybrid,
        [key(KeyCode::F(4)), key(KeyCode::Char('b'))],
    );
    save("evaluate-systems", &s, W, H);
    let _ = std::fs::remove_dir_all(&dir);

    // An engine profile beside exact SPLADE: Elasticsearch with token pruning, its first
    // hit inspected (exact and engine parts, the dropped tokens).
    let mut engine = demo_engine(false, true).unwrap();
    engine
        .add_systems(
            &[spladescope::system::SystemSpec::parse("splade@elasticsearch:prune").unwrap()],
            1,
            false,
        )
        .unwrap();
    let mut s = state(W, H);
    load(&mut s, &engine);
    apply(&mut s, &engine, typing("reset my login"));
    apply(
        &mut s,
        &engine,
        [
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Char('>')),
            key(KeyCode::Right),
            key(KeyCode::Enter),
        ],
    );
    save("engine-profile", &s, W, H);

    let mut light = State::new(
        spladescope::tui::config::Config {
            theme: spladescope::tui::theme::ThemeName::Light,
            ..Default::default()
        },
        None,
        Default::default(),
    );
    apply(
        &mut light,
        &e,
        [spladescope::tui::action::Action::Resize(W, H)],
    );
    load(&mut light, &e);
    apply(&mut light, &e, typing("cancel my subscription"));
    apply(&mut light, &e, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    save("explore-light", &light, W, H);
}
