//! Mouse input: clicks on tabs, panes, terms, hits and Evaluate rows, and the wheel, found
//! with the same regions that drawing uses, turned into [`Action`]s for
//! [`super::update::update`] (the mouse reads the state, never changes it).

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::action::Action;
use super::layout::{self, regions, HIT_HEIGHT};
use super::state::{Focus, Overlay, State, View};

/// What a mouse event does.
pub fn actions(state: &State, m: MouseEvent) -> Vec<Action> {
    let area = Rect::new(0, 0, state.width, state.height);
    if !layout::fits(area) || state.overlay != Overlay::None {
        if matches!(m.kind, MouseEventKind::Down(MouseButton::Left))
            && state.overlay == Overlay::Help
        {
            return vec![Action::Back];
        }
        return Vec::new();
    }
    let r = regions(area, state);
    let at = Position::new(m.column, m.row);
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if r.tabs.contains(at) {
                if let Some(v) = layout::tab_at(m.column, r.tabs) {
                    return vec![Action::SetView(v)];
                }
            } else if r.query.contains(at) {
                return vec![Action::FocusPane(Focus::Query)];
            } else if state.view == View::Explore {
                return click_explore(state, &r, at);
            } else if state.view == View::Evaluate {
                if let Some(table) = &state.eval.table {
                    let rows = super::view::evaluate::rows_area(r.body, table);
                    if rows.contains(at) {
                        let offset =
                            layout::scroll_offset(state.eval.selected, rows.height as usize);
                        let row = offset + (m.row - rows.y) as usize;
                        if row < table.rows.len() {
                            return vec![Action::SelectEvalRow(row)];
                        }
                    }
                }
            }
            Vec::new()
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if m.kind == MouseEventKind::ScrollDown {
                1
            } else {
                -1
            };
            if state.view == View::Explore {
                for (rect, focus) in [
                    (r.terms, Focus::Terms),
                    (r.left, Focus::Left),
                    (r.right, Focus::Right),
                    (r.inspector, Focus::Inspector),
                ] {
                    if rect.contains(at) {
                        return vec![Action::FocusPane(focus), Action::Step(delta)];
                    }
                }
                Vec::new()
            } else {
                vec![Action::Step(delta)]
            }
        }
        _ => Vec::new(),
    }
}

fn click_explore(state: &State, r: &layout::Regions, at: Position) -> Vec<Action> {
    let row_in = |rect: Rect, per: u16, selected: usize| -> Option<usize> {
        let inner = layout::inner(rect);
        if !inner.contains(at) {
            return None;
        }
        // Lists have a one-line header inside the border.
        let top = inner.y + 1;
        if at.y < top {
            return None;
        }
        let visible = (inner.height.saturating_sub(1) / per) as usize;
        Some(layout::scroll_offset(selected, visible) + ((at.y - top) / per) as usize)
    };
    if r.inspector.contains(at) {
        return vec![Action::FocusPane(Focus::Inspector)];
    }
    if r.terms.contains(at) {
        let mut out = vec![Action::FocusPane(Focus::Terms)];
        if let Some(i) = row_in(r.terms, 1, state.term_selected) {
            let n = state.shown.as_ref().map_or(0, |s| s.terms.len());
            if i < n {
                out.push(Action::Select(Focus::Terms, i));
            }
        }
        return out;
    }
    for (column, (rect, focus)) in [(r.left, Focus::Left), (r.right, Focus::Right)]
        .into_iter()
        .enumerate()
    {
        if !rect.contains(at) {
            continue;
        }
        let selected = if focus == Focus::Left {
            state.left_selected
        } else {
            state.right_selected
        };
        let n = state
            .shown
            .as_ref()
            .map_or(0, |s| s.lists[column].hits.len());
        let clicked = row_in(rect, HIT_HEIGHT, selected).filter(|&i| i < n);
        let again = state.focus == focus && clicked == Some(selected);
        let mut out = vec![Action::FocusPane(focus)];
        out.extend(clicked.map(|i| Action::Select(focus, i)));
        if again {
            // A second click on the selected hit opens the inspector.
            out.push(Action::FocusPane(Focus::Inspector));
        }
        out.push(Action::Reinspect);
        return out;
    }
    Vec::new()
}
