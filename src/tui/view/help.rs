//! Overlays: the help window, generated from the keymap, and the "why not?" box.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::super::keymap::Context;
use super::super::layout::inner;
use super::super::state::State;
use super::widgets::{pad, pane};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// The help overlay: every binding of every context, from the keymap.
pub fn draw_help(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let popup = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        pane(" Help · Esc closes · ↑↓ scroll ", true, theme).style(theme.base),
        popup,
    );
    let mut lines = vec![
        Line::styled("Input terms are bold, expansion terms italic with +; bar colours follow the terms.", theme.dim),
        Line::styled("↑n / ↓n: rank n higher / lower than in the other list; new: not in its top k; e↑n: change from term edits.", theme.dim),
    ];
    for c in [
        Context::Global,
        Context::Query,
        Context::Terms,
        Context::Hits,
        Context::Inspector,
        Context::Evaluate,
        Context::WhyNot,
    ] {
        lines.push(Line::raw(""));
        lines.push(Line::styled(c.title(), theme.title));
        for (keys, help, name) in state.keymap.help(c) {
            lines.push(Line::from(vec![
                Span::styled(pad(&keys, 22), theme.key),
                Span::raw(pad(help, 40)),
                Span::styled(name, theme.dim),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse: click tabs, panes, terms and hits (click a selected hit to inspect it); wheel scrolls.", theme.dim));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((state.help_scroll, 0)),
        inner(popup),
    );
}

/// The "why not?" box: type a document id, or pick a relevant document of a judged query.
pub fn draw_why_not(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let relevant = state.shown.as_ref().map_or(&[][..], |s| &s.relevant[..]);
    let height = 5 + if relevant.is_empty() {
        0
    } else {
        2 + relevant.len().min(10) as u16
    };
    let popup = centered(area, 64, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        pane(" Why not? · Enter inspects · Esc closes ", true, theme).style(theme.base),
        popup,
    );
    let body = inner(popup);
    let [hint, input, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    frame.render_widget(
        Line::styled(
            "Document id: its rank, score, gap and missing terms",
            theme.dim,
        ),
        hint,
    );
    let mut textarea = state.why_not.clone();
    textarea.set_style(theme.base);
    textarea.set_placeholder_style(theme.dim);
    frame.render_widget(&textarea, input);
    if !relevant.is_empty() {
        let mut lines = vec![Line::styled(
            "or pick a relevant document (↑↓):  grade  SPLADE  BM25",
            theme.title,
        )];
        for (i, r) in relevant.iter().enumerate().take(10) {
            let rank = |r: Option<usize>| r.map_or("–".into(), |r| format!("#{r}"));
            let mut line = Line::from(vec![
                Span::styled(pad(&r.id, 20), theme.key),
                Span::raw(format!(
                    "{:>5}  {:>6}  {:>6}{}",
                    r.grade,
                    rank(r.splade_rank),
                    rank(r.bm25_rank),
                    if r.in_index { "" } else { "  not in the index" }
                )),
            ]);
            if state.why_not_pick == Some(i) {
                line = line.style(theme.selected);
            }
            lines.push(line);
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
