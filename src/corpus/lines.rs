//! Line-by-line reading with a bounded buffer: byte position, 1-based line numbers, CRLF and
//! UTF-8 BOM tolerance, UTF-8 validation with the offset of the first bad byte.

use std::io::{self, BufRead, Read};

use super::error::LineProblem;

/// One line read by [`LineReader`].
pub(crate) enum Line<'a> {
    /// A line as text, without its `\n` / `\r\n` terminator.
    Text(&'a str),
    /// A line that cannot be used; the reader has already moved past it.
    Bad(LineProblem),
}

/// Reads lines of at most `max_bytes` bytes (longer ones are reported and skipped without being
/// held in memory).
pub(crate) struct LineReader {
    inner: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    max_bytes: usize,
    /// Bytes consumed so far.
    offset: u64,
    /// 1-based number of the line last returned (0 before the first).
    line_no: u64,
    /// The line last returned was too long and its rest is still unread: skipped only when
    /// the caller asks for the next line, so a reader that stops at the error does not wait
    /// for a newline that may never come (`/dev/zero`).
    rest_unread: bool,
}

impl LineReader {
    pub(crate) fn new(inner: Box<dyn BufRead + Send>, max_bytes: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            max_bytes,
            offset: 0,
            line_no: 0,
            rest_unread: false,
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The next line and its 1-based number, `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(u64, Line<'_>)>> {
        self.buf.clear();
        if std::mem::take(&mut self.rest_unread) {
            self.offset += self.inner.skip_until(b'\n')? as u64;
        }
        let start = self.offset;
        let limit = self.max_bytes as u64 + 2; // content, "\r", "\n"
        let n = (&mut self.inner)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.offset += n as u64;
        self.line_no += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        } else if n as u64 == limit {
            // No newline within the limit: the rest of this line is skipped on the next call.
            self.rest_unread = true;
            self.buf.clear();
            return Ok(Some((
                self.line_no,
                Line::Bad(LineProblem::TooLong {
                    limit: self.max_bytes,
                }),
            )));
        } else if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > self.max_bytes {
            return Ok(Some((
                self.line_no,
                Line::Bad(LineProblem::TooLong {
                    limit: self.max_bytes,
                }),
            )));
        }
        let mut bytes: &[u8] = &self.buf;
        let mut skipped = 0;
        if start == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes = &bytes[3..];
            skipped = 3;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some((self.line_no, Line::Text(text)))),
            Err(e) => {
                let at = skipped + e.valid_up_to();
                Ok(Some((
                    self.line_no,
                    Line::Bad(LineProblem::InvalidUtf8 {
                        offset: start + at as u64,
                        column: at + 1,
                    }),
                )))
            }
        }
    }
}

/// Python's `str.isspace()`, which BEIR's `.strip()` uses: Unicode White_Space plus the
/// information separators U+001C..U+001F.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The 1-based line number and byte column of byte `at` in `bytes`.
pub(crate) fn line_and_column(bytes: &[u8], at: usize) -> (u64, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, at - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8], max: usize) -> Vec<Result<String, LineProblem>> {
        let mut r = LineReader::new(Box::new(io::Cursor::new(data.to_vec())), max);
        let mut out = Vec::new();
        while let Some((_, line)) = r.next_line().unwrap() {
            out.push(match line {
                Line::Text(t) => Ok(t.to_string()),
                Line::Bad(p) => Err(p),
            });
        }
        assert_eq!(r.offset(), data.len() as u64);
        out
    }

    #[test]
    fn crlf_bom_and_last_line_without_newline() {
        let got = read_all(b"\xEF\xBB\xBFa\r\nb\n\nc\r", 100);
        let want: Vec<Result<String, LineProblem>> = vec![
            Ok("a".into()),
            Ok("b".into()),
            Ok("".into()),
            Ok("c".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn too_long_lines_are_skipped_and_reading_goes_on() {
        let got = read_all(b"12345\n123456\n1234567890123\nok\n", 5);
        assert_eq!(got[0], Ok("12345".into()));
        assert_eq!(got[1], Err(LineProblem::TooLong { limit: 5 }));
        assert_eq!(got[2], Err(LineProblem::TooLong { limit: 5 }));
        assert_eq!(got[3], Ok("ok".into()));
        assert_eq!(got.len(), 4);
        // exactly the limit, with CRLF
        assert_eq!(read_all(b"12345\r\n", 5), vec![Ok("12345".into())]);
    }

    #[test]
    fn invalid_utf8_reports_file_offset() {
        let got = read_all(b"ok\nab\xFFcd\n", 100);
        assert_eq!(
            got[1],
            Err(LineProblem::InvalidUtf8 {
                offset: 5,
                column: 3
            })
        );
    }

    #[test]
    fn line_and_column_counts_from_one() {
        assert_eq!(line_and_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column(b"ab", 0), (1, 1));
    }
}
