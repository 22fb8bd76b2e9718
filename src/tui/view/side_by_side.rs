//! Two SPLADE explanations side by side ([`crate::search::compare`]): one document under
//! checkpoint A and B ("why did it move?"), or two documents for the query ("why does this
//! one win?"). Per term: each side's query weight × document weight = contribution, the
//! difference, and the document word behind each side's weight; largest change first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::super::layout::inner;
use super::super::state::State;
use super::help::centered;
use super::widgets::{fit, pad, pane};
use crate::display::visible;
use crate::engine::SideBySide;
use crate::search::{RankInfo, SpladeComparison};

/// Draws the overlay.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let popup = centered(
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, popup);
    let (title, names) = match &state.side_by_side {
        Some(SideBySide::Checkpoints(id)) => (
            format!(
                " Why {} moved · checkpoint A → B · Esc closes ",
                visible(id)
            ),
            ["A".to_string(), "B".to_string()],
        ),
        Some(SideBySide::Documents(a, b)) => (
            format!(
                " {} vs {} · SPLADE, the query as edited · Esc closes ",
                visible(a),
                visible(b)
            ),
            [visible(a).into_owned(), visible(b).into_owned()],
        ),
        None => (" Side by side ".to_string(), [String::new(), String::new()]),
    };
    frame.render_widget(pane(title, true, theme).style(theme.base), popup);
    let body = inner(popup);
    let lines = match state.shown.as_ref().and_then(|s| s.side_by_side.as_ref()) {
        Some(Ok(c)) => table(c, &names, body.width as usize, state),
        Some(Err(e)) => vec![Line::styled(e.clone(), theme.error)],
        None => vec![Line::styled("explaining both…", theme.dim)],
    };
    frame.render_widget(
        Paragraph::new(lines).scroll((state.side_by_side_scroll, 0)),
        body,
    );
}

fn table(
    c: &SpladeComparison,
    [a, b]: &[String; 2],
    width: usize,
    state: &State,
) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let rank = |r: &RankInfo| r.rank.map_or("not ranked".to_string(), |n| format!("#{n}"));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{a} "), theme.title),
            Span::raw(format!("{} · score {:.4}", rank(&c.a.rank), c.a.score)),
            Span::styled(format!("   {b} "), theme.title),
            Span::raw(format!("{} · score {:.4}", rank(&c.b.rank), c.b.score)),
            Span::styled(
                format!("   Δ {:+.4}", c.score_delta),
                delta_style(c.score_delta, state),
            ),
        ]),
        Line::raw(""),
    ];
    let side_w = 22;
    let word_w = width.saturating_sub(16 + 2 * side_w + 10 + 4) / 2;
    lines.push(Line::styled(
        format!(
            "{} {} {} {:>9}  {} {}",
            pad("term", 16),
            pad(&fit(&format!("{a}: q × d = part"), side_w), side_w),
            pad(&fit(&format!("{b}: q × d = part"), side_w), side_w),
            "Δ",
            pad(&fit(&format!("word ({a})"), word_w), word_w),
            fit(&format!("word ({b})"), word_w),
        ),
        theme.title,
    ));
    for t in &c.terms {
        lines.push(Line::from(vec![
            Span::raw(pad(&fit(&visible(&t.token), 16), 16)),
            Span::raw(" "),
            Span::raw(pad(&t.a.product(), side_w)),
            Span::raw(" "),
            Span::raw(pad(&t.b.product(), side_w)),
            Span::styled(format!(" {:>+9.4}", t.delta), delta_style(t.delta, state)),
            Span::raw("  "),
            Span::styled(pad(&fit(&t.a.word(&t.token), word_w), word_w), theme.dim),
            Span::raw(" "),
            Span::styled(fit(&t.b.word(&t.token), word_w), theme.dim),
        ]));
    }
    if c.terms.is_empty() {
        lines.push(Line::styled("no query term matches either side", theme.dim));
    }
    lines
}

fn delta_style(d: f32, state: &State) -> ratatui::style::Style {
    let theme = &state.theme;
    if d > 0.0 {
        theme.rank_up
    } else if d < 0.0 {
        theme.rank_down
    } else {
        theme.rank_same
    }
}
