//! Splitting an input file into numbered text lines (shared by all readers).

use std::path::Path;

use super::error::EvalError;

/// One line of an input file: 1-based number and text without the line ending.
pub(crate) struct Line<'a> {
    pub number: usize,
    pub text: &'a str,
}

/// Splits `data` on `\n`, drops one trailing `\r` per line (CRLF files) and a UTF-8 byte
/// order mark at the start, and checks that every line is UTF-8.
pub(crate) fn lines<'a>(data: &'a [u8], path: &Path) -> Result<Vec<Line<'a>>, EvalError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut out = Vec::new();
    if data.is_empty() {
        return Ok(out);
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw).map_err(|e| {
            EvalError::parse(
                path,
                i + 1,
                format!(
                    "not valid UTF-8 (bad byte at column {}); save the file as UTF-8",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        out.push(Line {
            number: i + 1,
            text,
        });
    }
    Ok(out)
}

/// True for lines that carry no data: blank, or a `#` comment (trec_eval skips both).
pub(crate) fn is_skippable(text: &str) -> bool {
    let t = text.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Reads a whole file, mapping the error to [`EvalError::Io`].
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, EvalError> {
    std::fs::read(path).map_err(|e| EvalError::read(path, e))
}

/// Shortens a field for an error message.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_bom_and_numbers() {
        let data = b"\xEF\xBB\xBFa\r\n\r\nb\nc";
        let ls = lines(data, Path::new("x")).unwrap();
        let got: Vec<(usize, &str)> = ls.iter().map(|l| (l.number, l.text)).collect();
        assert_eq!(got, vec![(1, "a"), (2, ""), (3, "b"), (4, "c")]);
    }

    #[test]
    fn trailing_newline_adds_no_line() {
        assert_eq!(lines(b"a\n", Path::new("x")).unwrap().len(), 1);
        assert!(lines(b"", Path::new("x")).unwrap().is_empty());
    }

    #[test]
    fn invalid_utf8_names_line() {
        let err = lines(b"ok\nbad \xFF\n", Path::new("f.tsv"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("f.tsv:2: not valid UTF-8"), "{err}");
    }

    #[test]
    fn missing_file_names_path() {
        let err = read_file(Path::new("/nonexistent/qrels.tsv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/nonexistent/qrels.tsv: reading failed:"),
            "{err}"
        );
    }

    #[test]
    fn comments_and_blanks() {
        assert!(is_skippable("   "));
        assert!(is_skippable("  # note"));
        assert!(!is_skippable("q1 0 d 1"));
    }
}
