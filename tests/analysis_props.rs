//! Property tests: the analysis chain and the codecs accept any input without panicking,
//! and their outputs keep their invariants.

use proptest::prelude::*;
use spladescope::analysis::{
    bm25_term_score, byte4_to_int, int_to_byte4, stem, tokenize, Analyzer, AnalyzerConfig,
    Bm25Params,
};

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn analyze_any_text(text in any::<String>(), max in 1usize..300) {
        let analyzer = Analyzer::new(AnalyzerConfig { max_token_length: max, ..AnalyzerConfig::default() });
        let tokens = analyzer.analyze(&text);
        let mut last_end = 0;
        let mut last_pos = None;
        for t in &tokens {
            prop_assert!(t.start < t.end && t.end <= text.len());
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(t.start >= last_end, "tokens overlap or go backwards");
            prop_assert!(last_pos.is_none_or(|p| t.position > p));
            prop_assert!(!t.term.is_empty());
            last_end = t.end;
            last_pos = Some(t.position);
        }
        for raw in tokenize(&text, max) {
            // At most `max` UTF-16 units, unless one character alone is longer.
            prop_assert!(raw.text.encode_utf16().count() <= max || raw.text.chars().count() == 1);
            prop_assert_eq!(&text[raw.start..raw.end], raw.text);
        }
    }

    #[test]
    fn wordy_text(text in "[a-zA-Z0-9 .,'’_:-]{0,400}") {
        let a = Analyzer::default();
        for t in a.analyze(&text) {
            prop_assert_eq!(t.term.to_lowercase(), t.term.clone());
        }
        let q = a.query_terms(&text);
        let total: u32 = q.iter().map(|t| t.qtf).sum();
        prop_assert_eq!(total as usize, a.terms(&text).len());
    }

    #[test]
    fn stem_any_string(word in any::<String>()) {
        let _ = stem(&word);
    }

    #[test]
    fn stem_grows_by_at_most_one_letter(word in "[a-z]{0,20}") {
        let s = stem(&word);
        // Porter never grows a word by more than one letter (the restored 'e').
        prop_assert!(s.len() <= word.len() + 1);
    }

    #[test]
    fn norm_round_trip(len in any::<u32>()) {
        let b = int_to_byte4(len);
        let dec = byte4_to_int(b);
        prop_assert!(dec <= len.min(i32::MAX as u32));
        prop_assert_eq!(int_to_byte4(dec), b);
    }

    #[test]
    fn bm25_is_monotone_in_tf_and_length(tf in 1u32..1000, df in 1u64..1000, extra in 0u64..1000, norm in 0u8..255) {
        let n = df + extra;
        let p = Bm25Params::ANSERINI;
        let s = bm25_term_score(tf, df, n, norm, 100.0, p);
        prop_assert!(s.is_finite() && s >= 0.0);
        prop_assert!(bm25_term_score(tf + 1, df, n, norm, 100.0, p) >= s);
        prop_assert!(bm25_term_score(tf, df, n, norm + 1, 100.0, p) <= s);
    }
}

#[test]
fn huge_inputs_are_fine() {
    let a = Analyzer::default();
    let long_word = "a".repeat(1 << 20);
    assert_eq!(a.analyze(&long_word).len(), (1 << 20) / 255 + 1);
    let underscores = format!("{}x", "_".repeat(1 << 20));
    assert_eq!(a.analyze(&underscores).len(), 1);
    let mixed = "Hello, wörld! 漢字 ภาษาไทย 😀 don't 3.14 ".repeat(20_000);
    assert_eq!(a.analyze(&mixed).len(), 20_000 * 8);
    assert!(a.analyze("").is_empty());
    let marks = format!("a{}b", "\u{301}".repeat(1 << 20));
    assert_eq!(a.terms(&marks).len(), 2);
    let marks_only = format!("a{}", "\u{301}".repeat(1 << 20));
    assert_eq!(a.terms(&marks_only).len(), 1);
    let _ = stem(&"y".repeat(1 << 20));
}
