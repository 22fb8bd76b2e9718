//! Overlays: the help window, generated from the keymap, and the "why not?" box.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::super::keymap::Context;
use super::super::layout::{inner, scroll_offset};
use super::super::state::State;
use super::widgets::{fit, pad, pane};

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// The contexts in the help overlay, in order.
const HELP_CONTEXTS: [Context; 9] = [
    Context::Global,
    Context::Query,
    Context::Terms,
    Context::Hits,
    Context::Inspector,
    Context::Compare,
    Context::Evaluate,
    Context::WhyNot,
    Context::Browse,
];

/// The help overlay: every binding of every context, from the keymap, in columns sized
/// to their longest entry (keys, what they do, the action's config name).
pub fn draw_help(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let sections: Vec<_> = HELP_CONTEXTS
        .iter()
        .map(|&c| (c, state.keymap.help(c)))
        .collect();
    let widest = |f: &dyn Fn(&(String, &str, String)) -> usize| {
        sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(f))
            .max()
            .unwrap_or(0)
    };
    use unicode_width::UnicodeWidthStr;
    let key_w = widest(&|r| r.0.width()) + 2;
    let name_w = widest(&|r| r.2.len());
    let max_inner = area.width.saturating_sub(4) as usize;
    // The help text gives way (cut with …) only if the screen cannot hold all three.
    let help_w = (widest(&|r| r.1.width()) + 2).min(max_inner.saturating_sub(key_w + name_w));
    let width = (key_w + help_w + name_w).max(60) as u16 + 2;
    let popup = centered(area, width, area.height.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        pane(" Help · Esc closes · ↑↓ scroll ", true, theme).style(theme.base),
        popup,
    );
    let mut lines = vec![
        Line::styled("Input terms are bold, expansion terms italic with +; bar colours follow the terms.", theme.dim),
        Line::styled("↑n / ↓n: rank n higher / lower than in the other list; new: not in its top k; e↑n: change from term edits.", theme.dim),
    ];
    lines.push(Line::styled(
        "Term edits and pruning belong to a query: a new query (typed, from the history or \
         from Evaluate) clears them. In text boxes Ctrl-U deletes to the line start, Ctrl-Z undoes.",
        theme.dim,
    ));
    for (c, rows) in sections {
        lines.push(Line::raw(""));
        lines.push(Line::styled(c.title(), theme.title));
        for (keys, help, name) in rows {
            lines.push(Line::from(vec![
                Span::styled(pad(&keys, key_w), theme.key),
                Span::raw(pad(help, help_w)),
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
    // Which query it is about: the judged query's id, and the text.
    let about = match &state.qid {
        Some(qid) => format!("{qid}: {}", state.query_text()),
        None => state.query_text(),
    };
    let title = fit(
        &format!(" Why not? · {about}"),
        popup.width.saturating_sub(4) as usize,
    );
    let mut block = pane(format!("{title} "), true, theme).style(theme.base);
    if let Some(i) = state.why_not_pick {
        block = block
            .title_bottom(Line::from(format!(" {}/{} ", i + 1, relevant.len())).right_aligned());
    }
    frame.render_widget(block, popup);
    let body = inner(popup);
    let [hint, input, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    frame.render_widget(
        Line::styled(
            "Document id, Enter: its rank, score, gap and missing terms",
            theme.dim,
        ),
        hint,
    );
    let mut textarea = state.why_not.clone();
    textarea.set_style(theme.base);
    textarea.set_placeholder_style(theme.dim);
    frame.render_widget(&textarea, input);
    if !relevant.is_empty() {
        let names = state
            .shown
            .as_ref()
            .map(|s| [s.lists[0].name.as_str(), s.lists[1].name.as_str()])
            .unwrap_or(["SPLADE", "BM25"]);
        let mut lines = vec![Line::styled(
            format!(
                "or pick a relevant document (↑↓):  grade  {}  {}",
                fit(names[0], 12),
                fit(names[1], 12)
            ),
            theme.title,
        )];
        let visible = list.height.saturating_sub(1) as usize;
        let offset = scroll_offset(state.why_not_pick.unwrap_or(0), visible);
        for (i, r) in relevant.iter().enumerate().skip(offset).take(visible) {
            let rank = |r: Option<usize>| r.map_or("–".into(), |r| format!("#{r}"));
            let mut line = Line::from(vec![
                Span::styled(pad(&r.id, 20), theme.key),
                Span::raw(format!(
                    "{:>5}  {:>6}  {:>6}{}",
                    r.grade,
                    rank(r.ranks[0]),
                    rank(r.ranks[1]),
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

/// The add-term box: a vocabulary token, optionally `=weight` (1 by default).
pub fn draw_add_term(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let popup = centered(area, 64, 4);
    frame.render_widget(Clear, popup);
    let title = fit(
        &format!(" Add a query term · {}", state.query_text()),
        popup.width.saturating_sub(4) as usize,
    );
    frame.render_widget(
        pane(format!("{title} "), true, theme).style(theme.base),
        popup,
    );
    let [hint, input] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner(popup));
    frame.render_widget(
        Line::styled(
            "A token as `encode` shows it, or token=weight; Enter adds it",
            theme.dim,
        ),
        hint,
    );
    let mut textarea = state.why_not.clone();
    textarea.set_style(theme.base);
    frame.render_widget(&textarea, input);
}
