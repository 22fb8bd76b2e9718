//! The expansion pane: the query's non-zero terms by weight, with weight bars; input terms
//! and expansion terms styled apart; switched-off, pruned and reweighted terms marked.
//! With the pane focused, its first line says which query word produced the selected term
//! (`settlement ← login (log)`) when that is not the term itself, and every term that came
//! from the same input token, and that token's own term, is underlined. For a judged query
//! (opened from Evaluate), the bottom lines hold its SPLADE measures, edited ← unedited.

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::layout::{inner, scroll_offset};
use super::super::state::{Focus, State};
use super::super::theme::Theme;
use super::widgets::{bar, pad, pane};
use crate::encoder::TermKind;
use crate::engine::{QueryMetrics, QueryTerm, QueryView};
use crate::eval::Metric;

/// Draws the expansion pane.
pub fn draw(frame: &mut Frame, area: Rect, view: &QueryView, state: &State) {
    let theme = &state.theme;
    let focused = state.focus == Focus::Terms;
    let mut title = vec![Span::raw(" Expansion ")];
    let p = state.edits.pruning;
    if let Some(n) = p.top_n {
        title.push(Span::styled(format!("top {n} "), theme.warning));
    }
    if let Some(w) = p.min_weight {
        title.push(Span::styled(format!("≥{w:.1} "), theme.warning));
    }
    let block = pane(Line::from(title), focused, theme);
    let body = inner(area);
    frame.render_widget(block, area);
    if body.height == 0 {
        return;
    }
    let chosen = view.terms.get(state.term_selected).filter(|_| focused);
    let source = chosen.and_then(|t| t.source.as_ref());
    // The selected term's source, unless the term is that word itself.
    let note = chosen.and_then(|t| Some((t, source?.note(&t.token)?)));
    let mut lines = vec![match note {
        Some((t, note)) => Line::from(vec![
            Span::styled(t.token.clone(), theme.title),
            Span::styled(" ← ", theme.dim),
            Span::styled(note, theme.title),
        ]),
        _ => Line::from(vec![
            Span::styled(format!("{} terms", view.nnz), theme.dim),
            Span::styled(format!(" · L1 {:.1}", view.l1), theme.dim),
            if view.edited_nnz != view.nnz {
                Span::styled(format!(" · {} on", view.edited_nnz), theme.warning)
            } else {
                Span::raw("")
            },
        ]),
    }];
    // The selected term's source token: its own term and every term it produced.
    let linked = |t: &QueryTerm| {
        source.is_some_and(|s| {
            t.source
                .as_ref()
                .is_some_and(|ts| ts.position == s.position)
                || t.token == s.token
        })
    };
    let width = body.width as usize;
    // marker, token, space, bar, space, weight (4) and a reweight star.
    let longest = view
        .terms
        .iter()
        .map(|t| t.token.chars().count())
        .max()
        .unwrap_or(6);
    let token_w = longest.clamp(6, width.saturating_sub(13).max(6));
    let bar_w = width.saturating_sub(token_w + 8).max(1);
    let max = view
        .terms
        .iter()
        .map(|t| t.weight.max(t.edited))
        .fold(0.0f32, f32::max);
    // A judged query's measures take the bottom of the pane when it is tall enough.
    let measures = view
        .metrics
        .as_ref()
        .filter(|_| body.height >= 14)
        .map(|m| measure_lines(m, !state.edits.is_empty(), theme))
        .unwrap_or_default();
    let visible = (body.height as usize).saturating_sub(1 + measures.len());
    let offset = scroll_offset(state.term_selected, visible);
    for (i, t) in view.terms.iter().enumerate().skip(offset).take(visible) {
        let selected = focused && i == state.term_selected;
        let off = t.edited <= 0.0;
        let (marker, style) = match t.kind {
            TermKind::Input => (" ", theme.term_input),
            TermKind::Expansion => ("+", theme.term_expansion),
        };
        let style = if off { theme.term_off } else { style };
        let style = if linked(t) {
            style.add_modifier(Modifier::UNDERLINED)
        } else {
            style
        };
        let mut spans = vec![
            Span::styled(if selected { "▸" } else { " " }, theme.title),
            Span::styled(marker, style),
            Span::styled(pad(&t.token, token_w), style),
            Span::raw(" "),
        ];
        let shown_weight = if off { t.weight } else { t.edited };
        let color = if off {
            theme.bar_other
        } else {
            theme.term_color(t.slot)
        };
        let bars = bar(shown_weight, max, bar_w, color);
        let used: usize = bars.iter().map(|s| s.width()).sum();
        spans.extend(bars);
        spans.push(Span::raw(" ".repeat(bar_w.saturating_sub(used) + 1)));
        let weight_style = if t.reweighted {
            theme.warning
        } else if off {
            theme.term_off
        } else {
            theme.dim
        };
        spans.push(Span::styled(format!("{shown_weight:>4.2}"), weight_style));
        if t.reweighted {
            spans.push(Span::styled("*", theme.warning));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    if !measures.is_empty() {
        let pad_to = body.height as usize - measures.len();
        lines.resize(pad_to, Line::raw(""));
        lines.extend(measures);
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// The judged query's SPLADE measures: `nDCG@10 0.4512 ← 0.3901` (edited ← unedited) when
/// edits are on, else the value alone.
fn measure_lines(m: &QueryMetrics, edited: bool, theme: &Theme) -> Vec<Line<'static>> {
    let title = if edited {
        "this query: edited ← unedited"
    } else {
        "this query (SPLADE)"
    };
    let mut lines = vec![Line::styled(title, theme.title)];
    for metric in Metric::ALL {
        let (now, before) = (m.edited.get(metric), m.unedited.get(metric));
        let mut spans = vec![Span::styled(format!("{:<9}", metric.name()), theme.dim)];
        spans.push(Span::raw(format!("{now:.4}")));
        if edited {
            let style = if now > before + 1e-12 {
                theme.rank_up
            } else if now < before - 1e-12 {
                theme.rank_down
            } else {
                theme.rank_same
            };
            spans.push(Span::styled(format!(" ← {before:.4}"), style));
        }
        lines.push(Line::from(spans));
    }
    lines
}
