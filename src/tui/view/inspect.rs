//! The inspector: why the selected (or any "why not?") document has its scores in the
//! systems of both lists — SPLADE's contribution table (query weight × document weight =
//! contribution, share) and the query terms it lacks, BM25's tf/idf parts, a fusion's
//! components (rank, score, normalised score, weight, share), a dense or run score with why
//! it has no parts — then its text with the words SPLADE and BM25 match highlighted, and its
//! own heaviest terms.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::super::layout::{inner, roomy};
use super::super::state::{Focus, State};
use super::super::theme::Theme;
use super::widgets::{bar, fit, items_line, pad, pane};
use crate::display::visible;
use crate::encoder::TermKind;
use crate::engine::{Inspection, Mark, MarkKind, QueryView};
use crate::profile::ProfileExplanation;
use crate::search::what_if::DocEdits;
use crate::search::{Bm25Explanation, RankInfo, SpladeExplanation};
use crate::system::{Explanation, FusionExplanation, Position};

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
        Paragraph::new(tables_lines(
            x,
            state.list == Focus::Right,
            tables.width as usize,
            theme,
        ))
        .scroll(scroll),
        tables,
    );
    let selected = state.doc_term.filter(|&i| i < x.doc_terms.len());
    frame.render_widget(doc_text(x, selected, theme).scroll(scroll), text);
    frame.render_widget(
        Paragraph::new(doc_terms(
            x,
            selected,
            &state.doc_edits,
            terms.width as usize,
            theme,
        )),
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

fn position_text(name: &str, p: &Position) -> String {
    match (p.rank, p.score) {
        (Some(rank), Some(score)) if rank <= p.k => format!("{name} #{rank} {score:.4}"),
        (Some(rank), Some(score)) => format!(
            "{name} #{rank} {score:.4}, {:.4} below #{}",
            p.gap.unwrap_or(0.0),
            p.k
        ),
        _ => format!("{name}: not among its hits"),
    }
}

/// The document's rank and score in one column's system, and whether it is in the top k.
fn column_rank(name: &str, e: &Explanation) -> (String, bool) {
    let top = |rank: Option<usize>, k: usize| rank.is_some_and(|r| r <= k);
    match e {
        Explanation::Splade(x) => (rank_text(name, &x.rank), top(x.rank.rank, x.rank.k)),
        Explanation::Profile(x) => (rank_text(name, &x.rank), top(x.rank.rank, x.rank.k)),
        Explanation::Bm25(x) => (rank_text(name, &x.rank), top(x.rank.rank, x.rank.k)),
        Explanation::Dense(x) | Explanation::Run(x) => (
            position_text(name, &x.position),
            top(x.position.rank, x.position.k),
        ),
        Explanation::Fusion(x) => (
            position_text(name, &x.position),
            top(x.position.rank, x.position.k),
        ),
        Explanation::NotIndexed { why, .. } => (format!("{name}: {why}"), false),
    }
}

fn rank_summary(x: &Inspection, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (name, e)) in x.columns.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim));
        }
        let (text, in_top) = column_rank(name, e);
        spans.push(Span::styled(
            text,
            if in_top {
                theme.rank_up
            } else {
                theme.rank_down
            },
        ));
    }
    Line::from(spans)
}

fn kind_style(kind: TermKind, theme: &Theme) -> Style {
    match kind {
        TermKind::Input => theme.term_input,
        TermKind::Expansion => theme.term_expansion,
    }
}

/// Both columns' explanations, one after the other: the list the hit was picked from
/// first (`right_first`), so that its explanation is in view.
fn tables_lines(
    x: &Inspection,
    right_first: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let token_w = width.saturating_sub(26).clamp(6, 16);
    let mut lines = Vec::new();
    let mut columns: Vec<_> = x.columns.iter().collect();
    if right_first {
        columns.reverse();
    }
    for (i, (name, e)) in columns.into_iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        match e {
            Explanation::Splade(e) => splade_table(&mut lines, name, e, x, token_w, width, theme),
            Explanation::Bm25(e) => bm25_table(&mut lines, name, e, token_w, width, theme),
            Explanation::Profile(e) => profile_table(&mut lines, name, e, x, token_w, width, theme),
            Explanation::Dense(e) | Explanation::Run(e) => {
                lines.push(Line::styled(
                    format!("{name}: score {}", score_text(e.position.score)),
                    theme.title,
                ));
                lines.push(Line::styled(e.note.to_string(), theme.dim));
            }
            Explanation::Fusion(e) => fusion_table(&mut lines, name, e, width, theme),
            Explanation::NotIndexed { why, .. } => {
                lines.push(Line::styled(format!("{name}: {why}"), theme.warning));
            }
        }
    }
    lines.into_iter().map(|l| clip(l, width)).collect()
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("–".into(), |s| format!("{s:.4}"))
}

/// SPLADE: query weight × document weight = part, share; the query terms it lacks.
#[allow(clippy::too_many_arguments)]
fn splade_table(
    lines: &mut Vec<Line<'static>>,
    name: &str,
    e: &SpladeExplanation,
    x: &Inspection,
    token_w: usize,
    width: usize,
    theme: &Theme,
) {
    // Row: chip, token, then 26 columns of numbers; the document word that produced the
    // term (when known) where it fits.
    let row_w = token_w + 27;
    let words_fit = width >= row_w + 8;
    let doc_words = words_fit && e.terms.iter().any(|t| t.doc_source.is_some());
    lines.push(Line::from(vec![
        Span::styled(pad(&format!("{name} term"), token_w + 1), theme.title),
        Span::styled(" q  ×  d   =  part  share", theme.dim),
        Span::styled(if doc_words { "  ← doc word" } else { "" }, theme.dim),
    ]));
    for t in &e.terms {
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
            Span::styled(
                t.doc_source
                    .as_ref()
                    .filter(|_| doc_words)
                    .and_then(|s| s.other_word(&t.token))
                    .map(|w| fit(&format!("  ← {}", visible(w)), width - row_w))
                    .unwrap_or_default(),
                theme.dim,
            ),
        ]));
    }
    if e.terms.is_empty() {
        lines.push(Line::styled("no query term in this document", theme.dim));
    }
    lines.push(Line::from(Span::styled(
        format!("{:>w$}", format!("score {:.2}", e.score), w = token_w + 26),
        theme.title,
    )));
    if !e.missing.is_empty() {
        let items = e.missing.iter().map(|m| {
            vec![
                Span::styled(m.token.clone(), kind_style(m.query_kind, theme)),
                Span::styled(format!(" {:.2}  ", m.query_weight), theme.dim),
            ]
        });
        let lacks = Span::styled("lacks ", theme.warning);
        lines.push(items_line(lacks, items.collect(), width));
    }
    // The score by the query word that produced each term.
    if e.by_query_word.len() > 1 {
        lines.push(Line::styled("by query word", theme.title));
        for g in &e.by_query_word {
            let word = g.word.as_deref().unwrap_or("(edited in)");
            lines.push(clip(
                Line::from(vec![
                    Span::styled(pad(&visible(word), token_w + 1), theme.base),
                    Span::raw(format!(
                        "{:>6.2} {:>3.0}%  ",
                        g.contribution,
                        g.share * 100.0
                    )),
                    Span::styled(g.terms.join(" "), theme.dim),
                ]),
                width,
            ));
        }
    }
}

/// An engine profile: each shared term's exact part, the engine's part and the difference;
/// the tokens the engine drops.
#[allow(clippy::too_many_arguments)]
fn profile_table(
    lines: &mut Vec<Line<'static>>,
    name: &str,
    e: &ProfileExplanation,
    x: &Inspection,
    token_w: usize,
    width: usize,
    theme: &Theme,
) {
    lines.push(Line::from(vec![
        Span::styled(pad(&format!("{name} term"), token_w + 1), theme.title),
        Span::styled("  exact  engine       Δ", theme.dim),
    ]));
    for t in &e.terms {
        let chip = Span::styled(
            "■",
            Style::new().fg(theme.term_color(x.slots.get(&t.id).copied())),
        );
        let engine = match t.engine_note(e.rescored) {
            Some(note) => format!("{note:>7}"),
            None => format!("{:>7.4}", t.engine),
        };
        let changed = t.difference != 0.0;
        lines.push(Line::from(vec![
            chip,
            Span::styled(pad(&t.token, token_w), theme.base),
            Span::raw(format!(" {:>7.4} {engine}", t.exact)),
            Span::styled(
                format!(" {:>+8.4}", t.difference),
                if changed { theme.warning } else { theme.dim },
            ),
        ]));
    }
    if e.terms.is_empty() {
        lines.push(Line::styled("no query term in this document", theme.dim));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{:>w$}",
            format!(
                "score {:.4} {:.4} {:+.4}",
                e.exact_score, e.score, e.difference
            ),
            w = token_w + 25
        ),
        theme.title,
    )));
    if let Some(rescored) = e.rescored {
        lines.push(Line::styled(
            if rescored {
                "in the rescored window: light tokens added in phase 2"
            } else {
                "outside the rescored window: phase-1 tokens only"
            },
            theme.dim,
        ));
    }
    if !e.dropped.is_empty() {
        let items = e.dropped.iter().map(|m| {
            vec![
                Span::styled(m.token.clone(), theme.base),
                Span::styled(format!(" {:.2}  ", m.query_weight), theme.dim),
            ]
        });
        let drops = Span::styled("drops ", theme.warning);
        lines.push(items_line(drops, items.collect(), width));
    }
}

/// BM25: tf, idf, the tf part and each term's score; the analysed terms it lacks.
fn bm25_table(
    lines: &mut Vec<Line<'static>>,
    name: &str,
    e: &Bm25Explanation,
    token_w: usize,
    width: usize,
    theme: &Theme,
) {
    lines.push(Line::from(vec![
        Span::styled(pad(&format!("{name} term"), token_w + 1), theme.title),
        Span::styled("tf  idf   tf-part  part share", theme.dim),
    ]));
    for t in &e.terms {
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
    if e.terms.is_empty() {
        lines.push(Line::styled(
            "no analyzed query term in this document",
            theme.dim,
        ));
    }
    if !e.missing.is_empty() {
        let items = e
            .missing
            .iter()
            .map(|m| vec![Span::styled(format!("{} ", m.term), theme.term_input)]);
        let lacks = Span::styled("lacks ", theme.warning);
        lines.push(items_line(lacks, items.collect(), width));
    }
}

/// A fusion: each component's rank, score, normalised score, weight, contribution and
/// share; the contributions add up to the fused score.
fn fusion_table(
    lines: &mut Vec<Line<'static>>,
    name: &str,
    e: &FusionExplanation,
    width: usize,
    theme: &Theme,
) {
    let sys_w = width.saturating_sub(40).clamp(6, 12);
    lines.push(Line::from(vec![
        Span::styled(pad(name, sys_w + 1), theme.title),
        Span::styled(" rank  score  norm  ×w   = part  share", theme.dim),
    ]));
    for (i, p) in e.parts.iter().enumerate() {
        let rank = p.rank.map_or("–".into(), |r| format!("#{r}"));
        let norm = p.normalized.map_or("  –  ".into(), |n| format!("{n:.3}"));
        lines.push(Line::from(vec![
            Span::styled("■", Style::new().fg(theme.term_color(Some(i)))),
            Span::styled(pad(&p.system, sys_w), theme.term_input),
            Span::raw(format!(
                " {rank:>5} {:>6} {norm:>5} ×{:<4.2}={:>7.4} {:>4.0}%",
                p.score.map_or("–".into(), |s| format!("{s:.2}")),
                p.weight,
                p.contribution,
                p.share * 100.0
            )),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!("fused score {}", score_text(e.position.score)),
        theme.title,
    )));
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

/// Title and text with matched words highlighted, and the source word of the selected
/// document term (`selected`, an index into its top terms) lit up over them.
fn doc_text(x: &Inspection, selected: Option<usize>, theme: &Theme) -> Paragraph<'static> {
    let mark_style = |k: MarkKind| match k {
        MarkKind::Both => theme.highlight_both,
        MarkKind::Splade => theme.highlight_splade,
        MarkKind::Bm25 => theme.highlight_bm25,
        MarkKind::Source => theme.highlight_source,
    };
    let source = selected.and_then(|i| x.doc_terms[i].source_range.as_ref());
    let with_source = |marks: &[Mark], in_title: bool| -> Vec<Mark> {
        match source.filter(|s| s.in_title == in_title) {
            Some(s) => {
                let mut out: Vec<Mark> = marks
                    .iter()
                    .filter(|m| m.range.end <= s.range.start || m.range.start >= s.range.end)
                    .cloned()
                    .collect();
                out.push(Mark {
                    range: s.range.clone(),
                    kind: MarkKind::Source,
                });
                out.sort_by_key(|m| m.range.start);
                out
            }
            None => marks.to_vec(),
        }
    };
    let title_marks = with_source(&x.title_marks, true);
    let text_marks = with_source(&x.text_marks, false);
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
            &title_marks,
            theme.title,
            &mark_style,
        )));
    }
    for paragraph in x.text.split('\n') {
        let start = paragraph.as_ptr() as usize - x.text.as_ptr() as usize;
        let end = start + paragraph.len();
        let marks: Vec<Mark> = text_marks
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

/// The document's heaviest terms with bars; the `selected` one highlighted.
fn doc_terms(
    x: &Inspection,
    selected: Option<usize>,
    edits: &DocEdits,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("document's top terms", theme.title)];
    if let Some(t) = selected.map(|i| &x.doc_terms[i]) {
        let note = match (&t.source, &t.source_range) {
            (Some(s), Some(_)) => format!("{} ← {} (lit)", t.token, visible(&s.word)),
            (Some(s), None) => {
                format!("{} ← {} (past the text shown)", t.token, visible(&s.word))
            }
            (None, _) => format!("{}: source unknown", t.token),
        };
        lines.push(clip(Line::styled(note, theme.key), width));
    }
    let token_w = (width / 2).max(6);
    let bar_w = width.saturating_sub(token_w + 7).max(1);
    let max = x.doc_terms.first().map_or(1.0, |t| t.weight);
    for (i, t) in x.doc_terms.iter().enumerate() {
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
            Span::styled(
                pad(&t.token, token_w),
                if edits.scales.contains_key(&t.id) {
                    theme.term_off
                } else {
                    kind_style(t.kind, theme)
                },
            ),
            Span::raw(" "),
        ];
        // The word that produced the term, where it is not the term itself; else a bar.
        match t.source.as_ref().and_then(|s| s.other_word(&t.token)) {
            Some(word) => spans.push(Span::styled(
                pad(&format!("← {}", visible(word)), bar_w),
                theme.dim,
            )),
            None => {
                let bars = bar(t.weight, max, bar_w, theme.bar_other);
                let used: usize = bars.iter().map(|s| s.width()).sum();
                spans.extend(bars);
                spans.push(Span::raw(" ".repeat(bar_w - used.min(bar_w))));
            }
        }
        spans.push(Span::styled(format!(" {:.2}", t.weight), theme.dim));
        let mut line = clip(Line::from(spans), width);
        if selected == Some(i) {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    lines.push(Line::styled("◆ in the query  + expansion", theme.dim));
    if let Some(Err(why)) = &x.doc_sources {
        lines.push(Line::styled(format!("no sources: {why}"), theme.dim));
    }
    lines
}
