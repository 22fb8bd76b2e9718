//! Token filters that run between the tokenizer and the stemmer, in Lucene's order:
//! `EnglishPossessiveFilter`, then `LowerCaseFilter` (the `StopFilter` is in
//! [`super::stopwords`], the `PorterStemFilter` in [`super::porter`]).

/// Apostrophes that `EnglishPossessiveFilter` recognises before a final `s`/`S`:
/// U+0027 APOSTROPHE, U+2019 RIGHT SINGLE QUOTATION MARK, U+FF07 FULLWIDTH APOSTROPHE.
pub const POSSESSIVE_APOSTROPHES: [char; 3] = ['\'', '\u{2019}', '\u{FF07}'];

/// Strips a trailing possessive (`'s`, `'S`, `’s`, `＇s`, ...) as Lucene's
/// `EnglishPossessiveFilter` does. Runs *before* lowercasing, hence both `s` and `S`.
///
/// Anything else — `s'`, `‘s` (U+2018), a bare `'` — is left alone.
pub fn strip_possessive(term: &str) -> &str {
    let mut rev = term.char_indices().rev();
    match (rev.next(), rev.next()) {
        (Some((_, 's' | 'S')), Some((i, apostrophe)))
            if POSSESSIVE_APOSTROPHES.contains(&apostrophe) =>
        {
            &term[..i]
        }
        _ => term,
    }
}

/// Lowercases like Java's `Character.toLowerCase(int)` applied to each code point (what
/// Lucene's `LowerCaseFilter` does): a simple one-to-one mapping with no context, so final
/// sigma is not special and `İ` (U+0130) becomes a plain `i`.
pub fn lowercase(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        // `char::to_lowercase` is the *full* mapping; its only multi-char result (U+0130 ->
        // "i\u{307}") starts with the simple mapping, so keeping the first char matches Java.
        match c.to_lowercase().next() {
            Some(l) => out.push(l),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possessives() {
        assert_eq!(strip_possessive("John's"), "John");
        assert_eq!(strip_possessive("JOHN'S"), "JOHN");
        assert_eq!(strip_possessive("O'Neil\u{2019}s"), "O'Neil");
        assert_eq!(strip_possessive("x\u{FF07}s"), "x");
        assert_eq!(strip_possessive("x\u{2018}s"), "x\u{2018}s");
        assert_eq!(strip_possessive("'s"), "");
        assert_eq!(strip_possessive("s"), "s");
        assert_eq!(strip_possessive(""), "");
        assert_eq!(strip_possessive("students'"), "students'");
        assert_eq!(strip_possessive("it's"), "it");
    }

    #[test]
    fn lowercasing() {
        assert_eq!(lowercase("HeLLo"), "hello");
        assert_eq!(lowercase("\u{130}stanbul"), "istanbul");
        assert_eq!(lowercase("ΣΑΣ"), "σασ");
        assert_eq!(lowercase("ẞ"), "ß");
        assert_eq!(lowercase("漢字"), "漢字");
    }
}
