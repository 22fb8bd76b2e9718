//! A hit list of one system: rank, id, title, score, a stacked bar of the score's parts
//! (colour = SPLADE term or BM25 stem, fusion component; one grey bar for a dense or run
//! score, which has no parts), the hit's rank in the other list's system (↑ this list ranks
//! it higher, ↓ lower, `new`: not in the other list's top k) and, with term edits on, its
//! rank change against the unedited query.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::layout::{inner, scroll_offset, HIT_HEIGHT};
use super::super::state::{Focus, State};
use super::super::theme::Theme;
use super::widgets::{fit, one_line, stacked_bar};
use crate::engine::{Column, HitView, ListKind, QueryView, SPLADE};

/// Draws one of the two hit lists.
pub fn draw(frame: &mut Frame, area: Rect, view: &QueryView, state: &State, column: Column) {
    let theme = &state.theme;
    let (selected, focus) = match column {
        Column::Left => (state.left_selected, Focus::Left),
        Column::Right => (state.right_selected, Focus::Right),
    };
    let list = &view.lists[column.index()];
    let other = &view.lists[1 - column.index()].name;
    let (hits, name, matching) = (&list.hits, &list.name, list.matching);
    let focused = state.focus == focus;
    let marked = state.list == focus;
    let mut header = vec![
        Span::styled(
            format!("overlap@{} {}/{}", view.k, view.overlap, hits.len()),
            theme.title,
        ),
        Span::styled(format!(" · {matching} match"), theme.dim),
    ];
    if view.relevant.is_empty() {
        header.push(Span::styled(format!(" · ↑↓ vs {other}"), theme.dim));
    } else {
        let found = hits
            .iter()
            .filter(|h| h.grade.is_some_and(|g| g > 0))
            .count();
        let missed = view.relevant.len() - found;
        header.push(Span::styled(
            format!(" · ✓{found}/{}", view.relevant.len()),
            theme.relevant,
        ));
        // SPLADE's nDCG@10, and what it was before the edits.
        if let (SPLADE, Some(m)) = (list.system, &view.metrics) {
            let (now, before) = (m.edited.ndcg_cut_10, m.unedited.ndcg_cut_10);
            let mut text = format!(" nDCG {now:.3}");
            if !state.edits.is_empty() {
                text.push_str(&format!("←{before:.3}"));
            }
            header.push(Span::styled(text, theme.relevant));
        }
        if missed > 0 {
            header.push(Span::styled(
                format!(" missed {missed} (w)"),
                theme.rank_down,
            ));
        }
    }
    let header = Line::from(header);
    let empty = if list.has_query {
        "no document matches"
    } else {
        "this run has no results for this query (run systems need a judged query: open one from Evaluate)"
    };
    draw_list(
        frame,
        area,
        &format!(" {name} "),
        header,
        Hits {
            hits,
            kind: list.kind,
            empty,
        },
        view.k,
        selected,
        (focused, marked),
        state,
    );
}

/// A list's hits and how to show them.
pub struct Hits<'a> {
    pub hits: &'a [HitView],
    pub kind: ListKind,
    /// What an empty list says.
    pub empty: &'a str,
}

/// Draws a titled hit list with a header line (also used by the Compare view); `focus`
/// is whether the list has the focus and whether it shows its selection.
#[allow(clippy::too_many_arguments)]
pub fn draw_list(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    header: Line<'static>,
    list: Hits,
    k: usize,
    selected: usize,
    (focused, marked): (bool, bool),
    state: &State,
) {
    let hits = list.hits;
    let theme = &state.theme;
    frame.render_widget(
        super::widgets::pane(title.to_string(), focused, theme),
        area,
    );
    let body = inner(area);
    if body.height == 0 {
        return;
    }
    let mut lines = vec![header];
    if hits.is_empty() {
        lines.push(Line::styled(list.empty.to_string(), theme.dim));
    }
    let width = body.width as usize;
    let visible = (body.height.saturating_sub(1) / HIT_HEIGHT) as usize;
    let offset = scroll_offset(selected, visible);
    let top = hits.first().map_or(1.0, |h| h.score as f32);
    for (i, h) in hits.iter().enumerate().skip(offset).take(visible) {
        let is_sel = marked && i == selected;
        let (l1, l2) = hit_lines(h, i + 1, k, top, width, is_sel, list.kind, theme);
        let style = if is_sel && focused {
            theme.selected
        } else {
            Style::new()
        };
        lines.push(l1.style(style));
        lines.push(l2.style(style));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

#[allow(clippy::too_many_arguments)]
fn hit_lines(
    h: &HitView,
    rank: usize,
    k: usize,
    top: f32,
    width: usize,
    selected: bool,
    kind: ListKind,
    theme: &Theme,
) -> (Line<'static>, Line<'static>) {
    let mut first = vec![
        Span::styled(if selected { "▸" } else { " " }, theme.title),
        Span::styled(format!("{rank:>2} "), theme.dim),
    ];
    if let Some(g) = h.grade {
        if g > 0 {
            first.push(Span::styled(format!("✓{g} "), theme.relevant));
        }
    }
    first.push(Span::styled(format!("{} ", h.id), theme.key));
    let used: usize = first.iter().map(|s| s.width()).sum();
    let title = if h.title.is_empty() {
        one_line(&h.snippet)
    } else {
        h.title.clone()
    };
    first.push(Span::raw(fit(&title, width.saturating_sub(used))));

    let score = if kind.fine_scores() {
        format!("   {:>6.4} ", h.score)
    } else {
        format!("   {:>6.2} ", h.score)
    };
    let mut second = vec![Span::styled(score, theme.base)];
    second.push(other_rank(h.other_rank, rank, k, theme));
    if let Some(base) = h.base_rank {
        let d = base as i64 - rank as i64;
        let text = match d.cmp(&0) {
            std::cmp::Ordering::Greater => format!(" e↑{d}"),
            std::cmp::Ordering::Less => format!(" e↓{}", -d),
            std::cmp::Ordering::Equal => " e=".into(),
        };
        second.push(Span::styled(text, theme.rank_change(d)));
    }
    second.push(Span::raw(" "));
    let used: usize = second.iter().map(|s| s.width()).sum();
    let bar_width = width.saturating_sub(used);
    let parts: Vec<(f32, ratatui::style::Color)> = h
        .parts
        .iter()
        .map(|p| (p.value, theme.term_color(p.slot)))
        .collect();
    second.extend(stacked_bar(
        &parts,
        top / bar_width.max(1) as f32,
        bar_width,
    ));
    (Line::from(first), Line::from(second))
}

/// `↑3` (ranked 3 higher here than in the other list), `↓2`, `=`, or `new` (not in the
/// other list's top k).
pub fn other_rank(other: Option<usize>, rank: usize, k: usize, theme: &Theme) -> Span<'static> {
    match other {
        Some(o) if o <= k => {
            let d = o as i64 - rank as i64;
            let text = match d.cmp(&0) {
                std::cmp::Ordering::Greater => format!("↑{d:<2}"),
                std::cmp::Ordering::Less => format!("↓{:<2}", -d),
                std::cmp::Ordering::Equal => "=  ".into(),
            };
            Span::styled(text, theme.rank_change(d))
        }
        _ => Span::styled("new", theme.rank_new),
    }
}
