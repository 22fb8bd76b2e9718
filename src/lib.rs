//! spladescope: see why a learned sparse (SPLADE) retriever returned what it did.
//!
//! The library holds everything the CLI and the TUI show, with no UI code:
//! - [`encoder`]: a SPLADE encoder on candle (BERT / DistilBERT masked-language models);
//! - [`sparse`]: the sparse vector type.

pub mod encoder;
pub mod sparse;
