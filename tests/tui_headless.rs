//! Headless tests of the explorer: keys go through `update`, requests are answered by a
//! real engine over the demo collection, and the state is checked. Also: the worker thread
//! end to end, and the numbers the TUI shows cross-checked against brute force.

mod common;

use std::sync::mpsc::channel;
use std::time::Duration;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use spladescope::engine::{Engine, Request, Target};
use spladescope::search::{bm25_scores, top_k, QueryEdits};
use spladescope::tui::action::Action;
use spladescope::tui::config::{Config, History};
use spladescope::tui::keymap::Context;
use spladescope::tui::snapshot::{render, text};
use spladescope::tui::state::{Focus, Overlay, State, View};
use spladescope::tui::update::update;
use spladescope::tui::worker::Worker;

use common::explorer::{
    apply, ctrl, demo_engine, evaluate, key, load, screen, select_judged, settle, state, typing,
};

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
    assert_eq!(v.lists[0].hits.len(), 10);
    assert_eq!(v.lists[1].hits.len(), 10);
    assert!(v.terms.iter().any(|t| t.token == "reset"));
    // Expansion terms are there, and terms are sorted by weight.
    assert!(v
        .terms
        .iter()
        .any(|t| t.kind == spladescope::encoder::TermKind::Expansion));
    assert!(v.terms.windows(2).all(|w| w[0].weight >= w[1].weight));
    // The inspector shows the first SPLADE hit.
    let x = v.inspect.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(x.id, v.lists[0].hits[0].id);
    assert_eq!(splade_of(x).rank.rank, Some(1));
}

#[test]
fn hit_parts_and_lists_match_brute_force() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("cancel my subscription"));
    let v = s.shown.clone().unwrap();
    let index = &e.index();
    let q = e.encoder().encode("cancel my subscription").unwrap();
    let brute: Vec<f32> = (0..index.len() as u32)
        .map(|d| q.vector.dot(&index.vector(d).unwrap()))
        .collect();
    let expected = top_k(&brute, 10);
    assert_eq!(
        v.lists[0]
            .hits
            .iter()
            .map(|h| (h.doc, h.score))
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|h| (Some(h.doc), f64::from(h.score)))
            .collect::<Vec<_>>()
    );
    for h in v.lists[0].hits.iter().chain(&v.lists[1].hits) {
        let sum: f64 = h.parts.iter().map(|p| f64::from(p.value)).sum();
        assert!(
            (sum - h.score).abs() < 1e-4,
            "{}: parts {sum} vs {}",
            h.id,
            h.score
        );
    }
    let bm25 = bm25_scores(
        index,
        &index.analyzer().query_terms("cancel my subscription"),
    )
    .unwrap();
    assert_eq!(
        v.lists[1].hits.iter().map(|h| h.doc).collect::<Vec<_>>(),
        top_k(&bm25, 10)
            .iter()
            .map(|h| Some(h.doc))
            .collect::<Vec<_>>()
    );
    // Overlap and the other-list ranks agree with the two lists.
    let both = v.lists[0]
        .hits
        .iter()
        .filter(|h| v.lists[1].hits.iter().any(|b| b.doc == h.doc))
        .count();
    assert_eq!(v.overlap, both);
    for h in &v.lists[0].hits {
        let in_bm25 = v.lists[1]
            .hits
            .iter()
            .position(|b| b.doc == h.doc)
            .map(|p| p + 1);
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
    let q = e.encoder().encode("reset my login").unwrap();
    let edited = s.edits.apply(&q.vector);
    let index = &e.index();
    let brute: Vec<f32> = (0..index.len() as u32)
        .map(|d| edited.dot(&index.vector(d).unwrap()))
        .collect();
    assert_eq!(
        v.lists[0].hits.iter().map(|h| h.doc).collect::<Vec<_>>(),
        top_k(&brute, 10)
            .iter()
            .map(|h| Some(h.doc))
            .collect::<Vec<_>>()
    );
    assert!(v.lists[0].hits.iter().all(|h| h.base_rank.is_some()));
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
    assert_eq!(
        s.shown.as_ref().unwrap().lists[0].hits,
        before.lists[0].hits
    );
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
    assert_eq!(splade_of(&x).rank.k, 10);
    // Its missing terms are the query terms it lacks, heaviest first.
    assert!(splade_of(&x)
        .missing
        .windows(2)
        .all(|w| w[0].query_weight >= w[1].query_weight));
    let screen = text(&render(&s, 120, 40));
    assert!(screen.contains("kb-0200"), "{screen}");
    // An unknown id is a message in the inspector, not a panic; the box opens empty.
    apply(&mut s, &e, [key(KeyCode::Char('w'))]);
    assert_eq!(s.why_not.lines().join(""), "");
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
    assert!(err.contains("no document with id \"no-such-doc\""), "{err}");
    let screen = text(&render(&s, 80, 24));
    assert!(screen.contains("no document with id"), "{screen}");
    // Esc closes the inspector back to the list.
    apply(&mut s, &e, [key(KeyCode::Esc)]);
    assert_eq!(s.focus, Focus::Left);
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
    let order = s.eval.sorted_rows(&table);
    let d = |i: usize| table.rows[i].ndcg[0] - table.rows[i].ndcg[1];
    assert!(order.windows(2).all(|w| d(w[0]) <= d(w[1])));
    apply(&mut s, &e, [key(KeyCode::Down), key(KeyCode::Enter)]);
    let row = &table.rows[order[1]];
    assert_eq!(s.view, View::Explore);
    assert_eq!(s.query_text(), row.text);
    assert_eq!(s.qid.as_deref(), Some(row.qid.as_str()));
    let v = s.shown.as_ref().unwrap();
    assert!(!v.relevant.is_empty());
    for h in &v.lists[0].hits {
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
    // From a pane, Compare focuses checkpoint A's list; F5 is the Index view.
    assert_eq!(s.focus, Focus::Left);
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
    apply(&mut s, &e, [click(r.left.x + 5, r.left.y + 2 + 2 * 2)]);
    assert_eq!((s.focus, s.left_selected), (Focus::Left, 2));
    let doc = s.shown.as_ref().unwrap().lists[0].hits[2].doc;
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(Some(x.doc), doc);
    // Wheel over the BM25 list moves its selection.
    let wheel = Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: r.right.x + 3,
        row: r.right.y + 3,
        modifiers: KeyModifiers::NONE,
    });
    apply(&mut s, &e, [wheel]);
    assert_eq!((s.focus, s.right_selected), (Focus::Right, 1));
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
fn a_file_found_damaged_after_loading_ends_the_session_with_its_message() {
    // The explorer checksums large index files in the background once loaded; a mismatch
    // arrives as a failed load.
    let Some(e) = engine() else {
        return;
    };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset"));
    let damaged = "/idx/splade.imp: checksum mismatch (stored 0000beef, computed 12345678)";
    update(&mut s, Action::Loaded(Box::new(Err(damaged.into()))));
    assert!(screen(&s, 120, 40).contains("checksum mismatch"));
    let quit = spladescope::tui::update::key_action(
        &s,
        &KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
    );
    assert_eq!(quit, Some(Action::Quit));
    // Typing does nothing more.
    let typed = spladescope::tui::update::key_action(
        &s,
        &KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
    );
    assert_eq!(typed, None);
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
            inspect: Some(Target::Hit(spladescope::engine::Column::Left, 0)),
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
    let tui: Vec<(String, f32)> = s.shown.as_ref().unwrap().lists[0]
        .hits
        .iter()
        .map(|h| (h.id.clone(), h.score as f32))
        .collect();
    let dir = e.index().dir().to_path_buf();
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

#[test]
fn term_edits_belong_to_their_query() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("alzheimer"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    assert!(!s.edits.is_empty());
    // Another query: the edits are gone, and the status bar says so.
    apply(&mut s, &e, [key(KeyCode::Char('/')), ctrl('u')]);
    apply(&mut s, &e, typing("reset my login"));
    assert!(s.edits.is_empty(), "{:?}", s.edits);
    let v = s.shown.as_ref().unwrap();
    assert_eq!(v.edited_nnz, v.nnz);
    assert!(v.terms.iter().all(|t| !t.dropped));
    // The message appears with the first key of the new query.
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    apply(
        &mut s,
        &e,
        [key(KeyCode::Char('/')), key(KeyCode::Char('s'))],
    );
    let (m, _) = s.message.clone().unwrap();
    assert!(m.contains("edits and pruning cleared"), "{m}");
    assert!(screen(&s, 120, 40).contains("edits and pruning cleared"));
    // Opening a judged query from Evaluate starts it unedited too, as its row is.
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('['))]);
    assert!(!s.edits.is_empty());
    select_judged(&mut s, &e, "q01");
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert_eq!(s.qid.as_deref(), Some("q01"));
    assert!(s.edits.is_empty());
    // The help says so.
    apply(&mut s, &e, [key(KeyCode::F(1))]);
    assert!(screen(&s, 150, 100).contains("Term edits and pruning belong to a query"));
}

#[test]
fn compare_lists_are_navigable_consistent_and_marked() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    select_judged(&mut s, &e, "q01");
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert_eq!(s.focus, Focus::Left);
    // From the list, `2` opens Compare with A's list focused: j/k move, digits switch.
    apply(&mut s, &e, [key(KeyCode::Char('2'))]);
    assert_eq!((s.view, s.focus), (View::Compare, Focus::Left));
    apply(&mut s, &e, typing("jj"));
    assert_eq!(s.left_selected, 2);
    assert_eq!(s.query_text(), "reset my login");
    assert_eq!(s.qid.as_deref(), Some("q01"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('j'))]);
    assert_eq!((s.focus, s.b_selected), (Focus::HitsB, 1));
    let w = screen(&s, 150, 44);
    assert!(w.contains("▸ 2 "), "B's selection is marked:\n{w}");
    // B's relevant hits are marked as in Explore.
    let v = s.shown.clone().unwrap();
    let c = v.compare.clone().unwrap();
    for h in &c.hits_b {
        let judged = v.relevant.iter().find(|r| r.id == h.id).map(|r| r.grade);
        assert_eq!(h.grade.filter(|g| *g > 0), judged, "{}", h.id);
    }
    assert!(c.hits_b.iter().any(|h| h.grade.is_some()));
    assert!(w.contains("✓"), "{w}");
    // ↓ in the query box does not replace the judged query (no history is browsed).
    apply(&mut s, &e, [key(KeyCode::Char('/')), key(KeyCode::Down)]);
    assert_eq!(s.query_text(), "reset my login");
    assert_eq!(s.qid.as_deref(), Some("q01"));
    // Enter on B's hit inspects it in A's index.
    apply(&mut s, &e, [key(KeyCode::BackTab), key(KeyCode::Enter)]);
    assert_eq!((s.view, s.focus), (View::Explore, Focus::Inspector));
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, c.hits_b[1].id);
    // With a term switched off, Compare's A is the edited query throughout, and says so.
    apply(&mut s, &e, [key(KeyCode::Char('/')), key(KeyCode::Tab)]);
    let top = s.shown.as_ref().unwrap().terms[0].token.clone();
    apply(
        &mut s,
        &e,
        [key(KeyCode::Char(' ')), key(KeyCode::Char('2'))],
    );
    let v = s.shown.clone().unwrap();
    let c = v.compare.clone().unwrap();
    assert!(c.a_edited);
    assert!(c.terms.iter().all(|t| t.token != top || t.a == 0.0));
    let a_ids: Vec<&str> = v.lists[0].hits.iter().map(|h| h.id.as_str()).collect();
    let b_ids: Vec<&str> = c.hits_b.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        c.kendall_tau,
        spladescope::engine::kendall_tau_topk(&a_ids, &b_ids)
    );
    let w = screen(&s, 150, 44);
    assert!(w.contains("A (edited)") && w.contains("· edited"), "{w}");
}

#[test]
fn why_not_picker_scrolls_names_its_query_and_follows_the_cursor() {
    let Some(mut e) = engine() else { return };
    // q01 with 30 relevant documents.
    let dir = tempfile::tempdir().unwrap();
    let qrels = dir.path().join("qrels.tsv");
    let lines: Vec<String> = (0..30)
        .map(|d| format!("q01\t{}\t1", e.index().doc(d).unwrap().id))
        .chain(["q02\tkb-0200\t1".to_string()])
        .collect();
    std::fs::write(&qrels, lines.join("\n") + "\n").unwrap();
    let j = e.judged.as_mut().unwrap();
    j.qrels = spladescope::eval::read_qrels(&qrels, &Default::default())
        .unwrap()
        .qrels;
    let mut s = ready(&e);
    // The expansion cursor of an earlier query.
    apply(&mut s, &e, typing("charged twice"));
    apply(
        &mut s,
        &e,
        [key(KeyCode::Tab), key(KeyCode::Down), key(KeyCode::Down)],
    );
    assert_eq!(s.term_selected, 2);
    select_judged(&mut s, &e, "q01");
    // The cursor stays on q01 whatever the order.
    for k in ['s', 'S', 's'] {
        apply(&mut s, &e, [key(KeyCode::Char(k))]);
        let table = s.eval.table.as_ref().unwrap();
        let order = s.eval.sorted_rows(table);
        assert_eq!(table.rows[order[s.eval.selected]].qid, "q01", "after {k}");
    }
    // `w` is about the highlighted query, and says which.
    apply(&mut s, &e, [key(KeyCode::Char('w'))]);
    assert_eq!(s.overlay, Overlay::WhyNot);
    assert_eq!(s.qid.as_deref(), Some("q01"));
    assert_eq!(s.term_selected, 0, "the expansion cursor starts over");
    let w = screen(&s, 80, 24);
    assert!(w.contains("Why not? · q01: reset my login"), "{w}");
    // The picker scrolls: the 16th relevant document is on screen when picked.
    let relevant = s.shown.as_ref().unwrap().relevant.clone();
    assert_eq!(relevant.len(), 30);
    apply(&mut s, &e, std::iter::repeat_n(key(KeyCode::Down), 16));
    assert_eq!(s.why_not_pick, Some(15));
    let w = screen(&s, 80, 24);
    assert!(w.contains(&relevant[15].id) && w.contains("16/30"), "{w}");
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    assert_eq!(x.id, relevant[15].id);
}

#[test]
fn a_long_query_reaches_bm25_whole_and_splade_cut_says_so() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    let words = ["login", "password", "invoice", "export", "sync", "billing"];
    let mut long = String::new();
    for i in 0.. {
        let w = words[i % words.len()];
        if long.len() + w.len() + 1 > 2000 {
            break;
        }
        long.push_str(w);
        long.push(' ');
    }
    long.push_str(&"x".repeat(2000 - long.len()));
    // Pasted key by key; only the last reply matters.
    for a in typing(&long) {
        update(&mut s, a);
    }
    let last = s.outbox.drain(..).next_back().unwrap();
    let reply = e.compute(&last);
    update(&mut s, Action::Reply(last.generation, Box::new(reply)));
    assert_eq!(s.query_text().chars().count(), 2000);
    let v = s.shown.clone().unwrap();
    assert!(v.truncated && v.untruncated_tokens > v.tokens);
    let title = format!(
        "SPLADE: first {} of {} tokens · BM25: all 2000 chars",
        v.tokens, v.untruncated_tokens
    );
    assert!(screen(&s, 150, 44).contains(&title), "{title}");
    // BM25 sees what `spladescope search --bm25` sees.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spladescope"))
        .args(["search", &e.index().dir().display().to_string(), &long])
        .args(["--bm25", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli: Vec<&str> = json["results"][0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    let tui: Vec<&str> = v.lists[1].hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(cli, tui);
}

#[test]
fn the_lacks_line_counts_exactly_what_it_leaves_out() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('w'))]);
    apply(&mut s, &e, typing("kb-0200"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    for (w, h) in [(80, 24), (150, 44)] {
        let screen = screen(&s, w, h);
        let line = screen
            .lines()
            .find_map(|l| l.split_once("lacks ").map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("no lacks line:\n{screen}"));
        let shown = line
            .split_whitespace()
            .take_while(|w| *w != "…")
            .filter(|w| w.parse::<f32>().is_ok())
            .count();
        let more: usize = line
            .split_once("… and ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .map_or(0, |n| n.parse().unwrap());
        assert!(more > 0 || w > 80, "80 columns cut the list:\n{screen}");
        assert_eq!(shown + more, splade_of(&x).missing.len(), "{w}x{h}: {line}");
    }
}

#[test]
fn history_brings_the_draft_back_and_ctrl_u_deletes_to_the_line_start() {
    let Some(e) = demo_engine(false, false) else {
        return;
    };
    let mut s = ready(&e);
    s.history.push("export notes").unwrap();
    apply(&mut s, &e, typing("reset my"));
    apply(&mut s, &e, [key(KeyCode::Up)]);
    assert_eq!(s.query_text(), "export notes");
    apply(&mut s, &e, [key(KeyCode::Down)]);
    assert_eq!(s.query_text(), "reset my");
    // Nothing newer than the draft: ↓ keeps it.
    apply(&mut s, &e, [key(KeyCode::Down)]);
    assert_eq!(s.query_text(), "reset my");
    // Ctrl-U deletes to the start of the line (readline), Ctrl-Z undoes.
    apply(&mut s, &e, typing(" login"));
    apply(&mut s, &e, std::iter::repeat_n(key(KeyCode::Left), 5));
    apply(&mut s, &e, [ctrl('u')]);
    assert_eq!(s.query_text(), "login");
    apply(&mut s, &e, [ctrl('z')]);
    assert_eq!(s.query_text(), "reset my login");
    apply(&mut s, &e, [key(KeyCode::F(1))]);
    let help = screen(&s, 150, 100);
    assert!(help.contains("Ctrl-U") && help.contains("delete to the start of the line"));
}

#[test]
fn screens_fit_80_columns_without_cut_words() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    // Examples come from the judged queries; without them, a neutral placeholder.
    assert!(screen(&s, 80, 24).contains("Try: reset my login"));
    let Some(plain) = demo_engine(false, false) else {
        return;
    };
    let p = ready(&plain);
    let w = screen(&p, 80, 24);
    assert!(
        !w.contains("reset my login") && w.contains("type a query"),
        "{w}"
    );
    // Status-bar hints are whole or absent.
    apply(&mut s, &e, typing("reset my login"));
    let status = |s: &State| screen(s, 80, 24).lines().last().unwrap().to_string();
    for keys in [vec![], vec![key(KeyCode::Tab)], vec![key(KeyCode::Tab)]] {
        apply(&mut s, &e, keys);
        let line = status(&s);
        let context = s.context();
        let helps: Vec<&str> = s
            .keymap
            .bindings
            .iter()
            .filter(|b| b.context == context || b.context == Context::Global)
            .map(|b| b.help.as_str())
            .collect();
        for help in &helps {
            let words: Vec<&str> = help.split(' ').collect();
            let start = words[..words.len().min(3)].join(" ");
            if words.len() > 3 && line.contains(&start) {
                assert!(
                    helps
                        .iter()
                        .any(|h| h.starts_with(&start) && line.contains(h)),
                    "cut hint {help:?}: {line}"
                );
            }
        }
    }
    // The help overlay: each binding on one line with its action name.
    apply(&mut s, &e, [key(KeyCode::F(1))]);
    let help = screen(&s, 80, 200);
    for b in s
        .keymap
        .bindings
        .iter()
        .filter(|b| b.context != Context::Help)
    {
        let name = b.action.name();
        assert!(
            help.lines()
                .any(|l| l.contains(b.help.as_str()) && l.contains(&name)),
            "{} / {name} not on one line:\n{help}",
            b.help
        );
    }
    // Evaluate's paired tests at 80×24: every p value is there.
    apply(&mut s, &e, [key(KeyCode::Esc), key(KeyCode::F(4))]);
    evaluate(&mut s, &e);
    let w = screen(&s, 80, 24);
    let table = s.eval.table.clone().unwrap();
    for (c, name) in table.comparisons[0][1..].iter().zip(&table.systems[1..]) {
        let p = c
            .as_ref()
            .unwrap()
            .randomization
            .as_ref()
            .map_or("–".into(), |r| format!("{:.4}", r.p_value));
        assert!(
            w.lines()
                .any(|l| l.contains(name.as_str()) && l.contains(&p)),
            "{name} rand. p {p}:\n{w}"
        );
    }
    assert!(w.contains("rand. p"), "{w}");
}

#[test]
fn a_paste_is_one_action_of_one_line_without_control_characters() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    let long = "login ".repeat(400);
    update(&mut s, Action::Paste(format!("reset\nmy \u{1b}[2J{long}")));
    assert_eq!(s.query_text(), format!("reset my [2J{long}"));
    assert_eq!(s.outbox.len(), 1, "one request for the whole paste");
    // Outside the query box a paste changes nothing (no hidden query edit).
    update(&mut s, Action::FocusNext);
    assert_ne!(s.focus, Focus::Query);
    update(&mut s, Action::Paste("other".into()));
    assert_eq!(s.query_text(), format!("reset my [2J{long}"));
}

/// The SPLADE explanation of the left column (SPLADE by default).
fn splade_of(x: &spladescope::engine::Inspection) -> &spladescope::search::SpladeExplanation {
    match &x.columns[0].1 {
        spladescope::system::Explanation::Splade(e) => e,
        other => panic!("the left column explains {other:?}"),
    }
}

/// A judged query opened from Evaluate shows its SPLADE measures: unedited they equal the
/// Evaluate table's; with a term switched off, the edited ones equal the `what-if` column
/// that `E` adds to Evaluate (the same edits run over every judged query).
#[test]
fn judged_query_measures_follow_the_edits_and_e_evaluates_them_everywhere() {
    use spladescope::eval::Metric;
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    select_judged(&mut s, &e, "q01");
    let table = s.eval.table.clone().unwrap();
    let row = table.rows.iter().find(|r| r.qid == "q01").unwrap().clone();
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    let m = s.shown.as_ref().unwrap().metrics.clone().unwrap();
    assert_eq!(m.edited, m.unedited);
    assert!((m.edited.get(Metric::Ndcg10) - row.ndcg[0]).abs() < 1e-12);
    // `E` without edits says there is nothing to evaluate.
    apply(&mut s, &e, [key(KeyCode::Char('E'))]);
    assert!(s.message.as_ref().unwrap().0.contains("no edits"));
    // Switch the heaviest term off: the edited measures change, the unedited stay.
    apply(&mut s, &e, [key(KeyCode::Char('/')), key(KeyCode::Tab)]);
    apply(&mut s, &e, [key(KeyCode::Char(' '))]);
    let v = s.shown.clone().unwrap();
    let m = v.metrics.clone().unwrap();
    assert!((m.unedited.get(Metric::Ndcg10) - row.ndcg[0]).abs() < 1e-12);
    let w = screen(&s, 150, 44);
    assert!(w.contains("this query: edited ← unedited"), "{w}");
    assert!(
        w.contains(&format!(
            "nDCG@10  {:.4} ← {:.4}",
            m.edited.ndcg_cut_10, m.unedited.ndcg_cut_10
        )),
        "{w}"
    );
    // `E`: Evaluate gets a what-if column whose q01 is this query's edited nDCG@10.
    apply(&mut s, &e, [key(KeyCode::Char('E'))]);
    assert_eq!(s.view, View::Evaluate);
    let table = s.eval.table.clone().unwrap();
    assert_eq!(table.systems.last().map(String::as_str), Some("what-if"));
    let what_if = table.systems.len() - 1;
    let row = table.rows.iter().find(|r| r.qid == "q01").unwrap();
    assert!(
        (row.ndcg[what_if] - m.edited.get(Metric::Ndcg10)).abs() < 1e-12,
        "{} vs {}",
        row.ndcg[what_if],
        m.edited.get(Metric::Ndcg10)
    );
    // Other queries are edited too, wherever the term occurs (and only there).
    let w = screen(&s, 150, 44);
    assert!(w.contains("what-if: drop "), "{w}");
}

/// `x` on a document term in the inspector switches it off in every document: the right
/// list becomes the `what-if` system, whose scores equal the library's what-if scores of
/// the same edits; `X` limits the edit to documents where the term is an expansion; `r`
/// clears it and BM25 comes back.
#[test]
fn document_terms_switched_off_everywhere_rerank_the_what_if_list() {
    use spladescope::search::what_if::{what_if_scores, PostingsCache};
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    // `x` without a selected document term says how to select one.
    apply(
        &mut s,
        &e,
        [KeyCode::Tab, KeyCode::Tab, KeyCode::Enter].map(key),
    );
    apply(&mut s, &e, [key(KeyCode::Char('x'))]);
    assert!(s.message.as_ref().unwrap().1, "an error message");
    // Select the inspected document's top term that is in the query, and switch it off.
    let x = s.shown.as_ref().unwrap().inspect.clone().unwrap().unwrap();
    let i = x.doc_terms.iter().position(|t| t.in_query).unwrap();
    apply(&mut s, &e, (0..=i).map(|_| key(KeyCode::Char('n'))));
    apply(&mut s, &e, [key(KeyCode::Char('x'))]);
    let term = x.doc_terms[i].clone();
    assert_eq!(s.doc_edits.scales.get(&term.id), Some(&0.0));
    for expansions_only in [false, true] {
        if expansions_only {
            apply(&mut s, &e, [key(KeyCode::Char('X'))]);
        }
        assert_eq!(s.doc_edits.expansions_only, expansions_only);
        let v = s.shown.clone().unwrap();
        assert_eq!(v.lists[1].name, "what-if");
        let index = e.index();
        let query = e.encoder().encode_query("reset my login").unwrap().vector;
        let scores = what_if_scores(
            index,
            e.encoder(),
            &query,
            &s.doc_edits,
            &PostingsCache::default(),
            1,
        )
        .unwrap();
        for h in &v.lists[1].hits {
            let d = h.doc.unwrap();
            assert!(
                (h.score - f64::from(scores[d as usize])).abs() < 1e-4,
                "{}: {} vs {}",
                h.id,
                h.score,
                scores[d as usize]
            );
            let parts: f64 = h.parts.iter().map(|p| f64::from(p.value)).sum();
            assert!((parts - h.score).abs() < 1e-3, "{}: parts {parts}", h.id);
            assert!(
                expansions_only || h.parts.iter().all(|p| p.label != term.token),
                "{} keeps {} though it is off everywhere",
                h.id,
                term.token
            );
        }
    }
    apply(&mut s, &e, [key(KeyCode::Char('r'))]);
    assert!(s.doc_edits.is_empty());
    assert_eq!(s.shown.as_ref().unwrap().lists[1].name, "BM25");
}

/// `c` puts two explanations side by side: two hits (the first press pins), a "why not?"
/// document and the top hit, and in Compare one document under both checkpoints. The
/// sides' scores are the lists' scores and the differences add up.
#[test]
fn side_by_side_two_hits_a_missed_document_and_a_checkpoint_move() {
    use spladescope::engine::SideBySide;
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    assert_eq!(s.focus, Focus::Left);
    apply(&mut s, &e, [key(KeyCode::Char('c'))]);
    assert!(s.message.as_ref().unwrap().0.starts_with("pinned "));
    assert_eq!(s.overlay, Overlay::None);
    apply(
        &mut s,
        &e,
        [key(KeyCode::Char('j')), key(KeyCode::Char('c'))],
    );
    assert_eq!(s.overlay, Overlay::SideBySide);
    let v = s.shown.clone().unwrap();
    let hits = &v.lists[0].hits;
    assert_eq!(
        s.side_by_side,
        Some(SideBySide::Documents(
            hits[0].id.clone(),
            hits[1].id.clone()
        ))
    );
    let c = v.side_by_side.clone().unwrap().unwrap();
    assert!((f64::from(c.a.score) - hits[0].score).abs() < 1e-4);
    assert!((f64::from(c.b.score) - hits[1].score).abs() < 1e-4);
    let sum: f32 = c.terms.iter().map(|t| t.delta).sum();
    assert!((sum - c.score_delta).abs() < 1e-4);
    assert_eq!((c.a.rank.rank, c.b.rank.rank), (Some(1), Some(2)));
    let w = screen(&s, 150, 44);
    assert!(
        w.contains(&format!("{} vs {}", hits[0].id, hits[1].id)),
        "{w}"
    );
    // Esc closes it; the lists are as they were.
    apply(&mut s, &e, [key(KeyCode::Esc)]);
    assert_eq!((s.overlay, s.focus), (Overlay::None, Focus::Left));

    // A "why not?" document next to the top hit.
    apply(&mut s, &e, [key(KeyCode::Char('w'))]);
    apply(&mut s, &e, typing("kb-0200"));
    apply(&mut s, &e, [key(KeyCode::Enter), key(KeyCode::Char('c'))]);
    assert_eq!(
        s.side_by_side,
        Some(SideBySide::Documents("kb-0200".into(), hits[0].id.clone()))
    );
    let c = s
        .shown
        .as_ref()
        .unwrap()
        .side_by_side
        .clone()
        .unwrap()
        .unwrap();
    assert_eq!(c.a.doc_id, "kb-0200");
    assert!(c.score_delta > 0.0, "the top hit beats it");
    apply(&mut s, &e, [key(KeyCode::Esc), key(KeyCode::Esc)]);

    // Compare: the selected document under both checkpoints.
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('2'))]);
    assert_eq!((s.view, s.focus), (View::Compare, Focus::Left));
    apply(&mut s, &e, [key(KeyCode::Char('c'))]);
    let v = s.shown.clone().unwrap();
    let a_top = v.compare.as_ref().unwrap().hits_a[s.left_selected].clone();
    assert_eq!(
        s.side_by_side,
        Some(SideBySide::Checkpoints(a_top.id.clone()))
    );
    let c = v.side_by_side.clone().unwrap().unwrap();
    assert!((f64::from(c.a.score) - a_top.score).abs() < 1e-4);
    let b_hit = v
        .compare
        .as_ref()
        .unwrap()
        .hits_b
        .iter()
        .find(|h| h.id == a_top.id);
    if let Some(b_hit) = b_hit {
        assert!((f64::from(c.b.score) - b_hit.score).abs() < 1e-4);
    }
    let w = screen(&s, 150, 44);
    assert!(w.contains("moved · checkpoint A → B"), "{w}");
}

/// `y` gives the command that reproduces the view; run, it prints the lists' numbers.
#[test]
fn y_reproduces_the_view_with_the_cli() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('y'))]);
    assert!(
        s.message.as_ref().unwrap().1,
        "nothing to reproduce without a query"
    );
    apply(&mut s, &e, [key(KeyCode::Char('/'))]);
    apply(&mut s, &e, typing("reset my login"));
    // Switch the second term off and prune to 5 terms.
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Char('j')),
            key(KeyCode::Char(' ')),
        ],
    );
    for _ in 0..11 {
        apply(&mut s, &e, [key(KeyCode::Char('['))]);
    }
    apply(&mut s, &e, [key(KeyCode::Char('y'))]);
    let command = s.clipboard.clone().expect("copied");
    assert!(command.starts_with("spladescope search "), "{command}");
    assert!(
        command.contains("--drop log") && command.contains("--prune-top"),
        "{command}"
    );
    assert!(s.message.as_ref().unwrap().0.starts_with(&command));
    let r = run_reproduced(&command);
    let v = s.shown.clone().unwrap();
    for (list, shown) in r["results"].as_array().unwrap().iter().zip(&v.lists) {
        assert_same_hits(list, &shown.hits);
    }
}

/// A reproduced command's JSON list holds the hits the explorer showed (ids, and scores
/// within 1e-4).
fn assert_same_hits(list: &serde_json::Value, shown: &[spladescope::engine::HitView]) {
    let hits = list["hits"].as_array().unwrap();
    assert_eq!(hits.len(), shown.len());
    for (h, shown) in hits.iter().zip(shown) {
        assert_eq!(h["id"], shown.id.as_str());
        assert!((h["score"].as_f64().unwrap() - shown.score).abs() < 1e-4);
    }
}

/// `a` in the expansion pane adds a vocabulary term to the query (`token` or
/// `token=weight`); the lists re-rank as `search --weight token=W` ranks (the `y` command,
/// run); unknown tokens and bad weights are messages.
#[test]
fn a_adds_a_typed_term_to_the_query() {
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('a'))]);
    assert_eq!(s.overlay, Overlay::AddTerm);
    apply(&mut s, &e, typing("zzzqqq"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    let (m, error) = s.message.clone().unwrap();
    assert!(error && m.contains("not in the model's vocabulary"), "{m}");
    assert_eq!(
        s.overlay,
        Overlay::AddTerm,
        "the box stays open to fix the token"
    );
    apply(&mut s, &e, [ctrl('u')]);
    apply(&mut s, &e, typing("billing=-1"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert!(s.message.as_ref().unwrap().0.contains("above 0"));
    apply(&mut s, &e, [ctrl('u')]);
    apply(&mut s, &e, typing("billing=2.5"));
    apply(&mut s, &e, [key(KeyCode::Enter)]);
    assert_eq!(
        s.overlay,
        Overlay::None,
        "{:?} {:?}",
        s.message,
        s.why_not.lines()
    );
    let v = s.shown.clone().unwrap();
    let added = v
        .terms
        .iter()
        .find(|t| t.token == "billing")
        .expect("listed");
    assert_eq!((added.weight, added.edited), (0.0, 2.5));
    assert!(
        v.lists[0]
            .hits
            .iter()
            .any(|h| h.parts.iter().any(|p| p.label == "billing")),
        "billing scores in the list"
    );
    // The reproducing command ranks the same.
    apply(&mut s, &e, [key(KeyCode::Char('y'))]);
    let command = s.clipboard.clone().unwrap();
    assert!(command.contains("--weight billing=2.5"), "{command}");
    let r = run_reproduced(&command);
    assert_same_hits(&r["results"][0], &v.lists[0].hits);
}

/// With SPLADE and SPLADE-B side by side in Explore (`>`), `c` in the inspector shows why
/// the inspected document moved between the checkpoints.
#[test]
fn c_in_the_inspector_with_both_checkpoints_shown_explains_the_move() {
    use spladescope::engine::SideBySide;
    let Some(e) = engine() else { return };
    let mut s = ready(&e);
    apply(&mut s, &e, typing("reset my login"));
    apply(&mut s, &e, [key(KeyCode::Tab), key(KeyCode::Char('>'))]);
    assert_eq!(s.shown.as_ref().unwrap().lists[1].name, "SPLADE-B");
    apply(
        &mut s,
        &e,
        [
            key(KeyCode::Tab),
            key(KeyCode::Enter),
            key(KeyCode::Char('c')),
        ],
    );
    let top = s.shown.as_ref().unwrap().lists[0].hits[0].id.clone();
    assert_eq!(s.side_by_side, Some(SideBySide::Checkpoints(top)));
    let c = s
        .shown
        .as_ref()
        .unwrap()
        .side_by_side
        .clone()
        .unwrap()
        .unwrap();
    assert_eq!(c.a.rank.rank, Some(1));
}

/// Runs a command `y` copied (with `--json`) in a shell that finds this build's binary; its
/// JSON output.
fn run_reproduced(command: &str) -> serde_json::Value {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_spladescope"))
        .parent()
        .unwrap()
        .display()
        .to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} --json"))
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
