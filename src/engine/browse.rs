//! The explorer's term and document browsers: the reports of [`crate::browse`], computed on
//! the worker like everything else. The term browser lists the judged queries that use the
//! term; they are encoded once, the first time a term is browsed.

use std::sync::OnceLock;

use super::Engine;
use crate::browse::{find_token, DocumentReport, TermFilter, TermReport};
use crate::encoder::Encoded;

/// Heaviest documents a term browser lists.
pub const TERM_DOCUMENTS: usize = 20;

/// What a browser shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Browse {
    /// A vocabulary term, by id.
    Term(u32),
    /// A document of index A, by id.
    Document(String),
}

/// A browser's report.
#[derive(Debug, Clone, PartialEq)]
pub enum Browsed {
    Term(Box<TermReport>),
    Document(Box<DocumentReport>),
}

/// The judged queries' ids, texts and encodings.
pub type EncodedQueries = Vec<(String, String, Encoded)>;

impl Engine {
    /// The report a browser shows.
    pub fn browse(&self, what: &Browse) -> Result<Browsed, String> {
        let index = self.index();
        let encoder = self.encoder();
        match what {
            Browse::Term(id) => {
                let queries = self.judged_encodings()?;
                TermReport::compute(index, encoder, *id, TERM_DOCUMENTS, queries)
                    .map(|r| Browsed::Term(Box::new(r)))
                    .map_err(|e| e.to_string())
            }
            Browse::Document(id) => {
                let doc = index.find(id).map_err(|e| e.to_string())?;
                DocumentReport::compute(index, encoder, doc, &TermFilter::default())
                    .map(|r| Browsed::Document(Box::new(r)))
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// The vocabulary id of a token, or why it has none.
    pub fn term_id(&self, token: &str) -> Result<u32, String> {
        find_token(self.encoder(), token).map_err(|e| e.to_string())
    }

    fn judged_encodings(&self) -> Result<&EncodedQueries, String> {
        static_cell(&self.judged_encoded, || {
            let Some(j) = &self.judged else {
                return Ok(Vec::new());
            };
            let list: Vec<(String, String)> = j
                .queries
                .judged(&j.qrels)
                .into_iter()
                .map(|(q, t)| (q.to_string(), t.to_string()))
                .collect();
            let texts: Vec<&str> = list.iter().map(|(_, t)| t.as_str()).collect();
            let encoded = self
                .encoder()
                .encode_batch(&texts)
                .map_err(|e| e.to_string())?;
            Ok(list
                .into_iter()
                .zip(encoded)
                .map(|((q, t), e)| (q, t, e))
                .collect())
        })
    }
}

/// The value of `cell`, computed once by `init`; an error is kept and returned again.
fn static_cell<T>(
    cell: &OnceLock<Result<T, String>>,
    init: impl FnOnce() -> Result<T, String>,
) -> Result<&T, String> {
    cell.get_or_init(init).as_ref().map_err(Clone::clone)
}
