//! `y`: the command line that reproduces the current view with the CLI twins, so a finding
//! in the explorer becomes a script: `search` for the lists (with the systems shown, the
//! query's edits and the document edits), `explain` for the inspector and the side-by-side
//! overlay, `eval` for the Evaluate view (with the edits its `what-if` column evaluated).
//! Arguments are quoted for a POSIX shell.

use super::pane::{Focus, View};
use super::state::{Overlay, State};
use crate::engine::{SideBySide, BM25, SPLADE};

/// The command reproducing what the explorer shows, if it shows a result.
pub fn command(state: &State) -> Option<String> {
    let loaded = state.loaded()?;
    let mut args: Vec<String> = vec!["spladescope".into()];
    let query = state.query_text();
    let shown = state.shown.as_ref();
    let index = loaded.index_dir.clone();
    if state.view == View::Evaluate {
        args.extend(["eval".into(), index]);
        args.extend(loaded.judged_args.iter().cloned());
        if let Some(b) = &loaded.compare_dir {
            args.extend(["--compare".into(), b.clone()]);
        }
        if state
            .eval
            .table
            .as_ref()?
            .systems
            .iter()
            .any(|s| s == "what-if")
        {
            edit_flags(state, &mut args);
        }
        return Some(quote_all(&args));
    }
    if query.trim().is_empty() {
        return None;
    }
    let inspected = shown
        .and_then(|s| s.inspect.as_ref())
        .and_then(|x| x.as_ref().ok())
        .filter(|_| state.focus == Focus::Inspector)
        .map(|x| x.id.clone());
    match (&state.side_by_side, state.overlay) {
        (Some(SideBySide::Documents(a, b)), Overlay::SideBySide) => {
            args.extend(["explain".into(), index, query, a.clone(), b.clone()]);
            args.extend(["--system".into(), "splade".into()]);
        }
        (Some(SideBySide::Checkpoints(id)), Overlay::SideBySide) => {
            args.extend(["explain".into(), index, query, id.clone()]);
            args.extend(["--system".into(), "splade".into()]);
            args.extend(["--system".into(), "splade-b".into()]);
            if let Some(b) = &loaded.compare_dir {
                args.extend(["--compare".into(), b.clone()]);
            }
        }
        _ => {
            match &inspected {
                Some(id) => args.extend(["explain".into(), index, query, id.clone()]),
                None => args.extend([
                    "search".into(),
                    index,
                    query,
                    "-k".into(),
                    state.config.hits.to_string(),
                ]),
            }
            systems(state, &mut args);
        }
    }
    if let Some(qid) = &state.qid {
        args.extend(["--qid".into(), qid.clone()]);
    }
    edit_flags(state, &mut args);
    Some(quote_all(&args))
}

/// `--system` for the two lists shown (none for the default SPLADE and BM25), with the
/// `--compare` index a `splade-b` list needs.
fn systems(state: &State, args: &mut Vec<String>) {
    let Some(loaded) = state.loaded() else { return };
    let what_if = loaded.systems.len();
    let mut columns = state.columns;
    if state.view == View::Compare {
        columns = [SPLADE, BM25];
    }
    if columns != [SPLADE, BM25] {
        for c in columns {
            let spec = match loaded.system_specs.get(c) {
                Some(spec) => spec.clone(),
                None if c == what_if => "what-if".into(),
                None => continue,
            };
            args.extend(["--system".into(), spec]);
        }
    }
    let needs_b = state.view == View::Compare
        || columns
            .iter()
            .any(|&c| loaded.system_specs.get(c).is_some_and(|s| s == "splade-b"));
    if let (true, Some(b)) = (needs_b, &loaded.compare_dir) {
        args.extend(["--compare".into(), b.clone()]);
    }
}

/// The query edits (`--drop`, `--weight`, `--prune-top`, `--prune-min`) and the document
/// edits (`--doc-drop`, `--doc-expansions-only`).
fn edit_flags(state: &State, args: &mut Vec<String>) {
    let token = |id: &u32| {
        state
            .shown
            .as_ref()
            .and_then(|s| s.terms.iter().find(|t| t.id == *id))
            .map(|t| t.token.clone())
    };
    let e = &state.edits;
    for t in e.dropped.iter().filter_map(token) {
        args.extend(["--drop".into(), t]);
    }
    for (id, w) in &e.weights {
        if let Some(t) = token(id) {
            args.extend(["--weight".into(), format!("{t}={w}")]);
        }
    }
    if let Some(n) = e.pruning.top_n {
        args.extend(["--prune-top".into(), n.to_string()]);
    }
    if let Some(w) = e.pruning.min_weight {
        args.extend(["--prune-min".into(), w.to_string()]);
    }
    for t in state.doc_edit_tokens.values() {
        args.extend(["--doc-drop".into(), t.clone()]);
    }
    if state.doc_edits.expansions_only && !state.doc_edits.is_empty() {
        args.push("--doc-expansions-only".into());
    }
}

fn quote_all(args: &[String]) -> String {
    args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// `a` as one word of a POSIX shell command: bare when it holds only safe characters,
/// else in single quotes (`'` written `'\''`).
pub fn quote(a: &str) -> String {
    let safe = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,#%".contains(c));
    if safe {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// `text` as base64 (RFC 4648, padded), for the terminal's clipboard (OSC 52).
pub fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_base64() {
        assert_eq!(quote("splade"), "splade");
        assert_eq!(quote("reset my login"), "'reset my login'");
        assert_eq!(quote("Parkinson's"), r"'Parkinson'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a$b"), "'a$b'");
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain), encoded);
        }
    }
}
