//! Terminal output helpers: bars, colour, and quiet exit on a closed pipe.

use spladescope::display::visible;
use spladescope::encoder::{Source, Term, TermKind};
use std::io::{IsTerminal, Write};

/// Whether to colour stdout: a terminal, and `NO_COLOR` unset.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A horizontal bar of `width` cells for `value / max`, with eighth-cell precision.
pub fn bar(value: f32, max: f32, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let positive = |x: f32| x > 0.0; // false for NaN too
    if !positive(max) || !positive(value) {
        return " ".repeat(width);
    }
    let eighths = ((value / max).min(1.0) * (width * 8) as f32).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    let used = s.chars().count();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    s
}

/// The first `max` characters of `text` on one line, with "…" when cut.
pub fn snippet(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else {
                spladescope::display::control_picture(c).unwrap_or(c)
            }
        })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max {
        return flat.to_string();
    }
    let mut s: String = flat.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// `text` padded with spaces to `width` terminal columns (CJK characters take two; a
/// format string's `{:<w$}` counts characters and misaligns them).
pub fn pad(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let shown = spladescope::display::visible(text);
    let used = shown.width();
    format!("{shown}{}", " ".repeat(width.saturating_sub(used)))
}

/// Wraps `text` in an ANSI style when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// True when the error is a write to a closed pipe (`spladescope … | head`), which should
/// end the program quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes joined by ": ", leaving out a cause whose text the message
/// before it already ends with (library errors print their I/O cause themselves, so
/// `{err:#}` would repeat "No such file or directory (os error 2)").
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `  ← login (log)`: the word a term came from ([`Source::note`]), or nothing when the term
/// is that word or has no source.
pub fn source_suffix(term: &str, source: Option<&Source>) -> String {
    source
        .and_then(|s| s.note(term))
        .map(|n| format!("  ← {n}"))
        .unwrap_or_default()
}

/// A vector's table (`encode`, `doc`), heaviest first: rank, token, weight, bar, input or
/// expansion, and the word the term came from; tokens padded to the longest (4 to 24
/// columns), bars scaled to the first row's weight.
pub fn term_table(out: &mut impl Write, terms: &[Term], color: bool) -> std::io::Result<()> {
    let width = terms
        .iter()
        .map(|t| unicode_width::UnicodeWidthStr::width(t.token.as_str()))
        .max()
        .unwrap_or(4)
        .clamp(4, 24);
    let max = terms.first().map_or(0.0, |t| t.weight);
    for (i, t) in terms.iter().enumerate() {
        let style = match t.kind {
            TermKind::Input => "36",
            TermKind::Expansion => "33",
        };
        let source = source_suffix(&t.token, t.source.as_ref());
        let label = if source.is_empty() {
            t.kind.word().to_string()
        } else {
            pad(t.kind.word(), 9)
        };
        writeln!(
            out,
            "{:>4}  {}  {:>6.3}  {}  {}{}",
            i + 1,
            pad(&visible(&t.token), width),
            t.weight,
            paint(&bar(t.weight, max, 24), style, color),
            paint(&label, style, color),
            paint(&source, "2", color),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chain_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone (os error 2)");
        let err = anyhow::Error::new(spladescope::index::IndexError::Io {
            path: "/x/docs.bin".into(),
            source: io,
        })
        .context("cannot open /x");
        assert_eq!(
            error_chain(&err),
            "cannot open /x: /x/docs.bin: gone (os error 2)"
        );
    }

    #[test]
    fn bars_scale_with_eighths() {
        assert_eq!(bar(1.0, 1.0, 4), "████");
        assert_eq!(bar(0.5, 1.0, 4), "██  ");
        assert_eq!(bar(1.0 / 32.0, 1.0, 4), "▏   ");
        assert_eq!(bar(0.0, 1.0, 3), "   ");
        assert_eq!(bar(1.0, 0.0, 2), "  ");
        assert_eq!(bar(f32::NAN, 1.0, 2), "  ");
    }

    #[test]
    fn snippets_are_one_line_and_cut() {
        assert_eq!(snippet("a\nb  c", 10), "a b  c");
        assert_eq!(snippet("abcdef", 4), "abc…");
        assert_eq!(snippet("", 4), "");
        assert_eq!(pad("日本", 6), "日本  ");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("toolong", 3), "toolong");
        assert_eq!(snippet("\u{1b}[2J\u{7}x", 10), "␛[2J␇x");
    }

    #[test]
    fn a_source_suffix_names_the_word_and_the_token_when_it_tells_more() {
        let source = |token: &str, word: &str| Source {
            position: 1,
            token: token.into(),
            word: word.into(),
            span: None,
        };
        let suffix = |term: &str, s: Source| source_suffix(term, Some(&s));
        assert_eq!(suffix("reset", source("reset", "Reset")), "");
        assert_eq!(suffix("log", source("log", "login")), "  ← login");
        assert_eq!(
            suffix("settlement", source("log", "login")),
            "  ← login (log)"
        );
        assert_eq!(suffix("to", source("[SEP]", "[SEP]")), "  ← [SEP]");
        assert_eq!(
            suffix("alzheimer", source("parkinson", "Parkinson")),
            "  ← Parkinson"
        );
        assert_eq!(source_suffix("to", None), "");
    }
}
