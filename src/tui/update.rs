//! `update(state, action)`: the only code that changes the state. Keys are mapped to
//! actions through the keymap (overlay first, then the focused pane, then global keys);
//! a query or edit change queues a worker request; replies older than the latest request
//! are dropped.

use ratatui::crossterm::event::KeyEvent;
use tui_textarea::TextArea;

use super::action::Action;
use super::keymap::Context;
use super::state::{id_box, query_box, Draft, EvalColumn, Focus, Overlay, Phase, State, View};
use crate::engine::{Browse, Browsed, SideBySide, SPLADE};
use crate::search::QueryEdits;

/// Weight step of [`Action::WeightUp`] / [`Action::WeightDown`].
const WEIGHT_STEP: f32 = 1.25;
/// Minimum-weight step of the pruning threshold.
const THRESHOLD_STEP: f32 = 0.1;

/// Maps a key to an action in the state's context.
pub fn key_action(state: &State, key: &KeyEvent) -> Option<Action> {
    if matches!(state.phase, Phase::Failed(_)) {
        // Nothing to explore: the error screen's keys quit.
        use ratatui::crossterm::event::KeyCode;
        let quits = matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
            || state.keymap.lookup(Context::Global, key) == Some(Action::Quit);
        return quits.then_some(Action::Quit);
    }
    let context = state.context();
    if let Some(a) = state.keymap.lookup(context, key) {
        return Some(a);
    }
    match context {
        Context::Query | Context::WhyNot => Some(Action::Input(*key)),
        Context::Help | Context::Browse => None,
        _ => state.keymap.lookup(Context::Global, key),
    }
}

/// Applies a key: looks it up and applies the action.
pub fn key(state: &mut State, key: KeyEvent) {
    if let Some(a) = key_action(state, &key) {
        update(state, a);
    }
}

/// Applies one action.
pub fn update(state: &mut State, action: Action) {
    match action {
        Action::Quit => state.quit = true,
        Action::Help => {
            state.overlay = Overlay::Help;
            state.help_scroll = 0;
        }
        Action::Back => back(state),
        Action::FocusNext => {
            if state.focus == Focus::Query {
                remember(state);
            }
            cycle_focus(state, true)
        }
        Action::FocusPrev => cycle_focus(state, false),
        Action::FocusQuery => {
            state.focus = Focus::Query;
            if state.view == View::Evaluate || state.view == View::Index {
                state.view = View::Explore;
            }
            reinspect(state, None);
        }
        Action::OtherList => {
            let other = if state.view == View::Compare {
                Focus::HitsB
            } else {
                Focus::Right
            };
            state.focus = if state.focus == Focus::Left {
                other
            } else {
                Focus::Left
            };
            if state.view == View::Explore {
                state.list = state.focus;
                reinspect(state, None);
            }
        }
        Action::LeftSystem => next_system(state, 0),
        Action::RightSystem => next_system(state, 1),
        Action::ViewExplore => set_view(state, View::Explore),
        Action::ViewCompare => set_view(state, View::Compare),
        Action::ViewEvaluate => set_view(state, View::Evaluate),
        Action::ViewIndex => set_view(state, View::Index),
        Action::Up => step(state, -1),
        Action::Down => step(state, 1),
        Action::PageUp => step(state, -10),
        Action::PageDown => step(state, 10),
        Action::Top => step(state, -1_000_000),
        Action::Bottom => step(state, 1_000_000),
        Action::Open => open(state),
        Action::ToggleTerm => edit_term(state, |edits, id, _| {
            if !edits.dropped.remove(&id) {
                edits.dropped.insert(id);
            }
        }),
        Action::WeightUp => edit_term(state, |edits, id, w| {
            edits.weights.insert(id, w * WEIGHT_STEP);
        }),
        Action::WeightDown => edit_term(state, |edits, id, w| {
            edits.weights.insert(id, w / WEIGHT_STEP);
        }),
        Action::ResetEdits => {
            if !state.what_if().is_empty() {
                state.edits = Default::default();
                state.doc_edits = Default::default();
                show_what_if(state);
                state.message =
                    Some(("term edits, pruning and document edits reset".into(), false));
                state.request();
            }
        }
        Action::DocDrop => doc_drop(state),
        Action::DocScope => {
            let d = &mut state.doc_edits;
            d.expansions_only = !d.expansions_only;
            let scope = if d.expansions_only {
                "only where they are expansions"
            } else {
                "in every document"
            };
            state.message = Some((format!("what-if: document terms edited {scope}"), false));
            state.request();
        }
        Action::EvaluateEdits => evaluate_edits(state),
        Action::CopyCommand => copy_command(state),
        Action::PruneFewer | Action::PruneMore => {
            prune_top(state, matches!(action, Action::PruneFewer))
        }
        Action::ThresholdUp | Action::ThresholdDown => {
            let cur = state.edits.pruning.min_weight.unwrap_or(0.0);
            let next = if matches!(action, Action::ThresholdUp) {
                cur + THRESHOLD_STEP
            } else {
                cur - THRESHOLD_STEP
            };
            let next = (next * 10.0).round() / 10.0;
            state.edits.pruning.min_weight = (next > 0.0).then_some(next);
            state.request();
        }
        Action::WhyNot => {
            if state.loaded().is_none() {
                return;
            }
            // In Evaluate, about the highlighted query.
            if state.view == View::Evaluate && !open_judged(state) {
                return;
            }
            state.overlay = Overlay::WhyNot;
            state.why_not = id_box();
            state.why_not_pick = None;
        }
        Action::BrowseTerm | Action::BrowseDocument if state.overlay == Overlay::SideBySide => {}
        Action::SideBySide => side_by_side(state),
        Action::AddTerm => {
            if state.shown.is_some() {
                state.overlay = Overlay::AddTerm;
                state.why_not = id_box();
            }
        }
        Action::BrowseTerm => match browsed_term(state) {
            Some(id) => open_browser(state, Browse::Term(id)),
            None => {
                state.message = Some((
                    "select a term first: in the expansion pane or a document's browser".into(),
                    true,
                ))
            }
        },
        Action::BrowseDocument => match browsed_document(state) {
            Some(id) => open_browser(state, Browse::Document(id)),
            None => {
                state.message = Some((
                    "select a document first: a hit, the inspector, or a term's browser".into(),
                    true,
                ))
            }
        },
        Action::NextDocTerm | Action::PrevDocTerm => {
            let n = match state.shown.as_ref().and_then(|s| s.inspect.as_ref()) {
                Some(Ok(x)) => x.doc_terms.len(),
                _ => 0,
            };
            if n > 0 {
                let forward = action == Action::NextDocTerm;
                state.doc_term = Some(match state.doc_term {
                    None if forward => 0,
                    None => n - 1,
                    Some(i) if forward => (i + 1) % n,
                    Some(i) => (i + n - 1) % n,
                });
            }
        }
        Action::HistoryPrev => {
            let browsing = state.history.browsing();
            if let Some(q) = state.history.older().map(str::to_string) {
                if !browsing {
                    state.draft = Some(Draft {
                        text: state.query_text(),
                        qid: state.qid.clone(),
                        edits: state.edits.clone(),
                    });
                }
                replace_query(state, &q, None, QueryEdits::default());
            }
        }
        Action::HistoryNext => {
            // Nothing is newer than the query being written.
            if !state.history.browsing() {
                return;
            }
            match state.history.newer().map(str::to_string) {
                Some(q) => replace_query(state, &q, None, QueryEdits::default()),
                None => {
                    let d = state.draft.take().unwrap_or(Draft {
                        text: String::new(),
                        qid: None,
                        edits: QueryEdits::default(),
                    });
                    replace_query(state, &d.text, d.qid, d.edits);
                }
            }
        }
        Action::ClearQuery => replace_query(state, "", None, QueryEdits::default()),
        Action::DeleteToStart => edit_text(state, |t| {
            t.delete_line_by_head();
        }),
        Action::Undo => edit_text(state, |t| {
            t.undo();
        }),
        Action::SortNext | Action::SortReverse | Action::Baseline => {
            // The cursor stays on the same query.
            let before = selected_row(state);
            let systems = state.eval.table.as_ref().map_or(0, |t| t.systems.len());
            match action {
                Action::SortNext => {
                    state.eval.sort = state.eval.sort.next(systems, state.eval.baseline)
                }
                Action::SortReverse => state.eval.descending = !state.eval.descending,
                _ if systems > 1 => {
                    state
                        .eval
                        .set_baseline((state.eval.baseline + 1) % systems, systems);
                }
                _ => {}
            }
            if let (Some(row), Some(table)) = (before, &state.eval.table) {
                let order = state.eval.sorted_rows(table);
                state.eval.selected = order.iter().position(|&i| i == row).unwrap_or(0);
            }
        }
        Action::Key(k) => {
            // A key press clears the last message (its own action may set a new one).
            state.message = None;
            key(state, k)
        }
        Action::Input(k) => input(state, k),
        // Text goes where typing goes: the query box or the why-not box, not a hidden query.
        Action::Paste(text)
            if state.focus == Focus::Query
                || matches!(state.overlay, Overlay::WhyNot | Overlay::AddTerm) =>
        {
            state.message = None;
            // One line: line breaks become spaces, other control characters are dropped.
            let text = crate::display::single_line(&text).into_owned();
            edit_text(state, |t| {
                t.insert_str(&text);
            });
        }
        Action::Paste(_) => {}
        Action::Mouse(m) => {
            for action in super::mouse::actions(state, m) {
                update(state, action);
            }
        }
        Action::SetView(view) => set_view(state, view),
        Action::FocusPane(focus) => {
            if state.focus != focus {
                state.focus = focus;
                if matches!(focus, Focus::Left | Focus::Right) {
                    state.list = focus;
                }
            }
        }
        Action::Select(pane, i) => match pane {
            Focus::Terms => state.term_selected = i,
            Focus::Left => state.left_selected = i,
            Focus::Right => state.right_selected = i,
            Focus::HitsB => state.b_selected = i,
            Focus::Query | Focus::Inspector => {}
        },
        Action::SelectEvalRow(row) => state.eval.selected = row,
        Action::Step(delta) => step(state, delta),
        Action::Reinspect => reinspect(state, None),
        Action::Resize(w, h) => {
            state.width = w;
            state.height = h;
        }
        Action::LoadProgress(line) => state.load_progress = Some(line),
        Action::Loaded(result) => match *result {
            Ok(loaded) => {
                state.phase = Phase::Ready(Box::new(loaded));
                state.request();
            }
            Err(e) => state.phase = Phase::Failed(e),
        },
        Action::Reply(generation, reply) => {
            if generation != state.generation {
                state.stale_dropped += 1;
                return;
            }
            state.pending = false;
            match *reply {
                Ok(view) => {
                    state.error = None;
                    let terms = view.terms.len();
                    state.term_selected = state.term_selected.min(terms.saturating_sub(1));
                    state.shown = Some(view);
                }
                Err(e) => state.error = Some(e),
            }
        }
        Action::EvalProgress(generation, done, total) => {
            if generation == state.eval.generation {
                state.eval.progress = Some((done, total));
            }
        }
        Action::Evaluated(generation, _) if generation != state.eval.generation => {}
        Action::Evaluated(_, result) => {
            state.eval.progress = None;
            match *result {
                Ok(table) => {
                    state.eval.sort = EvalColumn::default();
                    state.eval.baseline = 0;
                    state.eval.table = table;
                }
                Err(e) => state.eval.error = Some(e),
            }
        }
    }
}

/// Saves the query in the history (a write error becomes a status message).
pub fn remember(state: &mut State) {
    let q = state.query_text();
    if let Err(e) = state.history.push(&q) {
        state.message = Some((e, true));
    }
}

/// Opens (or moves) the browser overlay and asks the worker for its report.
fn open_browser(state: &mut State, what: Browse) {
    if state.loaded().is_none() {
        return;
    }
    state.overlay = Overlay::Browse;
    state.browse = Some(what);
    state.browse_selected = 0;
    state.request();
}

/// The report the browser shows, when it is there.
fn browsed(state: &State) -> Option<&Browsed> {
    state.shown.as_ref()?.browse.as_ref()?.as_ref().ok()
}

/// The term to browse: the document browser's selected term, or the expansion pane's.
fn browsed_term(state: &State) -> Option<u32> {
    if state.overlay == Overlay::Browse {
        return match browsed(state)? {
            Browsed::Document(d) => d.terms.get(state.browse_selected).map(|t| t.id),
            Browsed::Term(_) => None,
        };
    }
    let shown = state.shown.as_ref()?;
    match (state.view, state.focus) {
        (View::Explore, Focus::Terms) => shown.terms.get(state.term_selected).map(|t| t.id),
        _ => None,
    }
}

/// The document to browse: the term browser's selected document, the inspected document,
/// or the focused list's selected hit.
fn browsed_document(state: &State) -> Option<String> {
    if state.overlay == Overlay::Browse {
        return match browsed(state)? {
            Browsed::Term(t) => t.top.get(state.browse_selected).map(|d| d.id.clone()),
            Browsed::Document(_) => None,
        };
    }
    let shown = state.shown.as_ref()?;
    match (state.view, state.focus) {
        (View::Explore, Focus::Inspector) => match shown.inspect.as_ref()? {
            Ok(x) => Some(x.id.clone()),
            Err(_) => None,
        },
        (View::Explore, Focus::Left) => shown.lists[0]
            .hits
            .get(state.left_selected)
            .map(|h| h.id.clone()),
        (View::Explore, Focus::Right) => shown.lists[1]
            .hits
            .get(state.right_selected)
            .map(|h| h.id.clone()),
        _ => None,
    }
}

fn back(state: &mut State) {
    match state.overlay {
        Overlay::Browse => {
            state.overlay = Overlay::None;
            state.browse = None;
        }
        Overlay::SideBySide => {
            state.overlay = Overlay::None;
            state.side_by_side = None;
        }
        Overlay::Help | Overlay::WhyNot | Overlay::AddTerm => state.overlay = Overlay::None,
        Overlay::None => {
            if state.focus == Focus::Inspector {
                state.focus = state.list;
                reinspect(state, None);
            } else {
                state.focus = Focus::Query;
            }
        }
    }
}

fn set_view(state: &mut State, view: View) {
    if view == View::Compare && !state.has_compare() {
        state.message = Some((
            "no second checkpoint: start with --compare INDEX_B".into(),
            true,
        ));
        return;
    }
    if view == View::Evaluate && state.loaded().is_some_and(|l| l.judged.is_none()) {
        state.message = Some((
            "no judged queries: start with --beir DIR or --queries Q --qrels QRELS".into(),
            true,
        ));
        return;
    }
    let was = state.view;
    state.view = view;
    state.overlay = Overlay::None;
    // Lists stay lists: Compare's A list is SPLADE's, its B list has no Explore twin.
    match (view, state.focus) {
        (View::Compare, Focus::Query) => {}
        (View::Compare, _) | (View::Explore, Focus::HitsB) => {
            state.focus = Focus::Left;
            state.list = Focus::Left;
        }
        _ => {}
    }
    if (was == View::Compare) != (view == View::Compare) {
        state.request();
    }
}

fn cycle_focus(state: &mut State, forward: bool) {
    let order: &[Focus] = match state.view {
        View::Explore => &[Focus::Query, Focus::Terms, Focus::Left, Focus::Right],
        View::Compare => &[Focus::Query, Focus::Left, Focus::HitsB],
        _ => &[Focus::Query],
    };
    let at = order.iter().position(|f| *f == state.focus).unwrap_or(0);
    let n = order.len();
    let next = if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    };
    state.focus = order[next];
    if matches!(state.focus, Focus::Left | Focus::Right) {
        state.list = state.focus;
        reinspect(state, None);
    }
}

/// Moves the focused selection by `delta`.
fn step(state: &mut State, delta: i64) {
    let mv = |sel: &mut usize, len: usize| {
        let max = len.saturating_sub(1) as i64;
        *sel = (*sel as i64 + delta).clamp(0, max) as usize;
    };
    match state.overlay {
        Overlay::Help => {
            state.help_scroll = (state.help_scroll as i64 + delta).clamp(0, 200) as u16;
            return;
        }
        Overlay::AddTerm => return,
        Overlay::SideBySide => {
            state.side_by_side_scroll =
                (state.side_by_side_scroll as i64 + delta).clamp(0, 500) as u16;
            return;
        }
        Overlay::Browse => {
            let n = match browsed(state) {
                Some(Browsed::Term(t)) => t.top.len(),
                Some(Browsed::Document(d)) => d.terms.len(),
                None => 0,
            };
            let mut sel = state.browse_selected;
            mv(&mut sel, n);
            state.browse_selected = sel;
            return;
        }
        Overlay::WhyNot => {
            let n = state.shown.as_ref().map_or(0, |s| s.relevant.len());
            if n > 0 {
                let mut sel = state.why_not_pick.unwrap_or(0);
                if state.why_not_pick.is_some() {
                    mv(&mut sel, n);
                }
                state.why_not_pick = Some(sel);
            }
            return;
        }
        Overlay::None => {}
    }
    let shown = state.shown.as_ref();
    match (state.view, state.focus) {
        (View::Evaluate, _) => {
            let n = state.eval.table.as_ref().map_or(0, |t| t.rows.len());
            mv(&mut state.eval.selected, n);
        }
        (View::Explore, Focus::Terms) => {
            let n = shown.map_or(0, |s| s.terms.len());
            mv(&mut state.term_selected, n);
        }
        (View::Explore, Focus::Left) => {
            let n = shown.map_or(0, |s| s.lists[0].hits.len());
            mv(&mut state.left_selected, n);
            reinspect(state, None);
        }
        (View::Compare, Focus::Left) => {
            let n = shown
                .and_then(|s| s.compare.as_ref())
                .map_or(0, |c| c.hits_a.len());
            mv(&mut state.left_selected, n);
        }
        (View::Compare, Focus::HitsB) => {
            let n = shown
                .and_then(|s| s.compare.as_ref())
                .map_or(0, |c| c.hits_b.len());
            mv(&mut state.b_selected, n);
        }
        (View::Explore, Focus::Right) => {
            let n = shown.map_or(0, |s| s.lists[1].hits.len());
            mv(&mut state.right_selected, n);
            reinspect(state, None);
        }
        (View::Explore, Focus::Inspector) => {
            state.inspector_scroll = (state.inspector_scroll as i64 + delta).clamp(0, 2000) as u16;
        }
        _ => {}
    }
}

/// Points the inspector at the list selection (or a why-not id) and asks for it.
fn reinspect(state: &mut State, id: Option<String>) {
    state.inspect_id = id;
    state.inspector_scroll = 0;
    state.doc_term = None;
    state.request();
}

fn open(state: &mut State) {
    match (state.overlay, state.view, state.focus) {
        (Overlay::AddTerm, _, _) => add_term(state),
        (Overlay::WhyNot, _, _) => {
            let typed = state.why_not.lines().join("").trim().to_string();
            let picked = state.why_not_pick.and_then(|i| {
                state
                    .shown
                    .as_ref()
                    .and_then(|s| s.relevant.get(i))
                    .map(|r| r.id.clone())
            });
            let id = picked.unwrap_or(typed);
            state.overlay = Overlay::None;
            state.view = View::Explore;
            state.focus = Focus::Inspector;
            reinspect(state, Some(id));
        }
        (_, View::Evaluate, _) => {
            open_judged(state);
        }
        (_, View::Explore, Focus::Left | Focus::Right) => {
            state.list = state.focus;
            state.focus = Focus::Inspector;
            reinspect(state, None);
        }
        (_, View::Compare, Focus::Left | Focus::HitsB) => {
            // A compared hit in Explore's inspector, by id (B's hits: their rank in A and
            // why, as "why not?").
            let id = state
                .shown
                .as_ref()
                .and_then(|s| s.compare.as_ref())
                .and_then(|c| {
                    if state.focus == Focus::Left {
                        c.hits_a.get(state.left_selected)
                    } else {
                        c.hits_b.get(state.b_selected)
                    }
                })
                .map(|h| h.id.clone());
            if let Some(id) = id {
                state.view = View::Explore;
                state.focus = Focus::Inspector;
                reinspect(state, Some(id));
            }
        }
        _ => {}
    }
}

/// Shows the next loaded system (other than the one beside it) in list `column` (0: left,
/// 1: right).
fn next_system(state: &mut State, column: usize) {
    let n = state.systems().len();
    if n < 3 {
        state.message = Some((
            "only SPLADE and BM25 are loaded: add systems with --system (dense, rrf:splade+bm25, run:NAME=FILE, …)".into(),
            true,
        ));
        return;
    }
    let other = state.columns[1 - column];
    let mut next = (state.columns[column] + 1) % n;
    if next == other {
        next = (next + 1) % n;
    }
    state.columns[column] = next;
    if column == 0 {
        state.left_selected = 0;
    } else {
        state.right_selected = 0;
    }
    if state.view != View::Explore {
        set_view(state, View::Explore);
    }
    let id = state.inspect_id.clone();
    reinspect(state, id);
}

/// Applies `f(edits, term id, current weight)` to the selected query term.
fn edit_term(state: &mut State, f: impl FnOnce(&mut crate::search::QueryEdits, u32, f32)) {
    if state.focus != Focus::Terms || state.view != View::Explore {
        return;
    }
    let Some(term) = state
        .shown
        .as_ref()
        .and_then(|s| s.terms.get(state.term_selected))
    else {
        return;
    };
    let (id, weight) = (
        term.id,
        state
            .edits
            .weights
            .get(&term.id)
            .copied()
            .unwrap_or(term.weight),
    );
    f(&mut state.edits, id, weight);
    if let Some(&w) = state.edits.weights.get(&id) {
        if (w - term.weight).abs() < 1e-6 {
            state.edits.weights.remove(&id);
        }
    }
    state.request();
}

fn prune_top(state: &mut State, fewer: bool) {
    let Some(nnz) = state.shown.as_ref().map(|s| s.nnz) else {
        return;
    };
    let cur = state.edits.pruning.top_n.unwrap_or(nnz).min(nnz);
    let next = if fewer {
        cur.saturating_sub(1).max(1)
    } else {
        cur + 1
    };
    state.edits.pruning.top_n = (next < nnz).then_some(next);
    state.request();
}

/// The row index of the Evaluate table's highlighted query.
fn selected_row(state: &State) -> Option<usize> {
    let table = state.eval.table.as_ref()?;
    state
        .eval
        .sorted_rows(table)
        .get(state.eval.selected)
        .copied()
}

/// Opens the highlighted judged query of the Evaluate table in Explore; false when none.
fn open_judged(state: &mut State) -> bool {
    let Some(row) = selected_row(state) else {
        return false;
    };
    let Some(row) = state.eval.table.as_ref().map(|t| &t.rows[row]) else {
        return false;
    };
    let (qid, text) = (row.qid.clone(), row.text.clone());
    state.view = View::Explore;
    state.focus = Focus::Left;
    state.list = Focus::Left;
    replace_query(state, &text, Some(qid), QueryEdits::default());
    true
}

/// Puts `text` in the query box as a new query, with its judged id and edits.
fn replace_query(state: &mut State, text: &str, qid: Option<String>, edits: QueryEdits) {
    state.set_query(text);
    query_changed(state, qid, edits);
}

/// A new query: selections start over, and the old query's term edits and pruning give
/// way to `edits` (a status message says when edits are dropped).
fn query_changed(state: &mut State, qid: Option<String>, edits: QueryEdits) {
    state.left_selected = 0;
    state.right_selected = 0;
    state.b_selected = 0;
    state.term_selected = 0;
    state.inspect_id = None;
    state.qid = qid;
    state.inspector_scroll = 0;
    state.doc_term = None;
    state.pinned = None;
    if !state.edits.is_empty() && state.edits != edits {
        state.message = Some(("new query: term edits and pruning cleared".into(), false));
    }
    state.edits = edits;
    state.request();
}

fn input(state: &mut State, key: KeyEvent) {
    edit_text(state, |t| {
        t.input(key);
    });
}

/// Applies `f` to the focused text box; a changed query is a new query.
fn edit_text(state: &mut State, f: impl FnOnce(&mut TextArea<'static>)) {
    match state.overlay {
        Overlay::WhyNot => {
            f(&mut state.why_not);
            state.why_not_pick = None;
        }
        Overlay::Help | Overlay::Browse | Overlay::SideBySide => {}
        Overlay::AddTerm => f(&mut state.why_not),
        Overlay::None => {
            let before = state.query_text();
            f(&mut state.query);
            if state.query.lines().len() > 1 {
                let joined = state.query.lines().join(" ");
                state.query = query_box(&joined);
            }
            if state.query_text() != before {
                query_changed(state, None, QueryEdits::default());
            }
        }
    }
}

/// `x` in the inspector: the selected document term (`n`/`p`) switched off in every
/// document's vector, or back on; the right list shows the `what-if` system while any
/// document term is off.
fn doc_drop(state: &mut State) {
    let term = state
        .doc_term
        .and_then(|i| match state.shown.as_ref()?.inspect.as_ref()? {
            Ok(x) => x.doc_terms.get(i).cloned(),
            Err(_) => None,
        });
    let Some(term) = term else {
        state.message = Some((
            "select a document term first: n / p in the inspector".into(),
            true,
        ));
        return;
    };
    // The inspection stays on this document by id while the lists re-rank.
    if state.inspect_id.is_none() {
        state.inspect_id = state
            .shown
            .as_ref()
            .and_then(|s| s.inspect.as_ref())
            .and_then(|x| x.as_ref().ok())
            .map(|x| x.id.clone());
    }
    let id = term.id;
    let scales = &mut state.doc_edits.scales;
    let now_off = scales.remove(&id).is_none();
    if now_off {
        scales.insert(id, 0.0);
    }
    show_what_if(state);
    state.message = Some((
        format!(
            "what-if: {} {} in every document{} (right list)",
            term.token,
            if now_off { "off" } else { "back on" },
            if state.doc_edits.expansions_only {
                " where it is an expansion"
            } else {
                ""
            }
        ),
        false,
    ));
    state.request();
}

/// Puts the `what-if` system in the right list while documents are edited, and BM25 back
/// when they no longer are.
fn show_what_if(state: &mut State) {
    let Some(what_if) = state.loaded().map(|l| l.systems.len()) else {
        return;
    };
    if !state.doc_edits.is_empty() {
        if state.columns[1] != what_if {
            state.right_before_what_if = Some(state.columns[1]);
            state.columns[1] = what_if;
        }
    } else if state.columns[1] == what_if {
        state.columns[1] = state
            .right_before_what_if
            .take()
            .unwrap_or(crate::engine::BM25);
    }
}

/// `E`: evaluates the current query and document edits over every judged query.
fn evaluate_edits(state: &mut State) {
    if state.loaded().and_then(|l| l.judged.as_ref()).is_none() {
        state.message = Some((
            "no judged queries: start with --beir DIR (or --queries and --qrels)".into(),
            true,
        ));
        return;
    }
    if state.what_if().is_empty() {
        state.message = Some((
            "no edits to evaluate: switch a term off (Space), prune ([), or a document term (x)"
                .into(),
            true,
        ));
        return;
    }
    let what_if = state.what_if();
    state.eval.generation += 1;
    state.eval_request = Some((state.eval.generation, what_if.clone()));
    state.eval.what_if_words = Some(state.describe_edits());
    state.eval.what_if = Some(what_if);
    // The table comes back with the what-if column; until then the view shows progress.
    state.eval.table = None;
    state.eval.error = None;
    state.eval.progress = Some((0, 0));
    set_view(state, View::Evaluate);
    state.message = Some((
        "evaluating the edits over every judged query (the what-if column)".into(),
        false,
    ));
}

/// `c`: two SPLADE explanations side by side (see [`Action::SideBySide`]).
fn side_by_side(state: &mut State) {
    let Some(shown) = state.shown.as_ref() else {
        return;
    };
    let selected = |list: usize, i: usize| shown.lists[list].hits.get(i).map(|h| h.id.clone());
    let what = match (state.view, state.focus) {
        (View::Compare, Focus::Left) => shown
            .compare
            .as_ref()
            .and_then(|c| c.hits_a.get(state.left_selected))
            .map(|h| SideBySide::Checkpoints(h.id.clone())),
        (View::Compare, Focus::HitsB) => shown
            .compare
            .as_ref()
            .and_then(|c| c.hits_b.get(state.b_selected))
            .map(|h| SideBySide::Checkpoints(h.id.clone())),
        (View::Explore, Focus::Inspector) => {
            // A "why not?" document next to the top hit of the list it was asked about; with
            // both checkpoints' lists shown, the inspected document under A and B.
            let missed = state.inspect_id.clone();
            let list = if state.list == Focus::Right { 1 } else { 0 };
            let inspected = match shown.inspect.as_ref() {
                Some(Ok(x)) => Some(x.id.clone()),
                _ => None,
            };
            let b = state
                .loaded()
                .and_then(|l| l.system_specs.iter().position(|s| s == "splade-b"));
            let both_checkpoints = b.is_some_and(|b| {
                let mut c = state.columns;
                c.sort_unstable();
                c == [SPLADE, b]
            });
            match (missed, selected(list, 0), inspected) {
                (Some(missed), Some(top), _) if missed != top => {
                    Some(SideBySide::Documents(missed, top))
                }
                (None, _, Some(id)) if both_checkpoints => Some(SideBySide::Checkpoints(id)),
                _ => {
                    state.message = Some((
                        "c in the inspector compares a \"why not?\" document with the top hit, \
                         or, with SPLADE and SPLADE-B side by side, the document under both"
                            .into(),
                        true,
                    ));
                    return;
                }
            }
        }
        (View::Explore, Focus::Left | Focus::Right) => {
            let list = if state.focus == Focus::Right { 1 } else { 0 };
            let i = if list == 1 {
                state.right_selected
            } else {
                state.left_selected
            };
            let Some(id) = selected(list, i) else { return };
            match state.pinned.take() {
                Some(pinned) if pinned != id => Some(SideBySide::Documents(pinned, id)),
                _ => {
                    state.message = Some((
                        format!("pinned {id}: select another hit and press c to compare"),
                        false,
                    ));
                    state.pinned = Some(id);
                    return;
                }
            }
        }
        _ => None,
    };
    if let Some(what) = what {
        state.side_by_side = Some(what);
        state.side_by_side_scroll = 0;
        state.overlay = Overlay::SideBySide;
        state.request();
    }
}

/// `y`: the command that reproduces the view, shown in the status line, copied to the
/// terminal's clipboard and written to the command file.
fn copy_command(state: &mut State) {
    let Some(command) = super::reproduce::command(state) else {
        state.message = Some(("nothing to reproduce yet: type a query".into(), true));
        return;
    };
    let written = match &state.command_file {
        Some(path) => {
            let write = || -> std::io::Result<()> {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(path, format!("{command}\n"))
            };
            match write() {
                Ok(()) => format!(" (copied; in {})", path.display()),
                Err(e) => format!(" (copied; cannot write {}: {e})", path.display()),
            }
        }
        None => " (copied)".into(),
    };
    state.message = Some((format!("{command}{written}"), false));
    state.clipboard = Some(command);
}

/// Enter in the add-term box: `token` (weight 1) or `token=weight` added to the query (or
/// given that weight), if the token is in the model's vocabulary.
fn add_term(state: &mut State) {
    let typed = state.why_not.lines().join("").trim().to_string();
    let (token, weight) = match typed.rsplit_once('=') {
        Some((t, w)) => (t.trim().to_string(), w.trim().parse::<f32>().ok()),
        None => (typed.clone(), Some(1.0)),
    };
    let Some(weight) = weight.filter(|w| w.is_finite() && *w > 0.0) else {
        state.message = Some((
            format!("{typed:?}: the weight must be a number above 0 (token=weight)"),
            true,
        ));
        return;
    };
    let id = state
        .loaded()
        .and_then(|l| l.vocabulary.iter().position(|t| *t == token));
    let Some(id) = id else {
        state.message = Some((
            format!("{token:?} is not in the model's vocabulary (type it as `encode` shows it)"),
            true,
        ));
        return;
    };
    state.overlay = Overlay::None;
    state.edits.dropped.remove(&(id as u32));
    state.edits.weights.insert(id as u32, weight);
    state.message = Some((format!("{token} added to the query at {weight}"), false));
    state.request();
}
