//! A folder of `.txt` / `.md` files, one document per file, walked recursively in sorted order.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::{CorpusError, LineProblem};
use super::lines::line_and_column;
use super::Document;

/// One file of the folder (or a problem found while walking it).
pub(crate) struct Entry {
    /// Relative path bytes with `/` separators: the sort key and (as UTF-8) the id.
    key: Vec<u8>,
    path: PathBuf,
    size: u64,
    problem: Option<String>,
}

/// True for the file extensions the folder format reads (case-insensitive `txt`, `md`).
pub(crate) fn is_text_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        let e = e.as_encoded_bytes();
        e.eq_ignore_ascii_case(b"txt") || e.eq_ignore_ascii_case(b"md")
    })
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.as_encoded_bytes().eq_ignore_ascii_case(b"md"))
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn join_key(parent: &[u8], name: &OsStr) -> Vec<u8> {
    let mut key = parent.to_vec();
    if !key.is_empty() {
        key.push(b'/');
    }
    key.extend_from_slice(name.as_encoded_bytes());
    key
}

/// Walks `root`, returning its text files (and the problems met) sorted by relative path.
/// With `first_only`, stops at the first text file found (for format detection).
pub(crate) fn walk(root: &Path, first_only: bool) -> Result<Vec<Entry>, CorpusError> {
    let canonical_root = fs::canonicalize(root).map_err(|e| CorpusError::io(root, e))?;
    let mut visited: HashSet<PathBuf> = HashSet::new();
    visited.insert(canonical_root.clone());
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, Vec<u8>)> = vec![(root.to_path_buf(), Vec::new())];
    while let Some((dir, dir_key)) = stack.pop() {
        let problem = |key: Vec<u8>, path: PathBuf, what: String| Entry {
            key,
            path,
            size: 0,
            problem: Some(what),
        };
        let read = match fs::read_dir(&dir) {
            Ok(read) => read,
            Err(e) if dir_key.is_empty() => return Err(CorpusError::io(root, e)),
            Err(e) => {
                out.push(problem(dir_key, dir, format!("cannot read directory: {e}")));
                continue;
            }
        };
        let mut children = Vec::new();
        for item in read {
            match item {
                Ok(item) => children.push(item),
                Err(e) => out.push(problem(
                    dir_key.clone(),
                    dir.clone(),
                    format!("cannot list directory: {e}"),
                )),
            }
        }
        children.sort_by_key(|c| std::cmp::Reverse(c.file_name())); // popped in sorted order
        let mut subdirs = Vec::new();
        for child in children {
            let name = child.file_name();
            if is_hidden(&name) {
                continue;
            }
            let path = child.path();
            let key = join_key(&dir_key, &name);
            let Ok(file_type) = child.file_type() else {
                continue;
            };
            let (is_dir, meta) = if file_type.is_symlink() {
                match fs::metadata(&path) {
                    Ok(meta) => {
                        // A link to something inside the folder is skipped: the real path is
                        // walked anyway. Links leading outside are followed.
                        let target = fs::canonicalize(&path).unwrap_or_default();
                        if target.starts_with(&canonical_root) {
                            continue;
                        }
                        (meta.is_dir(), Some(meta))
                    }
                    Err(e) => {
                        if is_text_file(&path) {
                            out.push(problem(key, path, format!("broken symbolic link: {e}")));
                        }
                        continue;
                    }
                }
            } else {
                (file_type.is_dir(), None)
            };
            if is_dir {
                match fs::canonicalize(&path) {
                    Ok(real) => {
                        // each real directory once: link loops end
                        if visited.insert(real) {
                            subdirs.push((path, key));
                        }
                    }
                    Err(e) => out.push(problem(key, path, format!("cannot resolve: {e}"))),
                }
            } else if is_text_file(&path) {
                let meta = match meta {
                    Some(m) => Ok(m),
                    None => child.metadata(),
                };
                match meta {
                    Ok(m) if m.is_file() => out.push(Entry {
                        key,
                        path,
                        size: m.len(),
                        problem: None,
                    }),
                    Ok(_) => {} // a socket or device named *.txt
                    Err(e) => out.push(problem(key, path, format!("cannot read: {e}"))),
                }
                if first_only && out.last().is_some_and(|e| e.problem.is_none()) {
                    return Ok(out);
                }
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Yields the documents of a walked folder.
pub(crate) struct FolderSource {
    entries: std::vec::IntoIter<Entry>,
    bytes_read: u64,
    total_bytes: u64,
    max_bytes: usize,
}

impl FolderSource {
    pub(crate) fn new(entries: Vec<Entry>, max_bytes: usize) -> Self {
        let total_bytes = entries.iter().map(|e| e.size).sum();
        FolderSource {
            entries: entries.into_iter(),
            bytes_read: 0,
            total_bytes,
            max_bytes,
        }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    pub(crate) fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// The next document, or the problem with the next file.
    pub(crate) fn next_doc(&mut self) -> Option<Result<Document, CorpusError>> {
        let entry = self.entries.next()?;
        self.bytes_read += entry.size;
        Some(read_entry(entry, self.max_bytes))
    }
}

fn read_entry(entry: Entry, max_bytes: usize) -> Result<Document, CorpusError> {
    let bad = |problem: String| CorpusError::BadFile {
        path: entry.path.clone(),
        problem,
    };
    if let Some(problem) = entry.problem {
        return Err(bad(problem));
    }
    let id = String::from_utf8(entry.key.clone())
        .map_err(|_| bad("the file name is not valid UTF-8 (it would be the id)".into()))?;
    super::check_id(&id).map_err(|p| bad(format!("its path is the document id: {p}")))?;
    let mut bytes = Vec::new();
    fs::File::open(&entry.path)
        .and_then(|f| f.take(max_bytes as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    if bytes.len() > max_bytes {
        return Err(bad(format!("file larger than {max_bytes} bytes")));
    }
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let content = std::str::from_utf8(&bytes[skip..]).map_err(|e| {
        let at = skip + e.valid_up_to();
        let (line, column) = line_and_column(&bytes, at);
        CorpusError::BadLine {
            path: entry.path.clone(),
            line,
            problem: LineProblem::InvalidUtf8 {
                offset: at as u64,
                column,
            },
        }
    })?;
    let (title, text) = if is_markdown(&entry.path) {
        split_markdown(content)
    } else {
        (String::new(), content.trim().to_owned())
    };
    Ok(Document { id, title, text })
}

/// Splits Markdown into (title, text): the title is the first level-1 ATX heading (`# Title`,
/// up to 3 leading spaces, optional closing `#`s) outside fenced code blocks; the text is the
/// rest of the file without that line. Both are trimmed.
pub(crate) fn split_markdown(content: &str) -> (String, String) {
    let mut fence: Option<(u8, usize)> = None;
    let mut pos = 0;
    for line in content.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        if indent > 3 {
            continue;
        }
        let body = &body[indent..];
        if let Some((c, n)) = fence_marker(body) {
            match fence {
                None => fence = Some((c, n)),
                Some((open, len)) if open == c && n >= len && body[n..].trim().is_empty() => {
                    fence = None
                }
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        if let Some(title) = h1_text(body) {
            let mut text = String::with_capacity(content.len() - line.len());
            text.push_str(&content[..start]);
            text.push_str(&content[pos..]);
            return (title.to_owned(), text.trim().to_owned());
        }
    }
    (String::new(), content.trim().to_owned())
}

/// A code fence: at least three backticks or tildes. Returns the character and run length.
fn fence_marker(line: &str) -> Option<(u8, usize)> {
    let c = *line.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = line.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// The text of a level-1 ATX heading line (`# Title #`), if it is one.
fn h1_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None; // `##...` or `#hashtag`
    }
    let rest = rest.trim();
    // an optional closing sequence of `#`s, preceded by a space (or the whole content)
    let without = rest.trim_end_matches('#');
    if without.is_empty() {
        return Some("");
    }
    if without.len() < rest.len() && without.ends_with([' ', '\t']) {
        return Some(without.trim_end());
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_title_is_first_h1_outside_fences() {
        assert_eq!(
            split_markdown("# Hello\n\nbody\n"),
            ("Hello".into(), "body".into())
        );
        assert_eq!(
            split_markdown("intro\n\n# Title #\nafter\r\n"),
            ("Title".into(), "intro\n\nafter".into())
        );
        assert_eq!(
            split_markdown("```sh\n# comment\n```\n## Sub\n#tag\n# Real\nx"),
            (
                "Real".into(),
                "```sh\n# comment\n```\n## Sub\n#tag\nx".into()
            )
        );
        assert_eq!(
            split_markdown("no heading\n"),
            ("".into(), "no heading".into())
        );
        assert_eq!(split_markdown("    # code\n"), ("".into(), "# code".into()));
        assert_eq!(
            split_markdown("# C# notes\nx"),
            ("C# notes".into(), "x".into())
        );
        assert_eq!(split_markdown("#\nx"), ("".into(), "x".into()));
    }
}
