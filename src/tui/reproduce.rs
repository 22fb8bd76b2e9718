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
    let index = loaded.index_dir.clone();
    // The command and its positional arguments; then the flags.
    let words: Vec<String>;
    let mut flags: Vec<String> = Vec::new();
    if loaded.query_encoder.inference_free() {
        flags.extend(["--query-encoder".into(), loaded.query_encoder.to_string()]);
    }
    if state.view == View::Evaluate {
        words = vec!["eval".into(), index];
        flags.extend(loaded.judged_args.iter().cloned());
        for spec in &loaded.system_specs {
            flags.extend(["--system".into(), spec.clone()]);
        }
        if let Some(b) = &loaded.compare_dir {
            flags.extend(["--compare".into(), b.clone()]);
        }
        // The edits the what-if column evaluated, not the current ones.
        let table = state.eval.table.as_ref()?;
        if let (Some(w), true) = (
            &state.eval.what_if,
            table.systems.iter().any(|s| s == "what-if"),
        ) {
            flags.extend(w.args(&|id| state.token(id)));
        }
        return Some(join(words, flags));
    }
    let query = state.query_text();
    if query.trim().is_empty() {
        return None;
    }
    let inspected = state
        .shown
        .as_ref()
        .and_then(|s| s.inspect.as_ref())
        .and_then(|x| x.as_ref().ok())
        .filter(|_| state.focus == Focus::Inspector)
        .map(|x| x.id.clone());
    match (&state.side_by_side, state.overlay) {
        (Some(SideBySide::Documents(a, b)), Overlay::SideBySide) => {
            words = vec!["explain".into(), index, query, a.clone(), b.clone()];
            flags.extend(["--system".into(), "splade".into()]);
        }
        (Some(SideBySide::Checkpoints(id)), Overlay::SideBySide) => {
            words = vec!["explain".into(), index, query, id.clone()];
            flags.extend(["--system".into(), "splade".into()]);
            flags.extend(["--system".into(), "splade-b".into()]);
            if let Some(b) = &loaded.compare_dir {
                flags.extend(["--compare".into(), b.clone()]);
            }
        }
        _ => {
            words = match inspected {
                Some(id) => vec!["explain".into(), index, query, id],
                None => {
                    flags.extend(["-k".into(), state.config.hits.to_string()]);
                    vec!["search".into(), index, query]
                }
            };
            systems(state, &mut flags);
        }
    }
    if let Some(qid) = &state.qid {
        flags.extend(["--qid".into(), qid.clone()]);
    }
    edit_flags(state, &mut flags);
    Some(join(words, flags))
}

/// `spladescope WORDS FLAGS`, or `spladescope COMMAND FLAGS -- ARGS` when an argument starts
/// with `-` (a query such as "-inflammation" is not a flag).
fn join(words: Vec<String>, flags: Vec<String>) -> String {
    let mut all = vec!["spladescope".to_string()];
    let (command, positional) = words.split_first().expect("a command");
    all.push(command.clone());
    if positional.iter().any(|a| a.starts_with('-')) {
        all.extend(flags);
        all.push("--".into());
        all.extend(positional.iter().cloned());
    } else {
        all.extend(positional.iter().cloned());
        all.extend(flags);
    }
    all.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// `--system` for the two lists shown, with the `--compare` index a `splade-b` list needs.
fn systems(state: &State, args: &mut Vec<String>) {
    let Some(loaded) = state.loaded() else { return };
    let what_if = loaded.systems.len();
    let columns = if state.view == View::Compare {
        [SPLADE, BM25]
    } else {
        state.columns
    };
    for c in columns {
        let spec = match loaded.system_specs.get(c) {
            Some(spec) => spec.clone(),
            None if c == what_if => "what-if".into(),
            None => continue,
        };
        args.extend(["--system".into(), spec]);
    }
    let needs_b = state.view == View::Compare
        || columns
            .iter()
            .any(|&c| loaded.system_specs.get(c).is_some_and(|s| s == "splade-b"));
    if let (true, Some(b)) = (needs_b, &loaded.compare_dir) {
        args.extend(["--compare".into(), b.clone()]);
    }
}

/// The query edits and the document edits as flags ([`crate::system::WhatIf::args`]).
fn edit_flags(state: &State, args: &mut Vec<String>) {
    args.extend(state.what_if().args(&|id| state.token(id)));
}

/// `a` as one word of a POSIX shell command: bare when it holds only safe characters,
/// else in single quotes (`'` written `'\''`).
pub fn quote(a: &str) -> String {
    let safe = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,%".contains(c));
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
        assert_eq!(quote("##in"), "'##in'", "# starts a shell comment");
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            join(words(&["search", "/i", "reset it"]), words(&["-k", "10"])),
            "spladescope search /i 'reset it' -k 10"
        );
        assert_eq!(
            join(
                words(&["search", "/i", "-inflammation"]),
                words(&["-k", "10"])
            ),
            "spladescope search -k 10 -- /i -inflammation"
        );
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
