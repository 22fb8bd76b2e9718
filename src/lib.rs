//! spladescope: see why a learned sparse (SPLADE) retriever returned what it did.
//!
//! The library holds everything the CLI and the TUI show, with no UI code:
//! - [`encoder`]: a SPLADE encoder (BERT / DistilBERT masked-language models);
//! - [`sparse`]: the sparse vector type;
//! - [`corpus`]: streaming readers for document collections (BEIR, JSONL, TSV, folders);
//! - [`analysis`]: the Lucene-compatible English analyzer and BM25 formula;
//! - [`index`]: the on-disk SPLADE + BM25 index;
//! - [`search`]: exact top-k SPLADE and BM25 retrieval and score explanations;
//! - [`browse`]: one term across the index, one document's whole vector;
//! - [`system`]: retrieval systems (SPLADE, BM25, dense, fusion, run files) behind one query
//!   pipeline;
//! - [`eval`]: qrels, queries and run files, trec_eval metrics and significance tests;
//! - [`engine`]: everything the explorer shows for a query, as plain data;
//! - [`display`]: untrusted text made safe to show on a terminal.

pub mod analysis;
pub mod browse;
pub mod corpus;
pub mod display;
pub mod encoder;
pub mod engine;
pub mod eval;
pub mod export;
pub mod index;
pub mod pieces;
pub mod profile;
pub mod search;
mod simd;
pub mod sparse;
pub mod system;
pub mod tui;
pub mod vectors;
