//! The inspector: why the selected (or any "why not?") document has its scores — the
//! SPLADE contribution table (query weight × document weight = contribution, share), the
//! query terms it lacks, BM25's tf/idf parts, its text with matching words highlighted, and
//! its own heaviest terms.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::super::layout::{inner, roomy};
use super::super::state::{Focus, State};
use super::super::theme::Theme;
use super::widgets::{bar, fit, items_line, pad, pane};
use crate::encoder::TermKind;
use crate::engine::{Inspection, Mark, MarkKind, QueryView};
use crate::search::RankInfo;

/// Draws the inspector.
pub fn draw(frame: &mut Frame, area: Rect, view: &QueryView, state: &State) {
    let theme = &state.theme;
    let focused = state.focus == Focus::Inspector;
    let Some(result) = &view.inspect else {
        frame.render_widget(pane(" Inspector ", focused, theme), area);
        let body = inner(area);
        frame.render_widget(
            Paragraph::new(Line::styled("no hit selected", theme.dim)),
            body,
        );
        return;
    };
    let x = match result {
        Ok(x) => x,
        Err(e) => {
            frame.render_widget(pane(" Inspector ", focused, theme), area);
            let body = inner(area);
            let lines = vec![
                Line::styled(e.clone(), theme.error),
                Line::styled("Press w to try another id, Esc to go back.", theme.dim),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
            return;
        }
    };
    let mut title = vec![
        Span::raw(" Inspector "),
        Span::styled(format!("{} ", x.id), theme.key),
    ];
    if let Some(g) = x.grade {
        title.push(Span::styled(
            format!("relevant, grade {g} "),
            theme.relevant,
        ));
    }
    frame.render_widget(pane(Line::from(title), focused, theme), area);
    let body = inner(area);
    if body.height < 2 {
        return;
    }
    let [rank_line, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
    frame.render_widget(Paragraph::new(rank_summary(x, theme)), rank_line);
    // Wide: tables | text | the document's terms; compact: tables | text over terms.
    let (tables, text, terms) = if roomy(frame.area()) {
        let [tables, text, terms] = Layout::horizontal([
            Constraint::Percentage(40),
            Constraint::Percentage(40),
            Constraint::Percentage(20),
        ])
        .spacing(1)
        .areas(rest);
        (tables, text, terms)
    } else {
        let [tables, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Min(0)])
            .spacing(1)
            .areas(rest);
        let [text, terms] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Min(0)]).areas(right);
        (tables, text, terms)
    };
    let scroll = (state.inspector_scroll, 0);
    frame.render_widget(
        Paragraph::new(tables_lines(x, tables.width as usize, theme)).scroll(scroll),
        tables,
    );
    frame.render_widget(doc_text(x, theme).scroll(scroll), text);
    frame.render_widget(
        Paragraph::new(doc_terms(x, terms.width as usize, theme)),
        terms,
    );
}

fn rank_text(name: &str, r: &RankInfo) -> String {
    match r.rank {
        Some(rank) if rank <= r.k => format!("{name} #{rank} {:.2}", r.score),
        Some(rank) => format!("{name} #{rank} {:.2}, {:.2} below #{}", r.score, r.gap, r.k),
        None => format!("{name}: no shared term, cannot be retrieved"),
    }
}

fn rank_summary(x: &Inspection, theme: &Theme) -> Line<'static> {
    let style = |r: &RankInfo| match r.rank {
        Some(rank) if rank <= r.k => theme.rank_up,
        _ => theme.rank_down,
    };
    Line::from(vec![
        Span::styled(rank_text("SPLADE", &x.splade.rank), style(&x.splade.rank)),
        Span::styled(" · ", theme.dim),
        Span::styled(rank_text("BM25", &x.bm25.rank), style(&x.bm25.rank)),
    ])
}

fn kind_style(kind: TermKind, theme: &Theme) -> Style {
    match kind {
        TermKind::Input => theme.term_input,
        TermKind::Expansion => theme.term_expansion,
    }
}

/// The SPLADE and BM25 tables and the missing terms.
fn tables_lines(x: &Inspection, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let token_w = width.saturating_sub(26).clamp(6, 16);
    let mut lines = vec![Line::from(vec![
        Span::styled(pad("SPLADE term", token_w + 1), theme.title),
        Span::styled(" q  ×  d   =  part  share", theme.dim),
    ])];
    for t in &x.splade.terms {
        let chip = Span::styled(
            "■",
            Style::new().fg(theme.term_color(x.slots.get(&t.id).copied())),
        );
        lines.push(Line::from(vec![
            chip,
            Span::styled(pad(&t.token, token_w), kind_style(t.query_kind, theme)),
            Span::raw(format!(
                " {:.2}×{:<4.2}{}{:>6.2} {:>4.0}%",
                t.query_weight,
                t.doc_weight,
                if t.doc_kind == TermKind::Expansion {
                    "+"
                } else {
                    " "
                },
                t.contribution,
                t.share * 100.0
            )),
        ]));
    }
    if x.splade.terms.is_empty() {
        lines.push(Line::styled("no query term in this document", theme.dim));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{:>w$}",
            format!("score {:.2}", x.splade.score),
            w = token_w + 26
        ),
        theme.title,
    )));
    if !x.splade.missing.is_empty() {
        let items = x.splade.missing.iter().map(|m| {
            vec![
                Span::styled(m.token.clone(), kind_style(m.query_kind, theme)),
                Span::styled(format!(" {:.2}  ", m.query_weight), theme.dim),
            ]
        });
        let lacks = Span::styled("lacks ", theme.warning);
        lines.push(items_line(lacks, items.collect(), width));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(pad("BM25 term", token_w + 1), theme.title),
        Span::styled("tf  idf   tf-part  part share", theme.dim),
    ]));
    for t in &x.bm25.terms {
        let p = &t.parts;
        lines.push(Line::from(vec![
            Span::raw(" "),
            Span::styled(pad(&t.term, token_w), theme.term_input),
            Span::raw(format!(
                " {:<3} {:<5.2} {:.3} {:>6.2} {:>4.0}%",
                p.tf,
                p.idf,
                p.tf_part,
                p.score,
                t.share * 100.0
            )),
        ]));
    }
    if x.bm25.terms.is_empty() {
        lines.push(Line::styled(
            "no analyzed query term in this document",
            theme.dim,
        ));
    }
    if !x.bm25.missing.is_empty() {
        let items = x
            .bm25
            .missing
            .iter()
            .map(|m| vec![Span::styled(format!("{} ", m.term), theme.term_input)]);
        let lacks = Span::styled("lacks ", theme.warning);
        lines.push(items_line(lacks, items.collect(), width));
    }
    lines.into_iter().map(|l| clip(l, width)).collect()
}

/// Cuts a line to `width` columns.
fn clip(line: Line<'static>, width: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for s in line.spans {
        let w = s.width();
        if used + w <= width {
            used += w;
            spans.push(s);
        } else {
            let rest = width.saturating_sub(used);
            if rest > 0 {
                spans.push(Span::styled(fit(&s.content, rest), s.style));
            }
            break;
        }
    }
    Line::from(spans).style(line.style)
}

/// Title and text with matched words highlighted.
fn doc_text(x: &Inspection, theme: &Theme) -> Paragraph<'static> {
    let mark_style = |k: MarkKind| match k {
        MarkKind::Both => theme.highlight_both,
        MarkKind::Splade => theme.highlight_splade,
        MarkKind::Bm25 => theme.highlight_bm25,
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(" both ", theme.highlight_both),
        Span::raw(" "),
        Span::styled(" SPLADE ", theme.highlight_splade),
        Span::raw(" "),
        Span::styled(" BM25 ", theme.highlight_bm25),
    ])];
    if !x.title.is_empty() {
        lines.push(Line::from(marked(
            &x.title,
            &x.title_marks,
            theme.title,
            &mark_style,
        )));
    }
    for paragraph in x.text.split('\n') {
        let start = paragraph.as_ptr() as usize - x.text.as_ptr() as usize;
        let end = start + paragraph.len();
        let marks: Vec<Mark> = x
            .text_marks
            .iter()
            .filter(|m| m.range.start >= start && m.range.end <= end)
            .map(|m| Mark {
                range: m.range.start - start..m.range.end - start,
                kind: m.kind,
            })
            .collect();
        lines.push(Line::from(marked(
            paragraph,
            &marks,
            theme.base,
            &mark_style,
        )));
    }
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

fn marked(
    text: &str,
    marks: &[Mark],
    base: Style,
    style: &dyn Fn(MarkKind) -> Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut at = 0;
    for m in marks {
        if m.range.start < at
            || m.range.end > text.len()
            || !text.is_char_boundary(m.range.start)
            || !text.is_char_boundary(m.range.end)
        {
            continue;
        }
        if m.range.start > at {
            spans.push(Span::styled(text[at..m.range.start].to_string(), base));
        }
        spans.push(Span::styled(
            text[m.range.clone()].to_string(),
            style(m.kind),
        ));
        at = m.range.end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_string(), base));
    }
    spans
}

/// The document's heaviest terms with bars.
fn doc_terms(x: &Inspection, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("document's top terms", theme.title)];
    let token_w = (width / 2).max(6);
    let bar_w = width.saturating_sub(token_w + 7).max(1);
    let max = x.doc_terms.first().map_or(1.0, |t| t.weight);
    for t in &x.doc_terms {
        let marker = if t.in_query {
            "◆"
        } else if t.kind == TermKind::Expansion {
            "+"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(
                marker,
                if t.in_query {
                    theme.relevant
                } else {
                    theme.term_expansion
                },
            ),
            Span::styled(pad(&t.token, token_w), kind_style(t.kind, theme)),
            Span::raw(" "),
        ];
        let bars = bar(t.weight, max, bar_w, theme.bar_other);
        let used: usize = bars.iter().map(|s| s.width()).sum();
        spans.extend(bars);
        spans.push(Span::raw(" ".repeat(bar_w - used.min(bar_w))));
        spans.push(Span::styled(format!(" {:.2}", t.weight), theme.dim));
        lines.push(clip(Line::from(spans), width));
    }
    lines.push(Line::styled("◆ in the query  + expansion", theme.dim));
    lines
}
