//! The analysis chain: tokenizer, possessive, lowercase, stop words, Porter.

use serde::{Deserialize, Serialize};

use super::filters::{lowercase, strip_possessive};
use super::porter;
use super::stopwords::is_stop_word;
use super::tokenizer::{independent_pieces, tokenize, DEFAULT_MAX_TOKEN_LENGTH};

/// Which steps of the chain run. The default is Anserini's `DefaultEnglishAnalyzer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyzerConfig {
    /// Drop Lucene's 33 English stop words.
    pub stopwords: bool,
    /// Apply the Porter stemmer.
    pub stemming: bool,
    /// Longest token, in UTF-16 code units; longer words are cut (Lucene: 255).
    pub max_token_length: usize,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        Self {
            stopwords: true,
            stemming: true,
            max_token_length: DEFAULT_MAX_TOKEN_LENGTH,
        }
    }
}

/// One analyzed token: the indexed term and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The term as indexed (possessive stripped, lowercased, stemmed).
    pub term: String,
    /// Byte offset in the original text where the token starts.
    pub start: usize,
    /// Byte offset in the original text one past the token's end (the original token,
    /// including any stripped `'s`).
    pub end: usize,
    /// Lucene position: the token's index among all tokenizer tokens, so removed stop words
    /// leave gaps.
    pub position: u32,
}

/// A distinct query term and how many times the query produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryTerm {
    /// The analyzed term.
    pub term: String,
    /// Occurrences in the analyzed query: Anserini's bag-of-words query gives this term one
    /// clause boosted by `qtf`, so it counts `qtf` times in the score.
    pub qtf: u32,
}

/// An English analyzer equivalent to Anserini's `DefaultEnglishAnalyzer` (Lucene's
/// `StandardTokenizer` → `EnglishPossessiveFilter` → `LowerCaseFilter` → `StopFilter` →
/// `PorterStemFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Analyzer {
    config: AnalyzerConfig,
}

impl Analyzer {
    /// An analyzer with the given steps.
    pub fn new(config: AnalyzerConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> AnalyzerConfig {
        self.config
    }

    /// Runs the whole chain on `text`. Never panics; any `&str` is fine.
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        tokenize(text, self.config.max_token_length)
            .into_iter()
            .enumerate()
            .filter_map(|(index, raw)| {
                let term = self.filter_token(raw.text)?;
                Some(Token {
                    term,
                    start: raw.start,
                    end: raw.end,
                    position: u32::try_from(index).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// Just the terms of [`analyze`](Self::analyze), in order (what gets indexed).
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.analyze(text).into_iter().map(|t| t.term).collect()
    }

    /// Calls `f` with each term of [`terms`](Self::terms), in order, without holding them
    /// all: a long text is tokenised in pieces cut where no token can span (see
    /// [`independent_pieces`]), so memory follows the piece, not the text.
    pub fn for_each_term(&self, text: &str, f: impl FnMut(String)) {
        self.for_each_term_in_pieces(text, 1 << 16, f)
    }

    fn for_each_term_in_pieces(&self, text: &str, piece: usize, mut f: impl FnMut(String)) {
        for part in independent_pieces(text, piece) {
            for raw in tokenize(part, self.config.max_token_length) {
                if let Some(term) = self.filter_token(raw.text) {
                    f(term);
                }
            }
        }
    }

    /// Runs the filters (not the tokenizer) on one token's text. `None` when the token is a
    /// stop word (or ends up empty).
    pub fn filter_token(&self, raw: &str) -> Option<String> {
        let lower = lowercase(strip_possessive(raw));
        if self.config.stopwords && is_stop_word(&lower) {
            return None;
        }
        let term = if self.config.stemming {
            porter::stem(&lower)
        } else {
            lower
        };
        (!term.is_empty()).then_some(term)
    }

    /// The query's distinct terms with their counts, in order of first occurrence.
    pub fn query_terms(&self, text: &str) -> Vec<QueryTerm> {
        let mut out: Vec<QueryTerm> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for term in self.terms(text) {
            match index.get(&term) {
                Some(&i) => {
                    let qt: &mut QueryTerm = &mut out[i];
                    qt.qtf = qt.qtf.saturating_add(1);
                }
                None => {
                    index.insert(term.clone(), out.len());
                    out.push(QueryTerm { term, qtf: 1 });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_chain() {
        let a = Analyzer::default();
        let toks = a.analyze("The patient's CELLS were running, and it's U.S. data.");
        let terms: Vec<&str> = toks.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, ["patient", "cell", "were", "run", "u.", "data"]);
        // "The" (0) is gone; "and" (5) and "it's" -> "it" (6) are stop words.
        let positions: Vec<u32> = toks.iter().map(|t| t.position).collect();
        assert_eq!(positions, [1, 2, 3, 4, 7, 8]);
        let text = "The patient's CELLS";
        let t = &a.analyze(text)[0];
        assert_eq!(&text[t.start..t.end], "patient's");
    }

    #[test]
    fn switches() {
        let plain = Analyzer::new(AnalyzerConfig {
            stopwords: false,
            stemming: false,
            ..AnalyzerConfig::default()
        });
        assert_eq!(plain.terms("The Cats"), ["the", "cats"]);
        let no_stem = Analyzer::new(AnalyzerConfig {
            stemming: false,
            ..AnalyzerConfig::default()
        });
        assert_eq!(no_stem.terms("The Cats"), ["cats"]);
    }

    #[test]
    fn query_terms_count_repeats() {
        let q = Analyzer::default().query_terms("cells, cell and CELL death");
        assert_eq!(
            q,
            [
                QueryTerm {
                    term: "cell".into(),
                    qtf: 3
                },
                QueryTerm {
                    term: "death".into(),
                    qtf: 1
                },
            ]
        );
        assert!(Analyzer::default().query_terms("").is_empty());
    }

    #[test]
    fn terms_in_pieces_equal_terms_of_the_whole_text() {
        // Words that join across marks, quotes, emoji and scripts, next to spaces.
        let alphabet = [
            "漢",
            "字\u{301}",
            "\u{3400}",
            "жизнь",
            "λόγος",
            "مرحبا",
            "🏽",
            "\u{200d}",
            "\u{ad}",
            "क्षि",
            "\u{3000}",
            "\u{a0}",
            "a",
            "B",
            "7",
            " ",
            "  ",
            "'",
            "’s",
            "\u{301}",
            "\u{200d}",
            "_",
            ".",
            "-",
            "שׁ'",
            "\u{5f3}",
            "👍🏽",
            "1\u{fe0f}\u{20e3}",
            "🇫🇷",
            "漢字",
            "ไทย",
            "ß",
            "x\u{200b}y",
            "\n",
            "cells",
            "The",
            "running",
            "it's",
            "U.S.",
            "e-mail",
            "3.14",
        ];
        let mut state = 0x2545_f491_u64;
        let analyzer = Analyzer::default();
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..40 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                text.push_str(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            let whole = analyzer.terms(&text);
            for piece in [1, 2, 5, 17] {
                let mut parts = Vec::new();
                analyzer.for_each_term_in_pieces(&text, piece, |t| parts.push(t));
                assert_eq!(parts, whole, "piece {piece}, text {text:?}");
            }
        }
    }
}
