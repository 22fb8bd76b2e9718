//! Retrieval systems side by side: SPLADE, a second SPLADE checkpoint, BM25, dense
//! bi-encoders, hybrid fusions and run files from anywhere, behind one query pipeline.
//!
//! A [`Pipeline`] prepares a query once ([`Prepared`]: SPLADE-encoded with each model needed,
//! edited, BM25-analysed, dense-embedded), runs every leaf system once, fuses
//! ([`fusion`]), and explains any document in any system as parts that add up to its score
//! ([`Explanation`]). The `--system` syntax is [`SystemSpec`]'s.
//!
//! | system | scores | explanation |
//! |---|---|---|
//! | `splade` | `Σ_t q[t]·d[t]` (`f32`, term-id order) | per term, [`crate::search::explain_splade`] |
//! | `splade-b` | the same in the second index, with its model | per term |
//! | `bm25` | Lucene BM25 | per analysed term, [`crate::search::explain_bm25`] |
//! | `dense` | `Σ_i q[i]·d[i]` of the embeddings ([`crate::index::dense`]) | the score only |
//! | `run:NAME=FILE` | the file's scores, trec_eval's order | the score only (SPLADE/BM25 alongside) |
//! | `rrf:A+B`, `linear:A+B:α` | [`fusion`] of A's and B's top `depth` | per component |
//!
//! **Adding a system kind**: a [`Leaf`] variant and its name in [`spec`], what it needs
//! prepared in [`Pipeline::prepare_batch`], its ranking in `Pipeline::rank_leaf` and its
//! explanation in [`Pipeline::explain_leaf`].

pub mod compare;
pub mod error;
pub mod explain;
pub mod fusion;
pub mod pipeline;
pub mod ranking;
pub mod spec;
pub mod what_if;

pub use error::{Result, SystemError};
pub use explain::{Explanation, FusionExplanation, FusionPart, ScoreOnly};
pub use pipeline::{Pipeline, Prepared, QueryRuns, Rankings, SecondIndex, WhatIf};
pub use ranking::{Position, Ranked, Ranking};
pub use spec::{run_file_name, Fusion, Leaf, Normalization, SystemSpec, RRF_K};
