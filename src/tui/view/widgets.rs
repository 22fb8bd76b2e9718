//! Small drawing helpers shared by the views: stacked bars in eighth blocks, panes, text
//! fitted to a width.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};
use unicode_width::UnicodeWidthStr;

use super::super::theme::Theme;

const EIGHTHS: [&str; 8] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// A horizontal stacked bar: each `(value, colour)` part takes `value / per_cell` cells,
/// drawn in eighth blocks; a cell shared by parts takes the colour covering most of it.
pub fn stacked_bar(parts: &[(f32, Color)], per_cell: f32, width: usize) -> Vec<Span<'static>> {
    if per_cell <= 0.0 || width == 0 {
        return Vec::new();
    }
    let max_eighths = width as i64 * 8;
    let mut bounds = Vec::with_capacity(parts.len());
    let mut cum = 0.0f64;
    for (v, c) in parts {
        cum += f64::from(v.max(0.0));
        let end = ((cum / f64::from(per_cell)) * 8.0).round() as i64;
        bounds.push((end.min(max_eighths), *c));
    }
    let total = bounds.last().map_or(0, |b| b.0);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut cell = 0i64;
    while cell * 8 < total {
        let (lo, hi) = (cell * 8, cell * 8 + 8);
        let mut best = (0i64, Color::Reset);
        let mut start = 0i64;
        for &(end, color) in &bounds {
            let overlap = end.min(hi) - start.max(lo);
            if overlap > best.0 {
                best = (overlap, color);
            }
            start = end;
        }
        let covered = (total.min(hi) - lo) as usize;
        let symbol = if covered >= 8 {
            "█"
        } else {
            EIGHTHS[covered]
        };
        match spans.last_mut() {
            Some(last)
                if last.style.fg == Some(best.1)
                    && symbol == "█"
                    && last.content.ends_with('█') =>
            {
                last.content.to_mut().push('█');
            }
            _ => spans.push(Span::styled(symbol.to_string(), Style::new().fg(best.1))),
        }
        cell += 1;
    }
    spans
}

/// A one-colour bar of `value / max` of `width` cells.
pub fn bar(value: f32, max: f32, width: usize, color: Color) -> Vec<Span<'static>> {
    if max <= 0.0 {
        return Vec::new();
    }
    stacked_bar(&[(value, color)], max / width as f32, width)
}

/// A bordered pane with a title; the border shows focus.
pub fn pane<'a>(
    title: impl Into<ratatui::text::Line<'a>>,
    focused: bool,
    theme: &Theme,
) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(title)
        .title_style(if focused { theme.title } else { theme.dim })
}

/// `s` cut to `width` display columns, with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` fitted and padded to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let f = fit(s, width);
    let w = f.width();
    f + &" ".repeat(width.saturating_sub(w))
}

/// `prefix`, then whole items while they fit in `width` columns, then `… and N more`
/// naming exactly how many were left out (never a cut item, never a silent cut).
pub fn items_line(
    prefix: Span<'static>,
    items: Vec<Vec<Span<'static>>>,
    width: usize,
) -> Line<'static> {
    let more = |n: usize| format!("… and {n} more");
    let total = items.len();
    let mut used = prefix.width();
    let mut spans = vec![prefix];
    let mut shown = 0;
    for item in items {
        let w: usize = item.iter().map(Span::width).sum();
        let left = total - shown - 1;
        let suffix = if left > 0 { more(left).width() } else { 0 };
        if used + w + suffix > width {
            break;
        }
        used += w;
        spans.extend(item);
        shown += 1;
    }
    if shown < total {
        spans.push(Span::raw(more(total - shown)));
    }
    Line::from(spans)
}

/// `text` word-wrapped to `width` columns; a word longer than a line is split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let (mut line, mut used) = (String::new(), 0);
    for mut word in text.split_whitespace() {
        loop {
            let sep = usize::from(used > 0);
            if used + sep + word.width() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                used += sep + word.width();
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            let mut cut = 0;
            let mut w = 0;
            for (i, c) in word.char_indices() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if w + cw > width && cut > 0 {
                    break;
                }
                w += cw;
                cut = i + c.len_utf8();
            }
            lines.push(word[..cut].to_string());
            word = &word[cut..];
            if word.is_empty() {
                break;
            }
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A compact duration: `812 µs`, `2.4 ms`, `1.3 s`.
pub fn duration(d: std::time::Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.1} s", us / 1e6)
    }
}

/// Collapses whitespace runs (newlines, tabs) to single spaces for one-line snippets.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn bars_round_to_eighths_and_split_by_majority() {
        assert_eq!(text(&bar(1.0, 2.0, 4, Color::Red)), "██");
        assert_eq!(text(&bar(1.0, 3.0, 4, Color::Red)), "█▍");
        let s = stacked_bar(&[(1.0, Color::Red), (0.5, Color::Blue)], 1.0, 10);
        assert_eq!(text(&s), "█▌");
        assert_eq!(s[1].style.fg, Some(Color::Blue));
        assert_eq!(text(&stacked_bar(&[(100.0, Color::Red)], 1.0, 3)), "███");
        assert!(bar(1.0, 0.0, 5, Color::Red).is_empty());
    }

    #[test]
    fn fit_and_pad_count_display_columns() {
        assert_eq!(fit("password", 5), "pass…");
        assert_eq!(fit("ok", 5), "ok");
        assert_eq!(pad("ok", 4), "ok  ");
        assert_eq!(duration(std::time::Duration::from_micros(2400)), "2.4 ms");
    }

    #[test]
    fn items_line_counts_exactly_what_it_leaves_out() {
        let items = |n: usize| (0..n).map(|i| vec![Span::raw(format!("t{i} "))]).collect();
        let line = |n, w| items_line(Span::raw("lacks "), items(n), w).to_string();
        assert_eq!(line(3, 80), "lacks t0 t1 t2 ");
        // 16 items in 30 columns: as many as fit, and the count of the rest.
        assert_eq!(line(16, 30), "lacks t0 t1 t2 … and 13 more");
    }

    #[test]
    fn wrap_keeps_words_and_splits_only_overlong_ones() {
        assert_eq!(
            wrap("model file not found", 10),
            vec!["model file", "not found"]
        );
        assert_eq!(
            wrap("/a/very/long/path ok", 8),
            vec!["/a/very/", "long/pat", "h ok"]
        );
        assert_eq!(wrap("", 5), vec![""]);
    }
}
