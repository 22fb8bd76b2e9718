//! Attribution: which input token produced each SPLADE term.
//!
//! A SPLADE weight is a max over input positions, so every non-zero weight comes from
//! exactly one position, its *source* ([`super::Encoded::sources`], recorded by the pooling
//! kernel). [`InputText`] maps positions to what a reader sees: the token at the position
//! and the word it belongs to, as the tokenizer's pre-tokenizer split the text (`login` is
//! one word of two tokens, `log` and `##in`; `[CLS]` and `[SEP]` are words of their own).
//!
//! A score explained term by term can then be grouped by the query word that produced each
//! term ([`InputText::by_word`]): "`login` gave 8.2 of 15.4 through `log`, `##in`,
//! `settlement`".

use std::ops::Range;

use serde::Serialize;

use super::backbone::InputPiece;
use super::Encoded;

/// Where a term's weight came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Input position (0 is `[CLS]`).
    pub position: usize,
    /// The token at that position.
    pub token: String,
    /// The word that token belongs to, as written in the text (a special token is its own
    /// word).
    pub word: String,
    /// The token's byte range in the text (`None` for special tokens).
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

impl Source {
    /// The word, unless it is `term` itself (case aside): what is worth showing beside a
    /// term.
    pub fn other_word(&self, term: &str) -> Option<&str> {
        (self.word.to_lowercase() != term.to_lowercase()).then_some(self.word.as_str())
    }

    /// `login (log)`: the word a term came from, with the token when the word has several
    /// and the token is not the term; `None` when the term is the word.
    pub fn note(&self, term: &str) -> Option<String> {
        let word = self.other_word(term)?;
        let one_token = word.to_lowercase() == self.token.trim_start_matches("##").to_lowercase();
        Some(if one_token || self.token == term {
            word.to_string()
        } else {
            format!("{word} ({})", self.token)
        })
    }
}

/// A word of the input: one or more consecutive positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// As written in the text (a special token: its token string).
    pub text: String,
    /// Byte range in the text (`None` for special tokens).
    pub span: Option<Range<usize>>,
    /// Its positions.
    pub positions: Range<usize>,
}

/// The part of a score that came through the terms one input word produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordContribution {
    /// The word (`None` for terms without a recorded source, such as edited-in terms).
    pub word: Option<String>,
    /// Sum of its terms' contributions (added in `f64`, rounded once).
    pub contribution: f32,
    /// `contribution / score` (0 when the score is 0).
    pub share: f32,
    /// Its terms' tokens, largest contribution first.
    pub terms: Vec<String>,
}

/// The positions of one encoded text, with their tokens and words.
#[derive(Debug, Clone, PartialEq)]
pub struct InputText {
    tokens: Vec<String>,
    spans: Vec<Option<Range<usize>>>,
    /// Word number of each position.
    word_of: Vec<usize>,
    words: Vec<Word>,
}

impl InputText {
    /// Builds the map from the tokenizer's `pieces` of `text`; when they disagree with the
    /// ids the model saw (`token_ids`), every position becomes a word of its own token.
    pub fn new(
        text: &str,
        pieces: Vec<InputPiece>,
        token_ids: &[u32],
        token: impl Fn(u32) -> String,
    ) -> Self {
        let agree = pieces.len() == token_ids.len()
            && pieces.iter().zip(token_ids).all(|(p, &id)| p.id == id);
        let pieces: Vec<InputPiece> = if agree {
            pieces
        } else {
            token_ids
                .iter()
                .map(|&id| InputPiece {
                    id,
                    span: None,
                    word: None,
                })
                .collect()
        };
        let tokens: Vec<String> = pieces.iter().map(|p| token(p.id)).collect();
        let mut words: Vec<Word> = Vec::new();
        let mut word_of = Vec::with_capacity(pieces.len());
        let mut last_word: Option<u32> = None;
        for (position, piece) in pieces.iter().enumerate() {
            let continues = piece.word.is_some() && piece.word == last_word && !words.is_empty();
            if continues {
                let word = words.last_mut().expect("checked above");
                word.positions.end = position + 1;
                if let (Some(w), Some(p)) = (&mut word.span, &piece.span) {
                    w.end = w.end.max(p.end);
                }
            } else {
                words.push(Word {
                    text: String::new(),
                    span: piece.span.clone(),
                    positions: position..position + 1,
                });
            }
            last_word = piece.word;
            word_of.push(words.len() - 1);
        }
        for word in &mut words {
            word.text = match &word.span {
                Some(span) if text.get(span.clone()).is_some() => text[span.clone()].to_string(),
                _ => word
                    .positions
                    .clone()
                    .map(|p| tokens[p].trim_start_matches("##"))
                    .collect(),
            };
        }
        let spans = pieces.into_iter().map(|p| p.span).collect();
        Self {
            tokens,
            spans,
            word_of,
            words,
        }
    }

    /// The token at each position.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The words, in text order.
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// The word number of a position.
    pub fn word_of(&self, position: usize) -> Option<usize> {
        self.word_of.get(position).copied()
    }

    /// The source of term `id` of `encoded` (the encoding this map was built for).
    pub fn source(&self, encoded: &Encoded, id: u32) -> Option<Source> {
        let position = encoded.source(id)?;
        let word = *self.word_of.get(position)?;
        Some(Source {
            position,
            token: self.tokens[position].clone(),
            word: self.words[word].text.clone(),
            span: self.spans[position].clone(),
        })
    }

    /// Groups `(term id, contribution)` pairs by the word that produced each term, largest
    /// total first (ties by word order; terms without a source last). `score` is the total
    /// the shares refer to.
    pub fn by_word(
        &self,
        encoded: &Encoded,
        contributions: &[(u32, String, f32)],
        score: f32,
    ) -> Vec<WordContribution> {
        // Word number (or `words.len()` for "no source") → (sum, terms).
        let mut groups: Vec<(f64, Vec<(f32, String)>)> =
            vec![(0.0, Vec::new()); self.words.len() + 1];
        for (id, token, c) in contributions {
            let w = encoded
                .source(*id)
                .and_then(|p| self.word_of(p))
                .unwrap_or(self.words.len());
            groups[w].0 += *c as f64;
            groups[w].1.push((*c, token.clone()));
        }
        let mut out: Vec<(usize, WordContribution)> = groups
            .into_iter()
            .enumerate()
            .filter(|(_, (_, terms))| !terms.is_empty())
            .map(|(w, (sum, mut terms))| {
                terms.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                let contribution = sum as f32;
                (
                    w,
                    WordContribution {
                        word: self.words.get(w).map(|w| w.text.clone()),
                        contribution,
                        share: if score > 0.0 {
                            contribution / score
                        } else {
                            0.0
                        },
                        terms: terms.into_iter().map(|(_, t)| t).collect(),
                    },
                )
            })
            .collect();
        out.sort_by(|a, b| {
            b.1.contribution
                .total_cmp(&a.1.contribution)
                .then(a.0.cmp(&b.0))
        });
        out.into_iter().map(|(_, c)| c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::SparseVector;

    fn piece(id: u32, span: Option<Range<usize>>, word: Option<u32>) -> InputPiece {
        InputPiece { id, span, word }
    }

    /// "reset my login": [CLS] reset my log ##in [SEP].
    fn login() -> (InputText, Encoded) {
        let text = "reset my login";
        let pieces = vec![
            piece(101, None, None),
            piece(1, Some(0..5), Some(0)),
            piece(2, Some(6..8), Some(1)),
            piece(3, Some(9..12), Some(2)),
            piece(4, Some(12..14), Some(2)),
            piece(102, None, None),
        ];
        let ids: Vec<u32> = pieces.iter().map(|p| p.id).collect();
        let names = ["reset", "my", "log", "##in"];
        let token = |id: u32| match id {
            101 => "[CLS]".to_string(),
            102 => "[SEP]".to_string(),
            i => names[i as usize - 1].to_string(),
        };
        let input = InputText::new(text, pieces, &ids, token);
        let encoded = Encoded {
            vector: SparseVector::from_pairs(vec![
                (1, 2.0),
                (3, 1.0),
                (4, 0.5),
                (9, 1.5),
                (12, 0.25),
            ]),
            // `9` (an expansion) comes from `##in`, `12` from [SEP].
            sources: vec![(1, 1), (3, 3), (4, 4), (9, 4), (12, 5)],
            token_ids: ids,
            untruncated_tokens: 6,
        };
        (input, encoded)
    }

    #[test]
    fn pieces_of_one_word_form_one_word_and_specials_their_own() {
        let (input, encoded) = login();
        let words: Vec<&str> = input.words().iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["[CLS]", "reset", "my", "login", "[SEP]"]);
        assert_eq!(input.words()[3].positions, 3..5);
        assert_eq!(input.words()[3].span, Some(9..14));
        let s = input.source(&encoded, 9).unwrap();
        assert_eq!(
            (s.position, s.token.as_str(), s.word.as_str()),
            (4, "##in", "login")
        );
        assert_eq!(s.span, Some(12..14));
        assert_eq!(input.source(&encoded, 12).unwrap().word, "[SEP]");
        assert_eq!(input.source(&encoded, 7), None, "not a term of the vector");
    }

    #[test]
    fn contributions_are_grouped_by_word_largest_first() {
        let (input, encoded) = login();
        let parts = vec![
            (1, "reset".to_string(), 2.0),
            (3, "log".to_string(), 1.0),
            (4, "##in".to_string(), 0.5),
            (9, "settle".to_string(), 1.5),
            (77, "added".to_string(), 0.125),
        ];
        let groups = input.by_word(&encoded, &parts, 5.125);
        let summary: Vec<(Option<&str>, f32, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.word.as_deref(),
                    g.contribution,
                    g.terms.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some("login"), 3.0, vec!["settle", "log", "##in"]),
                (Some("reset"), 2.0, vec!["reset"]),
                (None, 0.125, vec!["added"]),
            ]
        );
        assert_eq!(groups[0].share, 3.0 / 5.125);
    }

    #[test]
    fn pieces_that_disagree_with_the_model_input_fall_back_to_tokens() {
        let pieces = vec![piece(5, Some(0..2), Some(0))];
        let input = InputText::new("ab", pieces, &[101, 7, 102], |id| format!("t{id}"));
        let words: Vec<&str> = input.words().iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["t101", "t7", "t102"]);
    }

    #[test]
    fn a_note_names_the_word_and_the_token_when_it_tells_more() {
        let source = |token: &str, word: &str| Source {
            position: 1,
            token: token.into(),
            word: word.into(),
            span: None,
        };
        assert_eq!(source("reset", "Reset").note("reset"), None);
        assert_eq!(source("log", "login").note("log").unwrap(), "login");
        assert_eq!(
            source("log", "login").note("settlement").unwrap(),
            "login (log)"
        );
        assert_eq!(source("[SEP]", "[SEP]").note("to").unwrap(), "[SEP]");
        assert_eq!(
            source("parkinson", "Parkinson").note("alzheimer").unwrap(),
            "Parkinson"
        );
        assert_eq!(source("log", "login").other_word("LOGIN"), None);
    }
}
