//! Cutting long texts so that tokenising them costs memory in proportion to what the model
//! reads, not to the whole text.
//!
//! A Hugging Face tokenizer normalises and tokenises the whole input before it truncates, and
//! holds offsets and alignments for every byte: a 50 MB document cost gigabytes to keep its
//! first 256 tokens. Cutting the text first is exact when the cut falls on a separator that
//! every BERT-family tokenizer treats as whitespace (ASCII space, tab, CR, LF): the
//! normaliser works character by character (control characters removed, accents stripped,
//! lowercased), the pre-tokenizer splits at those separators, so the tokens before a cut do
//! not depend on the text after it. Other Unicode spaces are not cut at, because BERT's
//! normaliser removes some of them (U+000B, U+000C) and joins the words around them.

/// Whether a tokenizer never joins the text on both sides of `c` into one token.
fn is_cut(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// The shortest prefix of `text` that holds its first `words` separator-delimited words
/// (the whole text when it has fewer). Each word gives at least one token unless it is made
/// only of characters the normaliser removes, so callers check the token count and ask for
/// more words when a prefix falls short.
pub fn word_prefix(text: &str, words: usize) -> &str {
    let bytes = text.as_bytes();
    let mut seen = 0;
    let mut in_word = false;
    for (i, &b) in bytes.iter().enumerate() {
        if is_cut(b) {
            if in_word {
                seen += 1;
                if seen >= words {
                    return &text[..i];
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text
}

/// Splits `text` into consecutive pieces of about `target` bytes, each cut just before a
/// separator (so a piece may be longer when a word is). Concatenated they give `text`.
pub fn pieces(text: &str, target: usize) -> impl Iterator<Item = &str> {
    // Separators are ASCII, so any index of one is a char boundary.
    crate::pieces::pieces(text, target, |b, i| is_cut(b[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_prefix_stops_after_the_requested_words() {
        assert_eq!(word_prefix("one two  three four", 2), "one two");
        assert_eq!(word_prefix("  one\ttwo\nthree", 1), "  one");
        assert_eq!(word_prefix("one two", 5), "one two");
        assert_eq!(word_prefix("", 3), "");
        // U+000B is not a cut: BERT removes it and joins the words around it.
        assert_eq!(word_prefix("ab\u{b}cd ef", 1), "ab\u{b}cd");
    }
}
