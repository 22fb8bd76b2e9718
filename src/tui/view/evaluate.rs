//! The Evaluate view: per-query nDCG@10 of every loaded system and the deltas against the
//! baseline system (SPLADE until `b` picks another), sortable by any column; below, the
//! mean of every measure, each SPLADE system's cost of sparsity, and the baseline's paired
//! tests against each other system.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::layout::{inner, scroll_offset};
use super::super::state::{EvalColumn, State};
use super::widgets::{bar, fit, pad, pane};
use crate::engine::EvalTable;
use crate::eval::Metric;

/// Column titles: id, query, one per system, one delta per system other than the
/// baseline.
pub fn columns(table: &EvalTable, baseline: usize) -> Vec<String> {
    let mut c = vec!["query id".to_string(), "query".to_string()];
    c.extend(table.systems.iter().cloned());
    c.extend(
        others(table, baseline)
            .map(|i| format!("Δ {}", table.systems[i].trim_start_matches("SPLADE-"))),
    );
    c
}

/// The systems other than the baseline, in order.
fn others(table: &EvalTable, baseline: usize) -> impl Iterator<Item = usize> {
    (0..table.systems.len()).filter(move |&i| i != baseline)
}

/// The table pane and the summary pane.
fn split(area: Rect, table: &EvalTable) -> [Rect; 2] {
    let tests = table.systems.len().saturating_sub(1) as u16;
    let costs = table.costs.iter().flatten().count() as u16;
    let summary_height = 3
        + table.systems.len() as u16
        + tests
        + u16::from(tests > 0)
        + costs
        + u16::from(costs > 0)
        + table.notes.len() as u16;
    Layout::vertical([Constraint::Min(0), Constraint::Length(summary_height)]).areas(area)
}

/// Where the table's data rows are (below its header and rule), for mouse clicks.
pub fn rows_area(area: Rect, table: &EvalTable) -> Rect {
    let body = inner(split(area, table)[0]);
    Rect::new(
        body.x,
        body.y + 2,
        body.width,
        body.height.saturating_sub(2),
    )
}

/// Draws the Evaluate view.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let e = &state.eval;
    let Some(table) = &e.table else {
        let block = pane(" Evaluate ", true, theme);
        let body = inner(area);
        frame.render_widget(block, area);
        let line = if let Some(err) = &e.error {
            Line::styled(format!("evaluation failed: {err}"), theme.error)
        } else if let Some((done, total)) = e.progress {
            let mut spans = vec![Span::styled(
                format!("evaluating {done}/{total} runs of queries  "),
                theme.dim,
            )];
            spans.extend(bar(
                done as f32,
                total.max(1) as f32,
                30,
                theme.term_colors[0],
            ));
            Line::from(spans)
        } else {
            Line::styled("evaluating…", theme.dim)
        };
        frame.render_widget(Paragraph::new(line), body);
        return;
    };
    let [top, bottom] = split(area, table);
    let baseline = e.baseline.min(table.systems.len().saturating_sub(1));
    let mut title = format!(" Evaluate · {} ", table.title);
    if table.systems.len() > 2 || baseline != 0 {
        title.push_str(&format!("· Δ vs {} (b) ", table.systems[baseline]));
    }
    if let (Some(edits), true) = (
        &e.what_if_words,
        table.systems.iter().any(|s| s == "what-if"),
    ) {
        title.push_str(&format!("· what-if: {edits} "));
    }
    frame.render_widget(pane(title, true, theme), top);
    let body = inner(top);
    let cols = columns(table, baseline);
    let n_num = cols.len() - 2;
    let id_w = table
        .rows
        .iter()
        .map(|r| r.qid.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 14);
    // Nine columns per number, down to seven when many systems share a narrow screen.
    let num_w = ((body.width as usize).saturating_sub(id_w + 2 + 8) / n_num.max(1)).clamp(7, 9);
    let text_w = (body.width as usize)
        .saturating_sub(id_w + 2 + n_num * num_w)
        .max(8);
    let arrow = |c: usize| {
        if EvalColumn::all(table.systems.len(), baseline).get(c) == Some(&e.sort) {
            if e.descending {
                "▼"
            } else {
                "▲"
            }
        } else {
            ""
        }
    };
    let mut header = vec![
        Span::styled(
            pad(&format!("{}{}", cols[0], arrow(0)), id_w + 1),
            theme.title,
        ),
        Span::styled(
            pad(&format!("{}{}", cols[1], arrow(1)), text_w + 1),
            theme.title,
        ),
    ];
    for (c, name) in cols.iter().enumerate().skip(2) {
        // Long system names are cut so that columns never run together.
        let title = fit(&format!("{name}{}", arrow(c)), num_w - 1);
        header.push(Span::styled(format!("{title:>w$}", w = num_w), theme.title));
    }
    let mut lines = vec![
        Line::from(header),
        Line::styled("─".repeat(body.width as usize), theme.border),
    ];
    let order = e.sorted_rows(table);
    let visible = body.height.saturating_sub(2) as usize;
    let offset = scroll_offset(e.selected, visible);
    for (pos, &i) in order.iter().enumerate().skip(offset).take(visible) {
        let r = &table.rows[i];
        let mut spans = vec![
            Span::styled(pad(&r.qid, id_w + 1), theme.key),
            Span::raw(pad(&r.text, text_w + 1)),
        ];
        for v in &r.ndcg {
            spans.push(Span::raw(format!("{v:>w$.4}", w = num_w)));
        }
        for other in others(table, baseline) {
            let d = r.ndcg[baseline] - r.ndcg[other];
            let style = if d > 1e-12 {
                theme.rank_up
            } else if d < -1e-12 {
                theme.rank_down
            } else {
                theme.rank_same
            };
            spans.push(Span::styled(format!("{d:>+w$.4}", w = num_w), style));
        }
        let mut line = Line::from(spans);
        if pos == e.selected {
            line = line.style(theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), body);
    summary(frame, bottom, table, baseline, state);
}

fn summary(frame: &mut Frame, area: Rect, table: &EvalTable, baseline: usize, state: &State) {
    let theme = &state.theme;
    frame.render_widget(
        pane(" Summary (trec_eval, all judged queries) ", false, theme),
        area,
    );
    let body = inner(area);
    let metrics = Metric::ALL;
    // Names as wide as the longest (up to 24 columns) where the six measures leave room.
    let name_w = table
        .systems
        .iter()
        .map(|n| n.chars().count() + 4)
        .max()
        .unwrap_or(12)
        .min(24)
        .min((body.width as usize).saturating_sub(6 * 11))
        .max(12);
    let mut head = vec![Span::styled(pad("system", name_w), theme.title)];
    for m in metrics {
        head.push(Span::styled(format!("{:>11}", m.name()), theme.title));
    }
    let mut lines = vec![Line::from(head)];
    for (name, means) in table.systems.iter().zip(&table.means) {
        let mut spans = vec![Span::styled(pad(name, name_w), theme.key)];
        for m in metrics {
            spans.push(Span::raw(format!("{:>11.4}", means.get(m))));
        }
        lines.push(Line::from(spans));
    }
    // The SPLADE systems' cost of sparsity, in the same columns.
    if table.costs.iter().any(Option::is_some) {
        let mut head = vec![Span::styled(pad("cost", name_w), theme.title)];
        for h in [
            "query nnz",
            "postings/q",
            "FLOPS",
            "ms/query",
            "doc nnz",
            "SPLADE MiB",
        ] {
            head.push(Span::styled(format!("{h:>11}"), theme.title));
        }
        lines.push(Line::from(head));
    }
    for (name, cost) in table.systems.iter().zip(&table.costs) {
        let Some(c) = cost else { continue };
        lines.push(Line::from(vec![
            Span::styled(pad(name, name_w), theme.key),
            Span::raw(format!(
                "{:>11.1}{:>11.0}{:>11.3}{:>11.3}{:>11.1}{:>11.1}",
                c.query_nonzeros,
                c.postings_touched,
                c.flops,
                c.search_ms,
                c.doc_nonzeros,
                c.splade_bytes as f64 / (1u64 << 20) as f64
            )),
        ]));
    }
    // The baseline's paired tests, in the same columns as the means (they fit 80 columns).
    if table.systems.len() > 1 {
        let title = format!("{} vs", table.systems[baseline]);
        let mut head = vec![Span::styled(pad(&title, name_w), theme.title)];
        for h in ["ΔnDCG@10", "W/T/L", "t-test p", "rand. p"] {
            head.push(Span::styled(format!("{h:>11}"), theme.title));
        }
        lines.push(Line::from(head));
    }
    let tests = others(table, baseline).filter_map(|i| {
        let c = table.comparisons.get(baseline)?.get(i)?.as_ref()?;
        Some((c, &table.systems[i]))
    });
    for (c, other) in tests {
        let wtl = &c.win_tie_loss;
        let t = c
            .t_test
            .as_ref()
            .map_or("–".to_string(), |t| format!("{:.4}", t.p_value));
        let rnd = c
            .randomization
            .as_ref()
            .map_or("–".to_string(), |r| format!("{:.4}", r.p_value));
        let style = if c.mean_diff >= 0.0 {
            theme.rank_up
        } else {
            theme.rank_down
        };
        let wtl = format!("{}/{}/{}", wtl.wins, wtl.ties, wtl.losses);
        lines.push(Line::from(vec![
            Span::styled(pad(other, name_w), theme.key),
            Span::styled(format!("{:>+11.4}", c.mean_diff), style),
            Span::raw(format!("{wtl:>11}{t:>11}{rnd:>11}")),
        ]));
    }
    for note in &table.notes {
        lines.push(Line::styled(format!("note: {note}"), theme.warning));
    }
    frame.render_widget(Paragraph::new(lines), body);
}
