//! Drawing: a pure function of the state. [`draw`] lays out the frame with
//! [`super::layout::regions`] and hands each region to its view.

pub mod browse;
pub mod compare;
pub mod evaluate;
pub mod help;
pub mod hits;
pub mod index;
pub mod inspect;
pub mod side_by_side;
pub mod terms;
pub mod visible;
pub mod widgets;

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::action::Action;
use super::keymap::Context;
use super::layout::{self, regions, tab_label, APP_NAME};
use super::state::{Focus, Overlay, Phase, State, View, MIN_HEIGHT, MIN_WIDTH};
use crate::engine::Column;
use widgets::{duration, pane};

/// Draws the whole screen; control characters from the data are shown as glyphs, never
/// sent to the terminal ([`visible::make_visible`]).
pub fn draw(frame: &mut Frame, state: &State) {
    draw_screen(frame, state);
    visible::make_visible(frame.buffer_mut());
}

fn draw_screen(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let theme = &state.theme;
    frame.render_widget(Block::new().style(theme.base), area);
    if !layout::fits(area) {
        too_small(frame, area, state);
        return;
    }
    let r = regions(area, state);
    tabs(frame, r.tabs, state);
    query_box(frame, r.query, state);
    match &state.phase {
        Phase::Loading => centered_message(
            frame,
            r.body,
            state,
            vec![
                Line::styled("Loading the index and the model…", theme.title),
                Line::raw(""),
                Line::styled(state.load_progress.clone().unwrap_or_default(), theme.dim),
            ],
        ),
        Phase::Failed(e) => {
            let mut lines = vec![
                Line::styled("Could not open the index or load the model", theme.error),
                Line::raw(""),
            ];
            lines.extend(e.lines().map(|l| Line::raw(l.to_string())));
            lines.push(Line::raw(""));
            lines.push(Line::styled("Press Ctrl-C or q to quit.", theme.dim));
            centered_message(frame, r.body, state, lines)
        }
        Phase::Ready(loaded) => match state.view {
            View::Explore => explore(frame, &r, state),
            View::Compare => compare::draw(frame, &r, state),
            View::Evaluate => evaluate::draw(frame, r.body, state),
            View::Index => index::draw(frame, r.body, &loaded.stats, state),
        },
    }
    status(frame, r.status, state);
    match state.overlay {
        Overlay::Help => help::draw_help(frame, area, state),
        Overlay::WhyNot => help::draw_why_not(frame, area, state),
        Overlay::AddTerm => help::draw_add_term(frame, area, state),
        Overlay::Browse => browse::draw(frame, area, state),
        Overlay::SideBySide => side_by_side::draw(frame, area, state),
        Overlay::None => {}
    }
}

fn explore(frame: &mut Frame, r: &layout::Regions, state: &State) {
    let theme = &state.theme;
    let Some(view) = &state.shown else {
        let text = if state.query_text().trim().is_empty() {
            let mut text = vec![
                Line::styled(
                    "Type a query to see its SPLADE expansion and both hit lists.",
                    theme.title,
                ),
                Line::raw(""),
            ];
            let examples = state.loaded().map_or(&[][..], |l| &l.examples[..]);
            if !examples.is_empty() {
                text.push(Line::raw(format!("Try: {}", examples.join(" · "))));
                text.push(Line::raw(""));
            }
            text.push(Line::styled(
                "F1 help · Tab next pane · Ctrl-C quit",
                theme.dim,
            ));
            text
        } else if let Some(e) = &state.error {
            vec![Line::styled(format!("Error: {e}"), theme.error)]
        } else {
            vec![Line::styled("Searching…", theme.dim)]
        };
        centered_message(frame, r.body, state, text);
        return;
    };
    if r.terms.width > 0 {
        terms::draw(frame, r.terms, view, state);
    }
    if r.left.width > 0 {
        hits::draw(frame, r.left, view, state, Column::Left);
        hits::draw(frame, r.right, view, state, Column::Right);
    }
    if r.inspector.width > 0 {
        inspect::draw(frame, r.inspector, view, state);
    }
}

fn tabs(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(APP_NAME, theme.title), Span::raw(" ")];
    for v in View::ALL {
        let available = match v {
            View::Compare => state.has_compare(),
            View::Evaluate => state.loaded().is_some_and(|l| l.judged.is_some()),
            _ => true,
        };
        let style = if v == state.view {
            theme.tab_active
        } else if available {
            theme.tab
        } else {
            theme
                .tab
                .add_modifier(Modifier::DIM | Modifier::CROSSED_OUT)
        };
        spans.push(Span::styled(tab_label(v), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Line::from(spans), area);
    if let Some(l) = state.loaded() {
        let right = format!("{} · {} docs ", l.index, l.documents);
        let width = right.chars().count() as u16;
        if area.width > width + 60 {
            let at = Rect::new(area.right() - width, area.y, width, 1);
            frame.render_widget(Line::styled(right, theme.dim), at);
        }
    }
}

fn query_box(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let focused = state.focus == Focus::Query && state.overlay == Overlay::None;
    let mut title = vec![Span::raw(" Query ")];
    if let Some(qid) = &state.qid {
        title.push(Span::styled(format!("judged query {qid} "), theme.relevant));
    }
    if let Some(v) = &state.shown {
        if v.truncated {
            // As `spladescope encode` reports it; BM25 reads the whole text, as `search` does.
            title.push(Span::styled(
                format!(
                    "SPLADE: first {} of {} tokens · BM25: all {} chars ",
                    v.tokens,
                    v.untruncated_tokens,
                    v.query.chars().count()
                ),
                theme.warning,
            ));
        }
    }
    let mut textarea = state.query.clone();
    textarea.set_placeholder_text(match state.loaded().and_then(|l| l.examples.first()) {
        Some(e) => format!("type a query, e.g. {e}"),
        None => "type a query".into(),
    });
    textarea.set_block(pane(Line::from(title), focused, theme));
    textarea.set_style(theme.base);
    textarea.set_placeholder_style(theme.dim);
    textarea.set_cursor_style(if focused {
        theme.base.add_modifier(Modifier::REVERSED)
    } else {
        theme.base
    });
    frame.render_widget(&textarea, area);
}

fn status(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let mut left: Vec<Span> = Vec::new();
    if let Some((m, error)) = &state.message {
        left.push(Span::styled(
            format!(" {m} "),
            if *error { theme.error } else { theme.warning },
        ));
    } else if let (Some(e), Some(_)) = (&state.error, &state.shown) {
        // The last request failed; the lists still show the one before it.
        left.push(Span::styled(
            format!(" Error: {e} (showing the last result) "),
            theme.error,
        ));
    } else if let Some(l) = state.loaded() {
        left.push(Span::styled(format!(" {} ", l.model), theme.title));
        if let Some(v) = &state.shown {
            let t = &v.timings;
            let mut s = format!("encode {}", duration(t.encode));
            if l.query_encoder.inference_free() {
                s.push_str(&format!(" ({} query encoder)", l.query_encoder));
            }
            if let Some(dense) = t.dense {
                s.push_str(&format!(" · dense encode {}", duration(dense)));
            }
            for list in &v.lists {
                s.push_str(&format!(" · {} {}", list.name, duration(list.time)));
            }
            if let Some(full) = t.splade_unedited {
                s.push_str(&format!(" (unedited {})", duration(full)));
            }
            left.push(Span::styled(s, theme.dim));
        }
        if state.pending {
            left.push(Span::styled(" ⟳", theme.warning));
        }
    }
    let left = Line::from(left);
    let used = left.width();
    frame.render_widget(left, area);
    // Whole hints, in order, while they fit; never a cut one.
    let room = (area.width as usize).saturating_sub(used + 1);
    let mut spans = Vec::new();
    let mut width = 0;
    for hint in hints(state) {
        let w: usize = hint.iter().map(Span::width).sum();
        if width + w > room {
            break;
        }
        width += w;
        spans.extend(hint);
    }
    let width = width as u16;
    let at = Rect::new(area.right() - width, area.y, width, 1);
    frame.render_widget(Line::from(spans), at);
}

/// Key hints of the focused context, from the keymap, most useful first; each is its key
/// and its whole help text.
fn hints(state: &State) -> Vec<Vec<Span<'static>>> {
    let context = state.context();
    if matches!(state.phase, Phase::Failed(_)) {
        return vec![vec![Span::styled("q quit ", state.theme.key)]];
    }
    let wanted: &[Action] = match context {
        Context::Query => &[Action::FocusNext, Action::HistoryPrev, Action::Help],
        Context::Terms => &[
            Action::ToggleTerm,
            Action::WeightUp,
            Action::WeightDown,
            Action::BrowseTerm,
        ],
        Context::Hits if state.systems().len() > 2 => &[
            Action::Open,
            Action::OtherList,
            Action::WhyNot,
            Action::LeftSystem,
            Action::RightSystem,
        ],
        Context::Hits => &[
            Action::Open,
            Action::OtherList,
            Action::WhyNot,
            Action::BrowseDocument,
        ],
        Context::Inspector => &[
            Action::Back,
            Action::Down,
            Action::NextDocTerm,
            Action::BrowseDocument,
        ],
        Context::Compare => &[Action::Open, Action::OtherList, Action::FocusNext],
        Context::Evaluate if state.systems().len() > 2 => &[
            Action::Open,
            Action::SortNext,
            Action::Baseline,
            Action::SortReverse,
        ],
        Context::Evaluate => &[Action::Open, Action::SortNext, Action::SortReverse],
        Context::WhyNot => &[Action::Open, Action::Back],
        Context::Help => &[Action::Back],
        Context::Browse if state.overlay == Overlay::SideBySide => &[Action::Back, Action::Down],
        Context::Browse => &[Action::BrowseTerm, Action::BrowseDocument, Action::Back],
        Context::Global => &[Action::Help, Action::Quit],
    };
    let mut out = Vec::new();
    for a in wanted {
        if let Some(k) = state.keymap.first_key(context, a) {
            let help = [context, Context::Global]
                .iter()
                .find_map(|c| {
                    state
                        .keymap
                        .bindings
                        .iter()
                        .find(|b| &b.action == a && b.context == *c)
                })
                .map_or("", |b| b.help.as_str());
            out.push(vec![
                Span::styled(k.to_string(), state.theme.key),
                Span::styled(format!(" {help}  "), state.theme.dim),
            ]);
        }
    }
    out
}

/// Lines centred in `area`, long ones word-wrapped (the height counts the wrapped rows).
fn centered_message(frame: &mut Frame, area: Rect, state: &State, lines: Vec<Line<'static>>) {
    let lines: Vec<Line> = lines
        .into_iter()
        .flat_map(|l| {
            if l.width() <= area.width as usize {
                return vec![l];
            }
            let style = l.spans.first().map_or(l.style, |s| l.style.patch(s.style));
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            widgets::wrap(&text, area.width as usize)
                .into_iter()
                .map(|t| Line::styled(t, style))
                .collect()
        })
        .collect();
    let height = (lines.len() as u16 + 2).min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .style(state.theme.base),
        mid,
    );
}

fn too_small(frame: &mut Frame, area: Rect, state: &State) {
    let lines = vec![
        Line::styled("Terminal too small", state.theme.error),
        Line::raw(format!(
            "{}×{}, need at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::styled(
            "Enlarge the window, or press Ctrl-C to quit",
            state.theme.dim,
        ),
    ];
    centered_message(frame, area, state, lines);
}
