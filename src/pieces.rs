//! Splitting a long text into consecutive pieces of about a target size, cut only where the
//! caller says a cut changes nothing (the encoder's tokenizer and the BM25 analyzer each
//! know their own safe places), so each piece can be processed alone and memory follows the
//! piece, not the text.

/// Consecutive pieces of `text` of at least `target` bytes (the last may be shorter), each
/// ending at the first byte index `i >= target` of its rest where `cut_before(bytes, i)`
/// holds; a piece runs on to the end when no such index follows. `cut_before` must only
/// accept char boundaries (e.g. places next to ASCII bytes). Concatenated, the pieces give
/// `text`.
pub fn pieces(
    text: &str,
    target: usize,
    cut_before: impl Fn(&[u8], usize) -> bool,
) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let from = target.max(1).min(bytes.len());
        let cut = (from..bytes.len())
            .find(|&i| cut_before(bytes, i))
            .unwrap_or(bytes.len());
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// The character that starts `bytes`, which must begin at a char boundary of valid UTF-8.
pub fn first_char(bytes: &[u8]) -> Option<char> {
    let window = &bytes[..bytes.len().min(4)];
    let valid = match std::str::from_utf8(window) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&window[..e.valid_up_to()]).ok()?,
    };
    valid.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_text_and_cut_where_asked() {
        let text = "alpha beta gamma délta epsilon zeta";
        let at_space = |b: &[u8], i: usize| b[i] == b' ';
        for target in [0, 1, 3, 7, 100] {
            let parts: Vec<&str> = pieces(text, target, at_space).collect();
            assert_eq!(parts.concat(), text, "target {target}");
            for p in &parts[1..] {
                assert!(p.starts_with(' '), "{p:?}");
            }
        }
        assert_eq!(pieces("", 4, at_space).count(), 0);
        assert_eq!(
            pieces("nospaceatall", 2, at_space).collect::<Vec<_>>(),
            ["nospaceatall"]
        );
    }
}
