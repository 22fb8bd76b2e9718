//! The Index view: the numbers of `spladescope stats` with charts — non-zeros per
//! document, the longest posting lists of SPLADE and BM25, and bytes per part.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::layout::inner;
use super::super::state::State;
use super::widgets::{bar, pad, pane};
use crate::index::stats::{IndexStats, Posting};

/// Draws the Index view.
pub fn draw(frame: &mut Frame, area: Rect, s: &IndexStats, state: &State) {
    let theme = &state.theme;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Min(0)]).areas(area);
    let [numbers, histogram] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Min(0)]).areas(top);
    let [postings, bytes] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Min(0)]).areas(bottom);

    let d = &s.nonzeros_per_document;
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<11}"), theme.dim),
            Span::raw(value),
        ])
    };
    let lines = vec![
        field("documents", s.documents.to_string()),
        field("model", s.model.clone()),
        field(
            "max length",
            format!(
                "{} tokens · {} docs cut",
                s.max_length, s.truncated_documents
            ),
        ),
        field(
            "SPLADE",
            format!(
                "{} postings · {} terms · {:.2} B/p",
                s.splade_postings, s.splade_terms, s.splade_bytes_per_posting
            ),
        ),
        field(
            "nnz/doc",
            format!("mean {:.1} · median {} · max {}", d.mean, d.p50, d.max),
        ),
        field("", format!("p10 {} · p90 {} · p99 {}", d.p10, d.p90, d.p99)),
        field(
            "BM25",
            format!(
                "{} postings · {} terms · {:.2} B/p",
                s.bm25_postings, s.bm25_terms, s.bm25_bytes_per_posting
            ),
        ),
        field(
            "avg length",
            format!("{:.1} analyzed terms", s.bm25_avg_document_length),
        ),
    ];
    frame.render_widget(pane(" Index ", false, theme), numbers);
    frame.render_widget(Paragraph::new(lines), inner(numbers));

    frame.render_widget(pane(" Non-zeros per document ", false, theme), histogram);
    let body = inner(histogram);
    let max = s
        .nonzeros_histogram
        .iter()
        .map(|b| b.documents)
        .max()
        .unwrap_or(1) as f32;
    let bar_w = (body.width as usize).saturating_sub(20).max(1);
    let lines: Vec<Line> = s
        .nonzeros_histogram
        .iter()
        .map(|b| {
            let mut spans = vec![Span::styled(
                format!("{:>5}–{:<5}", b.start, b.end),
                theme.dim,
            )];
            spans.extend(bar(b.documents as f32, max, bar_w, theme.term_colors[0]));
            spans.push(Span::raw(format!(" {}", b.documents)));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);

    frame.render_widget(
        pane(" Longest posting lists: SPLADE | BM25 ", false, theme),
        postings,
    );
    let body = inner(postings);
    let [left, right] = Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)])
        .spacing(1)
        .areas(body);
    frame.render_widget(
        Paragraph::new(posting_lines(
            &s.splade_longest,
            left.width as usize,
            s.documents,
            state,
        )),
        left,
    );
    frame.render_widget(
        Paragraph::new(posting_lines(
            &s.bm25_longest,
            right.width as usize,
            s.documents,
            state,
        )),
        right,
    );

    frame.render_widget(pane(" Bytes on disk ", false, theme), bytes);
    let body = inner(bytes);
    let bar_w = (body.width as usize).saturating_sub(25).max(1);
    let mut lines: Vec<Line> = s
        .files
        .iter()
        .map(|f| {
            let mut spans = vec![Span::styled(pad(f.file, 12), theme.key)];
            spans.push(Span::raw(format!("{:>10} ", human(f.bytes))));
            spans.extend(bar(
                f.bytes as f32,
                s.total_bytes as f32,
                bar_w,
                theme.term_colors[2],
            ));
            Line::from(spans)
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(pad("total", 12), theme.title),
        Span::raw(format!("{:>10}", human(s.total_bytes))),
    ]));
    frame.render_widget(Paragraph::new(lines), body);
}

fn posting_lines(
    list: &[Posting],
    width: usize,
    documents: usize,
    state: &State,
) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let token_w = (width / 3).max(5);
    let bar_w = width.saturating_sub(token_w + 7).max(1);
    list.iter()
        .map(|p| {
            let mut spans = vec![
                Span::styled(pad(&p.term, token_w), theme.base),
                Span::raw(" "),
            ];
            spans.extend(bar(
                p.documents as f32,
                documents.max(1) as f32,
                bar_w,
                theme.term_colors[4],
            ));
            let used: usize = spans.iter().map(|s| s.width()).sum();
            spans.push(Span::raw(
                " ".repeat((token_w + 1 + bar_w).saturating_sub(used)),
            ));
            spans.push(Span::styled(format!("{:>6}", p.documents), theme.dim));
            Line::from(spans)
        })
        .collect()
}

/// Bytes as `812 B`, `12.3 KB`, `4.5 MB`.
fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}
