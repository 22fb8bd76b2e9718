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

/// Where a text may be cut for a tokenizer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cuts {
    /// The normaliser puts spaces around CJK ideographs (BERT's `handle_chinese_chars`), so
    /// each is a word of its own and a cut before one is exact: text without spaces
    /// (Chinese, Japanese kanji) is cut too.
    pub chinese: bool,
}

/// BERT's "Chinese character" ranges (CJK Unified Ideographs and extensions, compatibility
/// ideographs), as its normaliser tests them.
fn is_chinese(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

/// Whether a tokenizer never joins the text on both sides of `c` into one token.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

impl Cuts {
    /// Whether `c` is a word of its own.
    fn is_own_word(self, c: char) -> bool {
        self.chinese && is_chinese(c)
    }

    /// The shortest prefix of `text` that holds its first `words` words (the whole text
    /// when it has fewer): runs between separators, and CJK ideographs one by one where the
    /// normaliser splits them. Each word gives at least one token unless it is made only of
    /// characters the normaliser removes, so callers check the token count and ask for more
    /// words when a prefix falls short.
    pub fn word_prefix(self, text: &str, words: usize) -> &str {
        let mut seen = 0;
        let mut in_word = false;
        for (i, c) in text.char_indices() {
            let own = self.is_own_word(c);
            if is_separator(c) || own {
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
            if own {
                seen += 1;
                if seen >= words {
                    return &text[..i + c.len_utf8()];
                }
            }
        }
        text
    }

    /// Splits `text` into consecutive pieces of about `target` bytes, each cut just before
    /// a separator or an ideograph that is a word of its own (so a piece may be longer when
    /// a word is). Concatenated they give `text`.
    pub fn pieces(self, text: &str, target: usize) -> impl Iterator<Item = &str> {
        crate::pieces::pieces(text, target, move |b, i| {
            // An ASCII byte is a char boundary; so is a UTF-8 lead byte (not 10xxxxxx).
            is_separator(char::from(b[i]))
                || (self.chinese
                    && b[i] >= 0xE3
                    && b[i] & 0xC0 != 0x80
                    && crate::pieces::first_char(&b[i..]).is_some_and(is_chinese))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_prefix_stops_after_the_requested_words() {
        let plain = Cuts::default();
        assert_eq!(plain.word_prefix("one two  three four", 2), "one two");
        assert_eq!(plain.word_prefix("  one\ttwo\nthree", 1), "  one");
        assert_eq!(plain.word_prefix("one two", 5), "one two");
        assert_eq!(plain.word_prefix("", 3), "");
        // U+000B is not a cut: BERT removes it and joins the words around it.
        assert_eq!(plain.word_prefix("ab\u{b}cd ef", 1), "ab\u{b}cd");
        assert_eq!(plain.word_prefix("東京タワー 大阪", 1), "東京タワー");
        let cjk = Cuts { chinese: true };
        assert_eq!(cjk.word_prefix("東京タワー 大阪", 1), "東");
        assert_eq!(cjk.word_prefix("東京タワー 大阪", 3), "東京タワー");
        assert_eq!(cjk.word_prefix("ab東x", 2), "ab東");
    }

    #[test]
    fn pieces_cut_before_ideographs_only_where_they_are_words() {
        let text = "東京タワーは高い 𠀋字 ok";
        let cjk = Cuts { chinese: true };
        let parts: Vec<&str> = cjk.pieces(text, 1).collect();
        assert_eq!(parts.concat(), text);
        assert_eq!(parts, ["東", "京タワーは", "高い", " ", "𠀋", "字", " ok"]);
        let plain: Vec<&str> = Cuts::default().pieces(text, 1).collect();
        assert_eq!(plain, ["東京タワーは高い", " 𠀋字", " ok"]);
    }
}
