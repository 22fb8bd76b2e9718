//! Headless tests of the explorer: keys go through `update`, requests are answered by a
//! real engine over the demo collection, and the state is checked. Also: the worker thread
//! end to end, and the numbers the TUI shows cross-checked against brute force.

mod common;

use std::sync::mpsc::channel;
use std::time::Duration;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use spladescope::search::{bm25_scores, top_k, QueryEdits};
use spladescope::tui::action::Action;
use spladescope::tui::config::{Config, History};
use spladescope::tui::engine::{Engine, Request, Target};
use spladescope::tui::snapshot::{render, text};
use spladescope::tui::state::{Focus, Overlay, State, View};
use spladescope::tui::update::update;
use spladescope::tui::worker::Worker;

use common::explorer::{apply, demo_engine, evaluate, key, load, settle, state, typing};

fn engine() -> Option<Engine> {
    let e = demo_engine(true, true);
    if e.is_none() {
        eprintln!("skipped: the shared models are absent");
    }
    e
}

fn ready(e: &Engine) -> State {
    let mut s = state(120, 40);
    load(&mut s, e);
    s
}

#[test]
fn typing_updates_results_and_drops_stale_replies() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    assert!(
        s.shown.is_none() && s.outbox.is_empty(),
        "an empty query sends nothing"
    );
    // Type without answering: every keystroke queues a newer request.
    for a in typing("reset my login") {
        update(&mut s, a);
    }
    let requests: Vec<Request> = s.outbox.drain(..).collect();
    assert_eq!(requests.len(), 14);
    assert!(requests
        .windows(2)
        .all(|w| w[0].generation < w[1].generation));
    // Replies arrive for the old requests first: all dropped but the last.
    for r in &requests {
        let reply = e.compute(r);
        update(&mut s, Action::Reply(r.generation, Box::new(reply)));
    }
    assert_eq!(s.stale_dropped, 13);
    let v = s.shown.as_ref().unwrap();
    assert_eq!(v.query, "reset my login");
    assert!(!s.pending);
    assert_eq!(v.splade.len(), 10);
    assert_eq!(v.bm25.len(), 10);
    assert!(v.terms.iter().any(|t| t.token == "reset"));
    // Expansion terms are there, and terms are sorted by weight.
    assert!(v
        .terms
        .iter()
        .any(|t| t.kind == spladescope::encoder::TermKind::Expansion));
    assert!(v.terms.windows(2).all(|w| w[0].weight >= w[1].weight));
    // The inspector shows the first SPLADE hit.
    let x = v.inspect.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(x.id, v.splade[0].id);
    assert_eq!(x.splade.rank.rank, Some(1));
}

#[test]
fn hit_parts_and_lists_match_brute_force() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("cancel my subscription"));
    let v = s.shown.clone().unwrap();
    let index = &e.a.index;
    let q = e.a.encoder.encode("cancel my subscription").unwrap();
    let brute: Vec<f32> = (0..index.len() as u32)
        .map(|d| q.vector.dot(&index.vector(d).unwrap()))
        .collect();
    let expected = top_k(&brute, 10);
    assert_eq!(
        v.splade
            .iter()
            .map(|h| (h.doc, h.score))
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|h| (h.doc, h.score))
            .collect::<Vec<_>>()
    );
    for h in v.splade.iter().chain(&v.bm25) {
        let sum: f64 = h.parts.iter().map(|p| f64::from(p.value)).sum();
        assert!(
            (sum - f64::from(h.score)).abs() < 1e-4,
            "{}: parts {sum} vs {}",
            h.id,
            h.score
        );
    }
    let bm25 = bm25_scores(index, "cancel my subscription").unwrap();
    assert_eq!(
        v.bm25.iter().map(|h| h.doc).collect::<Vec<_>>(),
        top_k(&bm25, 10).iter().map(|h| h.doc).collect::<Vec<_>>()
    );
    // Overlap and the other-list ranks agree with the two lists.
    let both = v
        .splade
        .iter()
        .filter(|h| v.bm25.iter().any(|b| b.doc == h.doc))
        .count();
    assert_eq!(v.overlap, both);
    for h in &v.splade {
        let in_bm25 = v.bm25.iter().position(|b| b.doc == h.doc).map(|p| p + 1);
        if let Some(r) = in_bm25 {
            assert_eq!(h.other_rank, Some(r));
        }
    }
}

#[test]
fn ablation_reweighting_pruning_and_reset() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    let before = s.shown.clone().unwrap();
    // Tab from the query box focuses the expansion terms; Space switches the top term off.
    apply(&mut s, &e, [key(KeyCode::Tab)]);
    assert_eq!(s.focus, Focus::Terms);
    let top = before.terms[0].clone();
    apply(&mut s, &e, [key(KeyCode::Char(' '))]);
    assert!(s.edits.dropped.contains(&top.id));
    let v = s.shown.clone().unwrap();
    assert_eq!(v.terms[0].edited, 0.0);
    assert_eq!(v.edited_nnz, before.nnz - 1);
    // The edited ranking is the brute-force ranking of the edited vector, with base ranks.
    let q = e.a.encoder.encode("reset my login").unwrap();
    let edited = s.edits.apply(&q.vector);
    let index = &e.a.index;
    let brute: Vec<f32> = (0..index.len() as u32)
        .map(|d| edited.dot(&index.vector(d).unwrap()))
        .collect();
    assert_eq!(
        v.splade.iter().map(|h| h.doc).collect::<Vec<_>>(),
        top_k(&brute, 10).iter().map(|h| h.doc).collect::<Vec<_>>()
    );
    assert!(v.splade.iter().all(|h| h.base_rank.is_some()));
    assert!(v.timings.splade_unedited.is_some() || cfg!(test));
    // Raise the second term's weight.
    apply(&mut s, &e, [key(KeyCode::Down), key(KeyCode::Char('+'))]);
    let second = &before.terms[1];
    assert!((s.edits.weights[&second.id] - second.weight * 1.25).abs() < 1e-6);
    // Prune to the top 3 terms, then to weights of at least 0.5.
    apply(&mut s, &e, [key(KeyCode::Char('r'))]);
    assert!(s.edits.is_empty());
    apply(
        &mut s,
        &e,
        std::iter::repeat_n(key(KeyCode::Char('[')), before.nnz - 3),
    );
    assert_eq!(s.edits.pruning.top_n, Some(3));
    assert_eq!(s.shown.as_ref().unwrap().edited_nnz, 3);
    apply(&mut s, &e, [key(KeyCode::Char('r'))]);
    apply(&mut s, &e, std::iter::repeat_n(key(KeyCode::Char('}')), 5));
    assert_eq!(s.edits.pruning.min_weight, Some(0.5));
    let v = s.shown.clone().unwrap();
    assert_eq!(
        v.edited_nnz,
        before.terms.iter().filter(|t| t.weight >= 0.5).count()
    );
    // One key resets everything: the lists are the unedited ones again.
    apply(&mut s, &e, [key(KeyCode::Char('r'))]);
    assert_eq!(s.edits, QueryEdits::default());
    assert_eq!(s.shown.as_ref().unwrap().splade, before.splade);
}

#[test]
fn why_not_for_any_id_and_an_unknown_id() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Char('w')),
        ],
    );
    assert_eq!(s.overlay, Overlay::WhyNot);
    apply(&mut s, &e, typing("kb-0200"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.focus, Focus::Inspector);
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, "kb-0200");
    assert_eq!(x.splade.rank.k, 10);
    // Its missing terms are the query terms it lacks, heaviest first.
    assert!(x
        .splade
        .missing
        .windows(2)
        .all(|w| w[0].query_weight >= w[1].query_weight));
    let screen = text(&render(&s, 120, 40));
    assert!(screen.contains("kb-0200"), "{screen}");
    // An unknown id is a message in the inspector, not a panic.
    apply(&mut s, &e, [key(KeyCode::Char('w'))]);
    apply(&mut s, &e, typing("no-such-doc"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    let err = s
        .shown
        .as_ref()
        .unwrap()
        .inspect
        .clone()
        .unwrap()
        .unwrap_err();
    assert!(
        err.contains("no document with id \"kb-0200no-such-doc\""),
        "{err}"
    );
    let screen = text(&render(&s, 80, 24));
    assert!(screen.contains("no document with id"), "{screen}");
    // Esc closes the inspector back to the list.
    apply(&mut s, &e, [key(KeyCode::Esc)]);
    assert_eq!(s.focus, Focus::Splade);
}

#[test]
fn evaluate_table_opens_a_query_with_relevant_documents_marked() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    evaluate(&mut s, &e);
    let table = s.eval.table.clone().unwrap();
    assert_eq!(table.systems, vec!["SPLADE", "BM25", "SPLADE-B"]);
    assert_eq!(table.rows.len(), 60);
    apply(&mut s, &e, [key(KeyCode::F(4))]);
    assert_eq!(s.view, View::Evaluate);
    // Sorted by SPLADE − BM25 ascending: the first row is SPLADE's worst loss.
    let order = spladescope::tui::view::evaluate::sorted_rows(&table, &s.eval);
    let d = |i: usize| table.rows[i].ndcg[0] - table.rows[i].ndcg[1];
    assert!(order.windows(2).all(|w| d(w[0]) <= d(w[1])));
    apply(&mut s, &e, [key(KeyCode::Down), key(KeyCode::Enter)]);
    let row = &table.rows[order[1]];
    assert_eq!(s.view, View::Explore);
    assert_eq!(s.query_text(), row.text);
    assert_eq!(s.qid.as_deref(), Some(row.qid.as_str()));
    let v = s.shown.as_ref().unwrap();
    assert!(!v.relevant.is_empty());
    for h in &v.splade {
        let judged = v.relevant.iter().find(|r| r.id == h.id).map(|r| r.grade);
        assert_eq!(h.grade.filter(|g| *g > 0), judged);
    }
    // Sorting by another column and reversing.
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::F(4)),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('S')),
        ],
    );
    assert!(s.eval.descending);
}

#[test]
fn views_keys_mouse_help_and_resizing() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("invoice"));
    // Digits type into the query box; outside it they switch views.
    assert_eq!(s.query_text(), "invoice");
    apply(&mut s, &e, typing("2"));
    assert_eq!(s.query_text(), "invoice2");
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Backspace),
            key(KeyCode::Tab),
            key(KeyCode::Char('2')),
        ],
    );
    assert_eq!(s.view, View::Compare);
    assert!(s.shown.as_ref().unwrap().compare.is_some());
    // The Compare view keeps the query box focused (type to compare); F5 is the Index view.
    assert_eq!(s.focus, Focus::Query);
    apply(&mut s, &e, [key(KeyCode::F(5))]);
    assert_eq!(s.view, View::Index);
    // A click on the first tab.
    let click = |x, y| {
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })
    };
    apply(&mut s, &e, [click(16, 0)]);
    assert_eq!(s.view, View::Explore);
    // Click the third SPLADE hit (lists start at row 5: tabs, query box, border, header).
    let r = spladescope::tui::layout::regions(ratatui::layout::Rect::new(0, 0, 120, 40), &s);
    apply(&mut s, &e, [click(r.splade.x + 5, r.splade.y + 2 + 2 * 2)]);
    assert_eq!((s.focus, s.splade_selected), (Focus::Splade, 2));
    let doc = s.shown.as_ref().unwrap().splade[2].doc;
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(x.doc, doc);
    // Wheel over the BM25 list moves its selection.
    let wheel = Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: r.bm25.x + 3,
        row: r.bm25.y + 3,
        modifiers: KeyModifiers::NONE,
    });
    apply(&mut s, &e, [wheel]);
    assert_eq!((s.focus, s.bm25_selected), (Focus::Bm25, 1));
    // Help lists every binding's description, from the keymap.
    apply(&mut s, &e, [key(KeyCode::Char('?'))]);
    assert_eq!(s.overlay, Overlay::Help);
    let screen = text(&render(&s, 150, 60));
    for line in [
        "switch the term off / on",
        "why not? inspect any document id",
        "prune: keep fewer top terms",
    ] {
        assert!(screen.contains(line), "help lacks {line:?}:\n{screen}");
    }
    apply(&mut s, &e, [key(KeyCode::Esc)]);
    assert_eq!(s.overlay, Overlay::None);
    // Too small: a message, and everything works again after growing.
    apply(&mut s, &e, [Action::Resize(70, 20)]);
    let screen = text(&render(&s, 70, 20));
    assert!(
        screen.contains("Terminal too small") && screen.contains("70×20"),
        "{screen}"
    );
    apply(&mut s, &e, [Action::Resize(80, 24)]);
    assert!(text(&render(&s, 80, 24)).contains("SPLADE"));
    // Ctrl-C quits from anywhere, also the query box.
    apply(&mut s, &e, [Action::FocusQuery]);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit);
}

#[test]
fn empty_query_history_and_unavailable_views() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("   "));
    assert!(s.shown.is_none() && s.outbox.is_empty());
    assert!(text(&render(&s, 80, 24)).contains("Type a query"));
    // Views that need --compare / qrels say so.
    apply(&mut s, &e, [key(KeyCode::F(3))]);
    assert_eq!(s.view, View::Explore);
    assert!(s.message.as_ref().unwrap().0.contains("--compare"));
    apply(&mut s, &e, [key(KeyCode::F(4))]);
    assert!(s.message.as_ref().unwrap().0.contains("--beir"));
    // History: Enter saves the query; ↑ brings it back.
    let dir = tempfile::tempdir().unwrap();
    let mut s = State::new(
        Config::default(),
        None,
        History::load(Some(dir.path().join("history")), 10),
    );
    load(&mut s, &e);
    apply(&mut s, &e, typing("export notes"));
    apply(
        &mut s,
        &e,
        [key(KeyCode::Enter), Action::FocusQuery, key(KeyCode::Esc)],
    );
    assert_eq!(s.query_text(), "");
    apply(&mut s, &e, [key(KeyCode::Up)]);
    assert_eq!(s.query_text(), "export notes");
    assert!(s.shown.is_some());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("history")).unwrap(),
        "export notes\n"
    );
}

#[test]
fn bad_config_is_reported_and_keys_can_be_rebound() {
    let c = Config::parse("theme = \"light\"\n[keys]\nquit = [\"ctrl-x\"]\nwhy_not = [\"W\"]\n")
        .unwrap();
    let mut s = State::new(c, None, History::default());
    assert_eq!(s.theme.name, spladescope::tui::theme::ThemeName::Light);
    update(&mut s, Action::FocusQuery);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit);
    let s = State::new(
        Config::default(),
        Some("config.toml:3: unknown field `colour`".into()),
        History::default(),
    );
    let screen = text(&render(&s, 100, 24));
    assert!(screen.contains("config ignored: config.toml:3"), "{screen}");
}

#[test]
fn worker_thread_answers_the_latest_request() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let (tx, rx) = channel();
    let worker = Worker::start(Box::new(move |_progress| Ok(e)), tx);
    let loaded = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(matches!(loaded, Action::Loaded(ref r) if r.is_ok()));
    for (g, q) in [(1, "reset"), (2, "reset my"), (3, "reset my login")] {
        worker.send(Request {
            generation: g,
            query: q.into(),
            k: 5,
            inspect: Some(Target::Hit(spladescope::search::System::Splade, 0)),
            ..Default::default()
        });
    }
    // Replies come in order; the last one answers the last request.
    let mut last = 0;
    while last != 3 {
        match rx.recv_timeout(Duration::from_secs(60)).unwrap() {
            Action::Reply(g, r) => {
                assert!(g > last);
                last = g;
                if g == 3 {
                    assert_eq!(r.unwrap().query, "reset my login");
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // A loader error reaches the UI as a message.
    let (tx, rx) = channel();
    let _w = Worker::start(Box::new(|_| Err("model missing".into())), tx);
    match rx.recv_timeout(Duration::from_secs(10)).unwrap() {
        Action::Loaded(r) => assert_eq!(r.unwrap_err(), "model missing"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn settle_is_a_no_op_without_requests() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    settle(&mut s, &e);
    assert!(s.shown.is_none());
}

#[test]
fn the_search_command_is_the_twin_of_ablation_and_pruning() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    // Switch the top term off, then prune to the 5 heaviest remaining terms.
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    let top = s.shown.as_ref().unwrap().terms[0].token.clone();
    while s.shown.as_ref().unwrap().edited_nnz > 5 {
        apply(&mut s, &e, [key(KeyCode::Char('['))]);
    }
    let tui: Vec<(String, f32)> = s
        .shown
        .as_ref()
        .unwrap()
        .splade
        .iter()
        .map(|h| (h.id.clone(), h.score))
        .collect();
    let dir = e.a.index.dir().to_path_buf();
    let top_n = s.edits.pruning.top_n.unwrap().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spladescope"))
        .args([
            "search",
            &dir.display().to_string(),
            "reset my login",
            "--json",
            "--drop",
            &top,
            "--prune-top",
            &top_n,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: Vec<(String, f32)> = json["results"][0]["hits"]
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
    assert_eq!(cli, tui);
    // Bad edits are clear errors.
    for (flag, value, expected) in [
        ("--drop", "zzqxj", "not in the model's vocabulary"),
        ("--weight", "log=abc", "is not a number"),
        ("--weight", "log", "expected TERM=WEIGHT"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_spladescope"))
            .args(["search", &dir.display().to_string(), "reset", flag, value])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expected),
            "{flag} {value}: {err}"
        );
    }
}
