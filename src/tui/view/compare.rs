//! Compare checkpoints: the two models' expansions side by side with the differences
//! marked (only in A, only in B, weight up or down), both hit lists with rank changes, and
//! overlap@k and Kendall's τ. A is the query as searched in Explore: with term edits on,
//! everything here uses the edited A, and the titles say so.

use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::layout::{inner, Regions};
use super::super::state::{Focus, State};
use super::hits;
use super::widgets::{pad, pane};
use crate::engine::{CompareView, HitView, ListKind};

/// Draws the Compare view.
pub fn draw(frame: &mut Frame, r: &Regions, state: &State) {
    let theme = &state.theme;
    let Some(view) = &state.shown else {
        let msg = if state.query_text().trim().is_empty() {
            "Type a query to compare the two checkpoints."
        } else {
            "Searching…"
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, theme.dim)), inner(r.body));
        return;
    };
    let Some(c) = &view.compare else {
        frame.render_widget(
            Paragraph::new(Line::styled("running checkpoint B…", theme.dim)),
            inner(r.body),
        );
        return;
    };
    terms(frame, r.terms, c, state);
    let relevant = view.relevant.len();
    let mut header_a = vec![
        Span::styled(
            format!("overlap@{} {}/{}", view.k, c.overlap, c.hits_a.len()),
            theme.title,
        ),
        Span::styled(
            match c.kendall_tau {
                Some(t) => format!(" · τ {t:+.2}"),
                None => String::new(),
            },
            theme.dim,
        ),
        Span::styled(" · ↑↓ vs B", theme.dim),
    ];
    header_a.extend(found(&c.hits_a, relevant, state));
    let edited = if c.a_edited { "· edited " } else { "" };
    let a_title = format!(" A: {} {edited}", short(&c.model_a));
    let a_focused = state.focus == Focus::Left;
    let sparse = |hits| hits::Hits {
        hits,
        kind: ListKind::Sparse,
        empty: "no document matches",
    };
    hits::draw_list(
        frame,
        r.left,
        &a_title,
        Line::from(header_a),
        sparse(&c.hits_a),
        view.k,
        state.left_selected,
        (a_focused, a_focused),
        state,
    );
    let mut header_b = vec![
        Span::styled(
            format!(
                "encode {} · search {}",
                super::widgets::duration(c.encode_b),
                super::widgets::duration(c.search_b)
            ),
            theme.dim,
        ),
        Span::styled(" · ↑↓ vs A", theme.dim),
    ];
    header_b.extend(found(&c.hits_b, relevant, state));
    let b_title = format!(" B: {} ", short(&c.model_b));
    let b_focused = state.focus == Focus::HitsB;
    hits::draw_list(
        frame,
        r.hits_b,
        &b_title,
        Line::from(header_b),
        sparse(&c.hits_b),
        view.k,
        state.b_selected,
        (b_focused, b_focused),
        state,
    );
}

/// `· ✓found/relevant` for a judged query.
fn found(hits: &[HitView], relevant: usize, state: &State) -> Option<Span<'static>> {
    let n = hits
        .iter()
        .filter(|h| h.grade.is_some_and(|g| g > 0))
        .count();
    (relevant > 0).then(|| Span::styled(format!(" · ✓{n}/{relevant}"), state.theme.relevant))
}

/// The last path component of a model id.
fn short(model: &str) -> &str {
    model
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(model)
}

fn terms(frame: &mut Frame, area: ratatui::layout::Rect, c: &CompareView, state: &State) {
    let theme = &state.theme;
    let title = if c.a_edited {
        " Expansion A (edited) → B "
    } else {
        " Expansion A → B "
    };
    frame.render_widget(pane(title, false, theme), area);
    let body = inner(area);
    let token_w = (body.width as usize).saturating_sub(14).max(6);
    let only_a = c.terms.iter().filter(|t| t.b == 0.0).count();
    let only_b = c.terms.iter().filter(|t| t.a == 0.0).count();
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{only_a} only A"), theme.rank_down),
        Span::styled(" · ", theme.dim),
        Span::styled(format!("{only_b} only B"), theme.rank_new),
    ])];
    for t in c.terms.iter().take(body.height.saturating_sub(1) as usize) {
        let (mark, style) = if t.a == 0.0 {
            ("+", theme.rank_new)
        } else if t.b == 0.0 {
            ("−", theme.rank_down)
        } else if t.b > t.a + 0.05 {
            ("▲", theme.rank_up)
        } else if t.b < t.a - 0.05 {
            ("▼", theme.rank_down)
        } else {
            ("=", theme.rank_same)
        };
        let num = |w: f32| {
            if w > 0.0 {
                format!("{w:>4.2}")
            } else {
                "  · ".into()
            }
        };
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::raw(" "),
            Span::styled(pad(&t.token, token_w), theme.base),
            Span::styled(num(t.a), theme.dim),
            Span::raw(" "),
            Span::styled(num(t.b), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), body);
}
