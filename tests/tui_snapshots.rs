//! Snapshots of every view of the explorer at 80×24 (the smallest supported size) and at a
//! wide size, drawn from a real engine over the demo collection into a `TestBackend`.
//! Timings are zeroed and model paths replaced so the text is machine-independent.

mod common;

use ratatui::crossterm::event::KeyCode;
use spladescope::engine::Engine;
use spladescope::tui::action::Action;
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

/// Loads, evaluates, types "reset my login", presses `keys`, and snapshots `name` at
/// both sizes.
fn snap_after(name: &str, keys: &[KeyCode]) {
    let Some(e) = engine() else { return };
    for (w, h) in SIZES {
        let mut s = state(w, h);
        load(&mut s, &e);
        evaluate(&mut s, &e);
        apply(&mut s, &e, typing("reset my login"));
        apply(&mut s, &e, keys.iter().map(|&k| key(k)));
        snap(name, &s, w, h);
    }
}

#[test]
fn explore_view() {
    snap_after("explore", &[]);
}

#[test]
fn explore_with_inspector_open() {
    snap_after("inspector", &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
}

#[test]
fn explore_with_an_ablated_term_and_pruning() {
    snap_after(
        "ablated",
        &[
            KeyCode::Tab,
            KeyCode::Char(' '),
            KeyCode::Char('['),
            KeyCode::Char('['),
        ],
    );
}

#[test]
fn compare_view() {
    snap_after("compare", &[KeyCode::F(3)]);
}

#[test]
fn evaluate_view() {
    snap_after("evaluate", &[KeyCode::F(4)]);
}

#[test]
fn index_view() {
    snap_after("index", &[KeyCode::F(5)]);
}

#[test]
fn help_overlay() {
    snap_after("help", &[KeyCode::F(1)]);
}

#[test]
fn why_not_overlay_for_a_judged_query() {
    // Sort the Evaluate table by query id (two steps from the default column; the cursor
    // follows its query), go to the first row, open q01 ("reset my login"), ask "why not?".
    snap_after(
        "why_not",
        &[
            KeyCode::F(4),
            KeyCode::Char('s'),
            KeyCode::Char('s'),
            KeyCode::Home,
            KeyCode::Enter,
            KeyCode::Char('w'),
        ],
    );
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
    // A long error of several lines is wrapped at word boundaries, whole on screen.
    let mut s = state(120, 30);
    let error = "cannot load the model /work/shared/models/splade-tiny-with-a-rather-long-name-\
                 for-testing: the tokenizer file tokenizer.json could not be parsed: expected \
                 value at line 1 column 1\nCaused by:\n    0: reading /work/shared/models/\
                 splade-tiny-with-a-rather-long-name-for-testing/tokenizer.json\n    1: \
                 expected value at line 1 column 1; pass --model with a local directory or \
                 a Hugging Face id, or run `spladescope demo --rebuild`";
    spladescope::tui::update::update(&mut s, Action::Loaded(Box::new(Err(error.into()))));
    snap("failed", &s, 120, 30);
    let mut s = state(60, 20);
    load(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    snap("too_small", &s, 60, 20);
}

/// The expansion pane says where the selected term came from and underlines every term of
/// the same input token: `settlement` came from `log` (of `login`), like `sat` did, and
/// `log` is that token's own term.
#[test]
fn expansion_pane_links_a_term_to_its_source_token() {
    let Some(e) = engine() else { return };
    let keys = [KeyCode::Tab, KeyCode::Down, KeyCode::Down, KeyCode::Down];
    snap_after("attribution", &keys);
    let (w, h) = SIZES[1];
    let mut s = state(w, h);
    load(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, keys.iter().map(|&k| key(k)));
    let buffer = render(&s, w, h);
    let screen = text(&buffer);
    assert!(screen.contains("settlement ← login (log)"), "{screen}");
    // Is the token's first cell in the expansion pane (the first 30 columns) underlined?
    let underlined = |token: &str| {
        let chars: Vec<char> = token.chars().collect();
        for y in 0..h {
            for x in 1..30u16 {
                let spells = chars
                    .iter()
                    .enumerate()
                    .all(|(i, c)| buffer[(x + i as u16, y)].symbol() == c.to_string())
                    && buffer[(x + chars.len() as u16, y)].symbol() == " "
                    && ["+", " "].contains(&buffer[(x - 1, y)].symbol());
                if spells {
                    return buffer[(x, y)]
                        .modifier
                        .contains(ratatui::style::Modifier::UNDERLINED);
                }
            }
        }
        panic!("no row for {token}");
    };
    for linked in ["settlement", "log", "sat"] {
        assert!(underlined(linked), "{linked} comes from `log`");
    }
    for other in ["reset", "##in", "my", "ja"] {
        assert!(!underlined(other), "{other} does not");
    }
}

/// The term browser (`t` on `settlement` in the expansion pane), then from its first
/// document the document browser (`d`), then from there the term browser of that
/// document's fourth term (`t`): every number from the worker's reports.
#[test]
fn term_and_document_browsers() {
    let keys = [
        KeyCode::Tab,
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Char('t'),
    ];
    snap_after("term_browser", &keys);
    let mut more = keys.to_vec();
    more.push(KeyCode::Char('d'));
    snap_after("document_browser", &more);
    let Some(e) = engine() else { return };
    let (w, h) = SIZES[1];
    let mut s = state(w, h);
    load(&mut s, &e);
    evaluate(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, keys.iter().map(|&k| key(k)));
    let screen = text(&render(&s, w, h));
    assert!(screen.contains("Term settlement"), "{screen}");
    apply(&mut s, &e, [key(KeyCode::Char('d'))]);
    let screen = text(&render(&s, w, h));
    assert!(screen.contains("Document "), "{screen}");
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Down),
            key(KeyCode::Down),
            key(KeyCode::Down),
            key(KeyCode::Char('t')),
        ],
    );
    let screen = text(&render(&s, w, h));
    assert!(screen.contains("Term "), "{screen}");
    apply(&mut s, &e, [key(KeyCode::Esc)]);
    let screen = text(&render(&s, w, h));
    assert!(
        !screen.contains("Term "),
        "Esc closes the browser: {screen}"
    );
}

/// An inference-free query encoder: the expansion pane holds the query's own tokens, each
/// 1.0, and the status line names the encoder.
#[test]
fn inference_free_query_encoder() {
    use spladescope::encoder::QueryEncoding;
    let Some(e) = common::explorer::demo_engine_querying(false, false, QueryEncoding::Ones) else {
        return;
    };
    let (w, h) = SIZES[1];
    let mut s = state(w, h);
    load(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    let screen = text(&render(&s, w, h));
    assert!(screen.contains("(ones query encoder)"), "{screen}");
    snap("inference_free", &s, w, h);
}

/// `n` in the inspector selects the document's first top term and lights up, in the text,
/// the word its weight came from: the highlighted cells spell that token's text.
#[test]
fn inspector_lights_up_a_document_terms_source() {
    let Some(e) = engine() else { return };
    let (w, h) = SIZES[1];
    let mut s = state(w, h);
    load(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    apply(
        &mut s,
        &e,
        [
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Enter,
            KeyCode::Char('n'),
        ]
        .map(key),
    );
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(s.doc_term, Some(0));
    let term = &x.doc_terms[0];
    let range = term
        .source_range
        .clone()
        .expect("the top term's source is shown");
    let expected = if range.in_title {
        &x.title[range.range.clone()]
    } else {
        &x.text[range.range.clone()]
    };
    let buffer = render(&s, w, h);
    let lit: String = buffer
        .content()
        .iter()
        .filter(|c| c.bg == s.theme.highlight_source.bg.unwrap())
        .map(|c| c.symbol())
        .collect();
    assert_eq!(lit, expected, "the lit cells spell the source token");
    snap("inspector_source", &s, w, h);
    // `p` wraps to the last term; a new hit clears the selection.
    apply(&mut s, &e, [key(KeyCode::Char('p'))]);
    assert_eq!(s.doc_term, Some(x.doc_terms.len() - 1));
    apply(&mut s, &e, [key(KeyCode::Esc), key(KeyCode::Down)]);
    assert_eq!(s.doc_term, None);
}

/// The side-by-side overlay: two hits (`c` pins, `c` compares), and in Compare the
/// selected document under both checkpoints.
#[test]
fn side_by_side_overlays() {
    let Some(e) = engine() else { return };
    let (w, h) = SIZES[1];
    let mut s = state(w, h);
    load(&mut s, &e);
    apply(&mut s, &e, typing("reset my login"));
    apply(
        &mut s,
        &e,
        [
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Char('c'),
            KeyCode::Char('j'),
            KeyCode::Char('c'),
        ]
        .map(key),
    );
    snap("side_by_side_documents", &s, w, h);
    apply(
        &mut s,
        &e,
        [KeyCode::Esc, KeyCode::Char('2'), KeyCode::Char('c')].map(key),
    );
    snap("side_by_side_checkpoints", &s, w, h);
}
