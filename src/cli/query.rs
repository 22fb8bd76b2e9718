//! Opening an index together with the query encoder that matches it.

use std::path::Path;

use clap::Args;

use spladescope::encoder::{EncoderOptions, SparseEncoder};
use spladescope::index::manifest::ModelInfo;
use spladescope::index::{Index, IndexError};

/// Options of commands that run queries against an index.
#[derive(Debug, Clone, Args)]
pub struct QueryModelArgs {
    /// Query model (default: the model the index was built with).
    #[arg(long, short = 'm')]
    pub model: Option<String>,
    /// Longest query in tokens ([CLS]/[SEP] included) [default: 64, or the model's limit if
    /// lower].
    #[arg(long)]
    pub query_max_length: Option<usize>,
    /// Search with a model whose files differ from the index's.
    #[arg(long)]
    pub allow_model_mismatch: bool,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Opens `dir` and loads the query encoder, refusing a different model unless allowed.
pub fn open(dir: &Path, args: &QueryModelArgs) -> anyhow::Result<(Index, SparseEncoder)> {
    let index = Index::open(dir)?;
    let spec = args
        .model
        .clone()
        .unwrap_or_else(|| index.manifest().model.id.clone());
    let options = EncoderOptions {
        max_length: args.query_max_length.unwrap_or(64),
        batch_size: 32,
        threads: args.threads,
        clamp_max_length: args.query_max_length.is_none(),
    };
    let encoder = SparseEncoder::from_spec(&spec, options)?;
    if !args.allow_model_mismatch {
        let query_model = ModelInfo::of(&encoder)?;
        let index_model = &index.manifest().model;
        if !index_model.same_files(&query_model) {
            return Err(IndexError::ModelMismatch {
                index_model: index_model.id.clone(),
                query_model: query_model.id,
            }
            .into());
        }
    }
    Ok((index, encoder))
}
