//! The explorer's term and document browsers: the reports of [`crate::browse`], computed on
//! the worker like everything else. The term browser lists the judged queries that use the
//! term; they are encoded once, the first time a term is browsed.

use super::Engine;
use crate::browse::{encode_queries, DocumentReport, EncodedQueries, TermFilter, TermReport};

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

    fn judged_encodings(&self) -> Result<&EncodedQueries, String> {
        let encoded = self.judged_encoded.get_or_init(|| {
            let Some(j) = &self.judged else {
                return Ok(Vec::new());
            };
            let list = j
                .queries
                .judged(&j.qrels)
                .into_iter()
                .map(|(q, t)| (q.to_string(), t.to_string()))
                .collect();
            encode_queries(self.encoder(), list).map_err(|e| e.to_string())
        });
        encoded.as_ref().map_err(Clone::clone)
    }
}
