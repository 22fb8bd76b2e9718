//! Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`).

/// The 33 stop words of Lucene's `EnglishAnalyzer`, which Anserini's default analyzer uses.
///
/// They are matched case-sensitively against the *lowercased* token, before stemming
/// (so `The` is removed, but `thes` — which Porter would turn into `the` — is kept).
pub const ENGLISH_STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Is `term` (already lowercased) one of [`ENGLISH_STOP_WORDS`]?
pub fn is_stop_word(term: &str) -> bool {
    // The list is sorted, so a binary search is enough.
    ENGLISH_STOP_WORDS.binary_search(&term).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_complete() {
        let mut sorted = ENGLISH_STOP_WORDS;
        sorted.sort_unstable();
        assert_eq!(sorted, ENGLISH_STOP_WORDS);
        for w in ENGLISH_STOP_WORDS {
            assert!(is_stop_word(w));
        }
        for w in [
            "The", "THE", "thes", "", "has", "have", "from", "which", "we",
        ] {
            assert!(!is_stop_word(w), "{w}");
        }
    }
}
