//! Browsing an index as Luke browses Lucene's: one term across every document
//! ([`TermReport`]), one document's whole vector ([`DocumentReport`]).

pub mod document;
pub mod term;

pub use document::{DocumentReport, TermFilter};
pub use term::{encode_queries, find_token, EncodedQueries, TermReport};
