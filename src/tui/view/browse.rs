//! The term and document browsers: overlays over any view. The term browser shows a term's
//! document frequency, input/expansion split, weight histogram, heaviest documents (with the
//! word of each that produced it) and the judged queries that use it; the document browser a
//! document's whole vector with input/expansion marks and source words. `t` on a document's
//! term opens its term browser, `d` on a term's document its document browser.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::super::layout::{inner, scroll_offset};
use super::super::state::State;
use super::super::theme::Theme;
use super::help::centered;
use super::widgets::{bar, fit, pad, pane};
use crate::browse::{DocumentReport, TermReport};
use crate::display::visible;
use crate::encoder::{Source, TermKind};
use crate::engine::{Browse, Browsed};

/// Draws the open browser.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let popup = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, popup);
    let report = state.shown.as_ref().and_then(|s| s.browse.as_ref());
    let waiting = match &state.browse {
        Some(Browse::Term(_)) => " Term ",
        _ => " Document ",
    };
    match report {
        Some(Ok(Browsed::Term(t))) => term(frame, popup, t, state),
        Some(Ok(Browsed::Document(d))) => document(frame, popup, d, state),
        Some(Err(e)) => {
            frame.render_widget(pane(waiting, true, theme).style(theme.base), popup);
            let lines = vec![
                Line::styled(e.clone(), theme.error),
                Line::styled("Esc closes the browser.", theme.dim),
            ];
            frame.render_widget(Paragraph::new(lines), inner(popup));
        }
        None => {
            frame.render_widget(pane(waiting, true, theme).style(theme.base), popup);
            frame.render_widget(
                Paragraph::new(Line::styled("reading the index…", theme.dim)),
                inner(popup),
            );
        }
    }
}

fn kind_style(kind: TermKind, theme: &Theme) -> ratatui::style::Style {
    match kind {
        TermKind::Input => theme.term_input,
        TermKind::Expansion => theme.term_expansion,
    }
}

/// `← word` where the source word is not the term itself.
fn source_text(token: &str, source: Option<&Source>) -> String {
    source
        .and_then(|s| s.other_word(token))
        .map_or(String::new(), |w| format!("← {}", visible(w)))
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 * 100.0 / of as f64
    }
}

fn term(frame: &mut Frame, popup: Rect, r: &TermReport, state: &State) {
    let theme = &state.theme;
    let title = format!(" Term {} · id {} ", visible(&r.token), r.id);
    frame.render_widget(
        pane(title, true, theme).style(theme.base).title_bottom(
            Line::from(" ↑↓ pick a document · d browse it · Esc close ").right_aligned(),
        ),
        popup,
    );
    let body = inner(popup);
    let width = body.width as usize;
    let w = &r.weights;
    let mut head = vec![
        Line::from(vec![
            Span::styled(format!("{} ", r.documents), theme.title),
            Span::raw(format!(
                "of {} documents ({:.2}%) · ",
                r.corpus,
                percent(r.documents, r.corpus)
            )),
            Span::styled(format!("{} input", r.input_documents), theme.term_input),
            Span::raw(format!(
                " ({:.0}%) · ",
                percent(r.input_documents, r.documents)
            )),
            Span::styled(
                format!("{} expansion", r.expansion_documents),
                theme.term_expansion,
            ),
            Span::raw(format!(
                " ({:.0}%)",
                percent(r.expansion_documents, r.documents)
            )),
        ]),
        Line::styled(
            format!(
                "weights: mean {:.3} · median {:.3} · p90 {:.3} · max {:.3}",
                w.mean, w.median, w.p90, w.max
            ),
            theme.dim,
        ),
    ];
    // The histogram as one row of bars, one per bin, with its range.
    let most = r.histogram.iter().map(|b| b.documents).max().unwrap_or(0);
    if most > 0 {
        let mut spans = vec![Span::styled(format!("0–{:.2} ", w.max), theme.dim)];
        for b in &r.histogram {
            // Eighths of the largest bin; an empty bin is a dot.
            let eighths = (b.documents * 8).div_ceil(most);
            spans.push(Span::styled(
                ["·", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"][eighths.min(8)].to_string(),
                theme.term_color(Some(0)),
            ));
        }
        spans.push(Span::styled("  documents by weight, ten bins", theme.dim));
        head.push(Line::from(spans));
    }
    let queries = if r.queries_given == 0 {
        "no judged queries loaded".to_string()
    } else {
        let listed: Vec<String> = r
            .queries
            .iter()
            .take(6)
            .map(|q| format!("{} {:.2}", visible(&q.id), q.weight))
            .collect();
        let more = r.queries.len().saturating_sub(6);
        format!(
            "used by {} of {} judged queries{}{}{}",
            r.queries.len(),
            r.queries_given,
            if listed.is_empty() { "" } else { ": " },
            listed.join(", "),
            if more > 0 {
                format!(", … {more} more")
            } else {
                String::new()
            }
        )
    };
    head.push(Line::styled(fit(&queries, width), theme.dim));
    if let Some(why) = &r.sources_unavailable {
        head.push(Line::styled(
            fit(&format!("no sources: {why}"), width),
            theme.dim,
        ));
    }
    head.push(Line::styled("heaviest documents", theme.title));
    let [top, list] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(0)]).areas(body);
    frame.render_widget(Paragraph::new(head), top);

    let visible_rows = list.height as usize;
    let offset = scroll_offset(state.browse_selected, visible_rows);
    let id_w = r
        .top
        .iter()
        .map(|d| d.id.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    let mut lines = Vec::new();
    for (i, d) in r.top.iter().enumerate().skip(offset).take(visible_rows) {
        let selected = i == state.browse_selected;
        let source = source_text(&r.token, d.source.as_ref());
        let mut line = Line::from(vec![
            Span::styled(if selected { "▸" } else { " " }, theme.title),
            Span::styled(format!("{:>6.3} ", d.weight), theme.dim),
            Span::styled(pad(&visible(&d.id), id_w), theme.key),
            Span::raw(" "),
            Span::styled(
                if d.kind == TermKind::Expansion {
                    "+ "
                } else {
                    "  "
                },
                kind_style(d.kind, theme),
            ),
            Span::styled(pad(&source, 18), theme.dim),
            Span::raw(fit(&visible(&d.title), width.saturating_sub(id_w + 30))),
        ]);
        if selected {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), list);
}

fn document(frame: &mut Frame, popup: Rect, r: &DocumentReport, state: &State) {
    let theme = &state.theme;
    let title = fit(
        &format!(" Document {} · {} ", visible(&r.id), visible(&r.title)),
        popup.width.saturating_sub(4) as usize,
    );
    frame.render_widget(
        pane(title, true, theme)
            .style(theme.base)
            .title_bottom(Line::from(" ↑↓ pick a term · t browse it · Esc close ").right_aligned()),
        popup,
    );
    let body = inner(popup);
    let width = body.width as usize;
    let mut head = vec![Line::styled(
        format!(
            "{} tokens{} · {} terms: {} input, {} expansion · L1 {:.2}",
            r.tokens,
            if r.truncated { " (truncated)" } else { "" },
            r.nnz,
            r.input_terms,
            r.expansion_terms,
            r.l1
        ),
        theme.dim,
    )];
    if let Some(why) = &r.sources_unavailable {
        head.push(Line::styled(
            fit(&format!("no sources: {why}"), width),
            theme.dim,
        ));
    }
    let [top, rest] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(0)]).areas(body);
    frame.render_widget(Paragraph::new(head), top);
    // Terms on the left, the text on the right.
    let [terms_area, text_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Min(0)])
            .spacing(1)
            .areas(rest);
    let terms_w = terms_area.width as usize;
    let token_w = r
        .terms
        .iter()
        .map(|t| t.token.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 16);
    let source_w = 16.min(terms_w.saturating_sub(token_w + 12));
    let bar_w = terms_w.saturating_sub(token_w + source_w + 10).max(1);
    let max = r.terms.first().map_or(0.0, |t| t.weight);
    let visible_rows = terms_area.height as usize;
    let offset = scroll_offset(state.browse_selected, visible_rows);
    let mut lines = Vec::new();
    for (i, t) in r.terms.iter().enumerate().skip(offset).take(visible_rows) {
        let selected = i == state.browse_selected;
        let mut spans = vec![
            Span::styled(if selected { "▸" } else { " " }, theme.title),
            Span::styled(
                if t.kind == TermKind::Expansion {
                    "+"
                } else {
                    " "
                },
                kind_style(t.kind, theme),
            ),
            Span::styled(pad(&visible(&t.token), token_w), kind_style(t.kind, theme)),
            Span::raw(" "),
        ];
        let bars = bar(t.weight, max, bar_w, theme.bar_other);
        let used: usize = bars.iter().map(|s| s.width()).sum();
        spans.extend(bars);
        spans.push(Span::raw(" ".repeat(bar_w.saturating_sub(used))));
        spans.push(Span::styled(format!(" {:.2} ", t.weight), theme.dim));
        spans.push(Span::styled(
            fit(&source_text(&t.token, t.source.as_ref()), source_w),
            theme.dim,
        ));
        let mut line = Line::from(spans);
        if selected {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), terms_area);
    let text = if r.text.is_empty() {
        r.title.clone()
    } else {
        r.text.clone()
    };
    frame.render_widget(
        Paragraph::new(visible(&text).into_owned())
            .style(theme.base)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        text_area,
    );
}
