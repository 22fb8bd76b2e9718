//! One document's whole SPLADE vector: every term with its weight, whether it is one of the
//! document's own tokens or an expansion, and the word of the text that produced it
//! ([`DocumentSources`]: the document encoded again and checked against its stored vector).

use std::collections::HashSet;

use serde::Serialize;

use crate::encoder::{SparseEncoder, Term, TermKind};
use crate::index::{Index, Result};
use crate::search::DocumentSources;

/// Which terms of a document to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermFilter {
    /// Only input terms, or only expansions.
    pub kind: Option<TermKind>,
    /// Only terms whose token, or whose source word, contains this (case-insensitive).
    pub matching: Option<String>,
    /// At most this many (the heaviest).
    pub top: Option<usize>,
}

impl TermFilter {
    fn keeps(&self, term: &Term) -> bool {
        let kind = self.kind.is_none_or(|k| k == term.kind);
        let matching = self.matching.as_ref().is_none_or(|m| {
            let m = m.to_lowercase();
            term.token.to_lowercase().contains(&m)
                || term
                    .source
                    .as_ref()
                    .is_some_and(|s| s.word.to_lowercase().contains(&m))
        });
        kind && matching
    }
}

/// Everything about one document's vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReport {
    pub id: String,
    pub title: String,
    pub text: String,
    /// Non-zero terms of the stored vector.
    pub nnz: usize,
    pub input_terms: usize,
    pub expansion_terms: usize,
    /// Sum of the weights.
    pub l1: f32,
    /// Tokens the model read (`[CLS]` and `[SEP]` included) and whether the text was cut.
    pub tokens: usize,
    pub truncated: bool,
    /// The terms the filter keeps, heaviest first (ties by id).
    pub terms: Vec<Term>,
    /// Why the terms have no sources, when they have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources_unavailable: Option<String>,
}

impl DocumentReport {
    /// The report of document number `doc`.
    pub fn compute(
        index: &Index,
        encoder: &SparseEncoder,
        doc: u32,
        filter: &TermFilter,
    ) -> Result<Self> {
        let stored = index.doc(doc)?;
        let (sources, sources_unavailable) = match DocumentSources::of(index, encoder, doc)? {
            Ok(s) => (Some(s), None),
            Err(why) => (None, Some(why)),
        };
        // The token ids the model read: the re-encoding's, else the text tokenised alone.
        let (token_ids, truncated) = match &sources {
            Some(s) => (s.encoded.token_ids.clone(), s.encoded.truncated()),
            None => {
                let text = stored.indexed_text();
                let max_length = index.manifest().model.max_length;
                let ids = encoder.token_ids(&text, max_length)?;
                let cut = ids.len() >= max_length && encoder.count_tokens(&text)? > max_length;
                (ids, cut)
            }
        };
        let own: HashSet<u32> = token_ids.iter().copied().collect();
        let vector = index.vector(doc)?;
        let all: Vec<Term> = vector
            .by_weight()
            .into_iter()
            .map(|(id, weight)| Term {
                id,
                token: encoder.token(id).to_string(),
                weight,
                kind: TermKind::of(own.contains(&id)),
                source: sources.as_ref().and_then(|s| s.source(id)),
            })
            .collect();
        let input_terms = all.iter().filter(|t| t.kind == TermKind::Input).count();
        let mut terms: Vec<Term> = all.into_iter().filter(|t| filter.keeps(t)).collect();
        if let Some(n) = filter.top {
            terms.truncate(n);
        }
        Ok(Self {
            id: stored.id.to_string(),
            title: stored.title.to_string(),
            text: stored.text.to_string(),
            nnz: vector.nnz(),
            input_terms,
            expansion_terms: vector.nnz() - input_terms,
            l1: vector.l1(),
            tokens: token_ids.len(),
            truncated,
            terms,
            sources_unavailable,
        })
    }
}
